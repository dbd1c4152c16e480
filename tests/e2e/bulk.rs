//! End-to-end tests of bulk onboarding: a messy CSV gives exactly the expected per-row outcome;
//! a run under throttling with a lost answer accounts for every pass against the emulator's
//! record; the export and the handouts are checked.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::{anyhow, ensure, Context, Result};
use fantoccini::Locator;
use tapdesk_emulator::seed::new_hire_upn;
use tapdesk_emulator::{Event, FaultKind, FaultRule, Match};

use super::{assert_accessible, count};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk, consent, exists};

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

#[tokio::test]
async fn a_messy_csv_gives_exactly_the_expected_outcome_per_row() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let messy = messy_csv();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::upload(&h, &messy.csv).await?;
        h.click(bulk::CHECK).await?;
        h.wait_for_text(
            bulk::COUNTS,
            &format!("{} ready · 1 with warnings · 11 blocked", messy.valid.len()),
        )
        .await?;
        let problems = h.wait_for_css(bulk::PROBLEMS).await?.text().await?;
        for line in messy.bad_lines.iter().chain(&messy.duplicate_lines) {
            ensure!(
                problems.contains(&format!("Line {line}:")),
                "line {line} is not reported:\n{problems}"
            );
        }
        h.wait_for_text(bulk::PREVIEW, "No user with this UPN or object ID")
            .await?;
        h.wait_for_text(bulk::PREVIEW, "Guests from other organisations")
            .await?;
        bulk::run(&h, bulk::EXPORT).await?;
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
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::paste_and_check(&h, &users.join("\n"), "60 ready").await?;
        assert_accessible(&h, "the bulk preview").await?;
        let creates = Match::graph()
            .method("POST")
            .path_contains("/temporaryAccessPassMethods");
        super::throttle_a_tenth_and_drop_one_batch(&h, creates)?;
        h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
        bulk::run(&h, bulk::EXPORT).await?;
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
        let results = h.wait_for_css(bulk::RESULTS).await?.text().await?;
        let unseen = results.matches("its value was lost").count();
        let shown = results.matches("Created").count();
        ensure!(
            unseen == 20 && shown == 40,
            "{shown} shown, {unseen} flagged:\n{results}"
        );

        // Export: every shown pass, neutralised; the masked table never held them in text.
        h.click(bulk::EXPORT).await?;
        let csv = h.driver.execute_async(bulk::READ_EXPORT, vec![]).await?;
        let csv = csv.as_str().context("export text")?.to_owned();
        let data_lines = csv.lines().skip(1).filter(|l| !l.is_empty()).count();
        ensure!(data_lines == 60, "{data_lines} exported lines");
        let values: HashSet<String> = pass_values(&h, &users).into_iter().collect();
        let exported = values.iter().filter(|v| csv.contains(v.as_str())).count();
        ensure!(exported == 40, "{exported} pass values in the export");

        // Handouts: one page per shown pass, with a QR code of the sign-in link, never of the pass.
        h.click(bulk::OPEN_HANDOUTS).await?;
        let pages = h.driver.find_all(Locator::Css(bulk::HANDOUT)).await?;
        ensure!(pages.len() == 40, "{} handouts", pages.len());
        let first = pages[0].text().await?;
        ensure!(
            first.contains("login_hint=") && first.contains("Temporary Access Pass"),
            "{first}"
        );
        let qr = h
            .driver
            .find(Locator::Css(bulk::HANDOUT_QR))
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
        boot::sign_in(&h, "alex.wilber").await?;
        bulk::open(&h).await?;
        consent::grant(&h, bulk::GRANT_GROUPS).await?;
        h.wait_for_css(boot::ACCOUNT).await?;
        bulk::open(&h).await?;
        h.type_into(bulk::GROUP, "Berlin").await?;
        h.click(bulk::GROUP_FIND).await?;
        h.click(".group-pick").await?;
        let picked = h
            .wait_for_text(bulk::GROUP_PICKED, "members")
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
        h.click(bulk::CHECK).await?;
        h.wait_for_text(bulk::COUNTS, &format!("{members} ready"))
            .await?;
        bulk::run(&h, bulk::EXPORT).await?;
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
        let results = h.wait_for_css(bulk::RESULTS).await?.text().await?;
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
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        h.type_into(bulk::PASTE, &users.join("\n")).await?;
        h.click(bulk::CHECK).await?;
        bulk::run(&h, bulk::EXPORT).await?;
        // Neither exported nor printed: the page asks the browser to confirm leaving. (The
        // dialog itself is the browser's; headless Chromium answers it by itself.)
        const LEAVING: &str = "const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented;";
        ensure!(h.driver.execute(LEAVING, vec![]).await? == serde_json::Value::Bool(true), "leaving would not ask");
        h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
        h.click(bulk::EXPORT).await?;
        ensure!(h.driver.execute(LEAVING, vec![]).await? == serde_json::Value::Bool(false), "still asks after the export");
        Ok(())
    })
    .await
}

