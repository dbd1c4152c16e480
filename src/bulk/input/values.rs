//! Readers for the cells of a bulk line: dates, times, lifetimes and yes/no, each failure a sentence.
//!
//! Every reader gets the cell already trimmed and the column name as the admin wrote it, so the
//! sentence can quote both: `"startTime" is "25:00": use HH:MM, 24-hour.`

/// Graph's own bounds on `lifetimeInMinutes`; the tenant policy is checked later, in the plan.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<u32> =
    crate::tap::GRAPH_MIN_LIFETIME..=crate::tap::GRAPH_MAX_LIFETIME;

/// Returns `(date "YYYY-MM-DD", time "HH:MM" if the cell has one)` from a start cell.
///
/// Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM` (seconds allowed) and
/// `DD.MM.YYYY` with the same optional time. Slashes are refused: `03/04/2025` means two
/// different days in two countries.
pub fn start(cell: &str, column: &str) -> Result<(String, Option<String>), String> {
    if cell.contains('/') {
        return Err(format!(
            "\"{column}\" is \"{cell}\": write the date as YYYY-MM-DD (for example 2025-04-03), because a date with slashes reads differently in different countries."
        ));
    }
    let (date_part, time_part) =
        match cell.split_once(|c: char| c == 'T' || c == 't' || c.is_whitespace()) {
            Some((d, t)) => (d, Some(t.trim())),
            None => (cell, None),
        };
    let date = date(date_part).ok_or_else(|| {
        format!("\"{column}\" is \"{cell}\": write the date as YYYY-MM-DD (or DD.MM.YYYY).")
    })?;
    let date = date.map_err(|()| format!("\"{column}\" is \"{cell}\": there is no such date."))?;
    let time = match time_part {
        Some(t) => Some(time(t).ok_or_else(|| {
            format!("\"{column}\" is \"{cell}\": write the time after the date as HH:MM, 24-hour.")
        })?),
        None => None,
    };
    Ok((date, time))
}

/// Returns the time of a time cell as `HH:MM`: accepts `HH:MM`, `H:MM` and `HH:MM:SS`
/// (seconds are dropped: a pass starts on a minute).
pub fn time_cell(cell: &str, column: &str) -> Result<String, String> {
    time(cell).ok_or_else(|| format!("\"{column}\" is \"{cell}\": use HH:MM, 24-hour."))
}

/// Returns the lifetime in minutes from `90`, `90m`, `2h`, `1h30m` (spaces and `min` allowed),
/// within Graph's 10..=43200.
pub fn lifetime(cell: &str, column: &str) -> Result<u32, String> {
    let minutes = minutes(cell).ok_or_else(|| {
        format!("\"{column}\" is \"{cell}\": give whole minutes, for example 90, 90m, 2h or 1h30m.")
    })?;
    if LIFETIME_RANGE.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(format!(
            "\"{column}\" is \"{cell}\" ({minutes} minutes): a pass lasts from {} minutes to {} minutes (30 days).", LIFETIME_RANGE.start(), LIFETIME_RANGE.end()
        ))
    }
}

/// Returns the one-time flag: yes/no, true/false, 1/0, y/n, x (yes); `None` for a blank cell.
pub fn one_time(cell: &str, column: &str) -> Result<Option<bool>, String> {
    match cell.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err(format!(
            "\"{column}\" is \"{cell}\": use yes or no (or leave it blank for the default)."
        )),
    }
}

/// `None`: not a date shape; `Some(Err)`: a date shape naming no real day.
fn date(text: &str) -> Option<Result<String, ()>> {
    let digits = |s: &str, min: usize, max: usize| -> Option<u32> {
        (min..=max)
            .contains(&s.len())
            .then_some(())
            .filter(|()| s.bytes().all(|b| b.is_ascii_digit()))?;
        s.parse().ok()
    };
    let (y, m, d) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (digits(y, 4, 4)?, digits(m, 1, 2)?, digits(d, 1, 2)?)
    } else {
        let mut parts = text.split('.');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (digits(y, 4, 4)?, digits(m, 1, 2)?, digits(d, 1, 2)?)
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Some(Err(()));
    }
    Some(Ok(format!("{y:04}-{m:02}-{d:02}")))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn time(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(':').collect();
    let num = |s: &str, min: usize, max: u32| -> Option<u32> {
        let ok = (min..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse().ok())?.filter(|n| *n <= max)
    };
    let (h, m) = match parts.as_slice() {
        [h, m] => (num(h, 1, 23)?, num(m, 2, 59)?),
        [h, m, s] => {
            num(s, 2, 59)?;
            (num(h, 1, 23)?, num(m, 2, 59)?)
        }
        _ => return None,
    };
    Some(format!("{h:02}:{m:02}"))
}

