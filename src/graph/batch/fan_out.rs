//! Many items at once: sent in `$batch`es of [`MAX_PER_BATCH`], [`IN_FLIGHT`] batches at a
//! time, items Graph throttled sent again after their `Retry-After`, and a cancel switch
//! checked before each wave. Generic over how one envelope is sent and how to wait, so it runs
//! (and is tested) without a browser.
//!
//! Invariants: every item sent has exactly one entry in the answers, keyed by its id (its own
//! answer, or the error of the envelope it travelled in); items not sent because of a cancel
//! have none; nothing waits longer than [`MAX_WAIT_S`] for a throttle.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use super::{BatchItem, BatchItemResponse, BatchRequest, BatchResponse, ItemId, MAX_PER_BATCH};
use crate::graph::GraphError;

/// Batches in flight at once.
pub const IN_FLIGHT: usize = 4;
/// How many times items Graph throttled are sent again.
pub const MAX_THROTTLED_ROUNDS: usize = 2;
/// The longest `Retry-After` honoured before giving up on an item.
pub const MAX_WAIT_S: u32 = 60;

/// Each item's answer, or the error of the envelope it travelled in, by item id.
pub type Answers = HashMap<ItemId, Result<BatchItemResponse, GraphError>>;

/// Sends idempotent `items` (reads, deletes; unique ids) and returns every answer by item id.
///
/// `send` sends one envelope; `wait` sleeps before a round of throttled items; `cancelled` is
/// asked before each wave of [`IN_FLIGHT`] batches; `progress(done, total)` is called after
/// each wave. Items still throttled after the last round, or whose `Retry-After` exceeds
/// [`MAX_WAIT_S`], keep their 429 answer; items not sent because of a cancel are missing.
pub async fn send_all<S, SF, W, WF>(
    items: Vec<BatchItem>,
    send: S,
    wait: W,
    cancelled: impl Fn() -> bool,
    progress: impl Fn(usize, usize),
) -> Answers
where
    S: Fn(BatchRequest) -> SF,
    SF: Future<Output = Result<BatchResponse, GraphError>>,
    W: Fn(Duration) -> WF,
    WF: Future<Output = ()>,
{
    let total = items.len();
    let mut answers = Answers::new();
    let mut pending = items;
    for round in 0..=MAX_THROTTLED_ROUNDS {
        let mut throttled = Vec::new();
        let mut wait_s = 0;
        for wave in pending.chunks(MAX_PER_BATCH * IN_FLIGHT) {
            if cancelled() {
                return answers;
            }
            let sends = wave.chunks(MAX_PER_BATCH).map(|chunk| {
                let answer = send(BatchRequest {
                    requests: chunk.to_vec(),
                });
                async move { (chunk, answer.await) }
            });
            for (chunk, answer) in futures::future::join_all(sends).await {
                match answer {
                    Ok(resp) => {
                        for r in resp.responses {
                            if r.status == 429 && round < MAX_THROTTLED_ROUNDS {
                                wait_s = wait_s.max(r.retry_after_s().unwrap_or(1));
                                if let Some(item) = chunk.iter().find(|i| i.id == r.id) {
                                    throttled.push(item.clone());
                                }
                            }
                            answers.insert(r.id.clone(), Ok(r));
                        }
                    }
                    Err(e) => {
                        for item in chunk {
                            answers.insert(item.id.clone(), Err(e.clone()));
                        }
                    }
                }
            }
            let done = answers
                .values()
                .filter(|a| !matches!(a, Ok(r) if r.status == 429))
                .count();
            progress(done, total);
        }
        if throttled.is_empty() || wait_s > MAX_WAIT_S {
            break;
        }
        wait(Duration::from_secs(u64::from(wait_s))).await;
        pending = throttled;
    }
    answers
}

