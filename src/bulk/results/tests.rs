//! Tests of the result lines and the CSV export.

use std::collections::BTreeMap;

use super::*;
use crate::bulk::input::{Row, Source};
use crate::bulk::plan::{Lookup, Verdict};
use crate::bulk::state::Item;
use crate::bulk::state::Preview;
use crate::graph::batch::{BatchItemResponse, BatchResponse};
use crate::graph::models::{NewPass, User};
use crate::graph::GraphError;

fn item(line: usize, zone: Option<&str>) -> Item {
    Item {
        row: Row {
            source: Source::Csv,
            line,
            upn: format!("user{line}@contoso.com"),
            start: None,
            lifetime_minutes: None,
            one_time: None,
        },
        lookup: Lookup {
            user: Some(User {
                id: format!("u-{line}"),
                display_name: Some(format!("User {line}")),
                ..User::default()
            }),
            ..Lookup::default()
        },
        verdict: Verdict::Ready,
        zone: zone.map(Into::into),
        body: NewPass::default(),
    }
}

fn answer(id: usize, status: u16, body: serde_json::Value) -> BatchItemResponse {
    BatchItemResponse {
        id: id.into(),
        status,
        headers: BTreeMap::new(),
        body: Some(body),
    }
}

/// Five jobs: created (row zone), created (browser zone), refused, lost then found created,
/// and one throttled, then cancelled before it was sent again.
fn finished() -> Data {
    let mut d = Data::default();
    d.preview(Preview {
        items: (1..=5)
            .map(|n| item(n, (n == 1).then_some("Asia/Tokyo")))
            .collect(),
        ..Preview::default()
    });
    d.start(false, 0.0);
    let run = d.run.as_mut().expect("a run");
    let first = run.next_batch(0.0).expect("a batch");
    let created = |id: usize| {
        answer(
            id,
            201,
            serde_json::json!({"id": format!("p{id}"), "temporaryAccessPass": "Xy3!kQ9a",
                "startDateTime": "2026-01-01T00:00:00Z", "lifetimeInMinutes": 60}),
        )
    };
    let refused = answer(
        2,
        400,
        serde_json::json!({"error": {"code": "badRequest", "message": "no"}}),
    );
    let lost = answer(3, 503, serde_json::json!({}));
    d.record_answer(
        &first,
        Ok(BatchResponse {
            responses: vec![created(0), created(1), refused, lost],
        }),
        0.0,
    );
    d.record_listing(&BatchResponse {
        responses: vec![answer(
            3,
            200,
            serde_json::json!({"value": [{"id": "x", "createdDateTime": "2026-01-01T00:00:00Z"}]}),
        )],
    });
    // Job 4 was throttled, then the run was cancelled: it was never sent.
    let throttled = GraphError {
        status: 429,
        ..GraphError::default()
    };
    d.record_answer(&[4], Err(throttled), 0.0);
    d.run.as_mut().expect("a run").cancel();
    d
}

fn lines_of(d: &Data) -> Vec<Line> {
    let in_zone = |ms: f64, zone: Option<&str>| format!("{ms}@{}", zone.unwrap_or("here"));
    let local = |ms: f64| format!("local {ms}");
    let offset = |_: f64, zone: Option<&str>| if zone == Some("Asia/Tokyo") { 540 } else { 60 };
    lines(
        d,
        &Times {
            zone: "Europe/Berlin",
            in_zone: &in_zone,
            local: &local,
            offset_minutes: &offset,
        },
    )
}

