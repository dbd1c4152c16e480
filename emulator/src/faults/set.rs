//! The active fault rules and how a request is planned against them, with the seeded
//! generator (SplitMix64) that decides share-based hits.

use std::time::Duration;

use serde::Serialize;

use super::{FaultError, FaultKind, FaultOrigin, FaultRule};

/// An active rule as listed by the control API: its id, the rule, and hits left.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveRule {
    /// Id for removal.
    pub id: u64,
    /// The rule as added, except that `times` counts the hits left.
    #[serde(flatten)]
    pub rule: FaultRule,
}

/// Which kinds a planning pass considers (a `$batch` plans latency once for the envelope and
/// the terminal kinds per item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kinds {
    /// All kinds.
    All,
    /// Only latency.
    Latency,
    /// Only the terminal kinds.
    Terminal,
}

/// A fault that fired, for the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    /// What.
    pub kind: FaultKind,
    /// Method of the request that matched.
    pub method: String,
    /// Path of the request that matched.
    pub path: String,
}

/// What to do with one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    /// Total added delay.
    pub latency: Duration,
    /// The outcome-deciding fault, if one hit.
    pub terminal: Option<FaultKind>,
    /// Everything that fired.
    pub fired: Vec<Fired>,
}

/// The default generator seed; [`FaultSet::set_seed`] changes it.
pub const DEFAULT_SEED: u64 = 0x7a9d_e5c1_2024_0001;

/// The active rules and the seeded generator.
#[derive(Clone, Debug)]
pub struct FaultSet {
    rules: Vec<ActiveRule>,
    next_id: u64,
    seed: u64,
    rng: SplitMix64,
}

impl Default for FaultSet {
    fn default() -> Self {
        FaultSet {
            rules: vec![],
            next_id: 1,
            seed: DEFAULT_SEED,
            rng: SplitMix64(DEFAULT_SEED),
        }
    }
}

impl FaultSet {
    /// Adds a rule after the existing ones; returns its id.
    pub fn add(&mut self, rule: FaultRule) -> Result<u64, FaultError> {
        rule.validate()?;
        let id = self.next_id;
        self.next_id += 1;
        self.rules.push(ActiveRule { id, rule });
        Ok(id)
    }

    /// Removes one rule; false if no rule has this id.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Removes every rule (the generator keeps its position).
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Restarts the generator from `seed`.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        self.rng = SplitMix64(seed);
    }

    /// The current seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The active rules, in evaluation order.
    pub fn rules(&self) -> &[ActiveRule] {
        &self.rules
    }

    /// A uniformly drawn index below `bound` (for the deterministic batch shuffle).
    pub fn draw_below(&mut self, bound: usize) -> usize {
        let bound = u64::try_from(bound.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.rng.next_u64() % bound).unwrap_or(0)
    }

    /// Plans one request. A rule matches if it matches any of `requests` (`(method, path)`;
    /// more than one only when a batch's latency is planned for the envelope and its items).
    pub fn plan(
        &mut self,
        origin: FaultOrigin,
        requests: &[(&str, &str)],
        kinds: Kinds,
    ) -> FaultPlan {
        let mut plan = FaultPlan::default();
        for active in &mut self.rules {
            let rule = &active.rule;
            let terminal = rule.kind.is_terminal();
            let wanted = match kinds {
                Kinds::All => true,
                Kinds::Latency => !terminal,
                Kinds::Terminal => terminal,
            };
            if !wanted || (terminal && plan.terminal.is_some()) {
                continue;
            }
            let Some((method, path)) = requests
                .iter()
                .find(|(m, p)| rule.matcher.matches(origin, m, p))
            else {
                continue;
            };
            if let Some(share) = rule.share {
                if self.rng.next_f64() >= share {
                    continue;
                }
            }
            if let Some(t) = active.rule.times.as_mut() {
                *t = t.saturating_sub(1);
            }
            match &active.rule.kind {
                FaultKind::Latency(d) => plan.latency += *d,
                other => plan.terminal = Some(other.clone()),
            }
            plan.fired.push(Fired {
                kind: active.rule.kind.clone(),
                method: method.to_string(),
                path: path.to_string(),
            });
        }
        self.rules.retain(|r| r.rule.times != Some(0));
        plan
    }
}

