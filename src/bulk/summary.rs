//! The bulk screen's words about a run: the summary line before it runs (how many passes, their
//! start with its zone, lifetime, one-time, and which rows are skipped or wait for a tick), the
//! announcements of the live region ("3 users found", "3 passes created, 1 failed"), and
//! plurals. The view passes the browser's time formatting in.

use crate::graph::models::NewPass;
use crate::messages::duration_words;

/// `n` with the singular or plural noun: "1 pass", "2 passes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 pass", "3 passes".
pub fn passes(n: usize) -> String {
    count(n, "pass", "passes")
}

/// The run button's label: "Create 1 pass", "Create 3 passes".
pub fn run_label(n: usize) -> String {
    format!("Create {}", passes(n))
}

/// What the live region says after Check: "1 user found", "3 users found".
pub fn users_found(n: usize) -> String {
    format!("{} found", count(n, "user", "users"))
}

/// What the live region says when the run is over: "3 passes created, 1 failed", with
/// ", 2 cancelled" when some were.
pub fn run_ended(created: usize, failed: usize, cancelled: usize) -> String {
    let cancelled = if cancelled > 0 {
        format!(", {cancelled} cancelled")
    } else {
        String::new()
    };
    format!("{} created, {failed} failed{cancelled}", passes(created))
}

/// The progress line under the bar: "3 created · 1 failed · 40 remaining · about 2 min left";
/// the time left only while something remains.
pub fn progress_line(done: usize, failed: usize, remaining: usize, eta_ms: Option<f64>) -> String {
    let left = eta_ms
        .filter(|_| remaining > 0)
        .map(|ms| format!(" · about {} left", span(ms)))
        .unwrap_or_default();
    format!("{done} created · {failed} failed · {remaining} remaining{left}")
}

/// A span of time in words, for "in …" and "about … left": "21 h 15 min", "14 min", "40 s"
/// (minutes rounded up, so "in 1 min" is never past; seconds only under a minute).
pub fn span(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0).ceil() as u64;
    if s < 60 {
        return format!("{s} s");
    }
    let minutes = s.div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// What a run will skip or leave out, beside the passes it creates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Blocked rows: never run.
    pub blocked: usize,
    /// Admin accounts waiting for the "also create passes for admin accounts" tick.
    pub waiting: usize,
    /// Warning rows the admin unticked.
    pub unticked: usize,
}

/// How the browser writes a start, passed in.
pub struct StartWords<'a> {
    /// The admin's IANA time zone (rows that name none are read in it).
    pub zone: &'a str,
    /// An instant (epoch ms) in a zone (`None`: the browser's), e.g. "5 Dec 2026, 09:00".
    pub in_zone: &'a dyn Fn(f64, Option<&str>) -> String,
}

