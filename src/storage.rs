//! The one module that touches Web Storage. Nothing secret is ever written here: no token, no pass.
//!
//! What is kept, and why:
//! - sessionStorage [`ATTEMPT`]: state, nonce and PKCE verifier of one sign-in attempt (deleted once read);
//! - sessionStorage [`INTERACTION`]: time an interactive sign-in started, so two never overlap;
//! - sessionStorage [`HINT`]: the signed-in account's UPN, so a reload can sign in silently;
//! - sessionStorage [`VIEW`]: the object id of the user on screen, so a reload returns to it;
//! - sessionStorage [`INTENT`]: the user and create-form fields to restore after a consent or
//!   sign-in redirect (no secret: the pass is never part of it);
//! - sessionStorage [`DISCOVERY`]: the authority's public discovery document, so it is fetched
//!   once per session (checked again on every use);
//! - sessionStorage [`TRACKED`]: the object ids of the users the onboarding tracker follows, with
//!   the time each was added (never a pass);
//! - sessionStorage [`TAB`]: the screen (tab) on show, so a reload or consent returns to it;
//! - localStorage [`SETTINGS`]: configuration overrides from the Settings screen (not secret);
//! - sessionStorage [`NO_PROMPT`]: the authority that refused `prompt=select_account`, so this
//!   tab asks it without a prompt from then on (issue 11 point 5).
//! - sessionStorage [`CLIPBOARD`]: set while a pass the page copied may still be on the
//!   clipboard (a flag, never the pass), so the page loaded after a reload clears it.

/// sessionStorage key of the pending sign-in attempt.
pub const ATTEMPT: &str = "tapdesk.attempt";
/// sessionStorage key of the interactive-sign-in-in-progress flag.
pub const INTERACTION: &str = "tapdesk.interaction";
/// sessionStorage key of the login hint used for silent sign-in after a reload.
pub const HINT: &str = "tapdesk.hint";
/// sessionStorage key of the user id on screen.
pub const VIEW: &str = "tapdesk.view";
/// sessionStorage key of the screen to restore after a redirect.
pub const INTENT: &str = "tapdesk.intent";
/// sessionStorage key of the authority's discovery document.
pub const DISCOVERY: &str = "tapdesk.discovery";
/// sessionStorage key of the users the tracker follows.
pub const TRACKED: &str = "tapdesk.tracked";
/// sessionStorage key of the tab on show.
pub const TAB: &str = "tapdesk.tab";
/// localStorage key of the Settings screen's configuration overrides.
pub const SETTINGS: &str = "tapdesk.settings";
/// sessionStorage key of the authority that refused the `prompt` value `select_account`.
pub const NO_PROMPT: &str = "tapdesk.noprompt";
/// sessionStorage key of the "a copied pass may still be on the clipboard" flag. Not among
/// [`SESSION_KEYS`]: it must outlive a sign-out whose clear the browser refused.
pub const CLIPBOARD: &str = "tapdesk.clipboard";

/// Which Web Storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `sessionStorage`: this tab only, gone when it closes.
    Session,
    /// `localStorage`: kept across visits.
    Local,
}

fn area(which: Area) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    match which {
        Area::Session => window.session_storage().ok().flatten(),
        Area::Local => window.local_storage().ok().flatten(),
    }
}

/// Returns the value stored under `key`, if storage is available and holds one.
pub fn get(which: Area, key: &str) -> Option<String> {
    area(which)?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`; returns false if the browser refused (storage disabled or full).
pub fn set(which: Area, key: &str, value: &str) -> bool {
    area(which).is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Removes `key`.
pub fn remove(which: Area, key: &str) {
    if let Some(s) = area(which) {
        let _ = s.remove_item(key);
    }
}

/// Returns the value under `key` and deletes it, so it can be used once only.
pub fn take(which: Area, key: &str) -> Option<String> {
    let value = get(which, key);
    remove(which, key);
    value
}

/// Every sessionStorage key of this page.
pub const SESSION_KEYS: &[&str] = &[
    ATTEMPT,
    INTERACTION,
    HINT,
    VIEW,
    INTENT,
    DISCOVERY,
    TAB,
    TRACKED,
    NO_PROMPT,
];

/// Removes everything this page keeps in sessionStorage (sign-out).
pub fn clear_session() {
    for &key in SESSION_KEYS {
        remove(Area::Session, key);
    }
}

/// Forgets a half-done sign-in (attempt and in-progress flag): a page restored from the
/// back/forward cache must not resume one (security item 15).
pub fn forget_pending_sign_in() {
    remove(Area::Session, ATTEMPT);
    remove(Area::Session, INTERACTION);
}
