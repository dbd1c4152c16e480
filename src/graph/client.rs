//! The one HTTP client for Graph: bearer token, JSON in and out, Graph's errors kept whole.

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::GraphError;

/// Talks to one Graph version (`{graphBaseUrl}/v1.0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphClient {
    root: String,
}

impl GraphClient {
    /// A client for `{graph_base_url}/v1.0`.
    pub fn new(graph_base_url: &str) -> GraphClient {
        GraphClient {
            root: format!("{}/v1.0", graph_base_url.trim_end_matches('/')),
        }
    }

    /// Returns the absolute URL of `path` (which starts with `/`), or `path` itself when absolute (a nextLink).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("https://") || path.starts_with("http://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.root)
        }
    }

    /// GET `path` and decode the JSON answer. `eventual` adds `ConsistencyLevel: eventual` (needed by `$search`).
    pub async fn get<T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        eventual: bool,
    ) -> Result<T, GraphError> {
        let mut req = self.request(Method::GET, token, path);
        if eventual {
            req = req.header("ConsistencyLevel", "eventual");
        }
        let response = req
            .send()
            .await
            .map_err(|e| GraphError::network(e.to_string()))?;
        decode(response).await
    }

    /// POST `body` as JSON to `path` and decode the JSON answer.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> Result<T, GraphError> {
        let response = self
            .request(Method::POST, token, path)
            .json(body)
            .map_err(|e| GraphError::network(e.to_string()))?
            .send()
            .await
            .map_err(|e| GraphError::network(e.to_string()))?;
        decode(response).await
    }

    /// DELETE `path`; any 2xx is success.
    pub async fn delete(&self, token: &str, path: &str) -> Result<(), GraphError> {
        let response = self
            .request(Method::DELETE, token, path)
            .send()
            .await
            .map_err(|e| GraphError::network(e.to_string()))?;
        if response.ok() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }

    fn request(&self, method: Method, token: &str, path: &str) -> RequestBuilder {
        RequestBuilder::new(&self.url(path))
            .method(method)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, GraphError> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let status = response.status();
    let request_id = response.headers().get("request-id");
    let text = response
        .text()
        .await
        .map_err(|e| GraphError::network(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| GraphError {
        status,
        code: "unreadableResponse".into(),
        message: format!("The answer could not be read ({e})."),
        request_id,
    })
}

async fn error_of(response: Response) -> GraphError {
    let status = response.status();
    let request_id = response.headers().get("request-id");
    let text = response.text().await.unwrap_or_default();
    GraphError::from_body(status, &text, request_id)
}
