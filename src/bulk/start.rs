//! A row's start as an instant, and how a start problem joins the row's verdict: the view
//! passes the browser's clock and time-zone conversion in, so the rule is tested natively.

use super::input::LocalStart;
use super::plan::Verdict;

/// Returns the start (epoch ms) for a row: its own start read in its time zone (else
/// `browser_zone`) through `to_utc(date, time, zone)`, or `default_ms` when the row names none.
/// A start that cannot be read or is not after `now_ms` is a sentence.
pub fn resolve(
    start: Option<&LocalStart>,
    default_ms: Option<f64>,
    now_ms: f64,
    browser_zone: &str,
    to_utc: impl Fn(&str, &str, &str) -> Option<f64>,
) -> Result<Option<f64>, String> {
    let Some(s) = start else {
        return Ok(default_ms);
    };
    let zone = s.time_zone.as_deref().unwrap_or(browser_zone);
    match to_utc(&s.date, &s.time, zone) {
        Some(ms) if ms > now_ms => Ok(Some(ms)),
        Some(_) => Err("The start time is in the past.".into()),
        None => Err(format!("\"{zone}\" is not a time zone this browser knows (use an IANA name such as Europe/Berlin), or the date is invalid.")),
    }
}

/// The verdict once a start problem is known: blocked, naming the earlier reason too when the
/// row was already blocked (every problem of a line is named, not just the first).
pub fn with_problem(verdict: Verdict, problem: String) -> Verdict {
    match verdict {
        Verdict::Blocked(first) => Verdict::Blocked(format!("{first} {problem}")),
        _ => Verdict::Blocked(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(zone: Option<&str>) -> LocalStart {
        LocalStart {
            date: "2027-01-01".into(),
            time: "09:00".into(),
            time_zone: zone.map(Into::into),
        }
    }

    #[test]
    fn a_start_is_read_in_its_zone_and_must_be_ahead() {
        let utc = |_: &str, _: &str, z: &str| (z != "Mars/Olympus").then_some(100.0);
        assert_eq!(
            resolve(None, Some(5.0), 0.0, "Europe/Berlin", utc),
            Ok(Some(5.0))
        );
        assert_eq!(
            resolve(Some(&start(None)), None, 0.0, "Europe/Berlin", utc),
            Ok(Some(100.0))
        );
        assert_eq!(
            resolve(Some(&start(None)), None, 200.0, "Europe/Berlin", utc),
            Err("The start time is in the past.".into())
        );
        let e = resolve(
            Some(&start(Some("Mars/Olympus"))),
            None,
            0.0,
            "Europe/Berlin",
            utc,
        );
        assert!(e.is_err_and(|e| e.starts_with("\"Mars/Olympus\" is not a time zone")));
    }

    #[test]
    fn a_start_problem_joins_an_earlier_block() {
        let v = with_problem(
            Verdict::Blocked("No user with this UPN or object ID.".into()),
            "The start time is in the past.".into(),
        );
        assert_eq!(
            v,
            Verdict::Blocked(
                "No user with this UPN or object ID. The start time is in the past.".into()
            )
        );
        assert_eq!(
            with_problem(Verdict::Warn(vec!["x".into()]), "p".into()),
            Verdict::Blocked("p".into())
        );
    }
}
