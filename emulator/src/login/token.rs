//! `POST /{tenant}/oauth2/v2.0/token`: SPA CORS rules, the authorization-code grant with PKCE,
//! the refresh-token grant with rotation and the 24-hour SPA limit, and token minting.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::aad_error::AadError;
use super::request::{redirect_mismatch, unknown_client};
use crate::clock::unix;
use crate::model::{Event, User};
use crate::scopes::{self, ParsedScopes};
use crate::seed;
use crate::state::{AppState, RefreshGrant};

/// SPA refresh tokens expire this long after the first sign-in of their chain.
pub const SPA_REFRESH_LIMIT: time::Duration = time::Duration::hours(24);
/// ID token lifetime.
pub const ID_TOKEN_LIFETIME: time::Duration = time::Duration::hours(1);

/// The CORS verdict for a token request.
enum Cors {
    /// Origin of a registered SPA redirect URI.
    Allowed(String),
    /// Refused, with the error and the origin to echo (if any).
    Refused(AadError, Option<String>),
}

fn cors_verdict(st: &AppState, headers: &HeaderMap) -> Cors {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match origin {
        None => Cors::Refused(
            AadError::new("invalid_request", 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."),
            None,
        ),
        Some(o) if st.registered_origins().iter().any(|r| r == o) => Cors::Allowed(o.to_string()),
        Some(o) => {
            let echo = st.lock().settings.cors_on_unregistered_origin_error;
            Cors::Refused(
                AadError::new("invalid_request", 9002326, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '".to_string() + o + "'."),
                echo.then(|| o.to_string()),
            )
        }
    }
}

fn with_cors(mut r: Response, origin: Option<&str>) -> Response {
    if let Some(v) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        r.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
    r
}

/// `OPTIONS .../token`: preflight, answered only for registered SPA origins.
pub async fn preflight(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match cors_verdict(&st, &headers) {
        Cors::Allowed(o) => {
            let mut r = with_cors(StatusCode::NO_CONTENT.into_response(), Some(&o));
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type, client-request-id"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            r
        }
        Cors::Refused(..) => with_cors(StatusCode::BAD_REQUEST.into_response(), None),
    }
}

/// `POST .../token`.
pub async fn token(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Every request counts, refused ones too (tests count requests, not tokens).
    let grant_type = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    st.lock()
        .tenant
        .events
        .push(Event::TokenRequested { grant_type });
    let origin = match cors_verdict(&st, &headers) {
        Cors::Allowed(o) => o,
        Cors::Refused(e, echo) => return with_cors(e.to_json_response(&st), echo.as_deref()),
    };
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let result = if st.is_our_tenant(&tenant) {
        match form.get("grant_type").map(String::as_str) {
            None => Err(AadError::missing("grant_type")),
            Some("authorization_code") => code_grant(&st, &form),
            Some("refresh_token") => refresh_grant(&st, &form),
            Some(g) => Err(AadError::new(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{g}'."),
            )),
        }
    } else {
        Err(AadError::new("invalid_request", 90002, format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")))
    };
    let resp = match result {
        Ok(v) => {
            let mut r = axum::Json(v).into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            r
        }
        Err(e) => e.to_json_response(&st),
    };
    with_cors(resp, Some(&origin))
}

fn check_client(form: &HashMap<String, String>) -> Result<(), AadError> {
    match form.get("client_id").map(String::as_str) {
        None => Err(AadError::missing("client_id")),
        Some(seed::CLIENT_ID) => Ok(()),
        Some(other) => {
            let mut e = unknown_client(other);
            e.error = "invalid_client";
            Err(e)
        }
    }
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

fn code_grant(st: &AppState, form: &HashMap<String, String>) -> Result<Value, AadError> {
    check_client(form)?;
    let code = form.get("code").ok_or_else(|| AadError::missing("code"))?;
    let now = st.clock.now();
    let record = {
        let inner = st.lock();
        inner.codes.get(code).cloned()
    };
    let expired = || {
        AadError::new("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
    };
    let record = record.ok_or_else(expired)?;
    if record.redeemed {
        return Err(AadError::new("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
    }
    if record.expires <= now {
        return Err(expired());
    }
    if form.get("client_id").map(String::as_str) != Some(record.client_id.as_str()) {
        return Err(AadError::new(
            "invalid_client",
            700016,
            "The authorization code was issued to another application.",
        ));
    }
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or_else(|| AadError::missing("redirect_uri"))?;
    if *redirect_uri != record.redirect_uri {
        let mut e = redirect_mismatch(redirect_uri);
        e.error = "invalid_grant";
        return Err(e);
    }
    let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
    if verifier.is_empty() || s256(verifier) != record.code_challenge {
        return Err(AadError::new("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."));
    }
    {
        let mut inner = st.lock();
        match inner.codes.get_mut(code) {
            Some(c) if !c.redeemed => c.redeemed = true,
            // Another request redeemed it between our read and this write.
            _ => return Err(AadError::new("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")),
        }
    }
    let user = active_user(st, &record.user_id)?;
    let parsed = scopes::parse(&record.scopes.join(" "), &st.graph_url)
        .map_err(|e| AadError::new("invalid_scope", e.code(), e.to_string()))?;
    mint(
        st,
        &user,
        &parsed,
        &record.scopes,
        record.nonce.as_deref(),
        record.auth_time,
        "authorization_code",
    )
}

fn refresh_grant(st: &AppState, form: &HashMap<String, String>) -> Result<Value, AadError> {
    check_client(form)?;
    let rt = form
        .get("refresh_token")
        .ok_or_else(|| AadError::missing("refresh_token"))?;
    let now = st.clock.now();
    let grant = st.lock().refresh_tokens.get(rt).cloned();
    let grant = grant.ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    if grant.redeemed {
        return Err(AadError::new("invalid_grant", 70000, "The provided grant has been revoked: this refresh token was already exchanged (rotation). Use the newest refresh token or sign in again."));
    }
    if grant.force_expired || now >= grant.chain_started + SPA_REFRESH_LIMIT {
        let issued = crate::clock::entra_timestamp(grant.chain_started);
        return Err(AadError::new("invalid_grant", 700084, format!("The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {issued}.")));
    }
    if grant.client_id != seed::CLIENT_ID {
        return Err(AadError::new(
            "invalid_grant",
            700016,
            "The refresh token was issued to another application.",
        ));
    }
    let scope_list: Vec<String> = match form.get("scope").filter(|s| !s.trim().is_empty()) {
        Some(s) => s.split_whitespace().map(String::from).collect(),
        None => grant.scopes.clone(),
    };
    let parsed = scopes::parse(&scope_list.join(" "), &st.graph_url)
        .map_err(|e| AadError::new("invalid_scope", e.code(), e.to_string()))?;
    let user = active_user(st, &grant.user_id)?;
    let granted = st.lock().tenant.granted_scopes(&user.id);
    if let Some(missing) = parsed.graph.iter().find(|g| !granted.contains(*g)) {
        return Err(AadError::new("invalid_grant", 65001, format!("The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource. Missing: {missing}.", seed::CLIENT_ID, seed::APP_NAME)));
    }
    {
        let mut inner = st.lock();
        match inner.refresh_tokens.get_mut(rt) {
            Some(g) if !g.redeemed => g.redeemed = true,
            _ => {
                return Err(AadError::new(
                    "invalid_grant",
                    70000,
                    "The provided grant has been revoked.",
                ))
            }
        }
    }
    mint(
        st,
        &user,
        &parsed,
        &scope_list,
        None,
        grant.chain_started,
        "refresh_token",
    )
}

fn active_user(st: &AppState, user_id: &str) -> Result<User, AadError> {
    let user = st.lock().tenant.find_user(user_id).cloned();
    match user {
        Some(u) if u.account_enabled => Ok(u),
        Some(_) => Err(AadError::new(
            "invalid_grant",
            50057,
            "The user account is disabled.",
        )),
        None => Err(AadError::new(
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
        )),
    }
}

/// Builds the token response and records the refresh token and a `TokenIssued` event.
pub(crate) fn mint(
    st: &AppState,
    user: &User,
    parsed: &ParsedScopes,
    raw_scopes: &[String],
    nonce: Option<&str>,
    chain_started: OffsetDateTime,
    grant_type: &str,
) -> Result<Value, AadError> {
    let now = st.clock.now();
    let (lifetime, all_consented, granted, wids_in_id_token) = {
        let inner = st.lock();
        (
            inner.settings.token_lifetime,
            inner.settings.all_consented_scopes_in_token,
            inner.tenant.granted_scopes(&user.id),
            inner.settings.wids_in_id_token(),
        )
    };
    let scp: Vec<String> = if all_consented || parsed.default {
        granted.iter().cloned().collect()
    } else {
        parsed
            .graph
            .iter()
            .filter(|g| granted.contains(*g))
            .cloned()
            .collect()
    };
    let lifetime_s = i64::try_from(lifetime.as_secs()).unwrap_or(3599);
    let exp = now + time::Duration::seconds(lifetime_s);
    let mut access = json!({
        "aud": st.graph_url,
        "iss": st.access_token_issuer(),
        "iat": unix(now), "nbf": unix(now), "exp": unix(exp),
        "acr": "1", "amr": ["pwd", "mfa"],
        "appid": seed::CLIENT_ID, "appidacr": "0", "app_displayname": seed::APP_NAME,
        "idtyp": "user",
        "name": user.display_name,
        "oid": user.id,
        "scp": scp.join(" "),
        "sub": pairwise_sub(&user.id, "graph"),
        "tid": seed::TENANT_ID,
        "unique_name": user.user_principal_name,
        "upn": user.user_principal_name,
        "preferred_username": user.user_principal_name,
        "uti": st.random_token(16),
        "ver": "1.0",
        "wids": user.wids(),
    });
    if let Some(given) = &user.given_name {
        access["given_name"] = json!(given);
    }
    let sign = |claims: &Value| {
        st.signer
            .sign(claims)
            .map_err(|e| AadError::new("server_error", 50000, format!("Token signing failed: {e}")))
    };
    let qualified: Vec<String> = scp
        .iter()
        .map(|s| format!("{}{s}", parsed.prefix))
        .collect();
    let mut body = json!({
        "token_type": "Bearer",
        "scope": qualified.join(" "),
        "expires_in": lifetime_s,
        "ext_expires_in": lifetime_s,
        "access_token": sign(&access)?,
    });
    if parsed.openid() {
        let mut id = json!({
            "aud": seed::CLIENT_ID,
            "iss": st.authority(),
            "iat": unix(now), "nbf": unix(now), "exp": unix(now + ID_TOKEN_LIFETIME),
            "name": user.display_name,
            "oid": user.id,
            "preferred_username": user.user_principal_name,
            "sub": pairwise_sub(&user.id, seed::CLIENT_ID),
            "tid": seed::TENANT_ID,
            "ver": "2.0",
        });
        // `wids` is no default ID-token claim: only the registration's groupMembershipClaims
        // (DirectoryRole or All) adds it (Settings::group_membership_claims).
        if wids_in_id_token {
            id["wids"] = json!(user.wids());
        }
        if let Some(n) = nonce {
            id["nonce"] = json!(n);
        }
        if parsed.oidc.iter().any(|s| s == "email") {
            if let Some(m) = &user.mail {
                id["email"] = json!(m);
            }
        }
        let (generic, login_hint_claim) = {
            let inner = st.lock();
            (
                inner.settings.generic_oidc_provider,
                inner.settings.login_hint_claim,
            )
        };
        if login_hint_claim && !generic {
            // Opaque, like Entra's: the page may only hand it back as logout_hint.
            id["login_hint"] = json!(format!(
                "O.{}",
                URL_SAFE_NO_PAD.encode(format!("{}@{}", user.id, seed::TENANT_ID))
            ));
        }
        if generic {
            if let Some(o) = id.as_object_mut() {
                for entra_only in ["oid", "tid", "wids", "ver", "upn"] {
                    o.remove(entra_only);
                }
            }
        }
        body["id_token"] = json!(sign(&id)?);
    }
    let mut inner = st.lock();
    if parsed.offline_access() {
        let rt = format!("1.{}", st.random_token(64));
        inner.refresh_tokens.insert(
            rt.clone(),
            RefreshGrant {
                user_id: user.id.clone(),
                client_id: seed::CLIENT_ID.to_string(),
                scopes: raw_scopes.to_vec(),
                chain_started,
                redeemed: false,
                force_expired: false,
            },
        );
        body["refresh_token"] = json!(rt);
    }
    for key in ["access_token", "id_token", "refresh_token"] {
        if let Some(t) = body[key].as_str() {
            inner.issued_tokens.push(t.to_string());
        }
    }
    inner.tenant.events.push(Event::TokenIssued {
        upn: user.user_principal_name.clone(),
        scopes: scp,
        grant_type: grant_type.to_string(),
    });
    Ok(body)
}

fn pairwise_sub(user_id: &str, audience: &str) -> String {
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{user_id}|{audience}").as_bytes(),
    );
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..32])
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            super::s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
