//! The QR code + PIN method (Graph v1.0, `/authentication/qrCodePinMethod`) and its policy
//! (`/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/qrCodePin`).
//!
//! As the Graph reference documents: `PUT .../qrCodePinMethod` creates the method with a
//! standard QR code (start and expiry required, lifetime up to the policy's
//! `standardQRCodeLifetimeInDays`, at most 395 days) and a PIN (given or generated,
//! `pinLength` digits); one usable method per user, a new one only after the old one expired
//! or was deleted; `PATCH .../temporaryQRCode` adds a forgotten-badge code living 1 to 12
//! hours, one at a time; `PATCH .../standardQRCode` creates one when none is active or moves
//! the expiry; `PATCH .../pin` resets the PIN; `DELETE` on the method or one code. The QR
//! content (`image.rawContent`, carrying the private key) and the PIN code come back only in
//! the answer that created them; GET answers `image: null` and `pin.code: null`.
//!
//! [choice] Refusals Graph does not word in the reference (a second method, a second
//! temporary code, lifetimes out of range, a PIN of the wrong length) are 400 `badRequest`
//! with the sentences below.

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use super::auth::Caller;
use super::response::{ok, Ctx, GResult, GraphError};
use super::{units, Target};
use crate::clock;
use crate::model::{roles::*, Event, PolicyState, User};
use crate::qr::{
    QrCodeRecord, QrMethodRecord, QrPinRecord, QrPolicy, MAX_PIN_LENGTH, TEMPORARY_HOURS,
};
use crate::state::AppState;

/// Reading another user's method ("Get qrCodePinAuthenticationMethod").
const READ_ALL: &[&str] = &[
    "UserAuthMethod-QR.Read.All",
    "UserAuthMethod-QR.ReadWrite.All",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Reading one's own.
const READ_SELF: &[&str] = &[
    "UserAuthMethod-QR.Read",
    "UserAuthMethod-QR.ReadWrite",
    "UserAuthMethod-QR.Read.All",
    "UserAuthMethod-QR.ReadWrite.All",
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Writing another user's method: the narrow `UserAuthMethod-QR.ReadWrite.All` or the broad one.
const WRITE_ALL: &[&str] = &[
    "UserAuthMethod-QR.ReadWrite.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Writing one's own.
const WRITE_SELF: &[&str] = &[
    "UserAuthMethod-QR.ReadWrite",
    "UserAuthMethod-QR.ReadWrite.All",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.ReadWrite.All",
];
/// Roles that read other users' methods (as for passes).
const READER_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    AUTHENTICATION_ADMINISTRATOR,
    GLOBAL_READER,
];
/// The policy's `@odata.type`.
pub const POLICY_ODATA_TYPE: &str = "#microsoft.graph.qrCodePinAuthenticationMethodConfiguration";
/// Roles that read the policy ("Get qrCodePinAuthenticationMethodConfiguration": Global Reader,
/// Authentication Policy Administrator; Global Administrator above them).
const POLICY_READ_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    AUTHENTICATION_POLICY_ADMINISTRATOR,
];
const POLICY_WRITE_ROLES: &[&str] = &[GLOBAL_ADMINISTRATOR, AUTHENTICATION_POLICY_ADMINISTRATOR];

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::bad_request("badRequest", message)
}

fn not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        "The requested authentication method was not found.",
    )
}

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

