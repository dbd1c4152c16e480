//! Issue 16's directory reads and the scope rule every method write shares:
//! `GET /directory/administrativeUnits[/{id}[/members[/microsoft.graph.user]]]` (members with
//! `$search` on `displayName`),
//! `GET /me|/users/{id}/memberOf/microsoft.graph.administrativeUnit`,
//! `GET /me|/users/{id}/scopedRoleMemberOf`, `GET /roleManagement/directory/roleAssignments`,
//! and the PIM schedule instances `filterByCurrentUser(on='principal')` (active and eligible).
//!
//! [`may_change_methods`] decides who may change a user's authentication methods: Learn
//! ("Assign Microsoft Entra roles", roles with administrative unit scope) limits a unit-scoped
//! Authentication Administrator to non-admin members of its units, and Learn ("Restricted
//! management administrative units") lets nobody but administrators scoped to a restricted
//! unit change its members, a Global Administrator included.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::member_of::{require_advanced_query, resolve};
use super::paging;
use super::query::Search;
use super::response::{ok, Ctx, GResult, GraphError};
use super::{users, Target};
use crate::model::{roles, User};
use crate::seed;
use crate::state::AppState;
use crate::units::{AdministrativeUnit, RoleGrant, METHOD_ROLES};

/// Permissions that read administrative units and their members ("List administrativeUnits",
/// "List members": `AdministrativeUnit.Read.All` least privileged, `Directory.Read.All` and the
/// write forms higher).
const UNIT_READ_SCOPES: &[&str] = &[
    "AdministrativeUnit.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Permissions that read another user's unit memberships (`memberOf`): the user and directory
/// permissions of "List a user's memberships", plus the unit permission.
const MEMBERSHIP_SCOPES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "AdministrativeUnit.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Permissions for `scopedRoleMemberOf` (Graph reference "List scopedAdministratorOf": delegated
/// `Directory.Read.All` least privileged, `Directory.ReadWrite.All` higher, for `/me` too).
const SCOPED_ROLE_SCOPES: &[&str] = &["Directory.Read.All", "Directory.ReadWrite.All"];
/// "List unifiedRoleAssignments": `RoleManagement.Read.Directory` least privileged.
const ASSIGNMENT_SCOPES: &[&str] = &[
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// "unifiedRoleAssignmentScheduleInstance: filterByCurrentUser".
const ACTIVE_SCHEDULE_SCOPES: &[&str] = &[
    "RoleAssignmentSchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
];
/// "unifiedRoleEligibilityScheduleInstance: filterByCurrentUser".
const ELIGIBLE_SCHEDULE_SCOPES: &[&str] = &[
    "RoleEligibilitySchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
];

/// The message Learn shows when an administrator not scoped to a restricted-management unit
/// tries to change one of its members.
pub const RESTRICTED_MESSAGE: &str = "This user is a member of a restricted management administrative unit. Management rights are limited to administrators scoped on that administrative unit.";

fn unit_not_found(id: &str) -> GraphError {
    GraphError::new(
        axum::http::StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

/// An administrative unit as Graph v1.0 JSON.
pub fn unit_json(u: &AdministrativeUnit, typed: bool) -> Value {
    let mut m = Map::new();
    if typed {
        m.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.administrativeUnit"),
        );
    }
    m.insert("id".into(), json!(u.id));
    m.insert("deletedDateTime".into(), Value::Null);
    m.insert("displayName".into(), json!(u.display_name));
    m.insert("description".into(), json!(u.description));
    m.insert(
        "isMemberManagementRestricted".into(),
        json!(u.is_member_management_restricted),
    );
    m.insert("membershipType".into(), json!(u.membership_type));
    m.insert("membershipRule".into(), json!(u.membership_rule));
    m.insert(
        "membershipRuleProcessingState".into(),
        json!(u.membership_rule.as_ref().map(|_| "On")),
    );
    m.insert("visibility".into(), Value::Null);
    Value::Object(m)
}

/// `GET /directory/administrativeUnits`: every unit, by name.
pub fn list(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    if !caller.has_scope(UNIT_READ_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    let mut units = ctx.st.lock().tenant.units.units.clone();
    units.sort_by_key(|u| u.display_name.to_lowercase());
    ok(json!({
        "@odata.context": format!("{}/$metadata#directory/administrativeUnits", ctx.base()),
        "value": units.iter().map(|u| unit_json(u, false)).collect::<Vec<_>>(),
    }))
}

/// `GET /directory/administrativeUnits/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, id: &str) -> GResult {
    if !caller.has_scope(UNIT_READ_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    let unit = ctx.st.lock().tenant.units.find(id).cloned();
    let unit = unit.ok_or_else(|| unit_not_found(id))?;
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#directory/administrativeUnits/$entity",
            ctx.base()
        )),
    );
    if let Value::Object(mut u) = unit_json(&unit, false) {
        m.append(&mut u);
    }
    ok(Value::Object(m))
}

/// `GET /directory/administrativeUnits/{id}/members[/microsoft.graph.user]`: member users by
/// display name, paged (`$top` 1..999, default 100). The cast is an advanced query.
pub fn members(ctx: &Ctx<'_>, caller: &Caller, id: &str, users_only: bool) -> GResult {
    if !caller.has_scope(UNIT_READ_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    if users_only {
        require_advanced_query(ctx)?;
    }
    paging::check_options(ctx, &["$select", "$top", "$skiptoken", "$count", "$search"])?;
    // "List members": `$search` on `displayName` (and `description`, which users lack), as an
    // advanced query.
    let search = match ctx.param("$search") {
        None => None,
        Some(_) if !ctx.eventual() => {
            return Err(GraphError::bad_request("Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"));
        }
        Some(s) => Some(
            Search::parse_for(s, &["displayName", "description"])
                .map_err(|e| GraphError::bad_request("BadRequest", e.0))?,
        ),
    };
    let (unit, mut people) = {
        let inner = ctx.st.lock();
        let t = &inner.tenant;
        let unit = t
            .units
            .find(id)
            .cloned()
            .ok_or_else(|| unit_not_found(id))?;
        let people: Vec<User> = unit
            .members
            .iter()
            .filter_map(|m| t.find_user(m).cloned())
            .filter(|u| {
                search.as_ref().is_none_or(|s| {
                    s.matches_by(|p| (p == "displayName").then(|| u.display_name.clone()))
                })
            })
            .collect();
        (unit, people)
    };
    people.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    let props = match ctx.select(users::ALL_PROPS, "microsoft.graph.user")? {
        Some(p) => p,
        None if ctx.version == "beta" => users::ALL_PROPS.to_vec(),
        None => users::DEFAULT_PROPS_V1.to_vec(),
    };
    let all: Vec<Value> = people
        .iter()
        .map(|u| {
            let mut m = Map::new();
            m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            if let Value::Object(mut p) = users::project(u, &props) {
                m.append(&mut p);
            }
            Value::Object(m)
        })
        .collect();
    let (top, skip) = (paging::top(ctx)?, paging::skip(ctx)?);
    let (page, more) = paging::page(&all, skip, top);
    let cast = if users_only {
        "/microsoft.graph.user"
    } else {
        ""
    };
    let path = format!("/directory/administrativeUnits/{}/members{cast}", unit.id);
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#{}",
            ctx.base(),
            if users_only {
                "users"
            } else {
                "directoryObjects"
            }
        )),
    );
    if ctx
        .param("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        body.insert("@odata.count".into(), json!(all.len()));
    }
    if let Some(offset) = more {
        body.insert(
            "@odata.nextLink".into(),
            json!(paging::next_link(ctx, &path, offset)),
        );
    }
    body.insert("value".into(), Value::Array(page));
    ok(Value::Object(body))
}

