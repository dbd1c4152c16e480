//! The signed-in admin's scope (issue 16): from their active and eligible role assignments,
//! whether the page serves the whole tenant or only members of administrative units, and which
//! targets they may serve with passes and badges, each refusal with its reason, before any
//! write.
//!
//! The matrix, from Microsoft Learn:
//! - "Privileged roles and permissions" / "Who can reset passwords and authentication methods":
//!   tenant-wide, a Global Administrator or Privileged Authentication Administrator serves
//!   anyone (but themselves); an Authentication Administrator serves users with no role or only
//!   the lesser roles ([`crate::tap::targets::LESSER_ROLES`]).
//! - "Assign Microsoft Entra roles", roles with administrative unit scope: an Authentication
//!   Administrator (or Privileged Authentication Administrator) assigned at a unit's scope
//!   serves members of that unit only, and "Read and modify user authentication methods" is
//!   restricted to targets without any other role: an admin member, even one holding only a
//!   lesser role, is out of reach. (The same page describes a unit-scoped Privileged
//!   Authentication Administrator as serving "any user (admin or non-admin)"; the page follows
//!   the restriction, as the emulator does by default.) A Helpdesk Administrator resets
//!   passwords only: it never issues passes or badges.
//! - "Restricted management administrative units": members of such a unit are changed only by
//!   administrators assigned at that unit's scope, not even by a Global Administrator.
//! - PIM: an eligible role grants nothing until activated; the ID token's `wids` lists neither
//!   eligible nor unit-scoped roles, which is why this module reads role instances.

use crate::graph::api::{AdministrativeUnit, RoleInstance, ScopedRoleMembership};
use crate::tap::targets::TargetRoles;

/// Global Administrator.
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Privileged Authentication Administrator.
pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
/// Authentication Administrator.
pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
/// Helpdesk Administrator.
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/// A role as far as the scope rules care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Global Administrator.
    Global,
    /// Privileged Authentication Administrator.
    PrivilegedAuthentication,
    /// Authentication Administrator.
    Authentication,
    /// Helpdesk Administrator (passwords only).
    Helpdesk,
    /// Any other role (template id).
    Other(String),
    /// A unit-scoped role whose kind the fallback did not say (`scopedRoleMemberOf` names the
    /// directory role object, not its template).
    Unknown,
}

impl Role {
    /// The role of a template id.
    pub fn from_template(id: &str) -> Role {
        let is = |t: &str| id.eq_ignore_ascii_case(t);
        if is(GLOBAL_ADMINISTRATOR) {
            Role::Global
        } else if is(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR) {
            Role::PrivilegedAuthentication
        } else if is(AUTHENTICATION_ADMINISTRATOR) {
            Role::Authentication
        } else if is(HELPDESK_ADMINISTRATOR) {
            Role::Helpdesk
        } else {
            Role::Other(id.to_owned())
        }
    }

    /// True if and only if the role issues passes and badges (the unknown kind may).
    pub fn issues(&self) -> bool {
        matches!(
            self,
            Role::Global | Role::PrivilegedAuthentication | Role::Authentication | Role::Unknown
        )
    }

    /// The role's name.
    pub fn name(&self) -> String {
        match self {
            Role::Global => "Global Administrator".into(),
            Role::PrivilegedAuthentication => "Privileged Authentication Administrator".into(),
            Role::Authentication => "Authentication Administrator".into(),
            Role::Helpdesk => "Helpdesk Administrator".into(),
            Role::Other(id) => crate::messages::role_name(id)
                .unwrap_or(crate::messages::UNNAMED_ROLE)
                .into(),
            Role::Unknown => crate::messages::UNNAMED_ROLE.into(),
        }
    }

    /// Rank among issuing roles (higher serves more).
    fn rank(&self) -> u8 {
        match self {
            Role::Global => 3,
            Role::PrivilegedAuthentication => 2,
            Role::Authentication => 1,
            _ => 0,
        }
    }
}

/// Where an assignment applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole tenant (`/`).
    Tenant,
    /// One administrative unit (`/administrativeUnits/{id}`).
    Unit(String),
}

impl Scope {
    /// The scope of a `directoryScopeId` (absent: the tenant); `None` for a scope on one
    /// object (an application, a group), which says nothing about users.
    pub fn parse(directory_scope_id: Option<&str>) -> Option<Scope> {
        let id = directory_scope_id.map(str::trim).unwrap_or("/");
        if id == "/" || id.is_empty() {
            return Some(Scope::Tenant);
        }
        let lower = id.to_ascii_lowercase();
        lower
            .strip_prefix("/administrativeunits/")
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .map(|_| Scope::Unit(id["/administrativeUnits/".len()..].to_owned()))
    }
}

/// One assignment of the signed-in admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where.
    pub scope: Scope,
    /// False: eligible in PIM, not activated.
    pub active: bool,
}