fn authorize_read(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> Result<User, GraphError> {
    let self_ok = matches!(t, Target::Me) && caller.has_scope(READ_SELF);
    if !self_ok && !caller.has_scope(READ_ALL) {
        return Err(GraphError::access_denied());
    }
    let target = resolve(ctx, caller, t)?;
    if target.id != caller.user.id
        && !caller.has_role(READER_ROLES)
        && !units::may_read_methods_in_scope(ctx.st, caller, &target)
    {
        return Err(GraphError::insufficient_privileges());
    }
    Ok(target)
}

fn authorize_write(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> Result<User, GraphError> {
    let self_ok = matches!(t, Target::Me) && caller.has_scope(WRITE_SELF);
    if !self_ok && !caller.has_scope(WRITE_ALL) {
        return Err(GraphError::access_denied());
    }
    let target = resolve(ctx, caller, t)?;
    if target.id != caller.user.id {
        units::may_change_methods(ctx.st, caller, &target)?;
    }
    Ok(target)
}

/// True if and only if the `qrCodePin` policy is enabled and targets the user (groups counted
/// transitively, like the TAP policy).
fn policy_allows(st: &AppState, user: &User) -> bool {
    let inner = st.lock();
    let t = &inner.tenant;
    let p = &t.qr.policy;
    if p.state != PolicyState::Enabled {
        return false;
    }
    let groups = t.transitive_group_ids(&user.id);
    let member = |id: &str| groups.iter().any(|g| g.eq_ignore_ascii_case(id));
    let included = p
        .include_targets
        .iter()
        .any(|x| x.id == "all_users" || member(&x.id));
    included && !p.exclude_targets.iter().any(|x| member(&x.id))
}

fn date(body: &Map<String, Value>, name: &str) -> Result<Option<OffsetDateTime>, GraphError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(clock::parse_date_time)
            .map(Some)
            .ok_or_else(|| {
                GraphError::bad_request(
                    "BadRequest",
                    format!("Cannot convert the literal '{v}' to the expected type 'Edm.DateTimeOffset'."),
                )
            }),
    }
}

fn new_code(
    st: &AppState,
    user: &User,
    start: OffsetDateTime,
    expire: OffsetDateTime,
    now: OffsetDateTime,
) -> QrCodeRecord {
    let id = uuid::Uuid::new_v4().to_string();
    // The content a badge carries: the code's id, a private key and the UPN (Graph reference,
    // qrCode). Random here; returned once.
    let key = st.random_token(32);
    let raw = format!("{id}|{key}|{}", user.user_principal_name);
    QrCodeRecord {
        id,
        created_date_time: now,
        start_date_time: start,
        expire_date_time: expire,
        raw_content: STANDARD.encode(raw),
    }
}

fn random_pin(st: &AppState, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b'0' + st.random_below(10) as u8))
        .collect()
}

fn code_json(c: &QrCodeRecord, reveal: bool) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.qrCode",
        "id": c.id,
        "startDateTime": clock::seconds_z(c.start_date_time),
        "expireDateTime": clock::seconds_z(c.expire_date_time),
        "createdDateTime": clock::seven_digits_z(c.created_date_time),
        "lastUsedDateTime": "0001-01-01T00:00:00Z",
        "image": if reveal {
            json!({
                "@odata.type": "#microsoft.graph.qrCodeImageDetails",
                "binaryValue": STANDARD.encode(format!("emulator-qr-image:{}", c.id)),
                "version": 1,
                "errorCorrectionLevel": "l",
                "rawContent": c.raw_content,
            })
        } else {
            Value::Null
        },
    })
}

fn pin_json(p: &QrPinRecord, reveal: bool) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.qrPin",
        "code": if reveal { json!(p.code) } else { Value::Null },
        "forceChangePinNextSignIn": p.force_change_pin_next_sign_in,
        "createdDateTime": clock::seven_digits_z(p.created_date_time),
        "updatedDateTime": clock::seven_digits_z(p.updated_date_time),
    })
}

/// What an answer reveals of a method: nothing (GET), or the parts just created.
#[derive(Clone, Copy, Default)]
struct Reveal {
    standard: bool,
    temporary: bool,
    pin: bool,
}

fn method_json(m: &QrMethodRecord, reveal: Reveal, now: OffsetDateTime) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.qrCodePinAuthenticationMethod",
        "id": m.id,
        "createdDateTime": clock::seven_digits_z(m.created_date_time),
        "isUsable": m.usable(now),
        "methodUsabilityReason": null,
        "standardQRCode": m.standard_qr_code.as_ref().map(|c| code_json(c, reveal.standard)),
        "temporaryQRCode": m.temporary_qr_code.as_ref().map(|c| code_json(c, reveal.temporary)),
        "pin": pin_json(&m.pin, reveal.pin),
    })
}

