//! QR code + PIN badges (issue 16 point 3): the tenant's `qrCodePin` policy as bounds, and the
//! clamps every create goes through, pure and with the clock passed in.
//!
//! From the Graph reference (`qrCodePinAuthenticationMethodConfiguration`, `qrCode`,
//! "Create qrCodePinAuthenticationMethod"): a standard QR code lives 1 to 395 days, the
//! policy's `standardQRCodeLifetimeInDays` (default 365) its longest; a PIN has the policy's
//! `pinLength` digits (8 to 20, default 8); a temporary QR code lives 1 to 12 hours and only
//! one exists at a time; a user has one usable method, a new one only after the old one
//! expired or was deleted. The page never chooses a PIN: Graph generates one of the policy's
//! length, returned once.

pub mod plan;
pub mod run;

use std::ops::RangeInclusive;

use crate::graph::api::{NewBadge, NewQrCode, QrCode, QrCodePinMethod, QrPolicy};
use crate::graph::models::PolicyState;
use crate::graph::time;

/// Longest standard QR code lifetime Graph allows, in days (13 months).
pub const MAX_STANDARD_DAYS: u32 = 395;
/// The policy's default standard lifetime, in days.
pub const DEFAULT_STANDARD_DAYS: u32 = 365;
/// PIN lengths a policy may require.
pub const PIN_LENGTHS: RangeInclusive<u32> = 8..=20;
/// The policy's default PIN length.
pub const DEFAULT_PIN_LENGTH: u32 = 8;
/// Lifetimes of a temporary QR code, in hours.
pub const TEMPORARY_HOURS: RangeInclusive<u32> = 1..=12;
/// A temporary code's lifetime when the admin names none: one shift [choice].
pub const DEFAULT_TEMPORARY_HOURS: u32 = 8;

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: f64 = 24.0 * HOUR_MS;

/// What the page may ask for, from the policy (or Graph's documented defaults when the policy
/// could not be read: an Authentication Administrator may not read it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Longest standard lifetime, in days (1..=395).
    pub standard_days: u32,
    /// Digits of a PIN (8..=20).
    pub pin_length: u32,
    /// `Some(false)`: the policy is off; `None`: not read.
    pub enabled: Option<bool>,
    /// Values the policy held outside Graph's ranges, each a sentence (the bounds are clamped).
    pub problems: Vec<String>,
}

impl Bounds {
    /// Bounds from the policy, each value clamped into Graph's range.
    pub fn from_policy(policy: Option<&QrPolicy>) -> Bounds {
        let Some(p) = policy else {
            return Bounds {
                standard_days: DEFAULT_STANDARD_DAYS,
                pin_length: DEFAULT_PIN_LENGTH,
                enabled: None,
                problems: vec![],
            };
        };
        let mut problems = vec![];
        let days = p
            .standard_qr_code_lifetime_in_days
            .unwrap_or(DEFAULT_STANDARD_DAYS);
        let standard_days = days.clamp(1, MAX_STANDARD_DAYS);
        if standard_days != days {
            problems.push(format!(
                "The QR code policy's badge lifetime ({days} days) is outside 1 to {MAX_STANDARD_DAYS} days; badges last at most {standard_days} days."
            ));
        }
        let len = p.pin_length.unwrap_or(DEFAULT_PIN_LENGTH);
        let pin_length = len.clamp(*PIN_LENGTHS.start(), *PIN_LENGTHS.end());
        if pin_length != len {
            problems.push(format!(
                "The QR code policy's PIN length ({len}) is outside 8 to 20 digits; PINs have {pin_length} digits."
            ));
        }
        Bounds {
            standard_days,
            pin_length,
            enabled: Some(p.state == PolicyState::Enabled),
            problems,
        }
    }

    /// The standard lifetime in days for `asked` (none: the policy's longest), within 1 and the
    /// policy's longest.
    pub fn standard_days(&self, asked: Option<u32>) -> u32 {
        asked
            .unwrap_or(self.standard_days)
            .clamp(1, self.standard_days)
    }

    /// The create body of a badge starting at `start_ms` and lasting `days` (clamped), in
    /// whole seconds as Graph stores them.
    pub fn new_badge(&self, start_ms: f64, days: Option<u32>) -> NewBadge {
        let days = self.standard_days(days);
        let start = (start_ms / 1000.0).floor() * 1000.0;
        NewBadge::new(
            time::format_utc(start),
            time::format_utc(start + f64::from(days) * DAY_MS),
        )
    }

    /// True if and only if `pin` is what the policy requires: digits only, its length.
    pub fn pin_fits(&self, pin: &str) -> bool {
        pin.len() == self.pin_length as usize && pin.bytes().all(|b| b.is_ascii_digit())
    }
}

