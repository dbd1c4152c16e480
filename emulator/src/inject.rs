//! The HTTP side of fault injection shared by the listeners: waiting (latency, timeout holds)
//! that shutdown cuts short, and the failing body of `DropAfterWrite`. The sign-in origin
//! applies its rules in `login::faults`; Graph in `graph` (per request, and per item inside
//! `$batch`).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;

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
