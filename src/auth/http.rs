//! The HTTP client `oauth2` uses in the browser: its `http` request sent through gloo-net (fetch).
//!
//! The request stays a plain CORS-safelisted form POST: `oauth2` only sets `Accept` and
//! `Content-Type: application/x-www-form-urlencoded`, and no credentials (cookies) are sent.

use thiserror::Error;

/// A request that got no HTTP answer.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct HttpError(pub String);

/// Sends `request` with `fetch` and returns the answer, whatever its status.
pub async fn send(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut builder =
        gloo_net::http::RequestBuilder::new(&parts.uri.to_string()).method(parts.method);
    for (name, value) in &parts.headers {
        let value = value.to_str().map_err(|e| HttpError(e.to_string()))?;
        builder = builder.header(name.as_str(), value);
    }
    let body = js_sys::Uint8Array::from(body.as_slice());
    let response = builder
        .body(body)
        .map_err(|e| HttpError(e.to_string()))?
        .send()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let content_type = response.headers().get("content-type");
    let bytes = response
        .binary()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    answer(response.status(), content_type.as_deref(), bytes)
}

/// Returns the answer `oauth2` reads: the status, the `Content-Type` (which it checks is JSON)
/// and the body. Only that header is copied: `oauth2` reads no other, and copying every header
/// would parse each name through `http`'s header-name table (17 KB of wasm).
pub fn answer(
    status: u16,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<oauth2::HttpResponse, HttpError> {
    let mut answer = http::Response::builder().status(status);
    if let Some(value) = content_type {
        answer = answer.header(http::header::CONTENT_TYPE, value);
    }
    answer.body(body).map_err(|e| HttpError(e.to_string()))
}

/// Fetches the page's own `config.json` (beside `index.html`, never cached) and returns its
/// text, or the sentence saying why it could not be had. Not Graph, not the authority: the
/// page's deployment, read before either is known.
pub async fn config_file() -> Result<String, String> {
    let response = gloo_net::http::Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| "config.json could not be loaded (no answer from the server).".to_owned())?;
    match response.status() {
        200 => response
            .text()
            .await
            .map_err(|e| format!("config.json could not be read: {e}.")),
        404 => Err("config.json was not found beside index.html.".into()),
        s => Err(format!("config.json could not be loaded (HTTP {s}).")),
    }
}
