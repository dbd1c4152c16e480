//! Focus and announcements on Tracking, Pass holders, Policy and Audit trail (issue 17 point 4):
//! where focus is after each action, what the live regions say, that the Tracking countdown is
//! never inside a live region, that every row button names its user, and the empty states.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Context, Result};
use fantoccini::key::Key;
use serde_json::json;
use tapdesk_emulator::{FaultKind, FaultRule, Match};

use super::PRADEEP;
use crate::harness::{self, Harness, Options};
use crate::pages::{audit, boot, consent, create, holders, policy, reveal, tracking};

/// The One user tab.
const ONE_USER_TAB: &str = "#tab-single";

/// Waits until the focused element matches `css`.
async fn wait_focus(h: &Harness, css: &str) -> Result<()> {
    h.wait_until(&format!("focus on `{css}`"), || async {
        Ok(h.driver
            .execute(
                "const a = document.activeElement; return !!a && a.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await?
            .as_bool()
            .unwrap_or(false))
    })
    .await
    .with_context(|| format!("focus is not on {css}"))
}

/// Whether the element matching `css` is inside a live region (itself included): an
/// `aria-live` other than `off`, or a role that is live by default.
async fn in_live_region(h: &Harness, css: &str) -> Result<bool> {
    let found = h
        .driver
        .execute(
            "const e = document.querySelector(arguments[0]);
             if (!e) return null;
             return !!e.closest('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]');",
            vec![json!(css)],
        )
        .await?;
    found
        .as_bool()
        .ok_or_else(|| anyhow!("no element matches {css}"))
}

/// Waits until the live region `css` says `needle`, and checks that it is a live region.
async fn wait_announced(h: &Harness, css: &str, needle: &str) -> Result<()> {
    h.wait_for_text(css, needle).await?;
    ensure!(
        in_live_region(h, css).await?,
        "{css} says {needle:?} outside any live region"
    );
    Ok(())
}

/// Every button, checkbox and link inside the rows matching `rows`, with its accessible name
/// (`aria-label`, else its text) and the name in the row's first cell ("User" column).
async fn row_controls(h: &Harness, rows: &str) -> Result<Vec<(String, String)>> {
    let list = h
        .driver
        .execute(
            "return [...document.querySelectorAll(arguments[0])].flatMap(row => {
                 const cells = row.querySelectorAll('td');
                 const user = [...cells].map(c => c.innerText.split('\\n')[0].trim())
                     .find(t => t.length > 0) || '';
                 return [...row.querySelectorAll('button, input, a')].map(b =>
                     [user, (b.getAttribute('aria-label') || b.innerText || '').trim()]);
             });",
            vec![json!(rows)],
        )
        .await?;
    let pairs: Vec<(String, String)> = serde_json::from_value(list)?;
    Ok(pairs)
}

/// Checks that `rows` have controls and that each control's name holds its row's user.
async fn row_controls_name_the_user(h: &Harness, rows: &str) -> Result<()> {
    let pairs = row_controls(h, rows).await?;
    ensure!(!pairs.is_empty(), "no control in {rows}");
    for (user, name) in &pairs {
        ensure!(
            !user.is_empty() && name.contains(user.as_str()),
            "a control in {user:?}'s row is named {name:?}"
        );
    }
    Ok(())
}

/// Presses Escape on the focused element.
async fn press_escape(h: &Harness) -> Result<()> {
    h.driver
        .active_element()
        .await?
        .send_keys(&char::from(Key::Escape).to_string())
        .await?;
    Ok(())
}

