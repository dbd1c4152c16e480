//! `POST /$batch` (JSON batching): up to 20 requests, each run through the same routing and
//! checks as a direct call (`routes::handle`), with `dependsOn` ordering and 424 for a failed
//! dependency, and fault rules applied per item.
//!
//! Faults: latency rules matching the envelope (`POST /$batch`) or any item delay the envelope
//! once; other rules matching the envelope decide for the whole batch (a throttled envelope is a
//! 429 for everything). Then each item is matched on its own method and path: throttle and 5xx
//! become that item's status (with its own `Retry-After` in the item's `headers`); a timeout
//! answers the item 504 after holding the whole envelope; drop-after-write processes the item
//! and then cuts off the whole envelope after every item ran.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::response::{Ctx, GraphError};
use super::{auth, fault_error, routes, split_path, Answer};
use crate::faults::{FaultKind, FaultOrigin, Kinds};
use crate::inject::{cut_off, hold, pause};

/// Graph's limit on requests per batch.
pub const MAX_REQUESTS: usize = 20;

const ITEM_CONTENT_TYPE: &str =
    "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/// One parsed batch item.
struct Item {
    id: String,
    method: Method,
    /// Path segments after the version, percent-decoded.
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

impl Item {
    fn path(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::bad_request("BadRequest", message)
}

/// Handles the envelope.
pub async fn serve(ctx: &Ctx<'_>) -> Response {
    let raw = ctx.json_body();
    // Latency is planned against the envelope and every item that parses; the envelope's own
    // terminal faults come before validation, as a real front door throttles before parsing.
    let items: Vec<Result<Item, GraphError>> = match &raw {
        Ok(body) => match body.get("requests") {
            Some(Value::Array(list)) => list.iter().map(parse_item).collect(),
            _ => vec![],
        },
        Err(_) => vec![],
    };
    ctx.st.graph_counters.batch_items(items.len());
    let paths: Vec<(String, String)> = std::iter::once(("POST".to_string(), "/$batch".to_string()))
        .chain(
            items
                .iter()
                .flatten()
                .map(|i| (i.method.as_str().to_string(), i.path())),
        )
        .collect();
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let latency = ctx
        .st
        .plan_faults(FaultOrigin::Graph, &refs, Kinds::Latency);
    let envelope = ctx
        .st
        .plan_faults(FaultOrigin::Graph, &refs[..1], Kinds::Terminal);
    pause(ctx.st, latency.latency).await;
    if let Some(e) = envelope.terminal.as_ref().and_then(fault_error) {
        if envelope.terminal == Some(FaultKind::Timeout) {
            hold(ctx.st).await;
        }
        return Answer::error(ctx, &e).into_response();
    }
    let drop_all = envelope.terminal == Some(FaultKind::DropAfterWrite);
    match run(ctx, raw, items).await {
        Ok((resp, drop_item)) if drop_all || drop_item => cut_off(resp).await,
        Ok((resp, _)) => resp,
        Err(e) => Answer::error(ctx, &e).into_response(),
    }
}

/// Validates and runs the batch; returns the envelope and whether an item asked to drop it.
async fn run(
    ctx: &Ctx<'_>,
    raw: Result<Map<String, Value>, GraphError>,
    items: Vec<Result<Item, GraphError>>,
) -> Result<(Response, bool), GraphError> {
    auth::authenticate(ctx.st, ctx.headers)?;
    let body = raw?;
    if !matches!(body.get("requests"), Some(Value::Array(_))) {
        return Err(invalid(
            "Invalid batch payload format: 'requests' must be an array.",
        ));
    }
    if items.is_empty() {
        return Err(invalid(
            "The batch request must contain at least one request.",
        ));
    }
    if items.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "The number of batch requests exceeds {MAX_REQUESTS}"
        )));
    }
    let items: Vec<Item> = items.into_iter().collect::<Result<_, _>>()?;
    let order = execution_order(&items)?;
    let mut answers: HashMap<usize, Answer> = HashMap::new();
    let (mut hang, mut drop) = (false, false);
    for &i in &order {
        let item = &items[i];
        let failed_dep = item.depends_on.iter().find(|d| {
            items
                .iter()
                .position(|x| x.id == **d)
                .and_then(|p| answers.get(&p))
                .is_some_and(|a| a.status.as_u16() >= 400)
        });
        let answer = if let Some(dep) = failed_dep {
            let e = GraphError::new(
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                format!("The request depends on request '{dep}', which failed."),
            );
            Answer::error(ctx, &e)
        } else {
            let path = item.path();
            let plan = ctx.st.plan_faults(
                FaultOrigin::Graph,
                &[(item.method.as_str(), &path)],
                Kinds::Terminal,
            );
            match plan.terminal.as_ref().and_then(fault_error) {
                Some(e) => {
                    hang |= plan.terminal == Some(FaultKind::Timeout);
                    Answer::error(ctx, &e)
                }
                None => {
                    drop |= plan.terminal == Some(FaultKind::DropAfterWrite);
                    run_item(ctx, item)
                }
            }
        };
        answers.insert(i, answer);
    }
    if hang {
        hold(ctx.st).await;
    }
    let mut order = order;
    let shuffle = ctx.st.lock().settings.shuffle_batch_responses;
    if shuffle {
        let mut inner = ctx.st.lock();
        for k in (1..order.len()).rev() {
            let j = inner.faults.draw_below(k + 1);
            order.swap(k, j);
        }
    }
    let responses: Vec<Value> = order
        .iter()
        .filter_map(|i| answers.remove(i).map(|a| item_json(&items[*i].id, a)))
        .collect();
    let resp = (
        StatusCode::OK,
        axum::Json(json!({ "responses": responses })),
    )
        .into_response();
    Ok((resp, drop))
}

