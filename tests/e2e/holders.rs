//! "Who holds a pass" (issue 7): the whole tenant scanned in batches with progress, filtered and
//! sorted, a selection revoked with a confirmation and a summary; a search as the source; a
//! slow scan stopped.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, ensure, Result};
use fantoccini::Locator;
use tapdesk_emulator::seed::new_hire_upn;
use tapdesk_emulator::{Event, FaultKind, FaultRule, Match};

use super::{assert_accessible, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, consent, holders, tabs};

const DIEGO: &str = "diego.siciliani@contoso.onmicrosoft.com";
const JOHANNA: &str = "johanna.lorenz@contoso.onmicrosoft.com";
const NESTOR: &str = "nestor.wilke@contoso.onmicrosoft.com";

/// Pradeep: usable one-time; Diego: tomorrow; Johanna: expired; Nestor: usable, multi-use, a day.
fn seed(h: &Harness) -> Result<()> {
    let now = h.emu.now();
    let hour = time::Duration::hours(1);
    for (upn, start, minutes, once) in [
        (PRADEEP, now - hour / 6, 60, true),
        (DIEGO, now + hour * 20, 60, true),
        (JOHANNA, now - hour * 72, 60, true),
        (NESTOR, now - hour, 1440, false),
    ] {
        h.emu
            .seed_pass(upn, start, minutes, once)
            .map_err(|e| anyhow!("{e:?}"))?;
    }
    Ok(())
}

/// Signs in as `admin` and opens the Pass holders screen.
async fn holders_screen(h: &Harness, admin: &str) -> Result<()> {
    boot::sign_in(h, admin).await?;
    h.click(tabs::HOLDERS).await
}

