//! The tracker's second edition (issue 15): which new method is a passkey and of what kind
//! (device-bound or synced, the authenticator named from its AAGUID or `model`, a passkey in
//! Microsoft Authenticator, Windows Hello for Business), which weaker method was registered
//! instead, the phones left once a passkey exists, the flags a row shows, the bulk revocation
//! of finished users' passes and who is out of a scoped admin's reach. No views.

use serde::Serialize;

use crate::graph::batch::{self, BatchItem};
use crate::graph::models::{AuthMethod, DirectoryRole, MethodKind};
use crate::graph::GraphError;
use crate::tap::targets::TargetRoles;
use crate::{messages, scope, user};

use super::{Answer, Progress, Stage};

/// Microsoft Authenticator's AAGUIDs (iOS, Android): a passkey in Authenticator.
pub const AUTHENTICATOR_AAGUIDS: &[&str] = &[
    "90a3ccdf-635c-4729-a248-9b709135078f",
    "de1e552d-db1d-4423-a619-566b625cdc84",
];

/// Well-known authenticators by AAGUID (the FIDO Alliance metadata and the passkey providers'
/// published ids); any other is named by the `model` Graph returns.
pub const KNOWN_AAGUIDS: &[(&str, &str)] = &[
    (
        "cb69481e-8ff7-4039-93ec-0a2729a154a8",
        "YubiKey 5 Series with NFC",
    ),
    ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "iCloud Keychain"),
    (
        "dd4ec289-e01d-41c9-bb89-70fa845d4bf2",
        "iCloud Keychain (managed)",
    ),
    (
        "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
        "Google Password Manager",
    ),
    ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac"),
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
    ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
    ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
    ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
    ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
    ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
    ("53414d53-554e-4700-0000-000000000000", "Samsung Pass"),
    (
        "90a3ccdf-635c-4729-a248-9b709135078f",
        "Microsoft Authenticator for iOS",
    ),
    (
        "de1e552d-db1d-4423-a619-566b625cdc84",
        "Microsoft Authenticator for Android",
    ),
];

/// The authenticator's name from the built-in table, else Graph's `model`, else `None`.
pub fn authenticator_name(aa_guid: Option<&str>, model: Option<&str>) -> Option<String> {
    aa_guid
        .and_then(|g| {
            KNOWN_AAGUIDS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(g.trim()))
        })
        .map(|(_, n)| (*n).to_owned())
        .or_else(|| {
            model
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
        })
}

/// A phishing-resistant method a followed user registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Passkey {
    /// A device-bound passkey (a security key, …) and its authenticator when known.
    DeviceBound(Option<String>),
    /// A synced passkey and its provider when known.
    Synced(Option<String>),
    /// A passkey in Microsoft Authenticator (device-bound).
    Authenticator,
    /// Windows Hello for Business.
    WindowsHello,
    /// A platform credential (macOS).
    PlatformCredential,
}

impl Passkey {
    /// The kind in words, naming the authenticator.
    pub fn words(&self) -> String {
        let named = |what: &str, who: &Option<String>| match who {
            Some(n) => format!("{what} ({n})"),
            None => format!("{what} (unknown authenticator)"),
        };
        match self {
            Passkey::DeviceBound(a) => named("Device-bound passkey", a),
            Passkey::Synced(a) => named("Synced passkey", a),
            Passkey::Authenticator => "Passkey in Microsoft Authenticator (device-bound)".into(),
            Passkey::WindowsHello => "Windows Hello for Business".into(),
            Passkey::PlatformCredential => "Platform credential (macOS)".into(),
        }
    }

    /// A short stable code (the row's `data-passkeys`).
    pub fn code(&self) -> &'static str {
        match self {
            Passkey::DeviceBound(_) => "deviceBound",
            Passkey::Synced(_) => "synced",
            Passkey::Authenticator => "authenticator",
            Passkey::WindowsHello => "windowsHello",
            Passkey::PlatformCredential => "platformCredential",
        }
    }
}

