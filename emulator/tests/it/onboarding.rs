//! Integration tests of the onboarding-tracker features: the directory audit log
//! (`/auditLogs/directoryAudits`), `sendMail`, methods users register themselves, pass use and
//! passes seeded without Graph.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::roles::REPORTS_READER;
use tapdesk_emulator::{Emulator, Event};

/// What Alex (Global Administrator) consents to for the organisation in the audit tests.
const AUDIT_PERMS: &[&str] = &[
    "AuditLog.Read.All",
    "Directory.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];

/// `/auditLogs/directoryAudits` with the query options percent-encoded.
fn audits(options: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in options {
        ser.append_pair(k, v);
    }
    let query = ser.finish();
    let sep = if query.is_empty() { "" } else { "?" };
    format!("/auditLogs/directoryAudits{sep}{query}")
}

async fn get(
    emu: &Emulator,
    path: &str,
    token: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    graph(emu, Method::GET, path, Some(token), None, &[]).await
}

/// `activityDisplayName` of each record in a list answer.
fn activities(list: &Value) -> Vec<String> {
    list["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|r| r["activityDisplayName"].as_str().expect("name").to_string())
        .collect()
}

#[tokio::test]
async fn direct_batch_and_delete_are_audited_newest_first() {
    let emu = start().await;
    let alex = org_token_for(&emu, ALEX, AUDIT_PERMS).await;
    let pradeep = emu.user_id(PRADEEP).expect("id");
    let (s, _, created) = graph(
        &emu,
        Method::POST,
        &taps_path(PRADEEP),
        Some(&alex),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let top1 = audits(&[("$top", "1")]);
    let (_, _, b) = batch(
        &emu,
        &alex,
        json!([create_item("1", JOHANNA), {"id": "2", "method": "GET", "url": top1, "dependsOn": ["1"]}]),
    )
    .await;
    assert_eq!(item(&b, "2")["status"], 200, "{b}");
    assert_eq!(
        item(&b, "2")["body"]["value"][0]["targetResources"][0]["userPrincipalName"],
        JOHANNA
    );
    let one = format!(
        "{}/{}",
        taps_path(PRADEEP),
        created["id"].as_str().expect("id")
    );
    let (s, _, _) = graph(&emu, Method::DELETE, &one, Some(&alex), None, &[]).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (s, _, list) = get(&emu, &audits(&[]), &alex).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(
        activities(&list),
        [
            "Admin deleted security info",
            "Admin registered security info",
            "Admin registered security info"
        ]
    );
    let deleted = &list["value"][0];
    assert_eq!(
        deleted["resultReason"],
        "Admin deleted temporary access pass method for user"
    );
    assert_eq!(deleted["operationType"], "Delete");
    assert_eq!(deleted["category"], "UserManagement");
    assert_eq!(deleted["result"], "success");
    assert_eq!(deleted["loggedByService"], "Authentication Methods");
    assert_eq!(deleted["initiatedBy"]["user"]["userPrincipalName"], ALEX);
    assert!(deleted["initiatedBy"]["app"].is_null());
    assert_eq!(
        deleted["targetResources"],
        json!([{"id": pradeep, "displayName": "Pradeep Gupta", "userPrincipalName": PRADEEP, "type": "User"}])
    );
    assert_eq!(deleted["additionalDetails"], json!([]));
    assert!(deleted["activityDateTime"]
        .as_str()
        .expect("time")
        .ends_with('Z'));
    assert_eq!(
        list["value"][2]["resultReason"],
        "Admin registered temporary access pass method for user"
    );
    let recorded = emu.audit_records();
    assert_eq!(recorded.len(), 3);
    assert_eq!(
        recorded[2].id,
        deleted["id"].as_str().expect("id"),
        "oldest first in Rust"
    );

    let target = format!("targetResources/any(t: t/id eq '{pradeep}') and loggedByService eq 'Authentication Methods'");
    let (_, _, mine) = get(&emu, &audits(&[("$filter", &target)]), &alex).await;
    assert_eq!(mine["value"].as_array().map(Vec::len), Some(2));
    let deletes =
        "activityDisplayName eq 'Admin deleted security info' and category eq 'UserManagement'";
    let (_, _, d) = get(&emu, &audits(&[("$filter", deletes)]), &alex).await;
    assert_eq!(activities(&d), ["Admin deleted security info"]);
    let later = format!(
        "activityDateTime ge {}",
        tapdesk_emulator::clock::seconds_z(emu.now() + time::Duration::hours(1))
    );
    let (_, _, none) = get(&emu, &audits(&[("$filter", &later)]), &alex).await;
    assert_eq!(none["value"], json!([]));
    emu.shutdown().await;
}

#[tokio::test]
async fn audit_log_pages_with_top_and_next_link() {
    let emu = start().await;
    let alex = org_token_for(&emu, ALEX, AUDIT_PERMS).await;
    for n in 0..5 {
        emu.register_method(
            PRADEEP,
            "#microsoft.graph.fido2AuthenticationMethod",
            Some(&format!("key {n}")),
        )
        .expect("registered");
    }
    let by = format!(
        "initiatedBy/user/id eq '{}'",
        emu.user_id(PRADEEP).expect("id")
    );
    let mut url = format!(
        "{}/beta{}",
        emu.graph_url(),
        audits(&[("$top", "2"), ("$filter", &by)])
    );
    let mut ids = vec![];
    let mut pages = 0;
    loop {
        let (s, _, page) = get(&emu, &url, &alex).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        pages += 1;
        ids.extend(
            page["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(|r| r["id"].clone()),
        );
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.contains("$filter=") && next.contains("/beta/"),
                    "{next}"
                );
                url = next.to_string();
            }
            None => break,
        }
        assert!(pages < 5, "paging ends");
    }
    let expected: Vec<Value> = emu
        .audit_records()
        .iter()
        .rev()
        .map(|r| json!(r.id))
        .collect();
    assert_eq!((pages, ids), (3, expected));
    let r = get(&emu, &audits(&[("$top", "1001")]), &alex).await;
    assert_graph_error(&r, 400, "Request_BadRequest", "between 1 and 1000");
    emu.shutdown().await;
}

#[tokio::test]
async fn audit_log_refuses_unsupported_filters_and_callers_without_scope_or_role() {
    let emu = start().await;
    let grady_before = token_for(&emu, GRADY).await;
    let r = get(&emu, &audits(&[]), &grady_before).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let alex = org_token_for(&emu, ALEX, AUDIT_PERMS).await;
    for filter in ["result eq 'success'", "category eq 'a' or category eq 'b'"] {
        let r = get(&emu, &audits(&[("$filter", filter)]), &alex).await;
        assert_graph_error(
            &r,
            400,
            "Request_UnsupportedQuery",
            "Unsupported filter clause",
        );
    }
    let r = get(
        &emu,
        &audits(&[("$filter", "activityDateTime ge someday")]),
        &alex,
    )
    .await;
    assert_graph_error(&r, 400, "BadRequest", "RFC 3339");
    let diego = token_for(&emu, DIEGO).await;
    let r = get(&emu, &audits(&[]), &diego).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.add_role(DIEGO, REPORTS_READER).expect("role");
    assert_eq!(
        get(&emu, &audits(&[]), &diego).await.0,
        StatusCode::OK,
        "live roles"
    );
    let grady = token_for(&emu, GRADY).await;
    assert_eq!(get(&emu, &audits(&[]), &grady).await.0, StatusCode::OK);
    emu.shutdown().await;
}

fn mail(to: &[&str]) -> Value {
    let to: Vec<Value> = to
        .iter()
        .map(|a| json!({"emailAddress": {"address": a, "name": "New hire"}}))
        .collect();
    json!({"message": {
        "subject": "Your Temporary Access Pass",
        "body": {"contentType": "html", "content": "<p>Welcome</p>"},
        "toRecipients": to,
        "ccRecipients": [{"emailAddress": {"address": MEGAN}}],
    }, "saveToSentItems": false})
}

#[tokio::test]
async fn send_mail_is_accepted_recorded_and_checked() {
    let emu = start().await;
    let adele = tokens_for(&emu, ADELE, &["Mail.Send", "User.Read.All"]).await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let send = |path: String, token: String, body: Value| {
        let emu = &emu;
        async move { graph(emu, Method::POST, &path, Some(&token), Some(body), &[]).await }
    };
    let (s, _, v) = send("/me/sendMail".into(), adele.clone(), mail(&[PRADEEP])).await;
    assert_eq!((s, v), (StatusCode::ACCEPTED, Value::Null));
    let (s, _, _) = send(
        format!("/users/{ADELE}/sendMail"),
        adele.clone(),
        mail(&[JOHANNA]),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let sent = emu.mails();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (
            sent[0].from.as_str(),
            sent[0].to.clone(),
            sent[0].cc.clone()
        ),
        (ADELE, vec![PRADEEP.to_string()], vec![MEGAN.to_string()])
    );
    assert_eq!(
        (
            sent[0].subject.as_str(),
            sent[0].content_type.as_str(),
            sent[0].content.as_str()
        ),
        ("Your Temporary Access Pass", "HTML", "<p>Welcome</p>")
    );
    assert_eq!(
        count_events(&emu, |e| matches!(e, Event::MailSent { .. })),
        2
    );

    let r = send(
        format!("/users/{PRADEEP}/sendMail"),
        adele.clone(),
        mail(&[JOHANNA]),
    )
    .await;
    assert_graph_error(&r, 403, "ErrorAccessDenied", "Access is denied");
    let mut no_one = mail(&[]);
    no_one["message"]["ccRecipients"] = json!([]);
    let r = send("/me/sendMail".into(), adele.clone(), no_one).await;
    assert_graph_error(&r, 400, "ErrorInvalidRecipients", "no recipients");
    let r = send("/me/sendMail".into(), adele.clone(), mail(&["pradeep"])).await;
    assert_graph_error(&r, 400, "ErrorInvalidRecipients", "'pradeep'");
    let r = send(
        "/me/sendMail".into(),
        adele.clone(),
        json!({"saveToSentItems": true}),
    )
    .await;
    assert_graph_error(&r, 400, "ErrorInvalidRequest", "message");
    let diego = token_for(&emu, DIEGO).await;
    let r = send("/me/sendMail".into(), diego, mail(&[PRADEEP])).await;
    assert_graph_error(&r, 403, "ErrorAccessDenied", "Access is denied");
    assert_eq!(emu.mails().len(), 2, "refused mails are not recorded");
    emu.shutdown().await;
}

#[tokio::test]
async fn registered_methods_of_any_type_are_listed_and_audited() {
    let emu = start().await;
    let quantum = "#microsoft.graph.quantumAuthenticationMethod";
    let id = emu
        .register_method(PRADEEP, quantum, Some("Q-key"))
        .expect("registered");
    let resp = http()
        .post(format!(
            "{}/_emulator/users/{PRADEEP}/methods",
            emu.login_url()
        ))
        .json(&json!({"odataType": "#microsoft.graph.platformCredentialAuthenticationMethod"}))
        .send()
        .await
        .expect("control");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let platform_id = resp.json::<Value>().await.expect("json")["id"].clone();
    assert!(emu
        .register_method(
            PRADEEP,
            "#microsoft.graph.passwordAuthenticationMethod",
            None
        )
        .is_err());

    let token = token_for(&emu, ADELE).await;
    let path = format!("/users/{PRADEEP}/authentication/methods");
    let (_, _, list) = get(&emu, &path, &token).await;
    let methods = list["value"].as_array().expect("value");
    let q = methods
        .iter()
        .find(|m| m["id"] == id.as_str())
        .expect("quantum listed");
    assert_eq!(
        (&q["@odata.type"], &q["displayName"]),
        (&json!(quantum), &json!("Q-key"))
    );
    let created = q["createdDateTime"].as_str().expect("created");
    assert!(
        tapdesk_emulator::clock::parse_date_time(created).is_some(),
        "{created}"
    );
    let p = methods
        .iter()
        .find(|m| m["id"] == platform_id)
        .expect("platform listed");
    assert!(p.get("displayName").is_none());

    assert!(emu.events().contains(&Event::MethodRegistered {
        upn: PRADEEP.into(),
        odata_type: quantum.into()
    }));
    let first = &emu.audit_records()[0];
    assert_eq!(
        (
            first.activity_display_name.as_str(),
            first.result_reason.as_str()
        ),
        (
            "User registered security info",
            "User registered quantum method"
        )
    );
    assert_eq!(
        first
            .initiated_by
            .user
            .as_ref()
            .map(|u| u.user_principal_name.as_str()),
        Some(PRADEEP)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn seeded_passes_are_listed_and_a_used_one_time_pass_is_spent() {
    let emu = start().await;
    let once = emu.seed_pass(PRADEEP, emu.now(), 60, true).expect("seeded");
    emu.seed_pass(JOHANNA, emu.now() - time::Duration::hours(1), 30, false)
        .expect("seeded");
    let multi = emu
        .seed_pass(JOHANNA, emu.now(), 120, false)
        .expect("replaced");
    assert_eq!(
        emu.passes(JOHANNA),
        vec![multi.clone()],
        "one pass per user"
    );
    assert!(emu.audit_records().is_empty(), "seeding is not audited");
    assert_eq!(
        count_events(&emu, |e| matches!(e, Event::PassCreated { .. })),
        0
    );

    let used = http()
        .post(format!(
            "{}/_emulator/users/{PRADEEP}/pass/use",
            emu.login_url()
        ))
        .send()
        .await
        .expect("control");
    assert_eq!(used.status(), StatusCode::OK);
    assert_eq!(used.json::<Value>().await.expect("json")["used"], true);
    assert!(emu.mark_pass_used(JOHANNA));
    let none = http()
        .post(format!(
            "{}/_emulator/users/{DIEGO}/pass/use",
            emu.login_url()
        ))
        .send()
        .await
        .expect("control");
    assert_eq!(none.status(), StatusCode::NOT_FOUND);

    let token = token_for(&emu, ADELE).await;
    let (_, _, p) = get(&emu, &taps_path(PRADEEP), &token).await;
    let p = &p["value"][0];
    assert_eq!(
        (&p["id"], &p["isUsable"], &p["methodUsabilityReason"]),
        (&json!(once.id), &json!(false), &json!("OneTimeUsed"))
    );
    let (_, _, j) = get(&emu, &taps_path(JOHANNA), &token).await;
    let j = &j["value"][0];
    assert_eq!(
        (&j["id"], &j["lifetimeInMinutes"]),
        (&json!(multi.id), &json!(120))
    );
    assert_eq!(
        (&j["isUsable"], &j["methodUsabilityReason"]),
        (&json!(true), &json!("EnabledByPolicy"))
    );
    emu.shutdown().await;
}
