//! When a failed Graph call may be sent again, and after how long.
//!
//! Reads (and deletes, which are idempotent) are retried after throttling, 5xx answers and lost
//! connections, with exponential backoff and jitter. A create is retried only after a 429: Graph
//! did not process it. After a timeout, a lost answer or a 5xx a create may have happened, and a
//! second POST would silently replace a pass someone may already hold (reference §2).
//!
//! `Retry-After` is honoured on 429 and on 503 (Graph sends it on both; values may be decimals
//! such as `0.249`). Graph is reported not to expose `Retry-After` to browser scripts on single
//! calls (`Access-Control-Expose-Headers`), so a 429 often arrives with no readable value: the
//! page then backs off in seconds (5, 10, 20, 40 s, plus up to a fifth of jitter), never in the
//! half-seconds meant for network blips, so a throttled tenant does not see a burst.

/// Reads a `Retry-After` value in whole seconds, rounded up: `7`, `0.249` (→ 1), `1.5` (→ 2).
/// Anything else (an HTTP date, a negative number, garbage) is `None`: the caller backs off.
pub fn parse_retry_after(value: &str) -> Option<u32> {
    let v: f64 = value.trim().parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(v.ceil().min(f64::from(u32::MAX)) as u32)
}

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
    /// Retries after a 429 (with or without a readable `Retry-After`).
    pub max_throttle_retries: u32,
    /// First wait after a 429 without a readable `Retry-After`, in ms; doubled per retry.
    pub throttle_base_ms: f64,
    /// Longest wait after a 429 without a readable `Retry-After`, in ms.
    pub throttle_cap_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_ms: 500.0,
            cap_ms: 8_000.0,
            max_retry_after_s: 120,
            max_throttle_retries: 4,
            throttle_base_ms: 5_000.0,
            throttle_cap_ms: 40_000.0,
        }
    }
}

impl RetryPolicy {
    /// Returns how long to wait before retry number `retries_done + 1`, or `None` to give up.
    /// For a 429 `retries_done` counts the throttles so far, else the other failures.
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
        let jitter = jitter.clamp(0.0, 1.0);
        let honoured = |s: u32| (s <= self.max_retry_after_s).then(|| f64::from(s) * 1000.0);
        if status == 429 {
            if retries_done >= self.max_throttle_retries {
                return None;
            }
            return match retry_after_s {
                Some(s) => honoured(s),
                None => Some(
                    (self.throttle_base_ms * 2f64.powi(retries_done as i32))
                        .min(self.throttle_cap_ms)
                        * (1.0 + jitter / 5.0),
                ),
            };
        }
        if retries_done >= self.max_retries {
            return None;
        }
        let backoff =
            (self.base_ms * 2f64.powi(retries_done as i32)).min(self.cap_ms) * (0.5 + jitter);
        match (status, kind, retry_after_s) {
            (503, Kind::Idempotent, Some(s)) => honoured(s),
            (0 | 500 | 502 | 503 | 504, Kind::Idempotent, _) => Some(backoff),
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
        max_throttle_retries: 4,
        throttle_base_ms: 5_000.0,
        throttle_cap_ms: 40_000.0,
    };

    #[test]
    fn retry_after_values_are_decimal_seconds_rounded_up() {
        assert_eq!(parse_retry_after("7"), Some(7));
        assert_eq!(parse_retry_after(" 0.249 "), Some(1));
        assert_eq!(parse_retry_after("1.5"), Some(2));
        assert_eq!(parse_retry_after("0"), Some(0));
        assert_eq!(parse_retry_after("-3"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }

    #[test]
    fn a_throttle_without_a_readable_retry_after_backs_off_in_seconds() {
        let waits: Vec<Option<f64>> = (0..5)
            .map(|n| P.delay_ms(n, 429, None, Kind::Idempotent, 0.0))
            .collect();
        assert_eq!(
            waits,
            [
                Some(5_000.0),
                Some(10_000.0),
                Some(20_000.0),
                Some(40_000.0),
                None
            ]
        );
        let most = P.delay_ms(3, 429, None, Kind::Create, 1.0).unwrap_or(0.0);
        assert!((40_000.0..=48_000.0).contains(&most), "{most}");
    }

    #[test]
    fn retry_after_is_honoured_on_503_for_reads_only() {
        assert_eq!(
            P.delay_ms(0, 503, Some(9), Kind::Idempotent, 0.5),
            Some(9_000.0)
        );
        assert_eq!(P.delay_ms(0, 503, Some(9), Kind::Create, 0.5), None);
        assert_eq!(P.delay_ms(0, 503, Some(600), Kind::Idempotent, 0.5), None);
    }

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
