//! Unit tests of the tracker's second edition: passkey kinds, flags, bulk revocation, reach.

use std::collections::HashMap;

use serde_json::json;

use super::*;
use crate::graph::batch::BatchItemResponse;
use crate::graph::models::{TemporaryAccessPass, UsabilityReason};
use crate::graph::time;
use crate::tracking::assess;

fn ms(t: &str) -> f64 {
    time::parse_ms(t).unwrap()
}

fn m(v: serde_json::Value) -> AuthMethod {
    serde_json::from_value(v).unwrap()
}

fn fido(guid: &str, model: Option<&str>, passkey_type: Option<&str>, created: &str) -> AuthMethod {
    let mut v = json!({"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": guid, "aaGuid": guid, "createdDateTime": created});
    if let Some(model) = model {
        v["model"] = json!(model);
    }
    if let Some(t) = passkey_type {
        v["passkeyType"] = json!(t);
    }
    m(v)
}

fn phone(t: &str, id: &str) -> AuthMethod {
    m(
        json!({"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": id, "phoneType": t, "phoneNumber": "+1 555"}),
    )
}

fn used_pass() -> TemporaryAccessPass {
    serde_json::from_value(json!({"id": "p1", "startDateTime": "2026-11-27T11:30:00Z", "lifetimeInMinutes": 60, "isUsableOnce": true, "isUsable": false, "methodUsabilityReason": "OneTimeUsed"})).unwrap()
}

const SINCE: &str = "2026-11-27T11:00:00Z";
const NOW: &str = "2026-11-27T12:00:00Z";
const LATER: &str = "2026-11-27T11:40:00Z";

