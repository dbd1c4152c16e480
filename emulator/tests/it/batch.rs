//! Integration tests of `POST /$batch`: limits and validation, mixed item statuses through the
//! normal checks, `dependsOn` and 424, per-item faults, envelope faults, and bulk issuing.

use std::time::{Duration, Instant};

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::{seed, Event, FaultKind, FaultRule, Match};

fn ids(envelope: &Value) -> Vec<String> {
    envelope["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn items_go_through_the_same_checks_as_direct_calls() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let johanna =
        format!("users?$filter=userPrincipalName%20eq%20'{JOHANNA}'&$select=id,displayName");
    let (s, _, v) = batch(
        &emu,
        &token,
        json!([
            create_item("1", PRADEEP),
            {"id": "2", "method": "GET", "url": "/users/00000000-0000-4000-8000-000000000000"},
            {"id": "3", "method": "GET", "url": johanna},
            create_item("4", ISAIAH),
            {"id": "5", "method": "GET", "url": "/me"},
            {"id": "6", "method": "GET", "url": taps_path(PRADEEP), "dependsOn": ["1"]},
            {"id": "7", "method": "GET", "url": "/me", "dependsOn": ["2"]},
            {"id": "8", "method": "GET", "url": "/me", "dependsOn": ["7"]},
        ]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // [choice] Responses come in the order the items ran: request order here.
    assert_eq!(ids(&v), ["1", "2", "3", "4", "5", "6", "7", "8"]);
    let created = item(&v, "1");
    assert_eq!(created["status"], 201);
    let secret = created["body"]["temporaryAccessPass"]
        .as_str()
        .expect("pass");
    assert_eq!(emu.passes(PRADEEP)[0].temporary_access_pass, secret);
    assert!(created["headers"]["Content-Type"]
        .as_str()
        .expect("ct")
        .starts_with("application/json"));
    assert_eq!(item(&v, "2")["status"], 404);
    assert_eq!(
        item(&v, "2")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    let found = &item(&v, "3")["body"]["value"];
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!(found[0]["displayName"], "Johanna Lorenz");
    assert_eq!(
        item(&v, "4")["status"],
        403,
        "Adele may not issue for an admin"
    );
    assert_eq!(
        item(&v, "4")["body"]["error"]["code"],
        "Authorization_RequestDenied"
    );
    assert_eq!(item(&v, "5")["body"]["userPrincipalName"], ADELE);
    assert_eq!(item(&v, "6")["status"], 200);
    assert_eq!(
        item(&v, "6")["body"]["value"][0]["id"],
        created["body"]["id"]
    );
    assert_eq!(item(&v, "7")["status"], 424);
    assert_eq!(item(&v, "7")["body"]["error"]["code"], "FailedDependency");
    assert_eq!(
        item(&v, "8")["status"],
        424,
        "a failed dependency fails its dependents too"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn limits_ids_and_payload_validation() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let me = |id: usize| json!({"id": id.to_string(), "method": "GET", "url": "/me"});
    let twenty: Vec<Value> = (1..=20).map(me).collect();
    let (s, _, v) = batch(&emu, &token, json!(twenty)).await;
    assert_eq!((s, ids(&v).len()), (StatusCode::OK, 20));
    let twenty_one: Vec<Value> = (1..=21).map(me).collect();
    let r = batch(&emu, &token, json!(twenty_one)).await;
    assert_graph_error(
        &r,
        400,
        "BadRequest",
        "The number of batch requests exceeds 20",
    );
    let r = batch(&emu, &token, json!([me(1), me(1)])).await;
    assert_graph_error(&r, 400, "BadRequest", "duplicate request id '1'");
    let no_type = json!({"id": "1", "method": "POST", "url": taps_path(PRADEEP), "body": {}});
    let r = batch(&emu, &token, json!([no_type])).await;
    assert_graph_error(
        &r,
        400,
        "BadRequest",
        "does not contain Content-Type header or body",
    );
    let r = batch(
        &emu,
        &token,
        json!([{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]),
    )
    .await;
    assert_graph_error(&r, 400, "BadRequest", "not in the batch");
    let cycle = json!([
        {"id": "a", "method": "GET", "url": "/me", "dependsOn": ["b"]},
        {"id": "b", "method": "GET", "url": "/me", "dependsOn": ["a"]},
    ]);
    assert_graph_error(
        &batch(&emu, &token, cycle).await,
        400,
        "BadRequest",
        "cycle",
    );
    assert_graph_error(
        &batch(&emu, &token, json!([])).await,
        400,
        "BadRequest",
        "at least one",
    );
    let abs = json!([{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me"}]);
    assert_graph_error(
        &batch(&emu, &token, abs).await,
        400,
        "BadRequest",
        "relative",
    );
    // Without a token the envelope is refused, not each item.
    let r = graph(
        &emu,
        Method::POST,
        "/$batch",
        None,
        Some(json!({"requests": [me(1)]})),
        &[],
    )
    .await;
    assert_graph_error(&r, 401, "InvalidAuthenticationToken", "");
    // Nothing was created by the refused batches.
    assert!(emu.passes(PRADEEP).is_empty());
    // beta batches dispatch to beta (all properties without $select).
    let url = format!("{}/beta/$batch", emu.graph_url());
    let body =
        json!({"requests": [{"id": "1", "method": "GET", "url": format!("/users/{PRADEEP}")}]});
    let (s, _, v) = graph(&emu, Method::POST, &url, Some(&token), Some(body), &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(item(&v, "1")["body"]["accountEnabled"], true);
    emu.shutdown().await;
}

#[tokio::test]
async fn items_are_throttled_and_failed_on_their_own() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.inject(
        FaultRule::new(
            Match::graph()
                .method("POST")
                .path_contains("/temporaryAccessPassMethods"),
            FaultKind::Throttle {
                retry_after_secs: 4,
            },
        )
        .times(2),
    )
    .expect("rule");
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains(JOHANNA),
            FaultKind::ServerError(503),
        )
        .times(1),
    )
    .expect("rule");
    let hires: Vec<String> = (1..=4).map(seed::new_hire_upn).collect();
    let mut requests: Vec<Value> = hires
        .iter()
        .enumerate()
        .map(|(i, upn)| create_item(&format!("h{i}"), upn))
        .collect();
    requests.push(json!({"id": "j", "method": "GET", "url": format!("/users/{JOHANNA}")}));
    requests.push(json!({"id": "m", "method": "GET", "url": "/me"}));
    let (s, _, v) = batch(&emu, &token, json!(requests)).await;
    assert_eq!(s, StatusCode::OK, "the envelope itself succeeds");
    for id in ["h0", "h1"] {
        let it = item(&v, id);
        assert_eq!(it["status"], 429);
        assert_eq!(it["headers"]["Retry-After"], "4");
        assert_eq!(it["body"]["error"]["code"], "TooManyRequests");
    }
    assert_eq!(item(&v, "h2")["status"], 201);
    assert_eq!(item(&v, "h3")["status"], 201);
    assert_eq!(item(&v, "j")["status"], 503);
    assert_eq!(
        item(&v, "j")["body"]["error"]["code"],
        "serviceNotAvailable"
    );
    assert_eq!(item(&v, "m")["status"], 200);
    assert!(emu.passes(&hires[0]).is_empty() && emu.passes(&hires[1]).is_empty());
    assert_eq!(emu.passes(&hires[2]).len(), 1);
    let events = emu.events();
    let fired: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            Event::FaultInjected { method, path, .. } => Some((method.as_str(), path.as_str())),
            _ => None,
        })
        .collect();
    let first = taps_path(&hires[0]);
    assert_eq!(fired.len(), 3, "{fired:?}");
    assert_eq!(
        fired[0],
        ("POST", first.as_str()),
        "item-level faults name the item's path"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn envelope_faults_latency_once_and_drop_after_all_items_ran() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let delay = Duration::from_millis(250);
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains("/temporaryAccessPassMethods"),
            FaultKind::Latency(delay),
        )
        .times(5),
    )
    .expect("rule");
    let three: Vec<Value> = (1..=3)
        .map(|n| create_item(&n.to_string(), &seed::new_hire_upn(n)))
        .collect();
    let t0 = Instant::now();
    let (s, _, _) = batch(&emu, &token, json!(three)).await;
    assert!(t0.elapsed() >= delay);
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        emu.faults()[0].rule.times,
        Some(4),
        "latency applied once per batch"
    );
    emu.clear_faults();

    // Drop-after-write on an item: every item runs, then the whole envelope is cut off.
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains(&seed::new_hire_upn(5)),
            FaultKind::DropAfterWrite,
        )
        .times(1),
    )
    .expect("rule");
    let items: Vec<Value> = (4..=6)
        .map(|n| create_item(&n.to_string(), &seed::new_hire_upn(n)))
        .collect();
    let resp = http()
        .post(format!("{}/v1.0/$batch", emu.graph_url()))
        .bearer_auth(&token)
        .header("Origin", ORIGIN_OK)
        .json(&json!({ "requests": items }))
        .send()
        .await
        .expect("head arrives");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN_OK);
    assert!(resp.text().await.is_err());
    for n in 4..=6 {
        assert_eq!(emu.passes(&seed::new_hire_upn(n)).len(), 1, "item {n} ran");
    }
    // A throttled envelope processes nothing.
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains("/$batch"),
            FaultKind::Throttle {
                retry_after_secs: 2,
            },
        )
        .times(1),
    )
    .expect("rule");
    let r = batch(
        &emu,
        &token,
        json!([create_item("1", &seed::new_hire_upn(7))]),
    )
    .await;
    assert_graph_error(&r, 429, "TooManyRequests", "Too many requests.");
    assert_eq!(r.1["retry-after"], "2");
    assert!(emu.passes(&seed::new_hire_upn(7)).is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn bulk_issuing_for_every_new_hire() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let upns: Vec<String> = (1..=seed::NEW_HIRE_COUNT).map(seed::new_hire_upn).collect();
    for chunk in upns.chunks(20) {
        let requests: Vec<Value> = chunk.iter().map(|u| create_item(u, u)).collect();
        let (s, _, v) = batch(&emu, &token, json!(requests)).await;
        assert_eq!(s, StatusCode::OK);
        for u in chunk {
            assert_eq!(item(&v, u)["status"], 201, "{u}");
        }
    }
    assert!(upns.iter().all(|u| emu.passes(u).len() == 1));
    assert_eq!(
        count_events(&emu, |e| matches!(e, Event::PassCreated { .. })),
        seed::NEW_HIRE_COUNT
    );
    // The deterministic shuffle still answers every item exactly once.
    emu.update_settings(|s| s.shuffle_batch_responses = true);
    let requests: Vec<Value> = (1..=20)
        .map(|n| json!({"id": n.to_string(), "method": "GET", "url": taps_path(&upns[n])}))
        .collect();
    let (_, _, v) = batch(&emu, &token, json!(requests)).await;
    let mut got = ids(&v);
    assert_ne!(
        got,
        (1..=20).map(|n| n.to_string()).collect::<Vec<_>>(),
        "shuffled"
    );
    got.sort_by_key(|s| s.parse::<u32>().unwrap_or(0));
    assert_eq!(got, (1..=20).map(|n| n.to_string()).collect::<Vec<_>>());
    emu.shutdown().await;
}
