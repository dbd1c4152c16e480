//! Shared helpers for the integration tests: start an emulator for a fake SPA origin, drive
//! the sign-in pages over HTTP like a browser would (forms, cookie, redirects), redeem codes
//! and call Graph.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tapdesk_emulator::{Emulator, EmulatorConfig};

/// The fake page's redirect URI (registered; nothing listens there).
pub const REDIRECT: &str = "http://127.0.0.1:5555/";
/// Its origin.
pub const ORIGIN_OK: &str = "http://127.0.0.1:5555";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// S256 of [`VERIFIER`].
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
pub const MEGAN: &str = "megan.bowen@contoso.onmicrosoft.com";
pub const ALEX: &str = "alex.wilber@contoso.onmicrosoft.com";
pub const GRADY: &str = "grady.archie@contoso.onmicrosoft.com";
pub const LYNNE: &str = "lynne.robbins@contoso.onmicrosoft.com";
pub const ISAIAH: &str = "isaiah.langer@contoso.onmicrosoft.com";
pub const DIEGO: &str = "diego.siciliani@contoso.onmicrosoft.com";
pub const PRADEEP: &str = "pradeep.gupta@contoso.onmicrosoft.com";
pub const JOHANNA: &str = "johanna.lorenz@contoso.onmicrosoft.com";
pub const LEE: &str = "lee.gu@contoso.onmicrosoft.com";
pub const GUEST: &str = "jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com";
pub const NESTOR: &str = "nestor.wilke@contoso.onmicrosoft.com";

/// Starts an emulator with [`REDIRECT`] registered.
pub async fn start() -> Emulator {
    start_with(true).await
}

/// Same, choosing whether tenant-wide admin consent exists.
pub async fn start_with(admin_consent_granted: bool) -> Emulator {
    Emulator::start(EmulatorConfig {
        spa_redirect_uris: vec![REDIRECT.to_string()],
        admin_consent_granted,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts")
}

/// An HTTP client that never follows redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// The scope string tapdesk asks for: OpenID + the given Graph permissions, prefixed with
/// the emulator's Graph URL.
pub fn scope(emu: &Emulator, perms: &[&str]) -> String {
    let mut s = String::from("openid profile offline_access");
    for p in perms {
        s.push_str(&format!(" {}/{p}", emu.graph_url()));
    }
    s
}

/// The default Graph permissions for tests.
pub const TAP_PERMS: &[&str] = &[
    "User.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
    "Policy.Read.AuthenticationMethod",
];

/// An authorize URL with PKCE, state and nonce, plus `extra` parameters.
pub fn authorize_url(emu: &Emulator, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    ser.append_pair("client_id", emu.client_id())
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", "st-123")
        .append_pair("nonce", "n-456")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    for (k, v) in extra {
        ser.append_pair(k, v);
    }
    format!(
        "{}/oauth2/v2.0/authorize?{}",
        emu.authority().trim_end_matches("/v2.0"),
        ser.finish()
    )
}

/// A browser: an HTTP client plus the sign-in origin's session cookie.
pub struct Browser {
    pub client: reqwest::Client,
    pub cookie: Option<String>,
}

/// One page or redirect the browser got.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The Location header, if a redirect.
    pub fn location(&self) -> Option<String> {
        self.headers
            .get(LOCATION)
            .map(|v| v.to_str().expect("ascii").to_string())
    }

    /// Parameters of the redirect (query or fragment).
    pub fn redirect_params(&self) -> HashMap<String, String> {
        let loc = self.location().expect("a redirect");
        assert!(loc.starts_with(REDIRECT), "redirects to the app: {loc}");
        let part = loc
            .split_once('#')
            .map(|(_, f)| f.to_string())
            .or_else(|| loc.split_once('?').map(|(_, q)| q.to_string()))
            .unwrap_or_default();
        url::form_urlencoded::parse(part.as_bytes())
            .into_owned()
            .collect()
    }

    /// Hidden inputs of the first form on the page.
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        let form = self.body.split("</form>").next().unwrap_or("");
        let mut out = vec![];
        for chunk in form.split("<input type=\"hidden\" ").skip(1) {
            let name = attr(chunk, "name").expect("name");
            let value = attr(chunk, "value").expect("value");
            out.push((name, value));
        }
        out
    }

    /// The action of the first form.
    pub fn form_action(&self) -> String {
        attr(self.body.split("<form ").nth(1).expect("a form"), "action").expect("action")
    }
}

