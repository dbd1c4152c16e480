//! Issue 16's Rust control API: the frontline site, unit-scoped and eligible role grants, unit
//! members, the QR code + PIN methods with their secrets (what Graph returned once) and the
//! `qrCodePin` policy.

use super::ControlError;
use crate::model::Event;
use crate::qr::{QrMethodRecord, QrPolicy};
use crate::seed;
use crate::units::{AdministrativeUnit, RoleGrant};
use crate::Emulator;

impl Emulator {
    /// Adds the frontline site ([`seed::FRONTLINE_SITE_SIZE`] users in "Milan store"); it stays
    /// across [`Emulator::reset`]. Idempotent.
    pub fn seed_frontline_site(&self) {
        let mut inner = self.state.lock();
        inner.frontline_site = true;
        seed::frontline_site(&mut inner.tenant);
    }

    /// Every administrative unit with its members.
    pub fn administrative_units(&self) -> Vec<AdministrativeUnit> {
        self.state.lock().tenant.units.units.clone()
    }

    /// Gives `upn` the role `role_template_id` scoped to the unit, active or PIM-eligible;
    /// returns the grant's id.
    pub fn add_scoped_role(
        &self,
        upn: &str,
        role_template_id: &str,
        unit_id: &str,
        eligible: bool,
    ) -> Result<String, ControlError> {
        let mut inner = self.state.lock();
        let user = inner
            .tenant
            .find_user(upn)
            .cloned()
            .ok_or_else(|| ControlError::UnknownUser(upn.into()))?;
        if uuid::Uuid::parse_str(role_template_id).is_err() {
            return Err(ControlError::InvalidRole(role_template_id.into()));
        }
        let grant = RoleGrant {
            id: uuid::Uuid::new_v4().to_string(),
            principal_id: user.id.clone(),
            role_definition_id: role_template_id.into(),
            directory_scope_id: format!("/administrativeUnits/{unit_id}"),
            eligible,
        };
        let id = grant.id.clone();
        inner.tenant.units.grants.push(grant);
        inner.tenant.events.push(Event::DirectoryChanged {
            what: format!(
                "{upn} {} {role_template_id} for unit {unit_id}",
                if eligible { "is eligible for" } else { "holds" }
            ),
        });
        Ok(id)
    }

    /// Takes every unit-scoped grant (active and eligible) of the role for that unit from
    /// `upn`; returns how many went.
    pub fn remove_scoped_role(&self, upn: &str, role_template_id: &str, unit_id: &str) -> usize {
        let mut inner = self.state.lock();
        let Some(id) = inner.tenant.find_user(upn).map(|u| u.id.clone()) else {
            return 0;
        };
        let scope = format!("/administrativeUnits/{unit_id}");
        let before = inner.tenant.units.grants.len();
        inner.tenant.units.grants.retain(|g| {
            !(g.principal_id == id
                && g.role_definition_id.eq_ignore_ascii_case(role_template_id)
                && g.directory_scope_id.eq_ignore_ascii_case(&scope))
        });
        before - inner.tenant.units.grants.len()
    }

    /// Adds `upn` to the unit (no change when already a member). False: no such user or unit.
    pub fn add_unit_member(&self, unit_id: &str, upn: &str) -> bool {
        let mut inner = self.state.lock();
        let Some(id) = inner.tenant.find_user(upn).map(|u| u.id.clone()) else {
            return false;
        };
        match inner
            .tenant
            .units
            .units
            .iter_mut()
            .find(|u| u.id.eq_ignore_ascii_case(unit_id))
        {
            Some(u) => {
                if !u.members.contains(&id) {
                    u.members.push(id);
                }
                true
            }
            None => false,
        }
    }

    /// The user's QR code + PIN method with its secrets (QR content, PIN), if any.
    pub fn qr_method(&self, user_id_or_upn: &str) -> Option<QrMethodRecord> {
        let inner = self.state.lock();
        let id = inner.tenant.find_user(user_id_or_upn)?.id.clone();
        inner.tenant.qr.methods.get(&id).cloned()
    }

    /// The `qrCodePin` policy.
    pub fn qr_policy(&self) -> QrPolicy {
        self.state.lock().tenant.qr.policy.clone()
    }

    /// Replaces the `qrCodePin` policy (not validated: tests may set anything).
    pub fn set_qr_policy(&self, p: QrPolicy) {
        self.state.lock().tenant.qr.policy = p;
    }
}
