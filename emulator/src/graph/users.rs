//! `GET /users` (with `$search`, `$filter`, `$select`, `$top`, `$count`, paging),
//! `GET /users/{id|upn}` and `GET /me`, with Graph's default property sets.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::paging;
use super::query::{Filter, Search};
use super::response::{ok, Ctx, GResult, GraphError};
use crate::clock;
use crate::model::User;

/// Scopes that allow reading other users.
pub const USER_READ_SCOPES: &[&str] = &[
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// Every property the emulator knows, canonical spelling.
pub const ALL_PROPS: &[&str] = &[
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "jobTitle",
    "department",
    "officeLocation",
    "mobilePhone",
    "preferredLanguage",
    "accountEnabled",
    "userType",
    "createdDateTime",
    "usageLocation",
    "externalUserState",
    "creationType",
];

/// v1.0 returns these without `$select` (beta returns [`ALL_PROPS`]).
pub const DEFAULT_PROPS_V1: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Options Graph understands on `/users`; any other `$` option is refused.
const KNOWN_OPTIONS: &[&str] = &[
    "$search",
    "$filter",
    "$select",
    "$top",
    "$count",
    "$skiptoken",
    "$orderby",
];

/// One property of a user as Graph JSON (`null` when unset).
pub fn property(u: &User, name: &str) -> Value {
    match name {
        "id" => json!(u.id),
        "businessPhones" => json!(Vec::<String>::new()),
        "displayName" => json!(u.display_name),
        "givenName" => json!(u.given_name),
        "surname" => json!(u.surname),
        "userPrincipalName" => json!(u.user_principal_name),
        "mail" => json!(u.mail),
        "jobTitle" => json!(u.job_title),
        "department" => json!(u.department),
        "officeLocation" => json!(u.office_location),
        "mobilePhone" => json!(u.mobile_phone),
        "preferredLanguage" => json!(u.preferred_language),
        "accountEnabled" => json!(u.account_enabled),
        "userType" => json!(u.user_type),
        "createdDateTime" => json!(clock::seconds_z(u.created_date_time)),
        "usageLocation" => json!(u.usage_location),
        // B2B invitations: Graph shows the invitation's state and how the account was made;
        // internal guests and members have neither.
        "externalUserState" => json!(u.is_external_guest().then_some("Accepted")),
        "creationType" => json!(u.is_external_guest().then_some("Invitation")),
        _ => Value::Null,
    }
}

pub fn project(u: &User, props: &[&str]) -> Value {
    let mut m = Map::new();
    for p in props {
        m.insert((*p).to_string(), property(u, p));
    }
    Value::Object(m)
}

/// `$select` as canonical names, or the version's default set.
pub fn selection(ctx: &Ctx<'_>) -> Result<(Vec<&'static str>, bool), GraphError> {
    match ctx.select(ALL_PROPS, "microsoft.graph.user")? {
        Some(chosen) => Ok((chosen, true)),
        None if ctx.version == "beta" => Ok((ALL_PROPS.to_vec(), false)),
        None => Ok((DEFAULT_PROPS_V1.to_vec(), false)),
    }
}

fn require_read(caller: &Caller) -> Result<(), GraphError> {
    if caller.has_scope(USER_READ_SCOPES) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

/// `GET /users`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    require_read(caller)?;
    if let Some((k, _)) = ctx.query.iter().find(|(k, _)| {
        k.starts_with('$') && !KNOWN_OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(k))
    }) {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("Query option '{k}' is not supported."),
        ));
    }
    let search = match ctx.param("$search") {
        None => None,
        Some(_) if !ctx.eventual() => {
            return Err(GraphError::bad_request("Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"));
        }
        Some(s) => Some(Search::parse(s).map_err(|e| GraphError::bad_request("BadRequest", e.0))?),
    };
    let filter = match ctx.param("$filter") {
        None => None,
        Some(f) => Some(Filter::parse(f).map_err(|e| {
            let code = if e.0 == "Unsupported Query." {
                "Request_UnsupportedQuery"
            } else {
                "BadRequest"
            };
            GraphError::bad_request(code, e.0)
        })?),
    };
    let count = match ctx.param("$count").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => false,
        Some("true") if ctx.eventual() => true,
        Some("true") => {
            return Err(GraphError::bad_request(
                "Request_BadRequest",
                "$count is not currently supported.",
            ));
        }
        Some(other) => {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!("Invalid value '{other}' for $count."),
            ));
        }
    };
    let top = paging::top(ctx)?;
    let skip = paging::skip(ctx)?;
    let (props, selected) = selection(ctx)?;
    let mut users: Vec<User> = ctx
        .st
        .lock()
        .tenant
        .users
        .iter()
        .filter(|u| search.as_ref().is_none_or(|s| s.matches(u)))
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
        .cloned()
        .collect();
    sort(ctx, &mut users)?;
    let total = users.len();
    let page: Vec<Value> = users
        .iter()
        .skip(skip)
        .take(top)
        .map(|u| project(u, &props))
        .collect();
    let context = if selected {
        format!("{}/$metadata#users({})", ctx.base(), props.join(","))
    } else {
        format!("{}/$metadata#users", ctx.base())
    };
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context));
    if count {
        body.insert("@odata.count".into(), json!(total));
    }
    if skip + top < total {
        body.insert(
            "@odata.nextLink".into(),
            json!(paging::next_link(ctx, "/users", skip + top)),
        );
    }
    body.insert("value".into(), Value::Array(page));
    ok(Value::Object(body))
}

