//! The memory the Campaign screen holds for a 10,000-user campaign tenant (issue 15's target:
//! under 50 MB), and the Graph requests and page time of reading and classifying it there.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Result};
use serde_json::json;

use super::heap::{cdp_heap, wasm_memory};
use super::{bench_dir, RUN_BOUND};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, campaign, consent};

/// Campaign users seeded on top of the base tenant.
const USERS: usize = 10_000;

fn mib(bytes: f64) -> f64 {
    bytes / 1_048_576.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn campaign_screen_of_10000_users_memory() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let truth = h.emu.seed_campaign(USERS, 15);
        boot::sign_in(&h, "alex.wilber").await?;
        campaign::open(&h).await?;
        h.wait_for_css(campaign::CONSENT).await?;
        let base_cdp = cdp_heap(&h).await?;
        let base_wasm = wasm_memory(&h).await?;
        h.emu.reset_graph_counters();
        let t0 = Instant::now();
        consent::grant(&h, campaign::GRANT).await?;
        let (mut peak, mut samples) = (base_cdp, 0u32);
        let deadline = Instant::now() + RUN_BOUND;
        loop {
            samples += 1;
            peak = peak.max(cdp_heap(&h).await?);
            let news = h
                .driver
                .execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                    vec![json!(campaign::NEWS)],
                )
                .await?;
            if news.as_str().is_some_and(|t| t.contains("users read")) {
                break;
            }
            if Instant::now() >= deadline {
                bail!("the campaign screen did not read {USERS} users within {} s", RUN_BOUND.as_secs());
            }
            tokio::time::sleep(harness::POLL).await;
        }
        let wall = t0.elapsed();
        let counts = h.emu.graph_requests();
        let after_cdp = cdp_heap(&h).await?;
        let after_wasm = wasm_memory(&h).await?;
        let held = after_cdp + after_wasm.unwrap_or(0.0);
        println!("\n### Campaign screen, {USERS} campaign users (+ the base tenant)\n");
        println!("| measure | before the grant | peak while reading | after |");
        println!("|---|---:|---:|---:|");
        println!("| V8 used heap ({samples} samples) | {:.1} MiB | {:.1} MiB | {:.1} MiB |", mib(base_cdp), mib(peak), mib(after_cdp));
        println!("| wasm linear memory (never shrinks) | {:.1} MiB | – | {:.1} MiB |", mib(base_wasm.unwrap_or(f64::NAN)), mib(after_wasm.unwrap_or(f64::NAN)));
        println!(
            "\nconsent round trip, sign-in and read: {:.2} s wall, {} Graph HTTP requests ({} preflights); {} phone-only in the ground truth\n",
            wall.as_secs_f64(), counts.http_requests, counts.preflights, truth.phone_only_sms + truth.phone_only_voice
        );
        let report = json!({
            "users": USERS,
            "samples": samples,
            "v8UsedHeapBytes": {"before": base_cdp, "peak": peak, "after": after_cdp},
            "wasmMemoryBytes": {"before": base_wasm, "after": after_wasm},
            "heldBytes": held,
            "seconds": wall.as_secs_f64(),
            "graph": {"httpRequests": counts.http_requests, "preflights": counts.preflights},
        });
        let path = bench_dir()?.join("campaign-screen.json");
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
        Ok(())
    })
    .await
}
