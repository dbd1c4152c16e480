//! Graph `$batch` (reference §5): the envelope and item types, the item ids, builders for the
//! items the screens send, the error of one item, and the fan-out that sends many items
//! ([`send_all`]: batches of [`MAX_PER_BATCH`], a few in flight, throttled items sent again).
//!
//! Item URLs come from [`super::api`]'s request descriptors, so a request is written once
//! whether it travels alone or in a batch.

mod fan_out;

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::fan_out::{arrived, send_all, Answers, IN_FLIGHT, MAX_THROTTLED_ROUNDS, MAX_WAIT_S};
use super::models::NewPass;
use super::{api, GraphError, Request};

/// The id of one item in a `$batch`: unique within its envelope; its answer carries the same.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(transparent)]
pub struct ItemId(String);

impl ItemId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for ItemId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<String> for ItemId {
    fn borrow(&self) -> &String {
        &self.0
    }
}

impl Borrow<str> for ItemId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ItemId {
    fn from(s: &str) -> ItemId {
        ItemId(s.to_owned())
    }
}

impl From<&String> for ItemId {
    fn from(s: &String) -> ItemId {
        ItemId(s.clone())
    }
}

impl From<String> for ItemId {
    fn from(s: String) -> ItemId {
        ItemId(s)
    }
}

impl From<usize> for ItemId {
    fn from(n: usize) -> ItemId {
        ItemId(n.to_string())
    }
}

impl PartialEq<str> for ItemId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ItemId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Body of `POST /$batch` (reference §5): at most 20 requests with unique ids.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct BatchRequest {
    pub requests: Vec<BatchItem>,
}

/// One request inside a `$batch`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BatchItem {
    /// Unique within its batch; the answer carries the same id.
    pub id: ItemId,
    /// `GET`, `POST`, `DELETE`.
    pub method: String,
    /// Relative to the version root, e.g. `/users/{encoded}/authentication/temporaryAccessPassMethods`.
    pub url: String,
    /// Required by Graph (`Content-Type`) when `body` is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

/// Answer to a `$batch` envelope: one response per request, in any order.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct BatchResponse {
    #[serde(default)]
    pub responses: Vec<BatchItemResponse>,
}

/// One request's own answer inside a `$batch` response.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct BatchItemResponse {
    pub id: ItemId,
    pub status: u16,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

impl BatchItemResponse {
    /// Returns the value of header `name`, compared case-insensitively (Graph sends `Retry-After`,
    /// proxies may lower-case it).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Returns `Retry-After` in whole seconds (decimals rounded up), if present and a number.
    pub fn retry_after_s(&self) -> Option<u32> {
        self.header("Retry-After")
            .and_then(super::retry::parse_retry_after)
    }
}

impl<T> Request<T> {
    /// This request as the `$batch` item `id`: Graph requires `Content-Type` on every item with
    /// a body, and each item carries its own headers (`ConsistencyLevel`).
    pub fn batch_item(&self, id: impl Into<ItemId>) -> BatchItem {
        let body = self
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok());
        let mut headers = BTreeMap::new();
        if body.is_some() {
            headers.insert("Content-Type".to_owned(), "application/json".to_owned());
        }
        if self.eventual {
            let (name, value) = super::request::ADVANCED_QUERY_HEADER;
            headers.insert(name.to_owned(), value.to_owned());
        }
        BatchItem {
            id: id.into(),
            method: self.method.as_str().to_owned(),
            url: self.path.clone(),
            headers: (!headers.is_empty()).then_some(headers),
            body,
        }
    }
}

/// Sends a `$batch` that may hold creates: `POST /$batch` with create semantics.
///
/// The envelope is re-sent automatically only after an envelope 429 (Graph processed none of
/// it). A lost answer, a timeout or a 5xx comes back as the error: the items may have run, and
/// the caller must find out by reading (see `bulk::batch::Run::record_lost`).
pub fn envelope(req: &BatchRequest) -> Request<BatchResponse> {
    Request::create("/$batch", req)
}