/// A temporary code's lifetime in hours for `asked` (none: [`DEFAULT_TEMPORARY_HOURS`]),
/// within 1 and 12.
pub fn temporary_hours(asked: Option<u32>) -> u32 {
    asked
        .unwrap_or(DEFAULT_TEMPORARY_HOURS)
        .clamp(*TEMPORARY_HOURS.start(), *TEMPORARY_HOURS.end())
}

/// The body of a temporary code from `now_ms` for `hours` (clamped).
pub fn new_temporary(now_ms: f64, hours: Option<u32>) -> NewQrCode {
    let start = (now_ms / 1000.0).floor() * 1000.0;
    NewQrCode {
        start_date_time: time::format_utc(start),
        expire_date_time: time::format_utc(start + f64::from(temporary_hours(hours)) * HOUR_MS),
    }
}

/// True if and only if `code` exists and has not expired at `now_ms` (an unreadable expiry
/// counts as active: Graph decides).
fn active(code: Option<&QrCode>, now_ms: f64) -> bool {
    code.is_some_and(|c| {
        c.expire_date_time
            .as_deref()
            .and_then(time::parse_ms)
            .is_none_or(|end| now_ms < end)
    })
}

/// Why Graph would refuse a new badge for `name` who has `existing` (read with GET), if it
/// would: one usable method per user, a new one after deleting it.
pub fn badge_refusal(
    name: &str,
    existing: Option<&QrCodePinMethod>,
    now_ms: f64,
) -> Option<String> {
    let m = existing?;
    let usable =
        active(m.standard_qr_code.as_ref(), now_ms) || active(m.temporary_qr_code.as_ref(), now_ms);
    usable.then(|| {
        format!(
            "{name} already has a QR code badge. Delete it first: a new badge replaces nothing, and the old one keeps working until deleted or expired."
        )
    })
}

/// Why Graph would refuse a temporary code for `name`, if it would: no badge yet, or a
/// temporary code still active.
pub fn temporary_refusal(
    name: &str,
    existing: Option<&QrCodePinMethod>,
    now_ms: f64,
) -> Option<String> {
    let Some(m) = existing else {
        return Some(format!(
            "{name} has no QR code badge: create the badge first; a temporary code stands in for a forgotten one."
        ));
    };
    active(m.temporary_qr_code.as_ref(), now_ms).then(|| {
        format!(
            "{name} already has a temporary QR code. Delete it first: only one exists at a time."
        )
    })
}

/// Whether the policy lets `user_groups` (the user's group ids, transitively) have a badge:
/// `None` when the policy was not read.
pub fn policy_targets(policy: Option<&QrPolicy>, user_groups: &[String]) -> Option<bool> {
    let p = policy?;
    if p.state != PolicyState::Enabled {
        return Some(false);
    }
    let member = |id: &str| user_groups.iter().any(|g| g.eq_ignore_ascii_case(id));
    let included = p
        .include_targets
        .iter()
        .any(|t| t.id == "all_users" || member(&t.id));
    Some(included && !p.exclude_targets.iter().any(|t| member(&t.id)))
}

