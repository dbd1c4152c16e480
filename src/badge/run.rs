//! The badge run (issue 16 point 3): which badge creates go into the next `$batch`, what each
//! answer means, and when a create may be sent again. Pure: the view sends and passes the time
//! in (ms), like `bulk::batch::Run` for passes.
//!
//! Invariant: a user's badge create is sent again only (a) after a 429 (Graph did not process
//! it) or (b) after reading the user's QR method proved no badge exists. Never after a lost
//! answer, a timeout or a 5xx without that read: the first PUT may have run, and its PIN and QR
//! content (returned once) are gone; a second create would be refused or, worse, hide that.

use crate::graph::api::QrCodePinMethod;
use crate::graph::batch::{item_error, BatchItemResponse, BatchResponse, MAX_PER_BATCH};
use crate::graph::GraphError;
use crate::messages;
use crate::secret::Secret;

/// Re-sends allowed per badge after a read found none; then the badge fails.
pub const MAX_RESENDS: u32 = 2;
/// First wait after a 429 without `Retry-After`.
const THROTTLE_BASE_MS: f64 = 1_000.0;

/// A badge created, with its secrets (held only here and in the view that shows them).
#[derive(Clone, Debug, PartialEq)]
pub struct Issued {
    /// The PIN, once.
    pub pin: Option<Secret>,
    /// The standard QR code's content, once.
    pub qr: Option<Secret>,
    /// When the badge expires (RFC 3339).
    pub expires: Option<String>,
}

/// Where one badge create stands.
#[derive(Clone, Debug, PartialEq)]
pub enum BadgeJob {
    /// Not sent yet, or proved safe to send again.
    Pending,
    /// In a `$batch` whose answer is not recorded.
    InFlight,
    /// Graph did not process it (429): sendable from `until_ms`.
    Throttled { until_ms: f64 },
    /// Created, secrets in hand.
    Created(Issued),
    /// Sent, outcome unknown: read the user's method and call [`BadgeRun::resolve`].
    Ambiguous,
    /// The read found a badge: it exists, its PIN and QR were lost.
    CreatedUnseen,
    /// Not created: the sentence.
    Failed(String),
}

#[derive(Clone, Debug)]
struct Job {
    state: BadgeJob,
    throttles: u32,
    resends: u32,
}

/// One run over `n` badge creates (job id = index = `$batch` item id).
#[derive(Clone, Debug)]
pub struct BadgeRun {
    jobs: Vec<Job>,
}

/// The sentence for a badge whose create ran but whose answer was lost.
pub fn unseen_sentence() -> &'static str {
    messages::BADGE_CREATED_UNSEEN
}

impl BadgeRun {
    /// `n` pending creates.
    pub fn new(n: usize) -> BadgeRun {
        BadgeRun {
            jobs: (0..n)
                .map(|_| Job {
                    state: BadgeJob::Pending,
                    throttles: 0,
                    resends: 0,
                })
                .collect(),
        }
    }

    /// Job `j`'s state.
    pub fn state(&self, j: usize) -> Option<&BadgeJob> {
        self.jobs.get(j).map(|j| &j.state)
    }

    /// Takes up to [`MAX_PER_BATCH`] sendable jobs (pending, or throttled and due), marks them
    /// in flight.
    pub fn next_batch(&mut self, now_ms: f64) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            if out.len() == MAX_PER_BATCH {
                break;
            }
            let due = match job.state {
                BadgeJob::Pending => true,
                BadgeJob::Throttled { until_ms } => until_ms <= now_ms,
                _ => false,
            };
            if due {
                job.state = BadgeJob::InFlight;
                out.push(i);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    fn throttle(&mut self, j: usize, retry_after_s: Option<u32>, now_ms: f64) {
        let job = &mut self.jobs[j];
        job.throttles += 1;
        let wait = retry_after_s.map_or_else(
            || THROTTLE_BASE_MS * f64::from(1u32 << job.throttles.min(6)),
            |s| f64::from(s) * 1000.0,
        );
        job.state = BadgeJob::Throttled {
            until_ms: now_ms + wait,
        };
    }

    /// Records the answer to the `$batch` that carried `jobs`.
    pub fn record(
        &mut self,
        jobs: &[usize],
        answer: Result<BatchResponse, GraphError>,
        now_ms: f64,
    ) {
        match answer {
            // The whole envelope throttled: Graph processed none of it.
            Err(e) if e.status == 429 => {
                for &j in jobs {
                    self.throttle(j, e.retry_after, now_ms);
                }
            }
            // Lost, timed out, 5xx: any item may have run.
            Err(_) => {
                for &j in jobs {
                    self.jobs[j].state = BadgeJob::Ambiguous;
                }
            }
            Ok(resp) => {
                for &j in jobs {
                    let id = j.to_string();
                    match resp.responses.iter().find(|r| r.id == id.as_str()) {
                        Some(r) => self.record_item(j, r, now_ms),
                        None => self.jobs[j].state = BadgeJob::Ambiguous,
                    }
                }
            }
        }
    }

    fn record_item(&mut self, j: usize, r: &BatchItemResponse, now_ms: f64) {
        let state = match r.status {
            200 | 201 => {
                let m = r
                    .body
                    .clone()
                    .and_then(|b| serde_json::from_value::<QrCodePinMethod>(b).ok());
                match m {
                    Some(m) => BadgeJob::Created(issued(m)),
                    // Created, but its answer unreadable: the secrets are lost.
                    None => BadgeJob::CreatedUnseen,
                }
            }
            429 => return self.throttle(j, r.retry_after_s(), now_ms),
            500..=599 => BadgeJob::Ambiguous,
            _ => BadgeJob::Failed(messages::badge_refused(&item_error(r))),
        };
        self.jobs[j].state = state;
    }

    /// Jobs whose outcome is unknown, once none is in flight (a PUT still running at Graph
    /// could otherwise land after the read).
    pub fn to_resolve(&self) -> Vec<usize> {
        if self
            .jobs
            .iter()
            .any(|j| matches!(j.state, BadgeJob::InFlight))
        {
            return vec![];
        }
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| matches!(j.state, BadgeJob::Ambiguous))
            .map(|(i, _)| i)
            .collect()
    }