/// The method as `GET .../authentication/methods` lists it (no secrets), if the user has one.
pub fn listed_method(st: &AppState, user_id: &str) -> Option<Value> {
    let m = st.lock().tenant.qr.methods.get(user_id).cloned()?;
    Some(method_json(&m, Reveal::default(), st.clock.now()))
}

fn record(st: &AppState, user_id: &str, what: &str) {
    st.lock().tenant.events.push(Event::QrCodePinChanged {
        user_id: user_id.into(),
        what: what.into(),
    });
}

/// `GET .../authentication/qrCodePinMethod`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_read(ctx, caller, t)?;
    let m = ctx.st.lock().tenant.qr.methods.get(&target.id).cloned();
    let m = m.ok_or_else(not_found)?;
    ok(method_json(&m, Reveal::default(), ctx.st.clock.now()))
}

/// `DELETE .../authentication/qrCodePinMethod`: the method, both codes and the PIN.
pub fn delete(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_write(ctx, caller, t)?;
    let gone = ctx.st.lock().tenant.qr.methods.remove(&target.id);
    gone.ok_or_else(not_found)?;
    record(ctx.st, &target.id, "deleted");
    Ok((StatusCode::NO_CONTENT, None))
}

/// Checks a standard code's dates against the policy lifetime.
fn standard_dates(
    policy: &QrPolicy,
    start: OffsetDateTime,
    expire: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), GraphError> {
    let days = policy.standard_qr_code_lifetime_in_days;
    if expire <= start || expire <= now || expire - start > Duration::days(i64::from(days)) {
        return Err(bad(format!(
            "Invalid expireDateTime: a standard QR code must expire after its start and within {days} days of it."
        )));
    }
    Ok(())
}

/// `PUT .../authentication/qrCodePinMethod`: creates the method (201, QR content and PIN
/// returned this once).
pub fn put(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_write(ctx, caller, t)?;
    let body = ctx.json_body()?;
    let now = ctx.st.clock.now();
    let standard = match body.get("standardQRCode") {
        Some(Value::Object(m)) => m.clone(),
        _ => {
            return Err(bad(
                "standardQRCode with startDateTime and expireDateTime is required.",
            ))
        }
    };
    let (Some(start), Some(expire)) = (
        date(&standard, "startDateTime")?,
        date(&standard, "expireDateTime")?,
    ) else {
        return Err(bad(
            "standardQRCode with startDateTime and expireDateTime is required.",
        ));
    };
    if !policy_allows(ctx.st, &target) {
        return Err(bad("Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [QRCodePin]."));
    }
    let policy = ctx.st.lock().tenant.qr.policy.clone();
    // Graph keeps whole seconds; compare what is stored.
    let start = start.replace_nanosecond(0).unwrap_or(start);
    let expire = expire.replace_nanosecond(0).unwrap_or(expire);
    standard_dates(&policy, start, expire, now)?;
    let len = policy.pin_length as usize;
    let code = match body.get("pin").and_then(|p| p.get("code")) {
        None | Some(Value::Null) => random_pin(ctx.st, len),
        Some(Value::String(c))
            if c.bytes().all(|b| b.is_ascii_digit())
                && (len..=MAX_PIN_LENGTH as usize).contains(&c.len()) =>
        {
            c.clone()
        }
        Some(_) => {
            return Err(bad(format!(
                "The PIN must be {len} to {MAX_PIN_LENGTH} digits."
            )))
        }
    };
    let existing_usable = ctx
        .st
        .lock()
        .tenant
        .qr
        .methods
        .get(&target.id)
        .is_some_and(|m| m.usable(now));
    if existing_usable {
        return Err(bad("The user already has a QR code PIN authentication method. Delete it before creating a new one."));
    }
    let method = QrMethodRecord {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: target.id.clone(),
        created_date_time: now,
        standard_qr_code: Some(new_code(ctx.st, &target, start, expire, now)),
        temporary_qr_code: None,
        pin: QrPinRecord {
            code,
            force_change_pin_next_sign_in: true,
            created_date_time: now,
            updated_date_time: now,
        },
    };
    ctx.st
        .lock()
        .tenant
        .qr
        .methods
        .insert(target.id.clone(), method.clone());
    record(ctx.st, &target.id, "created");
    let reveal = Reveal {
        standard: true,
        temporary: false,
        pin: true,
    };
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#users('{}')/authentication/qrCodePinMethod/$entity",
            ctx.base(),
            target.id
        )),
    );
    if let Value::Object(mut m) = method_json(&method, reveal, now) {
        out.append(&mut m);
    }
    Ok((StatusCode::CREATED, Some(Value::Object(out))))
}

