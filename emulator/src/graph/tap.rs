//! Temporary Access Pass methods (`/authentication/temporaryAccessPassMethods`) and the
//! methods list (`/authentication/methods`): permission and role checks, the tenant policy,
//! one pass per user, usability on the emulator clock. Every create (a replacement too) and
//! delete appends one directory audit record ([`crate::audit`]).

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::auth::Caller;
use super::response::{ok, Ctx, GResult, GraphError};
use super::Target;
use crate::audit::{Activity, AuditRecord};
use crate::clock;
use crate::model::{roles::*, Event, PassRecord, User};
use crate::state::AppState;

/// Scopes that allow listing any user's methods (`/authentication/methods`, "List methods":
/// the narrow per-method permissions such as `UserAuthMethod-TAP.Read.All` are not listed).
const READ_ALL: &[&str] = &[
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Scopes that allow listing one's own methods.
const READ_SELF: &[&str] = &[
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Scopes that allow reading any user's pass ("List temporaryAccessPassMethods", "Get
/// temporaryAccessPassAuthenticationMethod": the broad permissions and the narrow TAP ones).
const TAP_READ_ALL: &[&str] = &[
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "UserAuthMethod-TAP.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
];
/// Scopes that allow reading one's own pass.
const TAP_READ_SELF: &[&str] = &[
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "UserAuthMethod-TAP.Read",
    "UserAuthMethod-TAP.ReadWrite",
    "UserAuthMethod-TAP.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
];
/// Scopes for creating or deleting any user's pass ("Create temporaryAccessPassMethod",
/// "Delete temporaryAccessPassAuthenticationMethod"). The generated permission table of the
/// create page also lists read permissions as "least privileged"; a read permission that
/// creates passes is not believable, so only the write permissions are accepted [choice].
const WRITE_ALL: &[&str] = &[
    "UserAuthenticationMethod.ReadWrite.All",
    "UserAuthMethod-TAP.ReadWrite.All",
];
/// Scopes for deleting one's own pass.
const WRITE_SELF: &[&str] = &[
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.ReadWrite.All",
    "UserAuthMethod-TAP.ReadWrite",
    "UserAuthMethod-TAP.ReadWrite.All",
];
/// Roles that may read other users' methods [choice: Authentication Administrator reads all].
const READER_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    AUTHENTICATION_ADMINISTRATOR,
    GLOBAL_READER,
];
/// The password method's fixed id in Graph.
const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

/// Characters a pass is made of: letters, digits and symbols.
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"+*!#$%&?@=-";

/// Resolves the target user; for `/me` the caller.
fn resolve(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> Result<User, GraphError> {
    match t {
        Target::Me => Ok(caller.user.clone()),
        Target::User(key) => ctx
            .st
            .lock()
            .tenant
            .find_user(key)
            .cloned()
            .ok_or_else(|| GraphError::user_not_found(key)),
    }
}

fn is_self(caller: &Caller, target: &User) -> bool {
    caller.user.id == target.id
}

/// Which reads a scope list authorises: the pass alone, or every method.
#[derive(Clone, Copy)]
enum Reading {
    Pass,
    AllMethods,
}

fn authorize_read(
    ctx: &Ctx<'_>,
    caller: &Caller,
    t: &Target,
    reading: Reading,
) -> Result<User, GraphError> {
    let (own, all) = match reading {
        Reading::Pass => (TAP_READ_SELF, TAP_READ_ALL),
        Reading::AllMethods => (READ_SELF, READ_ALL),
    };
    let self_scope_ok = matches!(t, Target::Me) && caller.has_scope(own);
    if !self_scope_ok && !caller.has_scope(all) {
        return Err(GraphError::access_denied());
    }
    let target = resolve(ctx, caller, t)?;
    if !is_self(caller, &target)
        && !caller.has_role(READER_ROLES)
        && !super::units::may_read_methods_in_scope(ctx.st, caller, &target)
    {
        return Err(GraphError::insufficient_privileges());
    }
    Ok(target)
}

/// Graph JSON of a pass; the secret only when `reveal`.
fn pass_json(
    st: &AppState,
    p: &PassRecord,
    reveal: bool,
    now: OffsetDateTime,
) -> Map<String, Value> {
    let (usability, fractional) = {
        let inner = st.lock();
        (
            inner.tenant.usability(p, now),
            inner.settings.fractional_start_times,
        )
    };
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert(
        "temporaryAccessPass".into(),
        if reveal {
            json!(p.temporary_access_pass)
        } else {
            Value::Null
        },
    );
    m.insert(
        "createdDateTime".into(),
        json!(clock::seven_digits_z(p.created_date_time)),
    );
    m.insert(
        "startDateTime".into(),
        json!(if fractional {
            clock::seven_digits_z(p.start_date_time)
        } else {
            clock::seconds_z(p.start_date_time)
        }),
    );
    m.insert("lifetimeInMinutes".into(), json!(p.lifetime_in_minutes));
    m.insert("isUsableOnce".into(), json!(p.is_usable_once));
    m.insert(
        "isUsable".into(),
        json!(usability == crate::tenant::Usability::EnabledByPolicy),
    );
    m.insert("methodUsabilityReason".into(), json!(usability.as_str()));
    m
}

fn with_context(context: String, mut m: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(context));
    out.append(&mut m);
    Value::Object(out)
}

fn collection_context(ctx: &Ctx<'_>, user: &User, what: &str) -> String {
    format!(
        "{}/$metadata#users('{}')/authentication/{what}",
        ctx.base(),
        user.id
    )
}

/// `GET .../temporaryAccessPassMethods`: `[]` or `[pass]`, secret always `null`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_read(ctx, caller, t, Reading::Pass)?;
    let now = ctx.st.clock.now();
    let pass = ctx.st.lock().tenant.passes.get(&target.id).cloned();
    let value: Vec<Value> = pass
        .iter()
        .map(|p| Value::Object(pass_json(ctx.st, p, false, now)))
        .collect();
    ok(json!({
        "@odata.context": collection_context(ctx, &target, "temporaryAccessPassMethods"),
        "value": value,
    }))
}

