//! Tests of "Check": the defaults, the membership checks, the lookups' answers and the preview.

use std::collections::BTreeMap;

use super::*;
use crate::bulk::input::{LocalStart, Row, RowProblem, Source};
use crate::bulk::lookup::LookupPart;
use crate::bulk::plan::Verdict;
use crate::graph::batch::{BatchItem, BatchItemResponse};
use crate::graph::models::{PolicyState, PolicyTarget};
use crate::graph::GraphError;
use crate::messages::Capability;
use crate::tap::FormBounds;

fn rows(n: usize) -> Parsed {
    Parsed {
        rows: (1..=n)
            .map(|line| Row {
                source: Source::Pasted,
                line,
                upn: format!("user{line}@contoso.com"),
                start: None,
                lifetime_minutes: None,
                one_time: None,
            })
            .collect(),
        ..Parsed::default()
    }
}

fn typed(later: bool, start_ms: Option<f64>, lifetime: &str) -> Typed {
    Typed {
        later,
        start_ms,
        lifetime: lifetime.into(),
        one_time: false,
    }
}

fn user(id: &str) -> User {
    User {
        id: id.into(),
        user_principal_name: None,
        user_type: Some("Member".into()),
        account_enabled: Some(true),
        ..User::default()
    }
}

#[test]
fn check_needs_a_line_and_a_default_start_ahead() {
    assert_eq!(
        prepare(Parsed::default(), &typed(false, None, ""), 0.0).map(|_| ()),
        Err("Paste user names, choose a CSV file or pick a group first.".into())
    );
    // A bad line alone is something to show.
    let only_bad = Parsed {
        problems: vec![RowProblem {
            source: Source::Csv,
            line: 2,
            reason: "x".into(),
        }],
        ..Parsed::default()
    };
    assert!(prepare(only_bad, &typed(false, None, ""), 0.0).is_ok());
    let late = "The default start time is missing or in the past.";
    assert_eq!(
        prepare(rows(1), &typed(true, None, ""), 0.0).map(|_| ()),
        Err(late.into())
    );
    assert_eq!(
        prepare(rows(1), &typed(true, Some(10.0), ""), 10.0).map(|_| ()),
        Err(late.into())
    );
    let (_, d) = prepare(rows(1), &typed(true, Some(11.0), " 90 "), 10.0).expect("ok");
    assert_eq!(
        d,
        Defaults {
            lifetime_minutes: Some(90),
            one_time: false,
            start_ms: Some(11.0)
        }
    );
    // "Start now" ignores the start field; an unreadable lifetime is the policy default.
    let (_, d) = prepare(rows(1), &typed(false, Some(1.0), "soon"), 10.0).expect("ok");
    assert_eq!((d.start_ms, d.lifetime_minutes), (None, None));
}

#[test]
fn group_members_are_named_by_upn_else_object_id() {
    let mut adele = user("u-adele");
    adele.user_principal_name = Some("adele@contoso.com".into());
    assert_eq!(
        group_names(&[adele, user("u-bob")]),
        ["adele@contoso.com", "u-bob"]
    );
}

#[test]
fn membership_is_checked_only_when_the_token_may_read_it() {
    let policy = TapPolicy {
        state: PolicyState::Enabled,
        default_lifetime_in_minutes: None,
        default_length: None,
        minimum_lifetime_in_minutes: None,
        maximum_lifetime_in_minutes: None,
        is_usable_once: None,
        include_targets: vec![PolicyTarget {
            target_type: Some("group".into()),
            id: "g-pilot".into(),
            is_registration_required: None,
        }],
        exclude_targets: vec![],
    };
    assert_eq!(
        membership(Some(&policy), |p| p == "GroupMember.Read.All"),
        Membership {
            groups: vec!["g-pilot".into()],
            coverage_unknown: false
        }
    );
    assert_eq!(
        membership(Some(&policy), |_| false),
        Membership {
            groups: vec![],
            coverage_unknown: true
        }
    );
    assert_eq!(membership(None, |_| false), Membership::default());
}

