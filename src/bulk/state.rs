//! The bulk screen's data, under its view: the checked rows, the run over them, and what the
//! run loop decides between batches (which jobs go next, what an envelope's answer means, which
//! users' passes to list after a lost answer, when the run is over), plus what the admin did
//! with the results. The view sends and redraws; the time is passed in (ms).

use super::batch::{JobState, Run};
use super::ending::{self, Kept};
use super::input::{Row, RowProblem, Source};
use super::plan::{self, Counts, Lookup, Verdict};
use super::summary;
use crate::graph::batch::{self, BatchItem, BatchResponse};
use crate::graph::models::{NewPass, Page, TemporaryAccessPass};
use crate::graph::GraphError;

/// One input row with what the dry run learnt about it.
#[derive(Clone, Debug)]
pub struct Item {
    pub row: Row,
    pub lookup: Lookup,
    pub verdict: Verdict,
    /// Time zone the row's times are shown in (`None`: the admin's own).
    pub zone: Option<String>,
    /// What the create request will ask for.
    pub body: NewPass,
}

impl Item {
    /// The user the create is for: the object id the lookup found, else the row's UPN or id.
    pub fn target(&self) -> String {
        self.lookup
            .user
            .as_ref()
            .map_or_else(|| self.row.upn.clone(), |u| u.id.clone())
    }

    /// The row's stable id: its input and line (unique within one check).
    pub fn key(&self) -> (Source, usize) {
        (self.row.source, self.row.line)
    }
}

/// What the preview shows: the rows kept with their verdicts, and every line not used.
#[derive(Debug, Default)]
pub struct Preview {
    pub items: Vec<Item>,
    /// Bad lines and lines naming a user already named, in source and line order.
    pub problems: Vec<RowProblem>,
    /// More than one input was read: places name their input.
    pub several: bool,
}

/// What the run loop does when no batch can be sent now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Between {
    /// Batches are still in flight, or throttled jobs wait: sleep a little.
    Wait,
    /// Every batch is back and some outcomes are unknown: list those users' passes.
    Resolve,
    /// Every job is settled: show the results.
    Finish,
}

/// The bulk screen's data.
#[derive(Default)]
pub struct Data {
    pub items: Vec<Item>,
    /// Bad lines and lines naming a user already named, in source and line order.
    pub problems: Vec<RowProblem>,
    /// More than one input was read: places name their input ("CSV line 4").
    pub several: bool,
    /// Item index of each job of the run.
    pub jobs: Vec<usize>,
    pub run: Option<Run>,
    pub started_ms: f64,
    pub exported: bool,
    pub printed: bool,
    /// Why the pass values were removed (time-out or leaving the page), once they were.
    pub forgotten: Option<String>,
    /// When the results appeared: the time-out (`passShowSeconds`) counts from here.
    pub results_at_ms: Option<f64>,
    /// Warning rows (item indices) the admin unticked in the preview: not run.
    pub unticked: std::collections::BTreeSet<usize>,
    /// The policy's default lifetime (minutes), for the summary of rows that name none.
    pub default_minutes: Option<u32>,
}

impl Data {
    /// What the admin did with the results' passes (security item 24).
    pub fn kept(&self) -> Kept {
        Kept {
            held: self.run.as_ref().map_or(0, Run::values_held),
            exported: self.exported,
            printed: self.printed,
        }
    }

    /// Shows a new check's rows; any earlier run is dropped.
    pub fn preview(&mut self, p: Preview) {
        self.items = p.items;
        self.problems = p.problems;
        self.several = p.several;
        self.run = None;
        self.jobs.clear();
        self.unticked.clear();
    }

    /// Ticks or unticks warning row `n` (only warning rows can be unticked): an unticked row
    /// is not run.
    pub fn set_ticked(&mut self, n: usize, ticked: bool) {
        let warned = self
            .items
            .get(n)
            .is_some_and(|i| matches!(i.verdict, Verdict::Warn(_)));
        if ticked || !warned {
            self.unticked.remove(&n);
        } else {
            self.unticked.insert(n);
        }
    }

    /// Returns true if and only if item `n` runs: not blocked, not an unticked warning row, and
    /// a privileged target only when `include_admins` (the admin's explicit tick).
    pub fn runs(&self, n: usize, include_admins: bool) -> bool {
        self.items.get(n).is_some_and(|i| match i.verdict {
            Verdict::Blocked(_) => false,
            Verdict::Confirm(_) => include_admins,
            Verdict::Warn(_) => !self.unticked.contains(&n),
            Verdict::Ready => true,
        })
    }

