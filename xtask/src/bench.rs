//! `cargo xtask bench`: the dist size table, then the `#[ignore]`d benchmark scenarios of the
//! end-to-end suite (`tests/e2e/bench.rs`) against the release page, then their key figures.
//!
//! Benchmarks print figures and assert only correctness; nothing here fails on a time.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::build::{self, Profile};
use crate::sizes;
use crate::test::{summarize, timed, with_test_env};
use crate::tools::{self, SetupOptions};

/// The speed-up of the page's batched run over a sequential script that we aim for.
const TARGET_RATIO: f64 = 20.0;
/// Issue 6's start-up target: page-open → Sign in button, median, on localhost.
const START_UP_MS: f64 = 150.0;

/// Setup (with browser), release build, size table, the benchmark tests (one at a time, output
/// shown), then a summary of `target/bench/*.json`.
pub fn bench() -> Result<()> {
    let mut stages = Vec::new();
    let toolbox = timed(&mut stages, "setup --browser", || {
        tools::setup(SetupOptions { browser: true })
    });
    let Some(toolbox) = toolbox else {
        return summarize(&stages);
    };
    if timed(&mut stages, "build (split release)", || {
        build::build(&toolbox, Profile::Release)
    })
    .is_none()
    {
        return summarize(&stages);
    }
    timed(&mut stages, "sizes", sizes::print_sizes);
    let out = toolbox.shell.root.join("target").join("bench");
    for name in ["bulk.json", "heap.json", "journeys.json", "screens.json"] {
        // A figure left from an earlier run must not pass for this run's.
        let _ = std::fs::remove_file(out.join(name));
    }
    timed(&mut stages, "benchmarks (e2e, --ignored)", || {
        let mut cmd = toolbox.shell.cargo();
        cmd.args(["test", "-p", "tapdesk", "--test", "e2e", "bench::"])
            .args(["--", "--ignored", "--nocapture", "--test-threads=1"]);
        toolbox.shell.run(with_test_env(&toolbox, &mut cmd))
    });
    print_figures(&out);
    summarize(&stages)
}

/// The headline figures of the JSON reports the scenarios wrote (missing ones are named).
fn print_figures(dir: &Path) {
    println!("\n=== figures ===");
    match read(&dir.join("bulk.json")) {
        Ok(b) => {
            for row in b["rows"].as_array().into_iter().flatten() {
                println!(
                    "{:<44} {:>6} requests {:>6} batch items {:>8.2} s",
                    row["scenario"].as_str().unwrap_or("?"),
                    row["httpRequests"],
                    row["batchItems"],
                    row["wallSeconds"].as_f64().unwrap_or(f64::NAN)
                );
            }
            let ratio = b["ratioSequentialOverBatched"].as_f64().unwrap_or(f64::NAN);
            let verdict = if ratio >= TARGET_RATIO {
                "meets"
            } else {
                "BELOW"
            };
            println!(
                "sequential / batched: {ratio:.1}x ({verdict} the {TARGET_RATIO:.0}x target; {} batches in flight)",
                b["batchesInFlight"].as_str().unwrap_or("?")
            );
        }
        Err(e) => println!("bulk.json: {e:#}"),
    }
    match read(&dir.join("heap.json")) {
        Ok(h) => println!(
            "{} rows: V8 heap {:.1} → peak {:.1} MiB; wasm memory {:.1} MiB after; dry run {} Graph requests, {:.2} s",
            h["rows"],
            mib(&h["v8UsedHeapBytes"]["before"]),
            mib(&h["v8UsedHeapBytes"]["peak"]),
            mib(&h["wasmMemoryBytes"]["after"]),
            h["graph"]["httpRequests"],
            h["dryRunSeconds"].as_f64().unwrap_or(f64::NAN)
        ),
        Err(e) => println!("heap.json: {e:#}"),
    }
    match read(&dir.join("journeys.json")) {
        Ok(j) => {
            let ms = |v: &Value| {
                format!(
                    "median {:.0} ms (min {:.0}, max {:.0}, {} runs)",
                    v["median"].as_f64().unwrap_or(f64::NAN),
                    v["min"].as_f64().unwrap_or(f64::NAN),
                    v["max"].as_f64().unwrap_or(f64::NAN),
                    v["runs"]
                )
            };
            let ready = &j["coldSignInButton"]["readyMs"];
            let verdict = if ready["median"].as_f64().unwrap_or(f64::INFINITY) <= START_UP_MS {
                "meets"
            } else {
                "OVER"
            };
            println!(
                "cold page-open → Sign in button: {} ({verdict} the {START_UP_MS:.0} ms target)",
                ms(ready)
            );
            println!(
                "page-open → signed-in home (silent sign-in): {}",
                ms(&j["signedInHomeMs"])
            );
            let p = &j["criticalPath"];
            println!(
                "Graph requests: sign in {} · open a user {} ({} batch items) · create {}; discovery fetched {}x",
                p["signIn"]["requests"],
                p["openUser"]["requests"],
                p["openUser"]["batchItems"],
                p["create"]["requests"],
                p["discoveryFetches"]
            );
            println!(
                "after the single-user journeys: V8 heap {:.1} MiB, wasm memory {:.1} MiB",
                mib(&j["afterJourneys"]["v8UsedHeapBytes"]),
                mib(&j["afterJourneys"]["wasmMemoryBytes"])
            );
        }
        Err(e) => println!("journeys.json: {e:#}"),
    }
    match read(&dir.join("screens.json")) {
        Ok(s) => {
            println!(
                "Graph requests to open: Policy {} · Audit trail {} · Pass holders (whole tenant) {}",
                s["policyOpen"]["requests"], s["auditOpen"]["requests"], s["holdersTenantScan"]["requests"]
            );
            println!(
                "tracker, {} users: {} requests per round; {:.0} requests/min at the first wait, {:.0}/min once backed off",
                s["trackedUsers"],
                s["trackerRound"]["requests"],
                s["trackerRequestsPerMinute"][0].as_f64().unwrap_or(f64::NAN),
                s["trackerSteadyRequestsPerMinute"].as_f64().unwrap_or(f64::NAN)
            );
        }
        Err(e) => println!("screens.json: {e:#}"),
    }
}

fn read(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("not written ({})", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

fn mib(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN) / 1_048_576.0
}
