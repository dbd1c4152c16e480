//! Issue 15: `GET /reports/authenticationMethods/userRegistrationDetails` (+ `/{id}`), the
//! registration report, derived from each user's methods at the time of the request so it is
//! consistent ground truth ([`crate::model::passkeys::registration_details`]).
//!
//! Learn ("List userRegistrationDetails"): delegated `AuditLog.Read.All` (no higher
//! permission), roles Reports Reader, Security Reader, Security Administrator, Global Reader
//! (Global Administrator too [choice: it holds every read]); "doesn't work for disabled users"
//! (they are left out); `$filter` on the properties below. The licence (Entra ID P1/P2, Learn
//! "Authentication Methods Activity") is `Settings::without_premium_licence`: a tenant without
//! it gets 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant` (reported shape), checked
//! after the permission and role. Paging: `$top` (1..999) [choice: Learn names no `$top`; the
//! default page is `Settings::registration_report_page_size`] and `@odata.nextLink`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::auth::Caller;
use super::paging;
use super::response::{ok, Ctx, GResult, GraphError};
use crate::model::passkeys::registration_details;
use crate::model::roles::*;

/// The permission the report needs (Learn lists no higher one).
pub const SCOPE: &str = "AuditLog.Read.All";
/// Roles that may read it.
pub const READER_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    REPORTS_READER,
    SECURITY_READER,
    SECURITY_ADMINISTRATOR,
    GLOBAL_READER,
];
const PATH: &str = "/reports/authenticationMethods/userRegistrationDetails";
const KNOWN_OPTIONS: &[&str] = &["$filter", "$top", "$skiptoken", "$orderby", "$select"];
const BOOLEAN_PROPS: &[&str] = &[
    "isAdmin",
    "isMfaCapable",
    "isMfaRegistered",
    "isPasswordlessCapable",
    "isSsprCapable",
    "isSsprEnabled",
    "isSsprRegistered",
    "isSystemPreferredAuthenticationMethodEnabled",
];

