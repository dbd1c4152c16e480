//! The bulk scheduler ([`Run`]): which create goes in which `$batch`, when a job is sent again
//! and how a lost answer is resolved. The `$batch` types, item builders and item errors live in
//! [`crate::graph::batch`].

mod run;

pub use self::run::{failure_sentence, JobState, Progress, Run, MAX_RESENDS, UNRESOLVED_CODE};