/// The grants read from the PIM role instances (active, then eligible); object-scoped ones
/// are left out.
pub fn grants_from_instances(active: &[RoleInstance], eligible: &[RoleInstance]) -> Vec<Grant> {
    let read = |list: &[RoleInstance], active: bool| -> Vec<Grant> {
        list.iter()
            .filter_map(|i| {
                Some(Grant {
                    role: Role::from_template(&i.role_definition_id),
                    scope: Scope::parse(i.directory_scope_id.as_deref())?,
                    active,
                })
            })
            .collect()
    };
    let mut out = read(active, true);
    out.extend(read(eligible, false));
    out
}

/// The grants of the fallback where PIM is unavailable: the tenant-wide roles the page already
/// knows (`wids` template ids) and `scopedRoleMemberOf` (unit-scoped, kind unknown).
pub fn grants_from_fallback(wids: &[String], scoped: &[ScopedRoleMembership]) -> Vec<Grant> {
    let mut out: Vec<Grant> = wids
        .iter()
        .map(|w| Grant {
            role: Role::from_template(w),
            scope: Scope::Tenant,
            active: true,
        })
        .collect();
    out.extend(scoped.iter().map(|m| Grant {
        role: Role::Unknown,
        scope: Scope::Unit(m.administrative_unit_id.clone()),
        active: true,
    }));
    out
}

/// What the page is for this admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// An active tenant-wide issuing role (the strongest): the tenant, as before issue 16.
    Tenant(Role),
    /// Every active issuing role is scoped to units: only their members are offered.
    Units(Vec<String>),
    /// No active issuing role, but eligible ones: activate in PIM first.
    ActivateFirst,
    /// Nothing that issues (a Helpdesk Administrator, a reader, no role).
    Nothing,
}

/// The admin's scope: their grants and what the page offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageScope {
    grants: Vec<Grant>,
    /// What the page offers.
    pub reach: Reach,
}

/// A target as the page knows it before a write.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The name shown in sentences.
    pub name: &'a str,
    /// The units the target is in (`None`: not read).
    pub units: Option<&'a [AdministrativeUnit]>,
    /// The target's admin roles (`None`: not read).
    pub roles: Option<&'a TargetRoles>,
}

/// Why a target is out of reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutOfReach {
    /// In a restricted-management unit the admin is not assigned to (names of the units).
    Restricted(Vec<String>),
    /// In none of the admin's units.
    OutsideUnits,
    /// A member of the admin's unit holding an admin role (names), which a unit scope never
    /// reaches.
    AdminInUnit(Vec<String>),
    /// Holds roles beyond a tenant-wide Authentication Administrator (names).
    BeyondAuthenticationAdministrator(Vec<String>),
    /// The admin's only roles are eligible ones (names with their scope).
    ActivateFirst(Vec<String>),
    /// The admin's active role never issues (its name), e.g. Helpdesk Administrator.
    CannotIssue(String),
    /// No role that issues passes or badges.
    NoRole,
}

impl OutOfReach {
    /// The sentence the admin reads, naming the target.
    pub fn sentence(&self, name: &str) -> String {
        match self {
            OutOfReach::Restricted(units) => format!(
                "{name} is in the restricted administrative unit {}: only administrators assigned to that unit may change their sign-in methods, not even a Global Administrator.",
                units.join(", ")
            ),
            OutOfReach::OutsideUnits => format!(
                "{name} is not in any administrative unit you manage: your role reaches only members of your units."
            ),
            OutOfReach::AdminInUnit(roles) => format!(
                "{name} holds {}. A role scoped to an administrative unit serves only members without any admin role: a tenant-wide Privileged Authentication Administrator can.",
                roles_phrase(roles)
            ),
            OutOfReach::BeyondAuthenticationAdministrator(roles) => format!(
                "{name} holds {}. As an Authentication Administrator you cannot serve them: a Privileged Authentication Administrator can.",
                roles_phrase(roles)
            ),
            OutOfReach::ActivateFirst(roles) => format!(
                "Your role {} is eligible but not active: activate it in Privileged Identity Management first, then sign in again.",
                roles.join(", ")
            ),
            OutOfReach::CannotIssue(role) => format!(
                "As {role} you can reset passwords but not issue passes or badges: an Authentication Administrator can."
            ),
            OutOfReach::NoRole => "You hold no role that issues passes or badges: an Authentication Administrator can.".into(),
        }
    }
}

/// "the admin role X, Y", or "an admin role".
fn roles_phrase(names: &[String]) -> String {
    if names.is_empty() || names.iter().all(|n| n == crate::messages::UNNAMED_ROLE) {
        crate::messages::UNNAMED_ROLE.to_owned()
    } else {
        format!("the admin role {}", names.join(", "))
    }
}

/// What the page may do for a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Graph will let the admin serve the target.
    Serve,
    /// The page cannot tell (something was not read, or a role's kind is unknown): the write
    /// is allowed and Graph decides; the sentence says why.
    Uncertain(String),
    /// Graph would refuse: say why before anything is sent.
    OutOfReach(OutOfReach),
}

