//! The control API under `/_emulator` on the sign-in origin: reset, policy, clock, events,
//! redirect URIs, passes, settings, fault rules, refresh-token expiry, consent, roles, methods a
//! user registers and pass use, for tests and the demo (the same operations as the Rust API).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::control::{self, ControlError};
use crate::faults::FaultRule;
use crate::model::{Event, TapPolicy};
use crate::state::{AppState, Settings};

/// The `/_emulator/...` routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/policy", get(get_policy).put(put_policy))
        .route("/_emulator/clock", post(clock).get(get_clock))
        .route("/_emulator/events", get(events))
        .route(
            "/_emulator/redirect-uris",
            post(add_redirect_uri).get(redirect_uris),
        )
        .route("/_emulator/passes/{user}", get(passes))
        .route("/_emulator/settings", get(get_settings).put(put_settings))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_emulator/faults/seed", put(fault_seed))
        .route("/_emulator/faults/{id}", delete(remove_fault))
        .route(
            "/_emulator/refresh-tokens/expire",
            post(expire_refresh_tokens),
        )
        .route("/_emulator/consent/withdraw", post(withdraw_consent))
        .route(
            "/_emulator/users/{user}/roles/{role}",
            put(add_role).delete(remove_role),
        )
        .route("/_emulator/users/{user}/methods", post(register_method))
        .route("/_emulator/users/{user}/pass/use", post(use_pass))
        .merge(control::units::router())
        .merge(campaign_routes())
}

fn refused(status: StatusCode, e: impl std::fmt::Display) -> Response {
    (status, Json(json!({"error": e.to_string()}))).into_response()
}

fn control_error(e: ControlError) -> Response {
    let status = match e {
        ControlError::UnknownUser(_) | ControlError::NoPass(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    refused(status, e)
}

async fn get_settings(State(st): State<Arc<AppState>>) -> Json<Settings> {
    Json(st.lock().settings.clone())
}

/// Fields left out keep their defaults.
async fn put_settings(State(st): State<Arc<AppState>>, Json(s): Json<Settings>) -> StatusCode {
    st.lock().settings = s;
    StatusCode::NO_CONTENT
}

async fn list_faults(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let inner = st.lock();
    Json(json!({"seed": inner.faults.seed(), "rules": inner.faults.rules()}))
}

async fn add_fault(State(st): State<Arc<AppState>>, Json(v): Json<serde_json::Value>) -> Response {
    let rule = match serde_json::from_value::<FaultRule>(v) {
        Ok(r) => r,
        Err(e) => return refused(StatusCode::BAD_REQUEST, e),
    };
    match control::inject(&st, rule) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => control_error(e),
    }
}

async fn clear_faults(State(st): State<Arc<AppState>>) -> StatusCode {
    st.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(st): State<Arc<AppState>>, Path(id): Path<u64>) -> StatusCode {
    if st.lock().faults.remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[derive(Deserialize)]
struct Seed {
    seed: u64,
}

async fn fault_seed(State(st): State<Arc<AppState>>, Json(s): Json<Seed>) -> StatusCode {
    st.lock().faults.set_seed(s.seed);
    StatusCode::NO_CONTENT
}

async fn expire_refresh_tokens(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({"expired": control::expire_refresh_tokens(&st)}))
}

#[derive(Deserialize)]
struct Withdraw {
    upn: String,
    scope: String,
}

async fn withdraw_consent(State(st): State<Arc<AppState>>, Json(w): Json<Withdraw>) -> Response {
    match control::withdraw_consent(&st, &w.upn, &w.scope) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => control_error(e),
    }
}

async fn add_role(
    State(st): State<Arc<AppState>>,
    Path((user, role)): Path<(String, String)>,
) -> Response {
    match control::set_role(&st, &user, &role, true) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => control_error(e),
    }
}

