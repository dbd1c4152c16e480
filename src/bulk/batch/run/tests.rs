//! Tests of the run scheduler, ending with the never-blind-resend invariant under a simulated,
//! misbehaving Graph.

use super::*;
use std::collections::BTreeMap;

fn answer(
    status: u16,
    headers: &[(&str, &str)],
    body: Option<serde_json::Value>,
) -> BatchItemResponse {
    BatchItemResponse {
        id: Default::default(),
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        body,
    }
}

fn created(id: &str) -> BatchItemResponse {
    answer(
        201,
        &[],
        Some(
            serde_json::json!({"id": id, "temporaryAccessPass": "Xy3!kQ9a", "createdDateTime": "2025-06-01T07:00:00.1234567Z"}),
        ),
    )
}

fn pass(id: &str) -> TemporaryAccessPass {
    serde_json::from_value(serde_json::json!({"id": id, "createdDateTime": "2025-06-01T07:00:00Z"}))
        .unwrap()
}

#[test]
fn batches_hold_at_most_twenty_and_none_when_nothing_is_sendable() {
    let mut run = Run::new(45, vec![]);
    let sizes: Vec<usize> = std::iter::from_fn(|| run.next_batch(0.0))
        .map(|b| b.len())
        .collect();
    assert_eq!(sizes, vec![20, 20, 5]);
    assert_eq!(run.progress().in_flight, 45);
    assert_eq!(run.next_batch(0.0), None);
    assert!(Run::new(0, vec![]).is_finished());
    assert_eq!(Run::new(0, vec![]).next_batch(0.0), None);
}

#[test]
fn item_answers_settle_jobs() {
    let mut run = Run::new(4, vec![None; 4]);
    assert_eq!(run.next_batch(0.0), Some(vec![0, 1, 2, 3]));
    run.record_item(0, &created("p0"), 10.0);
    run.record_item(1, &answer(400, &[], Some(serde_json::json!({"error":{"code":"badRequest","message":"Temporary Access Pass cannot be added to an external guest user."}}))), 10.0);
    run.record_item(2, &answer(503, &[], None), 10.0);
    run.record_item(
        3,
        &answer(201, &[], Some(serde_json::json!("garbage"))),
        10.0,
    );
    match run.state(0) {
        JobState::Created(p) => assert_eq!(
            p.temporary_access_pass.as_ref().map(|s| s.expose()),
            Some("Xy3!kQ9a")
        ),
        s => panic!("{s:?}"),
    }
    match run.state(1) {
        JobState::Failed(e) => assert!(failure_sentence(e).starts_with("Guests")),
        s => panic!("{s:?}"),
    }
    assert_eq!(run.state(2), &JobState::Ambiguous);
    assert_eq!(run.state(3), &JobState::CreatedUnseen { created: None });
    // A second answer for a settled job changes nothing.
    run.record_item(0, &answer(500, &[], None), 11.0);
    assert!(matches!(run.state(0), JobState::Created(_)));
    assert_eq!(run.ambiguous(), vec![2]);
    assert!(!run.is_finished());
    assert_eq!(run.state(99), &JobState::Cancelled);
}

#[test]
fn a_throttled_item_waits_its_own_retry_after() {
    let mut run = Run::new(3, vec![]);
    run.next_batch(1_000.0);
    run.record_item(0, &answer(429, &[("retry-after", "5")], None), 1_000.0);
    run.record_item(1, &answer(429, &[], None), 1_000.0);
    run.record_item(2, &created("p2"), 1_000.0);
    assert_eq!(run.state(0), &JobState::Throttled { until_ms: 6_000.0 });
    assert_eq!(
        run.state(1),
        &JobState::Throttled { until_ms: 2_000.0 },
        "1 s backoff without Retry-After"
    );
    assert_eq!(run.next_wake_ms(), Some(2_000.0));
    assert_eq!(run.next_batch(1_999.0), None);
    assert_eq!(run.next_batch(2_000.0), Some(vec![1]));
    run.record_item(1, &answer(429, &[], None), 2_000.0);
    assert_eq!(
        run.state(1),
        &JobState::Throttled { until_ms: 4_000.0 },
        "doubled"
    );
    assert_eq!(run.next_batch(5_999.0), Some(vec![1]));
    assert_eq!(
        run.next_batch(5_999.0),
        None,
        "job 0 not before its Retry-After"
    );
    assert_eq!(run.next_batch(6_000.0), Some(vec![0]));
}

#[test]
fn an_envelope_429_is_throttled_and_a_lost_envelope_is_ambiguous() {
    let mut run = Run::new(25, vec![]);
    let first = run.next_batch(0.0).unwrap();
    let second = run.next_batch(0.0).unwrap();
    run.record_envelope_throttled(&first, 30_000.0);
    run.record_lost(&second);
    let p = run.progress();
    assert_eq!(
        (p.throttled, p.ambiguous, p.remaining, p.total),
        (20, 5, 25, 25)
    );
    assert_eq!(
        run.next_batch(29_999.0),
        None,
        "neither throttled nor ambiguous jobs are sendable"
    );
    assert_eq!(run.ambiguous(), (20..25).collect::<Vec<_>>());
    assert_eq!(run.next_batch(30_000.0).map(|b| b.len()), Some(20));
}

