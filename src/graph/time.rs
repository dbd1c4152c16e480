//! Graph timestamps (ISO 8601 / RFC 3339) as milliseconds since the Unix epoch, without a date crate.

/// Returns the instant `text` names, in ms since 1970-01-01T00:00:00Z, or `None` if unreadable.
///
/// Accepts `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z`, `+HH:MM` or `-HH:MM`; a missing
/// zone is read as UTC (Graph's `innerError.date` has none).
pub fn parse_ms(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = std::str::from_utf8(b.get(from..from + len)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
    {
        return None;
    }
    let (year, month, day, hour, minute) =
        (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut second = 0;
    let mut millis = 0.0;
    if b.get(i) == Some(&b':') {
        second = num(17, 2)?;
        i = 19;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            let frac = std::str::from_utf8(&b[i..end]).ok()?;
            millis = frac.parse::<f64>().ok()? * 1000.0;
            i = end;
        }
    }
    let offset_minutes = match b.get(i) {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let m = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds as f64 * 1000.0 + millis.round())
}

/// Returns `ms` as `YYYY-MM-DDTHH:MM:SSZ` (the form Graph normalises `startDateTime` to).
pub fn format_utc(ms: f64) -> String {
    let total = (ms / 1000.0).floor() as i64;
    let (days, rem) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_forms_parse() {
        assert_eq!(parse_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_ms("2021-04-01T17:02:01"), Some(1_617_296_521_000.0));
        assert_eq!(
            parse_ms("2022-06-05T20:02:51.1426714Z"),
            Some(1_654_459_371_143.0)
        );
        assert_eq!(
            parse_ms("2022-06-05T22:02:51+02:00"),
            Some(1_654_459_371_000.0)
        );
        assert_eq!(parse_ms("2024-02-29T00:00Z"), Some(1_709_164_800_000.0));
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "2021-13-01T00:00:00Z",
            "yesterday",
            "2021-04-01",
            "2021-04-01T17:02:01Q",
        ] {
            assert_eq!(parse_ms(s), None, "{s}");
        }
    }

    #[test]
    fn format_round_trips() {
        for ms in [
            0.0,
            1_617_296_521_000.0,
            1_709_164_800_000.0,
            4_102_444_800_000.0,
        ] {
            assert_eq!(parse_ms(&format_utc(ms)), Some(ms));
        }
        assert_eq!(format_utc(1_617_296_521_999.0), "2021-04-01T17:02:01Z");
    }
}