async fn remove_role(
    State(st): State<Arc<AppState>>,
    Path((user, role)): Path<(String, String)>,
) -> Response {
    match control::set_role(&st, &user, &role, false) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewMethod {
    odata_type: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// `{"odataType", "displayName"?}` → 201 `{"id"}`.
async fn register_method(
    State(st): State<Arc<AppState>>,
    Path(user): Path<String>,
    Json(m): Json<NewMethod>,
) -> Response {
    let name = m.display_name.as_deref();
    match control::methods::register_method(&st, &user, &m.odata_type, name) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => control_error(e),
    }
}

/// → 200 with the pass (camelCase, secret included); 404 without user or pass.
async fn use_pass(State(st): State<Arc<AppState>>, Path(user): Path<String>) -> Response {
    match control::methods::use_pass(&st, &user) {
        Ok(p) => Json(p).into_response(),
        Err(e) => control_error(e),
    }
}

async fn reset(State(st): State<Arc<AppState>>) -> StatusCode {
    st.reset();
    StatusCode::NO_CONTENT
}

async fn get_policy(State(st): State<Arc<AppState>>) -> Json<TapPolicy> {
    Json(st.lock().tenant.policy.clone())
}

async fn put_policy(State(st): State<Arc<AppState>>, Json(p): Json<TapPolicy>) -> Response {
    if let Err(msg) = p.validate() {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": msg}))).into_response();
    }
    let mut inner = st.lock();
    inner.tenant.policy = p.clone();
    inner.tenant.events.push(Event::PolicyChanged { policy: p });
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Advance {
    #[serde(default)]
    advance_minutes: u64,
    #[serde(default)]
    advance_seconds: u64,
}

async fn clock(State(st): State<Arc<AppState>>, Json(a): Json<Advance>) -> Json<serde_json::Value> {
    st.clock.advance(Duration::from_secs(
        a.advance_minutes * 60 + a.advance_seconds,
    ));
    get_clock(State(st)).await
}

async fn get_clock(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({
        "now": crate::clock::seconds_z(st.clock.now()),
        "offsetSeconds": st.clock.offset().as_secs(),
    }))
}

async fn events(State(st): State<Arc<AppState>>) -> Json<Vec<Event>> {
    Json(st.lock().tenant.events.clone())
}

#[derive(Deserialize)]
struct Uri {
    uri: String,
}

async fn add_redirect_uri(State(st): State<Arc<AppState>>, Json(u): Json<Uri>) -> Response {
    if url::Url::parse(&u.uri).is_err() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "not an absolute URI"})),
        )
            .into_response();
    }
    let mut inner = st.lock();
    if !inner.redirect_uris.contains(&u.uri) {
        inner.redirect_uris.push(u.uri);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn redirect_uris(State(st): State<Arc<AppState>>) -> Json<Vec<String>> {
    Json(st.lock().redirect_uris.clone())
}

async fn passes(State(st): State<Arc<AppState>>, Path(user): Path<String>) -> Response {
    let inner = st.lock();
    let Some(u) = inner.tenant.find_user(&user) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let list: Vec<_> = inner
        .tenant
        .passes
        .get(&u.id)
        .cloned()
        .into_iter()
        .collect();
    Json(list).into_response()
}

/// Issue 15's routes: passkeys and phones a user registers, the campaign tenant, passkey
/// policies.
fn campaign_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_emulator/users/{user}/passkeys", post(register_passkey))
        .route(
            "/_emulator/users/{user}/phones/{phone_type}",
            put(set_phone),
        )
        .route("/_emulator/campaign/seed", post(seed_campaign))
        .route("/_emulator/campaign/truth", get(campaign_truth))
        .route("/_emulator/campaign/truth/users", get(campaign_truth_users))
        .route(
            "/_emulator/campaign/report/freeze",
            post(freeze_report).delete(thaw_report),
        )
        .route("/_emulator/passkey-policies/fido2", put(put_fido2))
        .route(
            "/_emulator/passkey-policies/conditional-access",
            put(put_conditional_access),
        )
        .route("/_emulator/passkey-policies/strengths", put(put_strengths))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPasskey {
    kind: crate::model::passkeys::PasskeyKind,
    #[serde(default)]
    aa_guid: Option<String>,
    #[serde(default)]
    model: Option<String>,
}

/// `{"kind": "deviceBound"|"synced"|"authenticator"|"windowsHello", "aaGuid"?, "model"?}` →
/// 201 `{"id"}`; unknown user 404.
async fn register_passkey(
    State(st): State<Arc<AppState>>,
    Path(user): Path<String>,
    Json(p): Json<NewPasskey>,
) -> Response {
    match control::campaign::register_passkey(
        &st,
        &user,
        p.kind,
        p.aa_guid.as_deref(),
        p.model.as_deref(),
    ) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPhone {
    phone_number: String,
}

/// `PUT .../phones/{mobile|alternateMobile|office}` `{"phoneNumber"}` → 204.
async fn set_phone(
    State(st): State<Arc<AppState>>,
    Path((user, phone_type)): Path<(String, String)>,
    Json(p): Json<NewPhone>,
) -> Response {
    let Some(t) = crate::model::passkeys::PhoneType::parse(&phone_type) else {
        return refused(
            StatusCode::BAD_REQUEST,
            format!("'{phone_type}' is not mobile, alternateMobile or office"),
        );
    };
    match control::campaign::set_phone(&st, &user, t, &p.phone_number) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
struct SeedCampaign {
    users: usize,
    #[serde(default)]
    seed: u64,
}

/// `{"users": n, "seed": s}` → 200 the tenant's ground truth afterwards.
async fn seed_campaign(State(st): State<Arc<AppState>>, Json(s): Json<SeedCampaign>) -> Response {
    Json(control::campaign::seed_campaign(&st, s.users, s.seed)).into_response()
}

/// → the tenant's ground truth now.
async fn campaign_truth(State(st): State<Arc<AppState>>) -> Response {
    Json(control::campaign::truth(&st)).into_response()
}

/// → the UPNs of each class now (`{"phoneOnlySms": [..], ...}`; empty classes left out).
async fn campaign_truth_users(State(st): State<Arc<AppState>>) -> Response {
    Json(control::campaign::truth_users(&st)).into_response()
}

/// The `fido2` configuration (Graph JSON object) → 204.
async fn put_fido2(
    State(st): State<Arc<AppState>>,
    Json(v): Json<serde_json::Value>,
) -> StatusCode {
    if !v.is_object() {
        return StatusCode::BAD_REQUEST;
    }
    st.lock().tenant.passkeys.fido2 = v;
    StatusCode::NO_CONTENT
}

/// The Conditional Access policies (a JSON array) → 204.
async fn put_conditional_access(
    State(st): State<Arc<AppState>>,
    Json(v): Json<Vec<serde_json::Value>>,
) -> StatusCode {
    st.lock().tenant.passkeys.conditional_access = v;
    StatusCode::NO_CONTENT
}

/// The authentication strengths (a JSON array) → 204.
async fn put_strengths(
    State(st): State<Arc<AppState>>,
    Json(v): Json<Vec<serde_json::Value>>,
) -> StatusCode {
    st.lock().tenant.passkeys.strengths = v;
    StatusCode::NO_CONTENT
}

/// Freezes the registration report as it is now → 204.
async fn freeze_report(State(st): State<Arc<AppState>>) -> StatusCode {
    control::campaign::freeze_report(&st, true);
    StatusCode::NO_CONTENT
}

/// Lets the registration report follow the directory again → 204.
async fn thaw_report(State(st): State<Arc<AppState>>) -> StatusCode {
    control::campaign::freeze_report(&st, false);
    StatusCode::NO_CONTENT
}