/// The passkey `m` is, or `None` for any other method. A FIDO2 method with an Authenticator
/// AAGUID is a passkey in Authenticator; `passkeyType: synced` is synced; anything else
/// (including a key registered before Graph had `passkeyType`) is device-bound.
pub fn passkey_of(m: &AuthMethod) -> Option<Passkey> {
    match m.kind() {
        MethodKind::Fido2 => {
            let guid = m.aa_guid.as_deref().unwrap_or("").trim();
            if AUTHENTICATOR_AAGUIDS
                .iter()
                .any(|g| g.eq_ignore_ascii_case(guid))
            {
                return Some(Passkey::Authenticator);
            }
            let name = authenticator_name(m.aa_guid.as_deref(), m.model.as_deref());
            if m.passkey_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("synced"))
            {
                Some(Passkey::Synced(name))
            } else {
                Some(Passkey::DeviceBound(name))
            }
        }
        MethodKind::WindowsHelloForBusiness => Some(Passkey::WindowsHello),
        MethodKind::PlatformCredential => Some(Passkey::PlatformCredential),
        _ => None,
    }
}

/// True for a method a user registers that is not phishing-resistant (Authenticator push or
/// phone sign-in, OATH codes, phone, email, QR code + PIN).
pub fn is_weak(kind: MethodKind) -> bool {
    matches!(
        kind,
        MethodKind::MicrosoftAuthenticator
            | MethodKind::SoftwareOath
            | MethodKind::HardwareOath
            | MethodKind::Phone
            | MethodKind::Email
            | MethodKind::QrCodePin
    )
}

/// A phone method still registered (its fixed id names its type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// The method id (what the delete names).
    pub id: String,
    /// `mobile`, `alternateMobile` or `office`.
    pub phone_type: String,
}

impl Phone {
    /// "mobile phone", "alternate mobile phone", "office phone".
    pub fn words(&self) -> String {
        match self.phone_type.to_ascii_lowercase().as_str() {
            "mobile" => "mobile phone".into(),
            "alternatemobile" => "alternate mobile phone".into(),
            "office" => "office phone".into(),
            _ => "phone".into(),
        }
    }
}

/// The phone methods among `methods`, the mobile number last: Graph refuses to delete it while
/// an alternate mobile number exists (Learn "Delete phoneAuthenticationMethod").
pub fn phones(methods: &[AuthMethod]) -> Vec<Phone> {
    let mut out: Vec<Phone> = methods
        .iter()
        .filter(|m| m.kind() == MethodKind::Phone)
        .map(|m| Phone {
            id: m.id.clone(),
            phone_type: m.phone_type.clone().unwrap_or_default(),
        })
        .collect();
    out.sort_by_key(|p| p.phone_type.eq_ignore_ascii_case("mobile"));
    out
}

/// The weaker methods among `new` (registered since tracking began), in words.
pub fn weak_labels(new: &[&AuthMethod]) -> Vec<String> {
    new.iter()
        .filter(|m| is_weak(m.kind()))
        .map(|m| user::method_label(m))
        .collect()
}

/// Something a row points out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flag {
    /// The pass expired and was never used.
    ExpiredUnused,
    /// A weaker method was registered and no passkey (its names).
    WeakInstead(Vec<String>),
    /// A passkey exists and a phone is still registered (SMS and voice still work).
    PhoneStill(Vec<Phone>),
}

