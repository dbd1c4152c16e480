//! Tests of the bulk screen's data: starting a run, what each envelope answer and listing does,
//! what the loop does between batches, and forgetting the values.

use std::collections::BTreeMap;

use super::*;
use crate::bulk::input::Source;
use crate::graph::batch::BatchItemResponse;
use crate::graph::models::User;

fn item(
    line: usize,
    upn: &str,
    user_id: Option<&str>,
    existing: Option<&str>,
    verdict: Verdict,
) -> Item {
    Item {
        row: Row {
            source: Source::Pasted,
            line,
            upn: upn.into(),
            start: None,
            lifetime_minutes: None,
            one_time: None,
        },
        lookup: Lookup {
            user: user_id.map(|id| User {
                id: id.into(),
                ..User::default()
            }),
            existing: existing.map(|id| pass(id, None)),
            ..Lookup::default()
        },
        verdict,
        zone: None,
        body: NewPass {
            is_usable_once: Some(true),
            ..NewPass::default()
        },
    }
}

fn pass(id: &str, value: Option<&str>) -> TemporaryAccessPass {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "temporaryAccessPass": value,
        "createdDateTime": "2026-01-02T03:04:05Z",
    }))
    .expect("a pass")
}

fn answer(id: usize, status: u16, body: Option<serde_json::Value>) -> BatchItemResponse {
    BatchItemResponse {
        id: id.into(),
        status,
        headers: BTreeMap::new(),
        body,
    }
}

fn created(id: usize) -> BatchItemResponse {
    answer(
        id,
        201,
        Some(serde_json::json!({"id": format!("new{id}"), "temporaryAccessPass": "Xy3!kQ9a"})),
    )
}

fn listed(id: usize, pass_id: Option<&str>) -> BatchItemResponse {
    let value: Vec<_> = pass_id
        .map(|p| serde_json::json!({"id": p}))
        .into_iter()
        .collect();
    answer(id, 200, Some(serde_json::json!({ "value": value })))
}

fn error(status: u16, retry_after: Option<u32>) -> GraphError {
    GraphError {
        status,
        retry_after,
        ..GraphError::default()
    }
}

/// Four rows: Adele (ready, has a pass), Bob (blocked), Cleo (admin), Dan (warned, not found by id).
fn data() -> Data {
    let mut d = Data::default();
    d.preview(crate::bulk::state::Preview {
        items: vec![
            item(
                1,
                "adele@contoso.com",
                Some("u-adele"),
                Some("old"),
                Verdict::Ready,
            ),
            item(
                2,
                "bob@contoso.com",
                None,
                None,
                Verdict::Blocked("No user.".into()),
            ),
            item(
                3,
                "cleo@contoso.com",
                Some("u-cleo"),
                None,
                Verdict::Confirm(vec![]),
            ),
            item(
                4,
                "dan@contoso.com",
                None,
                None,
                Verdict::Warn(vec!["w".into()]),
            ),
        ],
        problems: vec![],
        several: false,
    });
    d
}

fn state(d: &Data, job: usize) -> JobState {
    d.run.as_ref().expect("a run").state(job).clone()
}

#[test]
fn a_run_takes_every_row_not_blocked_and_admins_only_when_ticked() {
    let mut d = data();
    assert_eq!(d.counts().runnable(false), 2);
    assert_eq!(d.counts().runnable(true), 3);
    d.start(false, 5.0);
    assert_eq!(d.jobs, [0, 3]);
    assert_eq!(d.started_ms, 5.0);
    d.start(true, 6.0);
    assert_eq!(d.jobs, [0, 2, 3]);
    // Creates go to the object id the lookup found, else to the row's UPN; item id = job id.
    let items = d.create_items(&[0, 2]);
    let urls: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.id.as_str(), i.url.as_str()))
        .collect();
    assert_eq!(urls.len(), 2);
    assert_eq!(urls[0].0, "0");
    assert!(urls[0].1.contains("u-adele"), "{urls:?}");
    assert!(urls[1].1.contains("/users/dan%40contoso.com/"), "{urls:?}");
    // A new check drops the run.
    d.preview(crate::bulk::state::Preview::default());
    assert!(d.run.is_none() && d.jobs.is_empty());
}

#[test]
fn batches_wait_for_a_free_slot() {
    let mut d = data();
    d.start(true, 0.0);
    assert_eq!(d.take_batch(4, 4, 0.0), None, "four batches out of four");
    assert_eq!(d.take_batch(3, 4, 0.0), Some(vec![0, 1, 2]));
    assert_eq!(d.take_batch(0, 4, 0.0), None, "nothing left to send");
    assert_eq!(Data::default().take_batch(0, 4, 0.0), None, "no run");
}

