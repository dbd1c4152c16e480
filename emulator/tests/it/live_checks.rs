//! Integration tests of changes that take effect on tokens already issued: live role removal
//! and addition, consent withdrawal, and refresh-token expiry (Rust and control API).

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::roles::AUTHENTICATION_ADMINISTRATOR;
use tapdesk_emulator::ControlError;

async fn create(
    emu: &tapdesk_emulator::Emulator,
    token: &str,
    upn: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    graph(
        emu,
        Method::POST,
        &taps_path(upn),
        Some(token),
        Some(json!({})),
        &[],
    )
    .await
}

#[tokio::test]
async fn graph_authorises_by_live_roles_not_the_tokens_wids() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    assert_eq!(create(&emu, &token, PRADEEP).await.0, StatusCode::CREATED);
    emu.remove_role(ADELE, AUTHENTICATION_ADMINISTRATOR)
        .expect("remove");
    let wids = claims(&token)["wids"].clone();
    assert!(
        wids.as_array()
            .expect("wids")
            .iter()
            .any(|w| w == AUTHENTICATION_ADMINISTRATOR),
        "the token still says so"
    );
    let r = create(&emu, &token, JOHANNA).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true",
        Some(&token),
        None,
        &[("ConsistencyLevel", "eventual")],
    )
    .await;
    assert_eq!(v["value"], json!([]));
    emu.add_role(ADELE, AUTHENTICATION_ADMINISTRATOR)
        .expect("add");
    assert_eq!(create(&emu, &token, JOHANNA).await.0, StatusCode::CREATED);

    // A role given after sign-in works at once; the control API does the same as the Rust one.
    let diego = token_for(&emu, DIEGO).await;
    assert_eq!(create(&emu, &diego, PRADEEP).await.0, StatusCode::FORBIDDEN);
    let url = format!(
        "{}/_emulator/users/{DIEGO}/roles/{AUTHENTICATION_ADMINISTRATOR}",
        emu.login_url()
    );
    assert_eq!(
        http().put(&url).send().await.expect("put").status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(create(&emu, &diego, PRADEEP).await.0, StatusCode::CREATED);
    assert_eq!(
        http().delete(&url).send().await.expect("delete").status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(create(&emu, &diego, PRADEEP).await.0, StatusCode::FORBIDDEN);
    let bad = format!(
        "{}/_emulator/users/{DIEGO}/roles/not-a-guid",
        emu.login_url()
    );
    assert_eq!(
        http().put(&bad).send().await.expect("put").status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        emu.add_role(
            "nobody@contoso.onmicrosoft.com",
            AUTHENTICATION_ADMINISTRATOR
        ),
        Err(ControlError::UnknownUser(
            "nobody@contoso.onmicrosoft.com".into()
        ))
    );
    // The snapshot setting brings back the token's view.
    emu.remove_role(ADELE, AUTHENTICATION_ADMINISTRATOR)
        .expect("remove");
    emu.update_settings(|s| s.roles_from_token = true);
    assert_eq!(create(&emu, &token, PRADEEP).await.0, StatusCode::CREATED);
    emu.shutdown().await;
}

#[tokio::test]
async fn withdrawn_consent_is_refused_even_on_existing_tokens() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.withdraw_consent(
        ADELE,
        &format!("{}/UserAuthMethod-TAP.ReadWrite.All", emu.graph_url()),
    )
    .expect("withdraw");
    assert!(claims(&token)["scp"]
        .as_str()
        .expect("scp")
        .contains("UserAuthMethod-TAP.ReadWrite.All"));
    let r = create(&emu, &token, PRADEEP).await;
    assert_graph_error(&r, 403, "accessDenied", "Request Authorization failed");
    assert!(emu.passes(PRADEEP).is_empty());
    // Reading still works through UserAuthenticationMethod.Read.All.
    let (s, _, _) = graph(
        &emu,
        Method::GET,
        &taps_path(PRADEEP),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // A new token no longer carries the permission.
    let fresh = tokens_for(&emu, ADELE, &["User.Read.All"]).await;
    let scp = claims(fresh["access_token"].as_str().expect("at"))["scp"]
        .as_str()
        .expect("scp")
        .to_string();
    assert!(
        scp.contains("User.Read.All") && !scp.contains("UserAuthMethod-TAP.ReadWrite.All"),
        "{scp}"
    );

    // Over HTTP: withdraw User.Read.All, and reading users stops.
    let url = format!("{}/_emulator/consent/withdraw", emu.login_url());
    let resp = http()
        .post(&url)
        .json(&json!({"upn": ADELE, "scope": "User.Read.All"}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let r = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "User.ReadBasic.All is still granted");
    http()
        .post(&url)
        .json(&json!({"upn": ADELE, "scope": "User.ReadBasic.All"}))
        .send()
        .await
        .expect("post");
    let r = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let resp = http()
        .post(&url)
        .json(&json!({"upn": ADELE, "scope": "Bogus.Read"}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = http()
        .post(&url)
        .json(&json!({"upn": "x@y", "scope": "User.Read"}))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The setting restores the token-only view.
    emu.update_settings(|s| s.live_consent_check = false);
    assert_eq!(create(&emu, &token, PRADEEP).await.0, StatusCode::CREATED);
    emu.shutdown().await;
}

async fn refresh(emu: &tapdesk_emulator::Emulator, rt: &str) -> (StatusCode, Value) {
    let (s, _, v) = token_request(
        emu,
        &[
            ("client_id", emu.client_id()),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
        ],
        Some(ORIGIN_OK),
    )
    .await;
    (s, v)
}

#[tokio::test]
async fn expired_refresh_tokens_fail_with_aadsts700084() {
    let emu = start().await;
    let a = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let b = tokens_for(&emu, MEGAN, TAP_PERMS).await;
    assert_eq!(emu.expire_refresh_tokens(), 2);
    for t in [&a, &b] {
        let (s, v) = refresh(&emu, t["refresh_token"].as_str().expect("rt")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["error"], "invalid_grant");
        assert_eq!(v["error_codes"], json!([700084]));
    }
    // Access tokens are not affected, and a new sign-in gets a working refresh token.
    let at = a["access_token"].as_str().expect("at");
    assert_eq!(
        graph(&emu, Method::GET, "/me", Some(at), None, &[]).await.0,
        StatusCode::OK
    );
    let c = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let (s, v) = refresh(&emu, c["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Over HTTP.
    let resp: Value = http()
        .post(format!(
            "{}/_emulator/refresh-tokens/expire",
            emu.login_url()
        ))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(
        resp["expired"], 1,
        "only the rotated-in token was still live"
    );
    let (s, v) = refresh(&emu, v["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(
        (s, v["error_codes"].clone()),
        (StatusCode::BAD_REQUEST, json!([700084]))
    );
    emu.shutdown().await;
}
