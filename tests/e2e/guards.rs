//! Issue 17, points 2 and 3 for one user: a new pass is never lost to one click (a second
//! Create, Done on an unseen pass, opening another user), focus after each action and around
//! each confirmation, and only what the admin's role can do is offered.

use std::sync::Arc;

use anyhow::{ensure, Result};
use fantoccini::key::Key;
use fantoccini::Locator;

use crate::harness::{self, Harness, Options};
use crate::pages::{
    audit, boot, consent, create, exists, focused, policy, reveal, search, tabs, user, wait_focus,
};
use crate::PRADEEP;

const DIEGO: &str = "diego.siciliani@contoso.onmicrosoft.com";

/// Presses Escape on the element that has focus.
async fn escape(h: &Harness) -> Result<()> {
    let id = focused(h).await?;
    h.driver
        .find(Locator::Id(&id))
        .await?
        .send_keys(&char::from(Key::Escape).to_string())
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_second_create_asks_naming_the_user_and_cancel_keeps_the_pass() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        let first = create::for_pradeep(&h).await?;
        // Focus on the new pass's heading; the live region names the user, never the pass.
        wait_focus(&h, "reveal-title").await?;
        h.wait_for_text(user::ANNOUNCE, "Pass created for Pradeep Gupta")
            .await?;
        ensure!(
            !h.text_content(user::ANNOUNCE).await?.contains(&first),
            "the pass was announced"
        );
        // The form is collapsed: no Create under the pass, only "Create another pass…".
        ensure!(
            !h.driver
                .find(Locator::Css(create::CREATE))
                .await?
                .is_displayed()
                .await?,
            "Create is shown under the new pass"
        );
        h.click(create::ANOTHER).await?;
        h.wait_for_text(create::REPLACE_CONFIRM, "for Pradeep Gupta?")
            .await?;
        wait_focus(&h, "confirm-replace").await?;
        // Escape closes the question and gives focus back to its opener.
        escape(&h).await?;
        wait_focus(&h, "create-another").await?;
        ensure!(!exists(&h, create::REPLACE_CONFIRM).await, "still asking");
        // Cancel keeps the pass on screen and creates nothing.
        h.click(create::ANOTHER).await?;
        h.click(create::CANCEL_REPLACE).await?;
        wait_focus(&h, "create-another").await?;
        ensure!(
            exists(&h, reveal::NEW_PASS).await,
            "the pass left the screen"
        );
        let passes = h.emu.passes(PRADEEP);
        ensure!(
            passes.len() == 1 && passes[0].temporary_access_pass == first,
            "Cancel replaced the pass"
        );
        // Confirmed, the pass is replaced and the new one is on screen.
        h.click(create::ANOTHER).await?;
        h.click(create::CONFIRM_REPLACE).await?;
        h.wait_until("a new pass", || async {
            Ok(h.emu
                .passes(PRADEEP)
                .first()
                .map(|p| p.temporary_access_pass.clone())
                != Some(first.clone()))
        })
        .await?;
        wait_focus(&h, "reveal-title").await?;
        let second = h.emu.passes(PRADEEP)[0].temporary_access_pass.clone();
        reveal::show(&h, &second).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn done_asks_for_an_unseen_pass_and_focus_follows_done_and_delete() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        let value = create::for_pradeep(&h).await?;
        // Never revealed, copied or sent: Done asks, its first button has focus.
        h.click(reveal::DONE).await?;
        h.wait_for_text(
            reveal::DONE_CONFIRM,
            "You have not revealed, copied or sent this pass. Close it anyway?",
        )
        .await?;
        wait_focus(&h, "done-anyway").await?;
        h.click(reveal::DONE_KEEP).await?;
        wait_focus(&h, "done").await?;
        ensure!(exists(&h, reveal::NEW_PASS).await, "Keep closed the pass");
        // Escape closes the question too.
        h.click(reveal::DONE).await?;
        wait_focus(&h, "done-anyway").await?;
        escape(&h).await?;
        wait_focus(&h, "done").await?;
        // Revealed, Done closes at once; focus goes to the current pass's status.
        reveal::show(&h, &value).await?;
        h.click(reveal::DONE).await?;
        h.wait_until("the pass gone", || async {
            Ok(!exists(&h, reveal::NEW_PASS).await)
        })
        .await?;
        wait_focus(&h, "pass-status").await?;
        // Delete: the confirmation's first button has focus, Escape returns to the opener.
        h.click(user::DELETE_PASS).await?;
        wait_focus(&h, "confirm-delete").await?;
        escape(&h).await?;
        wait_focus(&h, "delete-pass").await?;
        h.click(user::DELETE_PASS).await?;
        h.click(user::CANCEL_DELETE).await?;
        wait_focus(&h, "delete-pass").await?;
        user::delete_pass(&h).await?;
        wait_focus(&h, "pass-status").await?;
        h.wait_for_text(user::ANNOUNCE, "Pass deleted").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn opening_another_user_with_a_pass_on_screen_asks_first() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        create::for_pradeep(&h).await?;
        search::find(&h, "diego", "Diego Siciliani").await?;
        search::enter(&h).await?;
        let asked = h
            .wait_for_text(search::LEAVE_CONFIRM, "Close it and open Diego Siciliani?")
            .await?;
        ensure!(
            asked.text().await?.contains("for Pradeep Gupta"),
            "the question does not name the user whose pass is on screen"
        );
        wait_focus(&h, "confirm-leave").await?;
        // Kept: the same user and pass stay; focus back in the search box.
        h.click(search::CANCEL_LEAVE).await?;
        wait_focus(&h, "search").await?;
        h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
        ensure!(
            exists(&h, reveal::NEW_PASS).await,
            "the pass left the screen"
        );
        // Confirmed: the other user opens and the pass is gone.
        search::find(&h, "diego", "Diego Siciliani").await?;
        search::enter(&h).await?;
        h.click(search::CONFIRM_LEAVE).await?;
        h.wait_for_text(user::NAME, "Diego Siciliani").await?;
        ensure!(
            !exists(&h, reveal::NEW_PASS).await,
            "the pass is still shown"
        );
        // With no pass on screen, opening a user does not ask.
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        ensure!(
            !exists(&h, search::LEAVE_CONFIRM).await,
            "asked without a pass"
        );
        ensure!(h.emu.passes(DIEGO).is_empty(), "a pass for Diego");
        Ok(())
    })
    .await
}

