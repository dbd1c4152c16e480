//! Tests of the dry-run verdicts and the create body.

use super::*;
use crate::bulk::input::LocalStart;
use crate::graph::models::PolicyTarget;

fn policy(once: bool, state: PolicyState, include: &[&str], exclude: &[&str]) -> TapPolicy {
    let t = |ids: &[&str]| {
        ids.iter()
            .map(|id| PolicyTarget {
                target_type: Some("group".into()),
                id: (*id).into(),
                is_registration_required: None,
            })
            .collect()
    };
    TapPolicy {
        state,
        default_lifetime_in_minutes: Some(60),
        default_length: Some(8),
        minimum_lifetime_in_minutes: Some(60),
        maximum_lifetime_in_minutes: Some(480),
        is_usable_once: Some(once),
        include_targets: t(include),
        exclude_targets: t(exclude),
    }
}

fn row(lifetime: Option<u32>, one_time: Option<bool>) -> Row {
    Row {
        source: crate::bulk::input::Source::Csv,
        line: 2,
        upn: "adele@contoso.com".into(),
        start: None,
        lifetime_minutes: lifetime,
        one_time,
    }
}

fn found() -> Lookup {
    Lookup {
        user: Some(User {
            id: "u-adele".into(),
            display_name: Some("Adele Vance".into()),
            account_enabled: Some(true),
            user_type: Some("Member".into()),
            ..User::default()
        }),
        ..Lookup::default()
    }
}

fn check(p: &TapPolicy, capability: Capability, r: &Row, l: &Lookup) -> Verdict {
    let bounds = FormBounds::new(Some(p));
    let ctx = PlanContext {
        bounds: &bounds,
        policy: Some(p),
        capability,
        admin_object_id: "u-me",
        defaults: Defaults {
            lifetime_minutes: None,
            one_time: true,
        },
        scope: None,
    };
    verdict(r, l, &ctx)
}

fn blocked_reason(v: Verdict) -> String {
    match v {
        Verdict::Blocked(s) => s,
        other => panic!("expected Blocked, got {other:?}"),
    }
}

#[test]
fn an_ordinary_user_is_ready() {
    let p = policy(false, PolicyState::Enabled, &["all_users"], &[]);
    assert_eq!(
        check(&p, Capability::Everyone, &row(Some(120), None), &found()),
        Verdict::Ready
    );
    assert_eq!(
        check(&p, Capability::NonAdmins, &row(None, Some(false)), &found()),
        Verdict::Ready
    );
}

#[test]
fn what_graph_would_refuse_is_blocked() {
    let p = policy(false, PolicyState::Enabled, &["all_users"], &[]);
    let ok = found();
    assert_eq!(
        blocked_reason(check(
            &p,
            Capability::Everyone,
            &row(None, None),
            &Lookup::default()
        )),
        "No user with this UPN or object ID."
    );
    // Only external guests are refused; an internal guest (userType Guest, an account of
    // this tenant) may get a pass.
    let mut guest = found();
    guest.user.as_mut().unwrap().user_type = Some("Guest".into());
    assert_eq!(
        check(&p, Capability::Everyone, &row(None, None), &guest),
        Verdict::Ready,
        "internal guest"
    );
    guest.user.as_mut().unwrap().external_user_state = Some("Accepted".into());
    assert!(
        blocked_reason(check(&p, Capability::Everyone, &row(None, None), &guest))
            .starts_with("Guests")
    );
    let mut invited = found();
    invited.user.as_mut().unwrap().user_type = Some("Guest".into());
    invited.user.as_mut().unwrap().user_principal_name =
        Some("jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com".into());
    assert!(
        blocked_reason(check(&p, Capability::Everyone, &row(None, None), &invited))
            .starts_with("Guests")
    );
    let mut me = found();
    me.user.as_mut().unwrap().id = "U-ME".into();
    assert!(
        blocked_reason(check(&p, Capability::Everyone, &row(None, None), &me))
            .contains("your own account")
    );
    // The admin's own roles never block on their own: `wids` lists only active tenant-wide
    // roles, and may be missing altogether (roles unknown). Graph decides.
    for cap in [Capability::None, Capability::ReadOnly, Capability::Unknown] {
        assert_eq!(
            check(&p, cap, &row(None, None), &ok),
            Verdict::Ready,
            "{cap:?}"
        );
    }
    let off = policy(false, PolicyState::Disabled, &["all_users"], &[]);
    assert!(
        blocked_reason(check(&off, Capability::Everyone, &row(None, None), &ok))
            .contains("disabled")
    );
    assert_eq!(
        blocked_reason(check(&p, Capability::Everyone, &row(Some(481), None), &ok)),
        "Choose a lifetime between 1 hour and 8 hours (your tenant's policy)."
    );
    let forced = policy(true, PolicyState::Enabled, &["all_users"], &[]);
    assert!(blocked_reason(check(
        &forced,
        Capability::Everyone,
        &row(None, Some(false)),
        &ok
    ))
    .contains("only allows one-time"));
    assert_eq!(
        check(&forced, Capability::Everyone, &row(None, None), &ok),
        Verdict::Ready
    );
}

