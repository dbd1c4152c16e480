//! The one HTTP client for Graph: bearer token, JSON in and out, Graph's errors kept whole,
//! a timeout on every request, and the retry rules of [`super::retry`].

use std::cell::Cell;
use std::rc::Rc;

use super::request::{self, Request};
use super::retry::{Kind, RetryPolicy};
use super::GraphError;
use gloo_net::http::{Method, RequestBuilder};

/// How long one request may take before it counts as lost, unless configured otherwise.
/// Graph's authentication-methods calls time out after 60 s server-side (reference §5).
pub const DEFAULT_TIMEOUT_MS: u32 = crate::config::DEFAULT_GRAPH_TIMEOUT_SECONDS * 1000;

/// Talks to one Graph version (`{graphBaseUrl}/v1.0`).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphClient {
    root: String,
    timeout_ms: u32,
    policy: RetryPolicy,
}

/// A complete answer: status, headers we use, and the body text.
struct Answer {
    status: u16,
    request_id: Option<String>,
    retry_after: Option<u32>,
    text: String,
}

impl GraphClient {
    /// A client for `{graph_base_url}/v1.0`.
    pub fn new(graph_base_url: &str) -> GraphClient {
        GraphClient {
            root: format!("{}/v1.0", graph_base_url.trim_end_matches('/')),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            policy: RetryPolicy::default(),
        }
    }

    /// The same client with another per-request timeout.
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> GraphClient {
        self.timeout_ms = timeout_ms;
        self
    }

    /// Returns the absolute URL of `path` (which starts with `/`), or `path` itself when it is
    /// absolute (a nextLink) and lies under the configured Graph root: same scheme, host and
    /// port, and a path under `/v1.0/`. Anything else is refused, so the bearer token only ever
    /// goes to Graph (issue 12 point 12).
    pub fn url(&self, path: &str) -> Result<String, GraphError> {
        if path.starts_with('/') && !path.starts_with("//") {
            return Ok(format!("{}{path}", self.root));
        }
        let (Ok(root), Ok(link)) = (url::Url::parse(&self.root), url::Url::parse(path)) else {
            return Err(untrusted(path));
        };
        let prefix = format!("{}/", root.path().trim_end_matches('/'));
        let under = root.scheme() == link.scheme()
            && root.host_str() == link.host_str()
            && root.port_or_known_default() == link.port_or_known_default()
            && link.username().is_empty()
            && link.password().is_none()
            && (link.path() == prefix.trim_end_matches('/') || link.path().starts_with(&prefix));
        if under {
            Ok(path.to_owned())
        } else {
            Err(untrusted(path))
        }
    }

    /// Sends `req` with `token` under the retry rules of its kind and reads the answer.
    pub async fn execute<T>(&self, token: &str, req: &Request<T>) -> Result<T, GraphError> {
        let url = self.url(&req.path)?;
        let method = match req.method {
            request::Method::Get => Method::GET,
            request::Method::Post => Method::POST,
            request::Method::Patch => Method::PATCH,
            request::Method::Delete => Method::DELETE,
            request::Method::Put => Method::PUT,
        };
        let answer = self
            .send(req.kind, req.body.as_deref(), || {
                let mut builder = self.request(method.clone(), token, &url);
                if req.body.is_some() {
                    builder = builder.header("Content-Type", "application/json");
                }
                if req.eventual {
                    let (name, value) = super::request::ADVANCED_QUERY_HEADER;
                    builder = builder.header(name, value);
                }
                builder
            })
            .await?;
        req.read(&answer.text).map_err(|e| GraphError {
            status: answer.status,
            code: "unreadableResponse".into(),
            message: format!("The answer could not be read ({e})."),
            request_id: answer.request_id,
            ..GraphError::default()
        })
    }

    fn request(&self, method: Method, token: &str, url: &str) -> RequestBuilder {
        RequestBuilder::new(url)
            .method(method)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
    }

    /// Sends the request `build` makes until it succeeds or the retry policy gives up.
    async fn send<F>(&self, kind: Kind, body: Option<&str>, build: F) -> Result<Answer, GraphError>
    where
        F: Fn() -> RequestBuilder,
    {
        // Throttles and other failures are counted apart: each has its own limit and back-off.
        let (mut retries, mut throttles) = (0, 0);
        loop {
            let outcome = self.once(build(), body).await;
            let error = match outcome {
                Ok(a) if (200..300).contains(&a.status) => return Ok(a),
                Ok(a) => GraphError {
                    retry_after: a.retry_after,
                    ..GraphError::from_body(a.status, &a.text, a.request_id)
                },
                Err(e) => e,
            };
            let throttled = error.status == 429;
            let Some(wait) = self.policy.delay_ms(
                if throttled { throttles } else { retries },
                error.status,
                error.retry_after,
                kind,
                js_sys::Math::random(),
            ) else {
                return Err(error);
            };
            gloo_timers::future::TimeoutFuture::new(wait as u32).await;
            if throttled {
                throttles += 1;
            } else {
                retries += 1;
            }
        }
    }

    /// One request under the timeout: the whole answer, body included, or a network/timeout error.
    async fn once(
        &self,
        builder: RequestBuilder,
        body: Option<&str>,
    ) -> Result<Answer, GraphError> {
        let fired = Rc::new(Cell::new(false));
        let controller = web_sys::AbortController::new().ok();
        let _timer = controller.clone().map(|c| {
            let fired = fired.clone();
            gloo_timers::callback::Timeout::new(self.timeout_ms, move || {
                fired.set(true);
                c.abort();
            })
        });
        let lost = |detail: String| {
            if fired.get() {
                GraphError::timeout(self.timeout_ms / 1000)
            } else {
                GraphError::network(detail)
            }
        };
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        let builder = builder.abort_signal(signal.as_ref());
        let request = match body {
            Some(b) => builder.body(b.to_owned()),
            None => builder.build(),
        }
        .map_err(|e| GraphError::network(e.to_string()))?;
        let response = request.send().await.map_err(|e| lost(e.to_string()))?;
        let headers = response.headers();
        let status = response.status();
        let request_id = headers.get("request-id");
        // Unreadable when Graph does not expose it (`Access-Control-Expose-Headers`): `None`.
        let retry_after = headers
            .get("Retry-After")
            .and_then(|v| super::retry::parse_retry_after(&v));
        // The body is part of the answer: a connection lost mid-body is a lost answer.
        let text = response.text().await.map_err(|e| lost(e.to_string()))?;
        Ok(Answer {
            status,
            request_id,
            retry_after,
            text,
        })
    }
}

/// The error for a URL outside the configured Graph root: never sent, token never attached.
fn untrusted(path: &str) -> GraphError {
    let shown: String = path.chars().take(120).collect();
    GraphError {
        message: format!(
            "Graph pointed this page at {shown}, which is not under the configured Graph URL; the request was not sent."
        ),
        unanswered: Some(super::Unanswered::UntrustedUrl),
        ..GraphError::default()
    }
}
