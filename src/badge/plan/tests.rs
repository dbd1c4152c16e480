//! The badge dry run's verdicts: every reason a line is blocked, the policy's targets, a unit
//! scope, the reads per row and what their answers mean.

use super::*;
use crate::bulk::input::parse_list;
use crate::graph::api::{AdministrativeUnit, QrCode};
use crate::graph::models::{PolicyState, PolicyTarget};
use crate::scope::{Grant, PageScope, Role, Scope};
use crate::tap::targets::{TargetRole, TargetRoles};

const NOW: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z

fn user(id: &str, upn: &str) -> User {
    serde_json::from_value(serde_json::json!({
        "id": id, "displayName": id.to_uppercase(), "userPrincipalName": upn, "userType": "Member"
    }))
    .expect("user")
}

fn found(id: &str) -> Lookup {
    Lookup {
        user: Some(user(id, &format!("{id}@contoso.com"))),
        ..Lookup::default()
    }
}

fn policy(include: &str, exclude: Option<&str>, state: PolicyState) -> QrPolicy {
    let target = |id: &str| PolicyTarget {
        target_type: Some("group".into()),
        id: id.into(),
        is_registration_required: None,
    };
    QrPolicy {
        state,
        standard_qr_code_lifetime_in_days: Some(365),
        pin_length: Some(8),
        include_targets: vec![target(include)],
        exclude_targets: exclude.map(target).into_iter().collect(),
    }
}

fn ctx<'a>(policy: Option<&'a QrPolicy>, scope: &'a Known) -> Context<'a> {
    Context {
        policy,
        scope,
        admin_object_id: "admin",
        now_ms: NOW,
    }
}

fn unit(id: &str, restricted: bool) -> AdministrativeUnit {
    AdministrativeUnit {
        id: id.into(),
        display_name: Some(format!("{id} office")),
        is_member_management_restricted: Some(restricted),
    }
}

/// An Authentication Administrator scoped to unit `au-milan`.
fn scoped() -> Known {
    Known::Read {
        scope: PageScope::decide(vec![Grant {
            role: Role::Authentication,
            scope: Scope::parse(Some("/administrativeUnits/au-milan")).expect("scope"),
            active: true,
        }]),
        units: vec![unit("au-milan", false)],
    }
}

fn live_badge() -> QrCodePinMethod {
    QrCodePinMethod {
        id: Some("m".into()),
        standard_qr_code: Some(QrCode {
            id: None,
            start_date_time: None,
            expire_date_time: Some("2026-06-01T00:00:00Z".into()),
            image: None,
        }),
        temporary_qr_code: None,
        pin: None,
    }
}

#[test]
fn a_member_without_a_badge_is_ready() {
    let p = policy("all_users", None, PolicyState::Enabled);
    assert_eq!(
        verdict(
            &found("ana"),
            &BadgeRead::None,
            &ctx(Some(&p), &Known::Tenant)
        ),
        Ok(())
    );
    // An unread policy leaves it to Graph.
    assert_eq!(
        verdict(&found("ana"), &BadgeRead::None, &ctx(None, &Known::Tenant)),
        Ok(())
    );
}

#[test]
fn each_block_names_its_reason() {
    let on = policy("all_users", None, PolicyState::Enabled);
    let tenant = Known::Tenant;
    let c = ctx(Some(&on), &tenant);
    let blocked =
        |l: &Lookup, b: &BadgeRead, c: &Context<'_>| verdict(l, b, c).expect_err("blocked");

    assert!(blocked(&Lookup::default(), &BadgeRead::None, &c).contains("No user"));
    let mut admin = found("admin");
    admin.user.as_mut().expect("u").id = "ADMIN".into();
    assert!(blocked(&admin, &BadgeRead::None, &c).contains("your own account"));
    let mut boss = found("boss");
    boss.roles = TargetRoles(vec![TargetRole {
        template_id: Some("62e90394-69f5-4237-9190-012177145e10".into()),
        name: Some("Global Administrator".into()),
    }]);
    let why = blocked(&boss, &BadgeRead::None, &c);
    assert!(
        why.contains("Global Administrator") && why.contains("admin account"),
        "{why}"
    );
    let mut guest = found("guest");
    let g = guest.user.as_mut().expect("u");
    g.user_type = Some("Guest".into());
    g.user_principal_name = Some("guest_fabrikam.com#EXT#@contoso.com".into());
    assert!(blocked(&guest, &BadgeRead::None, &c).contains("guest"));
    let mut broken = found("ana");
    broken.lookup_error = Some(GraphError::from_body(500, "", None));
    assert!(!blocked(&broken, &BadgeRead::None, &c).is_empty());

    let why = blocked(&found("ana"), &BadgeRead::Some(live_badge()), &c);
    assert!(why.contains("already has a QR code badge"), "{why}");
    let unread = BadgeRead::Failed(GraphError::from_body(403, "", None));
    assert!(blocked(&found("ana"), &unread, &c).contains("could not be read"));
}

