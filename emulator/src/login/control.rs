//! The control API under `/_emulator` on the sign-in origin: reset, policy, clock, events,
//! redirect URIs and passes, for tests and the demo (the same operations as the Rust API).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::model::{Event, TapPolicy};
use crate::state::AppState;

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