#[test]
fn resolution_both_ways_and_bounded_resends() {
    let mut run = Run::new(3, vec![Some("old0".into()), None, Some("old2".into())]);
    let all = run.next_batch(0.0).unwrap();
    run.record_lost(&all);
    run.resolve(0, Some(&pass("new0")));
    run.resolve(1, None);
    run.resolve(2, Some(&pass("old2")));
    assert_eq!(
        run.state(0),
        &JobState::CreatedUnseen {
            created: Some("2025-06-01T07:00:00Z".into())
        }
    );
    assert_eq!(
        (run.state(1), run.state(2)),
        (&JobState::Pending, &JobState::Pending)
    );
    // Resolving a job that is not ambiguous does nothing.
    run.resolve(1, Some(&pass("x")));
    assert_eq!(run.state(1), &JobState::Pending);
    for round in 1..=MAX_RESENDS {
        assert_eq!(run.next_batch(0.0), Some(vec![1, 2]), "re-send {round}");
        run.record_item(1, &answer(504, &[], None), 0.0);
        run.record_lost(&[2]);
        run.resolve(1, None);
        run.resolve(2, Some(&pass("old2")));
    }
    for job in [1, 2] {
        match run.state(job) {
            JobState::Failed(e) => {
                assert_eq!(e.code, UNRESOLVED_CODE);
                assert!(failure_sentence(e).contains("lost 3 times"), "{e:?}");
            }
            s => panic!("{s:?}"),
        }
    }
    assert!(run.is_finished());
    assert_eq!(run.progress().failed, 3);
    assert_eq!(run.progress().unseen, 1);
}

#[test]
fn pause_and_cancel() {
    let mut run = Run::new(30, vec![]);
    let first = run.next_batch(0.0).unwrap();
    run.pause();
    assert!(run.is_paused());
    assert_eq!(run.next_batch(0.0), None);
    run.resume();
    let second = run.next_batch(0.0).unwrap();
    assert_eq!(second.len(), 10);
    run.record_item(first[0], &answer(429, &[("Retry-After", "1")], None), 0.0);
    run.record_lost(&[first[1]]);
    run.cancel();
    assert_eq!(
        run.state(first[0]),
        &JobState::Cancelled,
        "throttled → cancelled"
    );
    assert_eq!(
        run.state(first[2]),
        &JobState::InFlight,
        "in flight finishes"
    );
    run.record_item(first[2], &created("p"), 1.0);
    run.record_item(first[3], &answer(429, &[], None), 1.0);
    run.record_envelope_throttled(&second, 5.0);
    assert!(matches!(run.state(first[2]), JobState::Created(_)));
    assert_eq!(run.state(first[3]), &JobState::Cancelled);
    assert_eq!(run.state(second[0]), &JobState::Cancelled);
    run.resolve(first[1], None);
    assert_eq!(
        run.state(first[1]),
        &JobState::Cancelled,
        "never re-sent after cancel"
    );
    for &j in &first[4..] {
        run.record_item(j, &created("p"), 2.0);
    }
    assert!(run.is_finished());
    assert_eq!(run.next_batch(10.0), None);
    let p = run.progress();
    assert_eq!((p.done, p.cancelled, p.remaining), (17, 13, 0));
}

#[test]
fn progress_and_eta() {
    let mut run = Run::new(10, vec![]);
    assert_eq!(run.eta_ms(0.0, 0.0), None);
    let b = run.next_batch(0.0).unwrap();
    for &j in &b[..4] {
        run.record_item(j, &created("p"), 0.0);
    }
    run.record_item(b[4], &answer(403, &[], None), 0.0);
    // 5 settled in 10 s: 2 s each, 5 left.
    assert_eq!(run.eta_ms(0.0, 10_000.0), Some(10_000.0));
    run.record_item(b[5], &answer(429, &[("Retry-After", "60")], None), 10_000.0);
    assert_eq!(
        run.eta_ms(0.0, 10_000.0),
        Some(60_000.0),
        "at least the Retry-After"
    );
    let p = run.progress();
    assert_eq!(
        (
            p.done,
            p.failed,
            p.in_flight,
            p.throttled,
            p.remaining,
            p.total
        ),
        (4, 1, 4, 1, 5, 10)
    );
}