/// Sends a `$batch` of reads only (GETs, deletes and `checkMemberGroups`): retried like a GET.
pub fn envelope_of_reads(req: &BatchRequest) -> Request<BatchResponse> {
    Request::read_post("/$batch", req)
}

/// Graph's limit on requests in one `$batch`.
pub const MAX_PER_BATCH: usize = 20;

/// `GET` the user by UPN or object id (`key`), with the properties the page selects.
pub fn get_user_item(id: impl Into<ItemId>, key: &str) -> BatchItem {
    api::get_user(key).batch_item(id)
}

/// `GET` the user's pass list (at most one pass; its value is never included).
pub fn list_passes_item(id: impl Into<ItemId>, user_id: &str) -> BatchItem {
    api::list_passes(user_id).batch_item(id)
}

/// `GET` the group `group_id` (id and name).
pub fn get_group_item(id: impl Into<ItemId>, group_id: &str) -> BatchItem {
    api::get_group(group_id).batch_item(id)
}

/// `DELETE` the user's pass `pass_id` (idempotent: a second one answers 404).
pub fn delete_pass_item(id: impl Into<ItemId>, user_id: &str, pass_id: &str) -> BatchItem {
    api::delete_pass(user_id, pass_id).batch_item(id)
}

/// `GET` every authentication method the user has registered.
pub fn list_methods_item(id: impl Into<ItemId>, user_id: &str) -> BatchItem {
    api::list_methods(user_id).batch_item(id)
}

/// `GET` the directory roles the user holds, directly or through groups: an advanced query,
/// so the item carries `ConsistencyLevel: eventual` (inside `$batch` each item has its own
/// headers).
pub fn roles_item(id: impl Into<ItemId>, user_id: &str) -> BatchItem {
    api::list_roles(user_id).batch_item(id)
}

/// `POST checkMemberGroups` for `group_ids` (a read: safe to repeat).
pub fn check_groups_item(id: impl Into<ItemId>, user_id: &str, group_ids: &[String]) -> BatchItem {
    api::check_member_groups(user_id, group_ids).batch_item(id)
}

/// `POST` a new pass for the user: replaces any existing one (see `bulk::batch::Run` for when
/// it may be sent again).
pub fn create_item(id: impl Into<ItemId>, user_id: &str, body: &NewPass) -> BatchItem {
    api::create_pass(user_id, body).batch_item(id)
}

/// Returns the error one `$batch` item answered with: its status, Graph's error envelope from
/// its body, `request-id` and `Retry-After` from its headers.
pub fn item_error(resp: &BatchItemResponse) -> GraphError {
    let body = resp
        .body
        .as_ref()
        .map(|b| b.to_string())
        .unwrap_or_default();
    GraphError {
        retry_after: resp.retry_after_s(),
        ..GraphError::from_body(
            resp.status,
            &body,
            resp.header("request-id").map(str::to_owned),
        )
    }
}

