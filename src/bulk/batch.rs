//! Graph `$batch` (reference §5): the envelope types, builders for the items bulk onboarding
//! sends, the error of one item, and the run scheduler ([`Run`]).
//!
//! The envelope types live in `graph::models` (the Graph client sends them) and are re-exported
//! here. Item URLs come from `graph::api`'s path functions, so paths are written in one place.

mod run;

use std::collections::BTreeMap;

use serde::Serialize;

pub use self::run::{failure_sentence, JobState, Progress, Run, MAX_RESENDS, UNRESOLVED_CODE};
use crate::graph::models::NewPass;
pub use crate::graph::models::{BatchItem, BatchItemResponse, BatchRequest, BatchResponse};
use crate::graph::{api, GraphError};

/// Graph's limit on requests in one `$batch`.
pub const MAX_PER_BATCH: usize = 20;

/// `GET` the user by UPN or object id (`key`), with the properties the page selects.
pub fn get_user_item(id: &str, key: &str) -> BatchItem {
    item(id, "GET", api::user_path(key), None)
}

/// `GET` the user's pass list (at most one pass; its value is never included).
pub fn list_passes_item(id: &str, user_id: &str) -> BatchItem {
    item(id, "GET", api::passes_path(user_id), None)
}

/// `GET` the group `group_id` (id and name).
pub fn get_group_item(id: &str, group_id: &str) -> BatchItem {
    item(id, "GET", api::group_path(group_id), None)
}

/// `DELETE` the user's pass `pass_id` (idempotent: a second one answers 404).
pub fn delete_pass_item(id: &str, user_id: &str, pass_id: &str) -> BatchItem {
    item(
        id,
        "DELETE",
        format!(
            "{}/{}",
            api::passes_path(user_id),
            api::encode_segment(pass_id)
        ),
        None,
    )
}

/// `GET` every authentication method the user has registered.
pub fn list_methods_item(id: &str, user_id: &str) -> BatchItem {
    item(id, "GET", api::methods_path(user_id), None)
}

/// `GET` the directory roles the user holds, directly or through groups: an advanced query,
/// so the item carries `ConsistencyLevel: eventual` (inside `$batch` each item has its own
/// headers).
pub fn roles_item(id: &str, user_id: &str) -> BatchItem {
    let mut i = item(id, "GET", api::roles_path(user_id), None);
    let (name, value) = api::ADVANCED_QUERY_HEADER;
    i.headers
        .get_or_insert_with(BTreeMap::new)
        .insert(name.to_owned(), value.to_owned());
    i
}

/// `POST checkMemberGroups` for `group_ids` (a read: safe to repeat).
pub fn check_groups_item(id: &str, user_id: &str, group_ids: &[String]) -> BatchItem {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        group_ids: &'a [String],
    }
    let body = serde_json::to_value(Body { group_ids }).unwrap_or_default();
    item(id, "POST", api::check_groups_path(user_id), Some(body))
}

/// `POST` a new pass for the user: replaces any existing one (see [`Run`] for when it may be
/// sent again).
pub fn create_item(id: &str, user_id: &str, body: &NewPass) -> BatchItem {
    let body = serde_json::to_value(body).unwrap_or_default();
    item(id, "POST", api::passes_path(user_id), Some(body))
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
    let page = serde_json::from_value::<crate::graph::models::Page<serde_json::Value>>(
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

fn item(id: &str, method: &str, url: String, body: Option<serde_json::Value>) -> BatchItem {
    // Graph requires a Content-Type for every item with a body.
    let headers = body
        .as_ref()
        .map(|_| BTreeMap::from([("Content-Type".to_owned(), "application/json".to_owned())]));
    BatchItem {
        id: id.to_owned(),
        method: method.to_owned(),
        url,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