impl PageScope {
    /// Decides the page's reach from the admin's grants.
    pub fn decide(grants: Vec<Grant>) -> PageScope {
        let tenant = grants
            .iter()
            .filter(|g| g.active && g.scope == Scope::Tenant && g.role.issues())
            .max_by_key(|g| g.role.rank())
            .map(|g| g.role.clone());
        let mut units: Vec<String> = vec![];
        for g in grants.iter().filter(|g| g.active && g.role.issues()) {
            if let Scope::Unit(u) = &g.scope {
                if !units.iter().any(|x| x.eq_ignore_ascii_case(u)) {
                    units.push(u.clone());
                }
            }
        }
        let reach = match tenant {
            Some(role) => Reach::Tenant(role),
            None if !units.is_empty() => Reach::Units(units),
            None if grants.iter().any(|g| !g.active && g.role.issues()) => Reach::ActivateFirst,
            None => Reach::Nothing,
        };
        PageScope { grants, reach }
    }

    /// The units whose members the page offers; `None` for the whole tenant (or nothing to
    /// offer at all: see [`PageScope::reach`]).
    pub fn unit_ids(&self) -> Option<&[String]> {
        match &self.reach {
            Reach::Units(u) => Some(u),
            _ => None,
        }
    }

    /// The eligible issuing grants (to say "activate it in PIM first").
    pub fn eligible(&self) -> Vec<&Grant> {
        self.grants
            .iter()
            .filter(|g| !g.active && g.role.issues())
            .collect()
    }

    fn describe(g: &Grant, unit_name: &dyn Fn(&str) -> Option<String>) -> String {
        match &g.scope {
            Scope::Tenant => g.role.name(),
            Scope::Unit(u) => format!(
                "{} for {}",
                g.role.name(),
                unit_name(u).unwrap_or_else(|| "an administrative unit".into())
            ),
        }
    }

