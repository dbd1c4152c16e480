//! Hand-over messages (issue 7): built from the new pass for the user or their manager, in
//! English or German, with the validity in the chosen time zone; the preview masks the pass and
//! only "Copy message" puts the whole text on the clipboard.

use std::sync::Arc;

use anyhow::{ensure, Result};

use super::{allow_clipboard, assert_accessible, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, consent, create, exists, handover, reveal, user};

const MEGAN: &str = "megan.bowen@contoso.onmicrosoft.com";

#[tokio::test]
async fn a_german_message_for_the_manager_carries_the_pass_only_when_copied() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        allow_clipboard(&h).await?;
        boot::sign_in(&h, "adele.vance").await?;
        let value = create::for_pradeep(&h).await?;

        h.click(handover::SUMMARY).await?;
        // Pradeep's preferred language is en-US: English for the user by default.
        h.wait_for_text(handover::PREVIEW, "Hello Pradeep Gupta")
            .await?;
        handover::choose(&h, handover::AUDIENCE, "manager").await?;
        handover::choose(&h, handover::LANGUAGE, "de").await?;
        h.type_into(handover::ZONE, "Asia/Tokyo").await?;
        h.wait_for_text(
            handover::PREVIEW,
            "Befristeter Zugriffspass für Pradeep Gupta",
        )
        .await?;
        assert_accessible(&h, "the hand-over message").await?;
        let preview = h
            .wait_for_text(handover::PREVIEW, "(Asia/Tokyo)")
            .await?
            .text()
            .await?;
        ensure!(
            !preview.contains(&value),
            "the preview shows the pass: {preview}"
        );
        ensure!(
            preview.contains("persönlich an Pradeep Gupta (pradeep.gupta@contoso.onmicrosoft.com)"),
            "{preview}"
        );
        ensure!(
            preview.contains("einmalig verwendbar"),
            "one-time not said: {preview}"
        );

        // A zone the browser does not know is refused in words, and nothing can be copied.
        h.type_into(handover::ZONE, "Mars/Olympus").await?;
        h.wait_for_css(handover::ZONE_ERROR).await?;
        ensure!(
            h.wait_for_css(handover::COPY)
                .await?
                .attr("disabled")
                .await?
                .is_some(),
            "Copy stays enabled with a wrong zone"
        );
        h.type_into(handover::ZONE, "Asia/Tokyo").await?;

        h.click(handover::COPY).await?;
        h.wait_for_text(handover::HANDOVER, "Copied").await?;
        let copied = h.clipboard_text().await?;
        ensure!(
            copied.starts_with("Befristeter Zugriffspass für Pradeep Gupta"),
            "copied: {copied}"
        );
        ensure!(copied.contains(&value), "the copied message lacks the pass");
        // The validity is written in Tokyo time (UTC+9): the emulator's record says when.
        let start = h.emu.passes(PRADEEP)[0].start_date_time;
        let tokyo = start.to_offset(time::UtcOffset::from_hms(9, 0, 0)?);
        let hhmm = format!("{:02}:{:02}", tokyo.hour(), tokyo.minute());
        ensure!(
            copied.contains(&hhmm),
            "validity not in Tokyo time ({hhmm}): {copied}"
        );

        // Done removes the message with the pass.
        reveal::done(&h).await?;
        h.wait_until("the message to leave the page", || async {
            Ok(!h.body_text().await?.contains("Befristeter"))
        })
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_message_is_emailed_as_the_admin_after_mail_send_is_granted_before_creating(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        // Asked for only when wanted, before the pass exists (a redirect would lose it).
        consent::grant_on_user_page(&h, create::GRANT_MAIL).await?;
        create::submit(&h).await?;
        let value = h.emu.passes(PRADEEP)[0].temporary_access_pass.clone();
        h.click(handover::SUMMARY).await?;
        // Nobody until the admin types an address: not the mailbox the pass unlocks.
        let to = h
            .wait_for_css(handover::TO)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        ensure!(to.is_empty(), "the address defaults to {to:?}");
        h.type_into(handover::TO, PRADEEP).await?;
        h.wait_for_text(
            handover::TO_WARNINGS,
            "mailbox of the account the pass unlocks",
        )
        .await?;
        h.type_into(handover::TO, "megan@fabrikam.example").await?;
        h.wait_for_text(
            handover::TO_WARNINGS,
            "fabrikam.example is not one of your organisation's domains (contoso.onmicrosoft.com)",
        )
        .await?;
        assert_accessible(&h, "the email hand-over with warnings").await?;
        h.type_into(handover::TO, MEGAN).await?;
        h.wait_until("the warnings to go for a colleague's address", || async {
            Ok(!exists(&h, handover::TO_WARNINGS).await)
        })
        .await?;
        h.click(handover::SEND).await?;
        h.wait_for_text(
            handover::CONFIRM_TEXT,
            "Email the pass to megan.bowen@contoso.onmicrosoft.com?",
        )
        .await?;
        ensure!(
            h.emu.mails().is_empty(),
            "mail went before the confirmation"
        );
        h.click(handover::SEND_CONFIRM).await?;
        h.wait_for_text(
            handover::SENT,
            "Sent to megan.bowen@contoso.onmicrosoft.com",
        )
        .await?;
        let mails = h.emu.mails();
        ensure!(mails.len() == 1, "{} mails sent", mails.len());
        let m = &mails[0];
        ensure!(
            m.from == "adele.vance@contoso.onmicrosoft.com" && m.to == [MEGAN],
            "{m:?}"
        );
        ensure!(
            m.subject == "Your Temporary Access Pass" && m.content_type == "Text",
            "{m:?}"
        );
        ensure!(
            m.content.contains(&value) && m.content.contains("Hello Pradeep Gupta"),
            "the mail lacks the pass or the greeting"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn email_is_not_offered_for_a_pass_to_an_admin() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Megan (Privileged Authentication Administrator) issues a pass to Isaiah, a User
        // Administrator: copying the message stays, email does not.
        boot::sign_in(&h, "megan.bowen").await?;
        user::open(&h, "isaiah", "Isaiah Langer").await?;
        consent::grant_on_user_page(&h, create::GRANT_MAIL).await?;
        create::submit(&h).await?;
        h.click(handover::SUMMARY).await?;
        // Without a role-read permission Graph names no role (limited information): the
        // refusal still stands, and never shows the role's id.
        h.wait_for_text(
            handover::MAIL_REFUSED,
            "Email is not offered for admins (an admin role)",
        )
        .await?;
        ensure!(
            !exists(&h, handover::EMAIL_FORM).await,
            "an email form for an admin's pass"
        );
        h.wait_for_css(handover::COPY).await?;
        ensure!(h.emu.mails().is_empty(), "a mail was sent");
        Ok(())
    })
    .await
}