/// [choice] Default order is by `displayName` (case-insensitive), then id, so pages are
/// stable; `$orderby=displayName|userPrincipalName [asc|desc]` is honoured.
fn sort(ctx: &Ctx<'_>, users: &mut [User]) -> Result<(), GraphError> {
    let spec = ctx.param("$orderby").unwrap_or("displayName");
    let mut parts = spec.split_whitespace();
    let prop = parts.next().unwrap_or("displayName");
    let desc = match parts.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!("Invalid $orderby '{spec}'."),
            ))
        }
    };
    let key = |u: &User| -> String {
        if prop.eq_ignore_ascii_case("userPrincipalName") {
            u.user_principal_name.to_lowercase()
        } else {
            u.display_name.to_lowercase()
        }
    };
    if !prop.eq_ignore_ascii_case("displayName") && !prop.eq_ignore_ascii_case("userPrincipalName")
    {
        return Err(GraphError::bad_request(
            "Request_UnsupportedQuery",
            format!("Sorting by '{prop}' is not supported."),
        ));
    }
    users.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id)));
    if desc {
        users.reverse();
    }
    Ok(())
}

fn single(ctx: &Ctx<'_>, u: &User) -> GResult {
    let (props, _) = selection(ctx)?;
    let mut v = project(u, &props);
    if let Value::Object(m) = &mut v {
        let mut with_ctx = Map::new();
        with_ctx.insert(
            "@odata.context".into(),
            json!(format!("{}/$metadata#users/$entity", ctx.base())),
        );
        with_ctx.append(m);
        return ok(Value::Object(with_ctx));
    }
    ok(v)
}

/// `GET /users/{id|upn}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, key: &str) -> GResult {
    let self_read = caller.user.id.eq_ignore_ascii_case(key)
        || caller.user.user_principal_name.eq_ignore_ascii_case(key);
    if !(self_read && caller.has_scope(&["User.Read"])) {
        require_read(caller)?;
    }
    let user = ctx.st.lock().tenant.find_user(key).cloned();
    let user = user.ok_or_else(|| GraphError::user_not_found(key))?;
    single(ctx, &user)
}

/// `GET /me`.
pub fn me(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    let mut scopes = USER_READ_SCOPES.to_vec();
    scopes.push("User.Read");
    if !caller.has_scope(&scopes) {
        return Err(GraphError::insufficient_privileges());
    }
    single(ctx, &caller.user)
}