/// `GET .../memberOf/microsoft.graph.administrativeUnit` (an advanced query like every cast).
pub fn member_of(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    require_advanced_query(ctx)?;
    let user = resolve(ctx, caller, t, MEMBERSHIP_SCOPES)?;
    let mut units: Vec<AdministrativeUnit> = ctx
        .st
        .lock()
        .tenant
        .units
        .units_of(&user.id)
        .into_iter()
        .cloned()
        .collect();
    units.sort_by_key(|u| u.display_name.to_lowercase());
    let value: Vec<Value> = units.iter().map(|u| unit_json(u, true)).collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#administrativeUnits", ctx.base())),
    );
    body.insert("@odata.count".into(), json!(value.len()));
    body.insert("value".into(), Value::Array(value));
    ok(Value::Object(body))
}

/// `GET .../scopedRoleMemberOf`: the user's active unit-scoped roles as `scopedRoleMembership`
/// (`roleId` is the activated directory role's object id). `Directory.Read.All` even for `/me`.
pub fn scoped_role_member_of(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    if !caller.has_scope(SCOPED_ROLE_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    let user = resolve(ctx, caller, t, SCOPED_ROLE_SCOPES)?;
    let grants: Vec<RoleGrant> = ctx
        .st
        .lock()
        .tenant
        .units
        .active_scoped(&user.id)
        .into_iter()
        .cloned()
        .collect();
    let value: Vec<Value> = grants
        .iter()
        .map(|g| {
            json!({
                "id": g.id,
                "roleId": seed::stable_id(&format!("directoryRole/{}", g.role_definition_id)),
                "administrativeUnitId": g.unit_id(),
                "roleMemberInfo": {
                    "id": user.id,
                    "displayName": user.display_name,
                    "userPrincipalName": user.user_principal_name,
                },
            })
        })
        .collect();
    ok(json!({
        "@odata.context": format!("{}/$metadata#scopedRoleMemberships", ctx.base()),
        "value": value,
    }))
}

/// A user's active assignments: tenant-wide roles (directory scope `/`) then unit-scoped ones.
fn active_assignments(st: &AppState, user: &User) -> Vec<RoleGrant> {
    let mut out: Vec<RoleGrant> = user
        .roles
        .iter()
        .map(|r| RoleGrant {
            id: seed::stable_id(&format!("assignment/{}/{r}", user.id)),
            principal_id: user.id.clone(),
            role_definition_id: r.clone(),
            directory_scope_id: "/".into(),
            eligible: false,
        })
        .collect();
    out.extend(
        st.lock()
            .tenant
            .units
            .active_scoped(&user.id)
            .into_iter()
            .cloned(),
    );
    out
}

fn assignment_json(g: &RoleGrant) -> Value {
    json!({
        "id": g.id,
        "principalId": g.principal_id,
        "roleDefinitionId": g.role_definition_id,
        "directoryScopeId": g.directory_scope_id,
        "appScopeId": null,
    })
}

/// `GET /roleManagement/directory/roleAssignments`: active assignments, tenant-wide and
/// unit-scoped. `$filter` takes `and`-joined `principalId|roleDefinitionId|directoryScopeId eq
/// '…'`; anything else is 400 `Request_UnsupportedQuery` [choice].
pub fn role_assignments(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    if !caller.has_scope(ASSIGNMENT_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    let mut clauses: Vec<(String, String)> = vec![];
    if let Some(f) = ctx.param("$filter") {
        for part in f.split(" and ") {
            let parsed = part.trim().split_once(" eq ").map(|(k, v)| {
                (
                    k.trim().to_string(),
                    v.trim().trim_matches('\'').to_string(),
                )
            });
            match parsed {
                Some((k, v))
                    if ["principalId", "roleDefinitionId", "directoryScopeId"]
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(&k)) =>
                {
                    clauses.push((k.to_ascii_lowercase(), v))
                }
                _ => {
                    return Err(GraphError::bad_request(
                        "Request_UnsupportedQuery",
                        format!("Unsupported filter clause '{}'.", part.trim()),
                    ))
                }
            }
        }
    }
    let people: Vec<User> = ctx.st.lock().tenant.users.clone();
    let mut all = vec![];
    for u in &people {
        if u.roles.is_empty() && !ctx.st.lock().tenant.units.has_scoped_role(&u.id) {
            continue;
        }
        all.extend(active_assignments(ctx.st, u));
    }
    let keep = |g: &RoleGrant| {
        clauses.iter().all(|(k, v)| {
            let field = match k.as_str() {
                "principalid" => &g.principal_id,
                "roledefinitionid" => &g.role_definition_id,
                _ => &g.directory_scope_id,
            };
            field.eq_ignore_ascii_case(v)
        })
    };
    let value: Vec<Value> = all
        .iter()
        .filter(|g| keep(g))
        .map(assignment_json)
        .collect();
    ok(json!({
        "@odata.context": format!("{}/$metadata#roleManagement/directory/roleAssignments", ctx.base()),
        "value": value,
    }))
}

/// Which schedule instances a `filterByCurrentUser` call lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `roleAssignmentScheduleInstances`: active assignments.
    Active,
    /// `roleEligibilityScheduleInstances`: eligible ones (PIM), not active until activated.
    Eligible,
}