fn attr(chunk: &str, name: &str) -> Option<String> {
    let start = chunk.find(&format!("{name}=\""))? + name.len() + 2;
    let end = chunk[start..].find('"')? + start;
    Some(unescape(&chunk[start..end]))
}

/// Reverses the page's HTML escaping.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: http(),
            cookie: None,
        }
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status();
        let headers = resp.headers().clone();
        for c in headers.get_all(SET_COOKIE) {
            let c = c.to_str().expect("ascii");
            let pair = c.split(';').next().unwrap_or("");
            if let Some(v) = pair.strip_prefix("esid=") {
                self.cookie = if v.is_empty() {
                    None
                } else {
                    Some(v.to_string())
                };
            }
        }
        let body = resp.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    /// GET with the cookie.
    pub async fn get(&mut self, url: &str) -> Page {
        let mut req = self.client.get(url);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("esid={c}"));
        }
        let resp = req.send().await.expect("GET");
        self.finish(resp).await
    }

    /// Submits the first form of `page` (hidden fields) plus `extra`, to its action on `base`.
    pub async fn submit(&mut self, base: &str, page: &Page, extra: &[(&str, &str)]) -> Page {
        let mut fields = page.hidden_fields();
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut req = self
            .client
            .post(format!("{base}{}", page.form_action()))
            .form(&fields);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("esid={c}"));
        }
        let resp = req.send().await.expect("POST");
        self.finish(resp).await
    }

    /// Authorize, pick `upn` on the chooser, accept consent if asked (`org` = tenant-wide);
    /// returns the code.
    pub async fn sign_in(&mut self, emu: &Emulator, upn: &str, scope: &str, org: bool) -> String {
        let mut page = self.get(&authorize_url(emu, scope, &[])).await;
        if page.status == StatusCode::OK && page.body.contains("id=\"accounts\"") {
            page = self
                .submit(&emu.login_url(), &page, &[("account", upn)])
                .await;
        }
        if page.status == StatusCode::OK && page.body.contains("id=\"consent-accept\"") {
            let mut extra = vec![("decision", "accept")];
            if org {
                extra.push(("org", "on"));
            }
            page = self.submit(&emu.login_url(), &page, &extra).await;
        }
        assert_eq!(
            page.status,
            StatusCode::FOUND,
            "sign-in ends in a redirect: {}",
            page.body
        );
        let params = page.redirect_params();
        assert_eq!(params.get("state").map(String::as_str), Some("st-123"));
        params
            .get("code")
            .cloned()
            .unwrap_or_else(|| panic!("a code, got {params:?}"))
    }
}

/// POSTs a token request from the registered origin.
pub async fn token_request(
    emu: &Emulator,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut req = http()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            emu.login_url(),
            tapdesk_emulator::seed::TENANT_ID
        ))
        .form(form);
    if let Some(o) = origin {
        req = req.header(ORIGIN, o);
    }
    let resp = req.send().await.expect("token POST");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.expect("json"))
}

