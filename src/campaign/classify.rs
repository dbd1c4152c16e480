//! Who depends on a phone: one class per row of the registration report
//! (`userRegistrationDetails`), counts per class, and the days left to 1 February 2027.
//!
//! Entra stores a phone with a type, not "SMS" or "voice": `mobile` (`mobilePhone` in the
//! report) takes SMS and voice calls, `alternateMobile` and `office` take voice calls only
//! (Learn, phoneAuthenticationMethod). From 1 February 2027 Microsoft-provided SMS and voice
//! stop (Learn, "SMS and voice retirement"). A Temporary Access Pass in `methodsRegistered`
//! counts for nothing: it is what gets a user to a passkey, not a way to sign in later.

use crate::graph::models::{PhoneMethod, RegistrationDetails};

/// The class of one user of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A member whose only methods are phones, at least one SMS-capable (`mobilePhone`).
    PhoneOnlySms,
    /// A member whose only methods are voice-only phones (`alternateMobilePhone`,
    /// `officePhone`).
    PhoneOnlyVoice,
    /// A member with a phone and another method, none passwordless (Authenticator push, a
    /// one-time code, email).
    PhoneAndWeaker,
    /// A member who can already sign in without a password (passkey, Windows Hello for
    /// Business, passwordless Authenticator).
    Passwordless,
    /// A member with no phone and no passwordless method, but something else.
    OtherMethods,
    /// A member with nothing registered (a pass alone does not count).
    Nothing,
    /// A guest, whatever they registered (their home organisation decides their methods).
    Guest,
}

impl Class {
    /// Every class, in the order a summary lists them.
    pub const ALL: [Class; 7] = [
        Class::PhoneOnlySms,
        Class::PhoneOnlyVoice,
        Class::PhoneAndWeaker,
        Class::Nothing,
        Class::OtherMethods,
        Class::Passwordless,
        Class::Guest,
    ];

    /// True if and only if the user depends on a phone alone (SMS or voice).
    pub fn is_phone_only(self) -> bool {
        matches!(self, Class::PhoneOnlySms | Class::PhoneOnlyVoice)
    }

    /// The class in a few words (summary rows, CSV, chart labels).
    pub fn label(self) -> &'static str {
        match self {
            Class::PhoneOnlySms => "Phone only (SMS and voice)",
            Class::PhoneOnlyVoice => "Phone only (voice calls only)",
            Class::PhoneAndWeaker => "Phone and a weaker method",
            Class::Passwordless => "Passwordless already",
            Class::OtherMethods => "Other methods, no phone",
            Class::Nothing => "Nothing registered",
            Class::Guest => "Guest",
        }
    }
}

/// `methodsRegistered` values of a phone, and whether that phone takes SMS.
const PHONES: &[(&str, bool)] = &[
    ("mobilePhone", true),
    ("alternateMobilePhone", false),
    ("officePhone", false),
];

/// `methodsRegistered` values that make a user passwordless-capable (Learn,
/// userRegistrationDetails: FIDO2 passkeys of each kind, Windows Hello for Business,
/// passwordless Authenticator, platform credentials).
const PASSWORDLESS: &[&str] = &[
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
    "passKeySynced",
    "fido2SecurityKey",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPasswordless",
    "macOsSecureEnclaveKey",
];

/// What the report says is temporary and never counts.
const TEMPORARY: &str = "temporaryAccessPass";

/// A phone by its Graph `phoneType` (`mobile`, `alternateMobile`, `office`) as the report
/// names it; `None` for a type Graph may add later.
fn phone_as_registered(phone_type: &str) -> Option<&'static str> {
    match phone_type {
        t if t.eq_ignore_ascii_case("mobile") => Some("mobilePhone"),
        t if t.eq_ignore_ascii_case("alternateMobile") => Some("alternateMobilePhone"),
        t if t.eq_ignore_ascii_case("office") => Some("officePhone"),
        _ => None,
    }
}

/// The class of `row`. `phones`, when the user's phone methods were read
/// (`/authentication/phoneMethods`, fresher than the report, which may lag), replace the
/// report's phone entries; the report still says what else is registered.
pub fn classify(row: &RegistrationDetails, phones: Option<&[PhoneMethod]>) -> Class {
    if row.user_type.eq_ignore_ascii_case("guest") {
        return Class::Guest;
    }
    let is_phone = |m: &str| PHONES.iter().any(|(p, _)| *p == m);
    let others: Vec<&str> = row
        .methods_registered
        .iter()
        .map(String::as_str)
        .filter(|m| *m != TEMPORARY && !is_phone(m))
        .collect();
    let phone_names: Vec<&str> = match phones {
        Some(read) => read
            .iter()
            .filter_map(|p| p.phone_type.as_deref().and_then(phone_as_registered))
            .collect(),
        None => row
            .methods_registered
            .iter()
            .map(String::as_str)
            .filter(|m| is_phone(m))
            .collect(),
    };
    let passwordless =
        row.is_passwordless_capable || others.iter().any(|m| PASSWORDLESS.contains(m));
    if passwordless {
        Class::Passwordless
    } else if others.is_empty() && phone_names.is_empty() {
        Class::Nothing
    } else if phone_names.is_empty() {
        Class::OtherMethods
    } else if !others.is_empty() {
        Class::PhoneAndWeaker
    } else if phone_names
        .iter()
        .any(|m| PHONES.iter().any(|(p, sms)| p == m && *sms))
    {
        Class::PhoneOnlySms
    } else {
        Class::PhoneOnlyVoice
    }
}