/// The `on` value of `filterByCurrentUser(on='principal')`, if the segment is that function.
pub fn filter_by_current_user_on(segment: &str) -> Option<String> {
    let lower = segment.to_ascii_lowercase();
    let inner = lower
        .strip_prefix("filterbycurrentuser(")?
        .strip_suffix(')')?;
    let value = inner.strip_prefix("on=")?.trim();
    Some(value.trim_matches('\'').to_string())
}

/// `GET /roleManagement/directory/role{Assignment|Eligibility}ScheduleInstances/filterByCurrentUser(on='principal')`.
pub fn schedule_instances(ctx: &Ctx<'_>, caller: &Caller, which: Schedule, on: &str) -> GResult {
    let scopes = match which {
        Schedule::Active => ACTIVE_SCHEDULE_SCOPES,
        Schedule::Eligible => ELIGIBLE_SCHEDULE_SCOPES,
    };
    if !caller.has_scope(scopes) {
        return Err(GraphError::insufficient_privileges());
    }
    if ctx.st.lock().settings.pim_license_missing {
        return Err(GraphError::bad_request(
            "AadPremiumLicenseRequired",
            "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.",
        ));
    }
    if on != "principal" {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("The parameter 'on' has an invalid value '{on}'."),
        ));
    }
    let (grants, kind) = match which {
        Schedule::Active => (
            active_assignments(ctx.st, &caller.user),
            "unifiedRoleAssignmentScheduleInstance",
        ),
        Schedule::Eligible => (
            ctx.st
                .lock()
                .tenant
                .units
                .eligible(&caller.user.id)
                .into_iter()
                .cloned()
                .collect(),
            "unifiedRoleEligibilityScheduleInstance",
        ),
    };
    let value: Vec<Value> = grants
        .iter()
        .map(|g| {
            let mut m = Map::new();
            m.insert(
                "@odata.type".into(),
                json!(format!("#microsoft.graph.{kind}")),
            );
            m.insert("id".into(), json!(format!("{}-1", g.id)));
            m.insert("principalId".into(), json!(g.principal_id));
            m.insert("roleDefinitionId".into(), json!(g.role_definition_id));
            m.insert("directoryScopeId".into(), json!(g.directory_scope_id));
            m.insert("appScopeId".into(), Value::Null);
            m.insert("startDateTime".into(), Value::Null);
            m.insert("endDateTime".into(), Value::Null);
            m.insert("memberType".into(), json!("Direct"));
            match which {
                Schedule::Active => {
                    m.insert("assignmentType".into(), json!("Assigned"));
                    m.insert("roleAssignmentOriginId".into(), json!(g.id));
                    m.insert("roleAssignmentScheduleId".into(), json!(g.id));
                }
                Schedule::Eligible => {
                    m.insert("roleEligibilityScheduleId".into(), json!(g.id));
                }
            }
            Value::Object(m)
        })
        .collect();
    ok(json!({
        "@odata.context": format!("{}/$metadata#Collection({kind})", ctx.base()),
        "value": value,
    }))
}

