//! Entra ID's error shapes: the token endpoint's JSON body, the `error`/`error_description`
//! redirect parameters, and the trace lines both carry.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::clock;
use crate::state::AppState;

/// One AADSTS error: OAuth `error` code, AADSTS number and message text.
#[derive(Clone, Debug, PartialEq)]
pub struct AadError {
    /// OAuth error code (`invalid_grant`, ...).
    pub error: &'static str,
    /// AADSTS number.
    pub code: u32,
    /// Message text after `AADSTSnnnn: `.
    pub message: String,
}

/// The pieces of an error description, as Entra prints them.
#[derive(Clone, Debug)]
pub struct Described {
    /// `AADSTSnnnn: text\r\nTrace ID: ..\r\nCorrelation ID: ..\r\nTimestamp: ..`.
    pub description: String,
    /// Trace id (UUID).
    pub trace_id: String,
    /// Correlation id (UUID).
    pub correlation_id: String,
    /// `YYYY-MM-DD hh:mm:ssZ`.
    pub timestamp: String,
}

impl AadError {
    /// An error.
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> AadError {
        AadError {
            error,
            code,
            message: message.into(),
        }
    }

    /// `invalid_request` AADSTS900144 for a missing parameter.
    pub fn missing(param: &str) -> AadError {
        AadError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }

    /// Adds trace id, correlation id and timestamp.
    pub fn describe(&self, st: &AppState) -> Described {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let timestamp = clock::entra_timestamp(st.clock.now());
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
            self.code, self.message
        );
        Described {
            description,
            trace_id,
            correlation_id,
            timestamp,
        }
    }

    /// The token endpoint's JSON error response: status 401 for `invalid_client`, else 400.
    pub fn to_json_response(&self, st: &AppState) -> Response {
        let d = self.describe(st);
        let status = if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = json!({
            "error": self.error,
            "error_description": d.description,
            "error_codes": [self.code],
            "timestamp": d.timestamp,
            "trace_id": d.trace_id,
            "correlation_id": d.correlation_id,
        });
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        resp
    }
}
