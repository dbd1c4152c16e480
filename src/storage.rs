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
//! - localStorage [`CAMPAIGN`]: the passkey campaign (issue 15): its waves' user object ids and
//!   times (never a pass nor a pass's id), kept across visits until the admin exports it.

/// One thing this page keeps in Web Storage: its name there and which area holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The item's name, `tapdesk.…`.
    pub name: &'static str,
    /// sessionStorage or localStorage.
    pub area: Area,
}

const fn session(name: &'static str) -> Key {
    Key {
        name,
        area: Area::Session,
    }
}

/// The pending sign-in attempt.
pub const ATTEMPT: Key = session("tapdesk.attempt");
/// The interactive-sign-in-in-progress flag.
pub const INTERACTION: Key = session("tapdesk.interaction");
/// The login hint used for silent sign-in after a reload.
pub const HINT: Key = session("tapdesk.hint");
/// The user id on screen.
pub const VIEW: Key = session("tapdesk.view");
/// The screen to restore after a redirect.
pub const INTENT: Key = session("tapdesk.intent");
/// The authority's discovery document.
pub const DISCOVERY: Key = session("tapdesk.discovery");
/// The users the tracker follows.
pub const TRACKED: Key = session("tapdesk.tracked");
/// The tab on show.
pub const TAB: Key = session("tapdesk.tab");
/// The Settings screen's configuration overrides, kept across visits.
pub const SETTINGS: Key = Key {
    name: "tapdesk.settings",
    area: Area::Local,
};
/// The authority that refused the `prompt` value `select_account`.
pub const NO_PROMPT: Key = session("tapdesk.noprompt");
/// The "a copied pass may still be on the clipboard" flag. Not among [`SESSION_KEYS`]: it must
/// outlive a sign-out whose clear the browser refused.
pub const CLIPBOARD: Key = session("tapdesk.clipboard");

/// After a refused incremental consent: the sentence (and admin-consent link) the signed-in
/// page shows once, as a local notice. No secret.
pub const CONSENT_REFUSED: Key = session("tapdesk.consentrefused");

/// The passkey campaign's waves (object ids and times only), kept across visits.
pub const CAMPAIGN: Key = Key {
    name: "tapdesk.campaign",
    area: Area::Local,
};

/// Every key of this page, in both areas.
pub const ALL_KEYS: &[Key] = &[
    ATTEMPT,
    INTERACTION,
    HINT,
    VIEW,
    INTENT,
    DISCOVERY,
    TRACKED,
    TAB,
    SETTINGS,
    NO_PROMPT,
    CLIPBOARD,
    CONSENT_REFUSED,
    CAMPAIGN,
];

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
pub fn get(key: Key) -> Option<String> {
    area(key.area)?.get_item(key.name).ok().flatten()
}

/// Stores `value` under `key`; returns false if the browser refused (storage disabled or full).
pub fn set(key: Key, value: &str) -> bool {
    area(key.area).is_some_and(|s| s.set_item(key.name, value).is_ok())
}

/// Removes `key`.
pub fn remove(key: Key) {
    if let Some(s) = area(key.area) {
        let _ = s.remove_item(key.name);
    }
}

/// Returns the value under `key` and deletes it, so it can be used once only.
pub fn take(key: Key) -> Option<String> {
    let value = get(key);
    remove(key);
    value
}

/// Every sessionStorage key a sign-out clears (all but [`CLIPBOARD`]).
pub const SESSION_KEYS: &[Key] = &[
    ATTEMPT,
    INTERACTION,
    HINT,
    VIEW,
    INTENT,
    DISCOVERY,
    TAB,
    TRACKED,
    NO_PROMPT,
    CONSENT_REFUSED,
];

/// Removes everything this page keeps in sessionStorage (sign-out).
pub fn clear_session() {
    for &key in SESSION_KEYS {
        remove(key);
    }
}

/// Forgets a half-done sign-in (attempt and in-progress flag): a page restored from the
/// back/forward cache must not resume one (security item 15).
pub fn forget_pending_sign_in() {
    remove(ATTEMPT);
    remove(INTERACTION);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_named_once_and_only_the_settings_outlive_the_tab() {
        for (i, k) in ALL_KEYS.iter().enumerate() {
            assert!(k.name.starts_with("tapdesk."), "{k:?}");
            assert!(
                ALL_KEYS[i + 1..].iter().all(|o| o.name != k.name),
                "{k:?} twice"
            );
        }
        let local: Vec<&str> = ALL_KEYS
            .iter()
            .filter(|k| k.area == Area::Local)
            .map(|k| k.name)
            .collect();
        // The campaign (issue 15, ids and times only) outlives the tab too; the test keeps its
        // name because docs/security-tests.md cites it.
        assert_eq!(local, [SETTINGS.name, CAMPAIGN.name]);
        // A sign-out clears every session key but the clipboard flag.
        let kept: Vec<Key> = ALL_KEYS
            .iter()
            .filter(|k| k.area == Area::Session && !SESSION_KEYS.contains(k))
            .copied()
            .collect();
        assert_eq!(kept, [CLIPBOARD]);
        assert!(SESSION_KEYS.iter().all(|k| k.area == Area::Session));
    }
}