    /// The account bar's line: "Authentication Administrator for: Berlin office, Munich
    /// office" for a unit-scoped admin (one line per role); `None` for a tenant-wide one.
    pub fn account_line(&self, unit_name: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let Reach::Units(_) = &self.reach else {
            return None;
        };
        let mut by_role: Vec<(String, Vec<String>)> = vec![];
        for g in self.grants.iter().filter(|g| g.active && g.role.issues()) {
            let Scope::Unit(u) = &g.scope else { continue };
            let unit = unit_name(u).unwrap_or_else(|| "an administrative unit".into());
            match by_role.iter_mut().find(|(r, _)| *r == g.role.name()) {
                Some((_, units)) => units.push(unit),
                None => by_role.push((g.role.name(), vec![unit])),
            }
        }
        Some(
            by_role
                .iter()
                .map(|(role, units)| format!("{role} for: {}", units.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    /// The PIM hint when the admin holds eligible issuing roles: "Eligible, not active: …".
    pub fn pim_hint(&self, unit_name: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let eligible = self.eligible();
        if eligible.is_empty() {
            return None;
        }
        let names: Vec<String> = eligible
            .iter()
            .map(|g| Self::describe(g, unit_name))
            .collect();
        Some(format!(
            "Eligible, not active: {}. Activate it in Privileged Identity Management, then sign in again to use it.",
            names.join(", ")
        ))
    }

    fn active_unit_grants(&self) -> impl Iterator<Item = (&Role, &str)> {
        self.grants.iter().filter_map(|g| match &g.scope {
            Scope::Unit(u) if g.active && g.role.issues() => Some((&g.role, u.as_str())),
            _ => None,
        })
    }

    /// Whether the admin may serve `target` (a pass or a badge), and if not, why.
    pub fn verdict(&self, target: &Target<'_>) -> Verdict {
        let name = target.name;
        // Restricted-management units first: they stop even a Global Administrator.
        if let Some(units) = target.units {
            let restricted: Vec<&AdministrativeUnit> = units
                .iter()
                .filter(|u| u.is_member_management_restricted == Some(true))
                .collect();
            if !restricted.is_empty() {
                let scoped_here = self
                    .active_unit_grants()
                    .find(|(_, u)| restricted.iter().any(|r| r.id.eq_ignore_ascii_case(u)));
                return match scoped_here {
                    Some((role, _)) => self.unit_member_verdict(role, target),
                    None => Verdict::OutOfReach(OutOfReach::Restricted(
                        restricted
                            .iter()
                            .map(|u| {
                                u.display_name
                                    .clone()
                                    .unwrap_or_else(|| "(unnamed unit)".into())
                            })
                            .collect(),
                    )),
                };
            }
        }
        match &self.reach {
            Reach::Tenant(Role::Global | Role::PrivilegedAuthentication) => {
                self.unknown_units(target).unwrap_or(Verdict::Serve)
            }
            Reach::Tenant(_) => {
                let Some(roles) = target.roles else {
                    return Verdict::Uncertain(format!(
                        "{name}'s admin roles could not be read, so this page cannot tell whether you may serve them: Graph decides."
                    ));
                };
                let beyond = roles.beyond_authentication_administrator();
                if !beyond.is_empty() {
                    return Verdict::OutOfReach(OutOfReach::BeyondAuthenticationAdministrator(
                        beyond,
                    ));
                }
                self.unknown_units(target).unwrap_or(Verdict::Serve)
            }
            Reach::Units(ids) => {
                let Some(units) = target.units else {
                    return Verdict::Uncertain(format!(
                        "{name}'s administrative units could not be read, so this page cannot tell whether they are in yours: Graph decides."
                    ));
                };
                let mine = self.active_unit_grants().find(|(_, u)| {
                    units.iter().any(|t| t.id.eq_ignore_ascii_case(u))
                        && ids.iter().any(|i| i.eq_ignore_ascii_case(u))
                });
                match mine {
                    None => Verdict::OutOfReach(OutOfReach::OutsideUnits),
                    Some((role, _)) => self.unit_member_verdict(role, target),
                }
            }
            Reach::ActivateFirst => Verdict::OutOfReach(OutOfReach::ActivateFirst(
                self.eligible().iter().map(|g| g.role.name()).collect(),
            )),
            Reach::Nothing => {
                if self
                    .grants
                    .iter()
                    .any(|g| g.active && g.role == Role::Helpdesk)
                {
                    Verdict::OutOfReach(OutOfReach::CannotIssue(Role::Helpdesk.name()))
                } else {
                    Verdict::OutOfReach(OutOfReach::NoRole)
                }
            }
        }
    }

    /// A tenant-wide admin whose target's units were not read: restricted membership unknown.
    fn unknown_units(&self, target: &Target<'_>) -> Option<Verdict> {
        target.units.is_none().then(|| {
            Verdict::Uncertain(format!(
                "{}'s administrative units could not be read, so this page cannot tell whether a restricted unit protects them: Graph decides.",
                target.name
            ))
        })
    }

    /// A member of one of the admin's units, served through a unit-scoped `role`: only
    /// without any admin role.
    fn unit_member_verdict(&self, role: &Role, target: &Target<'_>) -> Verdict {
        let name = target.name;
        let Some(roles) = target.roles else {
            return Verdict::Uncertain(format!(
                "{name}'s admin roles could not be read, and a role scoped to an administrative unit serves only members without one: Graph decides."
            ));
        };
        if !roles.is_empty() {
            return Verdict::OutOfReach(OutOfReach::AdminInUnit(roles.labels()));
        }
        if *role == Role::Unknown {
            return Verdict::Uncertain(format!(
                "Your role for {name}'s administrative unit could not be named, so this page cannot tell whether it issues passes: Graph decides."
            ));
        }
        Verdict::Serve
    }
}

/// The permissions reading the admin's scope needs: their role instances (active and eligible)
/// and their units' names and members.
pub const PERMISSIONS: &[&str] = &[
    crate::permission::ROLES_READ.name,
    crate::permission::UNITS_READ.name,
];

/// What the page does about the admin's scope right after sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The ID token's `wids` already lists a tenant-wide issuing role: the page is the tenant,
    /// as before issue 16, and nothing more is read (a tenant-wide role wins over any unit
    /// scope in [`PageScope::decide`], so reading the role instances could not change it).
    Proven,
    /// Read the role instances now: the token holds the permissions.
    Read,
    /// Offer to read them: the permissions need the admin's consent first (asked on a click,
    /// never by a redirect the admin did not ask for).
    Consent,
}

/// Decides whether the page reads the admin's role instances: `wids` (`None`: the claim is
/// absent, roles unknown) and whether the token may read them (`may_read`).
pub fn plan(wids: Option<&[String]>, may_read: bool) -> Plan {
    let proven = wids.is_some_and(|w| {
        w.iter()
            .any(|id| Role::from_template(id).issues() && Role::from_template(id).rank() > 0)
    });
    if proven {
        Plan::Proven
    } else if may_read {
        Plan::Read
    } else {
        Plan::Consent
    }
}

/// What the page knows of the admin's scope.
#[derive(Clone, Debug, PartialEq)]
pub enum Known {
    /// The token proves a tenant-wide issuing role ([`Plan::Proven`]): the page as before.
    Tenant,
    /// Not read: the permissions need consent ([`Plan::Consent`]).
    NeedsConsent,
    /// Being read.
    Reading,
    /// Read: the scope and the units named in it (active and eligible).
    Read {
        /// The scope.
        scope: PageScope,
        /// The units the grants name, as read (a unit that could not be read is left out).
        units: Vec<AdministrativeUnit>,
    },
    /// Reading failed: the sentence; the page then blocks nothing (Graph decides).
    Failed(String),
}

impl Known {
    /// The scope when read.
    pub fn scope(&self) -> Option<&PageScope> {
        match self {
            Known::Read { scope, .. } => Some(scope),
            _ => None,
        }
    }

    /// A unit's name, as read.
    pub fn unit_name(&self, id: &str) -> Option<String> {
        match self {
            Known::Read { units, .. } => units
                .iter()
                .find(|u| u.id.eq_ignore_ascii_case(id))
                .and_then(|u| u.display_name.clone()),
            _ => None,
        }
    }

    /// The units whose members the page offers, when every issuing role is unit-scoped.
    pub fn unit_ids(&self) -> Option<Vec<String>> {
        self.scope()
            .and_then(PageScope::unit_ids)
            .map(<[String]>::to_vec)
    }

    /// The account band's line ("Authentication Administrator for: Berlin office, …").
    pub fn account_line(&self) -> Option<String> {
        self.scope()?.account_line(&|id| self.unit_name(id))
    }

    /// The PIM hint when an issuing role is only eligible.
    pub fn pim_hint(&self) -> Option<String> {
        self.scope()?.pim_hint(&|id| self.unit_name(id))
    }

    /// What the admin may do: a unit scope serves non-admin members (the token's `wids` lists
    /// no such role); otherwise what the token says (`from_token`).
    pub fn capability(
        &self,
        from_token: crate::messages::Capability,
    ) -> crate::messages::Capability {
        match self.scope().map(|s| &s.reach) {
            Some(Reach::Units(_)) => crate::messages::Capability::NonAdmins,
            _ => from_token,
        }
    }

    /// Why the admin may not serve anyone (only eligible roles, or none that issues), once the
    /// scope is read; `None` otherwise.
    pub fn role_refusal(&self) -> Option<String> {
        let s = self.scope()?;
        if !matches!(s.reach, Reach::ActivateFirst | Reach::Nothing) {
            return None;
        }
        match s.verdict(&Target {
            name: "",
            units: Some(&[]),
            roles: None,
        }) {
            Verdict::OutOfReach(r) => Some(r.sentence("")),
            _ => None,
        }
    }

    /// Why the admin may not serve this target, before any write; `None` when the page serves
    /// the whole tenant as before, or cannot tell (Graph decides).
    pub fn refusal(&self, target: &Target<'_>) -> Option<String> {
        let scope = self.scope()?;
        if matches!(scope.reach, Reach::Tenant(_)) {
            return None;
        }
        match scope.verdict(target) {
            Verdict::OutOfReach(r) => Some(r.sentence(target.name)),
            Verdict::Serve | Verdict::Uncertain(_) => None,
        }
    }
}

/// The unit ids whose names the account band shows: every unit a grant names, active or
/// eligible, once.
pub fn units_to_name(grants: &[Grant]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for g in grants {
        if let Scope::Unit(u) = &g.scope {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(u)) {
                out.push(u.clone());
            }
        }
    }
    out
}

impl PageScope {
    /// The grants this scope was decided from.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }
}

/// One search over the admin's units: each unit's matches merged, once per user, by name,
/// at most `top`.
pub fn merge_unit_results(
    lists: Vec<Vec<crate::graph::models::User>>,
    top: usize,
) -> Vec<crate::graph::models::User> {
    let mut out: Vec<crate::graph::models::User> = vec![];
    for u in lists.into_iter().flatten() {
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u);
        }
    }
    out.sort_by_key(|u| u.name().to_lowercase());
    out.truncate(top);
    out
}

