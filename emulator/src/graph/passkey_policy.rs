//! Issue 15: what decides whether a user may register a passkey with a Temporary Access Pass,
//! read-only: the passkey (FIDO2) method configuration with its passkey profiles
//! (`/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2`), the
//! authentication strengths (`/policies/authenticationStrengthPolicies`) and the Conditional
//! Access policies (`/identity/conditionalAccess/policies`). Each checks its documented
//! permission and a reader role; either missing is 403 `Authorization_RequestDenied`.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::response::{ok, Ctx, GResult, GraphError};
use crate::model::roles::*;

/// Conditional Access Administrator's role template id.
pub const CONDITIONAL_ACCESS_ADMINISTRATOR: &str = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
/// Global Secure Access Administrator's role template id.
pub const GLOBAL_SECURE_ACCESS_ADMINISTRATOR: &str = "ac434307-12b9-4fa1-a708-88bf58caabc1";

/// "Get fido2AuthenticationMethodConfiguration": `Policy.Read.AuthenticationMethod` (least),
/// `Policy.ReadWrite.AuthenticationMethod`.
const FIDO2_SCOPES: &[&str] = &[
    "Policy.Read.AuthenticationMethod",
    "Policy.ReadWrite.AuthenticationMethod",
];
/// Who reads the method configurations: as the TAP configuration (Global Reader,
/// Authentication Policy Administrator, Global Administrator, plus [choice] Security Reader
/// and Security Administrator).
const FIDO2_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    AUTHENTICATION_POLICY_ADMINISTRATOR,
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
];
/// "List authenticationStrengthPolicies": `Policy.Read.AuthenticationMethod` (least),
/// `Policy.Read.All`, `Policy.ReadWrite.AuthenticationMethod`,
/// `Policy.ReadWrite.ConditionalAccess`.
const STRENGTH_SCOPES: &[&str] = &[
    "Policy.Read.AuthenticationMethod",
    "Policy.Read.All",
    "Policy.ReadWrite.AuthenticationMethod",
    "Policy.ReadWrite.ConditionalAccess",
];
/// Who reads authentication strengths [choice: the Conditional Access readers plus
/// Authentication Policy Administrator].
const STRENGTH_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    AUTHENTICATION_POLICY_ADMINISTRATOR,
];
/// "List policies" (conditionalAccessRoot): `Policy.Read.All` (least),
/// `Policy.ReadWrite.ConditionalAccess`.
const CA_SCOPES: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];
/// Its roles: Global Secure Access Administrator, Security Reader, Security Administrator,
/// Global Reader, Conditional Access Administrator (and Global Administrator).
const CA_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
    GLOBAL_READER,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
];

fn authorize(caller: &Caller, scopes: &[&str], roles: &[&str]) -> Result<(), GraphError> {
    if caller.has_scope(scopes) && caller.has_role(roles) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

fn with_context(context: String, v: Value) -> Value {
    let mut m = Map::new();
    m.insert("@odata.context".into(), json!(context));
    if let Value::Object(fields) = v {
        m.extend(fields);
    }
    Value::Object(m)
}

fn not_found(what: &str, id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("The {what} '{id}' was not found."),
    )
}

fn by_id(items: &[Value], id: &str) -> Option<Value> {
    items
        .iter()
        .find(|v| {
            v.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.eq_ignore_ascii_case(id))
        })
        .cloned()
}

/// `GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2`.
pub fn fido2(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    authorize(caller, FIDO2_SCOPES, FIDO2_ROLES)?;
    let v = ctx.st.lock().tenant.passkeys.fido2.clone();
    ok(with_context(
        format!("{}/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity", ctx.base()),
        v,
    ))
}

/// `GET /policies/authenticationStrengthPolicies[/{id}]`.
pub fn strengths(ctx: &Ctx<'_>, caller: &Caller, id: Option<&str>) -> GResult {
    authorize(caller, STRENGTH_SCOPES, STRENGTH_ROLES)?;
    let all = ctx.st.lock().tenant.passkeys.strengths.clone();
    let context = format!(
        "{}/$metadata#policies/authenticationStrengthPolicies",
        ctx.base()
    );
    match id {
        None => ok(json!({"@odata.context": context, "value": all})),
        Some(id) => by_id(&all, id)
            .map(|v| with_context(format!("{context}/$entity"), v))
            .map_or_else(|| Err(not_found("authentication strength", id)), ok),
    }
}

/// `GET /identity/conditionalAccess/policies[/{id}]`.
pub fn conditional_access(ctx: &Ctx<'_>, caller: &Caller, id: Option<&str>) -> GResult {
    authorize(caller, CA_SCOPES, CA_ROLES)?;
    let all = ctx.st.lock().tenant.passkeys.conditional_access.clone();
    let context = format!(
        "{}/$metadata#identity/conditionalAccess/policies",
        ctx.base()
    );
    match id {
        None => ok(json!({"@odata.context": context, "value": all})),
        Some(id) => by_id(&all, id)
            .map(|v| with_context(format!("{context}/$entity"), v))
            .map_or_else(|| Err(not_found("policy", id)), ok),
    }
}
