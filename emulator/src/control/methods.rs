//! Authentication methods and passes set up without Graph, for the onboarding tracker's tests
//! and the demo: a user registering a method for themselves, a pass seeded directly, a pass
//! used to sign in. The Rust API ([`Emulator::register_method`], [`Emulator::seed_pass`],
//! [`Emulator::mark_pass_used`]) and the control routes call the same functions.
//!
//! [choice] A registered method is an audit-logged user action ("User registered security
//! info", initiated by the user); a seeded pass stands for data that existed before the test and
//! writes no audit record and no `PassCreated`, only [`Event::DirectoryChanged`]; using a pass
//! writes neither (Entra logs sign-ins in the sign-in log, not the directory audit log).

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::ControlError;
use crate::audit::{method_kind, Activity, AuditRecord};
use crate::clock;
use crate::model::{Event, PassRecord};
use crate::state::AppState;
use crate::Emulator;

/// Types that cannot be registered this way: every user has the password method, and passes
/// come from Graph or [`Emulator::seed_pass`].
const NOT_REGISTRABLE: &[&str] = &[
    "#microsoft.graph.passwordAuthenticationMethod",
    "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
];

/// Adds a method of any `@odata.type` to the user, created now; returns its new id.
pub(crate) fn register_method(
    st: &AppState,
    user: &str,
    odata_type: &str,
    display_name: Option<&str>,
) -> Result<String, ControlError> {
    let odata_type = odata_type.trim();
    let known_bad = NOT_REGISTRABLE
        .iter()
        .any(|t| t.eq_ignore_ascii_case(odata_type));
    if odata_type.len() < 2 || !odata_type.starts_with('#') || known_bad {
        return Err(ControlError::InvalidMethodType(odata_type.to_string()));
    }
    let now = st.clock.now();
    let id = uuid::Uuid::new_v4().to_string();
    let mut m = Map::new();
    m.insert("@odata.type".into(), json!(odata_type));
    m.insert("id".into(), json!(id));
    if let Some(name) = display_name {
        m.insert("displayName".into(), json!(name));
    }
    m.insert("createdDateTime".into(), json!(clock::seconds_z(now)));
    let mut inner = st.lock();
    let u = inner
        .tenant
        .find_user_mut(user)
        .ok_or_else(|| ControlError::UnknownUser(user.to_string()))?;
    u.methods.push(Value::Object(m));
    let u = u.clone();
    let kind = method_kind(odata_type);
    inner.tenant.events.push(Event::MethodRegistered {
        upn: u.user_principal_name.clone(),
        odata_type: odata_type.to_string(),
    });
    let record = AuditRecord::new(Activity::UserRegistered(kind), &u, &u, now);
    inner.tenant.audit.push(record);
    Ok(id)
}

/// Gives the user a pass directly (replacing any), created now.
pub(crate) fn seed_pass(
    st: &AppState,
    user: &str,
    start: OffsetDateTime,
    lifetime_minutes: u32,
    one_time: bool,
) -> Result<PassRecord, ControlError> {
    let (length, plus) = {
        let inner = st.lock();
        (
            inner.tenant.policy.default_length as usize,
            inner.settings.force_leading_plus,
        )
    };
    let secret = crate::graph::generate_pass(st, length, plus);
    let start = start.to_offset(time::UtcOffset::UTC);
    let mut inner = st.lock();
    let u = inner
        .tenant
        .find_user(user)
        .cloned()
        .ok_or_else(|| ControlError::UnknownUser(user.to_string()))?;
    let record = PassRecord {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: u.id.clone(),
        temporary_access_pass: secret,
        created_date_time: st.clock.now(),
        // Graph reports the start without fractions; store it that way so reads agree.
        start_date_time: start.replace_nanosecond(0).unwrap_or(start),
        lifetime_in_minutes: lifetime_minutes,
        is_usable_once: one_time,
        used: false,
    };
    let old = inner.tenant.passes.insert(u.id.clone(), record.clone());
    let what = match old {
        Some(old) => format!(
            "pass {} seeded for {} (replacing {})",
            record.id, u.user_principal_name, old.id
        ),
        None => format!("pass {} seeded for {}", record.id, u.user_principal_name),
    };
    inner.tenant.events.push(Event::DirectoryChanged { what });
    Ok(record)
}

/// Marks the user's pass as used to sign in; returns it.
pub(crate) fn use_pass(st: &AppState, user: &str) -> Result<PassRecord, ControlError> {
    let mut inner = st.lock();
    let id = inner
        .tenant
        .find_user(user)
        .map(|u| u.id.clone())
        .ok_or_else(|| ControlError::UnknownUser(user.to_string()))?;
    let pass = inner
        .tenant
        .passes
        .get_mut(&id)
        .ok_or_else(|| ControlError::NoPass(user.to_string()))?;
    pass.used = true;
    Ok(pass.clone())
}

impl Emulator {
    /// The user (id or UPN) registers an authentication method for themselves: a method of
    /// any `@odata.type` (`#microsoft.graph.fido2AuthenticationMethod`, or one Graph may add
    /// later such as `#microsoft.graph.quantumAuthenticationMethod`, served as given) with a
    /// new id, `displayName` if given, and `createdDateTime` = the emulator clock's now. It
    /// appears in `GET /users/{id}/authentication/methods`. Records
    /// [`Event::MethodRegistered`] and an audit record "User registered security info"
    /// ("User registered {kind} method", initiated by the user). The type must start with `#`
    /// and may not be the password or TAP method. Returns the method id.
    pub fn register_method(
        &self,
        upn_or_id: &str,
        odata_type: &str,
        display_name: Option<&str>,
    ) -> Result<String, ControlError> {
        register_method(&self.state, upn_or_id, odata_type, display_name)
    }

    /// Gives the user (id or UPN) a pass without Graph, for tests that need passes to exist:
    /// `start` (fractions dropped), `lifetime_minutes` and `one_time` as given (not checked
    /// against the policy or Graph's 10..43200, so tests can set odd values), secret generated
    /// like Graph's, created at the emulator clock's now. Replaces any pass the user has, as a
    /// Graph create does. Records [`Event::DirectoryChanged`] only: no `PassCreated`, no audit
    /// record [choice]. Returns the stored pass (with the secret).
    pub fn seed_pass(
        &self,
        upn_or_id: &str,
        start: OffsetDateTime,
        lifetime_minutes: u32,
        one_time: bool,
    ) -> Result<PassRecord, ControlError> {
        seed_pass(&self.state, upn_or_id, start, lifetime_minutes, one_time)
    }
}