    /// How many passes a run creates now.
    pub fn runnable(&self, include_admins: bool) -> usize {
        (0..self.items.len())
            .filter(|&n| self.runs(n, include_admins))
            .count()
    }

    /// The summary line before the run (`bulk::summary::line`).
    pub fn summary(&self, include_admins: bool, words: &summary::StartWords) -> String {
        let runs: Vec<_> = (0..self.items.len())
            .filter(|&n| self.runs(n, include_admins))
            .map(|n| (&self.items[n].body, self.items[n].zone.as_deref()))
            .collect();
        let c = self.counts();
        let skipped = summary::Skipped {
            blocked: c.blocked,
            waiting: if include_admins { 0 } else { c.confirm },
            unticked: self.unticked.len(),
        };
        summary::line(&runs, self.default_minutes, skipped, words)
    }

    /// How many rows the dry run found a user for.
    pub fn users_found(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.lookup.user.is_some())
            .count()
    }

    /// What the live region says when the run is over (`bulk::summary::run_ended`).
    pub fn run_ended(&self) -> String {
        let p = self.run.as_ref().map(Run::progress).unwrap_or_default();
        summary::run_ended(p.done, p.failed, p.cancelled)
    }

    /// The verdicts counted.
    pub fn counts(&self) -> Counts {
        plan::count(
            &self
                .items
                .iter()
                .map(|i| i.verdict.clone())
                .collect::<Vec<_>>(),
        )
    }

    /// Starts a run at `now_ms` over every row that is not blocked nor unticked; privileged
    /// targets ([`Verdict::Confirm`]) only when `include_admins` (the admin's explicit tick). Each job
    /// keeps its user's pass id from the dry run, so a lost answer can be settled by listing.
    pub fn start(&mut self, include_admins: bool, now_ms: f64) {
        self.jobs = (0..self.items.len())
            .filter(|&n| self.runs(n, include_admins))
            .collect();
        let previous = self
            .jobs
            .iter()
            .map(|&n| self.items[n].lookup.existing.as_ref().map(|p| p.id.clone()))
            .collect();
        self.run = Some(Run::new(self.jobs.len(), previous));
        self.started_ms = now_ms;
    }

    fn item(&self, job: usize) -> Option<&Item> {
        self.items.get(*self.jobs.get(job)?)
    }

    /// The next batch of jobs to send, if one may go now: fewer than `max_in_flight` batches are
    /// out and the run has sendable jobs ([`Run::next_batch`]).
    pub fn take_batch(
        &mut self,
        in_flight: u32,
        max_in_flight: u32,
        now_ms: f64,
    ) -> Option<Vec<usize>> {
        if in_flight >= max_in_flight {
            return None;
        }
        self.run.as_mut()?.next_batch(now_ms)
    }

    /// The create items of `jobs` (item id = job id).
    pub fn create_items(&self, jobs: &[usize]) -> Vec<BatchItem> {
        jobs.iter()
            .filter_map(|&j| {
                let item = self.item(j)?;
                Some(batch::create_item(
                    j.to_string(),
                    &item.target(),
                    &item.body,
                ))
            })
            .collect()
    }

    /// Records the answer to the `$batch` that carried `jobs`. Returns true if and only if the
    /// run must pause because no token could be had (401: nothing was sent; the admin signs in
    /// again and resumes).
    ///
    /// Each item's answer goes to [`Run::record_item`]. A throttled envelope (429) was not
    /// processed: its jobs wait for its `Retry-After` (1 s when absent). Any other failure may
    /// have run the envelope: its jobs are settled by listing ([`Run::record_lost`]).
    pub fn record_answer(
        &mut self,
        jobs: &[usize],
        answer: Result<BatchResponse, GraphError>,
        now_ms: f64,
    ) -> bool {
        let Some(run) = self.run.as_mut() else {
            return false;
        };
        match answer {
            Ok(resp) => {
                for r in &resp.responses {
                    if let Ok(job) = r.id.parse::<usize>() {
                        run.record_item(job, r, now_ms);
                    }
                }
            }
            Err(e) if e.status == 429 => run.record_envelope_throttled(
                jobs,
                now_ms + f64::from(e.retry_after.unwrap_or(1)) * 1000.0,
            ),
            Err(e) if e.status == 401 || e.needs_sign_in() => {
                run.record_envelope_throttled(jobs, now_ms);
                return true;
            }
            Err(_) => run.record_lost(jobs),
        }
        false
    }

    /// The jobs whose outcome is unknown, with the user whose passes to list.
    pub fn ambiguous_targets(&self) -> Vec<(usize, String)> {
        let Some(run) = self.run.as_ref() else {
            return Vec::new();
        };
        run.ambiguous()
            .into_iter()
            .filter_map(|j| Some((j, self.item(j)?.target())))
            .collect()
    }

    /// Settles ambiguous jobs from the listings in `resp` (item id = job id) through the
    /// lost-create rule (`tap::lost`, inside [`Run::resolve`]). A 404 means the user does not
    /// exist, so has no pass; any other failure leaves the outcome unknown: the job fails
    /// ([`Run::unresolvable`]) and is never sent again.
    pub fn record_listing(&mut self, resp: &BatchResponse) {
        let Some(run) = self.run.as_mut() else { return };
        for r in &resp.responses {
            let Ok(job) = r.id.parse::<usize>() else {
                continue;
            };
            match r.status {
                200 => {
                    let current = r
                        .body
                        .as_ref()
                        .and_then(|b| {
                            serde_json::from_value::<Page<TemporaryAccessPass>>(b.clone()).ok()
                        })
                        .and_then(|p| p.value.into_iter().next());
                    run.resolve(job, current.as_ref());
                }
                404 => run.resolve(job, None),
                _ => run.unresolvable(job, batch::item_error(r)),
            }
        }
    }

    /// How long the run loop may sleep at `now_ms` when it has nothing to send, with
    /// `in_flight` of `max_in_flight` batches out: at most `idle_ms` (so pause, resume and
    /// cancel are seen), and no later than the first throttled job is due when a slot is free
    /// for it (never earlier: [`Data::take_batch`] still refuses a job before its
    /// `Retry-After` ends). The loop also wakes at once when a batch answers.
    pub fn idle_wait_ms(
        &self,
        in_flight: u32,
        max_in_flight: u32,
        now_ms: f64,
        idle_ms: f64,
    ) -> f64 {
        let due = self
            .run
            .as_ref()
            .filter(|_| in_flight < max_in_flight)
            .and_then(Run::next_wake_ms);
        match due {
            // A whole millisecond past the due time, so the wake never comes a hair early.
            Some(at) => (at - now_ms).max(0.0).ceil().min(idle_ms) + 1.0,
            None => idle_ms,
        }
    }

    /// What the loop does once no batch can be sent, with `in_flight` batches out.
    pub fn between(&self, in_flight: u32) -> Between {
        if in_flight > 0 {
            return Between::Wait;
        }
        let Some(run) = self.run.as_ref() else {
            return Between::Finish;
        };
        if !run.ambiguous().is_empty() {
            Between::Resolve
        } else if run.is_finished() {
            Between::Finish
        } else {
            Between::Wait
        }
    }

    /// The users who got a pass, its value seen or not: the tracker follows them.
    pub fn created_users(&self) -> Vec<String> {
        let Some(run) = self.run.as_ref() else {
            return Vec::new();
        };
        (0..run.len())
            .filter(|&j| {
                matches!(
                    run.state(j),
                    JobState::Created(_) | JobState::CreatedUnseen { .. }
                )
            })
            .filter_map(|j| self.item(j)?.lookup.user.as_ref().map(|u| u.id.clone()))
            .collect()
    }

    /// Forgets every pass value of the run (security item 24); `by_time_out` says why, for the
    /// notice shown after. Returns how many values were dropped.
    pub fn forget(&mut self, by_time_out: bool) -> usize {
        let n = self.run.as_mut().map_or(0, Run::forget_values);
        if n > 0 {
            self.forgotten = Some(ending::forgotten_notice(n, by_time_out));
        }
        n
    }

    /// Returns true if and only if values are held and the time-out (`pass_show_seconds` from
    /// when the results appeared) has passed at `now_ms`.
    pub fn forget_due(&self, now_ms: f64, pass_show_seconds: u32) -> bool {
        self.kept().held > 0
            && self
                .results_at_ms
                .is_some_and(|at| now_ms >= ending::forget_at_ms(at, pass_show_seconds))
    }
}

#[cfg(test)]
mod tests;
