//! Shared helpers of the emulator's integration tests.

pub mod flow;