/// Whether an element matching `css` is on the page and displayed.
async fn shown(h: &Harness, css: &str) -> Result<bool> {
    Ok(match h.driver.find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await?,
        Err(_) => false,
    })
}

/// Signs in as `local`, opens Pradeep and checks Create is not offered, with `sentence`.
async fn no_create(h: &Harness, local: &str, open: (&str, &str), sentence: &str) -> Result<()> {
    boot::sign_in(h, local).await?;
    user::open(h, open.0, open.1).await?;
    h.wait_for_text(create::REFUSED, sentence).await?;
    ensure!(
        !exists(h, create::ENABLED).await,
        "{local}: Create is enabled"
    );
    ensure!(
        !shown(h, consent::GRANT_WRITE).await?,
        "{local}: Grant consent offered"
    );
    ensure!(
        !shown(h, create::GRANT_MAIL).await?,
        "{local}: Allow email offered"
    );
    Ok(())
}

#[tokio::test]
async fn a_global_reader_sees_a_read_only_pass_and_no_create() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Pradeep holds a pass, so the reader sees it but cannot delete it.
        boot::sign_in(&h, "alex.wilber").await?;
        create::for_pradeep(&h).await?;
        reveal::done(&h).await?;
        boot::sign_out(&h).await?;
        no_create(
            &h,
            "grady.archie",
            ("pradeep", "Pradeep Gupta"),
            "As a Global Reader",
        )
        .await?;
        h.wait_for_css(user::PASS_STATUS).await?;
        ensure!(
            !exists(&h, user::DELETE_PASS).await,
            "the reader may delete"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_role_less_account_and_an_out_of_reach_target_get_no_create() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        no_create(
            &h,
            "diego.siciliani",
            ("pradeep", "Pradeep Gupta"),
            "no role that issues passes",
        )
        .await?;
        boot::sign_out(&h).await?;
        // An Authentication Administrator and a User Administrator: one sentence names who can.
        // Role names need a role-read permission; the switch stands for a tenant that granted it.
        h.emu
            .update_settings(|s| s.full_role_objects_without_role_read = true);
        no_create(
            &h,
            "adele.vance",
            ("isaiah", "Isaiah Langer"),
            "a Privileged Authentication Administrator can",
        )
        .await?;
        let warnings = h.text_content(create::WARNINGS).await?;
        ensure!(
            !warnings.contains("cannot issue them a pass"),
            "the refusal is said twice: {warnings}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn grant_permission_shows_only_where_the_role_can_use_it() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // An Authentication Administrator can use neither: the screens name who can.
        boot::sign_in(&h, "adele.vance").await?;
        policy::open(&h).await?;
        h.wait_for_text(policy::GRANT_ROLE, "Authentication Policy Administrator")
            .await?;
        ensure!(!exists(&h, policy::GRANT).await, "policy: Grant offered");
        audit::open(&h).await?;
        h.wait_for_text(audit::GRANT_ROLE, "Reports Reader").await?;
        ensure!(!exists(&h, audit::GRANT).await, "audit: Grant offered");
        boot::sign_out(&h).await?;
        // A Global Administrator can use both.
        boot::sign_in(&h, "alex.wilber").await?;
        audit::open(&h).await?;
        h.wait_for_css(audit::GRANT).await?;
        ensure!(
            !exists(&h, audit::GRANT_ROLE).await,
            "audit: who can, to one who can"
        );
        policy::open(&h).await?;
        h.wait_for_css(policy::GRANT).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_refused_consent_returns_signed_in_to_the_same_tab_with_a_notice() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        audit::open(&h).await?;
        h.click(audit::GRANT).await?;
        h.click(consent::CANCEL).await?;
        if let Err(e) = h
            .wait_for_text(consent::REFUSED, "The permission was not granted")
            .await
        {
            let body = h.body_text().await.unwrap_or_default();
            let url = h.driver.current_url().await?.to_string();
            anyhow::bail!("{e}: {url}: {body}");
        }
        h.wait_for_css(boot::ACCOUNT).await?;
        h.wait_for_css(&tabs::selected(tabs::AUDIT)).await?;
        ensure!(!exists(&h, boot::ERROR).await, "a sign-in error is shown");
        // Still without the permission: Grant is offered again.
        h.wait_for_css(audit::GRANT).await?;
        Ok(())
    })
    .await
}
