//! Times as the audit trail writes and shows them: RFC 3339 UTC on the labels, "3 min ago
//! (2026-11-29 04:36 UTC)" for people. Small on purpose: the engine sends UTC, and nothing here
//! needs time zones.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `2026-11-29T04:36:12Z`.
pub fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Seconds since the epoch of an RFC 3339 time in UTC, as the engine and the labels write it
/// (`2026-11-29T04:36:12.123456789Z`); fractions are dropped.
pub fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    Some(days * 86400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?)
}

/// `2026-11-29 04:36 UTC`.
pub fn absolute(secs: i64) -> String {
    let t = rfc3339(secs);
    format!("{} {} UTC", &t[..10], &t[11..16])
}

/// `just now`, `42 s ago`, `3 min ago`, `5 h ago`, `2 days ago`.
pub fn relative(secs: i64, now: i64) -> String {
    let d = now - secs;
    match d {
        i64::MIN..=-1 => "in the future".into(),
        0..=4 => "just now".into(),
        5..=59 => format!("{d} s ago"),
        60..=3599 => format!("{} min ago", d / 60),
        3600..=86399 => format!("{} h ago", d / 3600),
        86400..=172799 => "1 day ago".into(),
        _ => format!("{} days ago", d / 86400),
    }
}

/// `3 min ago (2026-11-29 04:36 UTC)`, or the text as given when it is not a time.
pub fn readable(text: &str, now: i64) -> String {
    match parse(text) {
        Some(s) => format!("{} ({})", relative(s, now), absolute(s)),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let t = "2026-11-29T04:36:12Z";
        let s = parse(t).unwrap();
        assert_eq!(rfc3339(s), t);
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse("2000-02-29T12:00:00.5Z"), Some(951_825_600));
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn reads_for_people() {
        let s = parse("2026-11-29T04:36:12.123456789Z").unwrap();
        assert_eq!(
            readable("2026-11-29T04:36:12.123456789Z", s + 200),
            "3 min ago (2026-11-29 04:36 UTC)"
        );
        assert_eq!(relative(s, s + 2), "just now");
        assert_eq!(relative(s, s + 7200), "2 h ago");
        assert_eq!(relative(s, s + 3 * 86400), "3 days ago");
    }
}
