//! The lost-create rule, one for the single create form and the bulk run: what a create's
//! answer says about whether a pass now exists, and how listing the user's passes settles an
//! answer that does not say.
//!
//! Architecture invariant: a create is never sent again because of an answer that may hide a
//! created pass ([`Answer::MayHaveRun`]: no answer, 408, 5xx). Such an answer is settled by
//! listing the user's passes ([`settle`]): a pass other than the one before the create means the
//! create ran ([`Settled::CreatedUnseen`]), and its value is lost; a second create would silently
//! replace it. Only [`Answer::NotProcessed`] (429: Graph processed nothing) and
//! [`Settled::NotCreated`] (the listing proved nothing was created) make sending again safe; the
//! single form leaves that to the admin, the bulk run (`bulk::batch::Run`) does it itself, a
//! bounded number of times.

use crate::graph::models::TemporaryAccessPass;
use crate::graph::{time, GraphError};

/// What the status of a create's answer says about the pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: the pass was created (its value is in the body).
    Created,
    /// 429: Graph processed nothing; sending again later is safe.
    NotProcessed,
    /// No answer (status 0), 408 or 5xx: the create may have run. List before anything else.
    MayHaveRun,
    /// Any other status: refused, nothing was created.
    Refused,
}

/// Reads the HTTP `status` of a create's answer (0: no answer arrived).
pub fn classify(status: u16) -> Answer {
    match status {
        200..=299 => Answer::Created,
        429 => Answer::NotProcessed,
        0 | 408 | 500..=599 => Answer::MayHaveRun,
        _ => Answer::Refused,
    }
}

/// Reads a failed create: a call never sent (no token without the admin, a URL not trusted) is
/// [`Answer::NotProcessed`], whatever its status; anything else is read by its status.
pub fn classify_failure(e: &GraphError) -> Answer {
    if e.unanswered.is_some() && !e.answer_lost() {
        Answer::NotProcessed
    } else {
        classify(e.status)
    }
}

/// What listing the user's passes showed after an answer that [`Answer::MayHaveRun`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// A new pass exists (created at this RFC 3339 instant, when Graph said): the create ran and
    /// its value never arrived.
    CreatedUnseen { created: Option<String> },
    /// No new pass exists: nothing was created, sending again is safe.
    NotCreated,
    /// The passes could not be read: nobody knows. Never send again without the admin.
    Unknown,
}

/// Settles a create whose answer may hide a pass, from the user's pass id before the create
/// (`previous`) and the listing after it: `Ok(first pass listed, if any)` or `Err(())` when the
/// list could not be read. Returns [`Settled::CreatedUnseen`] if and only if a pass is listed
/// whose id differs from `previous`.
pub fn settle(previous: Option<&str>, listed: Result<Option<&TemporaryAccessPass>, ()>) -> Settled {
    match listed {
        Ok(Some(p)) if Some(p.id.as_str()) != previous => Settled::CreatedUnseen {
            created: p.created_date_time.clone(),
        },
        Ok(_) => Settled::NotCreated,
        Err(()) => Settled::Unknown,
    }
}

impl Settled {
    /// The single form's sentence for this outcome; `local` writes an instant (epoch ms) in the
    /// admin's time.
    pub fn sentence(&self, local: impl Fn(f64) -> String) -> String {
        match self {
            Settled::CreatedUnseen { created } => format!(
                "A pass was created{}, but Graph's answer was lost, so its value never reached this page and nobody has seen it. Create a new pass to get a value you can hand over: it replaces the unseen one.",
                at(created.as_deref(), local)
            ),
            Settled::NotCreated => "No pass was created: the user's passes show nothing new. You can safely try again.".into(),
            Settled::Unknown => "Graph's answer was lost and the user's passes could not be read to check what happened. Check the user's current pass before creating another.".into(),
        }
    }
}

/// " at <local time>" for an RFC 3339 instant Graph gave, else nothing.
pub fn at(created: Option<&str>, local: impl Fn(f64) -> String) -> String {
    created
        .and_then(time::parse_ms)
        .map(|ms| format!(" at {}", local(ms)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(id: &str) -> TemporaryAccessPass {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "createdDateTime": "2026-01-02T03:04:05Z",
        }))
        .expect("a pass")
    }

    #[test]
    fn only_no_answer_408_and_5xx_may_hide_a_created_pass() {
        assert_eq!(classify(201), Answer::Created);
        assert_eq!(classify(200), Answer::Created);
        assert_eq!(classify(429), Answer::NotProcessed);
        for s in [0, 408, 500, 502, 503, 504, 599] {
            assert_eq!(classify(s), Answer::MayHaveRun, "{s}");
        }
        for s in [400, 401, 403, 404, 409] {
            assert_eq!(classify(s), Answer::Refused, "{s}");
        }
    }

    #[test]
    fn a_pass_other_than_the_one_before_means_the_create_ran() {
        let new = pass("new");
        assert_eq!(
            settle(Some("old"), Ok(Some(&new))),
            Settled::CreatedUnseen {
                created: Some("2026-01-02T03:04:05Z".into())
            }
        );
        assert!(matches!(
            settle(None, Ok(Some(&new))),
            Settled::CreatedUnseen { .. }
        ));
        let old = pass("old");
        assert_eq!(settle(Some("old"), Ok(Some(&old))), Settled::NotCreated);
        assert_eq!(settle(Some("old"), Ok(None)), Settled::NotCreated);
        assert_eq!(settle(None, Ok(None)), Settled::NotCreated);
        assert_eq!(settle(Some("old"), Err(())), Settled::Unknown);
    }

    #[test]
    fn each_outcome_is_a_sentence_that_says_what_to_do() {
        let unseen = Settled::CreatedUnseen {
            created: Some("2026-01-02T03:04:05Z".into()),
        };
        let text = unseen.sentence(|_| "2 Jan, 04:04".into());
        assert!(
            text.starts_with("A pass was created at 2 Jan, 04:04, but Graph's answer was lost"),
            "{text}"
        );
        assert!(text.contains("nobody has seen it"));
        let undated = Settled::CreatedUnseen { created: None }.sentence(|_| "x".into());
        assert!(undated.starts_with("A pass was created, but"), "{undated}");
        assert!(Settled::NotCreated
            .sentence(|_| String::new())
            .contains("You can safely try again"));
        assert!(Settled::Unknown
            .sentence(|_| String::new())
            .contains("Check the user's current pass before creating another"));
    }

    #[test]
    fn a_create_never_sent_is_not_processed_and_a_lost_answer_may_have_run() {
        use crate::graph::Unanswered;
        let never_sent = GraphError {
            unanswered: Some(Unanswered::SignedOut),
            ..GraphError::default()
        };
        assert_eq!(classify_failure(&never_sent), Answer::NotProcessed);
        let untrusted = GraphError {
            unanswered: Some(Unanswered::UntrustedUrl),
            ..GraphError::default()
        };
        assert_eq!(classify_failure(&untrusted), Answer::NotProcessed);
        let lost = GraphError::network("lost");
        assert_eq!(classify_failure(&lost), Answer::MayHaveRun);
        let refused = GraphError {
            status: 403,
            ..GraphError::default()
        };
        assert_eq!(classify_failure(&refused), Answer::Refused);
    }
}
