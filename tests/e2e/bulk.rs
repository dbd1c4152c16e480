//! End-to-end tests of bulk onboarding: a messy CSV gives exactly the expected per-row outcome;
//! a run under throttling with a lost answer accounts for every pass against the emulator's
//! record; the export and the handouts are checked.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::{anyhow, ensure, Context, Result};
use fantoccini::Locator;
use tapdesk_emulator::seed::new_hire_upn;
use tapdesk_emulator::{Event, FaultKind, FaultRule, Match};

use super::{assert_accessible, count, sign_in_as};
use crate::harness::{self, Harness, Options};

/// What the messy CSV holds (new hires are numbered from 1), and what each kind of line must become.
struct Messy {
    csv: String,
    valid: Vec<String>,
    bad_lines: Vec<usize>,
    duplicate_lines: Vec<usize>,
}

/// 200 lines: BOM, `;`, CRLF, a header with synonyms, quoted fields with a `;` and a newline,
/// blank lines, stray spaces, duplicates in another case, unknown users, a guest, a disabled
/// account, bad lifetimes and US-style dates.
fn messy_csv() -> Messy {
    let mut lines: Vec<String> = vec![
        "\u{feff}User Principal Name; Start Date ;Start Time;Time zone;Lifetime;One-time".into(),
    ];
    let mut valid = Vec::new();
    let (mut bad_lines, mut duplicate_lines) = (Vec::new(), Vec::new());
    for n in 0..163 {
        let upn = new_hire_upn(n + 1);
        let line = match n % 4 {
            0 => format!("{upn};2027-03-01;09:00;Europe/Berlin;120;yes"),
            1 => format!("  {upn}  ;;;;;"),
            2 => format!("\"{upn}\";\"2027-03-02\";\"08:30\";\"America/New_York\";\"90\";\"no\""),
            _ => upn.clone(),
        };
        lines.push(line);
        valid.push(upn);
        if n % 40 == 0 {
            lines.push(String::new()); // blank lines are skipped silently
        }
    }
    for n in 0..10 {
        duplicate_lines.push(lines.len() + 1);
        lines.push(new_hire_upn(n * 7 + 1).to_uppercase());
    }
    for n in 0..10 {
        lines.push(format!("nobody.{n}@contoso.onmicrosoft.com;;;;;"));
    }
    lines.push("jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com".into());
    lines.push("lee.gu@contoso.onmicrosoft.com;;;;;".into());
    for n in 0..5 {
        bad_lines.push(lines.len() + 1);
        lines.push(format!("{};;;;abc;", new_hire_upn(201 + n)));
    }
    for n in 0..5 {
        bad_lines.push(lines.len() + 1);
        lines.push(format!("{};12/01/2027;09:00;;;", new_hire_upn(211 + n)));
    }
    // A quoted field holding the delimiter and a line break, in an ignored column.
    lines.push(format!(
        "{};;;;;yes;\"note; with\nbreak\"",
        new_hire_upn(221)
    ));
    valid.push(new_hire_upn(221));
    Messy {
        csv: lines.join("\r\n") + "\r\n",
        valid,
        bad_lines,
        duplicate_lines,
    }
}

async fn upload(h: &Harness, csv: &str) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("tapdesk-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("messy-{}.csv", csv.len()));
    std::fs::write(&path, csv)?;
    let input = h.wait_for_css("#bulk-file").await?;
    input.send_keys(path.to_str().context("temp path")?).await?;
    h.wait_for_text("#bulk-file-name", "messy").await?;
    Ok(())
}

/// Captures the exported CSV: the page hands a Blob to `URL.createObjectURL`.
const CAPTURE_EXPORT: &str = "const orig = URL.createObjectURL; window.__exports = [];
    URL.createObjectURL = (b) => { window.__exports.push(b); return orig.call(URL, b); };";
const READ_EXPORT: &str = "const done = arguments[arguments.length - 1];
    window.__exports[window.__exports.length - 1].text().then(done, (e) => done('ERR ' + e));";

