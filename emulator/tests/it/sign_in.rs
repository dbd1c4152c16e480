//! Integration tests of the sign-in origin: discovery, JWKS, the authorize pages and the
//! full code flow, prompt=none, consent, logout.

use crate::support::flow::{self, *};
use reqwest::StatusCode;
use serde_json::Value;
use tapdesk_emulator::seed;

#[tokio::test]
async fn discovery_has_the_entra_shape_and_jwks_matches_tokens() {
    let emu = start().await;
    let url = format!("{}/.well-known/openid-configuration", emu.authority());
    let resp = http().get(&url).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let d: Value = resp.json().await.expect("json");
    assert_eq!(d["issuer"], emu.authority());
    let base = format!("{}/{}", emu.login_url(), seed::TENANT_ID);
    assert_eq!(
        d["authorization_endpoint"],
        format!("{base}/oauth2/v2.0/authorize")
    );
    assert_eq!(d["token_endpoint"], format!("{base}/oauth2/v2.0/token"));
    assert_eq!(
        d["end_session_endpoint"],
        format!("{base}/oauth2/v2.0/logout")
    );
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );
    assert!(
        d.get("code_challenge_methods_supported").is_none(),
        "Entra does not publish it"
    );
    emu.set_publish_code_challenge_methods(true);
    let d: Value = http()
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );

    // The domain works as tenant segment too; an unknown tenant is AADSTS90002.
    let by_domain = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        emu.login_url(),
        seed::DOMAIN
    );
    assert_eq!(
        http().get(by_domain).send().await.expect("get").status(),
        StatusCode::OK
    );
    let bad = format!(
        "{}/nope/v2.0/.well-known/openid-configuration",
        emu.login_url()
    );
    let resp = http().get(bad).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let e: Value = resp.json().await.expect("json");
    assert_eq!(e["error_codes"][0], 90002);

    let resp = http()
        .get(d["jwks_uri"].as_str().expect("jwks"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let jwks: Value = resp.json().await.expect("json");
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("EC"), Some("P-256"), Some("ES256"))
    );
    let tokens = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let header = tokens["access_token"]
        .as_str()
        .expect("at")
        .split('.')
        .next()
        .expect("header")
        .to_string();
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header)
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(header["alg"], "ES256");
    emu.shutdown().await;
}

