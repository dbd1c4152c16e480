//! Benchmarks of bulk onboarding, run by `cargo xtask bench` (`#[ignore]`d otherwise): 1,000
//! passes through the page's `$batch` run against a sequential one-POST-per-user script, and
//! the JS heap while the page parses and checks 10,000 rows. They print figures (and write
//! them to `target/bench/`) and assert only correctness, never a time bound.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde_json::{json, Value};
use tapdesk_emulator::{
    Emulator, EmulatorConfig, Event, FaultKind, FaultRule, GraphRequestCounts, Match,
};

use super::count;
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk};

mod heap;
mod journeys;
mod screens;
mod startup;

/// Target users of the 1,000-user benchmark.
const USERS: usize = 1000;
/// Latency added to every Graph request (envelopes once).
const LATENCY: Duration = Duration::from_millis(50);
/// Share of pass creations answered 429 with `Retry-After: 1`.
const THROTTLE_SHARE: f64 = 0.05;
/// Fault generator seed, so both runs see a reproducible pattern.
const FAULT_SEED: u64 = 1000;
/// Own bound of the waits for a run or a dry run. The harness still ends a whole scenario
/// after `harness::SCENARIO_TIMEOUT` (180 s), which is the tighter bound in practice.
const RUN_BOUND: Duration = Duration::from_secs(15 * 60);
/// The sequential script gives up on a user after this many 429s.
const MAX_ATTEMPTS: u32 = 20;

/// Sets `window.__bench[key]` to `performance.now()` the moment an element matching `sel`
/// exists (a MutationObserver, so the time is the page's own, not the poll's).
const MARK_WHEN: &str = "const [sel, key] = arguments; window.__bench = window.__bench || {};
    delete window.__bench[key];
    const o = new MutationObserver(() => {
        if (document.querySelector(sel)) { window.__bench[key] = performance.now(); o.disconnect(); }
    });
    o.observe(document.body, { childList: true, subtree: true, characterData: true });";
/// Fills the paste box (`arguments[1]`) the way typing would end (one `input` event), without 400,000 keys.
const PASTE: &str = "const t = document.querySelector(arguments[1]); t.value = arguments[0];
    t.dispatchEvent(new Event('input', { bubbles: true }));";
/// Clicks `arguments[0]` and returns `performance.now()` just before.
const CLICK_AT: &str =
    "const t0 = performance.now(); document.querySelector(arguments[0]).click(); return t0;";

/// One row of the table.
#[derive(Clone, Debug)]
struct Row {
    scenario: String,
    counts: GraphRequestCounts,
    wall: Duration,
    passes: Option<usize>,
    throttled: usize,
}