#[test]
fn envelope_answers_throttle_pause_or_leave_the_outcome_unknown() {
    let mut d = data();
    d.start(true, 0.0);
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    // 429: nothing ran; sendable again after Retry-After.
    assert!(!d.record_answer(&jobs, Err(error(429, Some(7))), 1_000.0));
    assert_eq!(state(&d, 0), JobState::Throttled { until_ms: 8_000.0 });
    assert_eq!(d.take_batch(0, 4, 7_999.0), None);
    let jobs = d.take_batch(0, 4, 8_000.0).expect("again");
    // 429 without Retry-After: one second.
    assert!(!d.record_answer(&jobs, Err(error(429, None)), 0.0));
    assert_eq!(state(&d, 1), JobState::Throttled { until_ms: 1_000.0 });
    // 401: never sent; the run pauses for the admin.
    let jobs = d.take_batch(0, 4, 1_000.0).expect("again");
    assert!(d.record_answer(&jobs, Err(error(401, None)), 2_000.0));
    assert_eq!(state(&d, 2), JobState::Throttled { until_ms: 2_000.0 });
    // Anything else: the envelope may have run.
    let jobs = d.take_batch(0, 4, 2_000.0).expect("again");
    assert!(!d.record_answer(&jobs, Err(error(502, None)), 3_000.0));
    assert_eq!(state(&d, 0), JobState::Ambiguous);
    assert_eq!(
        d.ambiguous_targets(),
        [
            (0, "u-adele".to_owned()),
            (1, "u-cleo".to_owned()),
            (2, "dan@contoso.com".to_owned())
        ]
    );
}

#[test]
fn item_answers_are_recorded_by_job_id() {
    let mut d = data();
    d.start(true, 0.0);
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    let resp = BatchResponse {
        responses: vec![
            created(2),
            answer(0, 503, None),
            answer(1, 403, None),
            answer(9, 201, None),
        ],
    };
    assert!(!d.record_answer(&jobs, Ok(resp), 0.0));
    assert!(matches!(state(&d, 2), JobState::Created(_)));
    assert_eq!(state(&d, 0), JobState::Ambiguous);
    assert!(matches!(state(&d, 1), JobState::Failed(_)));
    assert_eq!(d.kept().held, 1);
}

#[test]
fn listings_settle_lost_creates_by_the_one_rule() {
    let mut d = data();
    d.start(true, 0.0);
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    d.record_answer(&jobs, Err(error(0, None)), 0.0);
    assert_eq!(d.between(0), Between::Resolve);
    assert_eq!(d.between(1), Between::Wait, "a batch is still out");
    d.record_listing(&BatchResponse {
        responses: vec![
            // Adele had "old" before the run: still "old", so nothing was created.
            listed(0, Some("old")),
            // Cleo had none and now has one: it was created, its value is lost.
            listed(1, Some("new")),
            // Dan's passes cannot be read: never sent again.
            answer(2, 403, None),
        ],
    });
    assert_eq!(
        state(&d, 0),
        JobState::Pending,
        "proved not created: sent again"
    );
    assert_eq!(state(&d, 1), JobState::CreatedUnseen { created: None });
    assert!(
        matches!(state(&d, 2), JobState::Failed(e) if e.code == crate::bulk::batch::UNRESOLVED_CODE)
    );
    assert_eq!(
        d.between(0),
        Between::Wait,
        "Adele's create waits to be sent"
    );
    let again = d.take_batch(0, 4, 0.0).expect("Adele again");
    assert_eq!(again, [0]);
    d.record_answer(&again, Err(error(0, None)), 0.0);
    // A user who no longer exists has no pass: not created.
    d.record_listing(&BatchResponse {
        responses: vec![answer(0, 404, None)],
    });
    assert_eq!(state(&d, 0), JobState::Pending);
    let again = d.take_batch(0, 4, 0.0).expect("Adele once more");
    d.record_answer(
        &again,
        Ok(BatchResponse {
            responses: vec![created(0)],
        }),
        0.0,
    );
    assert_eq!(d.between(0), Between::Finish);
    assert_eq!(
        d.created_users(),
        ["u-adele", "u-cleo"],
        "unseen passes are followed too"
    );
}