fn authorize(ctx: &Ctx<'_>, caller: &Caller) -> Result<(), GraphError> {
    if !caller.has_scope(&[SCOPE]) || !caller.has_role(READER_ROLES) {
        return Err(GraphError::insufficient_privileges());
    }
    if ctx.st.lock().settings.without_premium_licence {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    Ok(())
}

/// Every row of the report, enabled users only, in directory order (or the frozen rows, see
/// `PasskeyPolicies::report_snapshot`).
fn rows(ctx: &Ctx<'_>) -> Vec<Value> {
    let now = ctx.st.clock.now();
    let inner = ctx.st.lock();
    if let Some(frozen) = &inner.tenant.passkeys.report_snapshot {
        return frozen.clone();
    }
    inner
        .tenant
        .users
        .iter()
        .filter(|u| u.account_enabled)
        .map(|u| registration_details(u, inner.tenant.passes.contains_key(&u.id), now))
        .collect()
}

/// One page without `$orderby`: rows are computed in directory order only until the page and
/// one more match are found (a 10,000-user report read page by page would otherwise compute
/// every row for every page).
fn plain_page(
    ctx: &Ctx<'_>,
    clauses: &[Clause],
    skip: usize,
    top: usize,
) -> (Vec<Value>, Option<usize>) {
    let now = ctx.st.clock.now();
    let inner = ctx.st.lock();
    let t = &inner.tenant;
    let computed: Box<dyn Iterator<Item = Value>> = match &t.passkeys.report_snapshot {
        Some(frozen) => Box::new(frozen.iter().cloned()),
        None => Box::new(
            t.users
                .iter()
                .filter(|u| u.account_enabled)
                .map(|u| registration_details(u, t.passes.contains_key(&u.id), now)),
        ),
    };
    let mut matching = computed
        .filter(|r| clauses.iter().all(|c| matches(r, c)))
        .skip(skip);
    let page: Vec<Value> = matching.by_ref().take(top).collect();
    let more = matching.next().is_some().then_some(skip + top);
    (page, more)
}

/// One clause of `$filter`.
#[derive(Debug, PartialEq)]
enum Clause {
    Eq(String, Value),
    StartsWith(String, String),
    Any(String, String),
}

fn unsupported(f: &str) -> GraphError {
    GraphError::bad_request(
        "BadRequest",
        format!("Invalid filter clause: the query '{f}' is not supported."),
    )
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    s.strip_prefix('\'')?
        .strip_suffix('\'')
        .map(|v| v.replace("''", "'"))
}

fn clause(c: &str) -> Option<Clause> {
    let c = c.trim();
    let lower = c.to_ascii_lowercase();
    if lower.starts_with("startswith(") && c.ends_with(')') {
        let inner = c.get("startswith(".len()..c.len() - 1)?;
        let (prop, value) = inner.split_once(',')?;
        let prop = prop.trim();
        if !["userPrincipalName", "userDisplayName"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(prop))
        {
            return None;
        }
        return Some(Clause::StartsWith(prop.to_string(), quoted(value)?));
    }
    // `methodsRegistered/any(x:x eq 'mobilePhone')` (also systemPreferredAuthenticationMethods)
    if let Some((prop, rest)) = c.split_once("/any(") {
        let prop = prop.trim();
        if !["methodsRegistered", "systemPreferredAuthenticationMethods"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(prop))
        {
            return None;
        }
        let body = rest.strip_suffix(')')?;
        let (var, cond) = body.split_once(':')?;
        let var = var.trim();
        let mut words = cond.split_whitespace();
        let (lhs, op) = (words.next()?, words.next()?);
        let value: Vec<&str> = words.collect();
        if lhs != var || !op.eq_ignore_ascii_case("eq") {
            return None;
        }
        return Some(Clause::Any(prop.to_string(), quoted(&value.join(" "))?));
    }
    let mut words = c.splitn(3, ' ');
    let (prop, op, value) = (words.next()?, words.next()?, words.next()?);
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    if BOOLEAN_PROPS.iter().any(|p| p.eq_ignore_ascii_case(prop)) {
        let v = match value.trim() {
            "true" => true,
            "false" => false,
            _ => return None,
        };
        return Some(Clause::Eq(prop.to_string(), json!(v)));
    }
    if [
        "userType",
        "userPrincipalName",
        "userDisplayName",
        "userPreferredMethodForSecondaryAuthentication",
    ]
    .iter()
    .any(|p| p.eq_ignore_ascii_case(prop))
    {
        return Some(Clause::Eq(prop.to_string(), json!(quoted(value)?)));
    }
    None
}

fn field<'a>(row: &'a Value, prop: &str) -> Option<&'a Value> {
    row.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(prop))
        .map(|(_, v)| v)
}

fn matches(row: &Value, c: &Clause) -> bool {
    match c {
        Clause::Eq(p, Value::String(v)) => field(row, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case(v)),
        Clause::Eq(p, v) => field(row, p) == Some(v),
        Clause::StartsWith(p, v) => field(row, p)
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&v.to_lowercase())),
        Clause::Any(p, v) => field(row, p)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|m| m.as_str() == Some(v.as_str()))),
    }
}

fn filter(ctx: &Ctx<'_>) -> Result<Vec<Clause>, GraphError> {
    let Some(f) = ctx.param("$filter").filter(|f| !f.trim().is_empty()) else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    let mut rest = f;
    // Split on ` and ` outside quotes.
    loop {
        let mut quote = false;
        let mut cut = None;
        for (i, b) in rest.bytes().enumerate() {
            if b == b'\'' {
                quote = !quote;
            } else if !quote
                && rest
                    .get(i..i + 5)
                    .is_some_and(|w| w.eq_ignore_ascii_case(" and "))
            {
                cut = Some(i);
                break;
            }
        }
        let (head, tail) = match cut {
            Some(i) => (&rest[..i], Some(&rest[i + 5..])),
            None => (rest, None),
        };
        out.push(clause(head).ok_or_else(|| unsupported(f))?);
        match tail {
            Some(t) => rest = t,
            None => break,
        }
    }
    Ok(out)
}