/// The latency on every Graph request and the throttling of pass creations, seeded.
fn inject_load_faults(emu: &Emulator) -> Result<()> {
    emu.set_fault_seed(FAULT_SEED);
    emu.inject(FaultRule::new(Match::graph(), FaultKind::Latency(LATENCY)))
        .map_err(|e| anyhow!("{e}"))?;
    let creates = Match::graph()
        .method("POST")
        .path_contains("/temporaryAccessPassMethods");
    let throttle = FaultKind::Throttle {
        retry_after_secs: 1,
    };
    emu.inject(FaultRule::new(creates, throttle).share(THROTTLE_SHARE))
        .map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

fn throttles(events: &[Event]) -> usize {
    count(events, |e| {
        matches!(
            e,
            Event::FaultInjected {
                kind: FaultKind::Throttle { .. },
                ..
            }
        )
    })
}

/// Polls `window.__bench[key]` every 50 ms until the page set it (bounded by [`RUN_BOUND`]);
/// prints `#bulk-status` every 10 s so a long run shows progress.
async fn wait_for_mark(h: &Harness, key: &str) -> Result<f64> {
    let deadline = Instant::now() + RUN_BOUND;
    let mut next_report = Instant::now() + Duration::from_secs(10);
    loop {
        let v = h
            .driver
            .execute(
                "return (window.__bench || {})[arguments[0]] ?? null;",
                vec![json!(key)],
            )
            .await?;
        if let Some(t) = v.as_f64() {
            return Ok(t);
        }
        if Instant::now() >= deadline {
            bail!("`{key}` not reached within {} s", RUN_BOUND.as_secs());
        }
        if Instant::now() >= next_report {
            let status = h.text_content(bulk::STATUS).await?;
            eprintln!("[bench] {key}: {status}");
            next_report += Duration::from_secs(10);
        }
        tokio::time::sleep(harness::POLL).await;
    }
}

/// Pastes `upns`, clicks Check and waits for the verdict counts; returns the page-timed dry run
/// and the counts text.
async fn dry_run(h: &Harness, upns: &[String]) -> Result<(Duration, String)> {
    h.driver
        .execute(PASTE, vec![json!(upns.join("\n")), json!(bulk::PASTE)])
        .await?;
    h.driver
        .execute(MARK_WHEN, vec![json!(bulk::COUNTS), json!("checked")])
        .await?;
    let t0 = h.driver.execute(CLICK_AT, vec![json!(bulk::CHECK)]).await?;
    let t1 = wait_for_mark(h, "checked").await?;
    let text = h.wait_for_css(bulk::COUNTS).await?.text().await?;
    Ok((page_ms(t0, t1)?, text))
}

fn page_ms(t0: Value, t1: f64) -> Result<Duration> {
    let t0 = t0.as_f64().context("performance.now() before the click")?;
    Ok(Duration::from_secs_f64((t1 - t0).max(0.0) / 1000.0))
}

/// The page's dry run and run of 1,000 passes; returns (dry run, run, in-flight setting).
async fn batched(h: Arc<Harness>) -> Result<(Row, Row, String)> {
    let upns = h.emu.add_generated_users(USERS);
    boot::sign_in(&h, "megan.bowen").await?;
    bulk::open(&h).await?;
    h.wait_for_css(bulk::PASTE).await?;
    inject_load_faults(&h.emu)?;
    h.emu.reset_graph_counters();
    let (check_wall, counts_text) = dry_run(&h, &upns).await?;
    ensure!(
        counts_text.contains(&format!("{USERS} ready · 0 with warnings · 0 blocked")),
        "dry run: {counts_text}"
    );
    let check = Row {
        scenario: "page dry run (Check): $batch lookups".into(),
        counts: h.emu.graph_requests(),
        wall: check_wall,
        passes: None,
        throttled: 0,
    };
    let in_flight = h
        .wait_for_css(bulk::CONCURRENCY)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    h.emu.reset_graph_counters();
    h.driver
        .execute(MARK_WHEN, vec![json!(bulk::EXPORT), json!("ran")])
        .await?;
    let t0 = h.driver.execute(CLICK_AT, vec![json!(bulk::RUN)]).await?;
    let t1 = wait_for_mark(&h, "ran").await?;
    let run_counts = h.emu.graph_requests();
    let events = h.emu.events();
    check_passes(&h.emu, &upns, &events)?;
    let run = Row {
        scenario: format!("page run: $batch of 20, {in_flight} in flight"),
        counts: run_counts,
        wall: page_ms(t0, t1)?,
        passes: Some(upns.len()),
        throttled: throttles(&events),
    };
    Ok((check, run, in_flight))
}

/// Every user has exactly one pass; none was replaced; one creation per user.
fn check_passes(emu: &Emulator, upns: &[String], events: &[Event]) -> Result<()> {
    for u in upns {
        let n = emu.passes(u).len();
        ensure!(n == 1, "{u} has {n} passes");
    }
    ensure!(
        count(events, |e| matches!(e, Event::PassReplaced { .. })) == 0,
        "a pass was replaced"
    );
    let created = count(events, |e| matches!(e, Event::PassCreated { .. }));
    ensure!(created == upns.len(), "{created} passes created");
    Ok(())
}

/// What admins' PowerShell scripts do: one `POST` per user, in sequence, waiting `Retry-After`
/// on a 429 and sending again. Runs against its own fresh emulator with the same 1,000
/// generated users (same UPNs), the same faults and seed.
async fn sequential() -> Result<Row> {
    let emu = Emulator::start(EmulatorConfig::default()).await?;
    let result = sequential_on(&emu).await;
    emu.shutdown().await;
    result
}

async fn sequential_on(emu: &Emulator) -> Result<Row> {
    let upns = emu.add_generated_users(USERS);
    let token = emu
        .issue_access_token(
            "megan.bowen@contoso.onmicrosoft.com",
            &["UserAuthMethod-TAP.ReadWrite.All"],
        )
        .map_err(|e| anyhow!("{e}"))?;
    inject_load_faults(emu)?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(90))
        .build()?;
    emu.reset_graph_counters();
    let started = Instant::now();
    for upn in &upns {
        let url = format!(
            "{}/v1.0/users/{upn}/authentication/temporaryAccessPassMethods",
            emu.graph_url()
        );
        let mut attempts = 0;
        loop {
            attempts += 1;
            let resp = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"isUsableOnce": true}))
                .send()
                .await?;
            match resp.status().as_u16() {
                201 => break,
                429 if attempts < MAX_ATTEMPTS => {
                    let secs = resp
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                        .unwrap_or(1);
                    // The server's own instruction, as a careful script follows it.
                    tokio::time::sleep(Duration::from_secs(secs)).await;
                }
                s => bail!(
                    "{upn}: {s} after {attempts} attempts: {}",
                    resp.text().await?
                ),
            }
        }
    }
    let wall = started.elapsed();
    let events = emu.events();
    check_passes(emu, &upns, &events)?;
    Ok(Row {
        scenario: "sequential script: one POST per user".into(),
        counts: emu.graph_requests(),
        wall,
        passes: Some(upns.len()),
        throttled: throttles(&events),
    })
}

