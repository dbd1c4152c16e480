//! The optional static site listener: serves a built page folder like a static host, with the
//! security headers of docs/security.md §F and a generated `/config.json`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::state::AppState;

/// Where the site's files are.
#[derive(Clone, Debug)]
pub struct SiteState {
    /// Shared emulator state (origins, config override, settings).
    pub app: Arc<AppState>,
    /// The folder served.
    pub dir: PathBuf,
}

/// The site router.
pub fn router(app: Arc<AppState>, dir: PathBuf) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(SiteState { app, dir }))
}

/// The Content-Security-Policy the page is served with.
pub fn csp(app: &AppState) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {} {}; style-src 'self'; \
img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
        app.login_url, app.graph_url
    )
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

async fn serve(State(site): State<Arc<SiteState>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = crate::graph::percent_decode(uri.path());
    let mut resp = if path == "/config.json" {
        match &site.app.site_config_override {
            Some(s) if s.is_empty() => StatusCode::NOT_FOUND.into_response(),
            Some(s) => typed(s.clone().into_bytes(), "application/json"),
            None => typed(site.app.config_json().into_bytes(), "application/json"),
        }
    } else {
        file(&site.dir, &path).await
    };
    let headers_on = site.app.lock().settings.site_security_headers;
    let h = resp.headers_mut();
    if headers_on {
        if let Ok(v) = HeaderValue::from_str(&csp(&site.app)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    resp
}

fn typed(body: Vec<u8>, ct: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// Serves a file under `dir`; `/` and extension-less unknown paths get `index.html`.
async fn file(dir: &Path, path: &str) -> Response {
    let rel = PathBuf::from(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut full = dir.join(&rel);
    if path.ends_with('/') || full.is_dir() {
        full = full.join("index.html");
    }
    let bytes = match tokio::fs::read(&full).await {
        Ok(b) => b,
        Err(_) if rel.extension().is_none() => {
            full = dir.join("index.html");
            match tokio::fs::read(&full).await {
                Ok(b) => b,
                Err(_) => return StatusCode::NOT_FOUND.into_response(),
            }
        }
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut r = typed(bytes, content_type(&full));
    if full.file_name().is_some_and(|n| n == "index.html") {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
