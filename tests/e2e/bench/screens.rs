//! Issue 7's screens in Graph requests: what opening the Policy, Audit trail and Pass holders
//! screens costs, and how the onboarding tracker polls for 500 followed users (requests per
//! round, measured; per minute, from the page's own back-off schedule).

use std::sync::Arc;

use anyhow::{anyhow, Result};
use serde_json::json;
use tapdesk::tracking::{self, FIRST_INTERVAL_S};
use tapdesk_emulator::model::{ExcludeTarget, TapPolicy};
use tapdesk_emulator::seed::GROUP_TAP_EXCLUDED;
use tapdesk_emulator::GraphRequestCounts;

use super::bench_dir;
use crate::harness::{self, Harness, Options};
use crate::pages::tracking as tracking_page;
use crate::pages::tracking::rounds;
use crate::pages::{audit, boot, holders, policy};
use crate::round_trips::requests;

/// Users the tracker follows in the benchmark.
const TRACKED: usize = 500;

fn row(name: &str, c: &GraphRequestCounts) -> String {
    format!(
        "| {name} | {} | {} | {} |",
        requests(c),
        c.preflights,
        c.batch_items
    )
}

/// Waits for the tracker's round counter to reach `n` (bounded like every wait).
async fn until_round(h: &Harness, n: u32) -> Result<()> {
    h.wait_until(&format!("tracker round {n}"), || async {
        Ok(rounds(h).await? >= n)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn screens_and_tracker_polling() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.set_policy(TapPolicy {
            exclude_targets: vec![ExcludeTarget { target_type: "group".into(), id: GROUP_TAP_EXCLUDED.into() }],
            ..TapPolicy::default()
        });
        let upns = h.emu.add_generated_users(TRACKED);
        let now = h.emu.now();
        for u in &upns {
            h.emu.seed_pass(u, now, 480, true).map_err(|e| anyhow!("{e:?}"))?;
        }
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        h.goto_page().await?;
        let list: Vec<_> = upns.iter().map(|u| json!({"id": u, "since": 0})).collect();
        h.driver
            .execute(
                "sessionStorage.setItem('tapdesk.tracked', JSON.stringify(arguments[0]));",
                vec![json!(list)],
            )
            .await?;
        boot::sign_in(&h, "alex.wilber").await?;
        // The tracker runs once its screen was opened (its module loads on the first visit).
        tracking_page::open(&h).await?;

        // Tracker: the first round also reads names; later rounds read passes and methods.
        until_round(&h, 1).await?;
        h.emu.reset_graph_counters();
        until_round(&h, 2).await?;
        let steady = h.emu.graph_requests();

        // Consent for the Policy and Audit screens first, then each screen opened from "One user"
        // after a reload, counted from the tab click to its content.
        policy::open(&h).await?;
        policy::grant(&h).await?;
        audit::open(&h).await?;
        audit::grant(&h).await?;
        h.driver
            .execute(
                "sessionStorage.removeItem('tapdesk.tracked');
                 sessionStorage.setItem('tapdesk.tab', 'single');",
                vec![],
            )
            .await?;
        h.emu.extend_page_config(json!({"trackIntervalSeconds": null}));
        h.driver.refresh().await?;
        h.wait_for_text(boot::POLICY_SUMMARY, "hour").await?;
        h.emu.reset_graph_counters();
        policy::open(&h).await?;
        h.wait_for_text(policy::EXCLUDE, "TAP Excluded").await?;
        let policy_open = h.emu.graph_requests();
        h.emu.reset_graph_counters();
        audit::open(&h).await?;
        h.wait_for_css(audit::TABLE_OR_EMPTY).await?;
        let audit_open = h.emu.graph_requests();

        holders::open(&h).await?;
        h.emu.reset_graph_counters();
        h.click(holders::SCAN).await?;
        let scanned = h.wait_for_text(holders::STATUS, "hold a pass").await?.text().await?;
        let holders = h.emu.graph_requests();

        // The page's schedule while nothing changes, from its own function.
        let per_round = requests(&steady) as f64;
        let mut t = 0u32;
        let mut interval = FIRST_INTERVAL_S;
        let mut minute = vec![0f64; 15];
        while t < 15 * 60 {
            minute[(t / 60) as usize] += per_round;
            t += interval;
            interval = tracking::next_interval(interval, FIRST_INTERVAL_S, false, None);
        }

        println!("\n### issue 7 screens: Graph requests from opening the screen to its content (CORS preflights apart)\n");
        println!("| screen | requests | preflights | batch items |");
        println!("|---|---:|---:|---:|");
        println!("{}", row("Policy (groups named: one $batch)", &policy_open));
        println!("{}", row("Audit trail (first page)", &audit_open));
        println!("{}", row(&format!("Pass holders, whole tenant ({scanned})"), &holders));
        println!("{}", row(&format!("Tracking: one round for {TRACKED} users"), &steady));
        println!("\ntracker for {TRACKED} users with nothing changing (first wait {FIRST_INTERVAL_S} s, doubling to 5 min): requests per minute, minutes 1-15: {:?}", minute);
        println!("steady state: {:.0} requests/min; hidden tab: 0\n", per_round * 60.0 / f64::from(tracking::MAX_INTERVAL_S));
        let c = |c: &GraphRequestCounts| json!({"requests": requests(c), "preflights": c.preflights, "batchItems": c.batch_items});
        let report = json!({
            "policyOpen": c(&policy_open), "auditOpen": c(&audit_open), "holdersTenantScan": c(&holders),
            "trackerRound": c(&steady), "trackedUsers": TRACKED,
            "trackerRequestsPerMinute": minute,
            "trackerSteadyRequestsPerMinute": per_round * 60.0 / f64::from(tracking::MAX_INTERVAL_S),
        });
        let out = bench_dir()?.join("screens.json");
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", out.display());
        Ok(())
    })
    .await
}