/// Which code a sub-resource path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// `standardQRCode`.
    Standard,
    /// `temporaryQRCode`.
    Temporary,
}

impl Which {
    /// The code named by a path segment.
    pub fn parse(seg: &str) -> Option<Which> {
        if seg.eq_ignore_ascii_case("standardQRCode") {
            Some(Which::Standard)
        } else if seg.eq_ignore_ascii_case("temporaryQRCode") {
            Some(Which::Temporary)
        } else {
            None
        }
    }
}

/// `GET .../qrCodePinMethod/{standard|temporary}QRCode`.
pub fn get_code(ctx: &Ctx<'_>, caller: &Caller, t: &Target, which: Which) -> GResult {
    let target = authorize_read(ctx, caller, t)?;
    let m = ctx.st.lock().tenant.qr.methods.get(&target.id).cloned();
    let m = m.ok_or_else(not_found)?;
    let code = match which {
        Which::Standard => m.standard_qr_code,
        Which::Temporary => m.temporary_qr_code,
    };
    ok(code_json(&code.ok_or_else(not_found)?, false))
}

/// `DELETE .../qrCodePinMethod/{standard|temporary}QRCode`.
pub fn delete_code(ctx: &Ctx<'_>, caller: &Caller, t: &Target, which: Which) -> GResult {
    let target = authorize_write(ctx, caller, t)?;
    {
        let mut inner = ctx.st.lock();
        let m = inner
            .tenant
            .qr
            .methods
            .get_mut(&target.id)
            .ok_or_else(not_found)?;
        let slot = match which {
            Which::Standard => &mut m.standard_qr_code,
            Which::Temporary => &mut m.temporary_qr_code,
        };
        slot.take().ok_or_else(not_found)?;
    }
    let what = match which {
        Which::Standard => "standardDeleted",
        Which::Temporary => "temporaryDeleted",
    };
    record(ctx.st, &target.id, what);
    Ok((StatusCode::NO_CONTENT, None))
}

/// `PATCH .../qrCodePinMethod/{standard|temporary}QRCode`: creates a code when none is
/// active (201 with its content), or moves a standard code's expiry (200, no content). A
/// temporary code lives 1 to 12 hours and is refused while one is active.
pub fn patch_code(ctx: &Ctx<'_>, caller: &Caller, t: &Target, which: Which) -> GResult {
    let target = authorize_write(ctx, caller, t)?;
    let body = ctx.json_body()?;
    let now = ctx.st.clock.now();
    let (method, policy) = {
        let inner = ctx.st.lock();
        (
            inner.tenant.qr.methods.get(&target.id).cloned(),
            inner.tenant.qr.policy.clone(),
        )
    };
    let mut method = method.ok_or_else(not_found)?;
    let start = date(&body, "startDateTime")?;
    let expire = date(&body, "expireDateTime")?;
    let (status, value, what) = match which {
        Which::Temporary => {
            if method
                .temporary_qr_code
                .as_ref()
                .is_some_and(|c| c.active(now))
            {
                return Err(bad("The user already has a temporary QR code. Delete it before creating a new one."));
            }
            let start = start.unwrap_or(now).replace_nanosecond(0).unwrap_or(now);
            let Some(expire) = expire else {
                return Err(bad("expireDateTime is required."));
            };
            let expire = expire.replace_nanosecond(0).unwrap_or(expire);
            let hours = expire - start;
            if hours < Duration::hours(*TEMPORARY_HOURS.start())
                || hours > Duration::hours(*TEMPORARY_HOURS.end())
            {
                return Err(bad(
                    "A temporary QR code must expire between 1 and 12 hours after its start.",
                ));
            }
            let code = new_code(ctx.st, &target, start, expire, now);
            let json = code_json(&code, true);
            method.temporary_qr_code = Some(code);
            (StatusCode::CREATED, json, "temporaryCreated")
        }
        Which::Standard => match method.standard_qr_code.clone().filter(|c| c.active(now)) {
            Some(mut code) => {
                let Some(expire) = expire else {
                    return Err(bad("expireDateTime is required."));
                };
                standard_dates(&policy, code.start_date_time, expire, now)?;
                code.expire_date_time = expire.replace_nanosecond(0).unwrap_or(expire);
                let json = code_json(&code, false);
                method.standard_qr_code = Some(code);
                (StatusCode::OK, json, "standardUpdated")
            }
            None => {
                let (Some(start), Some(expire)) = (start, expire) else {
                    return Err(bad("startDateTime and expireDateTime are required."));
                };
                standard_dates(&policy, start, expire, now)?;
                let code = new_code(
                    ctx.st,
                    &target,
                    start.replace_nanosecond(0).unwrap_or(start),
                    expire.replace_nanosecond(0).unwrap_or(expire),
                    now,
                );
                let json = code_json(&code, true);
                method.standard_qr_code = Some(code);
                (StatusCode::CREATED, json, "standardCreated")
            }
        },
    };
    ctx.st
        .lock()
        .tenant
        .qr
        .methods
        .insert(target.id.clone(), method);
    record(ctx.st, &target.id, what);
    Ok((status, Some(value)))
}

