//! Page objects of the end-to-end tests: one module a screen, each holding the screen's
//! selectors (the page's element ids, which refactors of `src/` keep) and the verbs the tests
//! repeat, built on the harness's bounded waits. Tests assert; pages only act and wait.

pub mod audit;
pub mod boot;
pub mod bulk;
pub mod consent;
pub mod create;
pub mod handover;
pub mod holders;
pub mod policy;
pub mod reveal;
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
