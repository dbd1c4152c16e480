//! The directory audit log on Graph: `GET /auditLogs/directoryAudits` (newest first; `$filter`
//! as in [`filter`], `$top` 1..=1000 default 100, `$skiptoken` paging through
//! `@odata.nextLink`, `$orderby=activityDateTime [asc|desc]`, `$select`) and
//! `GET /auditLogs/directoryAudits/{id}`.
//!
//! Permission: delegated `AuditLog.Read.All` and `Directory.Read.All`, as Microsoft Learn
//! (List directoryAudits) lists them; `Settings::audit_log_read_alone` accepts
//! `AuditLog.Read.All` alone (the older emulator). `Directory.Read.All` alone is never enough. Roles:
//! Global Administrator, Global Reader, Security Administrator, Security Reader, Security
//! Operator, Reports Reader (live roles, like every Graph check here). Either missing: 403
//! `Authorization_RequestDenied`. No licence check (real tenants need Entra ID P1 or P2).

mod filter;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::paging;
use super::response::{ok, Ctx, GResult, GraphError};
use crate::audit::AuditRecord;
use crate::model::roles::*;
use filter::AuditFilter;

/// The permission the audit log needs.
pub const SCOPE: &str = "AuditLog.Read.All";
/// The second permission Learn documents for it.
pub const DIRECTORY_SCOPE: &str = "Directory.Read.All";
/// Roles that may read the audit log.
pub const READER_ROLES: &[&str] = &[
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
    SECURITY_ADMINISTRATOR,
    SECURITY_READER,
    SECURITY_OPERATOR,
    REPORTS_READER,
];
/// Largest `$top`.
pub const MAX_TOP: usize = 1000;

const PATH: &str = "/auditLogs/directoryAudits";
const TYPE_NAME: &str = "microsoft.graph.directoryAudit";
const KNOWN_OPTIONS: &[&str] = &["$filter", "$top", "$skiptoken", "$orderby", "$select"];
/// Properties `$select` accepts (every property of the record).
const PROPS: &[&str] = &[
    "id",
    "category",
    "correlationId",
    "result",
    "resultReason",
    "activityDisplayName",
    "activityDateTime",
    "loggedByService",
    "operationType",
    "initiatedBy",
    "targetResources",
    "additionalDetails",
];

fn authorize(ctx: &Ctx<'_>, caller: &Caller) -> Result<(), GraphError> {
    let alone = ctx.st.lock().settings.audit_log_read_alone;
    let directory = alone || caller.has_scope(&[DIRECTORY_SCOPE, "Directory.ReadWrite.All"]);
    if caller.has_scope(&[SCOPE]) && directory && caller.has_role(READER_ROLES) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

/// True for newest first (the default), false for `$orderby=activityDateTime asc`.
fn newest_first(ctx: &Ctx<'_>) -> Result<bool, GraphError> {
    let Some(o) = ctx.param("$orderby") else {
        return Ok(true);
    };
    let words: Vec<&str> = o.split_whitespace().collect();
    match words.as_slice() {
        [p] if p.eq_ignore_ascii_case("activityDateTime") => Ok(true),
        [p, d] if p.eq_ignore_ascii_case("activityDateTime") && d.eq_ignore_ascii_case("desc") => {
            Ok(true)
        }
        [p, d] if p.eq_ignore_ascii_case("activityDateTime") && d.eq_ignore_ascii_case("asc") => {
            Ok(false)
        }
        _ => Err(GraphError::bad_request(
            "Request_UnsupportedQuery",
            format!("Unsupported $orderby '{o}': only activityDateTime [asc|desc]."),
        )),
    }
}

fn record_json(r: &AuditRecord, select: Option<&[&str]>) -> Value {
    let v = serde_json::to_value(r).unwrap_or(Value::Null);
    match (select, v) {
        (Some(props), Value::Object(mut all)) => {
            let picked: Map<String, Value> = props
                .iter()
                .map(|p| (p.to_string(), all.remove(*p).unwrap_or(Value::Null)))
                .collect();
            Value::Object(picked)
        }
        (_, v) => v,
    }
}

/// `GET /auditLogs/directoryAudits`.
pub fn list(ctx: &Ctx<'_>, caller: &Caller) -> GResult {
    authorize(ctx, caller)?;
    paging::check_options(ctx, KNOWN_OPTIONS)?;
    let filter = ctx.param("$filter").map(AuditFilter::parse).transpose()?;
    let (top, skip) = (paging::top_up_to(ctx, MAX_TOP)?, paging::skip(ctx)?);
    let newest = newest_first(ctx)?;
    let select = ctx.select(PROPS, TYPE_NAME)?;
    let mut records: Vec<AuditRecord> = ctx
        .st
        .lock()
        .tenant
        .audit
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|f| f.matches(r)))
        .cloned()
        .collect();
    // Recorded in order; ties keep it (reversed for newest first).
    if newest {
        records.reverse();
        records.sort_by_key(|r| std::cmp::Reverse(r.activity_date_time));
    } else {
        records.sort_by_key(|r| r.activity_date_time);
    }
    let (page, more) = paging::page(&records, skip, top);
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#auditLogs/directoryAudits",
            ctx.base()
        )),
    );
    body.insert(
        "value".into(),
        Value::Array(
            page.iter()
                .map(|r| record_json(r, select.as_deref()))
                .collect(),
        ),
    );
    if let Some(offset) = more {
        body.insert(
            "@odata.nextLink".into(),
            json!(paging::next_link(ctx, PATH, offset)),
        );
    }
    ok(Value::Object(body))
}

/// `GET /auditLogs/directoryAudits/{id}`.
pub fn get(ctx: &Ctx<'_>, caller: &Caller, id: &str) -> GResult {
    authorize(ctx, caller)?;
    let select = ctx.select(PROPS, TYPE_NAME)?;
    let record = ctx
        .st
        .lock()
        .tenant
        .audit
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
        .cloned();
    let Some(r) = record else {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        ));
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/$metadata#auditLogs/directoryAudits/$entity",
            ctx.base()
        )),
    );
    if let Value::Object(mut m) = record_json(&r, select.as_deref()) {
        body.append(&mut m);
    }
    ok(Value::Object(body))
}