impl Flag {
    /// The flag in words.
    pub fn words(&self) -> String {
        match self {
            Flag::ExpiredUnused => "Pass expired unused: issue a new pass.".into(),
            Flag::WeakInstead(names) => format!(
                "Registered {} instead of a passkey (not phishing-resistant).",
                names.join(", ")
            ),
            Flag::PhoneStill(phones) => {
                let (verb, it) = if phones.len() == 1 {
                    ("is", "it")
                } else {
                    ("are", "them")
                };
                let mut what = phones
                    .iter()
                    .map(Phone::words)
                    .collect::<Vec<_>>()
                    .join(" and ");
                if let Some(first) = what.get(..1) {
                    what = format!("{}{}", first.to_uppercase(), &what[1..]);
                }
                format!("{what} {verb} still registered: remove {it} so SMS and voice calls stop being a way in.")
            }
        }
    }

    /// A short stable code (the row's `data-flags`).
    pub fn code(&self) -> &'static str {
        match self {
            Flag::ExpiredUnused => "expiredUnused",
            Flag::WeakInstead(_) => "weakInstead",
            Flag::PhoneStill(_) => "phoneStill",
        }
    }
}

/// The flags of a user's progress, in a fixed order.
pub fn flags(p: &Progress) -> Vec<Flag> {
    let mut out = vec![];
    if p.stage == Stage::ExpiredUnused {
        out.push(Flag::ExpiredUnused);
    }
    if p.passkeys.is_empty() && !p.weak.is_empty() {
        out.push(Flag::WeakInstead(p.weak.clone()));
    }
    if !p.passkeys.is_empty() && !p.phones.is_empty() {
        out.push(Flag::PhoneStill(p.phones.clone()));
    }
    out
}

/// Forgets the phone `phone_id` of `user_id` once it was removed (deleted, or already gone).
pub fn phone_removed(
    progress: &mut std::collections::HashMap<String, Progress>,
    user_id: &str,
    phone_id: &str,
) {
    if let Some(p) = progress.get_mut(user_id) {
        p.phones.retain(|ph| !ph.id.eq_ignore_ascii_case(phone_id));
    }
}

/// What the live region says after a phone removal.
pub fn phone_removed_words(name: &str, phone: &Phone, result: &Result<(), GraphError>) -> String {
    match result {
        Ok(()) => format!("{name}'s {} removed.", phone.words()),
        Err(_) => format!(
            "{name}'s {} was not removed: the message below says why. It still works.",
            phone.words()
        ),
    }
}

/// True when the admin's role may change other users' sign-in methods at all, so "Remove
/// phone" is offered: not for a Global Reader or an admin without an issuing role (Graph
/// decides for the rest, and a unit scope is checked per user).
pub fn may_remove_phones(capability: messages::Capability) -> bool {
    !matches!(
        capability,
        messages::Capability::ReadOnly | messages::Capability::None
    )
}

/// A phone removal's result, where already gone (404) counts as removed.
pub fn removed(result: Result<(), GraphError>) -> Result<(), GraphError> {
    match result {
        Err(e) if e.status == 404 => Ok(()),
        other => other,
    }
}

/// The users whose pass "Revoke the passes of everyone who finished" ends, in `order` (the
/// followed list): a passkey registered, the pass still there, and within reach.
pub fn finished_with_pass<'a>(
    order: impl IntoIterator<Item = &'a str>,
    progress: &std::collections::HashMap<String, Progress>,
    in_reach: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    order
        .into_iter()
        .filter(|id| in_reach(id))
        .filter_map(|id| {
            let p = progress.get(id)?;
            p.may_revoke()
                .then(|| (id.to_owned(), p.pass_id.clone().unwrap_or_default()))
        })
        .collect()
}

/// The `$batch` items that delete each pass of `list` (item id = the user's index).
pub fn revoke_items(list: &[(String, String)]) -> Vec<BatchItem> {
    list.iter()
        .enumerate()
        .map(|(i, (user, pass))| batch::delete_pass_item(format!("{i}"), user, pass))
        .collect()
}

/// How one pass of a bulk revocation ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Revoked {
    /// Deleted now.
    Deleted,
    /// Already gone (404): nothing to do.
    AlreadyGone,
    /// Graph refused or failed: the pass still works.
    Failed(GraphError),
    /// No answer came: the pass may or may not still be there.
    NoAnswer,
}

