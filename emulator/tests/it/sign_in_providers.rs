//! Integration tests of the sign-in variants of issue 11 (points 5, 13 and 14) and the token
//! request count of issue 12 point 17: a generic OpenID provider, refused silent sign-ins, the
//! cancelled consent, the `login_hint` claim and `logout_hint`.

use crate::support::flow::*;
use reqwest::StatusCode;
use serde_json::Value;
use tapdesk_emulator::{seed, Event, SilentRefusal};

async fn discovery(emu: &tapdesk_emulator::Emulator) -> Value {
    http()
        .get(format!(
            "{}/.well-known/openid-configuration",
            emu.authority()
        ))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn a_generic_provider_refuses_select_account_and_issues_no_entra_claims() {
    let emu = start().await;
    let s = scope(&emu, TAP_PERMS);
    // Entra (the default) accepts select_account and publishes no prompt_values_supported.
    let page = Browser::new()
        .get(&authorize_url(&emu, &s, &[("prompt", "select_account")]))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(discovery(&emu)
        .await
        .get("prompt_values_supported")
        .is_none());

    emu.update_settings(|s| s.generic_oidc_provider = true);
    let p = Browser::new()
        .get(&authorize_url(&emu, &s, &[("prompt", "select_account")]))
        .await
        .redirect_params();
    assert_eq!(p["error"], "invalid_request");
    assert_eq!(p["error_description"], "unsupported prompt value requested");
    assert_eq!(p["state"], "st-123");

    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let id = claims(v["id_token"].as_str().expect("id token"));
    for entra_only in ["wids", "tid", "upn", "oid", "login_hint"] {
        assert!(id.get(entra_only).is_none(), "{entra_only} in {id}");
    }
    assert_eq!(id["name"], "Adele Vance");
    assert!(id["sub"].is_string());
    assert_eq!(id["iss"], emu.authority());

    emu.update_settings(|s| {
        s.prompt_values_supported = Some(vec!["none".into(), "login".into(), "consent".into()])
    });
    assert_eq!(
        discovery(&emu).await["prompt_values_supported"],
        serde_json::json!(["none", "login", "consent"])
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn each_silent_refusal_is_answered_as_entra_does() {
    let emu = start().await;
    let s = scope(&emu, TAP_PERMS);
    let mut b = Browser::new();
    b.sign_in(&emu, ADELE, &s, false).await;
    for (refusal, error, code) in [
        (
            SilentRefusal::LoginRequired,
            "login_required",
            "AADSTS50058",
        ),
        (
            SilentRefusal::MfaRequired,
            "interaction_required",
            "AADSTS50076",
        ),
        (
            SilentRefusal::MfaRegistrationRequired,
            "interaction_required",
            "AADSTS50079",
        ),
        (
            SilentRefusal::ConditionalAccess,
            "interaction_required",
            "AADSTS53003",
        ),
        (
            SilentRefusal::ConsentRequired,
            "consent_required",
            "AADSTS65001",
        ),
    ] {
        emu.update_settings(|s| s.silent_sign_in_refusal = Some(refusal));
        let p = b
            .get(&authorize_url(
                &emu,
                &s,
                &[("prompt", "none"), ("login_hint", ADELE)],
            ))
            .await
            .redirect_params();
        assert_eq!(p["error"], error, "{refusal:?}");
        assert!(p["error_description"].starts_with(code), "{p:?}");
        assert_eq!(p["state"], "st-123");
        // Interactive sign-in with the same hint still works.
        let page = b
            .get(&authorize_url(&emu, &s, &[("login_hint", ADELE)]))
            .await;
        assert!(page.redirect_params().contains_key("code"), "{refusal:?}");
    }
    emu.update_settings(|s| s.silent_sign_in_refusal = None);
    let p = b
        .get(&authorize_url(&emu, &s, &[("prompt", "none")]))
        .await
        .redirect_params();
    assert!(p.contains_key("code"));
    let hinted = emu.events().iter().any(|e| {
        matches!(e, Event::AuthorizeRequested { prompt: Some(p), login_hint: Some(h), .. } if p == "none" && h == ADELE)
    });
    assert!(hinted, "the authorize event records the login_hint");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_consent_comes_back_as_entra_sends_it() {
    let emu = start_with(false).await;
    let s = scope(&emu, TAP_PERMS);
    let mut admin = Browser::new();
    let page = admin.get(&authorize_url(&emu, &s, &[])).await;
    let consent = admin
        .submit(&emu.login_url(), &page, &[("account", ALEX)])
        .await;
    let p = admin
        .submit(&emu.login_url(), &consent, &[("decision", "cancel")])
        .await
        .redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert!(p["error_description"].starts_with("AADSTS65004: User declined to consent"));
    assert_eq!(p["error_subcode"], "cancel");
    assert_eq!(
        p["error_uri"],
        format!("{}/error?code=65004", emu.login_url())
    );
    assert_eq!(p["admin_consent"], "True");
    assert_eq!(p["state"], "st-123");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_login_hint_claim_is_optional_and_logout_records_its_hint() {
    let emu = start().await;
    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let id = claims(v["id_token"].as_str().expect("id token"));
    assert!(id.get("login_hint").is_none(), "not a default claim");

    emu.update_settings(|s| s.login_hint_claim = true);
    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let id = claims(v["id_token"].as_str().expect("id token"));
    let hint = id["login_hint"].as_str().expect("login_hint claim");
    assert!(
        !hint.contains(ADELE) && !hint.contains('@'),
        "opaque: {hint}"
    );

    let mut b = Browser::new();
    b.sign_in(&emu, ADELE, &scope(&emu, TAP_PERMS), false).await;
    let logout = format!(
        "{}/{}/oauth2/v2.0/logout?logout_hint={}",
        emu.login_url(),
        seed::TENANT_ID,
        url::form_urlencoded::byte_serialize(hint.as_bytes()).collect::<String>()
    );
    b.get(&logout).await;
    assert!(emu.events().iter().any(|e| matches!(e,
        Event::SignedOut { upn: Some(u), logout_hint: Some(h) } if u == ADELE && h == hint)));
    emu.shutdown().await;
}

#[tokio::test]
async fn every_token_request_is_counted_refused_ones_too() {
    let emu = start().await;
    let (status, _) = redeem(&emu, "not-a-code").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = token_request(&emu, &[("grant_type", "authorization_code")], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let requested = count_events(&emu, |e| matches!(e, Event::TokenRequested { .. }));
    let issued = count_events(&emu, |e| matches!(e, Event::TokenIssued { .. }));
    assert_eq!((requested, issued), (2, 0));
    emu.shutdown().await;
}
