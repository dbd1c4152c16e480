//! Validation of an authorize request in Entra's order: an untrusted client or redirect URI
//! gets an HTML error page, later errors redirect back with `error=`.

use axum::http::StatusCode;
use axum::response::Response;

use super::aad_error::AadError;
use super::pages;
use super::request::{redirect_mismatch, unknown_client, AuthRequest, Mode, Valid};
use crate::scopes::{self, ParsedScopes};
use crate::seed;
use crate::state::AppState;

/// Validates in Entra's order. Errors before the redirect URI is trusted are HTML pages
/// (never a redirect); later ones redirect back with `error=`.
// The error is the finished HTTP response, built at most once per request; boxing it would
// only add noise at every call site.
#[allow(clippy::result_large_err)]
pub fn validate(st: &AppState, req: &AuthRequest) -> Result<Valid, Response> {
    let page = |e: AadError| pages::error_page(st, StatusCode::BAD_REQUEST, &e);
    let Some(client_id) = req.client_id.as_deref() else {
        return Err(page(AadError::missing("client_id")));
    };
    if client_id != seed::CLIENT_ID {
        return Err(page(unknown_client(client_id)));
    }
    let Some(redirect_uri) = req.redirect_uri.as_deref() else {
        return Err(page(AadError::missing("redirect_uri")));
    };
    if !st.lock().redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(page(redirect_mismatch(redirect_uri)));
    }
    let mode = match req.response_mode.as_deref() {
        None | Some("query") => Mode::Query,
        Some("fragment") => Mode::Fragment,
        Some(_) => Mode::Query,
    };
    let mut valid = Valid {
        redirect_uri: redirect_uri.to_string(),
        mode,
        state: req.state.clone(),
        scopes: ParsedScopes::default(),
        code_challenge: String::new(),
        prompt: req.prompt.as_ref().map(|p| p.to_ascii_lowercase()),
    };
    let fail = |v: &Valid, e: AadError| Err(v.error_redirect(st, &e));
    if let Some(m) = req.response_mode.as_deref() {
        if m != "query" && m != "fragment" {
            return fail(
                &valid,
                AadError::new("invalid_request", 900144, format!("The response_mode '{m}' is not supported by the emulator; use 'query' or 'fragment'.")),
            );
        }
    }
    match req.response_type.as_deref() {
        None => return fail(&valid, AadError::missing("response_type")),
        Some("code") => {}
        Some(rt) => {
            return fail(
                &valid,
                AadError::new(
                    "unsupported_response_type",
                    700051,
                    format!("response_type '{rt}' is not enabled for the application."),
                ),
            )
        }
    }
    let Some(scope) = req.scope.as_deref().filter(|s| !s.trim().is_empty()) else {
        return fail(&valid, AadError::missing("scope"));
    };
    valid.scopes = match scopes::parse(scope, &st.graph_url) {
        Ok(s) => s,
        Err(e) => {
            let error = if e.code() == 500011 {
                "invalid_resource"
            } else {
                "invalid_client"
            };
            return fail(&valid, AadError::new(error, e.code(), e.to_string()));
        }
    };
    if let Some(p) = valid.prompt.as_deref() {
        if !matches!(p, "none" | "login" | "consent" | "select_account") {
            return fail(
                &valid,
                AadError::new("invalid_request", 90023, format!("Invalid prompt value '{p}'. Supported: login, none, consent, select_account.")),
            );
        }
    }
    let challenge = req.code_challenge.as_deref().unwrap_or("");
    if challenge.is_empty() || req.code_challenge_method.as_deref() != Some("S256") {
        return fail(
            &valid,
            AadError::new("invalid_request", 9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption."),
        );
    }
    let well_formed = (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return fail(
            &valid,
            AadError::new(
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter.",
            ),
        );
    }
    valid.code_challenge = challenge.to_string();
    Ok(valid)
}