#[tokio::test]
async fn the_tenant_is_scanned_filtered_and_a_selection_revoked() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        seed(&h)?;
        holders_screen(&h, "megan.bowen").await?;
        h.emu.reset_graph_counters();
        h.click(holders::SCAN).await?;
        let status = h
            .wait_for_text(holders::STATUS, "hold a pass")
            .await?
            .text()
            .await?;
        ensure!(
            status.contains("4 hold a pass · 0 could not be read"),
            "{status}"
        );
        let all = holders::wait_rows(&h, 4).await?;
        assert_accessible(&h, "the pass holders").await?;
        // Standing order: usable first, then not yet valid, then expired.
        ensure!(
            all[3].contains("Johanna Lorenz") && all[3].contains("Expired, still present"),
            "{all:#?}"
        );
        let counts = h.emu.graph_requests();
        // 281 users: one page of users, then their pass lists 20 to a batch.
        ensure!(
            counts.batch_items >= 281
                && counts.http_requests - counts.preflights <= 1 + 281_u64.div_ceil(20),
            "{counts:?}"
        );

        h.click(holders::FILTER_USABLE).await?;
        let usable = holders::wait_rows(&h, 2).await?;
        ensure!(
            usable.iter().any(|r| r.contains("Pradeep Gupta"))
                && usable.iter().any(|r| r.contains("Nestor Wilke")),
            "{usable:#?}"
        );
        h.click(holders::FILTER_MULTI).await?;
        let multi = holders::wait_rows(&h, 1).await?;
        ensure!(
            multi[0].contains("Nestor Wilke")
                && multi[0].contains("Multi-use")
                && multi[0].contains("1 day"),
            "{multi:#?}"
        );
        h.click(holders::FILTER_USABLE).await?;
        h.click(holders::FILTER_MULTI).await?;
        h.click(holders::FILTER_LONG).await?;
        holders::wait_rows(&h, 1).await?;
        h.click(holders::FILTER_LONG).await?;
        holders::wait_rows(&h, 4).await?;

        // Revoke Diego's and Johanna's passes.
        for name in ["Diego Siciliani", "Johanna Lorenz"] {
            h.click(&holders::select(name)).await?;
        }
        h.wait_for_text(holders::REVOKE, "Delete 2 selected passes")
            .await?;
        holders::revoke(
            &h,
            "Delete the passes of Diego Siciliani and Johanna Lorenz (2 users)?",
            "2 passes deleted · 0 were already gone · 0 could not be deleted.",
        )
        .await?;
        ensure!(
            h.emu.passes(DIEGO).is_empty() && h.emu.passes(JOHANNA).is_empty(),
            "the passes are still there"
        );
        ensure!(
            h.emu.passes(PRADEEP).len() == 1 && h.emu.passes(NESTOR).len() == 1,
            "an unselected pass went"
        );
        let left = holders::wait_rows(&h, 2).await?;
        ensure!(
            left.iter()
                .all(|r| !r.contains("Diego") && !r.contains("Johanna")),
            "{left:#?}"
        );

        // A search as the source.
        holders::scan_search(&h, "pradeep").await?;
        h.wait_for_text(holders::STATUS, "1 of 1 users checked · 1 holds a pass")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_slow_scan_can_be_stopped() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        seed(&h)?;
        holders_screen(&h, "megan.bowen").await?;
        h.emu
            .inject(FaultRule::new(
                Match::graph().path_contains("$batch"),
                FaultKind::Latency(Duration::from_millis(700)),
            ))
            .map_err(|e| anyhow!("{e}"))?;
        h.click(holders::SCAN).await?;
        h.wait_for_text(holders::STATUS, "Checked").await?;
        h.click(holders::CANCEL).await?;
        let status = h
            .wait_for_text(holders::STATUS, "Stopped.")
            .await?
            .text()
            .await?;
        let done: usize = status
            .trim_start_matches("Stopped. ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        ensure!(done < 281, "the scan did not stop: {status}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_group_is_scanned_transitively_after_consent_on_that_screen() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let now = h.emu.now();
        // Two new hires hold a pass; Diego (HR, not a new hire) too.
        for upn in [new_hire_upn(1), new_hire_upn(200), DIEGO.to_owned()] {
            h.emu.seed_pass(&upn, now, 60, true).map_err(|e| anyhow!("{e:?}"))?;
        }
        holders_screen(&h, "alex.wilber").await?;
        h.click(holders::SOURCE_GROUP).await?;
        consent::grant(&h, holders::GRANT_GROUPS).await?;
        // Back on this screen (the tab is kept); the source starts again from the tenant.
        h.click(holders::SOURCE_GROUP).await?;
        h.type_into(holders::GROUP_QUERY, "New Hires").await?;
        h.click(holders::GROUP_FIND).await?;
        h.wait_for_text(holders::GROUP_RESULTS, "New Hires").await?;
        h.driver
            .execute(
                "[...document.querySelectorAll('.holders-group-pick')].find((b) => b.textContent === 'New Hires').click();",
                vec![],
            )
            .await?;
        h.wait_for_text(holders::GROUP_PICKED, "Group: New Hires").await?;
        h.click(holders::SCAN).await?;
        let status = h.wait_for_text(holders::STATUS, "hold a pass").await?.text().await?;
        // Diego is not counted: only the group's members, nested groups included, are checked.
        ensure!(status.contains("2 hold a pass · 0 could not be read"), "{status}");
        let members: usize = status.split(" of ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
        ensure!(members >= 250, "only {members} members were checked: {status}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn items_throttled_inside_the_scan_are_sent_again_and_nothing_is_missed() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        seed(&h)?;
        holders_screen(&h, "megan.bowen").await?;
        // A fifth of the pass-list items answer 429 (Retry-After 1 s) inside their $batch.
        h.emu.set_fault_seed(7);
        let lists = Match::graph()
            .method("GET")
            .path_contains("/temporaryAccessPassMethods");
        h.emu
            .inject(
                FaultRule::new(
                    lists,
                    FaultKind::Throttle {
                        retry_after_secs: 1,
                    },
                )
                .share(0.2)
                .times(40),
            )
            .map_err(|e| anyhow!("{e}"))?;
        h.click(holders::SCAN).await?;
        let status = h
            .wait_for_text(holders::STATUS, "hold a pass")
            .await?
            .text()
            .await?;
        ensure!(
            status.contains("281 of 281 users checked · 4 hold a pass · 0 could not be read"),
            "{status}"
        );
        let throttled = h
            .emu
            .events()
            .iter()
            .filter(|e| matches!(e, Event::FaultInjected { .. }))
            .count();
        ensure!(throttled > 0, "no item was throttled");
        holders::wait_rows(&h, 4).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn revoking_acts_on_rows_shown_names_the_users_and_keys_outcomes_by_id() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        seed(&h)?;
        // Nestor now shares Diego's display name: outcomes must not be matched by name.
        h.emu
            .rename_user(NESTOR, "Diego Siciliani")
            .map_err(|e| anyhow!("{e:?}"))?;
        holders_screen(&h, "megan.bowen").await?;
        h.click(holders::SCAN).await?;
        holders::wait_rows(&h, 4).await?;

        // Johanna (expired) is selected, then hidden by "Usable now": she is not revoked.
        h.click(&holders::select("Johanna Lorenz")).await?;
        h.click(holders::FILTER_USABLE).await?;
        holders::wait_rows(&h, 2).await?;
        h.click(&holders::select("Pradeep Gupta")).await?;
        h.wait_for_text(holders::REVOKE, "Delete 1 selected pass")
            .await?;
        h.wait_for_text(
            holders::HIDDEN_SELECTED,
            "1 selected user is hidden by the filters",
        )
        .await?;
        holders::revoke(
            &h,
            "Delete the pass of Pradeep Gupta (1 user)?",
            "1 pass deleted · 0 were already gone · 0 could not be deleted.",
        )
        .await?;
        ensure!(
            h.emu.passes(PRADEEP).is_empty(),
            "Pradeep's pass is still there"
        );
        ensure!(h.emu.passes(JOHANNA).len() == 1, "a hidden row was revoked");

        // The two "Diego Siciliani": the real Diego's deletion fails (500), Nestor's works.
        h.click(holders::FILTER_USABLE).await?;
        h.click(&holders::select("Johanna Lorenz")).await?;
        holders::wait_rows(&h, 3).await?;
        for pick in h
            .driver
            .find_all(Locator::Css(&holders::select("Diego Siciliani")))
            .await?
        {
            pick.click().await?;
        }
        let diego = h
            .emu
            .user_id(DIEGO)
            .ok_or_else(|| anyhow!("Diego is seeded"))?;
        h.emu
            .inject(FaultRule::new(
                Match::graph().method("DELETE").path_contains(&diego),
                FaultKind::ServerError(500),
            ))
            .map_err(|e| anyhow!("{e}"))?;
        let confirm = holders::ask_revoke(&h, "(2 users)").await?;
        ensure!(
            confirm.contains(&format!("Diego Siciliani ({DIEGO})"))
                && confirm.contains(&format!("Diego Siciliani ({NESTOR})")),
            "{confirm}"
        );
        holders::confirm_revoke(
            &h,
            "1 pass deleted · 0 were already gone · 1 could not be deleted.",
        )
        .await?;
        let failed = h.text_content(holders::FAILED).await?;
        ensure!(failed.contains(DIEGO), "{failed}");
        ensure!(
            h.emu.passes(DIEGO).len() == 1 && h.emu.passes(NESTOR).is_empty(),
            "the emulator disagrees"
        );
        // Only the real Diego's row stays (still selected); Nestor's row left the table.
        let left = holders::wait_rows(&h, 2).await?;
        ensure!(
            left.iter().any(|r| r.contains(DIEGO)) && !left.iter().any(|r| r.contains(NESTOR)),
            "{left:#?}"
        );
        h.wait_for_text(holders::REVOKE, "Delete 1 selected pass")
            .await?;
        Ok(())
    })
    .await
}