fn minutes(text: &str) -> Option<u32> {
    let t: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let (hours, rest) = match t.split_once('h') {
        Some((h, rest)) => (Some(h), rest),
        None => (None, t.as_str()),
    };
    let mins = rest
        .strip_suffix("min")
        .or_else(|| rest.strip_suffix('m'))
        .map(Some)
        .unwrap_or_else(|| rest.is_empty().then_some(""))?;
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let h = match hours {
        Some(h) => number(h)?,
        None if mins.is_empty() => return None,
        None => 0,
    };
    let m = if mins.is_empty() && hours.is_some() {
        0
    } else {
        number(mins)?
    };
    h.checked_mul(60)?.checked_add(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            start("2025-04-03", "start"),
            Ok(("2025-04-03".into(), None))
        );
        assert_eq!(
            start("2025-4-3 9:05", "start"),
            Ok(("2025-04-03".into(), Some("09:05".into())))
        );
        assert_eq!(
            start("2025-04-03T17:30:00", "start"),
            Ok(("2025-04-03".into(), Some("17:30".into())))
        );
        assert_eq!(
            start("03.04.2025 08:00", "start"),
            Ok(("2025-04-03".into(), Some("08:00".into())))
        );
        assert_eq!(
            start("29.02.2024", "s").map(|d| d.0),
            Ok("2024-02-29".into())
        );
        assert_eq!(
            start("2025-02-29", "start"),
            Err("\"start\" is \"2025-02-29\": there is no such date.".into())
        );
        assert!(start("04/03/2025", "Start Date")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(start("tomorrow", "start")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(start("2025-04-03 25:00", "start")
            .unwrap_err()
            .contains("HH:MM"));
        assert!(start("25-04-2025", "start").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(time_cell("9:05", "time"), Ok("09:05".into()));
        assert_eq!(time_cell("23:59:59", "time"), Ok("23:59".into()));
        assert_eq!(
            time_cell("25:00", "startTime"),
            Err("\"startTime\" is \"25:00\": use HH:MM, 24-hour.".into())
        );
        for bad in ["9", "9:5", "09:60", "9am", "09:00:61", ":30", "1:2:3:4"] {
            assert!(time_cell(bad, "t").is_err(), "{bad}");
        }
    }

    #[test]
    fn lifetimes() {
        for (text, m) in [
            ("90", 90),
            ("90m", 90),
            ("2h", 120),
            ("1h30m", 90),
            ("1h 30 min", 90),
            ("12H", 720),
            ("43200", 43_200),
        ] {
            assert_eq!(lifetime(text, "lifetime"), Ok(m), "{text}");
        }
        assert!(lifetime("5", "lifetime")
            .unwrap_err()
            .contains("(5 minutes)"));
        assert!(lifetime("43201", "lifetime")
            .unwrap_err()
            .contains("30 days"));
        for bad in [
            "",
            "1.5h",
            "h",
            "m",
            "90s",
            "-90",
            "2d",
            "99999999999999",
            "1h30",
            "h30m",
        ] {
            assert!(lifetime(bad, "lifetime").is_err(), "{bad}");
        }
    }

    #[test]
    fn one_time_values() {
        for (t, v) in [
            ("Yes", Some(true)),
            ("x", Some(true)),
            ("1", Some(true)),
            ("N", Some(false)),
            ("false", Some(false)),
            ("", None),
        ] {
            assert_eq!(one_time(t, "once"), Ok(v), "{t}");
        }
        assert_eq!(
            one_time("maybe", "isUsableOnce"),
            Err(
                "\"isUsableOnce\" is \"maybe\": use yes or no (or leave it blank for the default)."
                    .into()
            )
        );
    }
}