fn bench_dir() -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

fn row_json(r: &Row) -> Value {
    json!({
        "scenario": r.scenario,
        "httpRequests": r.counts.http_requests,
        "preflights": r.counts.preflights,
        "batchItems": r.counts.batch_items,
        "wallSeconds": r.wall.as_secs_f64(),
        "passes": r.passes,
        "throttledItems": r.throttled,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn bulk_1000_users_batched_vs_sequential() -> Result<()> {
    let page: Arc<Mutex<Option<(Row, Row, String)>>> = Arc::default();
    let out = page.clone();
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let figures = batched(h).await?;
        *out.lock().map_err(|_| anyhow!("poisoned"))? = Some(figures);
        Ok(())
    })
    .await?;
    let (check, run, in_flight) = page
        .lock()
        .map_err(|_| anyhow!("poisoned"))?
        .take()
        .context("the page scenario left no figures")?;
    let seq = sequential().await?;
    let ratio = seq.wall.as_secs_f64() / run.wall.as_secs_f64().max(1e-9);
    println!("\n### bulk onboarding, {USERS} users: {} ms latency on every Graph request, {:.0} % of creations throttled (Retry-After 1 s), fault seed {FAULT_SEED}\n", LATENCY.as_millis(), THROTTLE_SHARE * 100.0);
    println!("| scenario | HTTP requests | batch items | wall time | passes |");
    println!("|---|---:|---:|---:|---:|");
    for r in [&check, &run, &seq] {
        println!(
            "| {} | {} | {} | {:.2} s | {} |",
            r.scenario,
            r.counts.http_requests,
            r.counts.batch_items,
            r.wall.as_secs_f64(),
            r.passes.map_or("–".into(), |p| p.to_string())
        );
    }
    println!("\nbatches in flight (#bulk-concurrency): {in_flight}");
    println!(
        "throttled creations: page {} · sequential {}; CORS preflights: dry run {} · run {}",
        run.throttled, seq.throttled, check.counts.preflights, run.counts.preflights
    );
    println!("speed ratio sequential / batched: {ratio:.1}x\n");
    let report = json!({
        "users": USERS,
        "latencyMs": LATENCY.as_millis() as u64,
        "throttleShare": THROTTLE_SHARE,
        "faultSeed": FAULT_SEED,
        "batchesInFlight": in_flight,
        "rows": [row_json(&check), row_json(&run), row_json(&seq)],
        "ratioSequentialOverBatched": ratio,
    });
    let path = bench_dir()?.join("bulk.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("written: {}", path.display());
    Ok(())
}
