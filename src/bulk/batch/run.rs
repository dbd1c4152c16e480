//! The run scheduler: which create jobs go into the next `$batch`, what each item's answer
//! means, and when a job may be sent again. Pure: the view sends, and passes the time in (ms).
//!
//! Architecture invariant: a job's create is POSTed again only
//! (a) after a 429, of the item or of the whole envelope (Graph did not process it), or
//! (b) after resolution by listing the user's pass proved no new pass exists.
//! Never after an ambiguous outcome (lost envelope, timeout, 5xx, no answer) without that
//! listing: the first POST may have run, and a second one would silently replace a pass whose
//! value was already returned (reference §2). Re-sends after (b) are bounded by [`MAX_RESENDS`].
//!
//! Resolution must only list a job's pass once its batch is over (no request of it still in
//! flight), and the client's timeout must exceed Graph's 60 s server-side limit, so a POST
//! still running at Graph cannot land after the listing.

use crate::graph::batch::{item_error, BatchItemResponse, MAX_PER_BATCH};
use crate::graph::models::TemporaryAccessPass;
use crate::graph::GraphError;
use crate::messages::{self, Operation};
use crate::tap::lost::{self, Answer, Settled};

/// Re-sends allowed per job after a resolution found no new pass; then the job fails.
pub const MAX_RESENDS: u32 = 2;

/// `GraphError::code` of a job that failed because its outcome stayed unknown
/// [`MAX_RESENDS`] + 1 times; its message is the sentence to show ([`failure_sentence`]).
pub const UNRESOLVED_CODE: &str = "unresolvedCreate";

/// First wait after a 429 without `Retry-After`; doubled per throttle of the same job.
const THROTTLE_BASE_MS: f64 = 1_000.0;
/// Longest such wait.
const THROTTLE_CAP_MS: f64 = 60_000.0;

/// Where one create job stands.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    /// Not sent yet, or proved safe to send again.
    Pending,
    /// In a `$batch` whose answer has not been recorded.
    InFlight,
    /// Graph did not process it (429); sendable again from `until_ms`.
    Throttled { until_ms: f64 },
    /// Created; the value is in the pass (only here, never anywhere else).
    Created(TemporaryAccessPass),
    /// Definitely not created: a 4xx other than 429, or gave up ([`UNRESOLVED_CODE`]).
    Failed(GraphError),
    /// Sent, outcome unknown: list the user's pass and call [`Run::resolve`].
    Ambiguous,
    /// Resolution found a new pass: it exists, its value was lost.
    CreatedUnseen { created: Option<String> },
    /// Cancelled before it was sent (or while waiting to be sent again).
    Cancelled,
}

/// Counts of jobs by state; `done + failed + cancelled + remaining == total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    /// Created, value in hand.
    pub done: usize,
    /// Ended without a value to hand out: `Failed` plus `CreatedUnseen`.
    pub failed: usize,
    /// Of `failed`: a pass exists but its value was lost.
    pub unseen: usize,
    pub cancelled: usize,
    /// Not settled yet: `pending + in_flight + throttled + ambiguous`.
    pub remaining: usize,
    pub pending: usize,
    pub in_flight: usize,
    pub throttled: usize,
    pub ambiguous: usize,
}

#[derive(Clone, Debug)]
struct Job {
    state: JobState,
    /// The user's pass id before the run (from the dry run).
    previous: Option<String>,
    throttles: u32,
    resends: u32,
    last_error: Option<GraphError>,
}

/// One bulk run over `n` create jobs (job id = index).
#[derive(Clone, Debug)]
pub struct Run {
    jobs: Vec<Job>,
    paused: bool,
    cancelled: bool,
}

/// Returns the sentence for a failed job: the message itself for [`UNRESOLVED_CODE`], else
/// `messages::graph` for a create.
pub fn failure_sentence(e: &GraphError) -> String {
    if e.code == UNRESOLVED_CODE {
        e.message.clone()
    } else {
        messages::graph(e, Operation::CreatePass)
    }
}

