//! The optional static site listener: serves a built page folder like a static host, with the
//! same headers as `deploy/nginx.conf` (docs/security.md §F) and a generated `config.json`,
//! at the site root or under a sub-path such as `/tools/tap/`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;

use crate::faults::{FaultKind, FaultOrigin, Kinds};
use crate::inject::{cut_off, hold, pause};
use crate::state::AppState;

/// `Cache-Control` of Trunk's hashed files (`name-<16 hex>.js`, `_bg.wasm`, `.css`,
/// `boot-<hash>.js`): their content never changes under that name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Permissions-Policy` of the production host configs: no camera, microphone, geolocation,
/// USB, payment or clipboard reading; clipboard writing only for the page itself (it copies
/// passes).
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), usb=(), payment=(), clipboard-read=(), clipboard-write=(self)";
/// `Strict-Transport-Security` of the production host configs. Browsers ignore it over plain
/// HTTP (RFC 6797 §8.1), so sending it here only keeps the header set equal to `deploy/`.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Where the site's files are.
#[derive(Clone, Debug)]
pub struct SiteState {
    /// Shared emulator state (origins, config override, settings).
    pub app: Arc<AppState>,
    /// The folder served.
    pub dir: PathBuf,
    /// The path the folder is served under: starts and ends with `/` (`/` = the site root).
    pub prefix: String,
}

/// The site router, serving `dir` under `path_prefix` (see [`normalize_prefix`]).
pub fn router(app: Arc<AppState>, dir: PathBuf, path_prefix: &str) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(SiteState {
            app,
            dir,
            prefix: normalize_prefix(path_prefix),
        }))
}

/// `path_prefix` with exactly one `/` at each end: `""`, `"/"` → `/`; `tools/tap` → `/tools/tap/`.
pub fn normalize_prefix(path_prefix: &str) -> String {
    let inner = path_prefix.trim_matches('/');
    if inner.is_empty() {
        "/".to_string()
    } else {
        format!("/{inner}/")
    }
}

/// The Content-Security-Policy the page is served with.
pub fn csp(app: &AppState) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {} {}; style-src 'self'; \
img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
        app.login_url, app.graph_url
    )
}

/// The `Cache-Control` a request path gets, as in `deploy/nginx.conf`: `no-store` for the page
/// (a path ending in `/` or `index.html`) and `config.json`, [`IMMUTABLE`] for hashed files,
/// `no-cache` (revalidate) for anything else, errors included.
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.is_empty() || name == "index.html" || name == "config.json" {
        "no-store"
    } else if is_hashed(name) {
        IMMUTABLE
    } else {
        "no-cache"
    }
}

/// True if and only if `name` is `<anything>-<16 lowercase hex>[_bg].(js|wasm|css)`, the names
/// Trunk (`filehash = true`) and `cargo xtask build` (`boot-<hash>.js`) give their output.
pub fn is_hashed(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == 16 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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
    let path = crate::graph::percent_decode(uri.path());
    let plan = site
        .app
        .plan_faults(FaultOrigin::Site, &[(method.as_str(), &path)], Kinds::All);
    pause(&site.app, plan.latency).await;
    let mut resp = match plan.terminal {
        None | Some(FaultKind::Latency(_)) => respond(&site, &method, &uri, &path).await,
        Some(FaultKind::DropAfterWrite) => {
            cut_off(respond(&site, &method, &uri, &path).await).await
        }
        Some(FaultKind::Throttle { retry_after_secs }) => {
            let mut r = StatusCode::TOO_MANY_REQUESTS.into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            r
        }
        Some(FaultKind::ServerError(code)) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Some(FaultKind::Timeout) => {
            hold(&site.app).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    };
    if site.app.lock().settings.site_security_headers {
        security_headers(resp.headers_mut(), &site.app);
    }
    if let Ok(v) = HeaderValue::from_str(cache_control(&path)) {
        resp.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    resp
}

/// The response before the common headers: a file, `config.json`, the redirect from the
/// sub-path without its final `/`, or an error status.
async fn respond(site: &SiteState, method: &Method, uri: &Uri, path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Some(rest) = path.strip_prefix(site.prefix.as_str()) else {
        // `/tools/tap` → `/tools/tap/`, as a static host does for a folder.
        if format!("{path}/") == site.prefix {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            return Redirect::permanent(&format!("{}{query}", site.prefix)).into_response();
        }
        return StatusCode::NOT_FOUND.into_response();
    };
    if rest == "config.json" {
        return match &site.app.site_config_override {
            Some(s) if s.is_empty() => StatusCode::NOT_FOUND.into_response(),
            Some(s) => typed(s.clone().into_bytes(), "application/json"),
            None => typed(site.app.config_json().into_bytes(), "application/json"),
        };
    }
    file(&site.dir, rest).await
}

/// The headers `deploy/nginx.conf` sends on every response, except `Cache-Control`.
fn security_headers(h: &mut HeaderMap, app: &AppState) {
    if let Ok(v) = HeaderValue::from_str(&csp(app)) {
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
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    if app.lock().settings.site_permissions_policy {
        h.insert(
            "permissions-policy",
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
    }
}

fn typed(body: Vec<u8>, ct: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// Serves `rel` (relative to the prefix) from `dir`; a folder or `""` gets its `index.html`,
/// an extension-less unknown path the top `index.html`.
async fn file(dir: &Path, rel: &str) -> Response {
    let rel_path = PathBuf::from(rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut full = dir.join(&rel_path);
    if rel.is_empty() || rel.ends_with('/') || full.is_dir() {
        full = full.join("index.html");
    }
    let bytes = match tokio::fs::read(&full).await {
        Ok(b) => b,
        Err(_) if rel_path.extension().is_none() => {
            full = dir.join("index.html");
            match tokio::fs::read(&full).await {
                Ok(b) => b,
                Err(_) => return StatusCode::NOT_FOUND.into_response(),
            }
        }
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    typed(bytes, content_type(&full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_normalised() {
        assert_eq!(normalize_prefix(""), "/");
        assert_eq!(normalize_prefix("/"), "/");
        assert_eq!(normalize_prefix("tools/tap"), "/tools/tap/");
        assert_eq!(normalize_prefix("/tools/tap/"), "/tools/tap/");
    }

    #[test]
    fn cache_control_follows_the_nginx_map() {
        assert_eq!(cache_control("/"), "no-store");
        assert_eq!(cache_control("/tools/tap/"), "no-store");
        assert_eq!(cache_control("/index.html"), "no-store");
        assert_eq!(cache_control("/tools/tap/config.json"), "no-store");
        assert_eq!(
            cache_control("/tapdesk-2bad146229ae9f7c_bg.wasm"),
            IMMUTABLE
        );
        assert_eq!(cache_control("/tapdesk-2bad146229ae9f7c.js"), IMMUTABLE);
        assert_eq!(cache_control("/boot-600400cbd4660b0d.js"), IMMUTABLE);
        assert_eq!(cache_control("/main-d19965eb84ff72a1.css"), IMMUTABLE);
        assert_eq!(cache_control("/config.example.json"), "no-cache");
        assert_eq!(cache_control("/boot-600400CBD4660B0D.js"), "no-cache");
        assert_eq!(cache_control("/boot-600400cbd4660b0.js"), "no-cache");
        assert_eq!(
            cache_control("/tapdesk-2bad146229ae9f7c.wasm.map"),
            "no-cache"
        );
    }
}