/// The answers that arrived, for the pure parsers that take a list.
pub fn arrived(answers: &Answers) -> Vec<BatchItemResponse> {
    answers
        .values()
        .filter_map(|a| a.as_ref().ok().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    use futures::executor::block_on;

    fn items(n: usize) -> Vec<BatchItem> {
        (0..n)
            .map(|i| crate::graph::batch::list_passes_item(i, &format!("u-{i}")))
            .collect()
    }

    fn answer(id: &ItemId, status: u16, retry_after: Option<&str>) -> BatchItemResponse {
        BatchItemResponse {
            id: id.clone(),
            status,
            headers: retry_after
                .map(|r| BTreeMap::from([("Retry-After".to_owned(), r.to_owned())]))
                .unwrap_or_default(),
            body: Some(serde_json::json!({"value": []})),
        }
    }

    /// A fake Graph: `status(id, attempt)` answers each item; every envelope is recorded.
    struct Fake<F: Fn(&ItemId, usize) -> (u16, Option<&'static str>)> {
        status: F,
        envelopes: RefCell<Vec<Vec<ItemId>>>,
        attempts: RefCell<HashMap<ItemId, usize>>,
        waits: RefCell<Vec<Duration>>,
    }

    impl<F: Fn(&ItemId, usize) -> (u16, Option<&'static str>)> Fake<F> {
        fn new(status: F) -> Self {
            Fake {
                status,
                envelopes: RefCell::new(Vec::new()),
                attempts: RefCell::new(HashMap::new()),
                waits: RefCell::new(Vec::new()),
            }
        }

        fn send(&self, req: BatchRequest) -> Result<BatchResponse, GraphError> {
            assert!(req.requests.len() <= MAX_PER_BATCH);
            self.envelopes
                .borrow_mut()
                .push(req.requests.iter().map(|i| i.id.clone()).collect());
            let responses = req
                .requests
                .iter()
                .map(|i| {
                    let mut attempts = self.attempts.borrow_mut();
                    let n = attempts.entry(i.id.clone()).or_default();
                    let (status, retry) = (self.status)(&i.id, *n);
                    *n += 1;
                    answer(&i.id, status, retry)
                })
                .collect();
            Ok(BatchResponse { responses })
        }

        fn run(&self, items: Vec<BatchItem>, cancelled: impl Fn() -> bool) -> Answers {
            block_on(send_all(
                items,
                |req| std::future::ready(self.send(req)),
                |d| {
                    self.waits.borrow_mut().push(d);
                    std::future::ready(())
                },
                cancelled,
                |_, _| {},
            ))
        }
    }

    #[test]
    fn items_go_in_batches_of_twenty_and_answers_are_keyed_by_item_id() {
        let fake = Fake::new(|_, _| (200, None));
        let progress = RefCell::new(Vec::new());
        let answers = block_on(send_all(
            items(170),
            |req| std::future::ready(fake.send(req)),
            |_| std::future::ready(()),
            || false,
            |done, total| progress.borrow_mut().push((done, total)),
        ));
        let sizes: Vec<usize> = fake.envelopes.borrow().iter().map(Vec::len).collect();
        assert_eq!(sizes, [20, 20, 20, 20, 20, 20, 20, 20, 10]);
        assert_eq!(answers.len(), 170);
        assert_eq!(answers.get("169").map(|a| a.is_ok()), Some(true));
        // One progress report per wave of four batches.
        assert_eq!(*progress.borrow(), [(80, 170), (160, 170), (170, 170)]);
        assert!(fake.waits.borrow().is_empty());
    }

    #[test]
    fn throttled_items_are_sent_again_after_their_retry_after() {
        // Item 3 is throttled twice, then answers; the others answer at once.
        let fake = Fake::new(|id, n| match (id.as_str(), n) {
            ("3", 0) => (429, Some("7")),
            ("3", 1) => (429, Some("2")),
            _ => (200, None),
        });
        let answers = fake.run(items(5), || false);
        assert_eq!(answers["3"].as_ref().map(|r| r.status), Ok(200));
        let envelopes = fake.envelopes.borrow();
        assert_eq!(envelopes.len(), 3);
        assert_eq!(envelopes[1], [ItemId::from("3")]);
        assert_eq!(
            *fake.waits.borrow(),
            [Duration::from_secs(7), Duration::from_secs(2)]
        );
    }

    #[test]
    fn items_still_throttled_after_the_last_round_keep_their_429() {
        let fake = Fake::new(|id, _| if id == "0" { (429, None) } else { (200, None) });
        let answers = fake.run(items(2), || false);
        assert_eq!(fake.envelopes.borrow().len(), 1 + MAX_THROTTLED_ROUNDS);
        assert_eq!(answers["0"].as_ref().map(|r| r.status), Ok(429));
        // No Retry-After: one second.
        assert_eq!(fake.waits.borrow()[0], Duration::from_secs(1));
    }

    #[test]
    fn a_retry_after_above_the_cap_gives_up_on_the_item() {
        let fake = Fake::new(|id, _| {
            if id == "1" {
                (429, Some("61"))
            } else {
                (200, None)
            }
        });
        let answers = fake.run(items(3), || false);
        assert_eq!(fake.envelopes.borrow().len(), 1);
        assert!(fake.waits.borrow().is_empty());
        assert_eq!(answers["1"].as_ref().map(|r| r.status), Ok(429));
        // At the cap it still waits.
        let fake = Fake::new(|id, n| {
            if id == "1" && n == 0 {
                (429, Some("60"))
            } else {
                (200, None)
            }
        });
        fake.run(items(3), || false);
        assert_eq!(*fake.waits.borrow(), [Duration::from_secs(60)]);
    }

    #[test]
    fn cancel_stops_before_the_next_wave() {
        let fake = Fake::new(|_, _| (200, None));
        let asked = Cell::new(0);
        // Cancelled after the first wave has gone.
        let answers = fake.run(items(100), || {
            asked.set(asked.get() + 1);
            asked.get() > 1
        });
        assert_eq!(fake.envelopes.borrow().len(), IN_FLIGHT);
        assert_eq!(answers.len(), MAX_PER_BATCH * IN_FLIGHT);
        assert!(!answers.contains_key("80"));
    }

    #[test]
    fn an_envelope_failure_is_fanned_out_to_every_item_of_that_envelope() {
        let sent = Cell::new(0);
        let answers = block_on(send_all(
            items(30),
            |req| {
                sent.set(sent.get() + 1);
                std::future::ready(if sent.get() == 2 {
                    Err(GraphError::timeout(65))
                } else {
                    Ok(BatchResponse {
                        responses: req
                            .requests
                            .iter()
                            .map(|i| answer(&i.id, 200, None))
                            .collect(),
                    })
                })
            },
            |_| std::future::ready(()),
            || false,
            |_, _| {},
        ));
        assert_eq!(answers.len(), 30);
        for i in 0..30usize {
            let a = &answers[ItemId::from(i).as_str()];
            if i < MAX_PER_BATCH {
                assert!(a.is_ok(), "{i}");
            } else {
                assert_eq!(
                    a.as_ref().map_err(GraphError::answer_lost),
                    Err(true),
                    "{i}"
                );
            }
        }
        assert_eq!(arrived(&answers).len(), MAX_PER_BATCH);
    }
}
