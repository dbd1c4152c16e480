//! Issue 16 point 4: the QR code + PIN method (Graph v1.0 `qrCodePinMethod`) and its
//! `qrCodePin` policy as the Graph reference documents them: the content and PIN returned
//! once, one usable method and one temporary code at a time, lifetimes and PIN length from the
//! policy, `UserAuthMethod-QR.ReadWrite.All` or the broad permission, the same role and unit
//! rules as passes.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::{seed, Emulator, Event, PolicyState};
use time::format_description::well_known::Rfc3339;
use time::Duration;

const QR_WRITE: &str = "UserAuthMethod-QR.ReadWrite.All";
const MIRIAM: &str = "miriam.graham@contoso.onmicrosoft.com";

fn token(emu: &Emulator, upn: &str, extra: &[&str]) -> String {
    for p in extra {
        emu.grant_tenant_consent(p);
    }
    emu.issue_access_token(upn, &["User.Read.All"])
        .expect("token")
}

fn at(emu: &Emulator, d: Duration) -> String {
    (emu.now() + d).format(&Rfc3339).expect("date")
}

fn qr_path(upn: &str) -> String {
    format!("/users/{upn}/authentication/qrCodePinMethod")
}

fn badge(emu: &Emulator, days: i64, pin: Option<&str>) -> Value {
    let start = emu.now();
    let fmt = |t: time::OffsetDateTime| t.format(&Rfc3339).expect("date");
    let mut body = json!({
        "@odata.type": "#microsoft.graph.qrCodePinAuthenticationMethod",
        "standardQRCode": {"startDateTime": fmt(start), "expireDateTime": fmt(start + Duration::days(days))},
    });
    if let Some(p) = pin {
        body["pin"] = json!({ "code": p });
    }
    body
}

async fn put(
    emu: &Emulator,
    t: &str,
    upn: &str,
    body: Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    graph(emu, Method::PUT, &qr_path(upn), Some(t), Some(body), &[]).await
}

