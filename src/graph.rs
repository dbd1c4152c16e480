//! Microsoft Graph: serde mirrors of its JSON ([`models`]), its error ([`GraphError`]) and the one
//! client that does HTTP to Graph ([`client`]), with typed calls in [`api`].
//!
//! Architecture invariant: only this module builds Graph requests; the base URL comes from
//! configuration, never from a literal.

pub mod api;
pub mod client;
pub mod models;
pub mod retry;
pub mod time;

pub use client::GraphClient;

use serde::Deserialize;
use thiserror::Error;

/// A failed Graph call: the HTTP status and Graph's own error body, kept whole.
#[derive(Clone, Debug, Default, Error, PartialEq, Eq)]
#[error("Graph answered {status} {code}: {message}")]
pub struct GraphError {
    /// HTTP status; 0 when no answer arrived (network, CORS, timeout).
    pub status: u16,
    /// `error.code`, e.g. `Authorization_RequestDenied`, `badRequest`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `request-id` for support tickets.
    pub request_id: Option<String>,
    /// `Retry-After` in seconds, on a 429 or 503.
    pub retry_after: Option<u32>,
}

impl GraphError {
    /// A request that got no answer at all.
    pub fn network(detail: impl Into<String>) -> GraphError {
        GraphError {
            status: 0,
            code: "network".into(),
            message: detail.into(),
            ..GraphError::default()
        }
    }

    /// Builds the error from a status and a response body in Graph's error envelope (or anything else).
    pub fn from_body(status: u16, body: &str, request_id: Option<String>) -> GraphError {
        #[derive(Deserialize)]
        struct Envelope {
            error: Body,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Body {
            #[serde(default)]
            code: String,
            #[serde(default)]
            message: String,
            #[serde(default)]
            inner_error: Option<Inner>,
        }
        #[derive(Deserialize)]
        struct Inner {
            #[serde(rename = "request-id", default)]
            request_id: Option<String>,
        }
        match serde_json::from_str::<Envelope>(body) {
            Ok(env) => GraphError {
                status,
                code: env.error.code,
                message: env.error.message,
                request_id: request_id.or_else(|| env.error.inner_error.and_then(|i| i.request_id)),
                retry_after: None,
            },
            Err(_) => GraphError {
                status,
                request_id,
                ..GraphError::default()
            },
        }
    }
}

impl crate::auth::session::Unauthorized for GraphError {
    fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_kept_whole() {
        let body = r#"{"error":{"code":"badRequest","message":"Invalid LifetimeInMinutes specified. The valid range between 60 and 480.","innerError":{"date":"2021-04-01T17:02:01","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let e = GraphError::from_body(400, body, None);
        assert_eq!(e.code, "badRequest");
        assert!(e.message.contains("between 60 and 480"));
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(
            GraphError::from_body(400, body, Some("h".into()))
                .request_id
                .as_deref(),
            Some("h")
        );
    }

    #[test]
    fn non_json_bodies_keep_the_status() {
        let e = GraphError::from_body(502, "<html>Bad gateway</html>", None);
        assert_eq!((e.status, e.code.as_str()), (502, ""));
    }
}