#[tokio::test]
async fn tracking_moves_focus_announces_stages_and_keeps_the_countdown_quiet() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        boot::sign_in(&h, "adele.vance").await?;
        tracking::open(&h).await?;
        h.wait_for_text(
            tracking::EMPTY,
            "No one is followed yet: create a pass on One user",
        )
        .await?;

        h.click(ONE_USER_TAB).await?;
        create::for_pradeep(&h).await?;
        h.click(reveal::DONE).await?;
        tracking::open(&h).await?;
        h.wait_for_text(tracking::STAGE, "Pass usable: waiting for the user")
            .await?;
        // A first reading is in the table, not read out.
        ensure!(
            h.text_content(tracking::NEWS).await?.is_empty(),
            "the first reading was announced"
        );
        // The countdown ticks in the status line, which is in no live region.
        h.wait_for_text(tracking::STATUS, "Next check in").await?;
        ensure!(
            !in_live_region(&h, tracking::STATUS).await?,
            "the countdown is inside a live region"
        );
        ensure!(
            !h.text_content(tracking::NEWS).await?.contains("Next check"),
            "the live region ticks"
        );
        row_controls_name_the_user(&h, "#tracking .tracking__row").await?;

        // Check now is disabled while it runs: focus goes to the status line.
        h.click(tracking::CHECK).await?;
        wait_focus(&h, tracking::STATUS).await?;

        h.emu.mark_pass_used(PRADEEP);
        wait_announced(
            &h,
            tracking::NEWS,
            "Pradeep Gupta: Pass used: no passkey yet.",
        )
        .await?;
        h.emu
            .register_method(
                PRADEEP,
                "#microsoft.graph.fido2AuthenticationMethod",
                Some("Key"),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        wait_announced(&h, tracking::NEWS, "Pradeep Gupta: Passkey registered.").await?;
        row_controls_name_the_user(&h, "#tracking .tracking__row").await?;

        // The question takes focus on its first button (Cancel); Escape gives it back.
        h.click(tracking::REVOKE).await?;
        wait_focus(&h, tracking::REVOKE_CANCEL).await?;
        row_controls_name_the_user(&h, "#tracking .tracking__row").await?;
        press_escape(&h).await?;
        wait_focus(&h, tracking::REVOKE).await?;
        ensure!(
            !crate::pages::exists(&h, tracking::REVOKE_QUESTION).await,
            "Escape left the question open"
        );
        ensure!(h.emu.passes(PRADEEP).len() == 1, "Escape deleted the pass");

        h.click(tracking::REVOKE).await?;
        h.click(tracking::REVOKE_CONFIRM).await?;
        wait_announced(&h, tracking::NEWS, "Pradeep Gupta's pass deleted.").await?;
        wait_focus(&h, tracking::NEWS).await?;
        ensure!(h.emu.passes(PRADEEP).is_empty(), "the pass is still there");

        // Stop following: the row goes, focus to the status line, the empty state is back.
        h.click(tracking::STOP).await?;
        wait_focus(&h, tracking::STATUS).await?;
        h.wait_for_text(tracking::EMPTY, "create a pass on One user or Many users")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn pass_holders_focus_the_results_confirm_with_escape_and_announce_deletions() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let now = h.emu.now();
        h.emu
            .seed_pass(PRADEEP, now - time::Duration::minutes(10), 60, true)
            .map_err(|e| anyhow!("{e:?}"))?;
        boot::sign_in(&h, "megan.bowen").await?;
        holders::open(&h).await?;
        h.wait_for_text(holders::EMPTY, "Nothing checked yet: pick who to check")
            .await?;

        // Nobody found: the empty state names the next step.
        holders::scan_search(&h, "zz-nobody-zz").await?;
        wait_announced(&h, holders::STATUS, "0 of 0 users checked").await?;
        h.wait_for_text(holders::EMPTY, "No one checked holds a pass")
            .await?;

        holders::scan_search(&h, "pradeep").await?;
        wait_announced(&h, holders::STATUS, "1 of 1 users checked · 1 holds a pass").await?;
        wait_focus(&h, holders::STATUS).await?;
        ensure!(
            h.wait_for_css(holders::STATUS)
                .await?
                .attr("aria-busy")
                .await?
                .as_deref()
                == Some("false"),
            "the status line is still busy after the scan"
        );
        ensure!(
            !crate::pages::exists(&h, holders::EMPTY).await,
            "the empty state shows beside a holder"
        );
        row_controls_name_the_user(&h, holders::ROW).await?;

        h.click(&holders::select("Pradeep Gupta")).await?;
        h.wait_for_text(holders::REVOKE, "Delete 1 selected pass")
            .await?;
        holders::ask_revoke(&h, "Delete the pass of Pradeep Gupta (1 user)?").await?;
        wait_focus(&h, holders::KEEP).await?;
        press_escape(&h).await?;
        wait_focus(&h, holders::REVOKE).await?;
        ensure!(
            !crate::pages::exists(&h, holders::CONFIRM_TEXT).await,
            "Escape left the confirmation open"
        );
        ensure!(h.emu.passes(PRADEEP).len() == 1, "Escape deleted the pass");

        holders::revoke(
            &h,
            "Delete the pass of Pradeep Gupta (1 user)?",
            "1 pass deleted · 0 were already gone · 0 could not be deleted.",
        )
        .await?;
        ensure!(
            in_live_region(&h, holders::SUMMARY).await?,
            "the summary is not announced"
        );
        wait_focus(&h, holders::SUMMARY).await?;
        ensure!(h.emu.passes(PRADEEP).is_empty(), "the pass is still there");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn policy_review_takes_focus_escape_returns_it_and_saving_is_announced() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        policy::open(&h).await?;
        policy::grant(&h).await?;
        h.type_into(policy::MAX, "240").await?;
        h.click(policy::REVIEW).await?;
        wait_focus(&h, policy::SAVE).await?;
        press_escape(&h).await?;
        wait_focus(&h, policy::REVIEW).await?;
        ensure!(
            !crate::pages::exists(&h, policy::DIFF).await,
            "Escape left the review open"
        );

        h.click(policy::REVIEW).await?;
        h.click(policy::SAVE).await?;
        wait_announced(&h, policy::SAVED, "Policy saved.").await?;
        wait_focus(&h, policy::SAVED).await?;
        ensure!(
            h.emu.policy().maximum_lifetime_in_minutes == 240,
            "not saved"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_audit_trail_writes_dates_with_their_zone_counts_entries_and_names_the_next_step(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        create::for_pradeep(&h).await?;
        h.click(reveal::DONE).await?;
        audit::open(&h).await?;
        consent::grant(&h, audit::GRANT).await?;
        h.wait_for_css(audit::TABLE).await?;
        let rows = h
            .driver
            .find_all(fantoccini::Locator::Css(audit::ROW))
            .await?;
        ensure!(!rows.is_empty(), "no entry");
        wait_announced(
            &h,
            audit::NEWS,
            &format!(
                "{} shown.",
                if rows.len() == 1 {
                    "1 entry".to_owned()
                } else {
                    format!("{} entries", rows.len())
                }
            ),
        )
        .await?;
        let zone = h
            .driver
            .execute(
                "return Intl.DateTimeFormat().resolvedOptions().timeZone",
                vec![],
            )
            .await?;
        let zone = match zone.as_str().unwrap_or_default() {
            "Etc/UTC" | "Etc/GMT" | "GMT" => "UTC".to_owned(),
            z => z.to_owned(),
        };
        let when = h.text_content(&format!("{} td", audit::ROW)).await?;
        ensure!(
            when.ends_with(&format!(" {zone}")) && !when.contains(" AM") && !when.contains(" PM"),
            "the date {when:?} does not end with its zone {zone}"
        );

        // Refresh is disabled while it reads: focus goes to the live region.
        h.click(audit::REFRESH).await?;
        wait_focus(&h, audit::NEWS).await?;
        wait_announced(&h, audit::NEWS, " shown.").await?;

        h.type_into(audit::FILTER, "zz-nobody-zz").await?;
        h.wait_for_text(audit::EMPTY, "Pick a longer period")
            .await?;
        wait_announced(&h, audit::NEWS, "0 entries shown.").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_deletion_refused_on_tracking_is_said_by_name_and_the_pass_stays() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        boot::sign_in(&h, "adele.vance").await?;
        create::for_pradeep(&h).await?;
        h.click(reveal::DONE).await?;
        h.emu
            .register_method(
                PRADEEP,
                "#microsoft.graph.fido2AuthenticationMethod",
                Some("Key"),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        tracking::open(&h).await?;
        h.wait_for_css(tracking::REVOKE).await?;
        h.emu
            .inject(FaultRule::new(
                Match::graph()
                    .method("DELETE")
                    .path_contains("/temporaryAccessPassMethods"),
                FaultKind::ServerError(503),
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
        h.click(tracking::REVOKE).await?;
        h.click(tracking::REVOKE_CONFIRM).await?;
        wait_announced(
            &h,
            tracking::NEWS,
            "Pradeep Gupta's pass was not deleted: the message below says why. It still works.",
        )
        .await?;
        wait_focus(&h, tracking::NEWS).await?;
        h.wait_for_css(crate::pages::ALERT).await?;
        ensure!(h.emu.passes(PRADEEP).len() == 1, "the pass is gone");
        Ok(())
    })
    .await
}