#[test]
fn every_job_is_a_line_with_its_times_zone_and_outcome() {
    let d = finished();
    let l = lines_of(&d);
    assert_eq!(l.iter().map(|l| l.job).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(l[0].pass.as_deref(), Some("Xy3!kQ9a"));
    assert_eq!(l[0].from, "1767225600000@Asia/Tokyo");
    assert_eq!(l[0].until, "1767229200000@Asia/Tokyo");
    assert_eq!(
        (l[0].name.as_str(), l[0].upn.as_str()),
        ("User 1", "user1@contoso.com")
    );
    assert_eq!(l[1].from, "1767225600000@here");
    assert_eq!(l[0].from_iso, "2026-01-01T09:00:00+09:00");
    assert_eq!(l[0].until_iso, "2026-01-01T10:00:00+09:00");
    assert_eq!(l[1].from_iso, "2026-01-01T01:00:00+01:00");
    assert!(l[0].ok && !l[0].removed && l[0].outcome == "Created");
    assert!(!l[2].ok && l[2].pass.is_none() && l[2].from.is_empty());
    assert_eq!(
        l[2].outcome,
        crate::messages::graph(
            &GraphError {
                status: 400,
                code: "badRequest".into(),
                message: "no".into(),
                ..GraphError::default()
            },
            crate::messages::Operation::CreatePass
        )
    );
    assert_eq!(
        l[3].outcome,
        "A pass was created at local 1767225600000 but its value was lost: create a new one for this user."
    );
    assert!(!l[3].ok);
    assert_eq!(l[4].outcome, "Cancelled: nothing was sent.");
    assert!(lines_of(&Data::default()).is_empty(), "no run, no lines");
}

#[test]
fn a_forgotten_value_is_a_removed_line_that_keeps_its_outcome() {
    let mut d = finished();
    d.forget(false);
    let l = lines_of(&d);
    assert!(l[0].removed && l[0].pass.is_none() && l[0].ok);
    assert_eq!(l[0].outcome, "Created");
    assert!(!l[2].removed, "a failure was never a value");
    assert!(!csv(&l).contains("Xy3!kQ9a"));
}

#[test]
fn export_neutralises_cells_and_keeps_the_pass_readable() {
    let l = Line {
        job: 0,
        name: "=cmd".into(),
        upn: "a@b".into(),
        pass: Some("+Xy3!kQ9".into()),
        from: "x".into(),
        until: "y".into(),
        outcome: "Created".into(),
        ok: true,
        from_iso: "2027-03-01T09:00:00+01:00".into(),
        until_iso: "2027-03-01T10:00:00+01:00".into(),
        removed: false,
    };
    let text = csv(&[l]);
    assert!(text.starts_with("name,upn,temporaryAccessPass"));
    assert!(text.contains("'=cmd,a@b,\"=\"\"+Xy3!kQ9\"\"\""), "{text}");
    assert!(
        text.contains(",2027-03-01T09:00:00+01:00,2027-03-01T10:00:00+01:00,Created"),
        "the export's dates are ISO 8601 with offset: {text}"
    );
}

#[test]
fn iso_dates_carry_their_offset() {
    assert_eq!(iso(1_803_888_000_000.0, 60), "2027-03-01T09:00:00+01:00");
    assert_eq!(iso(1_803_888_000_000.0, 0), "2027-03-01T08:00:00Z");
    assert_eq!(iso(1_803_888_000_000.0, -300), "2027-03-01T03:00:00-05:00");
    assert_eq!(iso(1_803_888_000_000.0, 330), "2027-03-01T13:30:00+05:30");
}

/// The browser is asked once per minute and zone, whatever the number of passes, and every
/// line reads as if asked for its own instant (the words and the offset stop at minutes).
#[test]
fn times_are_asked_once_per_minute_and_zone() {
    let mut d = Data::default();
    d.preview(Preview {
        items: (1..=60)
            .map(|n| item(n, (n % 2 == 0).then_some("Asia/Tokyo")))
            .collect(),
        ..Preview::default()
    });
    d.start(false, 0.0);
    let run = d.run.as_mut().expect("a run");
    let mut jobs = Vec::new();
    while let Some(b) = run.next_batch(0.0) {
        jobs.push(b);
    }
    for batch in jobs {
        // Passes start a second apart across two minutes, 9:59:30 to 10:00:29.
        let responses = batch
            .iter()
            .map(|&j| {
                let start = format!(
                    "2026-01-01T09:{:02}:{:02}Z",
                    59 + (30 + j) / 60,
                    (30 + j) % 60
                );
                let start = start.replace("09:60", "10:00");
                answer(
                    j,
                    201,
                    serde_json::json!({"id": format!("p{j}"), "temporaryAccessPass": "Xy3!kQ9a",
                    "startDateTime": start, "lifetimeInMinutes": 60}),
                )
            })
            .collect();
        d.record_answer(&batch, Ok(BatchResponse { responses }), 0.0);
    }
    let asked = std::cell::Cell::new(0);
    let in_zone = |ms: f64, zone: Option<&str>| {
        asked.set(asked.get() + 1);
        // Minute resolution, like the browser's words.
        format!("{}@{}", (ms / 60_000.0).floor(), zone.unwrap_or("here"))
    };
    let offsets = std::cell::Cell::new(0);
    let offset = |_: f64, zone: Option<&str>| {
        offsets.set(offsets.get() + 1);
        if zone == Some("Asia/Tokyo") {
            540
        } else {
            60
        }
    };
    let local = |ms: f64| format!("local {ms}");
    let times = Times {
        zone: "Europe/Berlin",
        in_zone: &in_zone,
        local: &local,
        offset_minutes: &offset,
    };
    let l = lines(&d, &times);
    assert_eq!(l.len(), 60);
    // Two start minutes and two end minutes, in two zones: eight questions, not 120.
    assert_eq!(asked.get(), 8);
    assert_eq!(offsets.get(), 8);
    let at = |s: &str| crate::graph::time::parse_ms(s).expect("a time");
    for line in &l {
        let j = line.job;
        let start = at("2026-01-01T09:59:30Z") + j as f64 * 1000.0;
        let zone = if (j + 1) % 2 == 0 {
            "Asia/Tokyo"
        } else {
            "here"
        };
        assert_eq!(
            line.from,
            format!("{}@{zone}", (start / 60_000.0).floor()),
            "job {j}"
        );
        assert_eq!(
            line.until,
            format!("{}@{zone}", (start / 60_000.0).floor() + 60.0),
            "job {j}"
        );
        let off = if zone == "here" { 60 } else { 540 };
        assert_eq!(
            line.from_iso,
            iso(start, off),
            "seconds kept in the export, job {j}"
        );
    }
}
