//! `GET /groups/{id}/members` and `/transitiveMembers` (optionally cast to
//! `microsoft.graph.user`): users and nested groups, paged like Graph.

use serde_json::{json, Map, Value};

use super::{collection, group_json, group_not_found, require_read, sort_groups, GROUP_PROPS};
use crate::graph::auth::Caller;
use crate::graph::response::{Ctx, GResult, GraphError};
use crate::graph::users;
use crate::model::{Group, User};
use crate::tenant::Tenant;

/// `GET /groups/{id}/members|transitiveMembers[/microsoft.graph.user]`: users ordered by
/// display name, then (without the cast) member groups [choice on order]. `$select` names
/// user properties (with the cast) or user and group properties (without).
pub fn members(
    ctx: &Ctx<'_>,
    caller: &Caller,
    id: &str,
    transitive: bool,
    users_only: bool,
) -> GResult {
    require_read(caller)?;
    if let Some((k, _)) = ctx.query.iter().find(|(k, _)| {
        k.starts_with('$')
            && !["$select", "$top", "$skiptoken", "$count"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(k))
    }) {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("Query option '{k}' is not supported on members."),
        ));
    }
    let (mut member_users, mut member_groups) = {
        let inner = ctx.st.lock();
        let t = &inner.tenant;
        let group = t.find_group(id).ok_or_else(|| group_not_found(id))?;
        let user_ids = if transitive {
            t.transitive_user_ids(&group.id)
        } else {
            group.members.clone()
        };
        let group_ids = if transitive {
            nested_group_ids(t, &group.id)
        } else {
            group.group_members.clone()
        };
        let users: Vec<User> = user_ids
            .iter()
            .filter_map(|u| t.find_user(u).cloned())
            .collect();
        let groups: Vec<Group> = group_ids
            .iter()
            .filter_map(|g| t.find_group(g).cloned())
            .collect();
        (users, groups)
    };
    member_users.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    sort_groups(&mut member_groups);
    let rel = if transitive {
        "transitiveMembers"
    } else {
        "members"
    };
    let (user_props, group_props) = if users_only {
        let sel = ctx.select(users::ALL_PROPS, "microsoft.graph.user")?;
        (sel.unwrap_or_else(|| default_user_props(ctx)), vec![])
    } else {
        let known: Vec<&'static str> = users::ALL_PROPS
            .iter()
            .chain(GROUP_PROPS.iter())
            .copied()
            .collect();
        match ctx.select(&known, "microsoft.graph.directoryObject")? {
            Some(sel) => (
                sel.iter()
                    .copied()
                    .filter(|p| users::ALL_PROPS.contains(p))
                    .collect(),
                sel.iter()
                    .copied()
                    .filter(|p| GROUP_PROPS.contains(p))
                    .collect(),
            ),
            None => (default_user_props(ctx), GROUP_PROPS.to_vec()),
        }
    };
    let mut all: Vec<Value> = member_users
        .iter()
        .map(|u| {
            let mut m = Map::new();
            if !users_only {
                m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            }
            if let Value::Object(mut p) = users::project(u, &user_props) {
                m.append(&mut p);
            }
            Value::Object(m)
        })
        .collect();
    if !users_only {
        all.extend(
            member_groups
                .iter()
                .map(|g| group_json(g, &group_props, true)),
        );
    }
    let (path, context) = if users_only {
        (
            format!("/groups/{id}/{rel}/microsoft.graph.user"),
            format!("{}/$metadata#users", ctx.base()),
        )
    } else {
        (
            format!("/groups/{id}/{rel}"),
            format!("{}/$metadata#directoryObjects", ctx.base()),
        )
    };
    collection(ctx, context, &path, all)
}

fn default_user_props(ctx: &Ctx<'_>) -> Vec<&'static str> {
    if ctx.version == "beta" {
        users::ALL_PROPS.to_vec()
    } else {
        users::DEFAULT_PROPS_V1.to_vec()
    }
}

/// Every group nested inside `group_id`, at any depth, once each.
fn nested_group_ids(t: &Tenant, group_id: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut queue = vec![group_id.to_string()];
    while let Some(gid) = queue.pop() {
        let Some(g) = t.find_group(&gid) else {
            continue;
        };
        for child in &g.group_members {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(child))
                && !child.eq_ignore_ascii_case(group_id)
            {
                out.push(child.clone());
                queue.push(child.clone());
            }
        }
    }
    out
}