impl Revoked {
    /// True when the pass is gone.
    pub fn gone(&self) -> bool {
        matches!(self, Revoked::Deleted | Revoked::AlreadyGone)
    }
}

/// Reads the answers of [`revoke_items`] for `list`.
pub fn revoke_outcomes(
    list: &[(String, String)],
    answer: impl Fn(&str) -> Answer,
) -> Vec<(String, Revoked)> {
    list.iter()
        .enumerate()
        .map(|(i, (user, _))| {
            let outcome = match answer(&i.to_string()) {
                None => Revoked::NoAnswer,
                Some(Err(e)) => Revoked::Failed(e),
                Some(Ok(r)) if (200..300).contains(&r.status) => Revoked::Deleted,
                Some(Ok(r)) if r.status == 404 => Revoked::AlreadyGone,
                Some(Ok(r)) => Revoked::Failed(batch::item_error(&r)),
            };
            (user.clone(), outcome)
        })
        .collect()
}

/// One user's result of the bulk revocation, in words.
pub fn revoked_words(name: &str, r: &Revoked) -> String {
    match r {
        Revoked::Deleted => format!("{name}: pass revoked."),
        Revoked::AlreadyGone => format!("{name}: the pass was already gone."),
        Revoked::Failed(e) => format!(
            "{name}: pass not revoked, it still works. {}",
            messages::graph(e, messages::Operation::DeletePass)
        ),
        Revoked::NoAnswer => format!(
            "{name}: no answer came from Microsoft Graph; the pass may still work. Check again, then revoke it on its own."
        ),
    }
}

/// The bulk revocation's summary ("3 passes revoked, 1 not.").
pub fn revoked_summary(outcomes: &[(String, Revoked)]) -> String {
    let gone = outcomes.iter().filter(|(_, r)| r.gone()).count();
    let left = outcomes.len() - gone;
    let revoked = messages::count(gone, "pass revoked", "passes revoked");
    if left == 0 {
        format!("{revoked}.")
    } else {
        format!("{revoked}, {left} not: each user's line says why.")
    }
}

/// The question before the bulk revocation.
pub fn revoke_all_question(n: usize) -> String {
    format!(
        "Revoke the passes of {} who registered a passkey? Each pass stops working at once.",
        messages::count(n, "user", "users")
    )
}

/// The items that read, for each of `ids`, its administrative units (`"{i}u"`) and admin roles
/// (`"{i}r"`): what a unit-scoped admin's reach depends on.
pub fn reach_items(ids: &[String]) -> Vec<BatchItem> {
    ids.iter()
        .enumerate()
        .flat_map(|(i, id)| {
            [
                crate::graph::api::units_of(id).batch_item(format!("{i}u")),
                batch::roles_item(format!("{i}r"), id),
            ]
        })
        .collect()
}

/// For each of `ids` whose units arrived: `Some(reason)` when `known` says the user is out of
/// the admin's reach, `None` when in reach. Users whose units did not arrive are left out (read
/// again next round).
pub fn reach_read(
    ids: &[String],
    answer: impl Fn(&str) -> Answer,
    known: &scope::Known,
    name: impl Fn(&str) -> String,
) -> Vec<(String, Option<String>)> {
    ids.iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let units = answer(&format!("{i}u"))?.ok().and_then(|r| {
                batch::item_values::<crate::graph::api::AdministrativeUnit>(&r).ok()
            })?;
            let roles = answer(&format!("{i}r"))
                .and_then(Result::ok)
                .and_then(|r| batch::item_values::<DirectoryRole>(&r).ok())
                .map(TargetRoles::from_graph);
            let who = name(id);
            let target = scope::Target {
                name: &who,
                units: Some(&units),
                roles: roles.as_ref(),
            };
            Some((id.clone(), known.refusal(&target)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
