//! The HTTP side of fault injection: waiting (latency, timeout holds) that shutdown cuts short,
//! the failing body of `DropAfterWrite`, and the middleware that applies rules on the sign-in
//! origin. Graph applies its rules in `graph` (per request, and per item inside `$batch`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::{FaultKind, FaultOrigin, Kinds};
use crate::login::AadError;
use crate::state::AppState;

/// Waits `d`, or less if the emulator shuts down meanwhile.
pub async fn pause(st: &AppState, d: Duration) {
    if d.is_zero() {
        return;
    }
    let mut stopping = st.stopping.subscribe();
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stopping.wait_for(|s| *s) => {}
    }
}

/// Holds a request for `Settings::fault_timeout_hold` (or until shutdown).
pub async fn hold(st: &AppState) {
    let d = st.lock().settings.fault_timeout_hold;
    pause(st, d).await;
}

/// Sends the status line and headers of `resp` (CORS included), then about half of its body,
/// then fails the body stream, so the client gets a network error while reading. A bodiless
/// response (204) becomes a 200 whose body fails the same way: HTTP would not let a 204 carry
/// the broken body the fault is about.
pub async fn cut_off(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut half = bytes.slice(..bytes.len() / 2);
    if half.is_empty() {
        half = Bytes::from_static(b"{");
    }
    if parts.status == StatusCode::NO_CONTENT {
        parts.status = StatusCode::OK;
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                1 => {
                    // Give the server a moment to flush the head and the first chunk, so the
                    // client sees a response that breaks, not a connection that never answered.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "tapdesk-emulator: response dropped after the write (fault injection)",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

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