#[test]
fn each_passkey_kind_is_named_from_its_type_aaguid_and_model() {
    let yubi = fido(
        "cb69481e-8ff7-4039-93ec-0a2729a154a8",
        Some("YubiKey 5"),
        Some("deviceBound"),
        LATER,
    );
    assert_eq!(
        passkey_of(&yubi).unwrap().words(),
        "Device-bound passkey (YubiKey 5 Series with NFC)"
    );
    let icloud = fido(
        "FBFC3007-154E-4ECC-8C0B-6E020557D7BD",
        None,
        Some("synced"),
        LATER,
    );
    assert_eq!(
        passkey_of(&icloud),
        Some(Passkey::Synced(Some("iCloud Keychain".into())))
    );
    // An AAGUID the table does not know: Graph's model names it.
    let other = fido(
        "00000000-1111-2222-3333-444444444444",
        Some("Feitian ePass"),
        None,
        LATER,
    );
    assert_eq!(
        passkey_of(&other).unwrap().words(),
        "Device-bound passkey (Feitian ePass)"
    );
    let unknown = fido(
        "00000000-1111-2222-3333-444444444444",
        Some("  "),
        Some("synced"),
        LATER,
    );
    assert_eq!(
        passkey_of(&unknown).unwrap().words(),
        "Synced passkey (unknown authenticator)"
    );
    let authenticator = fido(
        "de1e552d-db1d-4423-a619-566b625cdc84",
        None,
        Some("deviceBound"),
        LATER,
    );
    assert_eq!(passkey_of(&authenticator), Some(Passkey::Authenticator));
    let hello = m(
        json!({"@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", "id": "h", "createdDateTime": LATER}),
    );
    assert_eq!(passkey_of(&hello).map(|p| p.code()), Some("windowsHello"));
    let push = m(
        json!({"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "a", "createdDateTime": LATER}),
    );
    assert_eq!(passkey_of(&push), None);
    assert!(is_weak(push.kind()));
    assert_eq!(passkey_of(&phone("mobile", "x")), None);
}

#[test]
fn flags_say_expired_unused_weak_instead_and_phone_still_there() {
    let since = ms(SINCE);
    let now = ms(NOW);
    let expired: TemporaryAccessPass = serde_json::from_value(json!({"id": "p1", "startDateTime": "2026-11-27T09:00:00Z", "lifetimeInMinutes": 60, "isUsableOnce": true})).unwrap();
    let p = assess(since, &[expired], &[phone("mobile", "m1")], now);
    assert_eq!(flags(&p), [Flag::ExpiredUnused]);
    assert!(flags(&p)[0].words().starts_with("Pass expired unused"));
    let push = m(
        json!({"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "a", "createdDateTime": LATER}),
    );
    let p = assess(since, &[used_pass()], &[push, phone("mobile", "m1")], now);
    assert_eq!(p.stage, Stage::Used);
    assert_eq!(
        flags(&p),
        [Flag::WeakInstead(vec!["Microsoft Authenticator".into()])]
    );
    // A passkey with the phone still there: the phone flag, not the weak one.
    let key = fido(
        "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
        None,
        Some("synced"),
        LATER,
    );
    let mut p = assess(
        since,
        &[used_pass()],
        &[key.clone(), phone("mobile", "m1"), phone("office", "o1")],
        now,
    );
    assert_eq!(p.stage, Stage::Registered);
    let f = flags(&p);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code(), "phoneStill");
    assert!(f[0]
        .words()
        .starts_with("Office phone and mobile phone are still registered: remove them"));
    let mut all = HashMap::from([("u".to_owned(), p.clone())]);
    phone_removed(&mut all, "u", "M1");
    phone_removed(&mut all, "u", "o1");
    assert!(flags(&all["u"]).is_empty());
    // A passkey registered before tracking began does not count.
    p = assess(
        since,
        &[used_pass()],
        &[fido("x", None, None, "2025-01-01T00:00:00Z")],
        now,
    );
    assert_eq!(p.stage, Stage::Used);
    assert!(matches!(
        used_pass().method_usability_reason,
        Some(UsabilityReason::OneTimeUsed)
    ));
}

fn item(status: u16) -> Result<BatchItemResponse, GraphError> {
    Ok(serde_json::from_value(json!({"id": "x", "status": status, "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}}})).unwrap())
}

#[test]
fn the_bulk_revocation_takes_finished_users_in_reach_and_says_each_result() {
    let done = |pass: Option<&str>| Progress {
        stage: Stage::Registered,
        pass_id: pass.map(str::to_owned),
        ..Default::default()
    };
    let progress = HashMap::from([
        ("a".to_owned(), done(Some("pa"))),
        ("b".to_owned(), done(None)),
        (
            "c".to_owned(),
            Progress {
                stage: Stage::Used,
                pass_id: Some("pc".into()),
                ..Default::default()
            },
        ),
        ("d".to_owned(), done(Some("pd"))),
        ("e".to_owned(), done(Some("pe"))),
        ("f".to_owned(), done(Some("pf"))),
        ("g".to_owned(), done(Some("pg"))),
    ]);
    let list = finished_with_pass(["a", "b", "c", "d", "e", "f", "g", "z"], &progress, |id| {
        id != "d"
    });
    assert_eq!(
        list.iter()
            .map(|(u, p)| format!("{u}:{p}"))
            .collect::<Vec<_>>(),
        ["a:pa", "e:pe", "f:pf", "g:pg"]
    );
    let items = revoke_items(&list);
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[1].url,
        "/users/e/authentication/temporaryAccessPassMethods/pe"
    );
    let outcomes = revoke_outcomes(&list, |id| match id {
        "0" => Some(item(204)),
        "1" => Some(item(404)),
        "2" => Some(item(403)),
        _ => None,
    });
    assert_eq!(outcomes[0].1, Revoked::Deleted);
    assert_eq!(outcomes[1].1, Revoked::AlreadyGone);
    assert!(matches!(&outcomes[2].1, Revoked::Failed(e) if e.status == 403));
    assert_eq!(outcomes[3].1, Revoked::NoAnswer);
    assert_eq!(revoked_words("Ann", &outcomes[0].1), "Ann: pass revoked.");
    assert!(
        revoked_words("Ann", &outcomes[2].1).starts_with("Ann: pass not revoked, it still works.")
    );
    assert!(revoked_words("Ann", &outcomes[3].1).contains("may still work"));
    assert_eq!(
        revoked_summary(&outcomes),
        "2 passes revoked, 2 not: each user's line says why."
    );
    assert_eq!(revoked_summary(&outcomes[..1]), "1 pass revoked.");
    use crate::messages::Capability;
    assert!(may_remove_phones(Capability::NonAdmins) && may_remove_phones(Capability::Unknown));
    assert!(!may_remove_phones(Capability::ReadOnly) && !may_remove_phones(Capability::None));
    assert!(revoke_all_question(2)
        .starts_with("Revoke the passes of 2 users who registered a passkey?"));
}

#[test]
fn a_unit_scoped_admin_learns_who_is_out_of_reach() {
    use crate::scope::{Grant, Known, PageScope, Role, Scope};
    let known = Known::Read {
        scope: PageScope::decide(vec![Grant {
            role: Role::from_template(crate::scope::AUTHENTICATION_ADMINISTRATOR),
            scope: Scope::Unit("au-berlin".into()),
            active: true,
        }]),
        units: vec![],
    };
    let ids = vec!["in".to_owned(), "out".to_owned(), "unread".to_owned()];
    let items = reach_items(&ids);
    assert_eq!(items.len(), 6);
    assert!(items[0]
        .url
        .contains("/users/in/memberOf/microsoft.graph.administrativeUnit"));
    let units = |id: &str| json!({"value": if id == "in" { json!([{"id": "au-berlin", "displayName": "Berlin"}]) } else { json!([]) }});
    let answer = |item: &str| -> Answer {
        let ok = |b| {
            Some(Ok(serde_json::from_value::<BatchItemResponse>(
                json!({"id": item, "status": 200, "body": b}),
            )
            .unwrap()))
        };
        match item {
            "0u" => ok(units("in")),
            "1u" => ok(units("out")),
            "0r" | "1r" => ok(json!({"value": []})),
            _ => None,
        }
    };
    let read = reach_read(&ids, answer, &known, |id| format!("User {id}"));
    assert_eq!(read.len(), 2);
    assert_eq!(read[0], ("in".to_owned(), None));
    assert!(read[1]
        .1
        .as_deref()
        .is_some_and(|r| r.starts_with("User out is not in any administrative unit you manage")));
    // A tenant-wide admin: nobody is out of reach.
    assert!(reach_read(&ids, answer, &Known::Tenant, |id| id.to_owned())
        .iter()
        .all(|(_, r)| r.is_none()));
}