fn order(ctx: &Ctx<'_>, rows: &mut [Value]) -> Result<(), GraphError> {
    let Some(o) = ctx.param("$orderby") else {
        return Ok(());
    };
    let words: Vec<&str> = o.split_whitespace().collect();
    let (prop, desc) = match words.as_slice() {
        [p] => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("asc") => (*p, false),
        [p, d] if d.eq_ignore_ascii_case("desc") => (*p, true),
        _ => return Err(unsupported(o)),
    };
    if !["userPrincipalName", "userDisplayName"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(prop))
    {
        return Err(unsupported(o));
    }
    let key = |r: &Value| {
        field(r, prop)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase()
    };
    rows.sort_by_key(key);
    if desc {
        rows.reverse();
    }
    Ok(())
}

/// `GET /reports/authenticationMethods/userRegistrationDetails`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    authorize(ctx, caller)?;
    paging::check_options(ctx, KNOWN_OPTIONS)?;
    let clauses = filter(ctx)?;
    let top = match ctx.param("$top") {
        Some(_) => paging::top(ctx)?,
        None => ctx.st.lock().settings.registration_report_page_size.max(1),
    };
    let skip = paging::skip(ctx)?;
    let (page, next) = if ctx.param("$orderby").is_none() {
        plain_page(ctx, &clauses, skip, top)
    } else {
        let mut all: Vec<Value> = rows(ctx)
            .into_iter()
            .filter(|r| clauses.iter().all(|c| matches(r, c)))
            .collect();
        order(ctx, &mut all)?;
        paging::page(&all, skip, top)
    };
    let mut body = json!({
        "@odata.context": format!("{}/$metadata#reports/authenticationMethods/userRegistrationDetails", ctx.base()),
        "value": page,
    });
    if let Some(n) = next {
        body["@odata.nextLink"] = json!(paging::next_link(ctx, PATH, n));
    }
    ok(body)
}

/// `GET /reports/authenticationMethods/userRegistrationDetails/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, id: &str) -> GResult {
    authorize(ctx, caller)?;
    let row = {
        let now = ctx.st.clock.now();
        let inner = ctx.st.lock();
        let t = &inner.tenant;
        match &t.passkeys.report_snapshot {
            Some(frozen) => frozen
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
                .cloned(),
            None => t
                .find_user(id)
                .filter(|u| u.account_enabled && u.id.eq_ignore_ascii_case(id))
                .map(|u| registration_details(u, t.passes.contains_key(&u.id), now)),
        }
    }
    .ok_or_else(|| GraphError::user_not_found(id))?;
    let mut body = json!({
        "@odata.context": format!("{}/$metadata#reports/authenticationMethods/userRegistrationDetails/$entity", ctx.base()),
    });
    if let (Some(b), Value::Object(r)) = (body.as_object_mut(), row) {
        b.extend(r);
    }
    ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_clauses_parse() {
        assert_eq!(
            clause("methodsRegistered/any(x:x eq 'mobilePhone')"),
            Some(Clause::Any(
                "methodsRegistered".into(),
                "mobilePhone".into()
            ))
        );
        assert_eq!(
            clause("userType eq 'guest'"),
            Some(Clause::Eq("userType".into(), json!("guest")))
        );
        assert_eq!(
            clause("isAdmin eq false"),
            Some(Clause::Eq("isAdmin".into(), json!(false)))
        );
        assert_eq!(
            clause("startswith(userPrincipalName,'ada')"),
            Some(Clause::StartsWith("userPrincipalName".into(), "ada".into()))
        );
        assert_eq!(clause("department eq 'Finance'"), None);
        assert_eq!(clause("isAdmin ne true"), None);
    }
}
