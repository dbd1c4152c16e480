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

mod campaign;
mod campaign_screen;
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
/// `Retry-After` of those throttled creations, seconds.
const RETRY_AFTER_S: u32 = 1;
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

/// Records every `$batch` POST the page sends from now on in `window.__batches`: when `fetch`
/// was called and when its answer's headers arrived (`performance.now()`), without changing
/// the request. The page's HTTP client calls `window.fetch` by name, so wrapping it sees all.
const RECORD_BATCHES: &str = "window.__batches = [];
    if (!window.__fetchWrapped) {
        window.__fetchWrapped = true;
        const orig = window.fetch;
        window.fetch = function (input, init) {
            const url = typeof input === 'string' ? input : input.url;
            const method = (init && init.method) || (typeof input === 'string' ? 'GET' : input.method);
            const p = orig.apply(this, arguments);
            if (method === 'POST' && url.includes('/$batch')) {
                const rec = { sent: performance.now() };
                window.__batches.push(rec);
                p.then((r) => { rec.answered = performance.now(); rec.status = r.status; },
                    () => { rec.answered = performance.now(); rec.status = 0; });
            }
            return p;
        };
    }";

/// Where the page's run time goes, from the `$batch` POSTs it sent ([`RECORD_BATCHES`]).
#[derive(Clone, Debug, Default)]
struct RunTimeline {
    /// `$batch` POSTs sent during the run.
    batches: usize,
    /// Median and largest time from `fetch` to the answer's headers, ms.
    round_trip_median_ms: f64,
    round_trip_max_ms: f64,
    /// Time with no batch out at all (Retry-After waits, listing, the loop's own pacing), ms.
    nothing_out_ms: f64,
    /// From an answer that freed a slot to the next send, median, ms (sends of the first wave
    /// and sends after a Retry-After wait are left out: nothing was sendable).
    refill_median_ms: f64,
    /// From the last answer to the results on screen, ms.
    tail_ms: f64,
}

/// Reads [`RECORD_BATCHES`]' log; `t0`/`t1` are the page times of the click and of the results.
fn timeline(batches: &Value, t0: f64, t1: f64, in_flight: usize) -> RunTimeline {
    let mut b: Vec<(f64, f64)> = batches
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["sent"].as_f64()?, r["answered"].as_f64()?)))
        .collect();
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut rtt: Vec<f64> = b.iter().map(|(s, a)| a - s).collect();
    rtt.sort_by(f64::total_cmp);
    let median = |v: &[f64]| if v.is_empty() { 0.0 } else { v[v.len() / 2] };
    // Time with nothing out: gaps in the union of [sent, answered].
    let mut nothing_out = 0.0;
    let mut covered_to = t0;
    for &(s, a) in &b {
        if s > covered_to {
            nothing_out += s - covered_to;
        }
        covered_to = covered_to.max(a);
    }
    let last_answer = covered_to;
    nothing_out += (t1 - last_answer).max(0.0);
    // Refill: for a send that is not in the first wave, the latest answer before it, when
    // fewer than `in_flight` were out right after that answer.
    let mut refill = Vec::new();
    for (i, &(s, _)) in b.iter().enumerate().skip(in_flight) {
        let answers_before = b[..i].iter().map(|x| x.1).filter(|&a| a <= s);
        let Some(prev) = answers_before.reduce(f64::max) else {
            continue;
        };
        let out_then = b[..i].iter().filter(|x| x.0 <= prev && x.1 > prev).count();
        // A gap over a second is a Retry-After wait, not pacing.
        if out_then < in_flight && s - prev < 900.0 {
            refill.push(s - prev);
        }
    }
    refill.sort_by(f64::total_cmp);
    RunTimeline {
        batches: b.len(),
        round_trip_median_ms: median(&rtt),
        round_trip_max_ms: rtt.last().copied().unwrap_or(0.0),
        nothing_out_ms: nothing_out,
        refill_median_ms: median(&refill),
        tail_ms: (t1 - last_answer).max(0.0),
    }
}

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
        retry_after_secs: RETRY_AFTER_S,
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