/// SplitMix64: tiny, fast, and good enough to spread hits evenly; same seed, same sequence.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Match;

    const TAP: (&str, &str) = ("POST", "/users/x/authentication/temporaryAccessPassMethods");

    #[test]
    fn matching_order_times_and_latency_sum() {
        let mut f = FaultSet::default();
        let ms = |n| FaultKind::Latency(Duration::from_millis(n));
        f.add(FaultRule::new(Match::graph(), ms(10))).expect("ok");
        f.add(FaultRule::new(Match::graph().method("post"), ms(5)))
            .expect("ok");
        f.add(
            FaultRule::new(
                Match::graph().path_contains("/TEMPORARYACCESSPASSMETHODS"),
                FaultKind::Throttle {
                    retry_after_secs: 3,
                },
            )
            .times(1),
        )
        .expect("ok");
        f.add(FaultRule::new(Match::graph(), FaultKind::ServerError(503)))
            .expect("ok");
        let p = f.plan(FaultOrigin::Graph, &[TAP], Kinds::All);
        assert_eq!(p.latency, Duration::from_millis(15));
        assert_eq!(
            p.terminal,
            Some(FaultKind::Throttle {
                retry_after_secs: 3
            })
        );
        assert_eq!(p.fired.len(), 3);
        assert_eq!(f.rules().len(), 3, "the one-shot rule is used up");
        let p = f.plan(FaultOrigin::Graph, &[("GET", "/me")], Kinds::All);
        assert_eq!(p.latency, Duration::from_millis(10));
        assert_eq!(p.terminal, Some(FaultKind::ServerError(503)));
        assert!(f
            .plan(FaultOrigin::Login, &[TAP], Kinds::All)
            .fired
            .is_empty());
        let p = f.plan(FaultOrigin::Graph, &[TAP], Kinds::Latency);
        assert_eq!((p.terminal, p.fired.len()), (None, 2));
    }

    #[test]
    fn shares_are_seeded_and_roughly_right() {
        let run = |seed| {
            let mut f = FaultSet::default();
            f.set_seed(seed);
            f.add(FaultRule::new(Match::graph(), FaultKind::Timeout).share(0.3))
                .expect("ok");
            (0..1000)
                .map(|_| {
                    f.plan(FaultOrigin::Graph, &[TAP], Kinds::All)
                        .terminal
                        .is_some()
                })
                .collect::<Vec<bool>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|h| **h).count();
        assert!((250..350).contains(&hits), "{hits}");
    }

    #[test]
    fn invalid_rules_and_wire_format() {
        let mut f = FaultSet::default();
        assert_eq!(
            f.add(FaultRule::new(Match::graph(), FaultKind::ServerError(418))),
            Err(FaultError::Status(418))
        );
        assert!(f
            .add(FaultRule::new(Match::graph(), FaultKind::Timeout).share(1.5))
            .is_err());
        let rule: FaultRule = serde_json::from_str(
            r#"{"match":{"method":"POST","pathContains":"/$batch","origin":"graph"},
                "kind":{"type":"latency","ms":250},"times":2}"#,
        )
        .expect("parses");
        assert_eq!(rule.kind, FaultKind::Latency(Duration::from_millis(250)));
        assert_eq!(rule.times, Some(2));
        let back = serde_json::to_value(&rule).expect("json");
        assert_eq!(
            back["kind"],
            serde_json::json!({"type": "latency", "ms": 250})
        );
        assert!(
            serde_json::from_str::<FaultKind>(r#"{"type":"serverError","status":404}"#).is_err()
        );
    }
}