/// `PATCH .../qrCodePinMethod/pin`: a new generated temporary PIN (201, code returned once).
pub fn reset_pin(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let target = authorize_write(ctx, caller, t)?;
    let now = ctx.st.clock.now();
    let len = ctx.st.lock().tenant.qr.policy.pin_length as usize;
    let code = random_pin(ctx.st, len);
    let pin = {
        let mut inner = ctx.st.lock();
        let m = inner
            .tenant
            .qr
            .methods
            .get_mut(&target.id)
            .ok_or_else(not_found)?;
        m.pin = QrPinRecord {
            code,
            force_change_pin_next_sign_in: true,
            created_date_time: m.pin.created_date_time,
            updated_date_time: now,
        };
        m.pin.clone()
    };
    record(ctx.st, &target.id, "pinReset");
    Ok((StatusCode::CREATED, Some(pin_json(&pin, true))))
}

fn policy_json(ctx: &Ctx<'_>, p: &QrPolicy) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity", ctx.base())),
    );
    m.insert("@odata.type".into(), json!(POLICY_ODATA_TYPE));
    m.insert("id".into(), json!("qrCodePin"));
    if let Ok(Value::Object(mut f)) = serde_json::to_value(p) {
        m.append(&mut f);
    }
    Value::Object(m)
}

/// `GET` the `qrCodePin` policy: `Policy.Read.AuthenticationMethod` (or the write one) and a
/// reader role.
pub fn get_policy(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    if !caller.has_scope(&[
        "Policy.Read.AuthenticationMethod",
        "Policy.ReadWrite.AuthenticationMethod",
    ]) || !caller.has_role(POLICY_READ_ROLES)
    {
        return Err(GraphError::insufficient_privileges());
    }
    let p = ctx.st.lock().tenant.qr.policy.clone();
    ok(policy_json(ctx, &p))
}

/// `PATCH` the `qrCodePin` policy: `Policy.ReadWrite.AuthenticationMethod` and a writer role;
/// changed fields only; 204.
pub fn patch_policy(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    if !caller.has_scope(&["Policy.ReadWrite.AuthenticationMethod"])
        || !caller.has_role(POLICY_WRITE_ROLES)
    {
        return Err(GraphError::insufficient_privileges());
    }
    let body = ctx.json_body()?;
    let current = ctx.st.lock().tenant.qr.policy.clone();
    let updated: QrPolicy = super::policy::patched(&current, body)?;
    updated.validate().map_err(bad)?;
    ctx.st.lock().tenant.qr.policy = updated;
    Ok((StatusCode::NO_CONTENT, None))
}