/// How many users fall in each class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    counts: [usize; Class::ALL.len()],
}

impl Counts {
    /// Counts `classes`.
    pub fn of(classes: impl IntoIterator<Item = Class>) -> Counts {
        let mut c = Counts::default();
        for class in classes {
            c.add(class);
        }
        c
    }

    /// Counts one more user of `class`.
    pub fn add(&mut self, class: Class) {
        if let Some(i) = Class::ALL.iter().position(|c| *c == class) {
            self.counts[i] += 1;
        }
    }

    /// How many users are of `class`.
    pub fn get(&self, class: Class) -> usize {
        Class::ALL
            .iter()
            .position(|c| *c == class)
            .map_or(0, |i| self.counts[i])
    }

    /// Every user counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Members who depend on a phone alone (SMS-capable and voice-only together).
    pub fn phone_only(&self) -> usize {
        self.get(Class::PhoneOnlySms) + self.get(Class::PhoneOnlyVoice)
    }

    /// `(class, count)` in [`Class::ALL`] order (summaries and their text equivalents).
    pub fn rows(&self) -> Vec<(Class, usize)> {
        Class::ALL.iter().map(|c| (*c, self.get(*c))).collect()
    }
}

/// Classifies every row (no phone reads) and counts them.
pub fn count_report(rows: &[RegistrationDetails]) -> Counts {
    Counts::of(rows.iter().map(|r| classify(r, None)))
}

/// A calendar date (proleptic Gregorian), for counting days in the admin's own zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    /// Year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31.
    pub day: u32,
}

/// The day Microsoft-provided SMS and voice stop for multifactor authentication and password
/// reset (Learn, "SMS and voice retirement": 1 February 2027).
pub const SMS_VOICE_END: CivilDate = CivilDate {
    year: 2027,
    month: 2,
    day: 1,
};

const MS_PER_DAY: f64 = 86_400_000.0;

