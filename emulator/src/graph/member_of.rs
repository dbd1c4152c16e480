//! What a user belongs to: `GET /me|/users/{id}/memberOf` and `/transitiveMemberOf` (with the
//! `microsoft.graph.directoryRole` or `microsoft.graph.group` casts) and
//! `POST .../checkMemberGroups`. Roles and memberships are read live from the directory.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::groups::{group_json, GROUP_PROPS};
use super::response::{ok, Ctx, GResult, GraphError};
use super::Target;
use crate::model::{roles, Group, User};
use crate::seed;

/// Scopes that give full directory role objects; with the other scopes a role comes back with
/// `@odata.type` and `id` only (Learn: "Limited information returned for inaccessible member
/// objects").
const ROLE_DETAIL_SCOPES: &[&str] = &[
    "RoleManagement.Read.Directory",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Scopes that allow reading another user's directory roles.
const ROLE_READ_SCOPES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "RoleManagement.Read.Directory",
];
/// Scopes that allow reading another user's group memberships.
/// Permissions that cover the group side of `checkMemberGroups`.
const GROUP_READ_SCOPES: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const MEMBERSHIP_SCOPES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// `checkMemberGroups` takes at most this many ids.
const MAX_GROUP_IDS: usize = 20;

/// A type cast segment after `memberOf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cast {
    /// `microsoft.graph.directoryRole`.
    DirectoryRole,
    /// `microsoft.graph.group`.
    Group,
}

impl Cast {
    /// The cast named by a path segment, if it is one.
    pub fn parse(seg: &str) -> Option<Cast> {
        if seg.eq_ignore_ascii_case("microsoft.graph.directoryRole") {
            Some(Cast::DirectoryRole)
        } else if seg.eq_ignore_ascii_case("microsoft.graph.group") {
            Some(Cast::Group)
        } else {
            None
        }
    }
}

/// The target user. `/me` (or one's own id or UPN) needs no scope beyond sign-in; another user
/// needs one of `scopes`. Also the administrative-unit reads' (`units`).
pub(super) fn resolve(
    ctx: &Ctx<'_>,
    caller: &Caller,
    t: &Target,
    scopes: &[&str],
) -> Result<User, GraphError> {
    let key = match t {
        Target::Me => return Ok(caller.user.clone()),
        Target::User(key) => key,
    };
    let own = caller.user.id.eq_ignore_ascii_case(key)
        || caller.user.user_principal_name.eq_ignore_ascii_case(key);
    if !own && !caller.has_scope(scopes) {
        return Err(GraphError::insufficient_privileges());
    }
    let user = ctx.st.lock().tenant.find_user(key).cloned();
    user.ok_or_else(|| GraphError::user_not_found(key))
}

/// Refuses an OData cast sent without the advanced-query parameters (`ConsistencyLevel:
/// eventual` and `$count=true`), unless `Settings::casts_without_advanced_query`. The message
/// is our wording [choice on text]; the code is Graph's.
pub fn require_advanced_query(ctx: &Ctx<'_>) -> Result<(), GraphError> {
    if ctx.st.lock().settings.casts_without_advanced_query {
        return Ok(());
    }
    let count = ctx
        .param("$count")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ctx.eventual() && count {
        return Ok(());
    }
    Err(GraphError::bad_request(
        "Request_UnsupportedQuery",
        "OData casts on directory object relationships are advanced queries: send the header 'ConsistencyLevel: eventual' and the query parameter '$count=true'.",
    ))
}

/// A directory role as a caller without a role-read permission sees it: type and id only,
/// every other property null.
fn limited_role_json(template_id: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": seed::stable_id(&format!("directoryRole/{template_id}")),
        "deletedDateTime": null,
        "description": null,
        "displayName": null,
        "roleTemplateId": null,
    })
}

/// The directory role object of a role template (activated in the tenant; its object id is
/// derived from the template id so it is stable).
pub fn directory_role_json(template_id: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": seed::stable_id(&format!("directoryRole/{template_id}")),
        "deletedDateTime": null,
        "description": format!("Members of this role have the {} permissions.", roles::name(template_id)),
        "displayName": roles::name(template_id),
        "roleTemplateId": template_id,
    })
}

