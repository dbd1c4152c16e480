//! The Graph origin: one entry point that sets the common headers (request ids, CORS),
//! answers preflights, authenticates, and routes `/v1.0` and `/beta` paths to the handlers.

mod auth;
mod policy;
mod query;
mod response;
mod tap;
mod users;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use auth::Caller;
use response::{Ctx, GResult, GraphError};

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

const EXPOSE: &str = "request-id, client-request-id, Retry-After, Date";

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
    let mut resp = if method == Method::OPTIONS {
        preflight()
    } else {
        let segments: Vec<String> = uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let query = uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let ctx = Ctx {
            st: &st,
            version: segments.first().cloned().unwrap_or_default(),
            query,
            headers: &headers,
            body,
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
        };
        match handle(&ctx, &method, &segments) {
            Ok((status, Some(v))) => (status, axum::Json(v)).into_response(),
            Ok((status, None)) => status.into_response(),
            Err(e) => {
                let mut r = (e.status, axum::Json(e.body(&ctx))).into_response();
                if let Some(v) = e
                    .www_authenticate
                    .as_deref()
                    .and_then(|w| HeaderValue::from_str(w).ok())
                {
                    r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                r
            }
        }
    };
    let h = resp.headers_mut();
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE),
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

fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PATCH, DELETE"),
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

fn seg_is(s: &str, lit: &str) -> bool {
    s.eq_ignore_ascii_case(lit)
}

fn not_allowed() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

fn handle(ctx: &Ctx<'_>, method: &Method, segs: &[String]) -> GResult {
    if !matches!(ctx.version.as_str(), "v1.0" | "beta") {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("Invalid version: {}", ctx.version),
        ));
    }
    let caller = auth::authenticate(ctx.st, ctx.headers)?;
    let rest: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    // Split `/me/...` and `/users/{key}/...` into a target and the remainder.
    let (target, tail): (Option<Target>, &[&str]) = match rest.as_slice() {
        [me, tail @ ..] if seg_is(me, "me") => (Some(Target::Me), tail),
        [users, key, tail @ ..] if seg_is(users, "users") => {
            (Some(Target::User(key.to_string())), tail)
        }
        _ => (None, &[]),
    };
    let get = method == Method::GET;
    match (target, tail) {
        (Some(t), []) => match t {
            _ if !get => Err(not_allowed()),
            Target::Me => users::me(ctx, &caller),
            Target::User(key) => users::get(ctx, &caller, &key),
        },
        (Some(t), [auth, methods])
            if seg_is(auth, "authentication") && seg_is(methods, "methods") =>
        {
            if get {
                tap::all_methods(ctx, &caller, &t)
            } else {
                Err(not_allowed())
            }
        }
        (Some(t), [auth, taps])
            if seg_is(auth, "authentication") && seg_is(taps, "temporaryAccessPassMethods") =>
        {
            match *method {
                Method::GET => tap::list(ctx, &caller, &t),
                Method::POST => tap::create(ctx, &caller, &t),
                _ => Err(not_allowed()),
            }
        }
        (Some(t), [auth, taps, id])
            if seg_is(auth, "authentication") && seg_is(taps, "temporaryAccessPassMethods") =>
        {
            match *method {
                Method::GET => tap::get(ctx, &caller, &t, id),
                Method::DELETE => tap::delete(ctx, &caller, &t, id),
                _ => Err(not_allowed()),
            }
        }
        (Some(_), [first, ..]) => Err(unknown_segment(first)),
        (None, _) => match rest.as_slice() {
            [users] if seg_is(users, "users") => {
                if get {
                    users::list(ctx, &caller)
                } else {
                    Err(not_allowed())
                }
            }
            [p, amp, configs, tap]
                if seg_is(p, "policies")
                    && seg_is(amp, "authenticationMethodsPolicy")
                    && seg_is(configs, "authenticationMethodConfigurations")
                    && seg_is(tap, "TemporaryAccessPass") =>
            {
                match *method {
                    Method::GET => policy::get(ctx, &caller),
                    Method::PATCH => policy::patch(ctx, &caller),
                    _ => Err(not_allowed()),
                }
            }
            [first, ..] => Err(unknown_segment(first)),
            [] => Err(GraphError::bad_request(
                "BadRequest",
                "Resource not found for the segment ''.",
            )),
        },
    }
}

fn unknown_segment(seg: &str) -> GraphError {
    GraphError::bad_request(
        "BadRequest",
        format!("Resource not found for the segment '{seg}'."),
    )
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