#[test]
fn values_are_forgotten_on_time_or_when_asked() {
    let mut d = data();
    d.start(false, 0.0);
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    d.record_answer(
        &jobs,
        Ok(BatchResponse {
            responses: vec![created(0), created(1)],
        }),
        0.0,
    );
    assert!(!d.forget_due(10_000.0, 900), "results not shown yet");
    d.results_at_ms = Some(1_000.0);
    assert!(!d.forget_due(900_999.0, 900));
    assert!(d.forget_due(901_000.0, 900));
    assert_eq!(d.forget(true), 2);
    assert_eq!(d.kept().held, 0);
    assert!(d
        .forgotten
        .as_deref()
        .is_some_and(|f| f.contains("(2 removed)")));
    assert!(!d.forget_due(2_000_000.0, 900), "nothing left to forget");
    assert_eq!(d.forget(false), 0);
    assert!(
        d.forgotten
            .as_deref()
            .is_some_and(|f| f.contains("as long as a single pass")),
        "an empty forget keeps the notice"
    );
}

#[test]
fn an_unticked_warning_row_is_not_run_and_the_counts_follow() {
    let mut d = data();
    assert_eq!(d.runnable(false), 2);
    assert_eq!(d.runnable(true), 3);
    d.set_ticked(3, false);
    assert!(!d.runs(3, true), "Dan (warned) was unticked");
    assert_eq!(d.runnable(false), 1);
    assert_eq!(d.runnable(true), 2);
    // Only warning rows can be unticked: a ready row or an admin row stays as it is.
    d.set_ticked(0, false);
    d.set_ticked(2, false);
    assert!(d.runs(0, false) && d.runs(2, true));
    assert_eq!(d.unticked.len(), 1);
    d.start(true, 0.0);
    assert_eq!(d.jobs, [0, 2], "the unticked row has no job");
    d.set_ticked(3, true);
    assert_eq!(d.runnable(true), 3, "ticked again, it runs again");
    d.set_ticked(3, false);
    // A new check ticks every row again.
    d.preview(crate::bulk::state::Preview::default());
    assert!(d.unticked.is_empty());
}

#[test]
fn the_summary_counts_what_runs_and_what_is_skipped() {
    let mut d = data();
    d.default_minutes = Some(60);
    let in_zone = |ms: f64, _: Option<&str>| format!("{ms}");
    let words = crate::bulk::summary::StartWords {
        zone: "Europe/Berlin",
        in_zone: &in_zone,
    };
    assert_eq!(
        d.summary(false, &words),
        "Creates 2 passes · start now · lifetime 1 hour · one-time · 1 blocked row skipped · 1 admin account waiting for your tick"
    );
    d.set_ticked(3, false);
    assert_eq!(
        d.summary(true, &words),
        "Creates 2 passes · start now · lifetime 1 hour · one-time · 1 blocked row skipped · 1 unticked row skipped"
    );
    assert_eq!(d.users_found(), 2, "Adele and Cleo were found");
}

#[test]
fn the_end_of_a_run_is_announced_in_words() {
    let mut d = data();
    assert_eq!(d.run_ended(), "0 passes created, 0 failed");
    d.start(false, 0.0);
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    d.record_answer(
        &jobs,
        Ok(crate::graph::batch::BatchResponse {
            responses: vec![created(0), answer(1, 400, None)],
        }),
        0.0,
    );
    assert_eq!(d.run_ended(), "1 pass created, 1 failed");
}

#[test]
fn the_loop_sleeps_until_the_first_retry_is_due_when_a_slot_is_free() {
    let mut d = data();
    assert_eq!(
        d.idle_wait_ms(0, 4, 0.0, 100.0),
        100.0,
        "no run: the idle tick"
    );
    d.start(true, 0.0);
    assert_eq!(d.idle_wait_ms(0, 4, 0.0, 100.0), 100.0, "nothing throttled");
    let jobs = d.take_batch(0, 4, 0.0).expect("a batch");
    assert!(!d.record_answer(&jobs, Err(error(429, Some(1))), 1_000.0));
    // Due at 2,000 ms: asleep until then (and a millisecond), never past the idle tick.
    assert_eq!(d.idle_wait_ms(0, 4, 1_950.0, 100.0), 51.0);
    assert_eq!(d.idle_wait_ms(0, 4, 1_000.0, 100.0), 101.0);
    assert_eq!(
        d.idle_wait_ms(0, 4, 2_500.0, 100.0),
        1.0,
        "overdue: at once"
    );
    // Every slot taken: the due job cannot go anyway, so only an answer (or the tick) wakes.
    assert_eq!(d.idle_wait_ms(4, 4, 1_950.0, 100.0), 100.0);
    // Never before Retry-After: a wake a hair early still finds nothing to send.
    assert_eq!(d.take_batch(0, 4, 1_999.5), None);
    assert!(d.take_batch(0, 4, 2_000.0).is_some());
}
