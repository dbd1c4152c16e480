//! The optional static site listener: serves a built page folder like a static host, with the
//! same headers as `deploy/nginx.conf` (docs/security.md §F) and a generated `config.json`,
//! at the site root or under a sub-path such as `/tools/tap/`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// Precompressed files already checked against their file (see [`Verified`]).
    pub verified: Verified,
}

/// The `(file bytes, variant bytes)` pairs, by variant path, that were checked to decode to
/// each other, so a request compares bytes instead of decoding the wasm again (decoding its
/// 480 KB `.br` costs about 0.1 s in a debug build).
#[derive(Clone, Default)]
pub struct Verified(Arc<Mutex<HashMap<PathBuf, VerifiedPair>>>);

type VerifiedPair = (Arc<[u8]>, Arc<[u8]>);

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|m| m.len()).unwrap_or_default();
        write!(f, "Verified({n} variants)")
    }
}

impl Verified {
    /// True if `variant` (read from `path`) decodes with `coding` to `raw`: remembered, or
    /// decoded now and remembered if so.
    fn check(&self, path: &Path, coding: Coding, raw: &[u8], variant: &[u8]) -> bool {
        if let Ok(map) = self.0.lock() {
            if let Some((r, v)) = map.get(path) {
                if **r == *raw && **v == *variant {
                    return true;
                }
            }
        }
        if !coding.decodes_to(variant, raw) {
            return false;
        }
        if let Ok(mut map) = self.0.lock() {
            map.insert(path.to_path_buf(), (Arc::from(raw), Arc::from(variant)));
        }
        true
    }
}