impl Run {
    /// A run of `jobs` jobs, all pending; `previous_pass_ids[j]` is job `j`'s user's pass id
    /// before the run (missing entries count as "no pass").
    pub fn new(jobs: usize, previous_pass_ids: Vec<Option<String>>) -> Run {
        let mut previous = previous_pass_ids.into_iter();
        Run {
            jobs: (0..jobs)
                .map(|_| Job {
                    state: JobState::Pending,
                    previous: previous.next().flatten(),
                    throttles: 0,
                    resends: 0,
                    last_error: None,
                })
                .collect(),
            paused: false,
            cancelled: false,
        }
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Returns true if and only if the run has no job.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Takes up to [`MAX_PER_BATCH`] jobs that are `Pending`, or `Throttled` with `until_ms <=
    /// now_ms`, lowest ids first, and marks them `InFlight`. `None` when paused or nothing is
    /// sendable now. Bounding the batches in flight is the caller's job.
    pub fn next_batch(&mut self, now_ms: f64) -> Option<Vec<usize>> {
        if self.paused {
            return None;
        }
        let mut out = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            if out.len() == MAX_PER_BATCH {
                break;
            }
            let due = match job.state {
                JobState::Pending => true,
                JobState::Throttled { until_ms } => until_ms <= now_ms,
                _ => false,
            };
            if due {
                job.state = JobState::InFlight;
                out.push(i);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Returns the earliest `until_ms` of the throttled jobs, to sleep until; `None` when paused
    /// or none is throttled.
    pub fn next_wake_ms(&self) -> Option<f64> {
        if self.paused {
            return None;
        }
        self.jobs
            .iter()
            .filter_map(|j| match j.state {
                JobState::Throttled { until_ms } => Some(until_ms),
                _ => None,
            })
            .reduce(f64::min)
    }

    /// Records one item's answer for an `InFlight` job (others are ignored): 2xx → `Created`
    /// (`CreatedUnseen` if the body cannot be read); 429 → `Throttled` until `now_ms` +
    /// `Retry-After` (else 1 s doubling per throttle, at most 60 s), or `Cancelled` after
    /// [`Run::cancel`]; 0, 408 and 5xx → `Ambiguous`; any other status → `Failed`.
    pub fn record_item(&mut self, job: usize, resp: &BatchItemResponse, now_ms: f64) {
        let cancelled = self.cancelled;
        let Some(j) = self.in_flight(job) else { return };
        // The lost-create rule shared with the single form (`tap::lost`).
        j.state = match lost::classify(resp.status) {
            Answer::Created => match resp
                .body
                .clone()
                .and_then(|b| serde_json::from_value::<TemporaryAccessPass>(b).ok())
            {
                Some(pass) => JobState::Created(pass),
                None => JobState::CreatedUnseen { created: None },
            },
            Answer::NotProcessed if cancelled => JobState::Cancelled,
            Answer::NotProcessed => {
                let wait = match resp.retry_after_s() {
                    Some(s) => f64::from(s) * 1000.0,
                    None => (THROTTLE_BASE_MS * 2f64.powi(j.throttles.min(16) as i32))
                        .min(THROTTLE_CAP_MS),
                };
                j.throttles += 1;
                JobState::Throttled {
                    until_ms: now_ms + wait,
                }
            }
            Answer::MayHaveRun => {
                j.last_error = Some(item_error(resp));
                JobState::Ambiguous
            }
            Answer::Refused => JobState::Failed(item_error(resp)),
        };
    }

    /// The whole `$batch` envelope failed (no answer, timeout, 5xx, dropped connection): every
    /// `InFlight` job of `jobs` becomes `Ambiguous`, since its item may have run.
    pub fn record_lost(&mut self, jobs: &[usize]) {
        for &job in jobs {
            if let Some(j) = self.in_flight(job) {
                j.last_error = Some(GraphError::network("The answer to the batch was lost."));
                j.state = JobState::Ambiguous;
            }
        }
    }

    /// The envelope was throttled (429): Graph processed none of it, so every `InFlight` job of
    /// `jobs` is `Throttled` until `until_ms` (`Cancelled` after [`Run::cancel`]).
    pub fn record_envelope_throttled(&mut self, jobs: &[usize], until_ms: f64) {
        let cancelled = self.cancelled;
        for &job in jobs {
            if let Some(j) = self.in_flight(job) {
                j.throttles += 1;
                j.state = if cancelled {
                    JobState::Cancelled
                } else {
                    JobState::Throttled { until_ms }
                };
            }
        }
    }

    /// Returns the `Ambiguous` jobs, to resolve by listing each user's pass.
    pub fn ambiguous(&self) -> Vec<usize> {
        self.ids(|s| matches!(s, JobState::Ambiguous))
    }

    /// Settles an `Ambiguous` job from the user's pass as listed now (others are ignored).
    ///
    /// A pass whose id differs from the one before the run → `CreatedUnseen` (one of our POSTs
    /// ran). Otherwise nothing was created, so sending again is safe: `Pending`, at most
    /// [`MAX_RESENDS`] times per job, then `Failed` with [`UNRESOLVED_CODE`]; `Cancelled` after
    /// [`Run::cancel`].
    pub fn resolve(&mut self, job: usize, current_pass: Option<&TemporaryAccessPass>) {
        let cancelled = self.cancelled;
        let Some(j) = self.jobs.get_mut(job) else {
            return;
        };
        if j.state != JobState::Ambiguous {
            return;
        }
        if let Settled::CreatedUnseen { created } =
            lost::settle(j.previous.as_deref(), Ok(current_pass))
        {
            j.state = JobState::CreatedUnseen { created };
        } else if cancelled {
            j.state = JobState::Cancelled;
        } else if j.resends >= MAX_RESENDS {
            let last = j.last_error.take().unwrap_or_default();
            j.state = JobState::Failed(GraphError {
                code: UNRESOLVED_CODE.into(),
                message: format!(
                    "Graph's answer was lost {} times, and each time the user's pass list showed that no pass had been created. It was not sent again: try this user later.",
                    j.resends + 1
                ),
                retry_after: None,
                ..last
            });
        } else {
            j.resends += 1;
            j.state = JobState::Pending;
        }
    }

    /// Gives up on an `Ambiguous` job whose pass list could not be read (`error`): `Failed`,
    /// with a sentence telling the admin to check that user before creating again. Never re-sends.
    pub fn unresolvable(&mut self, job: usize, error: GraphError) {
        let Some(j) = self.jobs.get_mut(job) else {
            return;
        };
        if j.state != JobState::Ambiguous {
            return;
        }
        j.state = JobState::Failed(GraphError {
            code: UNRESOLVED_CODE.into(),
            message: format!(
                "Graph's answer was lost and this user's passes could not be read to check (HTTP {}). Check the user's current pass before creating another.",
                error.status
            ),
            retry_after: None,
            ..error
        });
    }

    /// Stops handing out batches until [`Run::resume`]; answers are still recorded.
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Undoes [`Run::pause`].
    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Returns true if and only if the run is paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Cancels the run: `Pending` and `Throttled` jobs become `Cancelled`; `InFlight` ones
    /// finish, and `Ambiguous` ones still need resolving (they end `CreatedUnseen` or
    /// `Cancelled`, never sent again).
    pub fn cancel(&mut self) {
        self.cancelled = true;
        for j in &mut self.jobs {
            if matches!(j.state, JobState::Pending | JobState::Throttled { .. }) {
                j.state = JobState::Cancelled;
            }
        }
    }

    /// Returns true if and only if every job is settled: `Created`, `Failed`,
    /// `CreatedUnseen` or `Cancelled`.
    pub fn is_finished(&self) -> bool {
        self.jobs.iter().all(|j| {
            matches!(
                j.state,
                JobState::Created(_)
                    | JobState::Failed(_)
                    | JobState::CreatedUnseen { .. }
                    | JobState::Cancelled
            )
        })
    }

    /// Counts the jobs by state.
    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            total: self.jobs.len(),
            ..Progress::default()
        };
        for j in &self.jobs {
            match j.state {
                JobState::Pending => p.pending += 1,
                JobState::InFlight => p.in_flight += 1,
                JobState::Throttled { .. } => p.throttled += 1,
                JobState::Ambiguous => p.ambiguous += 1,
                JobState::Created(_) => p.done += 1,
                JobState::Failed(_) => p.failed += 1,
                JobState::CreatedUnseen { .. } => {
                    p.failed += 1;
                    p.unseen += 1;
                }
                JobState::Cancelled => p.cancelled += 1,
            }
        }
        p.remaining = p.pending + p.in_flight + p.throttled + p.ambiguous;
        p
    }

    /// Estimates the ms left: the time per settled job so far (`done + failed`) times the jobs
    /// remaining, and at least until the last throttled job may be sent. `Some(0.0)` when none
    /// remains; `None` before any job has settled.
    pub fn eta_ms(&self, started_ms: f64, now_ms: f64) -> Option<f64> {
        let p = self.progress();
        if p.remaining == 0 {
            return Some(0.0);
        }
        let settled = p.done + p.failed;
        if settled == 0 {
            return None;
        }
        let per_job = (now_ms - started_ms).max(0.0) / settled as f64;
        let throttle_wait = self
            .jobs
            .iter()
            .filter_map(|j| match j.state {
                JobState::Throttled { until_ms } => Some(until_ms - now_ms),
                _ => None,
            })
            .fold(0.0, f64::max);
        Some((per_job * p.remaining as f64).max(throttle_wait))
    }

    /// Returns job `job`'s state; an id out of range reads as `Cancelled` (never sent).
    pub fn state(&self, job: usize) -> &JobState {
        static NO_JOB: JobState = JobState::Cancelled;
        self.jobs.get(job).map_or(&NO_JOB, |j| &j.state)
    }

    fn in_flight(&mut self, job: usize) -> Option<&mut Job> {
        self.jobs
            .get_mut(job)
            .filter(|j| j.state == JobState::InFlight)
    }

    /// How many pass values the run holds (created passes whose value was not forgotten).
    pub fn values_held(&self) -> usize {
        self.jobs
            .iter()
            .filter(
                |j| matches!(&j.state, JobState::Created(p) if p.temporary_access_pass.is_some()),
            )
            .count()
    }

    /// Drops the value of every created pass (security item 24: "Done", the time-out and
    /// `pagehide`); each job stays `Created` with the pass's other facts, so the outcomes can
    /// still be read. Returns how many values were dropped.
    pub fn forget_values(&mut self) -> usize {
        let mut n = 0;
        for job in &mut self.jobs {
            if let JobState::Created(p) = &mut job.state {
                if p.temporary_access_pass.take().is_some() {
                    n += 1;
                }
            }
        }
        n
    }

    fn ids(&self, keep: impl Fn(&JobState) -> bool) -> Vec<usize> {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| keep(&j.state))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests;
