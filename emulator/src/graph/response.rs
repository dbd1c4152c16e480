//! Graph's response conventions: the error envelope, the request context every handler gets
//! (ids, version, query, body) and the reply type.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::clock;
use crate::state::AppState;

/// A Graph error: HTTP status, `error.code`, `error.message`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// Value of `WWW-Authenticate` for 401s.
    pub www_authenticate: Option<String>,
    /// Seconds for `Retry-After` (429s).
    pub retry_after: Option<u32>,
}

impl GraphError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// 400 with the given code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 403 `Authorization_RequestDenied` "Insufficient privileges to complete the operation."
    pub fn insufficient_privileges() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 403 `accessDenied` "Request Authorization failed" (authentication-method endpoints
    /// without the needed scope).
    pub fn access_denied() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            "Request Authorization failed",
        )
    }

    /// 404 `Request_ResourceNotFound` for an unknown user id or UPN.
    pub fn user_not_found(key: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// The envelope `{"error":{"code","message","innerError":{date, request-id, client-request-id}}}`.
    pub fn body(&self, ctx: &Ctx<'_>) -> Value {
        json!({"error": {
            "code": self.code,
            "message": self.message,
            "innerError": {
                "date": clock::graph_error_date(ctx.st.clock.now()),
                "request-id": ctx.request_id,
                "client-request-id": ctx.client_request_id,
            }
        }})
    }
}

/// A successful reply: status and optional JSON body.
pub type Reply = (StatusCode, Option<Value>);
/// What every Graph handler returns.
pub type GResult = Result<Reply, GraphError>;

/// `200` with a body.
pub fn ok(v: Value) -> GResult {
    Ok((StatusCode::OK, Some(v)))
}

/// Per-request context.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Shared state.
    pub st: &'a AppState,
    /// `v1.0` or `beta`.
    pub version: String,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// `request-id` of this response.
    pub request_id: String,
    /// Echoed or generated `client-request-id`.
    pub client_request_id: String,
}

impl Ctx<'_> {
    /// `{graph}/{version}`.
    pub fn base(&self) -> String {
        format!("{}/{}", self.st.graph_url, self.version)
    }

    /// The first query value named `name` (OData options are matched case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `$select` resolved against `known` (canonical names, duplicates dropped); `None` without
    /// `$select`; 400 naming `type_name` for an unknown property.
    pub fn select(
        &self,
        known: &[&'static str],
        type_name: &str,
    ) -> Result<Option<Vec<&'static str>>, GraphError> {
        let Some(sel) = self.param("$select").filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let mut out = vec![];
        for name in sel.split(',').map(str::trim) {
            let p = known
                .iter()
                .copied()
                .find(|p| p.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    GraphError::bad_request(
                        "Request_BadRequest",
                        format!("Could not find a property named '{name}' on type '{type_name}'."),
                    )
                })?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(Some(out))
    }

    /// True if and only if the request carries `ConsistencyLevel: eventual`.
    pub fn eventual(&self) -> bool {
        self.headers
            .get("consistencylevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
    }

    /// The JSON body, `{}` when empty; 400 when it is not a JSON object.
    pub fn json_body(&self) -> Result<serde_json::Map<String, Value>, GraphError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(GraphError::bad_request(
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            )),
        }
    }
}