#[tokio::test]
async fn full_pkce_code_flow_over_http() {
    let emu = start().await;
    let mut b = Browser::new();
    let page = b
        .get(&authorize_url(&emu, &scope(&emu, TAP_PERMS), &[]))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"account-adele.vance\""));
    assert!(page.body.contains("Sign in as Adele Vance"));
    assert!(page.body.contains("id=\"upn\"") && page.body.contains("id=\"signin\""));
    // Typing the UPN in the text box (the second form) works like the button.
    let typed_form = flow::Page {
        status: page.status,
        headers: page.headers.clone(),
        body: page
            .body
            .split("</form>")
            .nth(1)
            .expect("second form")
            .to_string(),
    };
    let redirect = b
        .submit(
            &emu.login_url(),
            &typed_form,
            &[("upn", "Adele.Vance@contoso.onmicrosoft.com")],
        )
        .await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    assert!(b.cookie.is_some(), "esid session cookie set");
    let set_cookie = redirect.headers["set-cookie"].to_str().expect("ascii");
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
            && set_cookie.contains("Path=/")
    );
    let params = redirect.redirect_params();
    assert_eq!(params["state"], "st-123");
    let code = params["code"].clone();

    let (status, headers, v) = token_request(
        &emu,
        &[
            ("client_id", emu.client_id()),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("scope", &scope(&emu, TAP_PERMS)),
        ],
        Some(ORIGIN_OK),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN_OK);
    assert!(headers["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("application/json"));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3599);
    assert!(v["refresh_token"].is_string());
    let scope_str = v["scope"].as_str().expect("scope");
    assert!(
        scope_str.contains(&format!(
            "{}/UserAuthMethod-TAP.ReadWrite.All",
            emu.graph_url()
        )),
        "{scope_str}"
    );

    let at = claims(v["access_token"].as_str().expect("at"));
    assert_eq!(at["aud"], emu.graph_url());
    assert_eq!(
        at["iss"],
        format!("{}/{}/", emu.login_url(), seed::TENANT_ID)
    );
    assert_eq!(at["appid"], emu.client_id());
    assert_eq!(at["upn"], ADELE);
    assert_eq!(at["oid"], emu.user_id(ADELE).expect("id"));
    let scp = at["scp"].as_str().expect("scp");
    assert!(
        scp.split(' ')
            .any(|s| s == "UserAuthMethod-TAP.ReadWrite.All"),
        "{scp}"
    );
    let wids: Vec<&str> = at["wids"]
        .as_array()
        .expect("wids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(wids.contains(&"c4e39bd9-1100-46d3-8c65-fb160da0071f"));
    assert!(wids.contains(&"b79fbf4d-3ef9-4689-8143-76b194e85509"));
    assert_eq!(
        at["exp"].as_i64().expect("exp") - at["iat"].as_i64().expect("iat"),
        3599
    );

    let id = claims(v["id_token"].as_str().expect("id token"));
    assert_eq!(id["aud"], emu.client_id());
    assert_eq!(id["iss"], emu.authority());
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["preferred_username"], ADELE);
    assert_eq!(id["name"], "Adele Vance");

    assert!(emu.events().iter().any(|e| matches!(e,
        tapdesk_emulator::Event::TokenIssued { upn, grant_type, .. } if upn == ADELE && grant_type == "authorization_code")));
    emu.shutdown().await;
}

#[tokio::test]
async fn no_refresh_or_id_token_without_their_scopes_and_fragment_mode() {
    let emu = start().await;
    let mut b = Browser::new();
    let s = format!("{}/User.Read.All", emu.graph_url());
    let page = b
        .get(&authorize_url(&emu, &s, &[("response_mode", "fragment")]))
        .await;
    let r = b
        .submit(&emu.login_url(), &page, &[("account", DIEGO)])
        .await;
    let loc = r.location().expect("redirect");
    assert!(loc.starts_with(&format!("{REDIRECT}#code=")), "{loc}");
    let (status, v) = redeem(&emu, &r.redirect_params()["code"]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        v.get("refresh_token").is_none() && v.get("id_token").is_none(),
        "{v}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn authorize_errors_render_pages_or_redirect_as_entra_does() {
    let emu = start().await;
    let mut b = Browser::new();
    // Unregistered redirect URI: an HTML error page, never a redirect.
    let url = authorize_url(&emu, "openid", &[]).replace("5555%2F", "5555%2Fevil");
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location().is_none());
    assert!(page.headers["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    assert!(page.body.contains("AADSTS50011"), "{}", page.body);
    assert!(page.body.contains("http://127.0.0.1:5555/evil"));

    // Unknown client: page with AADSTS700016.
    let url = authorize_url(&emu, "openid", &[])
        .replace(emu.client_id(), "11111111-2222-3333-4444-555555555555");
    let page = b.get(&url).await;
    assert!(page.location().is_none() && page.body.contains("AADSTS700016"));

    // No PKCE: redirect with invalid_request AADSTS9002325.
    let url = authorize_url(&emu, "openid", &[])
        .replace("code_challenge_method=S256", "code_challenge_method=plain");
    let p = b.get(&url).await.redirect_params();
    assert_eq!(p["error"], "invalid_request");
    assert!(p["error_description"]
        .starts_with("AADSTS9002325: Proof Key for Code Exchange is required"));
    assert_eq!(p["state"], "st-123");

    // response_type=token: unsupported_response_type.
    let url =
        authorize_url(&emu, "openid", &[]).replace("response_type=code", "response_type=token");
    assert_eq!(
        b.get(&url).await.redirect_params()["error"],
        "unsupported_response_type"
    );

    // Unknown tenant: page with AADSTS90002.
    let url = authorize_url(&emu, "openid", &[]).replace(seed::TENANT_ID, "fabrikam.com");
    let page = b.get(&url).await;
    assert!(page.location().is_none() && page.body.contains("AADSTS90002"));

    // Parameters are HTML-escaped in the hidden fields.
    let page = b
        .get(&authorize_url(
            &emu,
            "openid",
            &[("login_hint", "\"><script>alert(1)</script>")],
        ))
        .await;
    assert!(!page.body.contains("<script>"));
    assert!(page.body.contains("&quot;&gt;&lt;script&gt;"));
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_and_disabled_accounts() {
    let emu = start().await;
    let mut b = Browser::new();
    let page = b.get(&authorize_url(&emu, "openid", &[])).await;
    let again = b
        .submit(
            &emu.login_url(),
            &page,
            &[("account", "nobody@contoso.onmicrosoft.com")],
        )
        .await;
    assert!(again.location().is_none());
    assert!(
        again
            .body
            .contains("AADSTS50034: The user account does not exist in the directory"),
        "{}",
        again.body
    );
    assert!(
        again.body.contains("id=\"accounts\""),
        "the chooser is shown again"
    );
    let disabled = b.submit(&emu.login_url(), &page, &[("account", LEE)]).await;
    assert!(disabled.location().is_none());
    assert!(disabled.body.contains("AADSTS50057"));
    assert!(b.cookie.is_none(), "no session for failed sign-ins");
    emu.shutdown().await;
}

#[tokio::test]
async fn login_hint_preselects_the_account() {
    let emu = start().await;
    let page = Browser::new()
        .get(&authorize_url(&emu, "openid", &[("login_hint", PRADEEP)]))
        .await;
    assert!(page.body.contains("id=\"account-pradeep.gupta\""));
    assert!(!page.body.contains("id=\"account-adele.vance\""));
    emu.shutdown().await;
}

#[tokio::test]
async fn prompt_none_uses_the_session_cookie() {
    let emu = start().await;
    let s = scope(&emu, TAP_PERMS);
    let mut fresh = Browser::new();
    let p = fresh
        .get(&authorize_url(&emu, &s, &[("prompt", "none")]))
        .await
        .redirect_params();
    assert_eq!(p["error"], "login_required");
    assert!(p["error_description"].starts_with("AADSTS50058"));
    assert_eq!(p["state"], "st-123");

    let mut b = Browser::new();
    b.sign_in(&emu, ADELE, &s, false).await;
    let page = b.get(&authorize_url(&emu, &s, &[("prompt", "none")])).await;
    let code = page.redirect_params()["code"].clone();
    let (status, v) = redeem(&emu, &code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        claims(v["access_token"].as_str().expect("at"))["upn"],
        ADELE
    );

    // A hint naming someone else is not satisfied silently.
    let p = b
        .get(&authorize_url(
            &emu,
            &s,
            &[("prompt", "none"), ("login_hint", MEGAN)],
        ))
        .await
        .redirect_params();
    assert_eq!(p["error"], "login_required");

    // Without prompt, the session signs in without the chooser; prompt=login shows it.
    assert_eq!(
        b.get(&authorize_url(&emu, &s, &[])).await.status,
        StatusCode::FOUND
    );
    let chooser = b
        .get(&authorize_url(&emu, &s, &[("prompt", "login")]))
        .await;
    assert!(chooser.body.contains("id=\"accounts\""));
    emu.shutdown().await;
}

#[tokio::test]
async fn consent_pages_when_admin_consent_is_missing() {
    let emu = start_with(false).await;
    let s = scope(&emu, &["User.Read.All", "UserAuthMethod-TAP.ReadWrite.All"]);

    // A user without an admin role: "Need admin approval", and the way back is access_denied.
    let mut b = Browser::new();
    let page = b.get(&authorize_url(&emu, &s, &[])).await;
    let page = b
        .submit(&emu.login_url(), &page, &[("account", DIEGO)])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Need admin approval") && page.body.contains("AADSTS90094"));
    let href = page
        .body
        .split("id=\"consent-return\" href=\"")
        .nth(1)
        .expect("link")
        .split('"')
        .next()
        .expect("href");
    let back = b
        .get(&format!("{}{}", emu.login_url(), unescape(href)))
        .await;
    assert_eq!(back.redirect_params()["error"], "access_denied");
    // Silent sign-in reports the missing consent.
    let p = b
        .get(&authorize_url(&emu, &s, &[("prompt", "none")]))
        .await
        .redirect_params();
    assert_eq!(p["error"], "consent_required");
    assert!(p["error_description"].starts_with("AADSTS65001"));

    // A Global Administrator sees the consent page with the organisation box.
    let mut admin = Browser::new();
    let page = admin.get(&authorize_url(&emu, &s, &[])).await;
    let consent = admin
        .submit(&emu.login_url(), &page, &[("account", ALEX)])
        .await;
    assert!(
        consent.body.contains("id=\"consent-accept\"")
            && consent.body.contains("id=\"consent-cancel\"")
    );
    assert!(consent
        .body
        .contains("Consent on behalf of your organization"));
    assert!(consent.body.contains("UserAuthMethod-TAP.ReadWrite.All"));
    let cancelled = admin
        .submit(&emu.login_url(), &consent, &[("decision", "cancel")])
        .await;
    let p = cancelled.redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert!(p["error_description"].starts_with("AADSTS65004"));
    let accepted = admin
        .submit(
            &emu.login_url(),
            &consent,
            &[("decision", "accept"), ("org", "on")],
        )
        .await;
    assert!(accepted.redirect_params().contains_key("code"));

    // Now the tenant has consented: Diego goes straight through.
    let code = Browser::new().sign_in(&emu, DIEGO, &s, false).await;
    assert!(!code.is_empty());
    assert!(emu.events().iter().any(|e| matches!(
        e,
        tapdesk_emulator::Event::ConsentGranted {
            tenant_wide: true,
            ..
        }
    )));
    emu.shutdown().await;
}

#[tokio::test]
async fn user_consent_for_user_consentable_scopes_and_forced_consent() {
    let emu = start_with(false).await;
    let s = scope(&emu, &["Mail.Send"]);
    let mut b = Browser::new();
    let page = b.get(&authorize_url(&emu, &s, &[])).await;
    let consent = b
        .submit(&emu.login_url(), &page, &[("account", DIEGO)])
        .await;
    assert!(consent.body.contains("id=\"consent-accept\""));
    assert!(
        !consent.body.contains("consent-org"),
        "only admins may consent for the organisation"
    );
    let done = b
        .submit(&emu.login_url(), &consent, &[("decision", "accept")])
        .await;
    let (_, v) = redeem(&emu, &done.redirect_params()["code"]).await;
    assert_eq!(
        claims(v["access_token"].as_str().expect("at"))["scp"],
        "Mail.Send"
    );
    // Consented now: silent works; prompt=consent shows the page again.
    let p = b
        .get(&authorize_url(&emu, &s, &[("prompt", "none")]))
        .await
        .redirect_params();
    assert!(p.contains_key("code"));
    let forced = b
        .get(&authorize_url(&emu, &s, &[("prompt", "consent")]))
        .await;
    assert!(forced.body.contains("id=\"consent-accept\""));
    emu.shutdown().await;
}

#[tokio::test]
async fn logout_ends_the_session() {
    let emu = start().await;
    let s = scope(&emu, TAP_PERMS);
    let mut b = Browser::new();
    b.sign_in(&emu, ADELE, &s, false).await;
    let base = format!("{}/{}/oauth2/v2.0/logout", emu.login_url(), seed::TENANT_ID);
    let out = b
        .get(&format!(
            "{base}?post_logout_redirect_uri={}",
            url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert_eq!(out.location().as_deref(), Some(REDIRECT));
    assert!(out.headers["set-cookie"]
        .to_str()
        .expect("ascii")
        .contains("Max-Age=0"));
    let p = b
        .get(&authorize_url(&emu, &s, &[("prompt", "none")]))
        .await
        .redirect_params();
    assert_eq!(p["error"], "login_required");

    let page = b
        .get(&format!(
            "{base}?post_logout_redirect_uri=http%3A%2F%2Fevil.example%2F"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.location().is_none());
    assert!(page.body.contains("You signed out"));
    emu.shutdown().await;
}
