//! The sign-in origin's HTML: account chooser, consent, "Need admin approval", error and
//! signed-out pages. Plain forms, no script; every interpolated value is HTML-escaped.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::aad_error::AadError;
use super::request::AuthRequest;
use crate::model::{roles, User};
use crate::scopes::Permission;
use crate::seed;
use crate::state::AppState;

/// Escapes `& < > " '` for text and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The element id of an account button: `account-` + the UPN's local part, lower-case, with
/// every character other than `a-z 0-9 . _ -` replaced by `-` (the guest's `#EXT#` becomes
/// `-ext-`).
pub fn account_button_id(user: &User) -> String {
    let local: String = user
        .local_part()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("account-{local}")
}

/// The role line shown next to an account.
pub fn role_label(user: &User) -> String {
    if user.is_guest() {
        return "Guest".into();
    }
    if user.roles.is_empty() {
        return "User".into();
    }
    user.roles
        .iter()
        .map(|r| roles::name(r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn layout(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<link rel=\"icon\" href=\"data:,\">\
<title>{title} - Contoso (emulated Microsoft Entra ID)</title><style>{STYLE}</style></head>\
<body><main class=\"card\"><p class=\"brand\">Contoso &middot; emulated Microsoft Entra ID</p>{body}</main></body></html>",
        title = esc(title)
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    r
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0;padding:2rem}\
.card{max-width:36rem;margin:auto;background:#fff;padding:1.5rem 2rem;box-shadow:0 2px 6px #0003}\
.brand{color:#555;font-size:.85rem}.error{color:#a80000;white-space:pre-wrap}\
ul{list-style:none;padding:0}li{margin:.4rem 0}.meta{color:#555;font-size:.85rem;margin-left:.5rem}\
button{padding:.4rem .8rem;margin:.2rem}code{word-break:break-all}";

fn hidden_fields(req: &AuthRequest) -> String {
    req.pairs()
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect()
}

fn details(st: &AppState, e: &AadError) -> String {
    let d = e.describe(st);
    format!(
        "<p class=\"error\" id=\"error\" role=\"alert\">AADSTS{}: {}</p>\
<dl class=\"meta\"><dt>Request Id</dt><dd id=\"trace-id\">{}</dd><dt>Correlation Id</dt><dd>{}</dd>\
<dt>Timestamp</dt><dd>{}</dd></dl>",
        e.code,
        esc(&e.message),
        esc(&d.trace_id),
        esc(&d.correlation_id),
        esc(&d.timestamp)
    )
}

/// "Sorry, but we're having trouble signing you in." with the AADSTS code and message.
pub fn error_page(st: &AppState, status: StatusCode, e: &AadError) -> Response {
    let body = format!(
        "<h1>Sorry, but we&#39;re having trouble signing you in.</h1>{}",
        details(st, e)
    );
    layout(status, "Sign in error", &body)
}

/// The account chooser: one button per account plus a "Sign in as" box.
pub fn sign_in_page(
    st: &AppState,
    req: &AuthRequest,
    accounts: &[User],
    typed: &str,
    error: Option<&AadError>,
) -> Response {
    let action = format!("/{}/oauth2/v2.0/authorize/login", seed::TENANT_ID);
    let hidden = hidden_fields(req);
    let buttons: String = accounts
        .iter()
        .map(|u| {
            format!(
                "<li><button type=\"submit\" name=\"account\" value=\"{upn}\" id=\"{id}\">Sign in as {name}</button>\
<span class=\"meta\">{upn}</span><span class=\"meta\">{role}</span></li>",
                upn = esc(&u.user_principal_name),
                id = esc(&account_button_id(u)),
                name = esc(&u.display_name),
                role = esc(&role_label(u)),
            )
        })
        .collect();
    let err = error.map(|e| details(st, e)).unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1><p>to continue to {app}</p>{err}\
<form method=\"post\" action=\"{action}\">{hidden}<h2>Pick an account</h2><ul id=\"accounts\">{buttons}</ul></form>\
<form method=\"post\" action=\"{action}\">{hidden}<label for=\"upn\">Sign in as</label> \
<input id=\"upn\" name=\"upn\" type=\"text\" autocomplete=\"username\" value=\"{typed}\" placeholder=\"someone@{domain}\"> \
<button type=\"submit\" id=\"signin\">Sign in</button></form>",
        app = esc(seed::APP_NAME),
        typed = esc(typed),
        domain = esc(seed::DOMAIN),
    );
    layout(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "Sign in",
        &body,
    )
}

/// The consent page: the requested permissions, Accept / Cancel, and for a Global
/// Administrator the "Consent on behalf of your organization" box.
pub fn consent_page(
    req: &AuthRequest,
    user: &User,
    perms: &[&Permission],
    may_consent_for_org: bool,
) -> Response {
    let action = format!("/{}/oauth2/v2.0/authorize/consent", seed::TENANT_ID);
    let list: String = perms
        .iter()
        .map(|p| {
            format!(
                "<li data-scope=\"{n}\">{d} <span class=\"meta\">({n}){a}</span></li>",
                n = esc(p.name),
                d = esc(p.description),
                a = if p.admin_consent {
                    " &middot; Admin consent required"
                } else {
                    ""
                },
            )
        })
        .collect();
    let org = if may_consent_for_org {
        "<p><label><input type=\"checkbox\" id=\"consent-org\" name=\"org\" value=\"on\"> Consent on behalf of your organization</label></p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>Permissions requested</h1><p><strong>{app}</strong> (unverified) wants to access resources as \
<span id=\"signed-in-user\">{upn}</span>. This app would like to:</p>\
<form method=\"post\" action=\"{action}\">{hidden}<ul id=\"permissions\">{list}</ul>{org}\
<p class=\"meta\">Accepting these permissions means that you allow this app to use your data as specified.</p>\
<button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"consent-cancel\">Cancel</button>\
<button type=\"submit\" name=\"decision\" value=\"accept\" id=\"consent-accept\">Accept</button></form>",
        app = esc(seed::APP_NAME),
        upn = esc(&user.user_principal_name),
        hidden = hidden_fields(req),
    );
    layout(StatusCode::OK, "Permissions requested", &body)
}

/// "Need admin approval" (AADSTS90094) with a way back to the app and a way to sign in as an
/// administrator.
pub fn need_admin_page(
    st: &AppState,
    req: &AuthRequest,
    user: &User,
    perms: &[&Permission],
) -> Response {
    let e = AadError::new(
        "access_denied",
        90094,
        "Admin consent is required for the permissions requested by this application.",
    );
    let back = format!(
        "/{}/oauth2/v2.0/authorize/decline?{}",
        seed::TENANT_ID,
        req.to_query()
    );
    let mut admin_req = req.clone();
    admin_req.prompt = Some("login".into());
    admin_req.login_hint = None;
    let admin = format!(
        "/{}/oauth2/v2.0/authorize?{}",
        seed::TENANT_ID,
        admin_req.to_query()
    );
    let list: String = perms
        .iter()
        .map(|p| {
            format!(
                "<li data-scope=\"{n}\">{d} <span class=\"meta\">({n})</span></li>",
                n = esc(p.name),
                d = esc(p.description)
            )
        })
        .collect();
    let body = format!(
        "<h1>Need admin approval</h1><p><strong>{app}</strong> needs permission to access resources in your organization \
that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>\
<p class=\"meta\">Signed in as {upn}</p><ul id=\"permissions\">{list}</ul>{details}\
<p><a id=\"admin-signin\" href=\"{admin}\">Have an admin account? Sign in with that account</a></p>\
<p><a id=\"consent-return\" href=\"{back}\">Return to the application without granting consent</a></p>",
        app = esc(seed::APP_NAME),
        upn = esc(&user.user_principal_name),
        details = details(st, &e),
        admin = esc(&admin),
        back = esc(&back),
    );
    layout(StatusCode::OK, "Need admin approval", &body)
}

/// "You signed out of your account".
pub fn signed_out_page() -> Response {
    layout(
        StatusCode::OK,
        "Signed out",
        "<h1 id=\"signed-out\">You signed out of your account</h1><p>It&#39;s a good idea to close all browser windows.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn button_ids_follow_the_local_part() {
        let t = seed::demo_tenant(true);
        let adele = t
            .find_user("adele.vance@contoso.onmicrosoft.com")
            .expect("adele");
        assert_eq!(account_button_id(adele), "account-adele.vance");
        let guest = t.users.iter().find(|u| u.is_guest()).expect("guest");
        assert_eq!(
            account_button_id(guest),
            "account-jordan.miller_fabrikam.com-ext-"
        );
    }
}