    /// Settles job `j` from a read of the user's method: `Ok(Some(_))` a badge exists (created,
    /// its secrets lost), `Ok(None)` none (404: safe to send again, a bounded number of times),
    /// `Err` the read failed (stays unknown: the admin is told to check the user).
    pub fn resolve(&mut self, j: usize, read: Result<Option<QrCodePinMethod>, GraphError>) {
        let job = &mut self.jobs[j];
        job.state = match read {
            Ok(Some(_)) => BadgeJob::CreatedUnseen,
            Ok(None) if job.resends < MAX_RESENDS => {
                job.resends += 1;
                BadgeJob::Pending
            }
            Ok(None) => BadgeJob::Failed(messages::BADGE_UNRESOLVED.into()),
            Err(_) => BadgeJob::Failed(messages::BADGE_UNKNOWN.into()),
        };
    }

    /// True when every job is settled (created, seen or not, or failed).
    pub fn settled(&self) -> bool {
        self.jobs.iter().all(|j| {
            matches!(
                j.state,
                BadgeJob::Created(_) | BadgeJob::CreatedUnseen | BadgeJob::Failed(_)
            )
        })
    }

    /// When the next throttled job is due, if any.
    pub fn next_due_ms(&self) -> Option<f64> {
        self.jobs
            .iter()
            .filter_map(|j| match j.state {
                BadgeJob::Throttled { until_ms } => Some(until_ms),
                _ => None,
            })
            .reduce(f64::min)
    }

    /// Every job's state, in order (for the results).
    pub fn into_states(self) -> Vec<BadgeJob> {
        self.jobs.into_iter().map(|j| j.state).collect()
    }

    /// Jobs whose badge exists but whose PIN and QR were lost (to delete, then create again).
    pub fn unseen(&self) -> Vec<usize> {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.state == BadgeJob::CreatedUnseen)
            .map(|(i, _)| i)
            .collect()
    }

    /// Records the admin's replacement of job `j`'s lost badge: `deleted` true when Graph
    /// confirmed the delete (204, or 404: already gone), and only then may it be created again.
    /// A failed delete leaves the badge as it was (its PIN and QR still lost).
    pub fn replaced(&mut self, j: usize, deleted: bool) {
        let Some(job) = self.jobs.get_mut(j) else {
            return;
        };
        if job.state == BadgeJob::CreatedUnseen && deleted {
            job.state = BadgeJob::Pending;
            job.resends = 0;
        }
    }

    /// Drops every PIN and QR content the run holds (Done, the time-out, leaving the page); the
    /// outcomes stay for the results.
    pub fn forget_secrets(&mut self) {
        for job in &mut self.jobs {
            if let BadgeJob::Created(i) = &mut job.state {
                i.pin = None;
                i.qr = None;
            }
        }
    }

    /// How many created badges still hold their secrets.
    pub fn held(&self) -> usize {
        self.jobs
            .iter()
            .filter(
                |j| matches!(&j.state, BadgeJob::Created(i) if i.pin.is_some() || i.qr.is_some()),
            )
            .count()
    }
}

