//! Issue 15's benchmark items, natively (no browser): the page's own request builders and
//! paging (`graph::api::registration_report`, `graph::paging::all_pages`) and its classifier
//! (`campaign::classify`) against the emulator over HTTP, and the Pass holders scan's request
//! count for a 100,000-user tenant with and without the registration report (the report's
//! pages read for real; the batched reads and the user list computed by
//! `holders::scan_requests`, the page's own planning, which `readiness::a_report_scan_…`
//! checks against the emulator's counters on 2,281 users).

use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use serde_json::json;
use tapdesk::campaign::classify;
use tapdesk::graph::api;
use tapdesk::graph::models::{Page, RegistrationDetails};
use tapdesk::graph::paging::all_pages;
use tapdesk::graph::request::Request;
use tapdesk::graph::GraphError;
use tapdesk::holders;
use tapdesk_emulator::{Emulator, EmulatorConfig};

use super::bench_dir;

/// Campaign users for the classification figure.
const CLASSIFY_USERS: usize = 10_000;
/// Campaign users for the pass-holder figure (plus the demo tenant's 281).
const LARGE_TENANT: usize = 100_000;
/// One user in this many holds a pass in the large tenant.
const PASS_EVERY: usize = 200;

/// Reads every page of `first` with a native client, counting the requests.
async fn read_all(
    emu: &Emulator,
    token: &str,
    first: Request<Page<RegistrationDetails>>,
) -> Result<(Vec<RegistrationDetails>, usize)> {
    let client = reqwest::Client::new();
    let base = format!("{}/v1.0", emu.graph_url());
    let sent = std::cell::Cell::new(0usize);
    let rows = all_pages(
        first,
        |req: Request<Page<RegistrationDetails>>| {
            sent.set(sent.get() + 1);
            let url = if req.path.starts_with("http") {
                req.path.clone()
            } else {
                format!("{base}{}", req.path)
            };
            let call = client.get(url).bearer_auth(token).send();
            async move {
                let answer = call.await.map_err(|e| GraphError::network(e.to_string()))?;
                let status = answer.status().as_u16();
                let text = answer
                    .text()
                    .await
                    .map_err(|e| GraphError::network(e.to_string()))?;
                if status != 200 {
                    return Err(GraphError::network(format!("HTTP {status}: {text:.300}")));
                }
                req.read(&text)
                    .map_err(|e| GraphError::network(format!("{e}: {text:.200}")))
            }
        },
        |_| true,
    )
    .await
    .map_err(|e| anyhow!("{e:?}"))?;
    Ok((rows, sent.get()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn campaign_report_classify_and_pass_holders_at_scale() -> Result<()> {
    let emu = Emulator::start(EmulatorConfig::default()).await?;
    let result = run(&emu).await;
    emu.shutdown().await;
    result
}

async fn run(emu: &Emulator) -> Result<()> {
    emu.grant_tenant_consent("AuditLog.Read.All");
    let token = emu
        .issue_access_token(
            "alex.wilber@contoso.onmicrosoft.com",
            &["AuditLog.Read.All"],
        )
        .map_err(|e| anyhow!("{e:?}"))?;
    let page_size = emu.settings().registration_report_page_size;

    // 1. Classify 10,000 users from the report.
    emu.seed_campaign(CLASSIFY_USERS, 15);
    let truth = emu.campaign_truth();
    let t0 = Instant::now();
    let (rows, requests) = read_all(emu, &token, api::registration_report(None)).await?;
    let read_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let counts = classify::count_report(&rows);
    let classify_ms = t1.elapsed().as_secs_f64() * 1000.0;
    let phone_only = counts.phone_only();
    println!(
        "classify {} report rows ({} campaign users + the demo tenant): {requests} requests ({page_size} rows a page), read {read_s:.2} s, classified in {classify_ms:.1} ms; {phone_only} phone-only",
        rows.len(),
        CLASSIFY_USERS
    );
    println!("emulator ground truth: {truth:?}");
    anyhow::ensure!(
        phone_only == truth.phone_only_sms + truth.phone_only_voice,
        "{phone_only} phone-only classified, the emulator holds {truth:?}"
    );

    // 2. Pass holders in a 100,000-user tenant.
    emu.reset();
    emu.grant_tenant_consent("AuditLog.Read.All");
    let token = emu
        .issue_access_token(
            "alex.wilber@contoso.onmicrosoft.com",
            &["AuditLog.Read.All"],
        )
        .map_err(|e| anyhow!("{e:?}"))?;
    let t2 = Instant::now();
    emu.seed_campaign(LARGE_TENANT, 16);
    let seeded_s = t2.elapsed().as_secs_f64();
    let upns: Vec<String> = emu
        .campaign_truth_users()
        .into_values()
        .flatten()
        .step_by(PASS_EVERY)
        .collect();
    let now = emu.now();
    for u in &upns {
        emu.seed_pass(u, now, 480, true)
            .map_err(|e| anyhow!("{e:?}"))?;
    }
    let users = LARGE_TENANT + 281;
    let filter = api::registered_filter(holders::PASS_IN_REPORT);
    let t3 = Instant::now();
    let (candidates, report_pages) =
        read_all(emu, &token, api::registration_report(Some(&filter))).await?;
    let report_s = t3.elapsed().as_secs_f64();
    let with_report = holders::scan_requests(users, Some(candidates.len()), page_size);
    let without = holders::scan_requests(users, None, page_size);
    println!(
        "pass-holder scan of {users} users ({} hold a pass; seeded in {seeded_s:.1} s): with the report {with_report} requests ({report_pages} report pages read in {report_s:.2} s, then {} batches); without {without} requests ({} user pages, {} batches)",
        upns.len(),
        candidates.len().div_ceil(20),
        users.div_ceil(holders::USERS_PAGE),
        users.div_ceil(20)
    );
    // The report leaves out disabled accounts (Learn): their passes are only found by the
    // full scan, which the page's note says.
    let left_out = upns.len() - candidates.len();
    anyhow::ensure!(
        candidates.iter().all(|c| upns
            .iter()
            .any(|u| u.eq_ignore_ascii_case(&c.user_principal_name))),
        "the report lists a holder that was not seeded"
    );
    println!(
        "the report leaves out {left_out} of the {} holders: disabled accounts",
        upns.len()
    );
    let report = json!({
        "classify": {"users": rows.len(), "requests": requests, "pageSize": page_size,
            "readSeconds": read_s, "classifyMs": classify_ms, "phoneOnly": phone_only},
        "holders": {"users": users, "holders": upns.len(), "reportLeavesOut": left_out, "withReport": with_report,
            "reportPages": report_pages, "withoutReport": without,
            "note": "report pages read against the emulator; user pages and batches computed by holders::scan_requests"},
    });
    let out = bench_dir()?.join("campaign.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("written: {}", out.display());
    Ok(())
}
