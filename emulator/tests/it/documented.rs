//! Issue 11: Graph as Microsoft documents it by default, with each reported or lenient variant
//! a `Settings` switch: audit log permissions, `checkMemberGroups` permissions, who reads the
//! TAP policy, `Retry-After` exposure, a sender without a mailbox, `startDateTime`'s format,
//! and the Graph request log with arrival times.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tapdesk_emulator::{seed, FaultKind, FaultRule, Match};

const POLICY: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

async fn token_with(emu: &tapdesk_emulator::Emulator, upn: &str, perms: &[&str]) -> String {
    tokens_for(emu, upn, perms).await["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

#[tokio::test]
async fn audit_log_needs_audit_and_directory_read_unless_switched() {
    let emu = start().await;
    let only_audit = org_token_for(&emu, ALEX, &["AuditLog.Read.All"]).await;
    let r = get(&emu, "/auditLogs/directoryAudits", &only_audit).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.update_settings(|s| s.audit_log_read_alone = true);
    let r = get(&emu, "/auditLogs/directoryAudits", &only_audit).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    emu.update_settings(|s| s.audit_log_read_alone = false);
    let both = org_token_for(&emu, ALEX, &["AuditLog.Read.All", "Directory.Read.All"]).await;
    let r = get(&emu, "/auditLogs/directoryAudits", &both).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    emu.shutdown().await;
}

#[tokio::test]
async fn check_member_groups_needs_a_group_permission_unless_switched() {
    let emu = start().await;
    let path = format!("/users/{NESTOR}/checkMemberGroups");
    let body = json!({"groupIds": [seed::GROUP_TAP_EXCLUDED]});
    let users_only = token_for(&emu, ADELE).await;
    let r = graph(
        &emu,
        Method::POST,
        &path,
        Some(&users_only),
        Some(body.clone()),
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    // The same inside $batch: the item answers 403, the envelope 200.
    let (s, _, v) = batch(
        &emu,
        &users_only,
        json!([{"id": "1", "method": "POST", "url": path, "body": body, "headers": {"Content-Type": "application/json"}}]),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(item(&v, "1")["status"], 403, "{v}");
    emu.update_settings(|s| s.check_member_groups_without_group_read = true);
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &path,
        Some(&users_only),
        Some(body.clone()),
        &[],
    )
    .await;
    assert_eq!(
        (s, v["value"].clone()),
        (StatusCode::OK, json!([seed::GROUP_TAP_EXCLUDED]))
    );
    emu.update_settings(|s| s.check_member_groups_without_group_read = false);
    // An admin grants it for the organisation (it needs admin consent).
    let _ = org_token_for(&emu, ALEX, &["GroupMember.Read.All"]).await;
    let with_groups = token_with(
        &emu,
        ADELE,
        &[TAP_PERMS, &["GroupMember.Read.All"]].concat(),
    )
    .await;
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &path,
        Some(&with_groups),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(
        (s, v["value"].clone()),
        (StatusCode::OK, json!([seed::GROUP_TAP_EXCLUDED]))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_authentication_administrator_may_not_read_the_policy_unless_switched() {
    let emu = start().await;
    let adele = token_for(&emu, ADELE).await;
    let r = get(&emu, POLICY, &adele).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.update_settings(|s| s.policy_readable_by_authentication_administrator = true);
    let (s, _, v) = get(&emu, POLICY, &adele).await;
    assert_eq!(
        (s, v["id"].as_str()),
        (StatusCode::OK, Some("TemporaryAccessPass"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn send_mail_without_a_mailbox_is_404_mailbox_not_enabled() {
    let emu = start().await;
    emu.update_settings(|s| s.users_without_mailbox = vec![ADELE.to_uppercase()]);
    let adele = token_with(&emu, ADELE, &["Mail.Send", "User.Read.All"]).await;
    let body = json!({"message": {"subject": "s", "body": {"contentType": "Text", "content": "c"},
        "toRecipients": [{"emailAddress": {"address": PRADEEP}}]}, "saveToSentItems": false});
    let r = graph(
        &emu,
        Method::POST,
        "/me/sendMail",
        Some(&adele),
        Some(body.clone()),
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        404,
        "MailboxNotEnabledForRESTAPI",
        "mailbox is either inactive",
    );
    assert!(emu.mails().is_empty());
    emu.update_settings(|s| s.users_without_mailbox.clear());
    let r = graph(
        &emu,
        Method::POST,
        "/me/sendMail",
        Some(&adele),
        Some(body),
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::ACCEPTED);
    emu.shutdown().await;
}

/// `Access-Control-Expose-Headers` on a direct answer, in lower case.
fn exposed(h: &reqwest::header::HeaderMap) -> String {
    h.get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

#[tokio::test]
async fn retry_after_is_not_exposed_on_direct_answers_unless_switched_but_batch_items_carry_it() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.inject(
        FaultRule::new(
            Match::graph(),
            FaultKind::Throttle {
                retry_after_secs: 3,
            },
        )
        .times(1),
    )
    .expect("fault");
    let origin = [("Origin", "http://127.0.0.1:5555")];
    let (s, h, _) = graph(&emu, Method::GET, "/me", Some(&token), None, &origin).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        h.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("3"),
        "sent"
    );
    assert!(!exposed(&h).contains("retry-after"), "{}", exposed(&h));
    assert!(exposed(&h).contains("request-id"));
    emu.update_settings(|s| s.expose_retry_after = true);
    let (_, h, _) = graph(&emu, Method::GET, "/me", Some(&token), None, &origin).await;
    assert!(exposed(&h).contains("retry-after"), "{}", exposed(&h));
    emu.update_settings(|s| s.expose_retry_after = false);
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains("/me"),
            FaultKind::Throttle {
                retry_after_secs: 4,
            },
        )
        .times(1),
    )
    .expect("fault");
    let (_, _, v) = batch(
        &emu,
        &token,
        json!([{"id": "1", "method": "GET", "url": "/me"}]),
    )
    .await;
    let it = item(&v, "1");
    assert_eq!(it["status"], 429, "{v}");
    let ra = it["headers"]
        .as_object()
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        })
        .map(|(_, v)| v.clone());
    assert_eq!(ra, Some(json!("4")), "{v}");
    emu.shutdown().await;
}

#[tokio::test]
async fn start_times_are_whole_seconds_unless_switched_and_created_times_have_fractions() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let create = |token: String| {
        let emu = &emu;
        async move {
            graph(
                emu,
                Method::POST,
                &taps_path(PRADEEP),
                Some(&token),
                Some(json!({})),
                &[],
            )
            .await
        }
    };
    let (s, _, v) = create(token.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let start = v["startDateTime"].as_str().expect("start");
    assert!(!start.contains('.') && start.ends_with('Z'), "{start}");
    assert!(v["createdDateTime"]
        .as_str()
        .expect("created")
        .contains('.'));
    emu.update_settings(|s| s.fractional_start_times = true);
    let (_, _, v) = create(token).await;
    let start: &str = v["startDateTime"].as_str().expect("start");
    let fraction = start.split('.').nth(1).unwrap_or("");
    assert_eq!(fraction.len(), 8, "seven digits and Z: {start}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_graph_request_log_keeps_arrival_times_and_statuses() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.reset_graph_counters();
    let _ = get(&emu, "/me", &token).await;
    let _ = get(&emu, "/nothing", &token).await;
    let log = emu.graph_request_log();
    let got: Vec<(&str, &str, u16)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        got,
        [("GET", "/v1.0/me", 200), ("GET", "/v1.0/nothing", 400)]
    );
    assert!(log[0].at_ms <= log[1].at_ms);
    emu.shutdown().await;
}