/// The `users` who are among `members` (by object id): a group's members within the admin's
/// units.
pub fn among(
    users: Vec<crate::graph::models::User>,
    members: &[crate::graph::models::User],
) -> Vec<crate::graph::models::User> {
    users
        .into_iter()
        .filter(|u| members.iter().any(|m| m.id.eq_ignore_ascii_case(&u.id)))
        .collect()
}

/// True if and only if one of `units` (a target's units) is among the admin's `mine`.
pub fn in_units(units: &[AdministrativeUnit], mine: &[String]) -> bool {
    units
        .iter()
        .any(|u| mine.iter().any(|m| m.eq_ignore_ascii_case(&u.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::DirectoryRole;

    const BERLIN: &str = "au-berlin";
    const MUNICH: &str = "au-munich";
    const EXEC: &str = "au-exec";
    const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
    const PASSWORD_ADMIN: &str = "966707d0-3269-4727-9be2-8c3a10f19b9d";

    fn unit(id: &str, restricted: bool) -> AdministrativeUnit {
        AdministrativeUnit {
            id: id.into(),
            display_name: Some(
                match id {
                    BERLIN => "Berlin office",
                    MUNICH => "Munich office",
                    EXEC => "Executive office",
                    _ => "Other",
                }
                .into(),
            ),
            is_member_management_restricted: Some(restricted),
        }
    }

    fn roles(ids: &[&str]) -> TargetRoles {
        TargetRoles::from_graph(
            ids.iter()
                .map(|t| DirectoryRole {
                    id: format!("obj-{t}"),
                    display_name: None,
                    role_template_id: Some((*t).into()),
                })
                .collect(),
        )
    }

    fn tenant(role: &str) -> PageScope {
        PageScope::decide(vec![Grant {
            role: Role::from_template(role),
            scope: Scope::Tenant,
            active: true,
        }])
    }

    fn scoped(role: &str, units: &[&str]) -> PageScope {
        PageScope::decide(
            units
                .iter()
                .map(|u| Grant {
                    role: Role::from_template(role),
                    scope: Scope::Unit((*u).into()),
                    active: true,
                })
                .collect(),
        )
    }

    fn verdict(s: &PageScope, units: &[AdministrativeUnit], r: &TargetRoles) -> Verdict {
        s.verdict(&Target {
            name: "Zoë",
            units: Some(units),
            roles: Some(r),
        })
    }

    #[test]
    fn directory_scope_ids_are_read_as_tenant_unit_or_ignored() {
        assert_eq!(Scope::parse(Some("/")), Some(Scope::Tenant));
        assert_eq!(Scope::parse(None), Some(Scope::Tenant));
        assert_eq!(
            Scope::parse(Some("/administrativeUnits/Ab-1")),
            Some(Scope::Unit("Ab-1".into()))
        );
        assert_eq!(Scope::parse(Some("/0f9e-app-object")), None);
        assert_eq!(Scope::parse(Some("/administrativeUnits/")), None);
    }

    #[test]
    fn tenant_wide_global_and_privileged_authentication_administrators_serve_anyone_outside_restricted_units(
    ) {
        for role in [
            GLOBAL_ADMINISTRATOR,
            PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        ] {
            let s = tenant(role);
            assert_eq!(s.unit_ids(), None);
            assert_eq!(
                s.account_line(&|_| None),
                None,
                "tenant-wide: unchanged bar"
            );
            assert_eq!(verdict(&s, &[], &roles(&[])), Verdict::Serve);
            assert_eq!(
                verdict(&s, &[unit(MUNICH, false)], &roles(&[USER_ADMIN])),
                Verdict::Serve
            );
            assert_eq!(
                verdict(&s, &[unit(MUNICH, false), unit(EXEC, true)], &roles(&[])),
                Verdict::OutOfReach(OutOfReach::Restricted(vec!["Executive office".into()]))
            );
        }
    }

    #[test]
    fn a_tenant_wide_authentication_administrator_serves_lesser_roles_only() {
        let s = tenant(AUTHENTICATION_ADMINISTRATOR);
        assert_eq!(s.reach, Reach::Tenant(Role::Authentication));
        assert_eq!(verdict(&s, &[], &roles(&[])), Verdict::Serve);
        assert_eq!(verdict(&s, &[], &roles(&[PASSWORD_ADMIN])), Verdict::Serve);
        assert_eq!(
            verdict(&s, &[], &roles(&[USER_ADMIN])),
            Verdict::OutOfReach(OutOfReach::BeyondAuthenticationAdministrator(vec![
                "User Administrator".into()
            ]))
        );
        assert!(matches!(
            verdict(&s, &[unit(EXEC, true)], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::Restricted(_))
        ));
        let unknown = s.verdict(&Target {
            name: "Zoë",
            units: Some(&[]),
            roles: None,
        });
        assert!(matches!(unknown, Verdict::Uncertain(_)), "{unknown:?}");
    }

    #[test]
    fn a_unit_scoped_authentication_administrator_serves_non_admin_members_of_their_units_only() {
        let s = scoped(AUTHENTICATION_ADMINISTRATOR, &[BERLIN, MUNICH]);
        assert_eq!(
            s.unit_ids(),
            Some(&[BERLIN.to_owned(), MUNICH.to_owned()][..])
        );
        let names = |id: &str| match id {
            BERLIN => Some("Berlin office".to_owned()),
            MUNICH => Some("Munich office".to_owned()),
            _ => None,
        };
        assert_eq!(
            s.account_line(&names).as_deref(),
            Some("Authentication Administrator for: Berlin office, Munich office")
        );
        assert_eq!(
            verdict(&s, &[unit(BERLIN, false)], &roles(&[])),
            Verdict::Serve
        );
        assert_eq!(
            verdict(&s, &[unit("au-other", false)], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::OutsideUnits)
        );
        assert_eq!(
            verdict(&s, &[], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::OutsideUnits)
        );
        // Any admin role puts a unit member out of reach, a lesser one too (stricter than the
        // tenant-wide matrix).
        for r in [USER_ADMIN, DIRECTORY_READERS] {
            assert!(matches!(
                verdict(&s, &[unit(MUNICH, false)], &roles(&[r])),
                Verdict::OutOfReach(OutOfReach::AdminInUnit(_))
            ));
        }
        // A member of Munich who is also in the restricted unit: refused with that reason.
        let v = verdict(&s, &[unit(MUNICH, false), unit(EXEC, true)], &roles(&[]));
        assert_eq!(
            v,
            Verdict::OutOfReach(OutOfReach::Restricted(vec!["Executive office".into()]))
        );
        if let Verdict::OutOfReach(r) = v {
            assert!(r
                .sentence("Miriam")
                .contains("not even a Global Administrator"));
        }
        // Units not read: Graph decides.
        let v = s.verdict(&Target {
            name: "Zoë",
            units: None,
            roles: Some(&roles(&[])),
        });
        assert!(matches!(v, Verdict::Uncertain(_)));
    }

    #[test]
    fn an_admin_scoped_to_the_restricted_unit_serves_its_non_admin_members() {
        let s = scoped(AUTHENTICATION_ADMINISTRATOR, &[EXEC]);
        assert_eq!(
            verdict(&s, &[unit(EXEC, true)], &roles(&[])),
            Verdict::Serve
        );
        assert!(matches!(
            verdict(&s, &[unit(EXEC, true)], &roles(&[GLOBAL_ADMINISTRATOR])),
            Verdict::OutOfReach(OutOfReach::AdminInUnit(_))
        ));
    }

    #[test]
    fn a_unit_scoped_privileged_authentication_administrator_still_stops_at_admin_members() {
        let s = scoped(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, &[MUNICH]);
        assert_eq!(
            verdict(&s, &[unit(MUNICH, false)], &roles(&[])),
            Verdict::Serve
        );
        assert!(matches!(
            verdict(&s, &[unit(MUNICH, false)], &roles(&[USER_ADMIN])),
            Verdict::OutOfReach(OutOfReach::AdminInUnit(_))
        ));
    }

    #[test]
    fn a_helpdesk_administrator_never_issues_even_in_their_unit() {
        for s in [
            scoped(HELPDESK_ADMINISTRATOR, &[BERLIN]),
            tenant(HELPDESK_ADMINISTRATOR),
        ] {
            assert_eq!(s.reach, Reach::Nothing);
            let v = verdict(&s, &[unit(BERLIN, false)], &roles(&[]));
            assert_eq!(
                v,
                Verdict::OutOfReach(OutOfReach::CannotIssue("Helpdesk Administrator".into()))
            );
        }
        assert_eq!(
            verdict(&PageScope::decide(vec![]), &[], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::NoRole)
        );
    }

    #[test]
    fn an_eligible_role_is_explained_until_activated() {
        let grants = grants_from_instances(
            &[],
            &[RoleInstance {
                role_definition_id: AUTHENTICATION_ADMINISTRATOR.into(),
                directory_scope_id: Some(format!("/administrativeUnits/{BERLIN}")),
            }],
        );
        let s = PageScope::decide(grants);
        assert_eq!(s.reach, Reach::ActivateFirst);
        let v = verdict(&s, &[unit(BERLIN, false)], &roles(&[]));
        let Verdict::OutOfReach(r @ OutOfReach::ActivateFirst(_)) = v else {
            panic!("{v:?}")
        };
        assert!(r
            .sentence("Zoë")
            .contains("activate it in Privileged Identity Management"));
        let hint = s.pim_hint(&|_| Some("Berlin office".into())).expect("hint");
        assert!(
            hint.contains("Authentication Administrator for Berlin office"),
            "{hint}"
        );
        // Active unit roles plus an eligible one: the units are offered, the hint stays.
        let grants = grants_from_instances(
            &[RoleInstance {
                role_definition_id: AUTHENTICATION_ADMINISTRATOR.into(),
                directory_scope_id: Some(format!("/administrativeUnits/{MUNICH}")),
            }],
            &[RoleInstance {
                role_definition_id: AUTHENTICATION_ADMINISTRATOR.into(),
                directory_scope_id: Some(format!("/administrativeUnits/{BERLIN}")),
            }],
        );
        let s = PageScope::decide(grants);
        assert_eq!(s.unit_ids(), Some(&[MUNICH.to_owned()][..]));
        assert_eq!(
            verdict(&s, &[unit(BERLIN, false)], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::OutsideUnits)
        );
        assert!(s.pim_hint(&|_| None).is_some());
    }

    #[test]
    fn a_tenant_wide_role_wins_over_unit_scoped_ones() {
        let mut grants = grants_from_instances(
            &[
                RoleInstance {
                    role_definition_id: AUTHENTICATION_ADMINISTRATOR.into(),
                    directory_scope_id: Some("/".into()),
                },
                RoleInstance {
                    role_definition_id: PRIVILEGED_AUTHENTICATION_ADMINISTRATOR.into(),
                    directory_scope_id: Some(format!("/administrativeUnits/{BERLIN}")),
                },
            ],
            &[],
        );
        grants.push(Grant {
            role: Role::Other(USER_ADMIN.into()),
            scope: Scope::Tenant,
            active: true,
        });
        let s = PageScope::decide(grants);
        assert_eq!(s.reach, Reach::Tenant(Role::Authentication));
        assert_eq!(s.unit_ids(), None);
    }

    #[test]
    fn the_fallback_knows_units_but_not_the_role_so_graph_decides() {
        let grants = grants_from_fallback(
            &[],
            &[ScopedRoleMembership {
                role_id: "directory-role-object".into(),
                administrative_unit_id: BERLIN.into(),
            }],
        );
        let s = PageScope::decide(grants);
        assert_eq!(s.unit_ids(), Some(&[BERLIN.to_owned()][..]));
        assert!(matches!(
            verdict(&s, &[unit(BERLIN, false)], &roles(&[])),
            Verdict::Uncertain(_)
        ));
        assert_eq!(
            verdict(&s, &[unit(MUNICH, false)], &roles(&[])),
            Verdict::OutOfReach(OutOfReach::OutsideUnits)
        );
        let tenant = PageScope::decide(grants_from_fallback(&[GLOBAL_ADMINISTRATOR.into()], &[]));
        assert_eq!(tenant.reach, Reach::Tenant(Role::Global));
    }

    #[test]
    fn a_tenant_wide_issuing_role_in_wids_needs_no_read_and_anything_else_reads_or_asks() {
        for role in [
            GLOBAL_ADMINISTRATOR,
            PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
            AUTHENTICATION_ADMINISTRATOR,
        ] {
            let wids = vec![DIRECTORY_READERS.to_owned(), role.to_owned()];
            assert_eq!(plan(Some(&wids), true), Plan::Proven, "{role}");
            assert_eq!(plan(Some(&wids), false), Plan::Proven, "{role}");
        }
        let helpdesk = vec![HELPDESK_ADMINISTRATOR.to_owned()];
        assert_eq!(plan(Some(&helpdesk), true), Plan::Read);
        assert_eq!(plan(Some(&[]), false), Plan::Consent);
        assert_eq!(plan(None, false), Plan::Consent, "no wids: roles unknown");
        assert_eq!(plan(None, true), Plan::Read);
    }

    #[test]
    fn what_the_page_knows_gives_the_band_the_capability_and_the_refusals() {
        use crate::messages::Capability;
        let s = scoped(AUTHENTICATION_ADMINISTRATOR, &[BERLIN, MUNICH]);
        let k = Known::Read {
            scope: s,
            units: vec![unit(BERLIN, false), unit(MUNICH, false)],
        };
        assert_eq!(
            k.account_line().as_deref(),
            Some("Authentication Administrator for: Berlin office, Munich office")
        );
        assert_eq!(k.capability(Capability::None), Capability::NonAdmins);
        assert_eq!(k.role_refusal(), None);
        let none = roles(&[]);
        let outside = [unit("au-other", false)];
        let target = Target {
            name: "Pradeep",
            units: Some(&outside),
            roles: Some(&none),
        };
        assert!(k
            .refusal(&target)
            .is_some_and(|r| r.starts_with("Pradeep is not in any administrative unit")));
        let inside = [unit(BERLIN, false)];
        assert_eq!(
            k.refusal(&Target {
                units: Some(&inside),
                ..target
            }),
            None
        );
        // Units not read: Graph decides, nothing refused.
        assert_eq!(
            k.refusal(&Target {
                units: None,
                ..target
            }),
            None
        );
        // Tenant-wide: the page as before (a restricted unit is left to Graph).
        let t = Known::Read {
            scope: tenant(GLOBAL_ADMINISTRATOR),
            units: vec![],
        };
        let exec = [unit(EXEC, true)];
        assert_eq!(
            t.refusal(&Target {
                units: Some(&exec),
                ..target
            }),
            None
        );
        assert_eq!(
            Known::Tenant.capability(Capability::Everyone),
            Capability::Everyone
        );
        // Only eligible: the form says to activate it.
        let e = Known::Read {
            scope: PageScope::decide(grants_from_instances(
                &[],
                &[RoleInstance {
                    role_definition_id: AUTHENTICATION_ADMINISTRATOR.into(),
                    directory_scope_id: Some(format!("/administrativeUnits/{BERLIN}")),
                }],
            )),
            units: vec![unit(BERLIN, false)],
        };
        assert!(e
            .role_refusal()
            .is_some_and(|r| r.contains("eligible but not active")));
        assert!(e
            .pim_hint()
            .is_some_and(|h| h.contains("Authentication Administrator for Berlin office")));
        assert_eq!(e.account_line(), None);
    }

    #[test]
    fn unit_search_results_are_merged_once_by_name() {
        let user = |id: &str, name: &str| crate::graph::models::User {
            id: id.into(),
            display_name: Some(name.into()),
            ..Default::default()
        };
        let merged = merge_unit_results(
            vec![
                vec![user("2", "Miriam Graham"), user("1", "Alex Wilber")],
                vec![user("2", "Miriam Graham"), user("3", "Isaiah Langer")],
            ],
            2,
        );
        let names: Vec<&str> = merged.iter().map(|u| u.name()).collect();
        assert_eq!(names, ["Alex Wilber", "Isaiah Langer"]);
        assert!(in_units(&[unit(MUNICH, false)], &[MUNICH.to_uppercase()]));
        let kept = among(
            vec![user("1", "Alex Wilber"), user("9", "Pradeep Gupta")],
            &merged,
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].id, "1");
        assert!(!in_units(&[], &[MUNICH.into()]));
    }
}
