//! What the screen held before a redirect to the authority (consent or a new sign-in), so the
//! admin comes back to the same user with the same form, the action ready to repeat.
//!
//! Kept in sessionStorage through [`crate::storage`]: user id and form fields only, never a secret.

use serde::{Deserialize, Serialize};

use crate::storage;

/// The create form's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub later: bool,
    pub start_at: String,
    pub lifetime: String,
    pub one_time: bool,
}

/// Why the page left for the authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// To grant a permission the action needs.
    Consent,
    /// The session could not be renewed without the admin.
    SignInAgain,
    /// A permission was asked for and not granted (issue 17).
    ConsentRefused,
}

/// The screen to come back to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub user_id: String,
    pub draft: Option<Draft>,
    pub reason: Reason,
}

/// Keeps `intent` (and the user on screen) for after the redirect.
pub fn save(intent: &Intent) {
    if let Ok(json) = serde_json::to_string(intent) {
        storage::set(storage::INTENT, &json);
    }
    storage::set(storage::VIEW, &intent.user_id);
}

/// Returns the kept intent for `user_id` and forgets it; an intent for another user is dropped too.
pub fn take_for(user_id: &str) -> Option<Intent> {
    storage::take(storage::INTENT)
        .and_then(|s| serde_json::from_str::<Intent>(&s).ok())
        .filter(|i| i.user_id == user_id)
}

/// Marks the kept intent as a refused consent, so the form comes back without "Permission granted".
pub fn refused() {
    let kept = storage::get(storage::INTENT).and_then(|s| serde_json::from_str::<Intent>(&s).ok());
    if let Some(mut i) = kept {
        i.reason = Reason::ConsentRefused;
        save(&i);
    }
}