#[tokio::test]
async fn a_messy_csv_gives_exactly_the_expected_outcome_per_row() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let messy = messy_csv();
        sign_in_as(&h, "megan.bowen").await?;
        h.click("#tab-bulk").await?;
        upload(&h, &messy.csv).await?;
        h.click("#bulk-check").await?;
        h.wait_for_text(
            "#bulk-counts",
            &format!("{} ready · 1 with warnings · 11 blocked", messy.valid.len()),
        )
        .await?;
        let problems = h.wait_for_css("#bulk-problems").await?.text().await?;
        for line in messy.bad_lines.iter().chain(&messy.duplicate_lines) {
            ensure!(
                problems.contains(&format!("Line {line}:")),
                "line {line} is not reported:\n{problems}"
            );
        }
        h.wait_for_text("#bulk-preview", "No user with this UPN or object ID")
            .await?;
        h.wait_for_text("#bulk-preview", "Guests from other organisations")
            .await?;
        h.click("#bulk-run").await?;
        h.wait_for_css("#bulk-export").await?;
        let created: usize = messy
            .valid
            .iter()
            .chain(["lee.gu@contoso.onmicrosoft.com".to_owned()].iter())
            .map(|u| h.emu.passes(u).len())
            .sum();
        ensure!(
            created == messy.valid.len() + 1,
            "{created} passes in the emulator"
        );
        let berlin = &h.emu.passes(&new_hire_upn(1))[0];
        ensure!(
            berlin.lifetime_in_minutes == 120 && berlin.is_usable_once,
            "row 2's lifetime and one-time were not used"
        );
        ensure!(
            berlin.start_date_time.unix_timestamp() == 1_803_888_000,
            "09:00 in Berlin on 1 March 2027 is 08:00 UTC: got {}",
            berlin.start_date_time
        );
        let ny = &h.emu.passes(&new_hire_upn(3))[0];
        ensure!(
            ny.start_date_time.unix_timestamp() == 1_803_994_200 && !ny.is_usable_once,
            "New York row: {}",
            ny.start_date_time
        );
        ensure!(
            count(&h.emu.events(), |e| matches!(e, Event::PassReplaced { .. })) == 0,
            "a pass was replaced"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_throttled_run_with_a_lost_answer_accounts_for_every_pass() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let users: Vec<String> = (1..=60).map(new_hire_upn).collect();
        sign_in_as(&h, "megan.bowen").await?;
        h.click("#tab-bulk").await?;
        h.type_into("#bulk-paste", &users.join("\n")).await?;
        h.click("#bulk-check").await?;
        h.wait_for_text("#bulk-counts", "60 ready").await?;
        assert_accessible(&h, "the bulk preview").await?;
        let creates = Match::graph()
            .method("POST")
            .path_contains("/temporaryAccessPassMethods");
        h.emu
            .inject(
                FaultRule::new(
                    creates,
                    FaultKind::Throttle {
                        retry_after_secs: 1,
                    },
                )
                .share(0.1),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        h.emu
            .inject(
                FaultRule::new(
                    Match::graph().method("POST").path_contains("/$batch"),
                    FaultKind::DropAfterWrite,
                )
                .times(1),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        h.driver.execute(CAPTURE_EXPORT, vec![]).await?;
        h.click("#bulk-run").await?;
        h.wait_for_css("#bulk-export").await?;
        // All 60 (values seen or lost) are followed on Tracking: ids only.
        let tracked = h
            .driver
            .execute(
                "return JSON.parse(sessionStorage.getItem('tapdesk.tracked') || '[]').length",
                vec![],
            )
            .await?;
        ensure!(
            tracked.as_u64() == Some(60),
            "{tracked} users followed after the run"
        );
        let events = h.emu.events();
        let throttled = count(&events, |e| matches!(e, Event::FaultInjected { .. }));
        ensure!(throttled >= 2, "the faults did not fire ({throttled})");
        // Every user has exactly one pass; none was replaced (no blind re-POST).
        for u in &users {
            ensure!(
                h.emu.passes(u).len() == 1,
                "{u} has {} passes",
                h.emu.passes(u).len()
            );
        }
        ensure!(
            count(&events, |e| matches!(e, Event::PassReplaced { .. })) == 0,
            "a pass was silently replaced"
        );
        ensure!(
            count(&events, |e| matches!(e, Event::PassCreated { .. })) == users.len(),
            "creates != users"
        );
        // The lost batch's 20 passes are flagged, the rest shown.
        let results = h.wait_for_css("#bulk-results").await?.text().await?;
        let unseen = results.matches("its value was lost").count();
        let shown = results.matches("Created").count();
        ensure!(
            unseen == 20 && shown == 40,
            "{shown} shown, {unseen} flagged:\n{results}"
        );

        // Export: every shown pass, neutralised; the masked table never held them in text.
        h.click("#bulk-export").await?;
        let csv = h.driver.execute_async(READ_EXPORT, vec![]).await?;
        let csv = csv.as_str().context("export text")?.to_owned();
        let data_lines = csv.lines().skip(1).filter(|l| !l.is_empty()).count();
        ensure!(data_lines == 60, "{data_lines} exported lines");
        let values: HashSet<String> = users
            .iter()
            .filter_map(|u| {
                h.emu
                    .passes(u)
                    .first()
                    .map(|p| p.temporary_access_pass.clone())
            })
            .collect();
        let exported = values.iter().filter(|v| csv.contains(v.as_str())).count();
        ensure!(exported == 40, "{exported} pass values in the export");

        // Handouts: one page per shown pass, with a QR code of the sign-in link, never of the pass.
        h.click("#bulk-handouts").await?;
        let pages = h
            .driver
            .find_all(Locator::Css("#handouts .handout"))
            .await?;
        ensure!(pages.len() == 40, "{} handouts", pages.len());
        let first = pages[0].text().await?;
        ensure!(
            first.contains("login_hint=") && first.contains("Temporary Access Pass"),
            "{first}"
        );
        let qr = h
            .driver
            .find(Locator::Css("#handouts .handout__qr"))
            .await?
            .attr("alt")
            .await?
            .unwrap_or_default();
        ensure!(
            qr.contains("login_hint=") && !values.iter().any(|v| qr.contains(v.as_str())),
            "QR alt {qr}"
        );
        assert_accessible(&h, "the bulk results and handouts").await?;
        h.screenshot(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/e2e-shots/bulk-results.png"),
        )
        .await?;
        assert_no_secret_stored(&h, &values).await
    })
    .await
}