impl CivilDate {
    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date at `epoch_ms` in a zone `offset_minutes` east of UTC (the browser's
    /// `-getTimezoneOffset()`).
    pub fn at(epoch_ms: f64, offset_minutes: i32) -> CivilDate {
        let local = epoch_ms + f64::from(offset_minutes) * 60_000.0;
        let days = (local / MS_PER_DAY).floor() as i64;
        // Hinnant's `civil_from_days`.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }
}

/// How long until SMS and voice stop, seen from `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DaysLeft {
    /// That many calendar days from today (1 on 31 January 2027).
    Days(i64),
    /// It is 1 February 2027: SMS and voice stop today.
    Today,
    /// SMS and voice stopped that many days ago.
    Passed(i64),
}

/// Days from `today` (the admin's calendar date) to [`SMS_VOICE_END`].
pub fn days_left(today: CivilDate) -> DaysLeft {
    let d = SMS_VOICE_END.days_since_epoch() - today.days_since_epoch();
    match d {
        0 => DaysLeft::Today,
        d if d > 0 => DaysLeft::Days(d),
        d => DaysLeft::Passed(-d),
    }
}

/// Native only: starts the emulator.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod against_emulator;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user_type: &str, methods: &[&str], passwordless: bool) -> RegistrationDetails {
        RegistrationDetails {
            id: "u".into(),
            user_type: user_type.into(),
            is_passwordless_capable: passwordless,
            methods_registered: methods.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        }
    }

    fn phone(t: &str) -> PhoneMethod {
        PhoneMethod {
            id: "p".into(),
            phone_type: Some(t.into()),
            ..Default::default()
        }
    }

    #[test]
    fn phone_only_users_are_split_into_sms_capable_and_voice_only() {
        let m = |methods: &[&str]| classify(&row("member", methods, false), None);
        assert_eq!(m(&["mobilePhone"]), Class::PhoneOnlySms);
        assert_eq!(
            m(&["mobilePhone", "alternateMobilePhone"]),
            Class::PhoneOnlySms
        );
        assert_eq!(m(&["officePhone"]), Class::PhoneOnlyVoice);
        assert_eq!(m(&["alternateMobilePhone"]), Class::PhoneOnlyVoice);
        assert_eq!(
            m(&["officePhone", "alternateMobilePhone"]),
            Class::PhoneOnlyVoice
        );
        assert_eq!(
            m(&["officePhone", "temporaryAccessPass"]),
            Class::PhoneOnlyVoice,
            "a pass does not count"
        );
        assert!(Class::PhoneOnlyVoice.is_phone_only() && Class::PhoneOnlySms.is_phone_only());
        assert!(!Class::PhoneAndWeaker.is_phone_only());
    }

    #[test]
    fn weaker_methods_passwordless_nothing_and_guests() {
        let m = |methods: &[&str]| classify(&row("member", methods, false), None);
        assert_eq!(
            m(&["mobilePhone", "microsoftAuthenticatorPush"]),
            Class::PhoneAndWeaker
        );
        assert_eq!(m(&["officePhone", "email"]), Class::PhoneAndWeaker);
        assert_eq!(
            m(&["softwareOneTimePasscode", "officePhone"]),
            Class::PhoneAndWeaker
        );
        assert_eq!(m(&["mobilePhone", "passKeySynced"]), Class::Passwordless);
        assert_eq!(m(&["passKeyDeviceBound"]), Class::Passwordless);
        assert_eq!(m(&["windowsHelloForBusiness"]), Class::Passwordless);
        assert_eq!(
            classify(&row("member", &["mobilePhone"], true), None),
            Class::Passwordless,
            "the report's own flag counts"
        );
        assert_eq!(m(&["microsoftAuthenticatorPush"]), Class::OtherMethods);
        assert_eq!(m(&["email"]), Class::OtherMethods);
        assert_eq!(m(&[]), Class::Nothing);
        assert_eq!(m(&["temporaryAccessPass"]), Class::Nothing);
        assert_eq!(m(&["someFutureMethod"]), Class::OtherMethods);
        assert_eq!(
            classify(&row("guest", &["mobilePhone"], false), None),
            Class::Guest
        );
        assert_eq!(
            classify(&row("Guest", &[], false), None),
            Class::Guest,
            "any case"
        );
    }

    #[test]
    fn phone_methods_read_replace_the_reports_phones() {
        let r = row("member", &["mobilePhone"], false);
        assert_eq!(
            classify(&r, Some(&[phone("office")])),
            Class::PhoneOnlyVoice
        );
        assert_eq!(
            classify(&r, Some(&[])),
            Class::Nothing,
            "phone removed since"
        );
        assert_eq!(
            classify(
                &row("member", &[], false),
                Some(&[phone("alternateMobile"), phone("mobile")])
            ),
            Class::PhoneOnlySms
        );
        assert_eq!(
            classify(
                &row("member", &["microsoftAuthenticatorPush"], false),
                Some(&[phone("Office")])
            ),
            Class::PhoneAndWeaker
        );
        assert_eq!(
            classify(&row("member", &[], false), Some(&[phone("satellite")])),
            Class::Nothing,
            "an unknown phone type is not a phone we know"
        );
    }

    #[test]
    fn counts_add_up_per_class() {
        let rows = vec![
            row("member", &["mobilePhone"], false),
            row("member", &["mobilePhone"], false),
            row("member", &["officePhone"], false),
            row("guest", &[], false),
            row("member", &[], false),
            row("member", &["passKeySynced"], true),
        ];
        let c = count_report(&rows);
        assert_eq!(c.get(Class::PhoneOnlySms), 2);
        assert_eq!(c.get(Class::PhoneOnlyVoice), 1);
        assert_eq!(c.phone_only(), 3);
        assert_eq!(c.get(Class::Guest), 1);
        assert_eq!(c.get(Class::Nothing), 1);
        assert_eq!(c.get(Class::Passwordless), 1);
        assert_eq!(c.get(Class::PhoneAndWeaker), 0);
        assert_eq!(c.total(), rows.len());
        assert_eq!(c.rows().len(), Class::ALL.len());
        assert_eq!(c.rows()[0], (Class::PhoneOnlySms, 2));
    }

    #[test]
    fn days_left_count_calendar_days_in_the_admins_zone() {
        let d = |year, month, day| CivilDate { year, month, day };
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(days_left(d(2027, 1, 31)), DaysLeft::Days(1));
        assert_eq!(days_left(d(2027, 2, 1)), DaysLeft::Today);
        assert_eq!(days_left(d(2027, 2, 3)), DaysLeft::Passed(2));
        assert_eq!(days_left(d(2026, 12, 4)), DaysLeft::Days(59));
        assert_eq!(days_left(d(2026, 9, 1)), DaysLeft::Days(153));
        // 2026-12-04T23:30:00Z is already 5 December in Berlin (UTC+1) but not in New York.
        let ms = 1_796_427_000_000.0;
        assert_eq!(CivilDate::at(ms, 0), d(2026, 12, 4));
        assert_eq!(CivilDate::at(ms, 60), d(2026, 12, 5));
        assert_eq!(CivilDate::at(ms, -300), d(2026, 12, 4));
        assert_eq!(CivilDate::at(0.0, 0), d(1970, 1, 1));
        assert_eq!(CivilDate::at(-1.0, 0), d(1969, 12, 31));
        assert_eq!(CivilDate::at(951_782_400_000.0, 0), d(2000, 2, 29));
    }
}
