//! `POST /me/sendMail` and `POST /users/{id|upn}/sendMail` (the signed-in user only): checks
//! the permission and the message, records [`Event::MailSent`] and answers `202 Accepted`
//! with no body. Nothing is delivered.
//!
//! Checks in order: delegated `Mail.Send` (else 403 `ErrorAccessDenied` "Access is denied.
//! Check credentials and try again."); the mailbox: another existing user is 403
//! `ErrorAccessDenied` (no send-as in delegated calls), an unknown one 404 `ErrorInvalidUser`;
//! then the body: no `message` object is 400 `ErrorInvalidRequest`; no address in
//! `toRecipients` and `ccRecipients` together, or an address without `@`, is 400
//! `ErrorInvalidRecipients`; a `body.contentType` other than `Text`/`HTML` (any case) is 400
//! `ErrorInvalidRequest`. [choice] `bccRecipients` are not read (the page never sends Bcc), and
//! `saveToSentItems` is accepted and ignored (there is no mailbox to save to).

use axum::http::StatusCode;
use serde_json::Value;

use super::auth::Caller;
use super::response::{Ctx, GResult, GraphError};
use super::Target;
use crate::model::Event;

/// The permission sending mail needs.
pub const SCOPE: &str = "Mail.Send";

fn access_denied() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

fn invalid_request(message: impl Into<String>) -> GraphError {
    GraphError::bad_request("ErrorInvalidRequest", message)
}

fn invalid_recipients(detail: &str) -> GraphError {
    GraphError::bad_request(
        "ErrorInvalidRecipients",
        format!("At least one recipient isn't valid., {detail}"),
    )
}

/// The addresses of a recipient list (`[{"emailAddress": {"address", "name"}}]`).
fn addresses(
    message: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<Vec<String>, GraphError> {
    let list = match message.get(field) {
        None | Some(Value::Null) => return Ok(vec![]),
        Some(Value::Array(l)) => l,
        Some(_) => {
            return Err(invalid_request(format!(
                "'{field}' must be an array of recipients."
            )))
        }
    };
    list.iter()
        .map(|r| {
            let address = r["emailAddress"]["address"].as_str().unwrap_or("").trim();
            if address.contains('@') {
                Ok(address.to_string())
            } else {
                Err(invalid_recipients(&format!(
                    "Recipient '{address}' isn't resolved. All recipients must be resolved before a message can be submitted."
                )))
            }
        })
        .collect()
}

/// `POST .../sendMail`: 202, no body.
pub fn send(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    if !caller.has_scope(&[SCOPE]) {
        return Err(access_denied());
    }
    if let Target::User(key) = t {
        let is_caller = caller.user.id.eq_ignore_ascii_case(key)
            || caller.user.user_principal_name.eq_ignore_ascii_case(key);
        if !is_caller {
            return Err(match ctx.st.lock().tenant.find_user(key) {
                Some(_) => access_denied(),
                None => GraphError::new(
                    StatusCode::NOT_FOUND,
                    "ErrorInvalidUser",
                    format!("The requested user '{key}' is invalid."),
                ),
            });
        }
    }
    let no_mailbox = ctx
        .st
        .lock()
        .settings
        .users_without_mailbox
        .iter()
        .any(|u| u.eq_ignore_ascii_case(&caller.user.user_principal_name));
    if no_mailbox {
        // Reported shape (issue threads): 404 MailboxNotEnabledForRESTAPI.
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ));
    }
    let body = ctx.json_body()?;
    let Some(Value::Object(message)) = body.get("message") else {
        return Err(invalid_request(
            "The 'message' parameter is missing or is not an object.",
        ));
    };
    let to = addresses(message, "toRecipients")?;
    let cc = addresses(message, "ccRecipients")?;
    if to.is_empty() && cc.is_empty() {
        return Err(invalid_recipients(
            "A message can't be sent because it contains no recipients.",
        ));
    }
    let field = |name: &str| message.get(name).unwrap_or(&Value::Null);
    let content_type = match field("body")["contentType"].as_str() {
        None => "Text",
        Some(c) if c.eq_ignore_ascii_case("text") => "Text",
        Some(c) if c.eq_ignore_ascii_case("html") => "HTML",
        Some(c) => {
            return Err(invalid_request(format!(
                "Cannot convert the literal '{c}' to the expected type 'microsoft.graph.bodyType'."
            )))
        }
    };
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let event = Event::MailSent {
        from: caller
            .user
            .mail
            .clone()
            .unwrap_or_else(|| caller.user.user_principal_name.clone()),
        to,
        cc,
        subject: text(field("subject")),
        content_type: content_type.to_string(),
        content: text(&field("body")["content"]),
    };
    ctx.st.lock().tenant.events.push(event);
    Ok((StatusCode::ACCEPTED, None))
}
