//! The passkey campaign before SMS and voice stop (issue 15): who depends on a phone, from the
//! registration report, classified, listed and summed up for the Campaign screen.
//! - [`classify`]: a report row (and, where read, the user's phone methods) in one class,
//!   counts per class, and the days left until Microsoft-provided SMS and voice stop.
//! - [`readiness`]: will a passkey be accepted? The passkey (FIDO2) method, its passkey
//!   profiles and Conditional Access on registering security information, as findings in
//!   words with the setting to change.
//! - [`members`]: the list of members (department, units), its filters, CSV and chart.
//! - [`store`]: the campaign kept in the browser and its file (object ids and times only),
//!   waves, each user's stage.

pub mod classify;
pub mod members;
pub mod readiness;
pub mod store;
