//! Issue 15's controls: a user registering a passkey (each kind) or Windows Hello or a phone,
//! the seeded campaign tenant and its ground truth, and the passkey policies a test sets
//! (the `fido2` configuration, authentication strengths, Conditional Access policies). The
//! Rust API below and the HTTP routes (`login::control`) call the same functions.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ControlError;
use crate::audit::{method_kind, Activity, AuditRecord};
use crate::model::passkeys::{self, PasskeyKind, PhoneType};
use crate::model::Event;
use crate::seed::campaign::{self, CampaignTruth, TruthClass};
use crate::state::AppState;
use crate::Emulator;

/// The user registers a passkey of `kind` (or Windows Hello) for themselves, now: a new id,
/// `aa_guid` / `model` overriding the kind's usual authenticator. Recorded like any method a
/// user registers (event and audit record).
pub(crate) fn register_passkey(
    st: &AppState,
    user: &str,
    kind: PasskeyKind,
    aa_guid: Option<&str>,
    model: Option<&str>,
) -> Result<String, ControlError> {
    let now = st.clock.now();
    let id = uuid::Uuid::new_v4().to_string();
    let method = passkeys::passkey_json(kind, &id, now, aa_guid, model);
    let odata_type = method
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut inner = st.lock();
    let u = inner
        .tenant
        .find_user_mut(user)
        .ok_or_else(|| ControlError::UnknownUser(user.to_string()))?;
    u.methods.push(method);
    let u = u.clone();
    inner.tenant.events.push(Event::MethodRegistered {
        upn: u.user_principal_name.clone(),
        odata_type: odata_type.clone(),
    });
    let record = AuditRecord::new(
        Activity::UserRegistered(method_kind(&odata_type)),
        &u,
        &u,
        now,
    );
    inner.tenant.audit.push(record);
    Ok(id)
}

/// The user gets a phone of `phone_type` (replacing one of that type: Graph keeps one number
/// per type). Stands for data that existed before the test: only `Event::DirectoryChanged`.
pub(crate) fn set_phone(
    st: &AppState,
    user: &str,
    phone_type: PhoneType,
    number: &str,
) -> Result<(), ControlError> {
    let mut inner = st.lock();
    let u = inner
        .tenant
        .find_user_mut(user)
        .ok_or_else(|| ControlError::UnknownUser(user.to_string()))?;
    u.methods
        .retain(|m| m.get("id").and_then(Value::as_str) != Some(phone_type.method_id()));
    u.methods
        .push(passkeys::phone_json(phone_type, number, false));
    let what = format!(
        "{} phone of {} set",
        phone_type.as_str(),
        u.user_principal_name
    );
    inner.tenant.events.push(Event::DirectoryChanged { what });
    Ok(())
}

/// Adds `count` campaign users drawn from `seed` after any added before; returns the ground
/// truth of the whole tenant afterwards.
pub(crate) fn seed_campaign(st: &AppState, count: usize, seed: u64) -> CampaignTruth {
    let mut inner = st.lock();
    let first = 1 + inner
        .tenant
        .users
        .iter()
        .filter(|u| campaign::is_campaign_upn(&u.user_principal_name))
        .count();
    inner
        .tenant
        .add_users(campaign::campaign_users(first, count, seed));
    inner.tenant.events.push(Event::DirectoryChanged {
        what: format!("{count} campaign users seeded (seed {seed})"),
    });
    campaign::ground_truth(&inner.tenant.users)
}

/// The ground truth of the whole tenant now.
pub(crate) fn truth(st: &AppState) -> CampaignTruth {
    campaign::ground_truth(&st.lock().tenant.users)
}

/// The UPNs of each class now.
pub(crate) fn truth_users(st: &AppState) -> BTreeMap<TruthClass, Vec<String>> {
    campaign::ground_truth_users(&st.lock().tenant.users)
}

/// Freezes the registration report as it is now (`true`) or lets it follow the directory
/// again (`false`): what a page sees while Graph's report lags behind a registration.
pub(crate) fn freeze_report(st: &AppState, freeze: bool) {
    let now = st.clock.now();
    let mut inner = st.lock();
    let snapshot = freeze.then(|| {
        let t = &inner.tenant;
        t.users
            .iter()
            .filter(|u| u.account_enabled)
            .map(|u| passkeys::registration_details(u, t.passes.contains_key(&u.id), now))
            .collect()
    });
    inner.tenant.passkeys.report_snapshot = snapshot;
}

impl Emulator {
    /// Freezes the registration report as it is now (`true`: later registrations do not show,
    /// like a report that lags) or lets it follow the directory again (`false`).
    pub fn freeze_registration_report(&self, freeze: bool) {
        freeze_report(&self.state, freeze)
    }

    /// The user registers a passkey (device-bound security key, synced, in Authenticator) or
    /// Windows Hello for themselves now; returns the method id. See [`PasskeyKind`].
    pub fn register_passkey(
        &self,
        upn_or_id: &str,
        kind: PasskeyKind,
        aa_guid: Option<&str>,
        model: Option<&str>,
    ) -> Result<String, ControlError> {
        register_passkey(&self.state, upn_or_id, kind, aa_guid, model)
    }

    /// The user has a phone of this type (replacing the number of that type).
    pub fn set_phone(
        &self,
        upn_or_id: &str,
        phone_type: PhoneType,
        number: &str,
    ) -> Result<(), ControlError> {
        set_phone(&self.state, upn_or_id, phone_type, number)
    }

    /// Adds `count` campaign users (a realistic mix, deterministic from `seed`) and returns
    /// the tenant's ground truth afterwards. They go on [`Emulator::reset`].
    pub fn seed_campaign(&self, count: usize, seed: u64) -> CampaignTruth {
        seed_campaign(&self.state, count, seed)
    }

    /// How many users of the tenant fall in each class now (see [`CampaignTruth`]).
    pub fn campaign_truth(&self) -> CampaignTruth {
        truth(&self.state)
    }

    /// The UPNs of each class now, in directory order.
    pub fn campaign_truth_users(&self) -> BTreeMap<TruthClass, Vec<String>> {
        truth_users(&self.state)
    }

    /// Replaces the `fido2` method configuration (Graph JSON, e.g. built with
    /// [`passkeys::fido2_configuration`] and [`passkeys::passkey_profile`]).
    pub fn set_fido2_configuration(&self, config: Value) {
        self.state.lock().tenant.passkeys.fido2 = config;
    }

    /// Replaces the Conditional Access policies (Graph JSON).
    pub fn set_conditional_access_policies(&self, policies: Vec<Value>) {
        self.state.lock().tenant.passkeys.conditional_access = policies;
    }

    /// Replaces the authentication strengths (Graph JSON).
    pub fn set_authentication_strengths(&self, strengths: Vec<Value>) {
        self.state.lock().tenant.passkeys.strengths = strengths;
    }
}