/// The summary line before the run: `runs` are the create bodies (with each row's zone) that
/// the run will send; `default_minutes` is the policy's default lifetime (used where a body
/// names none). Values shared by every pass are named; values that differ say so.
///
/// E.g. "Creates 3 passes · start now · lifetime 1 hour · one-time · 2 blocked rows skipped".
pub fn line(
    runs: &[(&NewPass, Option<&str>)],
    default_minutes: Option<u32>,
    skipped: Skipped,
    words: &StartWords,
) -> String {
    let mut parts = vec![format!("Creates {}", passes(runs.len()))];
    if let Some(((first, first_zone), rest)) = runs.split_first() {
        let start = |p: &NewPass| p.start_date_time.clone();
        parts.push(if rest.iter().any(|(p, _)| start(p) != start(first)) {
            "starts differ by row".to_owned()
        } else {
            match first
                .start_date_time
                .as_deref()
                .and_then(crate::graph::time::parse_ms)
            {
                None => "start now".to_owned(),
                Some(ms) => {
                    // The formatter writes the zone ("5 Dec 2026, 09:00 Europe/Berlin").
                    let zone = first_zone.unwrap_or(words.zone);
                    format!("start {}", (words.in_zone)(ms, Some(zone)))
                }
            }
        });
        let minutes = |p: &NewPass| p.lifetime_in_minutes.or(default_minutes);
        parts.push(if rest.iter().any(|(p, _)| minutes(p) != minutes(first)) {
            "lifetimes differ by row".to_owned()
        } else {
            match minutes(first) {
                Some(m) => format!("lifetime {}", duration_words(m)),
                None => "the policy's default lifetime".to_owned(),
            }
        });
        let once = runs
            .iter()
            .filter(|(p, _)| p.is_usable_once.unwrap_or(false))
            .count();
        parts.push(if once == runs.len() {
            "one-time".to_owned()
        } else if once == 0 {
            "usable more than once".to_owned()
        } else {
            format!("{once} of {} one-time", runs.len())
        });
    }
    if skipped.blocked > 0 {
        parts.push(format!(
            "{} skipped",
            count(skipped.blocked, "blocked row", "blocked rows")
        ));
    }
    if skipped.unticked > 0 {
        parts.push(format!(
            "{} skipped",
            count(skipped.unticked, "unticked row", "unticked rows")
        ));
    }
    if skipped.waiting > 0 {
        parts.push(format!(
            "{} waiting for your tick",
            count(skipped.waiting, "admin account", "admin accounts")
        ));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(start: Option<&str>, minutes: Option<u32>, once: bool) -> NewPass {
        NewPass {
            start_date_time: start.map(Into::into),
            lifetime_in_minutes: minutes,
            is_usable_once: Some(once),
        }
    }

    fn words_line(runs: &[(&NewPass, Option<&str>)], skipped: Skipped) -> String {
        let in_zone = |ms: f64, zone: Option<&str>| format!("{ms}@{}", zone.unwrap_or("here"));
        line(
            runs,
            Some(60),
            skipped,
            &StartWords {
                zone: "Europe/Berlin",
                in_zone: &in_zone,
            },
        )
    }

    #[test]
    fn spans_read_as_words_not_clock_times() {
        assert_eq!(span(40_000.0), "40 s");
        assert_eq!(span(60_000.0), "1 min");
        assert_eq!(span(61_000.0), "2 min");
        assert_eq!(span(3_600_000.0), "1 h");
        assert_eq!(span((21 * 3600 + 15 * 60) as f64 * 1000.0), "21 h 15 min");
        assert_eq!(span(-5.0), "0 s");
    }

    #[test]
    fn the_progress_line_gives_the_time_left_only_while_some_remain() {
        assert_eq!(
            progress_line(3, 1, 40, Some(90_000.0)),
            "3 created · 1 failed · 40 remaining · about 2 min left"
        );
        assert_eq!(
            progress_line(3, 0, 0, Some(0.0)),
            "3 created · 0 failed · 0 remaining"
        );
        assert_eq!(
            progress_line(0, 0, 5, None),
            "0 created · 0 failed · 5 remaining"
        );
    }

    #[test]
    fn plurals_are_right() {
        assert_eq!(passes(1), "1 pass");
        assert_eq!(passes(0), "0 passes");
        assert_eq!(run_label(1), "Create 1 pass");
        assert_eq!(run_label(3), "Create 3 passes");
        assert_eq!(users_found(1), "1 user found");
        assert_eq!(users_found(4), "4 users found");
        assert_eq!(run_ended(1, 0, 0), "1 pass created, 0 failed");
        assert_eq!(run_ended(3, 1, 0), "3 passes created, 1 failed");
        assert_eq!(
            run_ended(0, 0, 2),
            "0 passes created, 0 failed, 2 cancelled"
        );
    }

    #[test]
    fn the_summary_names_start_lifetime_one_time_and_what_is_skipped() {
        let now = body(None, None, true);
        assert_eq!(
            words_line(&[(&now, None), (&now, None)], Skipped::default()),
            "Creates 2 passes · start now · lifetime 1 hour · one-time"
        );
        let later = body(Some("2027-03-01T08:00:00Z"), Some(120), false);
        assert_eq!(
            words_line(
                &[(&later, None)],
                Skipped {
                    blocked: 2,
                    waiting: 1,
                    unticked: 1
                }
            ),
            "Creates 1 pass · start 1803888000000@Europe/Berlin · lifetime 2 hours · usable more than once · 2 blocked rows skipped · 1 unticked row skipped · 1 admin account waiting for your tick"
        );
        // A row's own zone is the one named.
        assert!(
            words_line(&[(&later, Some("Asia/Tokyo"))], Skipped::default())
                .contains("@Asia/Tokyo ·")
        );
        assert_eq!(
            words_line(
                &[(&now, None), (&later, None)],
                Skipped {
                    blocked: 1,
                    ..Skipped::default()
                }
            ),
            "Creates 2 passes · starts differ by row · lifetimes differ by row · 1 of 2 one-time · 1 blocked row skipped"
        );
        assert_eq!(
            words_line(
                &[],
                Skipped {
                    waiting: 2,
                    ..Skipped::default()
                }
            ),
            "Creates 0 passes · 2 admin accounts waiting for your tick"
        );
    }
}