/// True if and only if the target counts as an administrator for unit-scoped roles (Learn: the
/// restricted permissions apply "when the target of an action is a user with another role or
/// an administrator"): any directory role, tenant-wide or unit-scoped.
fn is_admin_target(st: &AppState, target: &User) -> bool {
    target.is_admin() || st.lock().tenant.units.has_scoped_role(&target.id)
}

/// True if and only if the caller holds an active unit-scoped method role (Authentication
/// Administrator, Privileged Authentication Administrator) that reaches `target`: one of the
/// given units, the target not an admin (a scoped Privileged Authentication Administrator
/// reaches admins too with `Settings::scoped_privileged_auth_admin_serves_admins`).
fn scoped_reach(st: &AppState, caller: &Caller, target: &User, unit_ids: &[String]) -> bool {
    let ids: Vec<&str> = unit_ids.iter().map(String::as_str).collect();
    let admin = is_admin_target(st, target);
    let inner = st.lock();
    let units = &inner.tenant.units;
    if admin {
        inner.settings.scoped_privileged_auth_admin_serves_admins
            && units.holds_in_units(
                &caller.user.id,
                &[roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR],
                &ids,
            )
    } else {
        units.holds_in_units(&caller.user.id, METHOD_ROLES, &ids)
    }
}

