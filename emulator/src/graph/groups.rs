//! Groups: `GET /groups` (`$search`, `$filter`, `$select`, `$top`, `$count`, paging),
//! `GET /groups/{id}`, and `GET /groups/{id}/members` and `/transitiveMembers` (optionally cast
//! to `microsoft.graph.user`), paged like Graph with `@odata.nextLink`.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

mod members;

pub use members::members;

use super::auth::Caller;
use super::paging;
use super::query::{Filter, Search};
use super::response::{ok, Ctx, GResult, GraphError};
use crate::clock;
use crate::model::Group;

/// Scopes that allow reading groups and their members.
pub const GROUP_READ_SCOPES: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// Every group property the emulator knows; v1.0 and beta return all of them by default.
pub const GROUP_PROPS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "groupTypes",
    "createdDateTime",
];

const SEARCH_PROPS: &[&str] = &["displayName", "description"];
const STARTSWITH_PROPS: &[&str] = &["displayName", "mailNickname"];
const EQ_PROPS: &[&str] = &["id", "displayName", "mailNickname"];
const KNOWN_OPTIONS: &[&str] = &[
    "$search",
    "$filter",
    "$select",
    "$top",
    "$count",
    "$skiptoken",
    "$orderby",
];

fn require_read(caller: &Caller) -> Result<(), GraphError> {
    if caller.has_scope(GROUP_READ_SCOPES) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

fn mail_nickname(g: &Group) -> String {
    g.display_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn group_text(g: &Group, prop: &str) -> Option<String> {
    match prop {
        "id" => Some(g.id.clone()),
        "displayName" => Some(g.display_name.clone()),
        "description" => g.description.clone(),
        "mailNickname" => Some(mail_nickname(g)),
        _ => None,
    }
}

/// One group property as Graph JSON.
pub fn group_property(g: &Group, name: &str) -> Value {
    match name {
        "mailEnabled" => json!(false),
        "securityEnabled" => json!(true),
        "groupTypes" => json!(Vec::<String>::new()),
        "createdDateTime" => json!(created()),
        other => group_text(g, other)
            .map(Value::String)
            .unwrap_or(Value::Null),
    }
}

/// A group as Graph JSON with the given properties (and `@odata.type` when `typed`).
pub fn group_json(g: &Group, props: &[&str], typed: bool) -> Value {
    let mut m = Map::new();
    if typed {
        m.insert("@odata.type".into(), json!("#microsoft.graph.group"));
    }
    for p in props {
        m.insert((*p).to_string(), group_property(g, p));
    }
    Value::Object(m)
}

/// `$count=true` (needs `ConsistencyLevel: eventual`, like on users).
fn want_count(ctx: &Ctx<'_>) -> Result<bool, GraphError> {
    match ctx.param("$count").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") if ctx.eventual() => Ok(true),
        Some(_) => Err(GraphError::bad_request(
            "Request_BadRequest",
            "$count is not currently supported.",
        )),
    }
}

/// Wraps a page in Graph's collection envelope, with count and next link.
fn collection(ctx: &Ctx<'_>, context: String, path: &str, all: Vec<Value>) -> GResult {
    let (top, skip, count) = (paging::top(ctx)?, paging::skip(ctx)?, want_count(ctx)?);
    let total = all.len();
    let (page, more) = paging::page(&all, skip, top);
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context));
    if count {
        body.insert("@odata.count".into(), json!(total));
    }
    if let Some(offset) = more {
        body.insert(
            "@odata.nextLink".into(),
            json!(paging::next_link(ctx, path, offset)),
        );
    }
    body.insert("value".into(), Value::Array(page));
    ok(Value::Object(body))
}

/// `GET /groups`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    require_read(caller)?;
    paging::check_options(ctx, KNOWN_OPTIONS)?;
    let search = match ctx.param("$search") {
        None => None,
        Some(_) if !ctx.eventual() => {
            return Err(GraphError::bad_request("Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"));
        }
        Some(s) => Some(
            Search::parse_for(s, SEARCH_PROPS)
                .map_err(|e| GraphError::bad_request("BadRequest", e.0))?,
        ),
    };
    let filter = match ctx.param("$filter") {
        None => None,
        Some(f) => Some(
            Filter::parse_for(f, STARTSWITH_PROPS, EQ_PROPS)
                .map_err(|e| GraphError::bad_request("Request_UnsupportedQuery", e.0))?,
        ),
    };
    let desc = match ctx.param("$orderby").map(str::trim) {
        None => false,
        Some(o)
            if o.eq_ignore_ascii_case("displayName")
                || o.eq_ignore_ascii_case("displayName asc") =>
        {
            false
        }
        Some(o) if o.eq_ignore_ascii_case("displayName desc") => true,
        Some(o) => {
            return Err(GraphError::bad_request(
                "Request_UnsupportedQuery",
                format!("Sorting by '{o}' is not supported."),
            ))
        }
    };
    let selected = ctx.select(GROUP_PROPS, "microsoft.graph.group")?;
    let props = selected.clone().unwrap_or_else(|| GROUP_PROPS.to_vec());
    let mut groups: Vec<Group> = ctx
        .st
        .lock()
        .tenant
        .groups
        .iter()
        .filter(|g| {
            search
                .as_ref()
                .is_none_or(|s| s.matches_by(|p| group_text(g, p)))
        })
        .filter(|g| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches_by(&|p| group_text(g, p)))
        })
        .cloned()
        .collect();
    sort_groups(&mut groups);
    if desc {
        groups.reverse();
    }
    let all = groups
        .iter()
        .map(|g| group_json(g, &props, false))
        .collect();
    let context = match &selected {
        Some(p) => format!("{}/$metadata#groups({})", ctx.base(), p.join(",")),
        None => format!("{}/$metadata#groups", ctx.base()),
    };
    collection(ctx, context, "/groups", all)
}

fn sort_groups(groups: &mut [Group]) {
    groups.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn group_not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

/// `GET /groups/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, id: &str) -> GResult {
    require_read(caller)?;
    let group = ctx.st.lock().tenant.find_group(id).cloned();
    let group = group.ok_or_else(|| group_not_found(id))?;
    let props = ctx
        .select(GROUP_PROPS, "microsoft.graph.group")?
        .unwrap_or_else(|| GROUP_PROPS.to_vec());
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#groups/$entity", ctx.base())),
    );
    if let Value::Object(mut g) = group_json(&group, &props, false) {
        m.append(&mut g);
    }
    ok(Value::Object(m))
}

/// `createdDateTime` of the seeded groups: they all date from the tenant's creation.
fn created() -> String {
    clock::seconds_z(time::macros::datetime!(2023-03-14 09:00:00 UTC))
}
