//! A run's results as the table, the handouts and the CSV export show them: one line per job,
//! every time with its zone, the outcome in words. The view passes the browser's time
//! formatting in.

use std::cell::RefCell;

use super::batch::{failure_sentence, JobState};
use super::state::Data;
use crate::export::{pass_cell, text_cell};
use crate::graph::models::TemporaryAccessPass;
use crate::graph::time;
use crate::tap::lost;

/// One result line as shown and exported.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The job's id: the line's stable id in the results table.
    pub job: usize,
    pub name: String,
    pub upn: String,
    pub pass: Option<String>,
    pub from: String,
    pub until: String,
    pub outcome: String,
    pub ok: bool,
    /// `from` and `until` as ISO 8601 with the zone's offset, for the CSV export.
    pub from_iso: String,
    pub until_iso: String,
    /// Created, but its value was removed from the page (Done, time-out or `pagehide`).
    pub removed: bool,
}

/// How the browser writes times, passed in.
pub struct Times<'a> {
    /// The browser's IANA time zone.
    pub zone: &'a str,
    /// An instant (epoch ms) in a zone (`None`: the browser's).
    pub in_zone: &'a dyn Fn(f64, Option<&str>) -> String,
    /// An instant in the admin's local time.
    pub local: &'a dyn Fn(f64) -> String,
    /// The offset from UTC (minutes) of a zone (`None`: the browser's) at an instant.
    pub offset_minutes: &'a dyn Fn(f64, Option<&str>) -> i32,
}

/// [`Times`] asked once per minute and zone within one [`lines`] call. Both answers depend
/// only on the minute that holds the instant (the words stop at minutes; zone offsets are
/// whole minutes and change on a minute), and a run's passes start within a few minutes of
/// each other, while each browser answer builds `Intl` formatters: for a 1,000-user run that
/// was most of the time from the last answer to the results table (issue 14, cargo xtask bench).
/// A few minutes and zones make few entries: a list is enough (and smaller code than a map).
struct PerMinute<'t, 'a> {
    times: &'t Times<'a>,
    words: RefCell<Vec<(Key, String)>>,
    offsets: RefCell<Vec<(Key, i32)>>,
}

/// Epoch minute and zone (`None`: the browser's).
type Key = (i64, Option<String>);

/// The value kept for `key` in `memo`, else `ask()`'s, kept.
fn kept<V: Clone>(
    memo: &RefCell<Vec<(Key, V)>>,
    key: (i64, Option<&str>),
    ask: impl FnOnce() -> V,
) -> V {
    let found = memo
        .borrow()
        .iter()
        .find(|(k, _)| k.0 == key.0 && k.1.as_deref() == key.1)
        .map(|(_, v)| v.clone());
    found.unwrap_or_else(|| {
        let v = ask();
        memo.borrow_mut()
            .push(((key.0, key.1.map(str::to_owned)), v.clone()));
        v
    })
}

impl<'t, 'a> PerMinute<'t, 'a> {
    fn new(times: &'t Times<'a>) -> Self {
        PerMinute {
            times,
            words: RefCell::default(),
            offsets: RefCell::default(),
        }
    }

    /// The minute that holds `ms` (epoch minutes) and its first instant.
    fn minute(ms: f64) -> (i64, f64) {
        let m = (ms / 60_000.0).floor();
        (m as i64, m * 60_000.0)
    }

    fn in_zone(&self, ms: f64, zone: Option<&str>) -> String {
        let (m, start) = Self::minute(ms);
        kept(&self.words, (m, zone), || (self.times.in_zone)(start, zone))
    }

    fn offset_minutes(&self, ms: f64, zone: Option<&str>) -> i32 {
        let (m, start) = Self::minute(ms);
        kept(&self.offsets, (m, zone), || {
            (self.times.offset_minutes)(start, zone)
        })
    }
}

/// Returns instant `ms` as ISO 8601 with the offset `offset_minutes`, e.g.
/// `2027-03-01T09:00:00+01:00` (`Z` for UTC).
pub fn iso(ms: f64, offset_minutes: i32) -> String {
    let utc = time::format_utc(ms + f64::from(offset_minutes) * 60_000.0);
    if offset_minutes == 0 {
        return utc;
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{}{sign}{:02}:{:02}",
        utc.trim_end_matches('Z'),
        off / 60,
        off % 60
    )
}

/// Every job of the run as a result line, in job order; empty before a run.
///
/// A created pass's window is written in the row's own time zone, else the browser's, with
/// the zone named (a handout may be read in another office).
pub fn lines(d: &Data, times: &Times) -> Vec<Line> {
    let Some(run) = d.run.as_ref() else {
        return Vec::new();
    };
    let per_minute = PerMinute::new(times);
    d.jobs
        .iter()
        .enumerate()
        .filter_map(|(job, &n)| {
            let item = d.items.get(n)?;
            let name = item
                .lookup
                .user
                .as_ref()
                .map(|u| u.name().to_owned())
                .unwrap_or_default();
            let zone = item.zone.as_deref();
            let window = |p: &TemporaryAccessPass| {
                let start = p.start_date_time.as_deref().and_then(time::parse_ms);
                let end = start
                    .zip(p.lifetime_in_minutes)
                    .map(|(s, m)| s + f64::from(m) * 60_000.0);
                // The formatter writes the zone ("27 Nov 2026, 09:00 Europe/Berlin").
                let write = |ms: f64| per_minute.in_zone(ms, zone);
                let write_iso = |ms: f64| iso(ms, per_minute.offset_minutes(ms, zone));
                (
                    start.map(write).unwrap_or_default(),
                    end.map(write).unwrap_or_default(),
                    start.map(write_iso).unwrap_or_default(),
                    end.map(write_iso).unwrap_or_default(),
                )
            };
            let none = (String::new(), String::new(), String::new(), String::new());
            let (pass, (from, until, from_iso, until_iso), outcome, ok) = match run.state(job) {
                JobState::Created(p) => (
                    p.temporary_access_pass
                        .as_ref()
                        .map(|s| s.expose().to_owned()),
                    window(p),
                    "Created".to_owned(),
                    true,
                ),
                JobState::Failed(e) => (None, none, failure_sentence(e), false),
                JobState::CreatedUnseen { created } => (
                    None,
                    none,
                    format!(
                        "A pass was created{} but its value was lost: create a new one for this user.",
                        lost::at(created.as_deref(), times.local)
                    ),
                    false,
                ),
                JobState::Cancelled => (None, none, "Cancelled: nothing was sent.".to_owned(), false),
                _ => (None, none, "Not finished.".to_owned(), false),
            };
            let removed = ok && pass.is_none();
            Some(Line {
                job,
                name,
                upn: item.row.upn.clone(),
                pass,
                from,
                until,
                outcome,
                ok,
                from_iso,
                until_iso,
                removed,
            })
        })
        .collect()
}

/// The results as a CSV file: every cell safe in spreadsheets, the pass kept readable, the
/// dates ISO 8601 with their offset (spreadsheets and scripts read them in any locale).
pub fn csv(lines: &[Line]) -> String {
    let mut out = String::from("name,upn,temporaryAccessPass,validFrom,validUntil,outcome\r\n");
    for l in lines {
        let cells = [
            text_cell(&l.name),
            text_cell(&l.upn),
            l.pass.as_deref().map(pass_cell).unwrap_or_default(),
            text_cell(&l.from_iso),
            text_cell(&l.until_iso),
            text_cell(&l.outcome),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests;
