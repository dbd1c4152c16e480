//! The Graph origin: one entry point that sets the common headers (request ids, CORS), answers
//! preflights, applies the fault rules, and hands `/v1.0` and `/beta` paths to the routing in
//! [`routes`], directly or item by item for `$batch` (so both share every check).

mod audit;
mod auth;
mod batch;
mod groups;
mod mail;
mod member_of;
mod paging;
mod policy;
mod qr;
mod query;
mod response;
mod routes;
mod tap;
mod units;
mod users;
// Issue 15: the registration report, phone and passkey methods, passkey policies.
mod methods;
mod passkey_policy;
mod reports;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

pub use auth::Caller;
use response::{Ctx, GResult, GraphError};
pub(crate) use tap::generate_pass;

use crate::faults::{FaultKind, FaultOrigin, Kinds};
use crate::inject::{cut_off, hold, pause};
use crate::state::AppState;

/// Who a path addresses: the caller (`/me`) or a user by id or UPN.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `/me`.
    Me,
    /// `/users/{id|upn}` (percent-decoded).
    User(String),
}

/// The Graph router: everything goes through [`entry`].
pub fn router(st: Arc<AppState>) -> Router {
    Router::new().fallback(entry).with_state(st)
}

/// Headers a browser script may read on direct answers; `Retry-After` is added only with
/// [`Settings::expose_retry_after`](crate::state::Settings::expose_retry_after).
const EXPOSE: &str = "request-id, client-request-id, Date";
const EXPOSE_WITH_RETRY_AFTER: &str = "request-id, client-request-id, Retry-After, Date";

/// A handler's answer before it becomes an HTTP response or a `$batch` item: status, JSON
/// body and the extra headers an error carries (`WWW-Authenticate`, `Retry-After`).
#[derive(Clone, Debug)]
struct Answer {
    status: StatusCode,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn from_result(ctx: &Ctx<'_>, r: GResult) -> Answer {
        match r {
            Ok((status, body)) => Answer {
                status,
                body,
                headers: vec![],
            },
            Err(e) => Answer::error(ctx, &e),
        }
    }

    fn error(ctx: &Ctx<'_>, e: &GraphError) -> Answer {
        let mut headers = vec![];
        if let Some(w) = &e.www_authenticate {
            headers.push(("WWW-Authenticate", w.clone()));
        }
        if let Some(s) = e.retry_after {
            headers.push(("Retry-After", s.to_string()));
        }
        Answer {
            status: e.status,
            body: Some(e.body(ctx)),
            headers,
        }
    }

    fn into_response(self) -> Response {
        let mut r = match self.body {
            Some(v) => (self.status, axum::Json(v)).into_response(),
            None => self.status.into_response(),
        };
        for (name, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(name, v);
            }
        }
        r
    }
}

/// The Graph error a fault answers with instead of processing the request; `None` for the
/// kinds that let the request through (latency, drop-after-write).
fn fault_error(kind: &FaultKind) -> Option<GraphError> {
    match kind {
        FaultKind::Latency(_) | FaultKind::DropAfterWrite => None,
        FaultKind::Throttle { retry_after_secs } => {
            let mut e = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests.",
            );
            e.retry_after = Some(*retry_after_secs);
            Some(e)
        }
        FaultKind::ServerError(code) => Some(server_error(*code)),
        FaultKind::Timeout => Some(server_error(504)),
    }
}

/// Graph's 5xx envelopes [choice on codes and texts].
fn server_error(code: u16) -> GraphError {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (c, m) = match code {
        502 => (
            "BadGateway",
            "The service received an invalid response from an upstream server.",
        ),
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
        ),
        504 => ("GatewayTimeout", "The operation timed out."),
        _ => ("generalException", "An internal server error occurred."),
    };
    GraphError::new(status, c, m)
}

async fn entry(
    State(st): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .unwrap_or_else(|| request_id.clone());
    let origin = headers.get(header::ORIGIN).cloned();
    let arrived = std::time::Instant::now();
    st.graph_counters.request(method == Method::OPTIONS);
    let mut resp = if method == Method::OPTIONS {
        preflight()
    } else {
        let segments = split_path(uri.path());
        let ctx = Ctx {
            st: &st,
            version: segments.first().cloned().unwrap_or_default(),
            query: parse_query(uri.query()),
            headers: &headers,
            body,
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
        };
        serve(&ctx, &method, &segments).await
    };
    st.graph_counters.log(
        arrived,
        method.as_str(),
        uri.path_and_query().map_or(uri.path(), |p| p.as_str()),
        resp.status().as_u16(),
    );
    let h = resp.headers_mut();
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    let expose = if st.lock().settings.expose_retry_after {
        EXPOSE_WITH_RETRY_AFTER
    } else {
        EXPOSE
    };
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(expose),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (name, v) in [
        ("request-id", &request_id),
        ("client-request-id", &client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    }
    resp
}

/// One request after the preflight check: `$batch`, or faults then the routes.
async fn serve(ctx: &Ctx<'_>, method: &Method, segments: &[String]) -> Response {
    let versioned = matches!(ctx.version.as_str(), "v1.0" | "beta");
    if versioned && *method == Method::POST && segments.len() == 2 && segments[1] == "$batch" {
        return batch::serve(ctx).await;
    }
    let path = graph_path(segments);
    let plan = ctx
        .st
        .plan_faults(FaultOrigin::Graph, &[(method.as_str(), &path)], Kinds::All);
    pause(ctx.st, plan.latency).await;
    if let Some(kind) = &plan.terminal {
        if let Some(e) = fault_error(kind) {
            if *kind == FaultKind::Timeout {
                hold(ctx.st).await;
            }
            return Answer::error(ctx, &e).into_response();
        }
    }
    let resp = Answer::from_result(ctx, routes::handle(ctx, method, segments)).into_response();
    if plan.terminal == Some(FaultKind::DropAfterWrite) {
        cut_off(resp).await
    } else {
        resp
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// The path after the version, as fault rules see it: `/users/x/authentication/...`.
fn graph_path(segments: &[String]) -> String {
    format!("/{}", segments.get(1..).unwrap_or_default().join("/"))
}

fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "Authorization, Content-Type, ConsistencyLevel, client-request-id",
        ),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3600"),
    );
    r
}

/// Decodes `%XX` escapes (UTF-8); invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(
        format!("x={}", s.replace('+', "%2B").replace('&', "%26")).as_bytes(),
    )
    .next()
    .map(|(_, v)| v.into_owned())
    .unwrap_or_else(|| s.to_string())
}
