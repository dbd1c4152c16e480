//! `cargo xtask bench`: the dist size table, then the `#[ignore]`d benchmark scenarios of the
//! end-to-end suite (`tests/e2e/bench.rs`) against the release page, then their key figures.
//!
//! Benchmarks print figures and assert only correctness; nothing here fails on a time.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::build::{self, Profile};
use crate::sizes;
use crate::test::{summarize, timed, with_test_env};
use crate::tools::{self, SetupOptions};

/// The speed-up of the page's batched run over a sequential script that we aim for.
const TARGET_RATIO: f64 = 20.0;
/// Issue 14's slow-4G targets: Sign in usable, signed-in home, any other screen's first open
/// (medians, ms) and the initial download (bytes).
const SLOW_SIGN_IN_MS: f64 = 2000.0;
const SLOW_HOME_MS: f64 = 3500.0;
const SLOW_SCREEN_MS: f64 = 1500.0;
const INITIAL_BYTES: f64 = 200_000.0;
/// Issue 6's start-up target: page-open → Sign in button, median, on localhost.
const START_UP_MS: f64 = 150.0;

/// The start-up benchmark's builds: `label=path,…`.
const STARTUP_DISTS: &str = "TAPDESK_STARTUP_DISTS";

/// `dist` and every `dist-*` folder of `roots` holding a built page, each labelled with its
/// folder name (`dist` first, then by name; the first root wins a name found twice).
fn startup_dists(roots: &[&Path]) -> Result<String> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for root in roots {
        if !root.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(root)
            .with_context(|| format!("cannot list {}", root.display()))?
            .filter_map(|e| e.ok())
        {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if (name == "dist" || name.starts_with("dist-"))
                && entry.path().join("index.html").is_file()
                && !found.iter().any(|(n, _)| *n == name)
            {
                found.push((name, entry.path()));
            }
        }
    }
    found.sort_by_key(|(n, _)| (n != "dist", n.clone()));
    Ok(found
        .iter()
        .map(|(n, p)| format!("{n}={}", p.display()))
        .collect::<Vec<_>>()
        .join(","))
}

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
    // Today's one-module page beside the split one, for the start-up comparison.
    timed(&mut stages, "build (single module, for comparison)", || {
        build::build_single(&toolbox, Profile::Release)
    });
    timed(&mut stages, "sizes", sizes::print_sizes);
    let out = toolbox.shell.root.join("target").join("bench");
    for name in [
        "bulk.json",
        "campaign.json",
        "campaign-screen.json",
        "heap.json",
        "journeys.json",
        "screens.json",
        "startup.json",
    ] {
        // A figure left from an earlier run must not pass for this run's.
        let _ = std::fs::remove_file(out.join(name));
    }
    timed(&mut stages, "benchmarks (e2e, --ignored)", || {
        let mut cmd = toolbox.shell.cargo();
        cmd.args(["test", "-p", "tapdesk", "--test", "e2e", "bench::"])
            .args(["--", "--ignored", "--nocapture", "--test-threads=1"]);
        with_test_env(&toolbox, &mut cmd);
        // The start-up benchmark compares every built page folder side by side, unless the
        // caller named them.
        if std::env::var_os(STARTUP_DISTS).is_none() {
            let root = &toolbox.shell.root;
            let dists = startup_dists(&[root, &root.join("target")])?;
            println!("[bench] {STARTUP_DISTS}={dists}");
            cmd.env(STARTUP_DISTS, dists);
        }
        toolbox.shell.run(&mut cmd)
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
    match read(&dir.join("campaign.json")) {
        Ok(c) => {
            let k = &c["classify"];
            println!(
                "campaign: {} report rows in {} requests ({} a page), read in {:.2} s, classified in {:.1} ms (native, debug build; {} phone-only)",
                k["users"], k["requests"], k["pageSize"],
                k["readSeconds"].as_f64().unwrap_or(f64::NAN),
                k["classifyMs"].as_f64().unwrap_or(f64::NAN),
                k["phoneOnly"]
            );
            let p = &c["holders"];
            println!(
                "pass holders in a {}-user tenant ({} hold a pass): {} requests with the registration report, {} without (the report leaves out {} disabled holders)",
                p["users"], p["holders"], p["withReport"], p["withoutReport"], p["reportLeavesOut"]
            );
        }
        Err(e) => println!("campaign.json: {e:#}"),
    }
    match read(&dir.join("campaign-screen.json")) {
        Ok(c) => println!(
            "campaign screen, {} users: V8 heap {:.1} → peak {:.1} → {:.1} MiB after, wasm memory {:.1} MiB; held {:.1} MiB (target under 50 MB); consent, sign-in and read {:.2} s, {} Graph requests",
            c["users"],
            mib(&c["v8UsedHeapBytes"]["before"]),
            mib(&c["v8UsedHeapBytes"]["peak"]),
            mib(&c["v8UsedHeapBytes"]["after"]),
            mib(&c["wasmMemoryBytes"]["after"]),
            mib(&c["heldBytes"]),
            c["seconds"].as_f64().unwrap_or(f64::NAN),
            c["graph"]["httpRequests"]
        ),
        Err(e) => println!("campaign-screen.json: {e:#}"),
    }
    match read(&dir.join("startup.json")) {
        Ok(s) => print_startup(&s),
        Err(e) => println!("startup.json: {e:#}"),
    }
}

/// The slow-4G start-up figures, one line per measure with a column per build.
fn print_startup(s: &Value) {
    for line in startup_lines(s) {
        println!("{line}");
    }
}

fn startup_lines(s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let builds: Vec<&Value> = s["builds"].as_array().into_iter().flatten().collect();
    let labels: Vec<&str> = builds
        .iter()
        .map(|b| b["label"].as_str().unwrap_or("?"))
        .collect();
    out.push(format!(
        "slow 4G start-up, median ms over {} cold runs ({}):",
        s["runs"],
        labels.join(" | ")
    ));
    let mut line = |name: &str, target: f64, pick: &dyn Fn(&Value) -> &Value, bytes: bool| {
        let cells: Vec<String> = builds
            .iter()
            .map(|b| {
                let m = pick(b)["median"].as_f64();
                match m {
                    Some(m) if bytes => format!(
                        "{:.1} KB {}",
                        m / 1000.0,
                        if m <= target { "ok" } else { "OVER" }
                    ),
                    Some(m) => format!("{m:.0} {}", if m <= target { "ok" } else { "OVER" }),
                    None => "–".into(),
                }
            })
            .collect();
        let target = if bytes {
            format!("≤ {:.0} KB", target / 1000.0)
        } else {
            format!("≤ {target:.0}")
        };
        out.push(format!("  {name:<36} {target:>10}   {}", cells.join(" | ")));
    };
    line(
        "Sign in usable",
        SLOW_SIGN_IN_MS,
        &|b| &b["signInUsableMs"],
        false,
    );
    line(
        "signed-in home (silent sign-in)",
        SLOW_HOME_MS,
        &|b| &b["homeMs"],
        false,
    );
    let screens: Vec<String> = builds
        .first()
        .and_then(|b| b["screensMs"].as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for name in &screens {
        line(
            &format!("first open: {name}"),
            SLOW_SCREEN_MS,
            &|b| &b["screensMs"][name.as_str()],
            false,
        );
    }
    line(
        "signed-out page download",
        INITIAL_BYTES,
        &|b| &b["signedOutBytes"],
        true,
    );
    line(
        "signed-in One user download",
        INITIAL_BYTES,
        &|b| &b["signedInBytes"],
        true,
    );
    out
}

fn read(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("not written ({})", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

fn mib(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN) / 1_048_576.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dist` first, then the other built `dist-*` folders by name; folders without a page and
    /// other names are left out.
    #[test]
    fn startup_dists_lists_built_page_folders() {
        let root = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (dir, page) in [
            ("dist-single", true),
            ("dist", true),
            ("dist-empty", false),
            ("public", true),
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            if page {
                std::fs::write(root.join(dir).join("index.html"), "<!doctype html>").unwrap();
            }
        }
        let got = startup_dists(&[&root, &root.join("absent")]).unwrap();
        let _ = std::fs::remove_dir_all(&root);
        let want = format!(
            "dist={},dist-single={}",
            root.join("dist").display(),
            root.join("dist-single").display()
        );
        assert_eq!(got, want);
    }

    /// The summary reads the report the start-up benchmark writes (no panic on its shape).
    #[test]
    fn startup_summary_reads_the_report() {
        let report = serde_json::json!({"runs": 5, "builds": [{"label": "dist",
            "signInUsableMs": {"median": 1900.0}, "homeMs": {"median": 4000.0},
            "screensMs": {"Policy": {"median": 80.0}},
            "signedOutBytes": {"median": 150000.0}, "signedInBytes": null}]});
        let text = startup_lines(&report).join("\n");
        for want in [
            "1900 ok",
            "4000 OVER",
            "first open: Policy",
            "80 ok",
            "150.0 KB ok",
        ] {
            assert!(text.contains(want), "{want} missing in:\n{text}");
        }
        assert!(text.lines().last().unwrap().ends_with('–'), "{text}");
    }
}
