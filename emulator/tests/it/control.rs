//! Integration tests of the control API (`/_emulator/...`) and the static site listener.

use crate::support::flow::*;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn control_api_and_site_listener() {
    let dir = std::env::temp_dir().join(format!("tapdesk-emu-site-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>tapdesk</title>",
    )
    .expect("write");
    let emu = tapdesk_emulator::Emulator::start(tapdesk_emulator::EmulatorConfig {
        site: Some(tapdesk_emulator::SiteConfig {
            port: 0,
            dir: dir.clone(),
            config_json: None,
            path_prefix: "/".into(),
        }),
        ..Default::default()
    })
    .await
    .expect("start");
    let site = emu.site_url().expect("site");
    let resp = http().get(&site).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains(&emu.graph_url()));
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let cfg: Value = http()
        .get(format!("{site}config.json"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(cfg["clientId"], emu.client_id());
    assert_eq!(cfg["authority"], emu.authority());
    assert_eq!(cfg["graphBaseUrl"], emu.graph_url());
    assert_eq!(
        serde_json::from_str::<Value>(&emu.config_json()).expect("json"),
        cfg
    );
    assert_eq!(
        http()
            .get(format!("{site}..%2fCargo.toml"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        http()
            .get(format!("{site}missing.js"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    // The site URL was registered as redirect URI by default.
    let uris: Vec<String> = http()
        .get(format!("{}/_emulator/redirect-uris", emu.login_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(uris, vec![site.clone()]);

    let clock: Value = http()
        .post(format!("{}/_emulator/clock", emu.login_url()))
        .json(&serde_json::json!({"advanceMinutes": 90}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(clock["offsetSeconds"], 5400);
    let mut p = emu.policy();
    p.maximum_lifetime_in_minutes = 5;
    let bad = http()
        .put(format!("{}/_emulator/policy", emu.login_url()))
        .json(&p)
        .send()
        .await
        .expect("put");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    p.maximum_lifetime_in_minutes = 600;
    let ok = http()
        .put(format!("{}/_emulator/policy", emu.login_url()))
        .json(&p)
        .send()
        .await
        .expect("put");
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(emu.policy().maximum_lifetime_in_minutes, 600);
    let reset = http()
        .post(format!("{}/_emulator/reset", emu.login_url()))
        .send()
        .await
        .expect("post");
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(emu.policy().maximum_lifetime_in_minutes, 480);
    let events: Vec<Value> = http()
        .get(format!("{}/_emulator/events", emu.login_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(events.is_empty());
    emu.shutdown().await;

    let missing = tapdesk_emulator::Emulator::start(tapdesk_emulator::EmulatorConfig {
        site: Some(tapdesk_emulator::SiteConfig {
            port: 0,
            dir: dir.clone(),
            config_json: Some(String::new()),
            path_prefix: "/".into(),
        }),
        ..Default::default()
    })
    .await
    .expect("start");
    let site = missing.site_url().expect("site");
    assert_eq!(
        http()
            .get(format!("{site}config.json"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    missing.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
