//! When a failed Graph call may be sent again, and after how long.
//!
//! Reads (and deletes, which are idempotent) are retried after throttling, 5xx answers and lost
//! connections, with exponential backoff and jitter. A create is retried only after a 429: Graph
//! did not process it. After a timeout, a lost answer or a 5xx a create may have happened, and a
//! second POST would silently replace a pass someone may already hold (reference §2).

/// What kind of request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Safe to repeat: GET, DELETE.
    Idempotent,
    /// Not safe to repeat unless Graph says it did not process it (429).
    Create,
}

/// Bounds of the retry loop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff delay, in ms, before jitter.
    pub base_ms: f64,
    /// Longest backoff delay, in ms.
    pub cap_ms: f64,
    /// Longest `Retry-After` honoured without asking the admin, in seconds.
    pub max_retry_after_s: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_ms: 500.0,
            cap_ms: 8_000.0,
            max_retry_after_s: 120,
        }
    }
}

impl RetryPolicy {
    /// Returns how long to wait before retry number `retries_done + 1`, or `None` to give up.
    ///
    /// `status` 0 means no answer (network error or timeout); `retry_after_s` is the
    /// `Retry-After` header; `jitter` is a random number in `0..1`.
    pub fn delay_ms(
        &self,
        retries_done: u32,
        status: u16,
        retry_after_s: Option<u32>,
        kind: Kind,
        jitter: f64,
    ) -> Option<f64> {
        if retries_done >= self.max_retries {
            return None;
        }
        let backoff = (self.base_ms * 2f64.powi(retries_done as i32)).min(self.cap_ms)
            * (0.5 + jitter.clamp(0.0, 1.0));
        match (status, kind) {
            (429, _) => match retry_after_s {
                Some(s) if s > self.max_retry_after_s => None,
                Some(s) => Some(f64::from(s) * 1000.0),
                None => Some(backoff),
            },
            (0 | 500 | 502 | 503 | 504, Kind::Idempotent) => Some(backoff),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_retries: 3,
        base_ms: 500.0,
        cap_ms: 8_000.0,
        max_retry_after_s: 120,
    };

    #[test]
    fn throttling_waits_retry_after_for_every_kind() {
        assert_eq!(
            P.delay_ms(0, 429, Some(7), Kind::Create, 0.3),
            Some(7_000.0)
        );
        assert_eq!(
            P.delay_ms(2, 429, Some(1), Kind::Idempotent, 0.9),
            Some(1_000.0)
        );
        assert_eq!(
            P.delay_ms(0, 429, Some(600), Kind::Idempotent, 0.0),
            None,
            "too long to wait silently"
        );
    }

    #[test]
    fn a_create_is_never_resent_after_an_ambiguous_failure() {
        for status in [0, 500, 502, 503, 504] {
            assert_eq!(
                P.delay_ms(0, status, None, Kind::Create, 0.5),
                None,
                "{status}"
            );
        }
    }

    #[test]
    fn reads_back_off_exponentially_with_jitter_and_stop() {
        assert_eq!(P.delay_ms(0, 503, None, Kind::Idempotent, 0.5), Some(500.0));
        assert_eq!(P.delay_ms(1, 0, None, Kind::Idempotent, 0.5), Some(1_000.0));
        assert_eq!(
            P.delay_ms(2, 502, None, Kind::Idempotent, 0.0),
            Some(1_000.0)
        );
        assert_eq!(
            P.delay_ms(2, 502, None, Kind::Idempotent, 1.0),
            Some(3_000.0)
        );
        assert_eq!(P.delay_ms(3, 503, None, Kind::Idempotent, 0.5), None);
        let long = RetryPolicy {
            max_retries: 10,
            ..P
        };
        assert_eq!(
            long.delay_ms(9, 503, None, Kind::Idempotent, 0.5),
            Some(8_000.0),
            "capped"
        );
    }

    #[test]
    fn client_errors_are_never_retried() {
        for status in [400, 401, 403, 404, 409] {
            assert_eq!(
                P.delay_ms(0, status, None, Kind::Idempotent, 0.5),
                None,
                "{status}"
            );
        }
    }
}
