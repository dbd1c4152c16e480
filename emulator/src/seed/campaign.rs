//! Issue 15's seeded tenant: a few thousand users with a realistic mix of registered methods
//! (about a third phone-only, voice-only phone types included, guests, some with nothing,
//! some disabled), generated deterministically from a seed, and the ground truth a test
//! compares the page's classification with.
//!
//! UPNs are `firstname.lastname.cN@contoso.onmicrosoft.com` (members) and
//! `firstname.lastname.cN_fabrikam.com#EXT#@contoso.onmicrosoft.com` (external guests).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::people::SEED_EPOCH;
use super::{stable_id, DOMAIN};
use crate::model::passkeys::{self, PasskeyKind, PhoneType};
use crate::model::{roles, User};

const FIRST: &[&str] = &[
    "Ada", "Ben", "Cara", "Dario", "Eva", "Farid", "Gina", "Hugo", "Iris", "Jonas", "Kira", "Luca",
    "Mia", "Nils", "Olga", "Pavel", "Rita", "Sven", "Tara", "Viktor",
];
const LAST: &[&str] = &[
    "Adler", "Berg", "Conti", "Daalen", "Engel", "Fuchs", "Gallo", "Horn", "Jansen", "Keller",
    "Lang", "Meyer", "Nowak", "Ortega", "Pohl", "Roth", "Schulz", "Vogel", "Wolf", "Zimmer",
];
/// Departments the page filters by.
pub const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Sales",
    "Operations",
    "Engineering",
    "Human Resources",
    "Support",
];

/// What a generated user was given (by share of 1000, drawn per user).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mix {
    /// Mobile phone only (SMS and voice): 200.
    Mobile,
    /// Mobile and alternate mobile: 40.
    MobileAndAlternate,
    /// Office phone only (voice only): 60.
    Office,
    /// Alternate mobile only (voice only): 30. [choice] Learn (Delete phoneAuthenticationMethod)
    /// says a user can't have one without a mobile number; these stand for legacy data, so the
    /// voice-only `alternateMobilePhone` class exists in the report.
    Alternate,
    /// A phone and Authenticator push or a software OATH code or email: 150.
    PhoneAndWeaker,
    /// Authenticator push alone: 80.
    AuthenticatorOnly,
    /// A passkey or Windows Hello (with or without a phone): 190.
    Passwordless,
    /// Nothing registered: 100.
    Nothing,
    /// An external guest (methods at random): 120.
    Guest,
    /// A disabled member with a phone (the report leaves disabled users out): 30.
    Disabled,
}

const MIX: &[(Mix, u64)] = &[
    (Mix::Mobile, 200),
    (Mix::MobileAndAlternate, 40),
    (Mix::Office, 60),
    (Mix::Alternate, 30),
    (Mix::PhoneAndWeaker, 150),
    (Mix::AuthenticatorOnly, 80),
    (Mix::Passwordless, 190),
    (Mix::Nothing, 100),
    (Mix::Guest, 120),
    (Mix::Disabled, 30),
];

/// SplitMix64: a small deterministic generator (the same seed gives the same tenant).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn draw(rng: &mut Rng) -> Mix {
    let mut r = rng.below(1000);
    for (m, share) in MIX {
        if r < *share {
            return *m;
        }
        r -= share;
    }
    Mix::Nothing
}

/// The `n`-th campaign user's UPN (members; guests carry `#EXT#`).
pub fn campaign_upn(n: usize, guest: bool) -> String {
    let first = FIRST[n % FIRST.len()].to_lowercase();
    let last = LAST[(n / FIRST.len()) % LAST.len()].to_lowercase();
    if guest {
        format!("{first}.{last}.c{n}_fabrikam.com#EXT#@{DOMAIN}")
    } else {
        format!("{first}.{last}.c{n}@{DOMAIN}")
    }
}

