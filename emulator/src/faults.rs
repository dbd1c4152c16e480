//! Fault injection: rules that make matching requests slow, throttled, failed, cut off after
//! the write, or hung. A seeded generator decides share-based hits, so a run repeats exactly.
//!
//! Evaluation, for one request (or one `$batch` item): rules are tried in the order they were
//! added. Every matching [`FaultKind::Latency`] rule that hits adds its delay; the first
//! matching rule of any other kind that hits decides the outcome, and later ones are not
//! consulted (nor consumed). A rule hits when its `share` draw succeeds (always without a
//! share); each hit uses up one of its `times`, and an exhausted rule is removed.

mod set;

pub use set::{ActiveRule, FaultPlan, FaultSet, Fired, Kinds, DEFAULT_SEED};

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Which origin a rule watches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultOrigin {
    /// The Graph origin (`/v1.0/...`, `/beta/...`).
    #[default]
    Graph,
    /// The sign-in origin (every path except the control API `/_emulator/...`).
    Login,
    /// The static site serving the page (`--site`): a screen's module failing to download.
    Site,
}

/// Which requests a rule applies to. Empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Match {
    /// HTTP method (case-insensitive), e.g. `POST`.
    #[serde(default)]
    pub method: Option<String>,
    /// A piece of the path (case-insensitive). Graph: the path after `/v1.0` or `/beta`, e.g.
    /// `/temporaryAccessPassMethods` or `/$batch`; login: the whole path, e.g.
    /// `/oauth2/v2.0/token`.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// The origin (default Graph).
    #[serde(default)]
    pub origin: FaultOrigin,
}

impl Match {
    /// Every Graph request.
    pub fn graph() -> Match {
        Match::default()
    }

    /// Every request to the sign-in origin (control API excluded).
    pub fn login() -> Match {
        Match {
            origin: FaultOrigin::Login,
            ..Match::default()
        }
    }

    /// Every request to the static site (`--site`).
    pub fn site() -> Match {
        Match {
            origin: FaultOrigin::Site,
            ..Match::default()
        }
    }

    /// Only this method.
    pub fn method(mut self, method: &str) -> Match {
        self.method = Some(method.to_string());
        self
    }

    /// Only paths containing `part`.
    pub fn path_contains(mut self, part: &str) -> Match {
        self.path_contains = Some(part.to_string());
        self
    }

    /// True if and only if a request with this origin, method and path matches.
    pub fn matches(&self, origin: FaultOrigin, method: &str, path: &str) -> bool {
        origin == self.origin
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()))
    }
}

/// What a fault does. JSON: `{"type":"latency","ms":1500}`, `{"type":"throttle",
/// "retryAfterSecs":5}`, `{"type":"serverError","status":503}`, `{"type":"dropAfterWrite"}`,
/// `{"type":"timeout"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "KindWire", try_from = "KindWire")]
pub enum FaultKind {
    /// Wait this long, then answer normally (adds up with other latency rules).
    Latency(Duration),
    /// 429 with `Retry-After` and Graph's `TooManyRequests` body; the request is not processed.
    Throttle {
        /// Seconds in `Retry-After`.
        retry_after_secs: u32,
    },
    /// This 5xx status (500, 502, 503 or 504) with Graph's error envelope; not processed.
    ServerError(u16),
    /// The request is processed (a pass is created, events are recorded), the status line and
    /// headers (CORS included) are sent, then the body stream fails: the client sees a network
    /// error while reading the body.
    DropAfterWrite,
    /// Not processed; the request hangs for `Settings::fault_timeout_hold` (65 s by default,
    /// longer than Graph's 60 s server-side limit) or until the emulator shuts down, then gets
    /// 504 `GatewayTimeout`. Clients are expected to give up first.
    Timeout,
}

impl FaultKind {
    /// True for the kinds that decide the outcome (everything but latency).
    pub fn is_terminal(&self) -> bool {
        !matches!(self, FaultKind::Latency(_))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum KindWire {
    Latency { ms: u64 },
    Throttle { retry_after_secs: u32 },
    ServerError { status: u16 },
    DropAfterWrite,
    Timeout,
}

impl From<FaultKind> for KindWire {
    fn from(k: FaultKind) -> KindWire {
        match k {
            FaultKind::Latency(d) => KindWire::Latency {
                ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            },
            FaultKind::Throttle { retry_after_secs } => KindWire::Throttle { retry_after_secs },
            FaultKind::ServerError(status) => KindWire::ServerError { status },
            FaultKind::DropAfterWrite => KindWire::DropAfterWrite,
            FaultKind::Timeout => KindWire::Timeout,
        }
    }
}

impl TryFrom<KindWire> for FaultKind {
    type Error = FaultError;
    fn try_from(w: KindWire) -> Result<FaultKind, FaultError> {
        let k = match w {
            KindWire::Latency { ms } => FaultKind::Latency(Duration::from_millis(ms)),
            KindWire::Throttle { retry_after_secs } => FaultKind::Throttle { retry_after_secs },
            KindWire::ServerError { status } => FaultKind::ServerError(status),
            KindWire::DropAfterWrite => FaultKind::DropAfterWrite,
            KindWire::Timeout => FaultKind::Timeout,
        };
        validate_kind(&k)?;
        Ok(k)
    }
}

fn validate_kind(k: &FaultKind) -> Result<(), FaultError> {
    match k {
        FaultKind::ServerError(s) if !matches!(s, 500 | 502 | 503 | 504) => {
            Err(FaultError::Status(*s))
        }
        _ => Ok(()),
    }
}

/// Why a rule was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FaultError {
    /// `ServerError` takes 500, 502, 503 or 504.
    #[error("server error status must be 500, 502, 503 or 504, not {0}")]
    Status(u16),
    /// `share` must lie in 0.0..=1.0.
    #[error("share must be between 0 and 1, not {0}")]
    Share(f64),
}

/// A fault rule. JSON: `{"match":{...},"kind":{...},"times":1,"share":0.5}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Which requests.
    #[serde(rename = "match", default)]
    pub matcher: Match,
    /// What happens.
    pub kind: FaultKind,
    /// How many hits before the rule is used up (`None`: forever).
    #[serde(default)]
    pub times: Option<u32>,
    /// Fraction of matching requests hit, drawn from the seeded generator (`None`: all).
    #[serde(default)]
    pub share: Option<f64>,
}

impl FaultRule {
    /// A rule hitting every matching request, forever.
    pub fn new(matcher: Match, kind: FaultKind) -> FaultRule {
        FaultRule {
            matcher,
            kind,
            times: None,
            share: None,
        }
    }

    /// Only the next `n` hits.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.times = Some(n);
        self
    }

    /// Only this fraction of matching requests.
    pub fn share(mut self, share: f64) -> FaultRule {
        self.share = Some(share);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), FaultError> {
        validate_kind(&self.kind)?;
        match self.share {
            Some(s) if !(0.0..=1.0).contains(&s) => Err(FaultError::Share(s)),
            _ => Ok(()),
        }
    }
}
