//! Test controls beyond the tenant's data: fault rules, expiring refresh tokens, withdrawing
//! consent and changing directory roles; methods and passes set up without Graph in
//! [`methods`]. The Rust API on [`Emulator`] and the HTTP control API (`login::control`) both
//! call the functions here, so they behave the same.

/// Issue 15: passkeys, phones, the campaign tenant and passkey policies.
pub(crate) mod campaign;
pub(crate) mod methods;
pub(crate) mod units;

use crate::faults::{ActiveRule, FaultError, FaultRule};
use crate::model::Event;
use crate::scopes;
use crate::state::AppState;
use crate::Emulator;

/// Why a control operation was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// No user has this id or UPN.
    #[error("no user '{0}' in the directory")]
    UnknownUser(String),
    /// Not a Graph permission the emulator knows.
    #[error("'{0}' is not a Graph permission the emulator knows")]
    UnknownPermission(String),
    /// A role template id must be a GUID.
    #[error("'{0}' is not a role template id (a GUID)")]
    InvalidRole(String),
    /// Not an `@odata.type` a user can register (see [`Emulator::register_method`]).
    #[error("'{0}' is not a method type that can be registered")]
    InvalidMethodType(String),
    /// The user has no pass.
    #[error("'{0}' has no Temporary Access Pass")]
    NoPass(String),
    /// No token could be minted (disabled account, signing failure).
    #[error("no token: {0}")]
    TokenRefused(String),
    /// The fault rule is invalid.
    #[error(transparent)]
    Fault(#[from] FaultError),
}

/// Adds a fault rule; returns its id.
pub(crate) fn inject(st: &AppState, rule: FaultRule) -> Result<u64, ControlError> {
    Ok(st.lock().faults.add(rule)?)
}

/// Marks every existing refresh token expired (new ones are unaffected).
pub(crate) fn expire_refresh_tokens(st: &AppState) -> usize {
    let mut inner = st.lock();
    let mut n = 0;
    for g in inner.refresh_tokens.values_mut() {
        if !g.force_expired && !g.redeemed {
            g.force_expired = true;
            n += 1;
        }
    }
    inner.tenant.events.push(Event::DirectoryChanged {
        what: format!("{n} refresh tokens expired"),
    });
    n
}

/// Takes `scope` (bare or resource-qualified) out of the tenant-wide grant and the user's own.
pub(crate) fn withdraw_consent(st: &AppState, upn: &str, scope: &str) -> Result<(), ControlError> {
    let bare = scope.rsplit('/').next().unwrap_or(scope);
    let perm =
        scopes::find(bare).ok_or_else(|| ControlError::UnknownPermission(scope.to_string()))?;
    let mut inner = st.lock();
    let user_id = inner
        .tenant
        .find_user(upn)
        .map(|u| u.id.clone())
        .ok_or_else(|| ControlError::UnknownUser(upn.to_string()))?;
    inner.tenant.withdraw_consent(&user_id, perm.name);
    inner.tenant.events.push(Event::DirectoryChanged {
        what: format!(
            "consent to {} withdrawn (tenant-wide and for {upn})",
            perm.name
        ),
    });
    Ok(())
}

/// Adds (`add`) or removes a directory role of a user. Graph sees the change on the next call.
pub(crate) fn set_role(
    st: &AppState,
    upn: &str,
    role: &str,
    add: bool,
) -> Result<(), ControlError> {
    let role = uuid::Uuid::parse_str(role)
        .map_err(|_| ControlError::InvalidRole(role.to_string()))?
        .to_string();
    let mut inner = st.lock();
    let user = inner
        .tenant
        .find_user_mut(upn)
        .ok_or_else(|| ControlError::UnknownUser(upn.to_string()))?;
    user.roles.retain(|r| !r.eq_ignore_ascii_case(&role));
    if add {
        user.roles.push(role.clone());
    }
    let what = format!(
        "role {} ({role}) {} {upn}",
        crate::model::roles::name(&role),
        if add { "given to" } else { "taken from" }
    );
    inner.tenant.events.push(Event::DirectoryChanged { what });
    Ok(())
}