/// `GET .../temporaryAccessPassMethods/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, t: &Target, id: &str) -> GResult {
    let target = authorize_read(ctx, caller, t, Reading::Pass)?;
    let now = ctx.st.clock.now();
    let pass = ctx.st.lock().tenant.passes.get(&target.id).cloned();
    match pass.filter(|p| p.id.eq_ignore_ascii_case(id)) {
        Some(p) => ok(with_context(
            format!(
                "{}/$entity",
                collection_context(ctx, &target, "temporaryAccessPassMethods")
            ),
            pass_json(ctx.st, &p, false, now),
        )),
        None => Err(method_not_found()),
    }
}

fn method_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        "The requested authentication method was not found.",
    )
}

/// `DELETE .../temporaryAccessPassMethods/{id}`: 204.
pub fn delete(ctx: &Ctx<'_>, caller: &Caller, t: &Target, id: &str) -> GResult {
    let self_scope_ok = matches!(t, Target::Me) && caller.has_scope(WRITE_SELF);
    if !self_scope_ok && !caller.has_scope(WRITE_ALL) {
        return Err(GraphError::access_denied());
    }
    let target = resolve(ctx, caller, t)?;
    if !is_self(caller, &target) {
        super::units::may_change_methods(ctx.st, caller, &target)?;
    }
    let mut inner = ctx.st.lock();
    match inner.tenant.passes.get(&target.id) {
        Some(p) if p.id.eq_ignore_ascii_case(id) => {
            let method_id = p.id.clone();
            inner.tenant.passes.remove(&target.id);
            inner.tenant.events.push(Event::PassDeleted {
                user_id: target.id.clone(),
                method_id,
            });
            let now = ctx.st.clock.now();
            let activity = if is_self(caller, &target) {
                Activity::UserDeletedPass
            } else {
                Activity::PassDeleted
            };
            let record = AuditRecord::new(activity, &caller.user, &target, now);
            inner.tenant.audit.push(record);
            Ok((StatusCode::NO_CONTENT, None))
        }
        _ => Err(method_not_found()),
    }
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::bad_request("badRequest", message)
}

