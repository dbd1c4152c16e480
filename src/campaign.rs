//! The passkey campaign before SMS and voice stop (issue 15): who depends on a phone, from the
//! registration report. This round holds the pure rules; the screens come later.
//! - [`classify`]: a report row (and, where read, the user's phone methods) in one class,
//!   counts per class, and the days left until Microsoft-provided SMS and voice stop.
//! - [`readiness`]: will a passkey be accepted? The passkey (FIDO2) method, its passkey
//!   profiles and Conditional Access on registering security information, as findings in
//!   words with the setting to change.

pub mod classify;
pub mod readiness;
