//! The critical paths in Graph requests (issue 6): signing in reads the policy once (the
//! admin's roles come with the token), opening a user is one `$batch`, creating a pass is one
//! POST, and the discovery document is fetched once per session, reloads included. Asserted on
//! the emulator's own counters; `cargo xtask bench` prints the same figures.

use std::sync::Arc;

use anyhow::{ensure, Result};
use fantoccini::key::Key;
use fantoccini::Locator;
use tapdesk_emulator::{Event, GraphRequestCounts};

use super::count;
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, create, search, user};

/// Graph requests of each journey, as the emulator counted them.
#[derive(Clone, Debug)]
pub struct CriticalPath {
    /// From the click on Sign in to the signed-in home with the policy shown.
    pub sign_in: GraphRequestCounts,
    /// From Enter on a search result to the user page with its pass and methods.
    pub open_user: GraphRequestCounts,
    /// From the click on Create to the pass on screen and the pass status updated.
    pub create: GraphRequestCounts,
    /// Discovery documents served over sign-in, consent-free reload and silent sign-in.
    pub discovery: usize,
}

/// Requests that reached Graph, CORS preflights left out.
pub fn requests(c: &GraphRequestCounts) -> u64 {
    c.http_requests - c.preflights
}

/// Signs in as Adele (Authentication Administrator: the page must also read the target's
/// roles), opens Pradeep, creates a pass and reloads; returns the counts of each step.
pub async fn walk(h: &Harness) -> Result<CriticalPath> {
    h.emu.reset_graph_counters();
    // Adele may not read the policy by default (issue 11 point 6); the count is the same
    // either way (one GET), the summary only shows with the lenient switch.
    h.emu
        .update_settings(|s| s.policy_readable_by_authentication_administrator = true);
    boot::sign_in(h, "adele.vance").await?;
    h.wait_for_text(boot::POLICY_SUMMARY, "hour").await?;
    let sign_in = h.emu.graph_requests();

    h.type_into(search::INPUT, "pradeep").await?;
    h.wait_for_text(search::OPTION, "Pradeep Gupta").await?;
    h.emu.reset_graph_counters();
    h.driver
        .find(Locator::Css(search::INPUT))
        .await?
        .send_keys(&char::from(Key::Enter).to_string())
        .await?;
    h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
    h.wait_for_text(user::PASS_STATUS, "No Temporary Access Pass")
        .await?;
    h.wait_for_css(user::METHODS).await?;
    let open_user = h.emu.graph_requests();

    h.emu.reset_graph_counters();
    create::submit(h).await?;
    h.wait_for_css(user::PASS_USABLE).await?;
    let create = h.emu.graph_requests();

    h.driver.refresh().await?;
    h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
    h.wait_for_css(user::METHODS).await?;
    let discovery = count(&h.emu.events(), |e| matches!(e, Event::DiscoveryServed));
    Ok(CriticalPath {
        sign_in,
        open_user,
        create,
        discovery,
    })
}

#[tokio::test]
async fn each_journey_costs_one_graph_request_and_discovery_is_read_once() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let p = walk(&h).await?;
        ensure!(
            requests(&p.sign_in) == 1,
            "signing in cost {:?} (only the policy read is expected)",
            p.sign_in
        );
        ensure!(
            requests(&p.open_user) == 1,
            "opening a user cost {:?}",
            p.open_user
        );
        // Passes, methods, and the target's roles (an Authentication Administrator may not act on admins).
        ensure!(
            p.open_user.batch_items == 3,
            "the user's batch held {} items",
            p.open_user.batch_items
        );
        ensure!(
            requests(&p.create) == 1 && p.create.batch_items == 0,
            "creating cost {:?}",
            p.create
        );
        ensure!(
            p.discovery == 1,
            "the discovery document was fetched {} times",
            p.discovery
        );
        Ok(())
    })
    .await
}