/// What the page's run measured: dry run, run, the in-flight setting, where the run's time
/// went, and the longest chain of throttles of one create.
type PageFigures = (Row, Row, String, RunTimeline, usize);

/// The page's dry run and run of 1,000 passes.
async fn batched(h: Arc<Harness>) -> Result<PageFigures> {
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
    h.driver.execute(RECORD_BATCHES, vec![]).await?;
    let t0 = h.driver.execute(CLICK_AT, vec![json!(bulk::RUN)]).await?;
    let t1 = wait_for_mark(&h, "ran").await?;
    let run_counts = h.emu.graph_requests();
    let events = h.emu.events();
    check_passes(&h.emu, &upns, &events)?;
    let log = h.driver.execute("return window.__batches;", vec![]).await?;
    let slots = in_flight.trim().parse::<usize>().unwrap_or(1).max(1);
    let timeline = timeline(&log, t0.as_f64().unwrap_or(0.0), t1, slots);
    let run = Row {
        scenario: format!("page run: $batch of 20, {in_flight} in flight"),
        counts: run_counts,
        wall: page_ms(t0, t1)?,
        passes: Some(upns.len()),
        throttled: throttles(&events),
    };
    Ok((check, run, in_flight, timeline, throttle_chain(&events)))
}

/// The most throttles any one create got: its Retry-After waits are on the critical path.
fn throttle_chain(events: &[Event]) -> usize {
    let mut per_path = std::collections::HashMap::<&str, usize>::new();
    for e in events {
        if let Event::FaultInjected {
            kind: FaultKind::Throttle { .. },
            path,
            ..
        } = e
        {
            *per_path.entry(path.as_str()).or_default() += 1;
        }
    }
    per_path.values().copied().max().unwrap_or(0)
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

/// Batches of the emulator's own timing.
const EMULATOR_BATCHES: usize = 10;

/// The emulator's own time for one `$batch` of 20 creates, no fault injected, sent natively
/// (no browser): median and largest over [`EMULATOR_BATCHES`] batches, in ms.
async fn emulator_batch_ms() -> Result<(f64, f64)> {
    let emu = Emulator::start(EmulatorConfig::default()).await?;
    let result = emulator_batch_ms_on(&emu).await;
    emu.shutdown().await;
    result
}

async fn emulator_batch_ms_on(emu: &Emulator) -> Result<(f64, f64)> {
    let upns = emu.add_generated_users(EMULATOR_BATCHES * 20);
    let token = emu
        .issue_access_token(
            "megan.bowen@contoso.onmicrosoft.com",
            &["UserAuthMethod-TAP.ReadWrite.All"],
        )
        .map_err(|e| anyhow!("{e}"))?;
    let client = reqwest::Client::builder().no_proxy().build()?;
    let url = format!("{}/v1.0/$batch", emu.graph_url());
    let mut took = Vec::new();
    for chunk in upns.chunks(20) {
        let requests: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, upn)| {
                json!({"id": i.to_string(), "method": "POST",
                    "url": format!("/users/{upn}/authentication/temporaryAccessPassMethods"),
                    "headers": {"Content-Type": "application/json"}, "body": {"isUsableOnce": true}})
            })
            .collect();
        let started = Instant::now();
        let resp = client
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({ "requests": requests }))
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
        let created = body["responses"]
            .as_array()
            .map_or(0, |r| r.iter().filter(|x| x["status"] == 201).count());
        ensure!(
            status == 200 && created == chunk.len(),
            "$batch answered {status}: {body}"
        );
    }
    took.sort_by(f64::total_cmp);
    Ok((took[took.len() / 2], took[took.len() - 1]))
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

