//! The interactive part of sign-in: `authorize` (chooser, SSO, `prompt=none`), the sign-in
//! form post, the consent form post, and the "return without consent" link.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::aad_error::AadError;
use super::pages;
use super::request::{AuthRequest, Valid};
use super::validate::validate;
use super::{session_user, tenant_not_found_page, SESSION_COOKIE};
use crate::model::{roles, Event, User};
use crate::scopes::{self, Permission};
use crate::seed;
use crate::state::{AppState, AuthCode, Session};

type St = State<Arc<AppState>>;

/// How long an authorization code lives.
pub const CODE_LIFETIME: time::Duration = time::Duration::minutes(10);

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize(
    State(st): St,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (req, valid) = match checked(&st, &tenant, &q) {
        Ok(v) => v,
        Err(r) => return r,
    };
    st.lock().tenant.events.push(Event::AuthorizeRequested {
        prompt: valid.prompt.clone(),
        state: req.state.clone(),
        login_hint: req.login_hint.clone(),
    });
    let (generic, refusal) = {
        let inner = st.lock();
        (
            inner.settings.generic_oidc_provider,
            inner.settings.silent_sign_in_refusal,
        )
    };
    // A generic OpenID provider need not support `select_account` (OpenID Connect Core
    // 3.1.2.1); a certified open-source one answers like this.
    if generic && valid.prompt.as_deref() == Some("select_account") {
        return valid.redirect(&[
            ("error", "invalid_request"),
            ("error_description", "unsupported prompt value requested"),
        ]);
    }
    let hint = req
        .login_hint
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let session = session_user(&st, &headers)
        .filter(|(_, u)| hint.is_none_or(|h| u.user_principal_name.eq_ignore_ascii_case(h)));
    match valid.prompt.as_deref() {
        Some("none") => {
            if let Some(r) = refusal {
                let (error, code, message) = r.answer();
                return valid.error_redirect(&st, &AadError::new(error, code, message));
            }
            let Some((session, user)) = session.filter(|(_, u)| u.account_enabled) else {
                let e = AadError::new("login_required", 50058, "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD. This can happen if the user is using Internet Explorer or Edge, and the web app sending the silent sign-in request is in different IE security zone than the Azure AD endpoint (login.microsoftonline.com).");
                return valid.error_redirect(&st, &e);
            };
            if !missing_consent(&st, &valid, &user).is_empty() {
                let e = AadError::new("consent_required", 65001, format!("The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.", seed::CLIENT_ID, seed::APP_NAME));
                return valid.error_redirect(&st, &e);
            }
            issue_code(&st, &req, &valid, &user, session.auth_time)
        }
        Some("login") | Some("select_account") => chooser(&st, &req, "", None),
        _ => match session {
            Some((session, user)) if user.account_enabled => {
                after_sign_in(&st, &req, &valid, &user, session.auth_time)
            }
            _ => chooser(&st, &req, hint.unwrap_or(""), None),
        },
    }
}