#[tokio::test]
async fn a_badge_is_created_once_with_its_content_and_pin_and_read_back_without_them() {
    let emu = start().await;
    let t = token(&emu, MEGAN, &[QR_WRITE]);
    let (s, _, v) = put(&emu, &t, PRADEEP, badge(&emu, 30, Some("12345678"))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let raw = v["standardQRCode"]["image"]["rawContent"]
        .as_str()
        .expect("content once");
    assert_eq!(v["pin"]["code"], "12345678");
    assert_eq!(v["pin"]["forceChangePinNextSignIn"], true);
    assert_eq!(v["temporaryQRCode"], Value::Null);
    let stored = emu.qr_method(PRADEEP).expect("stored");
    assert_eq!(stored.standard_qr_code.expect("standard").raw_content, raw);
    // GET never returns the content or the PIN.
    let (s, _, v) = get(&emu, &qr_path(PRADEEP), &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["standardQRCode"]["image"], Value::Null);
    assert_eq!(v["pin"]["code"], Value::Null);
    // One usable method per user: a second PUT is refused until the first is deleted.
    let got = put(&emu, &t, PRADEEP, badge(&emu, 30, None)).await;
    assert_graph_error(&got, 400, "badRequest", "already has a QR code PIN");
    let (s, _, _) = graph(&emu, Method::DELETE, &qr_path(PRADEEP), Some(&t), None, &[]).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let got = get(&emu, &qr_path(PRADEEP), &t).await;
    assert_graph_error(&got, 404, "itemNotFound", "not found");
    let (s, _, v) = put(&emu, &t, PRADEEP, badge(&emu, 30, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // An expired method no longer blocks a new one.
    emu.advance_clock(std::time::Duration::from_secs(31 * 86_400));
    let t = token(&emu, MEGAN, &[]);
    let (s, _, v) = put(&emu, &t, PRADEEP, badge(&emu, 30, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let created = count_events(
        &emu,
        |e| matches!(e, Event::QrCodePinChanged { what, .. } if what == "created"),
    );
    assert_eq!(created, 3);
    // The methods list shows it, without secrets.
    let (_, _, v) = get(
        &emu,
        &format!("/users/{PRADEEP}/authentication/methods"),
        &t,
    )
    .await;
    let listed = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.qrCodePinAuthenticationMethod")
        .expect("listed");
    assert_eq!(listed["pin"]["code"], Value::Null);
    emu.shutdown().await;
}

#[tokio::test]
async fn badges_need_the_qr_or_the_broad_permission_and_an_issuing_role() {
    let emu = start().await;
    let narrow_tap_only = token(&emu, MEGAN, &[]);
    let got = put(&emu, &narrow_tap_only, PRADEEP, badge(&emu, 30, None)).await;
    assert_graph_error(&got, 403, "accessDenied", "Request Authorization failed");
    // Reading is documented for the broad read permission the demo consents to as well.
    let got = get(&emu, &qr_path(PRADEEP), &narrow_tap_only).await;
    assert_graph_error(&got, 404, "itemNotFound", "not found");
    emu.withdraw_consent(MEGAN, "UserAuthenticationMethod.Read.All")
        .expect("withdrawn");
    let got = get(&emu, &qr_path(PRADEEP), &narrow_tap_only).await;
    assert_graph_error(&got, 403, "accessDenied", "Request Authorization failed");
    let broad = token(&emu, MEGAN, &["UserAuthenticationMethod.ReadWrite.All"]);
    let (s, _, v) = put(&emu, &broad, PRADEEP, badge(&emu, 30, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let diego = token(&emu, DIEGO, &[]);
    let got = put(&emu, &diego, JOHANNA, badge(&emu, 30, None)).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_standard_lifetime_and_the_pin_follow_the_policy() {
    let emu = start().await;
    let t = token(&emu, MEGAN, &[QR_WRITE]);
    let got = put(&emu, &t, PRADEEP, badge(&emu, 366, None)).await;
    assert_graph_error(&got, 400, "badRequest", "within 365 days");
    for pin in ["1234567", "12345678a", "123456789012345678901"] {
        let got = put(&emu, &t, PRADEEP, badge(&emu, 30, Some(pin))).await;
        assert_graph_error(&got, 400, "badRequest", "The PIN must be 8 to 20 digits");
    }
    let mut p = emu.qr_policy();
    p.standard_qr_code_lifetime_in_days = 30;
    p.pin_length = 10;
    emu.set_qr_policy(p);
    let got = put(&emu, &t, PRADEEP, badge(&emu, 31, None)).await;
    assert_graph_error(&got, 400, "badRequest", "within 30 days");
    let (s, _, v) = put(&emu, &t, PRADEEP, badge(&emu, 30, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let pin = v["pin"]["code"].as_str().expect("generated pin");
    assert_eq!(pin.len(), 10);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()));
    // The policy off, or not targeting the user: the converged-policy refusal.
    let mut p = emu.qr_policy();
    p.state = PolicyState::Disabled;
    emu.set_qr_policy(p);
    let got = put(&emu, &t, JOHANNA, badge(&emu, 30, None)).await;
    assert_graph_error(&got, 400, "badRequest", "AuthMethodType [QRCodePin]");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_temporary_code_lives_one_to_twelve_hours_and_is_refused_while_one_exists() {
    let emu = start().await;
    let t = token(&emu, MEGAN, &[QR_WRITE]);
    let temp = format!("{}/temporaryQRCode", qr_path(PRADEEP));
    let body = |h: i64, m: i64| json!({"expireDateTime": at(&emu, Duration::hours(h) + Duration::minutes(m))});
    let got = graph(&emu, Method::PATCH, &temp, Some(&t), Some(body(8, 0)), &[]).await;
    assert_graph_error(&got, 404, "itemNotFound", "not found");
    let (s, _, _) = put(&emu, &t, PRADEEP, badge(&emu, 30, None)).await;
    assert_eq!(s, StatusCode::CREATED);
    for (h, m) in [(12, 1), (0, 59)] {
        let got = graph(&emu, Method::PATCH, &temp, Some(&t), Some(body(h, m)), &[]).await;
        assert_graph_error(&got, 400, "badRequest", "between 1 and 12 hours");
    }
    let (s, _, v) = graph(&emu, Method::PATCH, &temp, Some(&t), Some(body(8, 0)), &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["image"]["rawContent"].is_string(), "content once: {v}");
    let got = graph(&emu, Method::PATCH, &temp, Some(&t), Some(body(2, 0)), &[]).await;
    assert_graph_error(&got, 400, "badRequest", "already has a temporary QR code");
    // After it expires, a new one is allowed; DELETE removes it.
    emu.advance_clock(std::time::Duration::from_secs(9 * 3600));
    let t = token(&emu, MEGAN, &[]);
    let (s, _, _) = graph(&emu, Method::PATCH, &temp, Some(&t), Some(body(1, 0)), &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, _) = graph(&emu, Method::DELETE, &temp, Some(&t), None, &[]).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(emu
        .qr_method(PRADEEP)
        .expect("method")
        .temporary_qr_code
        .is_none());
    // The PIN is reset with a generated one, returned once.
    let (s, _, v) = graph(
        &emu,
        Method::PATCH,
        &format!("{}/pin", qr_path(PRADEEP)),
        Some(&t),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["pin"]["code"]
            .as_str()
            .or(v["code"].as_str())
            .map(str::len),
        Some(8)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_policy_is_read_and_changed_with_the_policy_permissions() {
    let emu = start().await;
    let path = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/qrCodePin";
    let lynne = token(&emu, LYNNE, &["Policy.ReadWrite.AuthenticationMethod"]);
    let (s, _, v) = get(&emu, path, &lynne).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id"], "qrCodePin");
    assert_eq!(v["standardQRCodeLifetimeInDays"], 365);
    assert_eq!(v["pinLength"], 8);
    assert_eq!(v["includeTargets"][0]["id"], "all_users");
    let got = get(&emu, path, &token(&emu, ADELE, &[])).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let got = graph(
        &emu,
        Method::PATCH,
        path,
        Some(&lynne),
        Some(json!({"pinLength": 21})),
        &[],
    )
    .await;
    assert_graph_error(&got, 400, "badRequest", "pinLength");
    let (s, _, _) = graph(
        &emu,
        Method::PATCH,
        path,
        Some(&lynne),
        Some(json!({"@odata.type": "#microsoft.graph.qrCodePinAuthenticationMethodConfiguration", "pinLength": 12, "standardQRCodeLifetimeInDays": 90})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(emu.qr_policy().pin_length, 12);
    assert_eq!(emu.qr_policy().standard_qr_code_lifetime_in_days, 90);
    emu.shutdown().await;
}

#[tokio::test]
async fn badges_follow_unit_scopes_and_restricted_units() {
    let emu = start().await;
    emu.seed_frontline_site();
    let mateo = token(&emu, seed::SITE_MANAGER_UPN, &[QR_WRITE]);
    let (s, _, v) = put(
        &emu,
        &mateo,
        &seed::frontline_upn(7),
        badge(&emu, 365, None),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let got = put(&emu, &mateo, PRADEEP, badge(&emu, 365, None)).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let alex = token(&emu, ALEX, &[]);
    let got = put(&emu, &alex, MIRIAM, badge(&emu, 365, None)).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "restricted management administrative unit",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn badges_go_in_batches_where_throttled_items_are_not_created_and_a_dropped_answer_still_created(
) {
    use tapdesk_emulator::{FaultKind, FaultRule, Match};
    let emu = start().await;
    emu.seed_frontline_site();
    let t = token(&emu, seed::SITE_MANAGER_UPN, &[QR_WRITE]);
    emu.inject(
        FaultRule::new(
            Match::graph()
                .method("PUT")
                .path_contains("/qrCodePinMethod"),
            FaultKind::Throttle {
                retry_after_secs: 2,
            },
        )
        .share(0.25),
    )
    .expect("rule");
    let requests: Vec<Value> = (1..=20)
        .map(|n| {
            json!({
                "id": n.to_string(),
                "method": "PUT",
                "url": qr_path(&seed::frontline_upn(n)),
                "headers": {"Content-Type": "application/json"},
                "body": badge(&emu, 365, None),
            })
        })
        .collect();
    let (s, _, v) = batch(&emu, &t, json!(requests)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let statuses: Vec<u64> = (1..=20)
        .map(|n| item(&v, &n.to_string())["status"].as_u64().expect("status"))
        .collect();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    let created = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(throttled + created, 20, "{statuses:?}");
    assert!(throttled >= 1, "a quarter throttled: {statuses:?}");
    for n in 1..=20 {
        let answered = item(&v, &n.to_string());
        let stored = emu.qr_method(&seed::frontline_upn(n));
        assert_eq!(answered["status"] == 201, stored.is_some(), "item {n}");
        if answered["status"] == 429 {
            assert!(answered["headers"]["Retry-After"].is_string(), "{answered}");
        } else {
            assert!(answered["body"]["pin"]["code"].is_string());
        }
    }
    // A dropped envelope: every item ran, the answer is lost; listing tells what exists.
    emu.clear_faults();
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains("/$batch"),
            FaultKind::DropAfterWrite,
        )
        .times(1),
    )
    .expect("rule");
    let more: Vec<Value> = (21..=25)
        .map(|n| {
            json!({
                "id": n.to_string(),
                "method": "PUT",
                "url": qr_path(&seed::frontline_upn(n)),
                "headers": {"Content-Type": "application/json"},
                "body": badge(&emu, 365, None),
            })
        })
        .collect();
    let sent = crate::support::flow::http()
        .post(format!("{}/v1.0/$batch", emu.graph_url()))
        .bearer_auth(&t)
        .json(&json!({ "requests": more }))
        .send()
        .await
        .expect("status arrives");
    assert!(sent.text().await.is_err(), "the body is cut off");
    for n in 21..=25 {
        let (s, _, v) = get(&emu, &qr_path(&seed::frontline_upn(n)), &t).await;
        assert_eq!(s, StatusCode::OK, "created though the answer was lost: {v}");
        assert_eq!(
            v["standardQRCode"]["image"],
            Value::Null,
            "content gone for good"
        );
    }
    emu.shutdown().await;
}