/// The secrets of a created badge.
fn issued(m: QrCodePinMethod) -> Issued {
    let std = m.standard_qr_code;
    Issued {
        pin: m.pin.and_then(|p| p.code),
        expires: std.as_ref().and_then(|c| c.expire_date_time.clone()),
        qr: std.and_then(|c| c.image).and_then(|i| i.raw_content),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(id: usize, status: u16, body: serde_json::Value) -> BatchItemResponse {
        BatchItemResponse {
            id: id.to_string().into(),
            status,
            headers: Default::default(),
            body: Some(body),
        }
    }

    fn created() -> serde_json::Value {
        json!({"id": "m", "standardQRCode": {"expireDateTime": "2027-01-01T00:00:00Z",
            "image": {"rawContent": "UVJDT05URU5U"}}, "pin": {"code": "12345678"}})
    }

    #[test]
    fn created_badges_keep_their_secrets_and_throttled_ones_wait() {
        let mut run = BadgeRun::new(3);
        let jobs = run.next_batch(0.0).expect("jobs");
        assert_eq!(jobs, vec![0, 1, 2]);
        let mut throttled = item(1, 429, json!({}));
        throttled.headers.insert("Retry-After".into(), "2".into());
        let resp = BatchResponse {
            responses: vec![
                item(0, 201, created()),
                throttled,
                item(
                    2,
                    403,
                    json!({"error": {"code": "Authorization_RequestDenied", "message": "no"}}),
                ),
            ],
        };
        run.record(&jobs, Ok(resp), 0.0);
        match run.state(0) {
            Some(BadgeJob::Created(i)) => {
                assert_eq!(i.pin.as_ref().map(Secret::expose), Some("12345678"));
                assert_eq!(i.qr.as_ref().map(Secret::expose), Some("UVJDT05URU5U"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(run.state(2), Some(BadgeJob::Failed(_))));
        assert_eq!(run.next_batch(1_999.0), None, "before its Retry-After");
        assert_eq!(run.next_batch(2_000.0), Some(vec![1]));
    }

    #[test]
    fn a_lost_answer_is_never_sent_again_before_a_read() {
        let mut run = BadgeRun::new(2);
        let jobs = run.next_batch(0.0).expect("jobs");
        run.record(&jobs, Err(GraphError::network("dropped")), 0.0);
        assert_eq!(
            run.next_batch(1e9),
            None,
            "a lost create was re-sent blindly"
        );
        assert_eq!(run.to_resolve(), vec![0, 1]);
        let m: QrCodePinMethod = serde_json::from_value(json!({"id": "m"})).expect("method");
        run.resolve(0, Ok(Some(m)));
        run.resolve(1, Ok(None));
        assert_eq!(run.state(0), Some(&BadgeJob::CreatedUnseen));
        assert_eq!(run.next_batch(0.0), Some(vec![1]), "no badge: sent again");
        run.record(&[1], Err(GraphError::network("dropped")), 0.0);
        run.resolve(1, Ok(None));
        run.next_batch(0.0);
        run.record(&[1], Err(GraphError::network("dropped")), 0.0);
        run.resolve(1, Ok(None));
        assert!(matches!(run.state(1), Some(BadgeJob::Failed(_))), "bounded");
        assert!(run.settled());
    }

    #[test]
    fn a_lost_badge_is_created_again_only_after_its_delete_was_confirmed() {
        let mut run = BadgeRun::new(2);
        let jobs = run.next_batch(0.0).expect("jobs");
        run.record(&jobs, Err(GraphError::network("dropped")), 0.0);
        let m: QrCodePinMethod = serde_json::from_value(json!({"id": "m"})).expect("method");
        run.resolve(0, Ok(Some(m.clone())));
        run.resolve(1, Ok(Some(m)));
        assert_eq!(run.unseen(), vec![0, 1]);
        run.replaced(0, false);
        assert_eq!(run.next_batch(0.0), None, "a failed delete sends nothing");
        run.replaced(0, true);
        assert_eq!(run.next_batch(0.0), Some(vec![0]));
        run.record(
            &[0],
            Ok(BatchResponse {
                responses: vec![item(0, 201, created())],
            }),
            0.0,
        );
        assert_eq!(run.unseen(), vec![1]);
        run.replaced(0, true);
        assert!(
            matches!(run.state(0), Some(BadgeJob::Created(_))),
            "only a lost badge is replaced"
        );
    }

    #[test]
    fn forgetting_drops_every_pin_and_qr_but_keeps_the_outcome() {
        let mut run = BadgeRun::new(1);
        let jobs = run.next_batch(0.0).expect("jobs");
        run.record(
            &jobs,
            Ok(BatchResponse {
                responses: vec![item(0, 201, created())],
            }),
            0.0,
        );
        assert_eq!(run.held(), 1);
        run.forget_secrets();
        assert_eq!(run.held(), 0);
        match run.state(0) {
            Some(BadgeJob::Created(i)) => {
                assert!(i.pin.is_none() && i.qr.is_none() && i.expires.is_some())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_item_or_5xx_is_unknown_not_failed() {
        let mut run = BadgeRun::new(2);
        let jobs = run.next_batch(0.0).expect("jobs");
        run.record(
            &jobs,
            Ok(BatchResponse {
                responses: vec![item(0, 503, json!({}))],
            }),
            0.0,
        );
        assert_eq!(run.state(0), Some(&BadgeJob::Ambiguous));
        assert_eq!(run.state(1), Some(&BadgeJob::Ambiguous));
        assert!(!run.settled());
    }
}