#[test]
fn coverage_roles_and_lookup_errors_block() {
    let excl = policy(false, PolicyState::Enabled, &["all_users"], &["g-ex"]);
    let mut l = found();
    l.member_of = vec!["g-ex".into()];
    assert!(
        blocked_reason(check(&excl, Capability::Everyone, &row(None, None), &l))
            .contains("excludes")
    );
    let incl = policy(false, PolicyState::Enabled, &["g-in"], &[]);
    assert!(blocked_reason(check(
        &incl,
        Capability::Everyone,
        &row(None, None),
        &found()
    ))
    .contains("not in any group"));
    let mut member = found();
    member.member_of = vec!["g-in".into()];
    assert_eq!(
        check(&incl, Capability::Everyone, &row(None, None), &member),
        Verdict::Ready
    );

    let p = policy(false, PolicyState::Enabled, &["all_users"], &[]);
    let mut admin = found();
    admin.roles = TargetRoles::from_graph(vec![crate::graph::models::DirectoryRole {
        id: "d".into(),
        display_name: None,
        role_template_id: Some("fe930be7-5e62-47db-91af-98c3a49a38b1".into()),
    }]);
    let reason = blocked_reason(check(&p, Capability::NonAdmins, &row(None, None), &admin));
    assert!(
        reason.contains("Adele Vance holds the admin role User Administrator"),
        "{reason}"
    );
    // A Global or Privileged Authentication Administrator is not blocked, but a privileged
    // target waits for the explicit tick, with the advice in words.
    for cap in [Capability::Everyone, Capability::Unknown] {
        match check(&p, cap, &row(None, None), &admin) {
            Verdict::Confirm(w) => assert!(
                w.iter()
                    .any(|s| s.contains("shortest lifetime (60 minutes)")),
                "{w:?}"
            ),
            other => panic!("{cap:?}: {other:?}"),
        }
    }
    let mut lesser = found();
    lesser.roles = TargetRoles::from_graph(vec![crate::graph::models::DirectoryRole {
        id: "d".into(),
        display_name: None,
        role_template_id: Some("966707d0-3269-4727-9be2-8c3a10f19b9d".into()),
    }]);
    assert_eq!(
        check(&p, Capability::NonAdmins, &row(None, None), &lesser),
        Verdict::Ready,
        "Password Administrator: an Authentication Administrator may serve them"
    );
    let mut unnamed = found();
    unnamed.roles = TargetRoles::from_graph(vec![crate::graph::models::DirectoryRole {
        id: "5b3f2a1c-0000-4000-8000-000000000001".into(),
        display_name: None,
        role_template_id: None,
    }]);
    match check(&p, Capability::NonAdmins, &row(None, None), &unnamed) {
        Verdict::Confirm(w) => {
            assert!(w.iter().any(|s| s.contains("did not name")), "{w:?}");
            assert!(!w.iter().any(|s| s.contains("5b3f2a1c")), "no GUID");
        }
        other => panic!("limited information warns, never blocks: {other:?}"),
    }
    assert_eq!(
        count(&[
            Verdict::Ready,
            Verdict::Confirm(vec![]),
            Verdict::Blocked(String::new())
        ]),
        Counts {
            ready: 1,
            warn: 0,
            blocked: 1,
            confirm: 1
        }
    );

    let failed = Lookup {
        lookup_error: Some(GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            ..GraphError::default()
        }),
        ..Lookup::default()
    };
    assert!(
        blocked_reason(check(&p, Capability::Everyone, &row(None, None), &failed))
            .contains("User.Read.All")
    );
}

