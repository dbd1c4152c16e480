//! Administrative units and role assignments that are not plain tenant-wide roles: roles
//! scoped to a unit (`directoryScopeId` `/administrativeUnits/{id}`), PIM-eligible roles (not
//! active until activated), and the rules they feed (who is in which unit, which units restrict
//! management). Tenant-wide active roles stay on [`crate::model::User::roles`].

use serde::{Deserialize, Serialize};

use crate::model::roles;

/// An administrative unit (Graph `administrativeUnit`, v1.0 properties).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnit {
    /// Object id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Restricted management (Learn, "Restricted management administrative units"): only
    /// administrators assigned at this unit's scope may change its members.
    pub is_member_management_restricted: bool,
    /// `Assigned` or `Dynamic`.
    pub membership_type: String,
    /// The rule of a dynamic unit (kept as text; members are a static list here).
    pub membership_rule: Option<String>,
    /// Member user ids (a dynamic unit's members as evaluated when seeded).
    pub members: Vec<String>,
}

/// A role assignment or eligibility that [`crate::model::User::roles`] does not express.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RoleGrant {
    /// Stable id of the assignment (or eligibility schedule).
    pub id: String,
    /// Who holds it.
    pub principal_id: String,
    /// Role template id (= `roleDefinitionId` for built-in roles).
    pub role_definition_id: String,
    /// `/` or `/administrativeUnits/{id}`.
    pub directory_scope_id: String,
    /// True: eligible through PIM, not active (grants nothing until activated).
    pub eligible: bool,
}

impl RoleGrant {
    /// The unit id of a unit-scoped grant; `None` for the tenant scope.
    pub fn unit_id(&self) -> Option<&str> {
        self.directory_scope_id
            .strip_prefix("/administrativeUnits/")
    }
}

/// Units and grants of the tenant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Units {
    /// Every administrative unit.
    pub units: Vec<AdministrativeUnit>,
    /// Scoped active assignments and eligible ones (tenant-wide active roles live on the user).
    pub grants: Vec<RoleGrant>,
}

/// Roles that may change authentication methods when scoped to a unit (Learn, "Assign Microsoft
/// Entra roles", roles that can be assigned with administrative unit scope).
pub const METHOD_ROLES: &[&str] = &[
    roles::AUTHENTICATION_ADMINISTRATOR,
    roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
];

impl Units {
    /// The unit with this id (case-insensitive).
    pub fn find(&self, id: &str) -> Option<&AdministrativeUnit> {
        self.units.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    /// Units the user is a member of, in seed order.
    pub fn units_of(&self, user_id: &str) -> Vec<&AdministrativeUnit> {
        self.units
            .iter()
            .filter(|u| u.members.iter().any(|m| m.eq_ignore_ascii_case(user_id)))
            .collect()
    }

    /// Restricted-management units the user is a member of.
    pub fn restricted_units_of(&self, user_id: &str) -> Vec<&AdministrativeUnit> {
        self.units_of(user_id)
            .into_iter()
            .filter(|u| u.is_member_management_restricted)
            .collect()
    }

    /// Active unit-scoped grants of a principal.
    pub fn active_scoped(&self, principal_id: &str) -> Vec<&RoleGrant> {
        self.grants
            .iter()
            .filter(|g| {
                !g.eligible
                    && g.unit_id().is_some()
                    && g.principal_id.eq_ignore_ascii_case(principal_id)
            })
            .collect()
    }

    /// Eligible (not active) grants of a principal, any scope.
    pub fn eligible(&self, principal_id: &str) -> Vec<&RoleGrant> {
        self.grants
            .iter()
            .filter(|g| g.eligible && g.principal_id.eq_ignore_ascii_case(principal_id))
            .collect()
    }

    /// True if and only if the principal holds an active grant of one of `roles` scoped to a
    /// unit whose id is in `unit_ids`.
    pub fn holds_in_units(&self, principal_id: &str, roles: &[&str], unit_ids: &[&str]) -> bool {
        self.active_scoped(principal_id).iter().any(|g| {
            roles.contains(&g.role_definition_id.as_str())
                && g.unit_id()
                    .is_some_and(|u| unit_ids.iter().any(|x| x.eq_ignore_ascii_case(u)))
        })
    }

    /// True if and only if the user holds any active unit-scoped role (an admin role at a
    /// narrower scope).
    pub fn has_scoped_role(&self, user_id: &str) -> bool {
        !self.active_scoped(user_id).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_grants_name_their_unit_and_eligibility_grants_nothing() {
        let u = Units {
            units: vec![AdministrativeUnit {
                id: "au1".into(),
                display_name: "One".into(),
                description: None,
                is_member_management_restricted: true,
                membership_type: "Assigned".into(),
                membership_rule: None,
                members: vec!["x".into()],
            }],
            grants: vec![
                RoleGrant {
                    id: "g1".into(),
                    principal_id: "p".into(),
                    role_definition_id: roles::AUTHENTICATION_ADMINISTRATOR.into(),
                    directory_scope_id: "/administrativeUnits/au1".into(),
                    eligible: false,
                },
                RoleGrant {
                    id: "g2".into(),
                    principal_id: "q".into(),
                    role_definition_id: roles::AUTHENTICATION_ADMINISTRATOR.into(),
                    directory_scope_id: "/administrativeUnits/au1".into(),
                    eligible: true,
                },
            ],
        };
        assert_eq!(u.restricted_units_of("X").len(), 1);
        assert!(u.holds_in_units("p", METHOD_ROLES, &["AU1"]));
        assert!(
            !u.holds_in_units("q", METHOD_ROLES, &["au1"]),
            "eligible only"
        );
        assert_eq!(u.eligible("q").len(), 1);
    }
}
