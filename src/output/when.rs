//! Times for people: "3 min ago (2026-11-29 04:36 UTC)" from the RFC 3339 the Engine API gives
//! (with nanoseconds and an offset). JSON keeps the RFC 3339 as it came.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of an RFC 3339 time such as `2026-11-29T04:36:19.123456789Z`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest.get(1..)?.split_once(':')?;
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: the inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-11-29 04:36 UTC`.
fn utc_minute(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        s / 3600,
        s % 3600 / 60
    )
}

/// How long ago, in the largest unit that is at least 1.
fn ago(secs: i64) -> String {
    match secs {
        s if s < -60 => "in the future".into(),
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 48 * 3600 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

/// Seconds since the Unix epoch of `t`.
pub fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// "3 min ago (2026-11-29 04:36 UTC)" for `rfc3339` seen at `now`; a time that does not parse
/// is shown as it came rather than hidden.
pub fn readable(rfc3339: &str, now: SystemTime) -> String {
    match parse_rfc3339(rfc3339) {
        Some(t) => format!("{} ({})", ago(unix(now) - t), utc_minute(t)),
        None => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(rfc3339: &str) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(parse_rfc3339(rfc3339).unwrap() as u64)
    }

    #[test]
    fn parses_the_engine_api_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-29T04:36:19.123456789Z"),
            Some(1_795_926_979)
        );
        assert_eq!(
            parse_rfc3339("2026-11-29T05:36:19+01:00"),
            parse_rfc3339("2026-11-29T04:36:19Z")
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-29T04:36:19",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn says_how_long_ago_and_when_in_utc() {
        let created = "2026-11-29T04:36:19.123456789Z";
        let now = at("2026-11-29T04:39:30Z");
        assert_eq!(readable(created, now), "3 min ago (2026-11-29 04:36 UTC)");
        let cases = [
            ("2026-11-29T04:36:40Z", "just now"),
            ("2026-11-29T07:40:00Z", "3 h ago"),
            ("2026-12-02T04:36:19Z", "3 days ago"),
            ("2026-11-29T04:30:00Z", "in the future"),
        ];
        for (now, ago) in cases {
            assert_eq!(
                readable(created, at(now)),
                format!("{ago} (2026-11-29 04:36 UTC)"),
                "{now}"
            );
        }
    }

    #[test]
    fn dates_round_trip_across_leap_years_and_before_1970() {
        for days in [-719_468, -1, 0, 59, 365, 11_016, 20_786, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(utc_minute(1_709_164_800), "2024-02-29 00:00 UTC");
    }

    #[test]
    fn a_time_that_does_not_parse_is_shown_as_it_came() {
        assert_eq!(readable("sometime", UNIX_EPOCH), "sometime");
    }
}