/// The site router, serving `dir` under `path_prefix` (see [`normalize_prefix`]).
pub fn router(app: Arc<AppState>, dir: PathBuf, path_prefix: &str) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(SiteState {
            app,
            dir,
            prefix: normalize_prefix(path_prefix),
            verified: Verified::default(),
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

async fn serve(
    State(site): State<Arc<SiteState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = crate::graph::percent_decode(uri.path());
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let plan = site
        .app
        .plan_faults(FaultOrigin::Site, &[(method.as_str(), &path)], Kinds::All);
    pause(&site.app, plan.latency).await;
    let mut resp = match plan.terminal {
        None | Some(FaultKind::Latency(_)) => respond(&site, &method, &uri, &path, accept).await,
        Some(FaultKind::DropAfterWrite) => {
            cut_off(respond(&site, &method, &uri, &path, accept).await).await
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
    // As nginx's `add_header` (without `always`: 2xx and 3xx answers only): a 503 cached as
    // `immutable` would break every retry of a screen's module.
    let status = resp.status();
    if status.is_success() || status.is_redirection() {
        if let Ok(v) = HeaderValue::from_str(cache_control(&path)) {
            resp.headers_mut().insert(header::CACHE_CONTROL, v);
        }
    }
    resp
}

/// The response before the common headers: a file, `config.json`, the redirect from the
/// sub-path without its final `/`, or an error status.
async fn respond(
    site: &SiteState,
    method: &Method,
    uri: &Uri,
    path: &str,
    accept_encoding: Option<&str>,
) -> Response {
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
    file(site, rest, accept_encoding).await
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
/// an extension-less unknown path the top `index.html`. A precompressed `<file>.br` or
/// `<file>.gz` (written by `cargo xtask build`) is served instead when `accept_encoding` allows
/// it (see [`served_encodings`]) and it decodes to the file's bytes, with `Content-Encoding`
/// and the original file's type; every response for a file that has such a variant carries
/// `Vary: Accept-Encoding`, as nginx's `gzip_static` with `gzip_vary on` does.
async fn file(site: &SiteState, rel: &str, accept_encoding: Option<&str>) -> Response {
    let dir = site.dir.as_path();
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
    let ct = content_type(&full);
    let mut has_variant = false;
    for coding in Coding::ALL {
        has_variant |= tokio::fs::try_exists(coding.variant_of(&full))
            .await
            .unwrap_or(false);
    }
    for coding in served_encodings(accept_encoding) {
        let path = coding.variant_of(&full);
        let Ok(variant) = tokio::fs::read(&path).await else {
            continue;
        };
        if site.verified.check(&path, coding, &bytes, &variant) {
            let mut resp = typed(variant, ct);
            resp.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
            resp.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            return resp;
        }
    }
    let mut resp = typed(bytes, ct);
    if has_variant {
        resp.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    resp
}

/// A content coding the site serves from a precompressed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `<file>.br`, `Content-Encoding: br`.
    Br,
    /// `<file>.gz`, `Content-Encoding: gzip`.
    Gzip,
}

impl Coding {
    /// In order of preference when the client accepts both equally.
    pub const ALL: [Coding; 2] = [Coding::Br, Coding::Gzip];

    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        }
    }

    fn variant_of(self, file: &Path) -> PathBuf {
        let mut name = file.as_os_str().to_owned();
        name.push(match self {
            Coding::Br => ".br",
            Coding::Gzip => ".gz",
        });
        PathBuf::from(name)
    }

    /// True if `variant` decodes to exactly `raw`. A variant left behind by a file that was
    /// changed since (as the E2E tests do to the wasm to see integrity fail) is stale and never
    /// served: the browser must get the bytes on disk.
    fn decodes_to(self, variant: &[u8], raw: &[u8]) -> bool {
        use std::io::Read;
        let mut out = Vec::with_capacity(raw.len());
        let ok = match self {
            Coding::Br => brotli_decompressor::Decompressor::new(variant, 4096)
                .read_to_end(&mut out)
                .is_ok(),
            Coding::Gzip => flate2::read::GzDecoder::new(variant)
                .read_to_end(&mut out)
                .is_ok(),
        };
        ok && out == raw
    }
}

/// The precompressed codings `accept_encoding` (an `Accept-Encoding` value) allows, best first:
/// higher q-value first, `br` before `gzip` when equal. A coding the header does not name takes
/// the q-value of `*` if present, else is not acceptable; `q=0` refuses. An absent header, or
/// one naming only `identity`, gets none: the raw file (as nginx and Caddy do).
pub fn served_encodings(accept_encoding: Option<&str>) -> Vec<Coding> {
    let Some(value) = accept_encoding else {
        return Vec::new();
    };
    let mut star = None;
    let mut named: Vec<(String, f32)> = Vec::new();
    for item in value.split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        let mut q = 1.0_f32;
        for param in parts {
            if let Some((k, v)) = param.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        if token == "*" {
            star = Some(q);
        } else {
            named.push((token, q));
        }
    }
    let q_of = |coding: Coding| {
        let aliases: &[&str] = match coding {
            Coding::Br => &["br"],
            Coding::Gzip => &["gzip", "x-gzip"],
        };
        named
            .iter()
            .find(|(t, _)| aliases.contains(&t.as_str()))
            .map(|(_, q)| *q)
            .or(star)
            .unwrap_or(0.0)
    };
    let mut ranked: Vec<(Coding, f32)> = Coding::ALL
        .into_iter()
        .map(|c| (c, q_of(c)))
        .filter(|(_, q)| *q > 0.0)
        .collect();
    // Stable: equal q-values keep the order of `Coding::ALL` (br first).
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.into_iter().map(|(c, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_picks_br_then_gzip_by_q_value() {
        use Coding::{Br, Gzip};
        assert_eq!(served_encodings(None), []);
        assert_eq!(served_encodings(Some("")), []);
        assert_eq!(served_encodings(Some("identity")), []);
        assert_eq!(
            served_encodings(Some("gzip, deflate, br, zstd")),
            [Br, Gzip]
        );
        assert_eq!(served_encodings(Some("gzip")), [Gzip]);
        assert_eq!(served_encodings(Some("x-gzip")), [Gzip]);
        assert_eq!(served_encodings(Some("BR")), [Br]);
        assert_eq!(served_encodings(Some("br;q=0.5, gzip;q=0.8")), [Gzip, Br]);
        assert_eq!(served_encodings(Some("br;q=0, gzip")), [Gzip]);
        assert_eq!(served_encodings(Some("gzip;q=0, br;q=0")), []);
        assert_eq!(served_encodings(Some("*")), [Br, Gzip]);
        assert_eq!(served_encodings(Some("gzip;q=1, *;q=0")), [Gzip]);
        assert_eq!(
            served_encodings(Some("identity, *;q=0.1, gzip")),
            [Gzip, Br]
        );
        assert_eq!(served_encodings(Some("br; q=0.9 , gzip ; Q=1")), [Gzip, Br]);
    }

    #[test]
    fn stale_or_broken_variants_do_not_decode_to_the_file() {
        // gzip of "abc" with mtime 0 (`printf abc | gzip -9n | xxd -i`).
        let gz = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0x4c, 0x4a, 0x06,
            0x00, 0xc2, 0x41, 0x24, 0x35, 0x03, 0x00, 0x00, 0x00,
        ];
        assert!(Coding::Gzip.decodes_to(&gz, b"abc"));
        assert!(!Coding::Gzip.decodes_to(&gz, b"abd"));
        assert!(!Coding::Gzip.decodes_to(b"abc", b"abc"));
        assert!(!Coding::Br.decodes_to(b"\xff\xff not brotli", b"abc"));
        assert_eq!(
            Coding::Br.variant_of(Path::new("/d/app_bg.wasm")),
            Path::new("/d/app_bg.wasm.br")
        );
    }

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