/// Issue 11 point 3: a policy excluding a group (break-glass accounts) and an admin without
/// GroupMember.Read.All: the row is ready with a warning, never blocked.
#[test]
fn unknown_coverage_warns_and_never_blocks() {
    let p = policy(
        false,
        PolicyState::Enabled,
        &["all_users"],
        &["g-breakglass"],
    );
    let unknown = Lookup {
        coverage_unknown: true,
        ..found()
    };
    match check(&p, Capability::Everyone, &row(Some(120), None), &unknown) {
        Verdict::Warn(w) => assert!(
            w.iter()
                .any(|s| s.starts_with("Policy coverage unknown")
                    && s.contains("GroupMember.Read.All")),
            "{w:?}"
        ),
        other => panic!("expected a warning, got {other:?}"),
    }
    let scoped = policy(false, PolicyState::Enabled, &["g-pilot"], &[]);
    assert!(matches!(
        check(&scoped, Capability::NonAdmins, &row(None, None), &unknown),
        Verdict::Warn(_)
    ));
    // Known membership still blocks an excluded user.
    let excluded = Lookup {
        member_of: vec!["g-breakglass".into()],
        ..found()
    };
    assert!(
        blocked_reason(check(&p, Capability::Everyone, &row(None, None), &excluded))
            .contains("excludes")
    );
}

