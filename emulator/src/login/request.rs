//! The authorize request: its parameters, their validation in Entra's order, and the redirect
//! back to the application (query or fragment).

use std::collections::HashMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::aad_error::AadError;

use crate::scopes::ParsedScopes;
use crate::seed;
use crate::state::AppState;

/// The authorize request's parameters, as received (query string or hidden form fields).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthRequest {
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `response_type`.
    pub response_type: Option<String>,
    /// `response_mode`.
    pub response_mode: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<String>,
    /// `prompt`.
    pub prompt: Option<String>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// `domain_hint`.
    pub domain_hint: Option<String>,
}

const NAMES: [&str; 12] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "login_hint",
    "domain_hint",
];

impl AuthRequest {
    /// Picks the request parameters out of a query or form map.
    pub fn from_map(m: &HashMap<String, String>) -> AuthRequest {
        let g = |k: &str| m.get(k).cloned();
        AuthRequest {
            client_id: g("client_id"),
            redirect_uri: g("redirect_uri"),
            response_type: g("response_type"),
            response_mode: g("response_mode"),
            scope: g("scope"),
            state: g("state"),
            nonce: g("nonce"),
            code_challenge: g("code_challenge"),
            code_challenge_method: g("code_challenge_method"),
            prompt: g("prompt"),
            login_hint: g("login_hint"),
            domain_hint: g("domain_hint"),
        }
    }

    /// The parameters present, as `(name, value)` pairs (for hidden fields and links).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let values = [
            &self.client_id,
            &self.redirect_uri,
            &self.response_type,
            &self.response_mode,
            &self.scope,
            &self.state,
            &self.nonce,
            &self.code_challenge,
            &self.code_challenge_method,
            &self.prompt,
            &self.login_hint,
            &self.domain_hint,
        ];
        NAMES
            .iter()
            .zip(values)
            .filter_map(|(n, v)| v.as_deref().map(|v| (*n, v)))
            .collect()
    }

    /// The same request as a query string.
    pub fn to_query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

/// Where the response parameters go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `?code=..`
    Query,
    /// `#code=..`
    Fragment,
}

/// A request that passed validation.
#[derive(Clone, Debug)]
pub struct Valid {
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// Query or fragment.
    pub mode: Mode,
    /// Echoed `state`.
    pub state: Option<String>,
    /// Parsed scopes.
    pub scopes: ParsedScopes,
    /// PKCE challenge.
    pub code_challenge: String,
    /// `prompt`, lower-case.
    pub prompt: Option<String>,
}

impl Valid {
    /// A 302 back to the app with `params` (plus `state` if the request had one).
    pub fn redirect(&self, params: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(s) = &self.state {
            all.push(("state", s));
        }
        redirect_to(&self.redirect_uri, self.mode, &all)
    }

    /// A 302 back to the app carrying an error.
    pub fn error_redirect(&self, st: &AppState, e: &AadError) -> Response {
        let d = e.describe(st);
        self.redirect(&[("error", e.error), ("error_description", &d.description)])
    }
}

/// A 302 to `uri` with parameters in the query or the fragment.
pub fn redirect_to(uri: &str, mode: Mode, params: &[(&str, &str)]) -> Response {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let encoded = ser.finish();
    let location = match (mode, uri.contains('?')) {
        (Mode::Fragment, _) => format!("{uri}#{encoded}"),
        (Mode::Query, true) => format!("{uri}&{encoded}"),
        (Mode::Query, false) => format!("{uri}?{encoded}"),
    };
    found(&location)
}

/// A bare 302 Found to `location`.
pub fn found(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    r
}

/// AADSTS700016 for a client id that is not the demo app.
pub fn unknown_client(client_id: &str) -> AadError {
    AadError::new(
        "unauthorized_client",
        700016,
        format!("Application with identifier '{client_id}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
    )
}

/// AADSTS50011 for a redirect URI that is not registered.
pub fn redirect_mismatch(uri: &str) -> AadError {
    AadError::new(
        "invalid_request",
        50011,
        format!("The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.", seed::CLIENT_ID),
    )
}