/// Prints the page's run against its ideal time and where the difference went; returns the
/// figures for the report. `emulator_ms` is the emulator's own time per `$batch` of 20
/// creates (median, largest).
fn print_ideal(
    run: &Row,
    in_flight: &str,
    tl: &RunTimeline,
    chain: usize,
    emulator_ms: (f64, f64),
) -> Value {
    // The ideal: the items actually sent (creates and their throttled retries) packed in full
    // batches, every round of batches in flight costing one latency, plus the Retry-After
    // waits of the most-throttled create, which nothing can overlap.
    let slots = in_flight.trim().parse::<usize>().unwrap_or(1).max(1);
    let items = usize::try_from(run.counts.batch_items).unwrap_or(usize::MAX);
    let batches = items.div_ceil(20);
    let rounds = batches.div_ceil(slots);
    let ideal = rounds as f64 * LATENCY.as_secs_f64() + chain as f64 * f64::from(RETRY_AFTER_S);
    let measured = run.wall.as_secs_f64();
    let over = measured / ideal.max(1e-9);
    println!("### the page's run against its ideal\n");
    println!("| | seconds |");
    println!("|---|---:|");
    println!("| ideal: {rounds} rounds ({items} items in {batches} full batches, {slots} in flight) × {} ms + {chain} × Retry-After {RETRY_AFTER_S} s (the most-throttled create) | {ideal:.2} |", LATENCY.as_millis());
    println!("| **measured** (click → results table) | **{measured:.2}** ({over:.2}x ideal; target ≤ 1.5x) |");
    println!(
        "| batches sent (retries go as soon as due, so some carry few items) | {} |",
        tl.batches
    );
    println!("| batch round trip in the browser, median / largest (fetch → answer headers; {} ms of it injected) | {:.3} / {:.3} |", LATENCY.as_millis(), tl.round_trip_median_ms / 1000.0, tl.round_trip_max_ms / 1000.0);
    println!("| the emulator's own time per $batch of 20 creates, median / largest (native client, nothing injected) | {:.3} / {:.3} |", emulator_ms.0 / 1000.0, emulator_ms.1 / 1000.0);
    println!(
        "| answer → next send when a slot was free, median (the run loop's pacing) | {:.3} |",
        tl.refill_median_ms / 1000.0
    );
    println!(
        "| nothing out at all (Retry-After waits, the results table) | {:.2} |",
        tl.nothing_out_ms / 1000.0
    );
    println!(
        "| of which last answer → results on screen | {:.2} |\n",
        tl.tail_ms / 1000.0
    );
    json!({"seconds": ideal, "rounds": rounds, "items": items, "fullBatches": batches, "batchesSent": tl.batches,
        "throttleChain": chain, "measuredOverIdeal": over,
        "emulatorBatchMs": {"median": emulator_ms.0, "max": emulator_ms.1}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn bulk_1000_users_batched_vs_sequential() -> Result<()> {
    let page: Arc<Mutex<Option<PageFigures>>> = Arc::default();
    let out = page.clone();
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let figures = batched(h).await?;
        *out.lock().map_err(|_| anyhow!("poisoned"))? = Some(figures);
        Ok(())
    })
    .await?;
    let (check, run, in_flight, tl, chain) = page
        .lock()
        .map_err(|_| anyhow!("poisoned"))?
        .take()
        .context("the page scenario left no figures")?;
    let seq = sequential().await?;
    let emulator_ms = emulator_batch_ms().await?;
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
    let ideal = print_ideal(&run, &in_flight, &tl, chain, emulator_ms);
    let report = json!({
        "users": USERS,
        "latencyMs": LATENCY.as_millis() as u64,
        "throttleShare": THROTTLE_SHARE,
        "faultSeed": FAULT_SEED,
        "batchesInFlight": in_flight,
        "rows": [row_json(&check), row_json(&run), row_json(&seq)],
        "ratioSequentialOverBatched": ratio,
        "ideal": ideal,
        "timeline": {"roundTripMedianMs": tl.round_trip_median_ms, "roundTripMaxMs": tl.round_trip_max_ms,
            "refillMedianMs": tl.refill_median_ms,
            "nothingOutMs": tl.nothing_out_ms, "tailMs": tl.tail_ms},
    });
    let path = bench_dir()?.join("bulk.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("written: {}", path.display());
    Ok(())
}