/// Runs `users` (pasted) through the dry run and the run, and returns the emulator's pass values.
async fn run_pasted(h: &Harness, users: &[String]) -> Result<Vec<String>> {
    bulk::open(h).await?;
    bulk::paste_and_check(h, &users.join("\n"), &format!("{} ready", users.len())).await?;
    bulk::run(h, bulk::FINISH).await?;
    Ok(pass_values(h, users))
}

/// The value of each of `users`' current pass, read from the emulator (users without one skipped).
fn pass_values(h: &Harness, users: &[String]) -> Vec<String> {
    users
        .iter()
        .filter_map(|u| {
            h.emu
                .passes(u)
                .first()
                .map(|p| p.temporary_access_pass.clone())
        })
        .collect()
}

/// Whether any of `values` is anywhere in the page's text (hidden elements included).
async fn page_holds_any(h: &Harness, values: &[String]) -> Result<bool> {
    let text = h
        .driver
        .execute("return document.body.textContent;", vec![])
        .await?;
    let text = text.as_str().unwrap_or_default().to_owned();
    Ok(values.iter().any(|v| text.contains(v.as_str())))
}

#[tokio::test]
async fn done_and_pagehide_forget_every_bulk_pass() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "megan.bowen").await?;
        let values = run_pasted(&h, &(1..=3).map(new_hire_upn).collect::<Vec<_>>()).await?;
        ensure!(values.len() == 3, "{} passes created", values.len());
        // Reveal all and the handouts show the values.
        h.click(bulk::REVEAL_ALL).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.wait_until("the handouts to show the passes", || async {
            page_holds_any(&h, &values).await
        })
        .await?;
        // Neither exported nor printed: Finish asks first; "Keep them" keeps them.
        h.click(bulk::FINISH).await?;
        h.wait_for_text(bulk::FINISH_QUESTION, "Forget the 3 passes on this page?").await?;
        h.wait_for_text(bulk::FINISH_QUESTION, "They were neither exported nor printed").await?;
        h.click(bulk::KEEP).await?;
        ensure!(page_holds_any(&h, &values).await?, "Keep them dropped the passes");
        h.click(bulk::FINISH).await?;
        h.click(bulk::FORGET).await?;
        h.wait_for_css(bulk::CHECK).await?;
        ensure!(!page_holds_any(&h, &values).await?, "a pass is still in the page after Done");

        // pagehide (leaving, or the page going into the back/forward cache) forgets them too.
        let values = run_pasted(&h, &(4..=5).map(new_hire_upn).collect::<Vec<_>>()).await?;
        h.click(bulk::REVEAL_ALL).await?;
        h.wait_until("the passes to show", || async { page_holds_any(&h, &values).await }).await?;
        h.driver
            .execute("window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));", vec![])
            .await?;
        h.wait_for_text(bulk::FORGET_AT, "because the page was left (2 removed)").await?;
        ensure!(!page_holds_any(&h, &values).await?, "a pass is still in the page after pagehide");
        let results = h.text_content(bulk::RESULTS).await?;
        ensure!(results.matches("Removed from the page").count() == 2, "{results}");
        ensure!(!exists(&h, bulk::OPEN_HANDOUTS).await, "handouts still offered");
        // Nothing left to lose: leaving no longer asks, and Finish does not ask either.
        const LEAVING: &str = "const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented;";
        ensure!(h.driver.execute(LEAVING, vec![]).await? == serde_json::Value::Bool(false), "leaving still asks");
        h.click(bulk::FINISH).await?;
        h.wait_for_css(bulk::CHECK).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn bulk_passes_leave_the_page_after_pass_show_seconds() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Only config.json sets the time-out (Settings overrides carry sign-in fields only).
        h.emu
            .extend_page_config(serde_json::json!({"passShowSeconds": 4}));
        boot::sign_in(&h, "megan.bowen").await?;
        let values = run_pasted(&h, &(1..=2).map(new_hire_upn).collect::<Vec<_>>()).await?;
        h.click(bulk::REVEAL_ALL).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.wait_until("the passes to show", || async {
            page_holds_any(&h, &values).await
        })
        .await?;
        h.wait_for_text(
            bulk::FORGET_AT,
            "shown for as long as a single pass is (2 removed)",
        )
        .await?;
        ensure!(
            !page_holds_any(&h, &values).await?,
            "a pass is still in the page after the time-out"
        );
        ensure!(
            !exists(&h, bulk::HANDOUTS).await,
            "the handouts stayed open"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_upn_and_the_same_users_object_id_across_sources_make_one_pass() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let pradeep = "pradeep.gupta@contoso.onmicrosoft.com";
        let id = h.emu.user_id(pradeep).context("Pradeep is seeded")?;
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        h.type_into(bulk::PASTE, &format!("{pradeep}\n{}", new_hire_upn(1)))
            .await?;
        // The CSV names Pradeep again by UPN (another case) and by object id.
        let csv = format!(
            "upn\n{}\n{id}\n{}\n",
            pradeep.to_uppercase(),
            new_hire_upn(2)
        );
        bulk::upload(&h, &csv).await?;
        h.click(bulk::CHECK).await?;
        h.wait_for_text(bulk::COUNTS, "3 ready · 0 with warnings · 0 blocked")
            .await?;
        let problems = h.wait_for_css(bulk::PROBLEMS).await?.text().await?;
        ensure!(
            problems
                .contains("CSV line 2: Same user as pasted line 1; only pasted line 1 is used.")
                && problems.contains(
                    "CSV line 3: Same user as pasted line 1; only pasted line 1 is used."
                ),
            "{problems}"
        );
        // Long user cells are clipped with an ellipsis; the whole text is in the title.
        let clip = h
            .driver
            .execute(
                "const c = document.querySelector(arguments[0] + ' tbody td.cell--clip'); \
                 return c ? [getComputedStyle(c).textOverflow, getComputedStyle(c).whiteSpace, c.title] : null;",
                vec![serde_json::json!(bulk::PREVIEW)],
            )
            .await?;
        ensure!(
            clip[0] == "ellipsis"
                && clip[1] == "nowrap"
                && clip[2].as_str().is_some_and(|t| t.contains(pradeep)),
            "{clip}"
        );
        bulk::run(&h, bulk::FINISH).await?;
        ensure!(
            h.emu.passes(pradeep).len() == 1,
            "Pradeep has {} passes",
            h.emu.passes(pradeep).len()
        );
        let events = h.emu.events();
        ensure!(
            count(&events, |e| matches!(e, Event::PassCreated { .. })) == 3,
            "creates != users"
        );
        ensure!(
            count(&events, |e| matches!(e, Event::PassReplaced { .. })) == 0,
            "a pass was replaced"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_overlong_upn_is_refused_without_asking_graph() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        let long = format!("{}@contoso.onmicrosoft.com", "x".repeat(5_000));
        bulk::upload(
            &h,
            &format!(
                "upn,start,timeZone\n{long}\n{},,Mars/Olympus\n{}\n",
                new_hire_upn(1),
                new_hire_upn(2)
            ),
        )
        .await?;
        h.emu.reset_graph_counters();
        h.click(bulk::CHECK).await?;
        h.wait_for_text(bulk::COUNTS, "1 ready").await?;
        let items: Vec<String> = {
            let mut out = Vec::new();
            for li in h.driver.find_all(Locator::Css(bulk::PROBLEM)).await? {
                out.push(li.text().await?);
            }
            out
        };
        ensure!(items.len() == 2, "{items:#?}");
        ensure!(
            items[0].starts_with("Line 2:")
                && items[0].contains("but a UPN has at most 113")
                && items[0].len() < 300,
            "{items:#?}"
        );
        ensure!(
            items[1].starts_with("Line 3:")
                && items[1].contains("A time zone needs a start")
                && items[1].contains("\"Mars/Olympus\" is not a time zone"),
            "{items:#?}"
        );
        // Only the good line was looked up: no request carried the long value.
        let counts = h.emu.graph_requests();
        ensure!(counts.batch_items <= 4, "{counts:?}");
        Ok(())
    })
    .await
}