/// Reads one item's collection answer (`{"value": [...]}`): each entry decoded on its own, so an
/// entry of an unexpected shape is skipped, never the list. A non-200 answer is its error
/// ([`item_error`]); a 200 whose body is no collection is `unreadableAnswer`.
pub fn item_values<T: serde::de::DeserializeOwned>(
    resp: &BatchItemResponse,
) -> Result<Vec<T>, GraphError> {
    if resp.status != 200 {
        return Err(item_error(resp));
    }
    let page = serde_json::from_value::<super::models::Page<serde_json::Value>>(
        resp.body.clone().unwrap_or_default(),
    )
    .map_err(|e| GraphError {
        status: 200,
        code: "unreadableAnswer".into(),
        message: format!("Graph's answer could not be read ({e})."),
        ..GraphError::default()
    })?;
    Ok(page
        .value
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::{Group, Page};
    use serde_json::json;

    #[test]
    fn request_json_matches_the_reference_shape() {
        let body = NewPass {
            start_date_time: Some("2025-06-01T07:00:00Z".into()),
            lifetime_in_minutes: Some(60),
            is_usable_once: Some(true),
        };
        let req = BatchRequest {
            requests: vec![
                create_item("0", "adele@contoso.com", &body),
                list_passes_item("1", "u-1"),
                check_groups_item("2", "u-1", &["g-1".into(), "g-2".into()]),
            ],
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"requests":[
                {"id":"0","method":"POST","url":"/users/adele%40contoso.com/authentication/temporaryAccessPassMethods",
                 "headers":{"Content-Type":"application/json"},
                 "body":{"startDateTime":"2025-06-01T07:00:00Z","lifetimeInMinutes":60,"isUsableOnce":true}},
                {"id":"1","method":"GET","url":"/users/u-1/authentication/temporaryAccessPassMethods"},
                {"id":"2","method":"POST","url":"/users/u-1/checkMemberGroups",
                 "headers":{"Content-Type":"application/json"},"body":{"groupIds":["g-1","g-2"]}}
            ]})
        );
        let user = serde_json::to_value(get_user_item("u", "6e7b768e-07e2-4810-8459-485f84f8f204"))
            .unwrap();
        assert_eq!(
            user["url"],
            format!(
                "/users/6e7b768e-07e2-4810-8459-485f84f8f204?$select={}",
                crate::graph::models::User::SELECT
            )
        );
        assert!(user.get("headers").is_none() && user.get("body").is_none());
        let roles = roles_item("r", "u-1");
        assert!(roles.url.contains("microsoft.graph.directoryRole"));
        // An advanced query: the item carries the header itself, and `$count=true`.
        assert!(roles.url.contains("$count=true"));
        assert_eq!(
            roles
                .headers
                .as_ref()
                .and_then(|h| h.get("ConsistencyLevel"))
                .map(String::as_str),
            Some("eventual")
        );
    }

    #[test]
    fn response_json_and_item_errors() {
        let resp: BatchResponse = serde_json::from_value(json!({"responses":[
            {"id":"1","status":201,"headers":{"Content-Type":"application/json"},
             "body":{"id":"p1","temporaryAccessPass":"+Xy3!kQ9","lifetimeInMinutes":60}},
            {"id":"0","status":429,"headers":{"Retry-After":"12"},
             "body":{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"request-id":"r-9"}}}},
            {"id":"2","status":400,"body":{"error":{"code":"badRequest","message":"Invalid LifetimeInMinutes specified. The valid range between 60 and 480."}}}
        ]}))
        .unwrap();
        assert_eq!(resp.responses.len(), 3);
        let throttled = item_error(&resp.responses[1]);
        assert_eq!(
            (
                throttled.status,
                throttled.code.as_str(),
                throttled.retry_after,
                throttled.request_id.as_deref()
            ),
            (429, "TooManyRequests", Some(12), Some("r-9"))
        );
        let bad = item_error(&resp.responses[2]);
        assert!(bad.message.contains("between 60 and 480") && bad.retry_after.is_none());
        let bare = item_error(&BatchItemResponse {
            id: "x".into(),
            status: 503,
            ..Default::default()
        });
        assert_eq!((bare.status, bare.code.as_str()), (503, ""));
    }

    #[test]
    fn batch_item_response_reads_retry_after_in_any_case() {
        let r: BatchItemResponse = serde_json::from_str(
            r#"{"id":"1","status":429,"headers":{"retry-after":"7"},"body":{"error":{"code":"TooManyRequests","message":"x"}}}"#,
        )
        .unwrap();
        assert_eq!(r.retry_after_s(), Some(7));
        assert_eq!(r.header("RETRY-AFTER"), Some("7"));
        let r: BatchItemResponse = serde_json::from_str(r#"{"id":"2","status":204}"#).unwrap();
        assert_eq!((r.retry_after_s(), r.body), (None, None));
        let g: Page<Group> =
            serde_json::from_str(r#"{"value":[{"id":"g","displayName":"Field staff"}]}"#).unwrap();
        assert_eq!(g.value[0].display_name.as_deref(), Some("Field staff"));
    }
}