/// Whether `caller` may change `target`'s authentication methods (create or delete a pass or a
/// QR code + PIN method): a restricted-management unit admits only administrators scoped to it
/// (403 with Learn's message, or the generic one with
/// `Settings::restricted_unit_generic_message`); otherwise a tenant-wide Global Administrator
/// or Privileged Authentication Administrator, a tenant-wide Authentication Administrator for
/// the lesser roles Learn lists, or a unit-scoped one for non-admin members of its units; else
/// 403 `Authorization_RequestDenied` "Insufficient privileges to complete the operation."
pub fn may_change_methods(st: &AppState, caller: &Caller, target: &User) -> Result<(), GraphError> {
    let (restricted, all_units, generic) = {
        let inner = st.lock();
        let units = &inner.tenant.units;
        let ids = |v: Vec<&AdministrativeUnit>| v.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
        (
            ids(units.restricted_units_of(&target.id)),
            ids(units.units_of(&target.id)),
            inner.settings.restricted_unit_generic_message,
        )
    };
    if !restricted.is_empty() {
        if scoped_reach(st, caller, target, &restricted) {
            return Ok(());
        }
        return Err(if generic {
            GraphError::insufficient_privileges()
        } else {
            GraphError::new(
                axum::http::StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                RESTRICTED_MESSAGE,
            )
        });
    }
    let tenant_wide = caller.has_role(&[
        roles::GLOBAL_ADMINISTRATOR,
        roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    ]) || (caller.has_role(&[roles::AUTHENTICATION_ADMINISTRATOR])
        && target.servable_by_authentication_administrator());
    if tenant_wide || scoped_reach(st, caller, target, &all_units) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

/// True if and only if a unit-scoped method role of the caller covers a unit the target is in
/// (reading methods: Learn restricts reads to non-admin members as well).
pub fn may_read_methods_in_scope(st: &AppState, caller: &Caller, target: &User) -> bool {
    let ids: Vec<String> = st
        .lock()
        .tenant
        .units
        .units_of(&target.id)
        .iter()
        .map(|u| u.id.clone())
        .collect();
    scoped_reach(st, caller, target, &ids)
}