impl Emulator {
    /// Adds a fault rule after the existing ones (see [`crate::faults`] for how rules combine);
    /// returns its id for [`Emulator::remove_fault`].
    pub fn inject(&self, rule: FaultRule) -> Result<u64, ControlError> {
        inject(&self.state, rule)
    }

    /// Removes every fault rule (the share generator keeps its position; see
    /// [`Emulator::set_fault_seed`]).
    pub fn clear_faults(&self) {
        self.state.lock().faults.clear();
    }

    /// Removes one fault rule; false if there is none with this id.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.state.lock().faults.remove(id)
    }

    /// The active fault rules, in evaluation order, with their remaining `times`.
    pub fn faults(&self) -> Vec<ActiveRule> {
        self.state.lock().faults.rules().to_vec()
    }

    /// Restarts the generator that decides share-based hits (and the batch shuffle) from
    /// `seed`: the same seed and the same requests give the same faults.
    pub fn set_fault_seed(&self, seed: u64) {
        self.state.lock().faults.set_seed(seed);
    }

    /// Expires every refresh token issued so far: redeeming one fails with `invalid_grant`
    /// AADSTS700084, as after the SPA 24-hour limit. Returns how many were live.
    pub fn expire_refresh_tokens(&self) -> usize {
        expire_refresh_tokens(&self.state)
    }

    /// Withdraws consent to a Graph permission (bare or resource-qualified): the tenant-wide
    /// grant and the user's own lose it. New tokens lack it in `scp`, and Graph refuses it
    /// even on tokens issued before (it re-checks the live grant on every call [choice]).
    pub fn withdraw_consent(&self, upn: &str, scope: &str) -> Result<(), ControlError> {
        withdraw_consent(&self.state, upn, scope)
    }

    /// Grants a Graph permission (bare name) for the whole organisation, as an admin's
    /// tenant-wide consent would: tokens issued from now on carry it (issue 11 tests).
    pub fn grant_tenant_consent(&self, permission: &str) {
        self.state
            .lock()
            .tenant
            .admin_grants
            .insert(permission.to_string());
    }

    /// Gives the user a directory role (template id). Graph authorises by live roles, so
    /// existing tokens gain it at once; their `wids` claim does not change.
    pub fn add_role(&self, upn: &str, role_template_id: &str) -> Result<(), ControlError> {
        set_role(&self.state, upn, role_template_id, true)
    }

    /// Takes a directory role (template id) from the user; Graph refuses what it needed on the
    /// next call, whatever the token's `wids` say.
    pub fn remove_role(&self, upn: &str, role_template_id: &str) -> Result<(), ControlError> {
        set_role(&self.state, upn, role_template_id, false)
    }

    /// Gives the user another display name (two people may share one); Graph shows it at once.
    pub fn rename_user(&self, upn: &str, display_name: &str) -> Result<(), ControlError> {
        self.change_user(upn, format!("{upn} renamed to {display_name}"), |u| {
            u.display_name = display_name.to_string()
        })
    }

    /// Sets the user's `userType` (`Member` or `Guest`): a member made `Guest` is an internal
    /// guest (a UPN of this tenant, no external identity), who may get a pass; the seeded
    /// Jordan Miller (UPN with `#EXT#`) is an external guest, who may not.
    pub fn set_user_type(&self, upn: &str, user_type: &str) -> Result<(), ControlError> {
        self.change_user(upn, format!("userType of {upn} set to {user_type}"), |u| {
            u.user_type = user_type.to_string()
        })
    }

    /// Applies `change` to the user and records it as a directory change.
    fn change_user(
        &self,
        upn: &str,
        what: String,
        change: impl FnOnce(&mut crate::model::User),
    ) -> Result<(), ControlError> {
        let mut inner = self.state.lock();
        let user = inner
            .tenant
            .find_user_mut(upn)
            .ok_or_else(|| ControlError::UnknownUser(upn.to_string()))?;
        change(user);
        inner.tenant.events.push(Event::DirectoryChanged { what });
        Ok(())
    }
}