/// Runs one item through the normal routing with its own method, path, query, headers and body
/// (the envelope's `Authorization` applies to every item).
fn run_item(ctx: &Ctx<'_>, item: &Item) -> Answer {
    let mut headers = HeaderMap::new();
    if let Some(a) = ctx.headers.get(header::AUTHORIZATION) {
        headers.insert(header::AUTHORIZATION, a.clone());
    }
    for (k, v) in &item.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.insert(name, value);
        }
    }
    let body = item
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap_or_default())
        .unwrap_or_default();
    let item_ctx = Ctx {
        st: ctx.st,
        version: ctx.version.clone(),
        query: item.query.clone(),
        headers: &headers,
        body: body.into(),
        request_id: ctx.request_id.clone(),
        client_request_id: ctx.client_request_id.clone(),
    };
    let mut segments = vec![ctx.version.clone()];
    segments.extend(item.segments.iter().cloned());
    Answer::from_result(
        &item_ctx,
        routes::handle(&item_ctx, &item.method, &segments),
    )
}

fn item_json(id: &str, a: Answer) -> Value {
    let mut headers = Map::new();
    if a.body.is_some() {
        headers.insert("Content-Type".into(), json!(ITEM_CONTENT_TYPE));
    }
    for (k, v) in a.headers {
        headers.insert(k.to_string(), json!(v));
    }
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("status".into(), json!(a.status.as_u16()));
    m.insert("headers".into(), Value::Object(headers));
    if let Some(b) = a.body {
        m.insert("body".into(), b);
    }
    Value::Object(m)
}

fn parse_item(v: &Value) -> Result<Item, GraphError> {
    let Some(o) = v.as_object() else {
        return Err(invalid("Each batch request must be a JSON object."));
    };
    let id = match o.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(invalid("Each batch request needs a non-empty string 'id'.")),
    };
    let method = o
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .and_then(|m| match m.as_str() {
            "GET" => Some(Method::GET),
            "POST" => Some(Method::POST),
            "PATCH" => Some(Method::PATCH),
            "PUT" => Some(Method::PUT),
            "DELETE" => Some(Method::DELETE),
            _ => None,
        })
        .ok_or_else(|| {
            invalid(format!(
                "Request id : {id} has an invalid or missing 'method'."
            ))
        })?;
    let url = o
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid(format!("Request id : {id} is missing 'url'.")))?;
    if url.contains("://") {
        return Err(invalid(format!(
            "Request id : {id}: the url must be relative to the batch's version, e.g. '/users'."
        )));
    }
    let parsed = url::Url::parse(&format!(
        "http://batch.invalid/{}",
        url.trim_start_matches('/')
    ))
    .map_err(|_| invalid(format!("Request id : {id} has an invalid url '{url}'.")))?;
    let headers: Vec<(String, String)> = match o.get("headers") {
        None | Some(Value::Null) => vec![],
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
        Some(_) => {
            return Err(invalid(format!(
                "Request id : {id}: 'headers' must be an object."
            )))
        }
    };
    let body = o.get("body").filter(|b| !b.is_null()).cloned();
    let write = matches!(method, Method::POST | Method::PATCH | Method::PUT);
    let has_type = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if write && (body.is_none() || !has_type) {
        return Err(invalid(format!(
            "Write request id : {id} does not contain Content-Type header or body."
        )));
    }
    let depends_on = match o.get("dependsOn") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|d| d.as_str().map(String::from))
            .collect(),
        Some(_) => {
            return Err(invalid(format!(
                "Request id : {id}: 'dependsOn' must be an array of ids."
            )))
        }
    };
    Ok(Item {
        id,
        method,
        segments: split_path(parsed.path()),
        query: parsed.query_pairs().into_owned().collect(),
        headers,
        body,
        depends_on,
    })
}

/// Unique ids, known dependencies, no cycles; returns the run order (request order, except
/// that an item waits for the items it depends on).
fn execution_order(items: &[Item]) -> Result<Vec<usize>, GraphError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        if index.insert(it.id.as_str(), i).is_some() {
            return Err(invalid(format!(
                "Batch request contains duplicate request id '{}'.",
                it.id
            )));
        }
    }
    for it in items {
        if let Some(d) = it
            .depends_on
            .iter()
            .find(|d| !index.contains_key(d.as_str()))
        {
            return Err(invalid(format!(
                "Request id : {} depends on request '{d}', which is not in the batch.",
                it.id
            )));
        }
    }
    let mut done = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let next = (0..items.len()).find(|&i| {
            !done[i]
                && items[i]
                    .depends_on
                    .iter()
                    .all(|d| index.get(d.as_str()).is_some_and(|&j| done[j]))
        });
        let Some(i) = next else {
            return Err(invalid("The batch's dependsOn references form a cycle."));
        };
        done[i] = true;
        order.push(i);
    }
    Ok(order)
}
