//! Issue 16's Rust control API: the frontline site, unit-scoped and eligible role grants, unit
//! members, the QR code + PIN methods with their secrets (what Graph returned once) and the
//! `qrCodePin` policy.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::ControlError;
use crate::model::Event;
use crate::qr::{QrMethodRecord, QrPolicy};
use crate::seed;
use crate::state::AppState;
use crate::units::{AdministrativeUnit, RoleGrant};
use crate::Emulator;

/// Adds the frontline site and keeps it across `reset`.
pub(crate) fn seed_frontline_site(st: &AppState) {
    let mut inner = st.lock();
    inner.frontline_site = true;
    seed::frontline_site(&mut inner.tenant);
}

/// Gives a unit-scoped (or eligible) role; returns the grant id.
pub(crate) fn add_scoped_role(
    st: &AppState,
    upn: &str,
    role_template_id: &str,
    unit_id: &str,
    eligible: bool,
) -> Result<String, ControlError> {
    let mut inner = st.lock();
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

/// Takes the unit-scoped grants of a role for a unit; how many went.
pub(crate) fn remove_scoped_role(
    st: &AppState,
    upn: &str,
    role_template_id: &str,
    unit_id: &str,
) -> usize {
    let mut inner = st.lock();
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
    let gone = before - inner.tenant.units.grants.len();
    if gone > 0 {
        inner.tenant.events.push(Event::DirectoryChanged {
            what: format!("{upn} no longer holds {role_template_id} for unit {unit_id}"),
        });
    }
    gone
}

/// The user's QR method with its secrets.
pub(crate) fn qr_method(st: &AppState, user: &str) -> Option<QrMethodRecord> {
    let inner = st.lock();
    let id = inner.tenant.find_user(user)?.id.clone();
    inner.tenant.qr.methods.get(&id).cloned()
}

/// Issue 16's control routes (login origin): `POST /_emulator/frontline-site`,
/// `PUT|DELETE /_emulator/users/{upn}/scoped-roles/{roleTemplateId}/{unitId}` (`?eligible=true`
/// for a PIM-eligible grant), `GET /_emulator/users/{upn}/qr` (with the QR content and PIN),
/// `GET|PUT /_emulator/qr-policy`.
pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_emulator/frontline-site", post(frontline))
        .route(
            "/_emulator/users/{user}/scoped-roles/{role}/{unit}",
            put(put_scoped_role).delete(delete_scoped_role),
        )
        .route("/_emulator/users/{user}/qr", get(get_qr))
        .route(
            "/_emulator/qr-policy",
            get(get_qr_policy).put(put_qr_policy),
        )
}

async fn frontline(State(st): State<Arc<AppState>>) -> Response {
    seed_frontline_site(&st);
    Json(json!({"users": seed::FRONTLINE_SITE_SIZE, "unit": seed::AU_MILAN_STORE})).into_response()
}

#[derive(Deserialize)]
struct Eligible {
    #[serde(default)]
    eligible: bool,
}

async fn put_scoped_role(
    State(st): State<Arc<AppState>>,
    Path((user, role, unit)): Path<(String, String, String)>,
    Query(q): Query<Eligible>,
) -> Response {
    match add_scoped_role(&st, &user, &role, &unit, q.eligible) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => {
            let status = match e {
                ControlError::UnknownUser(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            (status, Json(json!({"error": e.to_string()}))).into_response()
        }
    }
}

async fn delete_scoped_role(
    State(st): State<Arc<AppState>>,
    Path((user, role, unit)): Path<(String, String, String)>,
) -> Response {
    Json(json!({"removed": remove_scoped_role(&st, &user, &role, &unit)})).into_response()
}

async fn get_qr(State(st): State<Arc<AppState>>, Path(user): Path<String>) -> Response {
    match qr_method(&st, &user) {
        Some(m) => Json(m).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("'{user}' has no QR code PIN method")})),
        )
            .into_response(),
    }
}

async fn get_qr_policy(State(st): State<Arc<AppState>>) -> Json<QrPolicy> {
    Json(st.lock().tenant.qr.policy.clone())
}

async fn put_qr_policy(State(st): State<Arc<AppState>>, Json(p): Json<QrPolicy>) -> StatusCode {
    st.lock().tenant.qr.policy = p;
    StatusCode::NO_CONTENT
}

impl Emulator {
    /// Adds the frontline site ([`seed::FRONTLINE_SITE_SIZE`] users in "Milan store"); it stays
    /// across [`Emulator::reset`]. Idempotent.
    pub fn seed_frontline_site(&self) {
        seed_frontline_site(&self.state);
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
        add_scoped_role(&self.state, upn, role_template_id, unit_id, eligible)
    }

    /// Takes every unit-scoped grant (active and eligible) of the role for that unit from
    /// `upn`; returns how many went.
    pub fn remove_scoped_role(&self, upn: &str, role_template_id: &str, unit_id: &str) -> usize {
        remove_scoped_role(&self.state, upn, role_template_id, unit_id)
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
        qr_method(&self.state, user_id_or_upn)
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