#[test]
fn an_expired_badge_does_not_block_a_new_one() {
    let mut old = live_badge();
    old.standard_qr_code
        .as_mut()
        .expect("code")
        .expire_date_time = Some("2025-06-01T00:00:00Z".into());
    assert_eq!(
        verdict(
            &found("ana"),
            &BadgeRead::Some(old),
            &ctx(None, &Known::Tenant)
        ),
        Ok(())
    );
}

#[test]
fn the_policy_state_and_targets_decide_before_graph_does() {
    let tenant = Known::Tenant;
    let off = policy("all_users", None, PolicyState::Disabled);
    assert_eq!(
        verdict(&found("ana"), &BadgeRead::None, &ctx(Some(&off), &tenant)),
        Err(messages::BADGE_POLICY_OFF.into())
    );
    let frontline = policy("g-front", Some("g-out"), PolicyState::Enabled);
    let c = ctx(Some(&frontline), &tenant);
    let outside = verdict(&found("ana"), &BadgeRead::None, &c).expect_err("not targeted");
    assert!(outside.contains("policy targets"), "{outside}");
    let mut inside = found("ana");
    inside.member_of = vec!["g-front".into()];
    assert_eq!(verdict(&inside, &BadgeRead::None, &c), Ok(()));
    inside.member_of.push("g-out".into());
    assert!(verdict(&inside, &BadgeRead::None, &c).is_err(), "excluded");
    // Membership not readable: Graph decides.
    let mut unknown = found("ana");
    unknown.coverage_unknown = true;
    assert_eq!(verdict(&unknown, &BadgeRead::None, &c), Ok(()));
    assert_eq!(
        groups_to_check(Some(&frontline)),
        vec!["g-front".to_string(), "g-out".into()]
    );
    assert!(groups_to_check(Some(&policy("all_users", None, PolicyState::Enabled))).is_empty());
}

#[test]
fn a_unit_scoped_admin_is_told_before_any_write() {
    let known = scoped();
    let c = ctx(None, &known);
    let mut inside = found("ana");
    inside.units = Some(vec![unit("au-milan", false)]);
    assert_eq!(verdict(&inside, &BadgeRead::None, &c), Ok(()));
    let mut outside = found("bob");
    outside.units = Some(vec![unit("au-berlin", false)]);
    let why = verdict(&outside, &BadgeRead::None, &c).expect_err("out of reach");
    assert!(why.contains("BOB"), "{why}");
    let mut restricted = found("eve");
    restricted.units = Some(vec![unit("au-milan", false), unit("au-exec", true)]);
    let why = verdict(&restricted, &BadgeRead::None, &c).expect_err("restricted");
    assert!(why.contains("restricted"), "{why}");
}

#[test]
fn reads_are_items_per_row_and_answers_mean_what_graph_says() {
    let parsed = parse_list("ana@contoso.com\nbob@contoso.com\n");
    let items = lookup_items(&parsed.rows, &[], false);
    assert_eq!(items.len(), 4, "user and roles per row");
    let items = lookup_items(&parsed.rows, &["g".into()], true);
    assert_eq!(items.len(), 8, "and groups and units");
    let ids: Vec<&str> = items.iter().map(|i| i.item.id.as_str()).collect();
    assert_eq!(ids, ["0u", "0r", "0g", "0a", "1u", "1r", "1g", "1a"]);
    let reads = badge_items(&parsed.rows);
    assert_eq!(reads[1].id.as_str(), "1b");
    assert!(
        reads[1].url.ends_with("/authentication/qrCodePinMethod"),
        "{}",
        reads[1].url
    );

    let answer = |status: u16, body: Option<serde_json::Value>| {
        Some(Ok(batch::BatchItemResponse {
            id: "0b".into(),
            status,
            headers: Default::default(),
            body,
        }))
    };
    assert_eq!(read_answer(answer(404, None).as_ref()), BadgeRead::None);
    let body = serde_json::json!({"id": "m", "standardQRCode": {"expireDateTime": "2026-06-01T00:00:00Z"}});
    assert!(matches!(
        read_answer(answer(200, Some(body)).as_ref()),
        BadgeRead::Some(_)
    ));
    assert!(matches!(
        read_answer(answer(403, None).as_ref()),
        BadgeRead::Failed(_)
    ));
    assert!(matches!(
        read_answer(answer(429, None).as_ref()),
        BadgeRead::Failed(_)
    ));
    assert!(
        matches!(read_answer(None), BadgeRead::Failed(_)),
        "no answer is no proof"
    );
}

#[test]
fn a_user_named_twice_gets_one_line_that_may_run() {
    let parsed = parse_list("ana@contoso.com\n7d4c2c0e-5a1e-4b8e-9f00-000000000001\n");
    let lookups = vec![found("ana"), found("ana")];
    let tenant = Known::Tenant;
    let out = lines(
        &parsed.rows,
        lookups,
        &[BadgeRead::None, BadgeRead::None],
        &ctx(None, &tenant),
    );
    assert_eq!(out[0].verdict, Ok(()));
    assert!(out[1]
        .verdict
        .as_ref()
        .expect_err("repeat")
        .contains("already listed"));
    assert_eq!((out[0].line, out[1].line), (1, 2));
    assert_eq!(out[0].upn(), "ana@contoso.com");
}
