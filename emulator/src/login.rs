//! The sign-in origin (emulated Entra ID v2.0): routes, the session cookie, tenant checks,
//! discovery, JWKS and logout. The flows themselves live in the submodules.

mod aad_error;
mod authorize;
mod control;
mod faults;
pub mod pages;
mod request;
pub mod token;
mod validate;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

pub use aad_error::AadError;
use request::{found, Mode};

use crate::model::{Event, User};
use crate::seed;
use crate::state::{AppState, Session};

/// Name of the emulator's own session cookie at the sign-in origin.
pub const SESSION_COOKIE: &str = "esid";

/// All routes of the sign-in origin, including the control API under `/_emulator`.
pub fn router(st: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route(
            "/{tenant}/oauth2/v2.0/authorize/login",
            post(authorize::login),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize/consent",
            post(authorize::consent),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize/decline",
            get(authorize::decline),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token::token).options(token::preflight),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .merge(control::router())
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            faults::login_faults,
        ))
        .with_state(st)
}

/// The session (and its user) named by the request's `esid` cookie, if it exists.
pub fn session_user(st: &AppState, headers: &HeaderMap) -> Option<(Session, User)> {
    let sid = session_id(headers)?;
    let inner = st.lock();
    let session = inner.sessions.get(&sid)?.clone();
    let user = inner.tenant.find_user(&session.user_id)?.clone();
    Some((session, user))
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

fn tenant_not_found(tenant: &str) -> AadError {
    AadError::new(
        "invalid_tenant",
        90002,
        format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
    )
}

/// The HTML error page for an unknown tenant segment.
pub fn tenant_not_found_page(st: &AppState, tenant: &str) -> Response {
    pages::error_page(st, StatusCode::BAD_REQUEST, &tenant_not_found(tenant))
}

fn any_origin(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

async fn discovery(State(st): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    if !st.is_our_tenant(&tenant) {
        return any_origin(tenant_not_found(&tenant).to_json_response(&st));
    }
    st.lock().tenant.events.push(Event::DiscoveryServed);
    let base = format!("{}/{}", st.login_url, seed::TENANT_ID);
    let mut doc = json!({
        "issuer": st.authority(),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "preferred_username", "oid", "tid", "wids", "email"],
        "request_uri_parameter_supported": false,
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "emulator.local",
        "msgraph_host": st.graph_url.trim_start_matches("http://"),
    });
    let settings = st.lock().settings.clone();
    if settings.publish_code_challenge_methods {
        doc["code_challenge_methods_supported"] = json!(["S256"]);
    }
    if let Some(values) = settings.prompt_values_supported {
        doc["prompt_values_supported"] = json!(values);
    }
    if settings.generic_oidc_provider {
        for entra_only in ["tenant_region_scope", "cloud_instance_name", "msgraph_host"] {
            if let Some(o) = doc.as_object_mut() {
                o.remove(entra_only);
            }
        }
        doc["claims_supported"] = json!([
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nonce",
            "name",
            "preferred_username",
            "email"
        ]);
    }
    any_origin(axum::Json(doc).into_response())
}

async fn jwks(State(st): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    if !st.is_our_tenant(&tenant) {
        return any_origin(tenant_not_found(&tenant).to_json_response(&st));
    }
    any_origin(axum::Json(st.signer.jwks()).into_response())
}

/// `GET .../logout`: ends the session, then returns to `post_logout_redirect_uri` if it is a
/// registered redirect URI or on the origin of one; otherwise shows "You signed out".
async fn logout(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !st.is_our_tenant(&tenant) {
        return tenant_not_found_page(&st, &tenant);
    }
    let upn = session_user(&st, &headers).map(|(_, u)| u.user_principal_name);
    {
        let mut inner = st.lock();
        if let Some(sid) = session_id(&headers) {
            inner.sessions.remove(&sid);
        }
        inner.tenant.events.push(Event::SignedOut {
            upn,
            logout_hint: q.get("logout_hint").cloned(),
        });
    }
    let target = q.get("post_logout_redirect_uri").filter(|uri| {
        let origin = url::Url::parse(uri)
            .ok()
            .map(|u| u.origin().ascii_serialization());
        st.lock().redirect_uris.iter().any(|r| r == *uri)
            || origin.is_some_and(|o| st.registered_origins().contains(&o))
    });
    let mut resp = match target {
        Some(uri) => match q.get("state") {
            Some(s) => request::redirect_to(uri, Mode::Query, &[("state", s)]),
            None => found(uri),
        },
        None => pages::signed_out_page(),
    };
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
