//! Integration tests of fault injection on direct Graph calls and on the sign-in origin:
//! latency, throttling, 5xx, drop-after-write, timeouts, seeded shares, and the control API.

use std::time::{Duration, Instant};

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::{Event, FaultKind, FaultRule, Match};

fn is_fault(e: &Event, kind: &FaultKind) -> bool {
    matches!(e, Event::FaultInjected { kind: k, .. } if k == kind)
}

fn created_for(emu: &tapdesk_emulator::Emulator, upn: &str) -> usize {
    let id = emu.user_id(upn).expect("user");
    count_events(
        emu,
        |e| matches!(e, Event::PassCreated { user_id, .. } if *user_id == id),
    )
}

#[tokio::test]
async fn latency_delays_only_matching_requests() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let delay = Duration::from_millis(300);
    emu.inject(FaultRule::new(
        Match::graph().method("GET").path_contains("/me"),
        FaultKind::Latency(delay),
    ))
    .expect("rule");
    let t0 = Instant::now();
    let (s, _, v) = graph(&emu, Method::GET, "/me", Some(&token), None, &[]).await;
    assert!(t0.elapsed() >= delay, "delayed by at least the latency");
    assert_eq!(
        (s, v["userPrincipalName"].as_str()),
        (StatusCode::OK, Some(ADELE))
    );
    let events = emu.events();
    let fired: Vec<&Event> = events
        .iter()
        .filter(|e| is_fault(e, &FaultKind::Latency(delay)))
        .collect();
    assert_eq!(
        fired,
        vec![&Event::FaultInjected {
            kind: FaultKind::Latency(delay),
            method: "GET".into(),
            path: "/me".into()
        }]
    );
    // A request the rule does not match records nothing.
    let (s, _, _) = graph(
        &emu,
        Method::GET,
        &taps_path(PRADEEP),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        count_events(&emu, |e| matches!(e, Event::FaultInjected { .. })),
        1
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn throttle_is_429_with_retry_after_and_nothing_happens() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.inject(
        FaultRule::new(
            Match::graph()
                .method("POST")
                .path_contains("/temporaryAccessPassMethods"),
            FaultKind::Throttle {
                retry_after_secs: 7,
            },
        )
        .times(1),
    )
    .expect("rule");
    let r = graph(
        &emu,
        Method::POST,
        &taps_path(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[("Origin", ORIGIN_OK)],
    )
    .await;
    assert_graph_error(&r, 429, "TooManyRequests", "Too many requests.");
    assert_eq!(r.1["retry-after"], "7");
    assert_eq!(r.1["access-control-allow-origin"], ORIGIN_OK);
    // Sent, but not exposed to a page's script by default (Settings::expose_retry_after).
    assert!(!r.1["access-control-expose-headers"]
        .to_str()
        .expect("ascii")
        .contains("Retry-After"));
    assert!(
        emu.passes(PRADEEP).is_empty(),
        "a throttled request is not processed"
    );
    assert_eq!(created_for(&emu, PRADEEP), 0);
    // The rule was used up: the retry goes through.
    let (s, _, _) = graph(
        &emu,
        Method::POST,
        &taps_path(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(emu.faults().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn server_errors_use_graph_envelopes_and_do_not_process() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    for (status, code) in [
        (500, "generalException"),
        (502, "BadGateway"),
        (503, "serviceNotAvailable"),
        (504, "GatewayTimeout"),
    ] {
        emu.inject(
            FaultRule::new(
                Match::graph().method("POST"),
                FaultKind::ServerError(status),
            )
            .times(1),
        )
        .expect("rule");
        let r = graph(
            &emu,
            Method::POST,
            &taps_path(PRADEEP),
            Some(&token),
            Some(json!({})),
            &[],
        )
        .await;
        assert_graph_error(&r, status, code, "");
    }
    assert!(emu.passes(PRADEEP).is_empty());
    assert!(emu
        .inject(FaultRule::new(Match::graph(), FaultKind::ServerError(404)))
        .is_err());
    emu.shutdown().await;
}

#[tokio::test]
async fn drop_after_write_creates_the_pass_but_the_body_never_arrives() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.inject(
        FaultRule::new(
            Match::graph().path_contains("/temporaryAccessPassMethods"),
            FaultKind::DropAfterWrite,
        )
        .times(1),
    )
    .expect("rule");
    let resp = http()
        .post(format!("{}/v1.0{}", emu.graph_url(), taps_path(PRADEEP)))
        .bearer_auth(&token)
        .header("Origin", ORIGIN_OK)
        .json(&json!({}))
        .send()
        .await
        .expect("the status line and headers arrive");
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        ORIGIN_OK,
        "CORS still passes"
    );
    assert!(
        resp.text().await.is_err(),
        "reading the body fails like a network error"
    );
    // The write happened.
    assert_eq!(emu.passes(PRADEEP).len(), 1);
    assert_eq!(created_for(&emu, PRADEEP), 1);
    assert_eq!(
        count_events(&emu, |e| is_fault(e, &FaultKind::DropAfterWrite)),
        1
    );
    // A list shows the pass the client never saw (without its secret).
    let (s, _, v) = graph(
        &emu,
        Method::GET,
        &taps_path(PRADEEP),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (s, v["value"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn timeout_hangs_without_processing_until_the_client_gives_up_or_shutdown() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    emu.inject(FaultRule::new(Match::graph().method("POST"), FaultKind::Timeout).times(1))
        .expect("rule");
    let err = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client")
        .post(format!("{}/v1.0{}", emu.graph_url(), taps_path(PRADEEP)))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .expect_err("no answer in time");
    assert!(err.is_timeout(), "{err}");
    assert!(emu.passes(PRADEEP).is_empty());
    assert_eq!(count_events(&emu, |e| is_fault(e, &FaultKind::Timeout)), 1);

    // With a short hold the request ends in a 504, still unprocessed.
    emu.update_settings(|s| s.fault_timeout_hold = Duration::from_millis(50));
    emu.inject(FaultRule::new(Match::graph().method("POST"), FaultKind::Timeout).times(1))
        .expect("rule");
    let r = graph(
        &emu,
        Method::POST,
        &taps_path(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_graph_error(&r, 504, "GatewayTimeout", "timed out");
    assert!(emu.passes(PRADEEP).is_empty());
    // Shutdown ends the first request's 65-second hold instead of waiting for it.
    emu.shutdown().await;
}

async fn statuses(emu: &tapdesk_emulator::Emulator, token: &str, n: usize) -> Vec<u16> {
    let mut out = vec![];
    for _ in 0..n {
        let (s, _, _) = graph(emu, Method::GET, "/me", Some(token), None, &[]).await;
        out.push(s.as_u16());
    }
    out
}

#[tokio::test]
async fn shares_are_deterministic_for_a_seed() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let rule = FaultRule::new(
        Match::graph().path_contains("/me"),
        FaultKind::Throttle {
            retry_after_secs: 1,
        },
    )
    .share(0.5);
    emu.set_fault_seed(42);
    emu.inject(rule.clone()).expect("rule");
    let first = statuses(&emu, &token, 30).await;
    assert!(first.contains(&200) && first.contains(&429), "{first:?}");
    assert!(first.iter().all(|s| *s == 200 || *s == 429));

    emu.clear_faults();
    emu.set_fault_seed(42);
    emu.inject(rule.clone()).expect("rule");
    assert_eq!(
        statuses(&emu, &token, 30).await,
        first,
        "same seed, same run"
    );

    emu.clear_faults();
    emu.set_fault_seed(43);
    emu.inject(rule).expect("rule");
    let other = statuses(&emu, &token, 30).await;
    assert_ne!(other, first, "another seed, another run");
    // Every 429 of the three runs was recorded as a fired fault, and nothing else was.
    let throttled = 2 * first.iter().filter(|s| **s == 429).count()
        + other.iter().filter(|s| **s == 429).count();
    assert_eq!(
        count_events(&emu, |e| matches!(e, Event::FaultInjected { .. })),
        throttled
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn control_api_adds_lists_and_removes_rules_and_login_faults_fire() {
    let emu = start().await;
    let c = http();
    let base = format!("{}/_emulator/faults", emu.login_url());
    let rule = json!({
        "match": {"origin": "login", "method": "POST", "pathContains": "/oauth2/v2.0/token"},
        "kind": {"type": "throttle", "retryAfterSecs": 3},
        "times": 1
    });
    let resp = c.post(&base).json(&rule).send().await.expect("post");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.json::<Value>().await.expect("json")["id"]
        .as_u64()
        .expect("id");
    let resp = c
        .put(format!("{base}/seed"))
        .json(&json!({"seed": 9}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let listed: Value = c
        .get(&base)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["seed"], 9);
    assert_eq!(listed["rules"][0]["id"], id);
    assert_eq!(listed["rules"][0]["kind"], rule["kind"]);
    assert_eq!(
        listed["rules"][0]["match"]["pathContains"],
        "/oauth2/v2.0/token"
    );
    let bad = json!({"kind": {"type": "serverError", "status": 418}});
    let resp = c.post(&base).json(&bad).send().await.expect("post");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // The token endpoint is throttled once; the code was not used, so the retry works.
    let code = Browser::new()
        .sign_in(&emu, ADELE, &scope(&emu, TAP_PERMS), false)
        .await;
    let form = [
        ("client_id", emu.client_id()),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (s, h, v) = token_request(&emu, &form, Some(ORIGIN_OK)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(h["retry-after"], "3");
    assert_eq!(h["access-control-allow-origin"], ORIGIN_OK);
    assert_eq!(v["error_codes"], json!([90055]));
    let (s, _, v) = token_request(&emu, &form, Some(ORIGIN_OK)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Remove one rule by id, then clear all.
    let rule2 = json!({"kind": {"type": "latency", "ms": 1}});
    let id2 = c
        .post(&base)
        .json(&rule2)
        .send()
        .await
        .expect("post")
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_u64()
        .expect("id");
    assert_eq!(emu.faults().len(), 1);
    let resp = c
        .delete(format!("{base}/{id2}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = c
        .delete(format!("{base}/{id2}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    c.post(&base).json(&rule2).send().await.expect("post");
    let resp = c.delete(&base).send().await.expect("delete");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(emu.faults().is_empty());
    // The control API itself is never faulted.
    emu.inject(FaultRule::new(Match::login(), FaultKind::ServerError(503)))
        .expect("rule");
    assert_eq!(
        c.get(&base).send().await.expect("get").status(),
        StatusCode::OK
    );
    emu.shutdown().await;
}