/// The page's `window.print` replaced by a no-op that counts (headless Chromium has no dialog).
const STUB_PRINT: &str = "window.__prints = 0; window.print = () => { window.__prints += 1; };";

#[tokio::test]
async fn finish_asks_whether_the_passes_were_handed_out_and_forgets_them() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let users: Vec<String> = (1..=2).map(new_hire_upn).collect();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::upload(
            &h,
            &format!(
                "upn,startDate,startTime,timeZone\n{}\n",
                users
                    .iter()
                    .map(|u| format!("{u},2027-03-01,09:00,Europe/Berlin"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .await?;
        h.click(bulk::CHECK).await?;
        h.wait_for_text(bulk::COUNTS, "2 ready · 0 with warnings · 0 blocked").await?;
        // Focus goes to the counts; the live region says how many users were found.
        bulk::wait_for_focus(&h, "bulk-counts").await?;
        h.wait_for_text(bulk::ANNOUNCE, "2 users found").await?;
        // The summary line says what the run will create, the start with its zone.
        let summary = h.text_content(bulk::SUMMARY).await?;
        ensure!(
            summary.starts_with("Creates 2 passes · start ")
                && summary.contains("2027")
                && summary.contains("Europe/Berlin · lifetime ")
                && summary.ends_with(" · one-time"),
            "{summary}"
        );
        // Batches in flight are under "Advanced", closed until opened.
        let advanced = h
            .driver
            .execute(
                "const c = document.querySelector(arguments[0]); const d = c && c.closest('details'); \
                 return d ? [d.id, d.open, c.checkVisibility()] : null;",
                vec![serde_json::json!(bulk::CONCURRENCY)],
            )
            .await?;
        ensure!(
            advanced == serde_json::json!(["bulk-advanced", false, false]),
            "batches in flight are not under a closed Advanced: {advanced}"
        );
        h.click(&format!("{} > summary", bulk::ADVANCED)).await?;
        ensure!(
            h.wait_for_css(bulk::CONCURRENCY).await?.is_displayed().await?,
            "Advanced does not open"
        );
        h.wait_for_text(bulk::RUN, "Create 2 passes").await?;
        h.click(bulk::RUN).await?;
        h.wait_for_css(bulk::FINISH).await?;
        // Focus goes to the results heading; the live region says the totals (never a pass).
        bulk::wait_for_focus(&h, bulk::RESULTS_TITLE.trim_start_matches('#')).await?;
        h.wait_for_text(bulk::ANNOUNCE, "2 passes created, 0 failed").await?;
        let values = pass_values(&h, &users);
        ensure!(values.len() == 2, "{} passes created", values.len());
        let announced = h.text_content(bulk::ANNOUNCE).await?;
        ensure!(!values.iter().any(|v| announced.contains(v.as_str())), "a pass is announced");
        // Row buttons carry the user's name.
        let label = h
            .wait_for_css("#bulk-results .reveal-one")
            .await?
            .attr("aria-label")
            .await?
            .unwrap_or_default();
        ensure!(label.starts_with("Reveal the pass of ") && label.len() > "Reveal the pass of ".len(), "{label}");

        // The export's dates are ISO 8601 with the row's offset (09:00 in Berlin in March: +01:00).
        h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
        h.click(bulk::EXPORT).await?;
        let csv = h.driver.execute_async(bulk::READ_EXPORT, vec![]).await?;
        let csv = csv.as_str().context("export text")?.to_owned();
        let first = csv.lines().nth(1).context("a data line")?;
        let cells: Vec<&str> = first.split(',').collect();
        ensure!(
            cells.len() == 6 && cells[3] == "2027-03-01T09:00:00+01:00",
            "validFrom is not ISO 8601 with offset: {first}"
        );
        let until = cells[4];
        ensure!(
            until.len() == 25 && until.starts_with("2027-03-0") && until.ends_with("+01:00") && &until[10..11] == "T",
            "validUntil is not ISO 8601 with offset: {first}"
        );

        // Finish asks whether they were handed out, naming what happened; first button focused.
        h.click(bulk::FINISH).await?;
        h.wait_for_text(bulk::FINISH_QUESTION, "Forget the 2 passes on this page? Were they handed out? You exported them; the handouts were not printed.").await?;
        bulk::wait_for_focus(&h, "bulk-forget").await?;
        // Escape closes it and gives focus back to Finish.
        bulk::press_escape(&h).await?;
        h.wait_until("the question to close", || async { Ok(!exists(&h, bulk::FINISH_QUESTION).await) }).await?;
        bulk::wait_for_focus(&h, "bulk-finish").await?;
        // Printed too: the question says so.
        h.driver.execute(STUB_PRINT, vec![]).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.click("#bulk-print").await?;
        h.click(bulk::FINISH).await?;
        h.wait_for_text(bulk::FINISH_QUESTION, "You exported them and printed the handouts.").await?;
        h.click(bulk::FORGET).await?;
        h.wait_for_css(bulk::CHECK).await?;
        bulk::wait_for_focus(&h, "bulk-paste").await?;
        ensure!(!page_holds_any(&h, &values).await?, "a pass is still in the page after Finish");
        ensure!(!exists(&h, bulk::RESULTS).await, "the results stayed");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_unticked_warning_row_gets_no_pass() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let lee = "lee.gu@contoso.onmicrosoft.com";
        let hires: Vec<String> = (1..=2).map(new_hire_upn).collect();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::paste_and_check(
            &h,
            &format!("{}\n{lee}\n{}", hires[0], hires[1]),
            "2 ready · 1 with warnings · 0 blocked",
        )
        .await?;
        h.wait_for_text(bulk::SUMMARY, "Creates 3 passes · start now")
            .await?;
        // One tick, on the warning row only, named with its user.
        let ticks = h.driver.find_all(Locator::Css(bulk::TICK)).await?;
        ensure!(ticks.len() == 1, "{} ticks", ticks.len());
        let label = ticks[0].attr("aria-label").await?.unwrap_or_default();
        ensure!(
            label.starts_with("Create a pass for ") && label.contains("Lee"),
            "{label}"
        );
        ensure!(
            ticks[0].prop("checked").await?.as_deref() == Some("true"),
            "the warning row starts unticked"
        );
        ticks[0].click().await?;
        h.wait_for_text(bulk::SUMMARY, "Creates 2 passes").await?;
        h.wait_for_text(bulk::SUMMARY, "1 unticked row skipped")
            .await?;
        h.wait_for_text(bulk::RUN, "Create 2 passes").await?;
        bulk::run(&h, bulk::FINISH).await?;
        h.wait_for_text(bulk::ANNOUNCE, "2 passes created, 0 failed")
            .await?;
        ensure!(h.emu.passes(lee).is_empty(), "the unticked user got a pass");
        for u in &hires {
            ensure!(
                h.emu.passes(u).len() == 1,
                "{u} has {} passes",
                h.emu.passes(u).len()
            );
        }
        Ok(())
    })
    .await
}

/// Issue 14 point 4: the run loop wakes as soon as a batch answers and when a `Retry-After`
/// ends, yet a throttled create is never sent before its `Retry-After` (2 s here) is over:
/// proven by the emulator's arrival times of the two `$batch` envelopes.
#[tokio::test]
async fn a_throttled_bulk_create_waits_its_whole_retry_after() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let users: Vec<String> = (1..=3).map(new_hire_upn).collect();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::paste_and_check(&h, &users.join("\n"), "3 ready").await?;
        let creates = Match::graph()
            .method("POST")
            .path_contains("/temporaryAccessPassMethods");
        let throttle = FaultKind::Throttle {
            retry_after_secs: 2,
        };
        h.emu
            .inject(FaultRule::new(creates, throttle).times(3))
            .map_err(|e| anyhow!("{e:?}"))?;
        h.emu.reset_graph_counters();
        bulk::run(&h, bulk::EXPORT).await?;
        let envelopes: Vec<u64> = h
            .emu
            .graph_request_log()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/$batch"))
            .map(|r| r.at_ms)
            .collect();
        ensure!(
            envelopes.len() == 2,
            "expected the throttled batch and its one retry: {envelopes:?}"
        );
        let gap = envelopes[1] - envelopes[0];
        ensure!(
            gap >= 2000,
            "the retry came {gap} ms after the throttled batch, before its Retry-After of 2 s"
        );
        for u in &users {
            ensure!(
                h.emu.passes(u).len() == 1,
                "{u} has {} passes",
                h.emu.passes(u).len()
            );
        }
        Ok(())
    })
    .await
}