/// `POST .../temporaryAccessPassMethods`: checks in order scope, target, self, role, body,
/// guest, policy targets, lifetime range, one-time rule; then replaces any existing pass.
pub fn create(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    if !caller.has_scope(WRITE_ALL) {
        return Err(GraphError::access_denied());
    }
    let target = resolve(ctx, caller, t)?;
    if is_self(caller, &target) {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            "Request Authorization failed. You cannot create a Temporary Access Pass for yourself.",
        ));
    }
    super::units::may_change_methods(ctx.st, caller, &target)?;
    let body = ctx.json_body()?;
    let lifetime = match body.get("lifetimeInMinutes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    GraphError::bad_request(
                        "BadRequest",
                        format!(
                            "Cannot convert the literal '{v}' to the expected type 'Edm.Int32'."
                        ),
                    )
                })?,
        ),
    };
    let once = match body.get("isUsableOnce") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(v) => {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!("Cannot convert the literal '{v}' to the expected type 'Edm.Boolean'."),
            ));
        }
    };
    let now = ctx.st.clock.now();
    let start = match body.get("startDateTime") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let parsed = v.as_str().and_then(clock::parse_date_time);
            Some(parsed.ok_or_else(|| {
                GraphError::bad_request("BadRequest", format!("Cannot convert the literal '{}' to the expected type 'Edm.DateTimeOffset'.", v.as_str().unwrap_or(&v.to_string())))
            })?)
        }
    };
    if target.is_external_guest() {
        return Err(bad(
            "Temporary Access Pass cannot be added to an external guest user.",
        ));
    }
    let (policy, allowed, force_plus) = {
        let inner = ctx.st.lock();
        (
            inner.tenant.policy.clone(),
            inner.tenant.policy_allows(&target),
            inner.settings.force_leading_plus,
        )
    };
    if !allowed {
        return Err(bad("Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass]."));
    }
    let lifetime = lifetime.unwrap_or(policy.default_lifetime_in_minutes);
    if lifetime < policy.minimum_lifetime_in_minutes
        || lifetime > policy.maximum_lifetime_in_minutes
    {
        return Err(bad(format!(
            "Invalid LifetimeInMinutes specified. The valid range between {} and {}.",
            policy.minimum_lifetime_in_minutes, policy.maximum_lifetime_in_minutes
        )));
    }
    if policy.is_usable_once && once == Some(false) {
        return Err(bad("The tenant policy requires a one-time Temporary Access Pass; isUsableOnce cannot be false."));
    }
    let start = start.unwrap_or(now);
    // Graph reports the start without fractions; store it that way so reads agree.
    let start = start.replace_nanosecond(0).unwrap_or(start);
    let record = PassRecord {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: target.id.clone(),
        temporary_access_pass: generate_pass(ctx.st, policy.default_length as usize, force_plus),
        created_date_time: now,
        start_date_time: start,
        lifetime_in_minutes: lifetime,
        is_usable_once: once.unwrap_or(policy.is_usable_once),
        used: false,
    };
    {
        let mut inner = ctx.st.lock();
        if let Some(old) = inner
            .tenant
            .passes
            .insert(target.id.clone(), record.clone())
        {
            inner.tenant.events.push(Event::PassReplaced {
                user_id: target.id.clone(),
                old_method_id: old.id,
                new_method_id: record.id.clone(),
            });
        }
        inner.tenant.events.push(Event::PassCreated {
            user_id: target.id.clone(),
            method_id: record.id.clone(),
            created: now,
        });
        let audit = AuditRecord::new(Activity::PassRegistered, &caller.user, &target, now);
        inner.tenant.audit.push(audit);
    }
    let body = with_context(
        format!(
            "{}/$entity",
            collection_context(ctx, &target, "temporaryAccessPassMethods")
        ),
        pass_json(ctx.st, &record, true, now),
    );
    Ok((StatusCode::CREATED, Some(body)))
}

/// A pass of `len` characters with at least one letter, digit and symbol (when long enough);
/// starts with `+` when `force_plus`.
pub fn generate_pass(st: &AppState, len: usize, force_plus: bool) -> String {
    let all: Vec<u8> = [LETTERS, DIGITS, SYMBOLS].concat();
    let pick = |set: &[u8]| char::from(set[st.random_below(set.len())]);
    let mut chars: Vec<char> = (0..len).map(|_| pick(&all)).collect();
    if len >= 4 {
        // Put one of each class at distinct random positions after the first.
        let mut slots: Vec<usize> = (1..len).collect();
        for set in [LETTERS, DIGITS, SYMBOLS] {
            let i = slots.remove(st.random_below(slots.len()));
            chars[i] = pick(set);
        }
    }
    if force_plus {
        if let Some(c) = chars.first_mut() {
            *c = '+';
        }
    }
    chars.into_iter().collect()
}

/// `GET .../authentication/methods`: password, seeded methods, and the TAP (no secret).
pub fn all_methods(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_read(ctx, caller, t, Reading::AllMethods)?;
    let now = ctx.st.clock.now();
    let mut value = vec![json!({
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": PASSWORD_METHOD_ID,
        "password": null,
        "createdDateTime": clock::seconds_z(target.created_date_time),
    })];
    value.extend(target.methods.iter().cloned());
    let pass = ctx.st.lock().tenant.passes.get(&target.id).cloned();
    if let Some(p) = pass {
        let mut m = Map::new();
        m.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.temporaryAccessPassAuthenticationMethod"),
        );
        m.append(&mut pass_json(ctx.st, &p, false, now));
        value.push(Value::Object(m));
    }
    value.extend(super::qr::listed_method(ctx.st, &target.id));
    ok(json!({
        "@odata.context": collection_context(ctx, &target, "methods"),
        "value": value,
    }))
}

/// Issue 15: the permission and role check for reading any method list of a user (phone and
/// passkey methods share `/authentication/methods`' rules), for [`super::methods`].
pub(super) fn authorize_method_read(
    ctx: &Ctx<'_>,
    caller: &Caller,
    t: &Target,
) -> Result<User, GraphError> {
    authorize_read(ctx, caller, t, Reading::AllMethods)
}

/// Issue 15: the target of a method change (`/me` or another user) and whether the caller's
/// role may change it (same rule as passes, administrative units included), for
/// [`super::methods`].
pub(super) fn method_change_target(
    ctx: &Ctx<'_>,
    caller: &Caller,
    t: &Target,
) -> Result<(User, bool), GraphError> {
    let target = resolve(ctx, caller, t)?;
    let allowed = is_self(caller, &target)
        || super::units::may_change_methods(ctx.st, caller, &target).is_ok();
    Ok((target, allowed))
}
