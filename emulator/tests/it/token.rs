//! Integration tests of the token endpoint: PKCE verification, code replay and expiry,
//! redirect URI binding, SPA CORS rules, refresh rotation and the 24-hour SPA limit.

use std::time::Duration;

use crate::support::flow::*;
use reqwest::StatusCode;
use tapdesk_emulator::seed;

#[tokio::test]
async fn pkce_mismatch_code_replay_and_redirect_mismatch_at_token() {
    let emu = start().await;
    let code = Browser::new()
        .sign_in(&emu, ADELE, &scope(&emu, TAP_PERMS), false)
        .await;
    let form = |verifier: &'static str, redirect: &'static str| {
        vec![
            ("client_id", emu.client_id().to_string()),
            ("grant_type", "authorization_code".to_string()),
            ("code", code.clone()),
            ("redirect_uri", redirect.to_string()),
            ("code_verifier", verifier.to_string()),
        ]
    };
    let call = |f: Vec<(&'static str, String)>| {
        let emu = &emu;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token_request(emu, &refs, Some(ORIGIN_OK)).await
        }
    };
    let (s, _, v) = call(form(
        "wrong-verifier-wrong-verifier-wrong-verifier-x",
        REDIRECT,
    ))
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["error_codes"][0], 501481);
    let desc = v["error_description"].as_str().expect("desc");
    assert!(desc.starts_with("AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."));
    assert!(
        desc.contains("\r\nTrace ID: ")
            && desc.contains("\r\nCorrelation ID: ")
            && desc.contains("\r\nTimestamp: ")
    );
    assert!(
        v["trace_id"].is_string() && v["correlation_id"].is_string() && v["timestamp"].is_string()
    );

    let (s, _, v) = call(form(VERIFIER, "http://127.0.0.1:5555/other")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error_codes"][0], 50011);

    let (s, _, v) = call(form(VERIFIER, REDIRECT)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _, v) = call(form(VERIFIER, REDIRECT)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "replay must fail");
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["error_codes"][0], 54005);

    let (s, _, v) = token_request(
        &emu,
        &[
            ("client_id", "00000000-0000-0000-0000-000000000000"),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
        Some(ORIGIN_OK),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (v["error"].as_str(), v["error_codes"][0].as_u64()),
        (Some("invalid_client"), Some(700016))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn expired_code_is_refused() {
    let emu = start().await;
    let code = Browser::new()
        .sign_in(&emu, ADELE, &scope(&emu, TAP_PERMS), false)
        .await;
    emu.advance_clock(Duration::from_secs(11 * 60));
    let (s, v) = redeem(&emu, &code).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error_codes"][0], 70008);
    emu.shutdown().await;
}

#[tokio::test]
async fn token_cors_is_only_for_registered_spa_origins() {
    let emu = start().await;
    let form = [
        ("client_id", emu.client_id()),
        ("grant_type", "authorization_code"),
        ("code", "x"),
    ];
    let (s, h, v) = token_request(&emu, &form, Some("http://127.0.0.1:6666")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(v["error_codes"][0], 9002326);
    assert!(v["error_description"].as_str().expect("d").starts_with("AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type."));
    assert_ne!(
        h.get("access-control-allow-origin")
            .and_then(|x| x.to_str().ok()),
        Some(ORIGIN_OK)
    );

    let (s, h, v) = token_request(&emu, &form, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error_codes"][0], 9002327);
    assert!(h.get("access-control-allow-origin").is_none());

    // A registered origin gets ACAO even on errors, so the page can read them.
    let (s, h, v) = token_request(&emu, &form, Some(ORIGIN_OK)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error_codes"][0], 70008);
    assert_eq!(h["access-control-allow-origin"], ORIGIN_OK);
    assert_eq!(h["vary"], "Origin");

    let token_url = format!("{}/{}/oauth2/v2.0/token", emu.login_url(), seed::TENANT_ID);
    let pre = http()
        .request(reqwest::Method::OPTIONS, &token_url)
        .header("origin", ORIGIN_OK)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("preflight");
    assert!(pre.status().is_success());
    assert_eq!(pre.headers()["access-control-allow-origin"], ORIGIN_OK);
    let pre = http()
        .request(reqwest::Method::OPTIONS, &token_url)
        .header("origin", "http://127.0.0.1:6666")
        .send()
        .await
        .expect("preflight");
    assert!(pre.headers().get("access-control-allow-origin").is_none());

    // Registering a URI at run time opens its origin.
    emu.register_redirect_uri("http://127.0.0.1:6666/app/");
    let (_, _, v) = token_request(&emu, &form, Some("http://127.0.0.1:6666")).await;
    assert_eq!(v["error_codes"][0], 70008);
    emu.shutdown().await;
}

#[tokio::test]
async fn refresh_rotates_and_dies_24_hours_after_sign_in() {
    let emu = start().await;
    let first = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let rt1 = first["refresh_token"].as_str().expect("rt").to_string();
    let refresh = |rt: String| {
        let emu = &emu;
        async move {
            let (s, h, v) = token_request(
                emu,
                &[
                    ("client_id", emu.client_id()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("scope", &scope(emu, TAP_PERMS)),
                ],
                Some(ORIGIN_OK),
            )
            .await;
            assert_eq!(h["access-control-allow-origin"], ORIGIN_OK);
            (s, v)
        }
    };
    emu.advance_clock(Duration::from_secs(20 * 3600));
    let (s, second) = refresh(rt1.clone()).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let rt2 = second["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_string();
    assert_ne!(rt1, rt2);
    assert!(second["id_token"].is_string());
    let (s, v) = refresh(rt1).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "old refresh token is dead after rotation"
    );
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["error_codes"][0], 70000);

    // 24 h after the first sign-in, however recent the refresh.
    emu.advance_clock(Duration::from_secs(4 * 3600 + 1));
    let (s, v) = refresh(rt2).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["error_codes"][0], 700084);
    assert!(v["error_description"]
        .as_str()
        .expect("d")
        .starts_with("AADSTS700084: The refresh token was issued to a single page app (SPA)"));
    emu.shutdown().await;
}
