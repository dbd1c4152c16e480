//! Issue 15: a user's phone and passkey methods by type
//! (`/authentication/phoneMethods`, `/authentication/fido2Methods`: list, get, delete).
//!
//! Reading follows "List phoneMethods" / "List fido2AuthenticationMethods": other users need
//! `UserAuthenticationMethod.Read.All` (or the write one) and a reader role, as the general
//! methods list. Deleting follows "Delete phoneAuthenticationMethod" /
//! "Delete fido2AuthenticationMethod": `UserAuthenticationMethod.ReadWrite.All` for other
//! users (`UserAuthenticationMethod.ReadWrite` for oneself) and a role that may change the
//! target's methods (Authentication Administrator for users without an admin role,
//! Privileged Authentication Administrator for anyone); without the permission 403
//! `accessDenied`, without the role 403 `Authorization_RequestDenied`. A delete answers 204
//! and records `Event::DirectoryChanged`. "A user can't have an alternateMobile number without
//! a mobile number" (Learn, Delete phoneAuthenticationMethod): deleting the mobile number while
//! an alternate one exists is refused, 400 `badRequest` [choice on code and text: Learn names
//! none]. Learn's other rule (the default MFA method can't be deleted) is not emulated: the
//! emulator has no default method.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::auth::Caller;
use super::response::{ok, Ctx, GResult, GraphError};
use super::{tap, Target};
use crate::model::passkeys::{ALTERNATE_MOBILE_PHONE_ID, FIDO2_TYPE, MOBILE_PHONE_ID, PHONE_TYPE};
use crate::model::{Event, User};

/// Which method collection a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `phoneMethods`.
    Phone,
    /// `fido2Methods`.
    Fido2,
}

impl Kind {
    /// The collection named by a path segment, if it is one of these.
    pub fn parse(seg: &str) -> Option<Kind> {
        if seg.eq_ignore_ascii_case("phoneMethods") {
            Some(Kind::Phone)
        } else if seg.eq_ignore_ascii_case("fido2Methods") {
            Some(Kind::Fido2)
        } else {
            None
        }
    }

    fn odata_type(self) -> &'static str {
        match self {
            Kind::Phone => PHONE_TYPE,
            Kind::Fido2 => FIDO2_TYPE,
        }
    }

    fn segment(self) -> &'static str {
        match self {
            Kind::Phone => "phoneMethods",
            Kind::Fido2 => "fido2Methods",
        }
    }
}

fn of_kind(user: &User, kind: Kind) -> Vec<Value> {
    user.methods
        .iter()
        .filter(|m| {
            m.get("@odata.type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind.odata_type()))
        })
        .cloned()
        .collect()
}

fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        format!("The requested resource '{id}' does not exist."),
    )
}

/// `GET .../{phoneMethods|fido2Methods}`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller, t: &Target, kind: Kind) -> GResult {
    let user = tap::authorize_method_read(ctx, caller, t)?;
    ok(json!({
        "@odata.context": format!("{}/$metadata#users('{}')/authentication/{}", ctx.base(), user.id, kind.segment()),
        "value": of_kind(&user, kind),
    }))
}

/// `GET .../{phoneMethods|fido2Methods}/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, t: &Target, kind: Kind, id: &str) -> GResult {
    let user = tap::authorize_method_read(ctx, caller, t)?;
    of_kind(&user, kind)
        .into_iter()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(id))
        .map_or_else(|| Err(not_found(id)), ok)
}

/// `DELETE .../{phoneMethods|fido2Methods}/{id}`: 204.
pub fn delete(ctx: &Ctx<'_>, caller: &Caller, t: &Target, kind: Kind, id: &str) -> GResult {
    let scope_ok = caller.has_scope(&["UserAuthenticationMethod.ReadWrite.All"])
        || (matches!(t, Target::Me) && caller.has_scope(&["UserAuthenticationMethod.ReadWrite"]));
    if !scope_ok {
        return Err(GraphError::access_denied());
    }
    let (target, allowed) = tap::method_change_target(ctx, caller, t)?;
    if !allowed {
        return Err(GraphError::insufficient_privileges());
    }
    let mut inner = ctx.st.lock();
    let Some(u) = inner.tenant.find_user_mut(&target.id) else {
        return Err(GraphError::user_not_found(&target.id));
    };
    let has = |id: &str| {
        u.methods
            .iter()
            .any(|m| m.get("id").and_then(Value::as_str) == Some(id))
    };
    if kind == Kind::Phone && id == MOBILE_PHONE_ID && has(ALTERNATE_MOBILE_PHONE_ID) {
        return Err(GraphError::bad_request(
            "badRequest",
            "A user can't have an alternateMobile number without a mobile number. Update the mobile number or delete the alternateMobile number first.",
        ));
    }
    let before = u.methods.len();
    u.methods.retain(|m| {
        let same_type = m
            .get("@odata.type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(kind.odata_type()));
        !(same_type && m.get("id").and_then(Value::as_str) == Some(id))
    });
    if u.methods.len() == before {
        return Err(not_found(id));
    }
    let upn = u.user_principal_name.clone();
    inner.tenant.events.push(Event::DirectoryChanged {
        what: format!("{} method {id} of {upn} deleted", kind.segment()),
    });
    Ok((StatusCode::NO_CONTENT, None))
}