/// Redeems a code with the right verifier.
pub async fn redeem(emu: &Emulator, code: &str) -> (StatusCode, Value) {
    let (s, _, v) = token_request(
        emu,
        &[
            ("client_id", emu.client_id()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        Some(ORIGIN_OK),
    )
    .await;
    (s, v)
}

/// Signs `upn` in with the usual TAP scopes and returns the token response.
pub async fn tokens_for(emu: &Emulator, upn: &str, perms: &[&str]) -> Value {
    let code = Browser::new()
        .sign_in(emu, upn, &scope(emu, perms), false)
        .await;
    let (s, v) = redeem(emu, &code).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// An access token for `upn` with [`TAP_PERMS`].
pub async fn token_for(emu: &Emulator, upn: &str) -> String {
    tokens_for(emu, upn, TAP_PERMS).await["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// A Graph `GET` of `path` with `token`: [`graph`] without a body or extra headers.
pub async fn get(emu: &Emulator, path: &str, token: &str) -> (StatusCode, HeaderMap, Value) {
    graph(emu, Method::GET, path, Some(token), None, &[]).await
}

/// A Graph call under `/v1.0`; returns status, headers and JSON (Null if no body).
pub async fn graph(
    emu: &Emulator,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let url = if path.starts_with("http") {
        path.to_string()
    } else {
        format!("{}/v1.0{path}", emu.graph_url())
    };
    let mut req = http().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("graph call");
    let status = resp.status();
    let h = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("json body")
    };
    (status, h, v)
}

/// Decodes a JWT's claims.
pub fn claims(jwt: &str) -> Value {
    tapdesk_emulator::jwt::decode_claims_unverified(jwt).expect("jwt claims")
}

/// Asserts a Graph error's status, code and (part of) message, and the envelope's shape.
pub fn assert_graph_error(
    got: &(StatusCode, HeaderMap, Value),
    status: u16,
    code: &str,
    message_part: &str,
) {
    let (s, h, v) = got;
    assert_eq!(s.as_u16(), status, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(
        msg.contains(message_part),
        "message {msg:?} should contain {message_part:?}"
    );
    let inner = &v["error"]["innerError"];
    let date = inner["date"].as_str().expect("date");
    assert_eq!(date.len(), 19, "no fraction, no Z: {date}");
    assert_eq!(
        inner["request-id"].as_str(),
        h.get("request-id").and_then(|x| x.to_str().ok())
    );
    assert!(inner["client-request-id"].is_string());
}

/// An access token for `upn` after signing in with tenant-wide consent to `perms` (the user
/// must be allowed to grant it, e.g. a Global Administrator).
pub async fn org_token_for(emu: &Emulator, upn: &str, perms: &[&str]) -> String {
    let code = Browser::new()
        .sign_in(emu, upn, &scope(emu, perms), true)
        .await;
    let (s, v) = redeem(emu, &code).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["access_token"].as_str().expect("token").to_string()
}

/// `/users/{upn}/authentication/temporaryAccessPassMethods` (with `#` escaped).
pub fn taps_path(upn: &str) -> String {
    format!(
        "/users/{}/authentication/temporaryAccessPassMethods",
        upn.replace('#', "%23")
    )
}

/// `POST /v1.0/$batch` with `{"requests": requests}`.
pub async fn batch(emu: &Emulator, token: &str, requests: Value) -> (StatusCode, HeaderMap, Value) {
    graph(
        emu,
        Method::POST,
        "/$batch",
        Some(token),
        Some(serde_json::json!({ "requests": requests })),
        &[],
    )
    .await
}

/// A batch item creating a pass for `upn` with an empty body.
pub fn create_item(id: &str, upn: &str) -> Value {
    serde_json::json!({
        "id": id,
        "method": "POST",
        "url": taps_path(upn),
        "headers": {"Content-Type": "application/json"},
        "body": {},
    })
}

/// The batch response item with this id.
pub fn item<'a>(envelope: &'a Value, id: &str) -> &'a Value {
    envelope["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response {id} in {envelope}"))
}

/// How many recorded events satisfy `pred`.
pub fn count_events(emu: &Emulator, pred: impl Fn(&tapdesk_emulator::Event) -> bool) -> usize {
    emu.events().iter().filter(|e| pred(e)).count()
}