/// `POST /{tenant}/oauth2/v2.0/authorize/login`: an account button (`account`) or the typed
/// UPN (`upn`).
pub async fn login(
    State(st): St,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (req, valid) = match checked(&st, &tenant, &form) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let pick = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(typed) = pick("account").or_else(|| pick("upn")) else {
        let e = AadError::new(
            "invalid_request",
            90100,
            "Enter a valid email address, phone number, or Skype name.",
        );
        return chooser(&st, &req, "", Some(&e));
    };
    let found = st.lock().tenant.find_user(&typed).cloned();
    let Some(user) = found else {
        let e = AadError::new("invalid_request", 50034, "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.");
        return chooser(&st, &req, &typed, Some(&e));
    };
    if !user.account_enabled {
        let e = AadError::new(
            "invalid_grant",
            50057,
            "The user account is disabled. The account has been disabled by an administrator.",
        );
        return pages::error_page(&st, StatusCode::BAD_REQUEST, &e);
    }
    let sid = st.random_token(32);
    let now = st.clock.now();
    {
        let mut inner = st.lock();
        inner.sessions.insert(
            sid.clone(),
            Session {
                user_id: user.id.clone(),
                auth_time: now,
            },
        );
        inner.tenant.events.push(Event::SignedIn {
            upn: user.user_principal_name.clone(),
        });
    }
    let mut resp = after_sign_in(&st, &req, &valid, &user, now);
    let cookie = format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// `POST /{tenant}/oauth2/v2.0/authorize/consent`: `decision=accept|cancel`, `org=on`.
pub async fn consent(
    State(st): St,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (req, valid) = match checked(&st, &tenant, &form) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some((session, user)) = session_user(&st, &headers) else {
        let e = AadError::new(
            "login_required",
            50058,
            "A consent was posted but no user is signed in. Sign in again.",
        );
        return pages::error_page(&st, StatusCode::BAD_REQUEST, &e);
    };
    if form.get("decision").map(String::as_str) != Some("accept") {
        // What Entra sends for Cancel on its consent page [obs]: access_denied, AADSTS65004 in
        // the description, error_uri, error_subcode=cancel, and admin_consent=True when the
        // page offered consent for the organisation.
        let e = AadError::new(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
        let d = e.describe(&st);
        let error_uri = format!("{}/error?code=65004", st.login_url);
        let mut params = vec![
            ("error", e.error),
            ("error_description", d.description.as_str()),
            ("error_uri", error_uri.as_str()),
            ("error_subcode", "cancel"),
        ];
        if is_global_admin(&user) {
            params.push(("admin_consent", "True"));
        }
        return valid.redirect(&params);
    }
    let requested = requested_permissions(&valid);
    let missing = missing_consent(&st, &valid, &user);
    let is_ga = is_global_admin(&user);
    if missing.iter().any(|p| p.admin_consent) && !is_ga {
        return pages::need_admin_page(&st, &req, &user, &missing);
    }
    let names: Vec<String> = requested.iter().map(|p| p.name.to_string()).collect();
    let tenant_wide = is_ga && form.get("org").map(String::as_str) == Some("on");
    {
        let mut inner = st.lock();
        if tenant_wide {
            inner.tenant.admin_grants.extend(names.iter().cloned());
        } else {
            inner
                .tenant
                .user_grants
                .entry(user.id.clone())
                .or_default()
                .extend(names.iter().cloned());
        }
        inner.tenant.events.push(Event::ConsentGranted {
            upn: user.user_principal_name.clone(),
            scopes: names,
            tenant_wide,
        });
    }
    issue_code(&st, &req, &valid, &user, session.auth_time)
}

/// `GET /{tenant}/oauth2/v2.0/authorize/decline`: the "Return to the application without
/// granting consent" link of the admin-approval page.
pub async fn decline(
    State(st): St,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match checked(&st, &tenant, &q) {
        Ok((_, valid)) => {
            let e = AadError::new("access_denied", 90094, "Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.");
            valid.error_redirect(&st, &e)
        }
        Err(r) => r,
    }
}

/// The tenant check and request validation every authorize-flow handler starts with. The error
/// is the page to answer with, returned straight away, so it is not boxed.
#[allow(clippy::result_large_err)]
fn checked(
    st: &AppState,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Result<(AuthRequest, Valid), Response> {
    if !st.is_our_tenant(tenant) {
        return Err(tenant_not_found_page(st, tenant));
    }
    let req = AuthRequest::from_map(params);
    let valid = validate(st, &req)?;
    Ok((req, valid))
}

fn chooser(st: &AppState, req: &AuthRequest, typed: &str, error: Option<&AadError>) -> Response {
    let inner = st.lock();
    let hinted = req
        .login_hint
        .as_deref()
        .and_then(|h| inner.tenant.find_user(h.trim()))
        .cloned();
    let accounts: Vec<User> = match hinted {
        Some(u) => vec![u],
        // The generated new hires would bury the named accounts; they can type their UPN.
        None => inner
            .tenant
            .users
            .iter()
            .filter(|u| !seed::is_new_hire(&u.user_principal_name))
            // Issue 15's campaign users likewise.
            .filter(|u| !seed::campaign::is_campaign_upn(&u.user_principal_name))
            .cloned()
            .collect(),
    };
    drop(inner);
    let typed = if typed.is_empty() {
        req.login_hint.as_deref().unwrap_or("")
    } else {
        typed
    };
    pages::sign_in_page(st, req, &accounts, typed, error)
}

fn is_global_admin(user: &User) -> bool {
    user.roles.iter().any(|r| r == roles::GLOBAL_ADMINISTRATOR)
}

/// The Graph permissions a request asks for; `.default` means the app's static list.
fn requested_permissions(valid: &Valid) -> Vec<&'static Permission> {
    let mut names: Vec<String> = valid.scopes.graph.clone();
    if valid.scopes.default {
        names.extend(seed::ADMIN_CONSENTED_SCOPES.iter().map(|s| s.to_string()));
    }
    let mut out: Vec<&'static Permission> = Vec::new();
    for p in names.iter().filter_map(|n| scopes::find(n)) {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn missing_consent(st: &AppState, valid: &Valid, user: &User) -> Vec<&'static Permission> {
    let granted = st.lock().tenant.granted_scopes(&user.id);
    requested_permissions(valid)
        .into_iter()
        .filter(|p| !granted.contains(p.name))
        .collect()
}

/// After the user is known: redirect with a code, or ask for consent first.
fn after_sign_in(
    st: &AppState,
    req: &AuthRequest,
    valid: &Valid,
    user: &User,
    auth_time: time::OffsetDateTime,
) -> Response {
    let force = valid.prompt.as_deref() == Some("consent");
    let missing = missing_consent(st, valid, user);
    if missing.is_empty() && !force {
        return issue_code(st, req, valid, user, auth_time);
    }
    let is_ga = is_global_admin(user);
    if missing.iter().any(|p| p.admin_consent) && !is_ga {
        return pages::need_admin_page(st, req, user, &missing);
    }
    let shown = if missing.is_empty() {
        requested_permissions(valid)
    } else {
        missing
    };
    pages::consent_page(req, user, &shown, is_ga)
}

fn issue_code(
    st: &AppState,
    req: &AuthRequest,
    valid: &Valid,
    user: &User,
    auth_time: time::OffsetDateTime,
) -> Response {
    let code = format!("1.{}", st.random_token(48));
    let now = st.clock.now();
    let record = AuthCode {
        client_id: seed::CLIENT_ID.to_string(),
        redirect_uri: valid.redirect_uri.clone(),
        code_challenge: valid.code_challenge.clone(),
        scopes: req
            .scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect(),
        nonce: req.nonce.clone(),
        user_id: user.id.clone(),
        auth_time,
        expires: now + CODE_LIFETIME,
        redeemed: false,
    };
    {
        let mut inner = st.lock();
        inner.codes.retain(|_, c| c.expires > now);
        inner.codes.insert(code.clone(), record);
    }
    let session_state = uuid::Uuid::new_v4().to_string();
    valid.redirect(&[("code", &code), ("session_state", &session_state)])
}
