//! The TAP policy resource
//! (`/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass`):
//! GET with scope and role checks, PATCH with validation.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::response::{ok, Ctx, GResult, GraphError};
use crate::model::{roles::*, Event, TapPolicy};

/// The policy's `@odata.type`.
pub const ODATA_TYPE: &str =
    "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration";

/// Roles that may read the policy: the Graph reference (Get
/// temporaryAccessPassAuthenticationMethodConfiguration) lists Global Reader, Authentication
/// Policy Administrator and Global Administrator. [choice] Privileged Authentication
/// Administrator, Security Administrator and Security Reader are kept (not listed there;
/// Microsoft365DSC names Security Reader for reading). An Authentication Administrator is
/// refused unless `Settings::policy_readable_by_authentication_administrator`.
const READ_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    AUTHENTICATION_POLICY_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    SECURITY_READER,
];
/// Roles that may change it.
const WRITE_ROLES: &[&str] = &[GLOBAL_ADMINISTRATOR, AUTHENTICATION_POLICY_ADMINISTRATOR];

/// The policy as Graph JSON.
pub fn policy_json(ctx: &Ctx<'_>, p: &TapPolicy) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity", ctx.base())),
    );
    m.insert("@odata.type".into(), json!(ODATA_TYPE));
    m.insert("id".into(), json!("TemporaryAccessPass"));
    if let Ok(Value::Object(mut fields)) = serde_json::to_value(p) {
        m.append(&mut fields);
    }
    Value::Object(m)
}

/// The scopes Graph documents for reading the TAP policy.
const READ_SCOPES: &[&str] = &[
    "Policy.Read.AuthenticationMethod",
    "Policy.ReadWrite.AuthenticationMethod",
];

/// `GET`: needs `Policy.Read.AuthenticationMethod` or `Policy.ReadWrite.AuthenticationMethod`
/// (`Policy.Read.All` too when `policyReadAllReadsTapPolicy` is on) and a reader role.
pub fn get(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    let (lenient, broad) = {
        let st = ctx.st.lock();
        (
            st.settings.policy_readable_by_authentication_administrator,
            st.settings.policy_read_all_reads_tap_policy,
        )
    };
    let role = caller.has_role(READ_ROLES)
        || (lenient && caller.has_role(&[AUTHENTICATION_ADMINISTRATOR]));
    let scope = caller.has_scope(READ_SCOPES) || (broad && caller.has_scope(&["Policy.Read.All"]));
    if !scope || !role {
        return Err(GraphError::insufficient_privileges());
    }
    let p = ctx.st.lock().tenant.policy.clone();
    ok(policy_json(ctx, &p))
}

/// `PATCH`: needs `Policy.ReadWrite.AuthenticationMethod`, a writer role, `@odata.type`;
/// sends only changed fields; answers 204.
pub fn patch(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    if !caller.has_scope(&["Policy.ReadWrite.AuthenticationMethod"])
        || !caller.has_role(WRITE_ROLES)
    {
        return Err(GraphError::insufficient_privileges());
    }
    let body = ctx.json_body()?;
    match body.get("@odata.type").and_then(Value::as_str) {
        Some(t) if t == ODATA_TYPE => {}
        Some(t) => {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!(
                    "A type named '{}' could not be resolved by the model.",
                    t.trim_start_matches('#')
                ),
            ));
        }
        None => {
            return Err(GraphError::bad_request(
                "BadRequest",
                "The property '@odata.type' must be specified for this entity.",
            ));
        }
    }
    let current = ctx.st.lock().tenant.policy.clone();
    let updated: TapPolicy = patched(&current, body)?;
    updated
        .validate()
        .map_err(|m| GraphError::bad_request("badRequest", m))?;
    let mut inner = ctx.st.lock();
    inner.tenant.policy = updated.clone();
    inner
        .tenant
        .events
        .push(Event::PolicyChanged { policy: updated });
    Ok((StatusCode::NO_CONTENT, None))
}

/// `current` with the PATCH `body`'s fields replaced (`@odata.type` and `id` ignored): 400
/// `BadRequest` for a property the policy does not have or a value of the wrong shape. Shared
/// by every policy PATCH (the pass policy here, the `qrCodePin` one in `qr`).
pub(super) fn patched<T>(current: &T, body: Map<String, Value>) -> Result<T, GraphError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let Ok(Value::Object(mut merged)) = serde_json::to_value(current) else {
        return Err(GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "Policy serialisation failed.",
        ));
    };
    for (k, v) in body {
        if k == "@odata.type" || k == "id" {
            continue;
        }
        if !merged.contains_key(&k) {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!("Invalid property '{k}'."),
            ));
        }
        merged.insert(k, v);
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|e| GraphError::bad_request("BadRequest", format!("Invalid policy value: {e}.")))
}