/// True if and only if `upn` has the shape of [`campaign_upn`] (`first.last.cN@…`, or the
/// guest form `first.last.cN_fabrikam.com#EXT#@…`): the sign-in page's account list leaves
/// these thousands out (they can still type their UPN).
pub fn is_campaign_upn(upn: &str) -> bool {
    let local = upn.split('@').next().unwrap_or("");
    let local = local.strip_suffix("_fabrikam.com#EXT#").unwrap_or(local);
    let parts: Vec<&str> = local.split('.').collect();
    match parts.as_slice() {
        [first, last, n] => {
            !first.is_empty()
                && !last.is_empty()
                && n.strip_prefix('c')
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// `count` users numbered from `first`, drawn from `seed`.
pub fn campaign_users(first: usize, count: usize, seed: u64) -> Vec<User> {
    let mut rng = Rng(seed);
    (first..first + count)
        .map(|n| campaign_user(n, &mut rng))
        .collect()
}

fn campaign_user(n: usize, rng: &mut Rng) -> User {
    let mix = draw(rng);
    let guest = mix == Mix::Guest;
    let upn = campaign_upn(n, guest);
    let id = stable_id(&upn);
    let created = SEED_EPOCH + time::Duration::days(400 + (n as i64 % 500));
    let when = created + time::Duration::days(3);
    let number = format!("+1 206 555 {:04}", n % 10_000);
    let mid = |kind: &str| stable_id(&format!("{id}/{kind}"));
    let phone = |t: PhoneType| passkeys::phone_json(t, &number, false);
    let mut methods: Vec<Value> = Vec::new();
    match mix {
        Mix::Mobile | Mix::Disabled => methods.push(phone(PhoneType::Mobile)),
        Mix::MobileAndAlternate => {
            methods.push(phone(PhoneType::Mobile));
            methods.push(phone(PhoneType::AlternateMobile));
        }
        Mix::Office => methods.push(phone(PhoneType::Office)),
        Mix::Alternate => methods.push(phone(PhoneType::AlternateMobile)),
        Mix::PhoneAndWeaker => {
            methods.push(phone(*rng.pick(&[PhoneType::Mobile, PhoneType::Office])));
            match rng.below(3) {
                0 => methods.push(passkeys::authenticator_json(&mid("authenticator"), when)),
                1 => methods.push(serde_json::json!({
                    "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
                    "id": mid("oath"),
                    "secretKey": null,
                })),
                _ => methods.push(serde_json::json!({
                    "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
                    "id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
                    "emailAddress": format!("c{n}@outlook.com"),
                })),
            }
        }
        Mix::AuthenticatorOnly => {
            methods.push(passkeys::authenticator_json(&mid("authenticator"), when))
        }
        Mix::Passwordless => {
            if rng.below(2) == 0 {
                methods.push(phone(PhoneType::Mobile));
            }
            let kind = *rng.pick(&[
                PasskeyKind::DeviceBound,
                PasskeyKind::Synced,
                PasskeyKind::Authenticator,
                PasskeyKind::WindowsHello,
            ]);
            methods.push(passkeys::passkey_json(
                kind,
                &mid("passkey"),
                when,
                None,
                None,
            ));
        }
        Mix::Nothing => {}
        Mix::Guest => match rng.below(3) {
            0 => methods.push(phone(PhoneType::Mobile)),
            1 => methods.push(passkeys::authenticator_json(&mid("authenticator"), when)),
            _ => {}
        },
    }
    let given = FIRST[n % FIRST.len()];
    let surname = LAST[(n / FIRST.len()) % LAST.len()];
    let admin = !guest && rng.below(100) == 0;
    User {
        id,
        display_name: format!("{given} {surname} {n}"),
        given_name: Some(given.into()),
        surname: Some(surname.into()),
        mail: Some(upn.clone()),
        job_title: None,
        department: Some((*rng.pick(DEPARTMENTS)).to_string()).filter(|_| !guest),
        office_location: None,
        mobile_phone: None,
        usage_location: Some("US".into()),
        preferred_language: Some("en-US".into()),
        account_enabled: mix != Mix::Disabled,
        user_type: if guest { "Guest" } else { "Member" }.into(),
        created_date_time: created,
        roles: if admin {
            vec![roles::HELPDESK_ADMINISTRATOR.to_string()]
        } else {
            vec![]
        },
        methods,
        user_principal_name: upn,
    }
}

/// How many users of the report fall in each class (the ground truth for the page). Only
/// enabled users count: the report does not list disabled ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CampaignTruth {
    /// Members whose only methods are phones, at least one `mobile` (SMS-capable).
    pub phone_only_sms: usize,
    /// Members whose only methods are `alternateMobile` / `office` phones (voice only).
    pub phone_only_voice: usize,
    /// Members with a phone and another method, none passwordless.
    pub phone_and_weaker: usize,
    /// Members with a passkey, Windows Hello or passwordless Authenticator.
    pub passwordless: usize,
    /// Members with no phone and no passwordless method but something else (Authenticator
    /// push, an OATH code, email).
    pub other_methods: usize,
    /// Members with nothing registered (a pass alone does not count).
    pub nothing: usize,
    /// Guests, whatever they registered.
    pub guests: usize,
    /// Disabled accounts (not in the report).
    pub disabled: usize,
}

/// One class of [`CampaignTruth`] (its field names in camelCase on the wire).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum TruthClass {
    /// See [`CampaignTruth::phone_only_sms`].
    PhoneOnlySms,
    /// See [`CampaignTruth::phone_only_voice`].
    PhoneOnlyVoice,
    /// See [`CampaignTruth::phone_and_weaker`].
    PhoneAndWeaker,
    /// See [`CampaignTruth::passwordless`].
    Passwordless,
    /// See [`CampaignTruth::other_methods`].
    OtherMethods,
    /// See [`CampaignTruth::nothing`].
    Nothing,
    /// See [`CampaignTruth::guests`].
    Guests,
    /// See [`CampaignTruth::disabled`].
    Disabled,
}

/// The class of one user from their methods; the classification is written out here
/// independently of the page's, so a test comparing both catches either going wrong.
pub fn truth_class(u: &User) -> TruthClass {
    if !u.account_enabled {
        return TruthClass::Disabled;
    }
    if u.is_guest() {
        return TruthClass::Guests;
    }
    let regs = passkeys::methods_registered(u, false);
    let phones: Vec<&str> = regs
        .iter()
        .copied()
        .filter(|m| m.ends_with("Phone"))
        .collect();
    let others = regs.len() - phones.len();
    let passwordless = regs.iter().any(|m| {
        m.starts_with("passKey")
            || *m == "windowsHelloForBusiness"
            || *m == "microsoftAuthenticatorPasswordless"
    });
    if passwordless {
        TruthClass::Passwordless
    } else if regs.is_empty() {
        TruthClass::Nothing
    } else if phones.is_empty() {
        TruthClass::OtherMethods
    } else if others > 0 {
        TruthClass::PhoneAndWeaker
    } else if phones.contains(&"mobilePhone") {
        TruthClass::PhoneOnlySms
    } else {
        TruthClass::PhoneOnlyVoice
    }
}

/// Counts `users` by [`truth_class`].
pub fn ground_truth<'a>(users: impl IntoIterator<Item = &'a User>) -> CampaignTruth {
    let mut t = CampaignTruth::default();
    for u in users {
        let n = match truth_class(u) {
            TruthClass::PhoneOnlySms => &mut t.phone_only_sms,
            TruthClass::PhoneOnlyVoice => &mut t.phone_only_voice,
            TruthClass::PhoneAndWeaker => &mut t.phone_and_weaker,
            TruthClass::Passwordless => &mut t.passwordless,
            TruthClass::OtherMethods => &mut t.other_methods,
            TruthClass::Nothing => &mut t.nothing,
            TruthClass::Guests => &mut t.guests,
            TruthClass::Disabled => &mut t.disabled,
        };
        *n += 1;
    }
    t
}