/// A simulated Graph that runs or drops creates at random (deterministic LCG), answers 201,
/// 429, 4xx or 5xx per item, loses whole envelopes after running some of their items, and
/// throttles envelopes. Checks: no job is POSTed again once one of its POSTs ran, and every
/// job whose create ran ends `Created` or `CreatedUnseen`.
#[test]
fn never_resends_a_create_that_may_have_run() {
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }
    for seed in 0..40u64 {
        let mut rng = Lcg(seed);
        let n = 1 + rng.next(70) as usize;
        let previous: Vec<Option<String>> = (0..n)
            .map(|j| (j % 3 == 0).then(|| format!("old{j}")))
            .collect();
        let mut server: Vec<Option<String>> = previous.clone();
        let mut ran = vec![0u32; n];
        let mut posts = vec![0u32; n];
        let mut run = Run::new(n, previous);
        let mut now = 0.0;
        let mut next_id = 0;
        let mut steps = 0;
        while !run.is_finished() {
            steps += 1;
            assert!(steps < 10_000, "seed {seed}: the run does not end");
            if rng.next(10) == 0 && !run.ambiguous().is_empty() {
                for job in run.ambiguous() {
                    let current = server[job].as_deref().map(pass);
                    run.resolve(job, current.as_ref());
                }
                continue;
            }
            let Some(batch) = run.next_batch(now) else {
                if !run.ambiguous().is_empty() {
                    for job in run.ambiguous() {
                        let current = server[job].as_deref().map(pass);
                        run.resolve(job, current.as_ref());
                    }
                } else {
                    now = run.next_wake_ms().unwrap_or(now).max(now) + 1.0;
                }
                continue;
            };
            assert!(batch.len() <= MAX_PER_BATCH);
            match rng.next(8) {
                0 => run.record_envelope_throttled(&batch, now + 100.0),
                1 => {
                    for &job in &batch {
                        posts[job] += 1;
                        assert_eq!(
                            ran[job], 0,
                            "seed {seed}: job {job} POSTed again after a POST that ran"
                        );
                        if rng.next(2) == 0 {
                            ran[job] += 1;
                            next_id += 1;
                            server[job] = Some(format!("new{next_id}"));
                        }
                    }
                    run.record_lost(&batch);
                }
                _ => {
                    for &job in &batch {
                        posts[job] += 1;
                        assert_eq!(
                            ran[job], 0,
                            "seed {seed}: job {job} POSTed again after a POST that ran"
                        );
                        let resp = match rng.next(10) {
                            0 | 1 => answer(429, &[("Retry-After", "1")], None),
                            2 => answer(403, &[], None),
                            3 => answer(503, &[], None),
                            4 => {
                                ran[job] += 1;
                                next_id += 1;
                                server[job] = Some(format!("new{next_id}"));
                                answer(500, &[], None)
                            }
                            _ => {
                                ran[job] += 1;
                                next_id += 1;
                                server[job] = Some(format!("new{next_id}"));
                                created(&format!("new{next_id}"))
                            }
                        };
                        run.record_item(job, &resp, now);
                    }
                }
            }
            now += 10.0 * rng.next(50) as f64;
        }
        for (job, &times) in ran.iter().enumerate() {
            let state = run.state(job);
            if times > 0 {
                assert!(
                    matches!(state, JobState::Created(_) | JobState::CreatedUnseen { .. }),
                    "seed {seed}: job {job} ran but is {state:?}"
                );
            } else {
                assert!(
                    !matches!(state, JobState::Created(_) | JobState::CreatedUnseen { .. }),
                    "seed {seed}: job {job} never ran but is {state:?}"
                );
            }
        }
    }
}

#[test]
fn an_unreadable_pass_list_fails_the_job_without_resending() {
    let mut run = Run::new(1, vec![None]);
    let batch = run.next_batch(0.0).unwrap();
    run.record_lost(&batch);
    run.unresolvable(
        0,
        GraphError {
            status: 403,
            ..GraphError::default()
        },
    );
    assert!(matches!(run.state(0), JobState::Failed(e) if e.message.contains("could not be read")));
    assert_eq!(run.next_batch(1.0), None, "never sent again");
    assert!(run.is_finished());
}

#[test]
fn forgetting_drops_every_value_and_keeps_the_outcomes() {
    let mut run = Run::new(3, vec![None; 3]);
    assert_eq!(run.next_batch(0.0), Some(vec![0, 1, 2]));
    run.record_item(0, &created("p0"), 10.0);
    run.record_item(1, &created("p1"), 10.0);
    run.record_item(2, &answer(403, &[], None), 10.0);
    assert_eq!(run.values_held(), 2);
    assert_eq!(run.forget_values(), 2);
    assert_eq!(run.values_held(), 0);
    for j in 0..2 {
        match run.state(j) {
            JobState::Created(p) => {
                assert_eq!(
                    p.temporary_access_pass, None,
                    "job {j} still holds its value"
                );
                assert_eq!(p.id, format!("p{j}"));
            }
            s => panic!("{s:?}"),
        }
    }
    assert_eq!(run.progress().done, 2, "the outcomes stay");
    assert_eq!(run.forget_values(), 0);
}
