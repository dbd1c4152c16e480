//! Bulk onboarding, the domain logic under the bulk views: messy input to rows ([`input`]), the
//! dry run's lookups ([`lookup`]) and verdicts ([`plan`]), and Graph `$batch` with the run
//! scheduler that never re-sends a create blindly ([`batch`]); one row per user across the
//! inputs ([`merge`]). Under the bulk screen: "Check" ([`check`]: defaults, lookups, the
//! preview's rows), the screen's data and what the run loop decides between batches
//! ([`state`]), and the results table and export ([`results`]); the words about a run: its summary line,
//! announcements and plurals ([`summary`]).
//!
//! Architecture invariant: nothing here does I/O or reads a clock; the views send the batches
//! (through `graph::api::batch`/`batch_reads`) and pass the time in.

pub mod batch;
pub mod check;
pub mod ending;
pub mod input;
pub mod lookup;
pub mod merge;
pub mod plan;
pub mod results;
pub mod start;
pub mod state;
pub mod summary;
