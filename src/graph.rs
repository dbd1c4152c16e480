//! Microsoft Graph: serde mirrors of its JSON ([`models`]), its error ([`GraphError`]) and the one
//! client that does HTTP to Graph ([`client`]), with typed calls in [`api`].
//!
//! Architecture invariant: only this module builds Graph requests; the base URL comes from
//! configuration, never from a literal.

pub mod api;
pub mod batch;
pub mod client;
pub mod handle;
pub mod models;
pub mod paging;
pub mod request;
pub mod retry;
pub mod time;

pub use client::GraphClient;
pub use handle::Graph;
pub use request::Request;

use serde::Deserialize;
use thiserror::Error;

/// Why a Graph call got no answer at all: it was lost on the way, or never sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// The network or the browser (CORS) failed the request; the detail is the browser's.
    Network,
    /// No answer within the time-out, in whole seconds.
    Timeout { seconds: u32 },
    /// Never sent: the URL (a nextLink) is not under the configured Graph root.
    UntrustedUrl,
    /// Never sent: the session is gone (the admin signed out, the view closed).
    SignedOut,
    /// Never sent: no token can be had without the admin signing in again.
    SignInRequired(Box<crate::auth::AuthError>),
}

/// A failed Graph call: the HTTP status and Graph's own error body, kept whole; or, when no
/// answer came, why ([`GraphError::unanswered`]).
#[derive(Clone, Debug, Default, Error, PartialEq, Eq)]
#[error("Graph answered {status} {code}: {message}")]
pub struct GraphError {
    /// HTTP status; 0 exactly when [`GraphError::unanswered`] is set (no answer arrived).
    pub status: u16,
    /// `error.code`, e.g. `Authorization_RequestDenied`, `badRequest`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `request-id` for support tickets.
    pub request_id: Option<String>,
    /// `Retry-After` in seconds, on a 429 or 503.
    pub retry_after: Option<u32>,
    /// Set when no answer came: why. `None` for every answer Graph gave.
    pub unanswered: Option<Unanswered>,
}

impl GraphError {
    /// A request that got no answer at all (network, CORS); `detail` says what the browser said.
    pub fn network(detail: impl Into<String>) -> GraphError {
        GraphError::unanswered(Unanswered::Network, detail)
    }

    /// A request with no answer within `seconds`.
    pub fn timeout(seconds: u32) -> GraphError {
        GraphError::unanswered(
            Unanswered::Timeout { seconds },
            format!("no answer within {seconds} s"),
        )
    }

    /// A call not sent because the session is gone.
    pub fn signed_out() -> GraphError {
        GraphError::unanswered(Unanswered::SignedOut, "You are signed out.")
    }

    /// A call not sent because no token can be had without the admin (`cause` says why).
    pub fn sign_in_required(cause: crate::auth::AuthError) -> GraphError {
        let message = cause.to_string();
        GraphError::unanswered(Unanswered::SignInRequired(Box::new(cause)), message)
    }

    fn unanswered(why: Unanswered, message: impl Into<String>) -> GraphError {
        GraphError {
            message: message.into(),
            unanswered: Some(why),
            ..GraphError::default()
        }
    }

    /// True when the request may have reached Graph but its answer was lost (network failure or
    /// time-out): what it did is unknown.
    pub fn answer_lost(&self) -> bool {
        matches!(
            self.unanswered,
            Some(Unanswered::Network | Unanswered::Timeout { .. })
        )
    }

    /// True when the call was not sent because the admin must sign in (again).
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self.unanswered,
            Some(Unanswered::SignedOut | Unanswered::SignInRequired(_))
        )
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
                ..GraphError::default()
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

    /// Issue 13 point 6: failures without an answer are variants, with no status and no code.
    #[test]
    fn failures_without_an_answer_are_variants() {
        let lost = GraphError::network("reset");
        let late = GraphError::timeout(65);
        assert_eq!(late.unanswered, Some(Unanswered::Timeout { seconds: 65 }));
        assert!(lost.answer_lost() && late.answer_lost());
        assert!(!lost.needs_sign_in());
        let out = GraphError::signed_out();
        let again = GraphError::sign_in_required(crate::auth::AuthError::SignInRequired);
        assert!(out.needs_sign_in() && again.needs_sign_in());
        assert!(!out.answer_lost() && !again.answer_lost());
        for e in [lost, late, out, again] {
            assert_eq!((e.status, e.code.as_str()), (0, ""));
        }
        assert_eq!(GraphError::from_body(404, "", None).unanswered, None);
    }
}
