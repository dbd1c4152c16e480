//! The QR code + PIN method (Graph v1.0 `qrCodePinAuthenticationMethod`) as the emulator
//! stores it, with its secrets (the QR content carrying the private key and the PIN, which
//! Graph returns only once), and the tenant's `qrCodePin` method policy.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::{ExcludeTarget, IncludeTarget, PolicyState};

/// The policy's bounds (Graph reference, `qrCodePinAuthenticationMethodConfiguration`): a
/// standard QR code lives 1..=395 days (default 365), a PIN has 8..=20 digits (default 8).
pub const MAX_STANDARD_DAYS: u32 = 395;
/// Shortest PIN length a policy may ask for.
pub const MIN_PIN_LENGTH: u32 = 8;
/// Longest PIN length a policy may ask for.
pub const MAX_PIN_LENGTH: u32 = 20;
/// A temporary QR code lives 1..=12 hours (Graph reference, `qrCode`).
pub const TEMPORARY_HOURS: std::ops::RangeInclusive<i64> = 1..=12;

/// One QR code (standard or temporary).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeRecord {
    /// Its id.
    pub id: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// When it becomes usable.
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    /// When it stops being usable.
    #[serde(with = "time::serde::rfc3339")]
    pub expire_date_time: OffsetDateTime,
    /// The QR content (id, private key, UPN), base64: returned once, kept here for tests only.
    pub raw_content: String,
}

impl QrCodeRecord {
    /// True if and only if the code has not expired at `now`.
    pub fn active(&self, now: OffsetDateTime) -> bool {
        now < self.expire_date_time
    }
}

/// The PIN of a method.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QrPinRecord {
    /// The digits (returned only when created or reset; kept here for tests only).
    pub code: String,
    /// True for a PIN an admin set: the user changes it at the first sign-in.
    pub force_change_pin_next_sign_in: bool,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_date_time: OffsetDateTime,
}

/// A user's QR code + PIN method.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QrMethodRecord {
    /// Method id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// The badge QR code, if any.
    pub standard_qr_code: Option<QrCodeRecord>,
    /// The forgotten-badge QR code, if any.
    pub temporary_qr_code: Option<QrCodeRecord>,
    /// The PIN.
    pub pin: QrPinRecord,
}

impl QrMethodRecord {
    /// True if and only if the method can still sign in at `now`: a standard or temporary code
    /// that has not expired (Graph: "A new QR code authentication can be added if an existing
    /// one expires or is deleted and is therefore unusable for sign-in").
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        [&self.standard_qr_code, &self.temporary_qr_code]
            .iter()
            .any(|c| c.as_ref().is_some_and(|c| c.active(now)))
    }
}

/// The tenant's `qrCodePin` authentication method policy.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QrPolicy {
    /// Enabled or disabled.
    pub state: PolicyState,
    /// Lifetime of a standard QR code in days (1..=395).
    #[serde(rename = "standardQRCodeLifetimeInDays")]
    pub standard_qr_code_lifetime_in_days: u32,
    /// Required PIN length (8..=20).
    pub pin_length: u32,
    /// Who may have the method.
    pub include_targets: Vec<IncludeTarget>,
    /// Who may not.
    pub exclude_targets: Vec<ExcludeTarget>,
}

impl Default for QrPolicy {
    /// The Graph reference's example: enabled for all users, 365 days, 8 digits.
    fn default() -> Self {
        QrPolicy {
            state: PolicyState::Enabled,
            standard_qr_code_lifetime_in_days: 365,
            pin_length: 8,
            include_targets: vec![IncludeTarget {
                target_type: "group".into(),
                id: "all_users".into(),
                is_registration_required: false,
            }],
            exclude_targets: vec![],
        }
    }
}

impl QrPolicy {
    /// Checks the documented ranges; the message of the first violation.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_STANDARD_DAYS).contains(&self.standard_qr_code_lifetime_in_days) {
            return Err(format!(
                "standardQRCodeLifetimeInDays must be between 1 and {MAX_STANDARD_DAYS}."
            ));
        }
        if !(MIN_PIN_LENGTH..=MAX_PIN_LENGTH).contains(&self.pin_length) {
            return Err(format!(
                "pinLength must be between {MIN_PIN_LENGTH} and {MAX_PIN_LENGTH}."
            ));
        }
        Ok(())
    }
}

/// Every user's method and the policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QrStore {
    /// Methods by user id.
    pub methods: HashMap<String, QrMethodRecord>,
    /// The `qrCodePin` policy.
    pub policy: QrPolicy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_ranges_are_the_documented_ones() {
        let mut p = QrPolicy::default();
        assert!(p.validate().is_ok());
        p.standard_qr_code_lifetime_in_days = 396;
        assert!(p.validate().is_err());
        p.standard_qr_code_lifetime_in_days = 395;
        p.pin_length = 21;
        assert!(p.validate().is_err());
        p.pin_length = 7;
        assert!(p.validate().is_err());
    }
}
