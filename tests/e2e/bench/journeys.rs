//! Start-up and the single-user journeys: cold page-open → Sign in button, page-open → signed-in
//! home (a reload that signs in silently), each over [`RUNS`] runs, with the phases that make
//! them up; the Graph requests of signing in, opening a user and creating a pass; and the JS
//! heap and wasm memory after those journeys. Every time comes from the browser's own timeline
//! (Navigation and Resource Timing, and the page's User Timing marks).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::heap::{cdp_heap, wasm_memory};
use super::{bench_dir, RUN_BOUND};
use crate::harness::{self, Harness, Options, SessionPost};
use crate::round_trips::{self, requests};

/// Runs of each start-up measure.
const RUNS: usize = 15;

/// The phases of the page that just loaded, in ms since page-open (navigation start), once
/// `mark` exists; null before.
const PHASES: &str = "const mark = arguments[0];
    const m = performance.getEntriesByName(mark);
    if (!m.length) { return null; }
    const nav = performance.getEntriesByType('navigation')[0] || {};
    const res = performance.getEntriesByType('resource');
    const end = (re) => { const r = res.find((e) => re.test(e.name)); return r ? r.responseEnd : null; };
    const at = (name) => { const e = performance.getEntriesByName(name); return e.length ? e[0].startTime : null; };
    return { ready: m[0].startTime, html: nav.responseEnd ?? null, domContentLoaded: nav.domContentLoadedEventEnd ?? null,
        wasm: end(/_bg\\.wasm/), glue: end(/tapdesk-[0-9a-f]+\\.js/), config: end(/config\\.json/),
        wasmStarted: at('tapdesk:wasm-started'),
        transferred: res.reduce((s, e) => s + (e.transferSize || 0), nav.transferSize || 0) };";

/// Empties Chromium's HTTP cache, so the next load is cold.
async fn clear_cache(h: &Harness) -> Result<()> {
    h.driver
        .issue_cmd(SessionPost {
            path: "goog/cdp/execute",
            body: json!({"cmd": "Network.clearBrowserCache", "params": {}}).to_string(),
        })
        .await?;
    Ok(())
}

/// Polls [`PHASES`] for `mark` until the page set it (bounded by `RUN_BOUND`).
async fn phases_when(h: &Harness, mark: &str) -> Result<Value> {
    let deadline = Instant::now() + RUN_BOUND;
    loop {
        // A navigation in progress makes the script fail: that is "not yet".
        if let Ok(v) = h.driver.execute(PHASES, vec![json!(mark)]).await {
            if !v.is_null() {
                return Ok(v);
            }
        }
        if Instant::now() >= deadline {
            bail!("`{mark}` never appeared");
        }
        tokio::time::sleep(harness::POLL).await;
    }
}

/// Median, min and max of `key` over `runs`, in ms.
fn spread(runs: &[Value], key: &str) -> Value {
    let mut v: Vec<f64> = runs.iter().filter_map(|r| r[key].as_f64()).collect();
    if v.is_empty() {
        return Value::Null;
    }
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    json!({"median": median, "min": v[0], "max": v[v.len() - 1], "runs": v.len()})
}

fn row(name: &str, runs: &[Value], key: &str) -> String {
    let s = spread(runs, key);
    let f = |k: &str| s[k].as_f64().map_or("–".into(), |x| format!("{x:.0}"));
    format!("| {name} | {} | {} | {} |", f("median"), f("min"), f("max"))
}

/// Cold page-open → Sign in button, [`RUNS`] times (HTTP cache emptied before each).
async fn cold_sign_in_button(h: &Harness) -> Result<Vec<Value>> {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        clear_cache(h).await?;
        h.goto_page().await?;
        runs.push(phases_when(h, "tapdesk:sign-in-ready").await?);
    }
    Ok(runs)
}

/// Page-open → signed-in home with the policy shown: a reload of a signed-in tab, which signs
/// in again silently (authority round trip, token, policy), cache emptied before each. Times
/// run from the first document's start to the mark in the last one (epoch ms on both sides).
async fn signed_in_home(h: &Harness) -> Result<Vec<Value>> {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        clear_cache(h).await?;
        let t0 = h
            .driver
            .execute(
                "performance.clearMarks(); const t0 = performance.timeOrigin + performance.now();
                 setTimeout(() => location.reload(), 0); return t0;",
                vec![],
            )
            .await?
            .as_f64()
            .context("start time")?;
        // The old document's marks were cleared, so the mark can only come from the new one.
        let mut phases = phases_when(h, "tapdesk:home-ready").await?;
        let origin = h
            .driver
            .execute("return performance.timeOrigin;", vec![])
            .await?
            .as_f64()
            .context("timeOrigin")?;
        let ready = phases["ready"].as_f64().unwrap_or(f64::NAN);
        phases["home"] = json!(origin + ready - t0);
        runs.push(phases);
    }
    Ok(runs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn start_up_and_single_user_journeys() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let cold = cold_sign_in_button(&h).await?;
        let path = round_trips::walk(&h).await?;
        let heap = cdp_heap(&h).await?;
        let wasm = wasm_memory(&h).await?;
        let home = signed_in_home(&h).await?;

        println!("\n### start-up on localhost, headless Chromium, HTTP cache emptied before each of {RUNS} runs (ms since page-open)\n");
        println!("| measure | median | min | max |");
        println!("|---|---:|---:|---:|");
        for (name, key) in [
            ("index.html received", "html"),
            ("wasm received", "wasm"),
            ("wasm compiled and started (main)", "wasmStarted"),
            ("config.json received", "config"),
            ("**Sign in button on screen**", "ready"),
        ] {
            println!("{}", row(name, &cold, key));
        }
        println!("{}", row("**signed-in home (silent sign-in + policy)**", &home, "home"));
        let bytes = spread(&cold, "transferred");
        println!("\nbytes transferred on a cold open (Resource Timing transferSize): {}", bytes["median"]);
        println!("\n### Graph requests on the critical path (CORS preflights apart)\n");
        println!("| journey | requests | preflights | batch items |");
        println!("|---|---:|---:|---:|");
        for (name, c) in [("sign in → home", &path.sign_in), ("open a user", &path.open_user), ("create a pass", &path.create)] {
            println!("| {name} | {} | {} | {} |", requests(c), c.preflights, c.batch_items);
        }
        println!("\ndiscovery documents fetched over sign-in and a reload: {}", path.discovery);
        println!("after these journeys: V8 used heap {:.1} MiB, wasm memory {}\n", heap / 1_048_576.0,
            wasm.map_or("n/a".into(), |w| format!("{:.1} MiB", w / 1_048_576.0)));
        let c = |c: &tapdesk_emulator::GraphRequestCounts| json!({"requests": requests(c), "preflights": c.preflights, "batchItems": c.batch_items});
        let report = json!({
            "runs": RUNS,
            "coldSignInButton": {"readyMs": spread(&cold, "ready"), "htmlMs": spread(&cold, "html"), "wasmMs": spread(&cold, "wasm"),
                "wasmStartedMs": spread(&cold, "wasmStarted"), "configMs": spread(&cold, "config"), "transferredBytes": bytes},
            "signedInHomeMs": spread(&home, "home"),
            "criticalPath": {"signIn": c(&path.sign_in), "openUser": c(&path.open_user), "create": c(&path.create), "discoveryFetches": path.discovery},
            "afterJourneys": {"v8UsedHeapBytes": heap, "wasmMemoryBytes": wasm},
        });
        let out = bench_dir()?.join("journeys.json");
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", out.display());
        Ok(())
    })
    .await
}
