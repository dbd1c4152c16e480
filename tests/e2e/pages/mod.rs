//! Page objects of the end-to-end tests: one module a screen, each holding the screen's
//! selectors (the page's element ids, which refactors of `src/` keep) and the verbs the tests
//! repeat, built on the harness's bounded waits. Tests assert; pages only act and wait.

pub mod audit;
pub mod badges;
pub mod boot;
pub mod bulk;
pub mod campaign;
pub mod consent;
pub mod create;
pub mod handover;
pub mod holders;
pub mod policy;
pub mod reveal;
pub mod scope;
pub mod search;
pub mod setup;
pub mod shell;
pub mod tabs;
pub mod tracking;
pub mod user;

/// Any alert the page shows (`role=alert`): a failure put in words.
pub const ALERT: &str = "[role=alert]";

/// Whether an element matching `css` is on the page now (not waited for).
pub async fn exists(h: &crate::harness::Harness, css: &str) -> bool {
    h.driver.find(fantoccini::Locator::Css(css)).await.is_ok()
}

/// The id of the element that has focus now ("" for the page itself).
pub async fn focused(h: &crate::harness::Harness) -> anyhow::Result<String> {
    let v = h
        .driver
        .execute(
            "const e = document.activeElement; return !e ? '' : (e.id || e.tagName.toLowerCase());",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until the element with `id` has focus.
pub async fn wait_focus(h: &crate::harness::Harness, id: &str) -> anyhow::Result<()> {
    h.wait_until(&format!("focus on #{id}"), || async move {
        Ok(focused(h).await? == id)
    })
    .await
}