/// The badge's QR code as inline SVG markup, drawn here from `content` (never sent anywhere to
/// be drawn): `None` when it does not fit in a QR code. The SVG holds modules, not the text.
pub fn qr_svg(content: &str) -> Option<String> {
    let code = qrcode::QrCode::new(content.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(176, 176)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::PolicyTarget;

    fn policy(days: u32, pin: u32) -> QrPolicy {
        QrPolicy {
            state: PolicyState::Enabled,
            standard_qr_code_lifetime_in_days: Some(days),
            pin_length: Some(pin),
            include_targets: vec![PolicyTarget {
                target_type: Some("group".into()),
                id: "all_users".into(),
                is_registration_required: None,
            }],
            exclude_targets: vec![],
        }
    }

    const JAN_1: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z

    #[test]
    fn the_qr_is_drawn_locally_without_its_text() {
        let svg = qr_svg("UVJDT05URU5UOnByaXZhdGUta2V5").expect("fits");
        assert!(svg.contains("<svg") && !svg.contains("UVJDT05URU5U"));
    }

    #[test]
    fn documented_defaults_stand_in_for_an_unread_policy() {
        let b = Bounds::from_policy(None);
        assert_eq!((b.standard_days, b.pin_length, b.enabled), (365, 8, None));
    }

    #[test]
    fn the_standard_lifetime_is_clamped_to_the_policy_and_to_395_days() {
        let b = Bounds::from_policy(Some(&policy(30, 8)));
        assert_eq!(b.standard_days(None), 30);
        assert_eq!(b.standard_days(Some(31)), 30);
        assert_eq!(b.standard_days(Some(0)), 1);
        assert_eq!(b.standard_days(Some(7)), 7);
        let odd = Bounds::from_policy(Some(&policy(400, 8)));
        assert_eq!(odd.standard_days, 395);
        assert_eq!(odd.problems.len(), 1);
        let zero = Bounds::from_policy(Some(&policy(0, 8)));
        assert_eq!(zero.standard_days, 1);
        let body = Bounds::from_policy(Some(&policy(30, 8))).new_badge(JAN_1 + 1234.0, Some(90));
        assert_eq!(
            body.standard_qr_code.start_date_time,
            "2026-01-01T00:00:01Z"
        );
        assert_eq!(
            body.standard_qr_code.expire_date_time,
            "2026-01-31T00:00:01Z"
        );
    }

    #[test]
    fn the_pin_length_is_clamped_to_8_to_20_digits() {
        for (asked, got) in [(8, 8), (12, 12), (20, 20), (7, 8), (21, 20), (0, 8)] {
            let b = Bounds::from_policy(Some(&policy(365, asked)));
            assert_eq!(b.pin_length, got, "policy {asked}");
            assert_eq!(b.problems.is_empty(), asked == got);
        }
        let b = Bounds::from_policy(Some(&policy(365, 10)));
        assert!(b.pin_fits("0123456789"));
        assert!(!b.pin_fits("012345678"));
        assert!(!b.pin_fits("012345678a"));
    }

    #[test]
    fn a_temporary_code_lasts_one_to_twelve_hours() {
        for (asked, got) in [
            (None, 8),
            (Some(0), 1),
            (Some(1), 1),
            (Some(12), 12),
            (Some(13), 12),
        ] {
            assert_eq!(temporary_hours(asked), got, "{asked:?}");
        }
        let t = new_temporary(JAN_1, Some(24));
        assert_eq!(t.expire_date_time, "2026-01-01T12:00:00Z");
    }

    fn method(standard_end: Option<&str>, temporary_end: Option<&str>) -> QrCodePinMethod {
        let code = |end: Option<&str>| {
            end.map(|e| QrCode {
                id: None,
                start_date_time: None,
                expire_date_time: Some(e.into()),
                image: None,
            })
        };
        QrCodePinMethod {
            id: Some("m".into()),
            standard_qr_code: code(standard_end),
            temporary_qr_code: code(temporary_end),
            pin: None,
        }
    }

    #[test]
    fn one_usable_badge_and_one_temporary_code_at_a_time() {
        let now = JAN_1;
        assert_eq!(badge_refusal("Ana", None, now), None);
        let live = method(Some("2026-06-01T00:00:00Z"), None);
        assert!(badge_refusal("Ana", Some(&live), now).is_some());
        let expired = method(Some("2025-12-01T00:00:00Z"), None);
        assert_eq!(badge_refusal("Ana", Some(&expired), now), None);
        assert!(
            temporary_refusal("Ana", None, now).is_some(),
            "no badge yet"
        );
        assert_eq!(temporary_refusal("Ana", Some(&live), now), None);
        let with_temp = method(Some("2026-06-01T00:00:00Z"), Some("2026-01-01T08:00:00Z"));
        assert!(temporary_refusal("Ana", Some(&with_temp), now).is_some());
        assert_eq!(
            temporary_refusal("Ana", Some(&with_temp), now + 9.0 * HOUR_MS),
            None,
            "expired temporary code"
        );
    }

    #[test]
    fn the_policy_targets_groups_and_can_be_off() {
        let mut p = policy(365, 8);
        assert_eq!(policy_targets(Some(&p), &[]), Some(true));
        assert_eq!(policy_targets(None, &[]), None);
        p.include_targets[0].id = "g-frontline".into();
        assert_eq!(policy_targets(Some(&p), &[]), Some(false));
        assert_eq!(
            policy_targets(Some(&p), &["G-FRONTLINE".into()]),
            Some(true)
        );
        p.exclude_targets.push(PolicyTarget {
            target_type: None,
            id: "g-out".into(),
            is_registration_required: None,
        });
        assert_eq!(
            policy_targets(Some(&p), &["g-frontline".into(), "g-out".into()]),
            Some(false)
        );
        p.state = PolicyState::Disabled;
        assert_eq!(
            policy_targets(Some(&p), &["g-frontline".into()]),
            Some(false)
        );
        assert_eq!(Bounds::from_policy(Some(&p)).enabled, Some(false));
    }
}
