//! What the admin can see beyond one pass (issue 7): a user's every sign-in method, unknown
//! kinds included, and the tenant's audit trail of pass creations and deletions.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use fantoccini::Locator;

use super::{assert_accessible, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{audit, boot, consent, create, exists, reveal, search, user};

#[tokio::test]
async fn the_user_page_lists_every_method_and_says_when_a_pass_may_not_be_needed() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let reg = |kind: &str, name: &str| {
            h.emu
                .register_method(PRADEEP, kind, Some(name))
                .map_err(|e| anyhow!("{e:?}"))
        };
        reg("#microsoft.graph.fido2AuthenticationMethod", "YubiKey 5")?;
        reg("#microsoft.graph.quantumAuthenticationMethod", "Q-key")?;
        boot::sign_in(&h, "adele.vance").await?;
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        let table = h.wait_for_css(user::METHODS).await?.text().await?;
        for needle in [
            "Passkey (FIDO2)",
            "YubiKey 5",
            "Other method (quantum)",
            "Q-key",
        ] {
            ensure!(
                table.contains(needle),
                "the methods table lacks {needle:?}: {table}"
            );
        }
        h.wait_for_text(user::STRONG_METHOD, "may not need a pass")
            .await?;

        // Miriam has only email and phone: no such note, the list stays folded.
        h.type_into(search::INPUT, "").await?;
        user::open(&h, "miriam", "Miriam Graham").await?;
        // Folded, so read the DOM's text rather than what is displayed.
        h.wait_until("Miriam's methods", || async {
            let text = h.text_content(user::METHODS).await?;
            Ok(text.contains("Email") && text.contains("Phone"))
        })
        .await?;
        ensure!(
            !exists(&h, user::STRONG_METHOD).await,
            "a strong method is claimed for Miriam"
        );
        let open = h
            .wait_for_css(user::METHODS_OVERVIEW)
            .await?
            .attr("open")
            .await?;
        ensure!(
            open.is_none(),
            "the overview is unfolded without a strong method"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_audit_trail_shows_who_created_and_deleted_a_pass_after_consent_on_that_screen(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        create::for_pradeep(&h).await?;
        reveal::done(&h).await?;
        user::delete_pass(&h).await?;

        audit::open(&h).await?;
        consent::grant(&h, audit::GRANT).await?;
        let table = h.wait_for_css(audit::TABLE).await?;
        // Issue 11 point 4: both documented permissions are asked for in one consent (the
        // emulator's default refuses AuditLog.Read.All alone).
        let granted: Vec<String> = h
            .emu
            .events()
            .into_iter()
            .filter_map(|e| match e {
                tapdesk_emulator::Event::ConsentGranted { scopes, .. } => Some(scopes),
                _ => None,
            })
            .flatten()
            .collect();
        for p in ["AuditLog.Read.All", "Directory.Read.All"] {
            ensure!(
                granted.iter().any(|g| g == p),
                "{p} was not consented: {granted:?}"
            );
        }
        h.wait_until("both entries", || async {
            Ok(table.find_all(Locator::Css(audit::ROW)).await?.len() == 2)
        })
        .await?;
        let text = table.text().await?;
        for needle in [
            "Pass created",
            "Pass deleted",
            "Alex Wilber (alex.wilber@contoso.onmicrosoft.com)",
            "Pradeep Gupta (pradeep.gupta@contoso.onmicrosoft.com)",
        ] {
            ensure!(
                text.contains(needle),
                "the audit table lacks {needle:?}: {text}"
            );
        }
        assert_accessible(&h, "the audit trail").await?;
        let records = h.emu.audit_records();
        ensure!(
            records.len() == 2,
            "the emulator logged {} records",
            records.len()
        );
        // Newest first: the deletion above the creation.
        let first = table.find(Locator::Css(audit::ROW)).await?.text().await?;
        ensure!(first.contains("Pass deleted"), "first row: {first}");

        h.type_into(audit::FILTER, "nobody-here").await?;
        h.wait_for_css(audit::EMPTY).await?;
        Ok(())
    })
    .await
}
