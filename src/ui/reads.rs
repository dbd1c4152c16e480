//! Many Graph reads at once: items sent in `$batch`es of 20, a few batches in flight, items
//! Graph throttled sent again after their `Retry-After`, and a cancel switch. Used by the user
//! page (one batch), the pass-holder scan and the onboarding tracker.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;

use super::{graph_call, Ctx};
use crate::bulk::batch::{BatchItem, BatchItemResponse, BatchRequest, MAX_PER_BATCH};
use crate::graph::{api, GraphError};

/// Batches in flight at once.
pub const IN_FLIGHT: usize = 4;
/// How many times items Graph throttled are sent again.
const MAX_THROTTLED_ROUNDS: usize = 2;
/// The longest `Retry-After` honoured before giving up on an item.
const MAX_WAIT_S: u32 = 60;

/// Each item's answer, or the error of the envelope it travelled in.
pub type Answers = HashMap<String, Result<BatchItemResponse, GraphError>>;

/// Sends idempotent `items` (reads, deletes; unique ids) and returns every answer by item id. Items still
/// throttled after the last round keep their 429 answer; items not sent because `cancel` was
/// set are missing. `progress(done, total)` is called after each batch.
pub async fn send_all(
    ctx: Ctx,
    items: Vec<BatchItem>,
    cancel: Option<RwSignal<bool>>,
    progress: impl Fn(usize, usize),
) -> Answers {
    let total = items.len();
    let mut answers = Answers::new();
    let mut pending = items;
    for round in 0..=MAX_THROTTLED_ROUNDS {
        let mut throttled = Vec::new();
        let mut wait_s = 0;
        for wave in pending.chunks(MAX_PER_BATCH * IN_FLIGHT) {
            if cancel.is_some_and(|c| c.get_untracked()) {
                return answers;
            }
            let sends = wave.chunks(MAX_PER_BATCH).map(|chunk| {
                let request = BatchRequest {
                    requests: chunk.to_vec(),
                };
                async move {
                    let answer = graph_call(ctx, move |c, t| {
                        let request = request.clone();
                        async move { api::batch_reads(&c, &t, &request).await }
                    })
                    .await;
                    (chunk, answer)
                }
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
        gloo_timers::future::sleep(Duration::from_secs(u64::from(wait_s))).await;
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