/// `GET .../memberOf[/cast]` and `.../transitiveMemberOf[/cast]`: groups first (by name), then
/// directory roles (by name). Roles are assigned directly, so both relations list the same
/// roles; groups differ by nesting. No paging: a user belongs to a handful of objects.
pub fn list(
    ctx: &Ctx<'_>,
    caller: &Caller,
    t: &Target,
    transitive: bool,
    cast: Option<Cast>,
) -> GResult {
    let scopes = if cast == Some(Cast::DirectoryRole) {
        ROLE_READ_SCOPES
    } else {
        MEMBERSHIP_SCOPES
    };
    if cast.is_some() {
        require_advanced_query(ctx)?;
    }
    let user = resolve(ctx, caller, t, scopes)?;
    let full_roles = caller.has_scope(ROLE_DETAIL_SCOPES)
        || ctx.st.lock().settings.full_role_objects_without_role_read;
    let mut groups: Vec<Group> = {
        let inner = ctx.st.lock();
        let t = &inner.tenant;
        let ids: Vec<String> = if transitive {
            t.transitive_group_ids(&user.id).into_iter().collect()
        } else {
            t.groups
                .iter()
                .filter(|g| g.members.contains(&user.id))
                .map(|g| g.id.clone())
                .collect()
        };
        ids.iter()
            .filter_map(|id| t.find_group(id).cloned())
            .collect()
    };
    groups.sort_by_key(|g| g.display_name.to_lowercase());
    let mut role_ids = user.roles.clone();
    role_ids.sort_by_key(|r| roles::name(r));
    let mut value: Vec<Value> = Vec::new();
    if cast != Some(Cast::DirectoryRole) {
        value.extend(groups.iter().map(|g| group_json(g, GROUP_PROPS, true)));
    }
    if cast != Some(Cast::Group) {
        value.extend(role_ids.iter().map(|r| {
            if full_roles {
                directory_role_json(r)
            } else {
                limited_role_json(r)
            }
        }));
    }
    let value = select(ctx, value)?;
    let context = match cast {
        Some(Cast::DirectoryRole) => "directoryRoles",
        Some(Cast::Group) => "groups",
        None => "directoryObjects",
    };
    ok(json!({
        "@odata.context": format!("{}/$metadata#{context}", ctx.base()),
        "value": value,
    }))
}

/// Applies `$select` to a list of directory objects (`@odata.type` and `id` always stay).
fn select(ctx: &Ctx<'_>, value: Vec<Value>) -> Result<Vec<Value>, GraphError> {
    let Some(sel) = ctx.param("$select").filter(|s| !s.trim().is_empty()) else {
        return Ok(value);
    };
    let names: Vec<&str> = sel.split(',').map(str::trim).collect();
    Ok(value
        .into_iter()
        .map(|v| match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .filter(|(k, _)| {
                        k == "@odata.type"
                            || k == "id"
                            || names.iter().any(|n| n.eq_ignore_ascii_case(k))
                    })
                    .collect::<Map<String, Value>>(),
            ),
            other => other,
        })
        .collect())
}

/// `POST .../checkMemberGroups` `{"groupIds":[..]}`: the given ids the user is a member of,
/// directly or through nested groups, in the order asked.
pub fn check_member_groups(ctx: &Ctx<'_>, caller: &Caller, t: &Target) -> GResult {
    let mut me_scopes = MEMBERSHIP_SCOPES.to_vec();
    me_scopes.push("User.Read");
    if matches!(t, Target::Me) && !caller.has_scope(&me_scopes) {
        return Err(GraphError::insufficient_privileges());
    }
    let user = resolve(ctx, caller, t, MEMBERSHIP_SCOPES)?;
    // Learn (user: checkMemberGroups): a user permission and GroupMember.Read.All or
    // Group.Read.All, or Directory.Read.All alone. `/me` with User.Read needs the group part too.
    let lenient = ctx
        .st
        .lock()
        .settings
        .check_member_groups_without_group_read;
    if !lenient && !caller.has_scope(GROUP_READ_SCOPES) {
        return Err(GraphError::insufficient_privileges());
    }
    let body = ctx.json_body()?;
    let ids: Vec<String> = match body.get("groupIds") {
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => {
            return Err(GraphError::bad_request(
                "Request_BadRequest",
                "The request body must contain 'groupIds', an array of group ids.",
            ))
        }
    };
    if ids.len() > MAX_GROUP_IDS {
        return Err(GraphError::bad_request(
            "Request_BadRequest",
            format!("The number of group ids exceeds the limit of {MAX_GROUP_IDS}."),
        ));
    }
    let member_of = ctx.st.lock().tenant.transitive_group_ids(&user.id);
    let value: Vec<&String> = ids
        .iter()
        .filter(|id| member_of.iter().any(|g| g.eq_ignore_ascii_case(id)))
        .collect();
    ok(json!({
        "@odata.context": format!("{}/$metadata#Collection(Edm.String)", ctx.base()),
        "value": value,
    }))
}
