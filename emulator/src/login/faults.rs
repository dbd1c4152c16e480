//! The middleware that applies fault rules on the sign-in origin.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::AadError;
use crate::faults::{FaultKind, FaultOrigin, Kinds};
use crate::inject::{cut_off, hold, pause};
use crate::state::AppState;

/// Middleware of the sign-in origin: applies `Login` rules to every request except the control
/// API and CORS preflights (a failed preflight would surface as a CORS error, which is not what
/// these faults model).
pub async fn login_faults(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_emulator") || req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_string();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let plan = st.plan_faults(FaultOrigin::Login, &[(&method, &path)], Kinds::All);
    pause(&st, plan.latency).await;
    let (status, error, retry_after) = match plan.terminal {
        None | Some(FaultKind::Latency(_)) => return next.run(req).await,
        Some(FaultKind::DropAfterWrite) => return cut_off(next.run(req).await).await,
        Some(FaultKind::Throttle { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            AadError::new(
                "temporarily_unavailable",
                90055,
                "TenantThrottlingError - There are too many incoming requests.",
            ),
            Some(retry_after_secs),
        ),
        Some(FaultKind::ServerError(code)) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            server_error(),
            None,
        ),
        Some(FaultKind::Timeout) => {
            hold(&st).await;
            (StatusCode::GATEWAY_TIMEOUT, server_error(), None)
        }
    };
    let mut resp = error.to_json_response(&st);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if let Some(s) = retry_after {
        h.insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    // Let a page read the failure, as it could read the real endpoint's errors.
    let registered = origin
        .as_deref()
        .is_some_and(|o| st.registered_origins().iter().any(|r| r == o));
    if let Some(v) = origin
        .filter(|_| registered)
        .and_then(|o| HeaderValue::from_str(&o).ok())
    {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
    resp
}

fn server_error() -> AadError {
    AadError::new(
        "server_error",
        50000,
        "There was an error issuing a token or an issue with our sign-in service.",
    )
}