async fn assert_no_secret_stored(h: &Harness, values: &HashSet<String>) -> Result<()> {
    let storage = h.storage_dump().await?;
    ensure!(
        !values.iter().any(|v| storage.contains(v.as_str())),
        "a pass is in storage"
    );
    Ok(())
}

#[tokio::test]
async fn a_group_is_picked_after_consent_and_a_run_survives_token_renewals() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Tokens shorter than the 5-minute renewal margin: every call renews (rotation) mid-run.
        h.emu
            .set_token_lifetime(std::time::Duration::from_secs(240));
        sign_in_as(&h, "alex.wilber").await?;
        h.click("#tab-bulk").await?;
        h.click("#grant-group-consent").await?;
        h.click("#consent-accept").await?;
        h.wait_for_css("#account").await?;
        h.click("#tab-bulk").await?;
        h.type_into("#bulk-group", "Berlin").await?;
        h.click("#bulk-group-find").await?;
        h.click(".group-pick").await?;
        let picked = h
            .wait_for_text("#bulk-group-picked", "members")
            .await?
            .text()
            .await?;
        let members: usize = picked
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .context("member count")?;
        ensure!(members > 0, "{picked}");
        h.click("#bulk-check").await?;
        h.wait_for_text("#bulk-counts", &format!("{members} ready"))
            .await?;
        h.click("#bulk-run").await?;
        h.wait_for_css("#bulk-export").await?;
        let events = h.emu.events();
        ensure!(
            count(&events, |e| matches!(e, Event::PassCreated { .. })) == members,
            "not every member got a pass"
        );
        let renewals = count(
            &events,
            |e| matches!(e, Event::TokenIssued { grant_type, .. } if grant_type == "refresh_token"),
        );
        ensure!(
            renewals >= 2,
            "{renewals} renewals: the run did not renew its token"
        );
        let results = h.wait_for_css("#bulk-results").await?.text().await?;
        ensure!(
            results.matches("Created").count() == members,
            "results lost:\n{results}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn leaving_with_unsaved_results_asks_first() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let users: Vec<String> = (1..=3).map(new_hire_upn).collect();
        sign_in_as(&h, "megan.bowen").await?;
        h.click("#tab-bulk").await?;
        h.type_into("#bulk-paste", &users.join("\n")).await?;
        h.click("#bulk-check").await?;
        h.click("#bulk-run").await?;
        h.wait_for_css("#bulk-export").await?;
        // Neither exported nor printed: the page asks the browser to confirm leaving. (The
        // dialog itself is the browser's; headless Chromium answers it by itself.)
        const LEAVING: &str = "const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented;";
        ensure!(h.driver.execute(LEAVING, vec![]).await? == serde_json::Value::Bool(true), "leaving would not ask");
        h.driver.execute(CAPTURE_EXPORT, vec![]).await?;
        h.click("#bulk-export").await?;
        ensure!(h.driver.execute(LEAVING, vec![]).await? == serde_json::Value::Bool(false), "still asks after the export");
        Ok(())
    })
    .await
}