#[test]
fn a_waves_answers_fill_their_rows() {
    let item = |id: &str, row, part| DryRunItem {
        item: BatchItem {
            id: id.into(),
            method: "GET".into(),
            url: String::new(),
            headers: None,
            body: None,
        },
        row,
        part,
    };
    let wave = [
        item("0u", 0, LookupPart::User),
        item("1u", 1, LookupPart::User),
        item("2u", 2, LookupPart::User),
    ];
    let mut answers = Answers::new();
    answers.insert(
        "0u".into(),
        Ok(BatchItemResponse {
            id: "0u".into(),
            status: 200,
            headers: BTreeMap::new(),
            body: Some(serde_json::json!({"id": "u-0"})),
        }),
    );
    answers.insert("1u".into(), Err(GraphError::network("lost")));
    let mut lookups = vec![Lookup::default(); 3];
    apply_wave(&mut lookups, &wave, &answers);
    assert_eq!(lookups[0].user.as_ref().map(|u| u.id.as_str()), Some("u-0"));
    assert!(lookups[1].lookup_error.is_some() && lookups[1].user.is_none());
    assert!(lookups[2].user.is_none() && lookups[2].lookup_error.is_none());
}

#[test]
fn the_preview_keeps_one_line_per_user_and_reads_starts_in_their_zone() {
    let mut parsed = rows(4);
    parsed.rows[1].start = Some(LocalStart {
        date: "2027-01-01".into(),
        time: "09:00".into(),
        time_zone: Some("Asia/Tokyo".into()),
    });
    parsed.rows[3].start = Some(LocalStart {
        date: "2020-01-01".into(),
        time: "09:00".into(),
        time_zone: None,
    });
    let found = |id: &str| Lookup {
        user: Some(user(id)),
        ..Lookup::default()
    };
    // Rows 1 and 3 are the same user (found under one object id, cased differently).
    let lookups = vec![found("u-a"), found("u-b"), found("U-A"), found("u-d")];
    let bounds = FormBounds::new(None);
    let ctx = PlanContext {
        bounds: &bounds,
        policy: None,
        capability: Capability::Everyone,
        admin_object_id: "u-me",
        defaults: crate::bulk::plan::Defaults {
            lifetime_minutes: Some(60),
            one_time: true,
        },
        scope: None,
    };
    let seen = std::cell::RefCell::new(Vec::new());
    let to_utc = |date: &str, _: &str, zone: &str| {
        seen.borrow_mut().push(zone.to_owned());
        Some(if date.starts_with("2027") {
            2_000.0
        } else {
            500.0
        })
    };
    let clock = Clock {
        now_ms: 1_000.0,
        zone: "Europe/Berlin",
        to_utc: &to_utc,
    };
    let p = preview(parsed, lookups, &ctx, Some(1_500.0), &clock);
    let lines: Vec<usize> = p.items.iter().map(|i| i.row.line).collect();
    assert_eq!(lines, [1, 2, 4]);
    assert_eq!(
        p.problems.iter().map(|x| x.text(false)).collect::<Vec<_>>(),
        ["Line 3: Same user as line 1; only line 1 is used."]
    );
    assert_eq!(*seen.borrow(), ["Asia/Tokyo", "Europe/Berlin"]);
    // Row 1 takes the default start, row 2 its own (shown in its zone), row 4 is in the past.
    assert_eq!(
        p.items[0].body.start_date_time,
        Some(time::format_utc(1_500.0))
    );
    assert_eq!(p.items[0].body.lifetime_in_minutes, Some(60));
    assert_eq!(
        p.items[1].body.start_date_time,
        Some(time::format_utc(2_000.0))
    );
    assert_eq!(p.items[1].zone.as_deref(), Some("Asia/Tokyo"));
    assert_eq!(
        p.items[2].verdict,
        Verdict::Blocked("The start time is in the past.".into())
    );
    assert_eq!(p.items[2].body.start_date_time, None);
    assert!(!p.several);
}