#[test]
fn disabled_accounts_and_existing_passes_warn() {
    let p = policy(false, PolicyState::Enabled, &["all_users"], &[]);
    let mut l = found();
    l.user.as_mut().unwrap().account_enabled = Some(false);
    l.existing = Some(
        serde_json::from_str(r#"{"id":"old","createdDateTime":"2025-05-01T10:00:12.1234567Z"}"#)
            .unwrap(),
    );
    assert_eq!(
        check(&p, Capability::Everyone, &row(None, None), &l),
        Verdict::Warn(vec![
            "The account is disabled: the pass cannot be used until the account is enabled.".into(),
            "Has a pass (created 2025-05-01 10:00 UTC): it will be REPLACED and stop working."
                .into(),
        ])
    );
    l.user.as_mut().unwrap().account_enabled = None;
    l.existing = Some(serde_json::from_str(r#"{"id":"old"}"#).unwrap());
    assert_eq!(
        check(&p, Capability::Everyone, &row(None, None), &l),
        Verdict::Warn(vec![
            "Has a pass: it will be REPLACED and stop working.".into()
        ])
    );
}

#[test]
fn counts_and_time_zone_checks() {
    let c = count(&[
        Verdict::Ready,
        Verdict::Blocked("x".into()),
        Verdict::Warn(vec![]),
        Verdict::Ready,
    ]);
    assert_eq!(
        c,
        Counts {
            ready: 2,
            warn: 1,
            blocked: 1,
            confirm: 0
        }
    );
    let mut r = row(None, None);
    assert!(!needs_time_zone_check(&r));
    r.start = Some(LocalStart {
        date: "2025-01-01".into(),
        time: "09:00".into(),
        time_zone: None,
    });
    assert!(needs_time_zone_check(&r));
}

#[test]
fn new_pass_prefers_the_row_and_obeys_the_policy() {
    let free = FormBounds::new(Some(&policy(
        false,
        PolicyState::Enabled,
        &["all_users"],
        &[],
    )));
    let forced = FormBounds::new(Some(&policy(
        true,
        PolicyState::Enabled,
        &["all_users"],
        &[],
    )));
    let ctx = |bounds| PlanContext {
        bounds,
        policy: None,
        capability: Capability::Everyone,
        admin_object_id: "",
        defaults: Defaults {
            lifetime_minutes: Some(90),
            one_time: false,
        },
        scope: None,
    };
    let body = new_pass(
        &row(Some(120), Some(true)),
        Some("2025-06-01T07:00:00Z".into()),
        &ctx(&free),
    );
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        serde_json::json!({"startDateTime":"2025-06-01T07:00:00Z","lifetimeInMinutes":120,"isUsableOnce":true})
    );
    let body = new_pass(&row(None, None), None, &ctx(&free));
    assert_eq!(
        (
            body.lifetime_in_minutes,
            body.is_usable_once,
            body.start_date_time
        ),
        (Some(90), Some(false), None)
    );
    assert_eq!(
        new_pass(&row(None, None), None, &ctx(&forced)).is_usable_once,
        Some(true)
    );
    let mut no_default = ctx(&free);
    no_default.defaults.lifetime_minutes = None;
    assert_eq!(
        new_pass(&row(None, None), None, &no_default).lifetime_in_minutes,
        None
    );
}

#[test]
fn a_unit_scoped_admin_s_rows_outside_their_units_are_blocked_with_the_reason() {
    use crate::graph::api::AdministrativeUnit;
    use crate::scope::{Grant, Known, PageScope, Role, Scope};
    let unit = |id: &str, name: &str, restricted: bool| AdministrativeUnit {
        id: id.into(),
        display_name: Some(name.into()),
        is_member_management_restricted: Some(restricted),
    };
    let known = Known::Read {
        scope: PageScope::decide(vec![Grant {
            role: Role::Authentication,
            scope: Scope::Unit("au-munich".into()),
            active: true,
        }]),
        units: vec![unit("au-munich", "Munich office", false)],
    };
    let p = policy(true, PolicyState::Enabled, &["all_users"], &[]);
    let bounds = FormBounds::new(Some(&p));
    let ctx = PlanContext {
        bounds: &bounds,
        policy: Some(&p),
        capability: Capability::NonAdmins,
        admin_object_id: "u-me",
        defaults: Defaults {
            lifetime_minutes: None,
            one_time: true,
        },
        scope: Some(&known),
    };
    let with_units = |units: Vec<AdministrativeUnit>| Lookup {
        units: Some(units),
        ..found()
    };
    let r = row(None, None);
    assert_eq!(
        verdict(
            &r,
            &with_units(vec![unit("au-munich", "Munich office", false)]),
            &ctx
        ),
        Verdict::Ready
    );
    let outside = blocked_reason(verdict(&r, &with_units(vec![]), &ctx));
    assert!(
        outside.starts_with("Adele Vance is not in any administrative unit you manage"),
        "{outside}"
    );
    let restricted = blocked_reason(verdict(
        &r,
        &with_units(vec![
            unit("au-munich", "Munich office", false),
            unit("au-exec", "Executive office", true),
        ]),
        &ctx,
    ));
    assert!(restricted.contains("restricted administrative unit Executive office"));
    // Graph refused to list their passes for that very reason: the scope's reason is said.
    let refused = Lookup {
        lookup_error: Some(crate::graph::GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            ..crate::graph::GraphError::default()
        }),
        ..with_units(vec![])
    };
    let outside = blocked_reason(verdict(&r, &refused, &ctx));
    assert!(
        outside.contains("not in any administrative unit"),
        "{outside}"
    );
    // Units not read: Graph decides, the row runs.
    assert_eq!(verdict(&r, &found(), &ctx), Verdict::Ready);
    // A tenant-wide scope changes nothing.
    let tenant = Known::Tenant;
    let ctx = PlanContext {
        scope: Some(&tenant),
        ..ctx
    };
    assert_eq!(verdict(&r, &with_units(vec![]), &ctx), Verdict::Ready);
}