/// The UPNs of each class, in directory order (an E2E test compares a list, not only counts).
pub fn ground_truth_users<'a>(
    users: impl IntoIterator<Item = &'a User>,
) -> std::collections::BTreeMap<TruthClass, Vec<String>> {
    let mut out: std::collections::BTreeMap<TruthClass, Vec<String>> = Default::default();
    for u in users {
        out.entry(truth_class(u))
            .or_default()
            .push(u.user_principal_name.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_upns_are_recognised_and_nothing_else() {
        assert!(is_campaign_upn(&campaign_upn(7, false)));
        assert!(is_campaign_upn(&campaign_upn(1234, true)));
        assert!(!is_campaign_upn("adele.vance@contoso.onmicrosoft.com"));
        assert!(!is_campaign_upn("amara.costa.12@contoso.onmicrosoft.com"));
        assert!(!is_campaign_upn("bulk.user.00001@contoso.onmicrosoft.com"));
        assert!(!is_campaign_upn("a.b.c@contoso.onmicrosoft.com"));
        assert!(!is_campaign_upn(
            "jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com"
        ));
    }

    #[test]
    fn the_same_seed_gives_the_same_tenant_and_a_third_is_phone_only() {
        let a = campaign_users(1, 3000, 7);
        let b = campaign_users(1, 3000, 7);
        assert_eq!(a, b);
        assert_ne!(a, campaign_users(1, 3000, 8));
        let t = ground_truth(&a);
        let members = 3000 - t.guests - t.disabled;
        let phone_only = t.phone_only_sms + t.phone_only_voice;
        assert!(
            (members / 4..members / 2).contains(&phone_only),
            "{t:?}: about a third of members phone-only"
        );
        assert!(t.phone_only_voice > 50, "{t:?}");
        assert!(
            t.guests > 200 && t.nothing > 150 && t.disabled > 30,
            "{t:?}"
        );
        let total = t.phone_only_sms
            + t.phone_only_voice
            + t.phone_and_weaker
            + t.passwordless
            + t.other_methods
            + t.nothing
            + t.guests
            + t.disabled;
        assert_eq!(total, 3000);
    }
}
