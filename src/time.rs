//! Times as the tool reads and writes them, in UTC only: RFC 3339 from the Engine API and on the
//! audit labels, the compact stamp in backup names (`20261129T043619Z`), and for people
//! "3 min ago (2026-11-29 04:36 UTC)". Pure: "now" is always an argument, in seconds since the
//! Unix epoch, so that every wording is testable; callers read the clock with [`unix`].

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of `t` (negative before it).
pub fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time such as `2026-11-29T04:36:19.123456789Z` or
/// `2026-11-29T05:36:19+01:00`; fractions of a second are dropped.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
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

/// The UTC calendar fields of `secs`: year, month, day, hour, minute, second.
fn fields(secs: i64) -> [i64; 6] {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    [y, m, d, s / 3600, s % 3600 / 60, s % 60]
}

/// `2026-11-29T04:36:12Z`.
pub fn rfc3339(secs: i64) -> String {
    let [y, mo, d, h, mi, s] = fields(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `20261129T043612Z`: ISO 8601 basic format, for names that sort by time.
pub fn stamp(secs: i64) -> String {
    let [y, mo, d, h, mi, s] = fields(secs);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// `2026-11-29 04:36 UTC`.
pub fn absolute(secs: i64) -> String {
    let [y, mo, d, h, mi, _] = fields(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// How long before `now` `secs` was, in the largest unit that is at least 1. A minute either way
/// is "just now": the engine's clock and this machine's need not agree to the second.
pub fn relative(secs: i64, now: i64) -> String {
    match now - secs {
        d if d < -60 => "in the future".into(),
        d if d < 60 => "just now".into(),
        d if d < 3600 => format!("{} min ago", d / 60),
        d if d < 48 * 3600 => format!("{} h ago", d / 3600),
        d => format!("{} days ago", d / 86_400),
    }
}

/// `3 min ago (2026-11-29 04:36 UTC)` for an RFC 3339 `text` seen at `now`; a time that does not
/// parse is shown as it came rather than hidden.
pub fn readable(text: &str, now: i64) -> String {
    match parse_rfc3339(text) {
        Some(t) => format!("{} ({})", relative(t, now), absolute(t)),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn the_epoch_and_back() {
        assert_eq!(at("1970-01-01T00:00:00Z"), 0);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(stamp(0), "19700101T000000Z");
        assert_eq!(absolute(0), "1970-01-01 00:00 UTC");
        assert_eq!(unix(UNIX_EPOCH), 0);
        assert_eq!(unix(UNIX_EPOCH + Duration::from_secs(90)), 90);
        assert_eq!(unix(UNIX_EPOCH - Duration::from_secs(90)), -90);
    }

    #[test]
    fn round_trips_through_rfc3339() {
        let t = "2026-11-29T04:36:12Z";
        assert_eq!(rfc3339(at(t)), t);
        assert_eq!(at("2026-11-29T04:36:19.123456789Z"), 1_795_926_979);
        assert_eq!(stamp(1_795_926_979), "20261129T043619Z");
    }

    #[test]
    fn fractions_and_offsets() {
        assert_eq!(at("2000-02-29T12:00:00.5Z"), 951_825_600);
        assert_eq!(at("2026-11-29T05:36:19+01:00"), at("2026-11-29T04:36:19Z"));
        assert_eq!(at("2026-11-28T23:06:19-05:30"), at("2026-11-29T04:36:19Z"));
        assert_eq!(at("2026-11-29t04:36:19.5z"), at("2026-11-29T04:36:19Z"));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29T04:36:19",
            "2026-11-29T04:36:19+0100",
            "2026-11-29T04-36-19Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn leap_days() {
        assert_eq!(at("2024-02-29T00:00:00Z"), 1_709_164_800);
        assert_eq!(absolute(1_709_164_800), "2024-02-29 00:00 UTC");
        assert_eq!(stamp(1_709_208_000), "20240229T120000Z");
        assert_eq!(
            rfc3339(at("2000-02-29T23:59:59Z") + 1),
            "2000-03-01T00:00:00Z"
        );
    }

    #[test]
    fn year_ends() {
        assert_eq!(stamp(978_307_199), "20001231T235959Z");
        assert_eq!(rfc3339(978_307_200), "2001-01-01T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn dates_round_trip_across_leap_years_and_before_1970() {
        for days in [-719_468, -1, 0, 59, 365, 11_016, 20_786, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn says_how_long_ago_and_when_in_utc() {
        let created = "2026-11-29T04:36:19.123456789Z";
        assert_eq!(
            readable(created, at("2026-11-29T04:39:30Z")),
            "3 min ago (2026-11-29 04:36 UTC)"
        );
        let cases = [
            ("2026-11-29T04:36:21Z", "just now"),
            ("2026-11-29T04:36:40Z", "just now"),
            ("2026-11-29T06:36:19Z", "2 h ago"),
            ("2026-11-29T07:40:00Z", "3 h ago"),
            ("2026-11-30T05:36:19Z", "25 h ago"),
            ("2026-12-02T04:36:19Z", "3 days ago"),
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
    fn the_future_beyond_a_minute_of_clock_skew() {
        let t = at("2026-11-29T04:36:19Z");
        assert_eq!(relative(t, t - 30), "just now");
        assert_eq!(relative(t, t - 379), "in the future");
    }

    #[test]
    fn a_time_that_does_not_parse_is_shown_as_it_came() {
        assert_eq!(readable("sometime", 0), "sometime");
    }
}
