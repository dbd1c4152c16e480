//! The Graph listener's request counters and log (with arrival times), shared by every
//! request handler; read through `Emulator::graph_requests` and `graph_request_log` (`load`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// How many requests reached the Graph listener since the start or the last
/// [`crate::Emulator::reset_graph_counters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GraphRequestCounts {
    /// Every HTTP request the Graph listener answered, each once: direct calls, `$batch`
    /// envelopes and CORS preflights alike (faulted ones included).
    pub http_requests: u64,
    /// Of [`GraphRequestCounts::http_requests`], the CORS preflights (`OPTIONS`).
    pub preflights: u64,
    /// Requests carried inside `$batch` envelopes (each item once per envelope it came in).
    pub batch_items: u64,
}

/// One request the Graph listener answered, with when it arrived: tests prove a client's
/// waits (`Retry-After`, back-off) from these times, not from their own clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphRequestSeen {
    /// Milliseconds since the emulator started (a monotonic clock, not the emulator clock).
    pub at_ms: u64,
    /// HTTP method (`OPTIONS` for preflights).
    pub method: String,
    /// Path and query as requested, e.g. `/v1.0/users?$search=...`.
    pub path: String,
    /// The status answered.
    pub status: u16,
}

/// Most requests kept in the log (the oldest go first).
const LOG_LIMIT: usize = 20_000;

/// The Graph counters, shared by every request handler.
#[derive(Debug)]
pub struct GraphCounters {
    http_requests: AtomicU64,
    preflights: AtomicU64,
    batch_items: AtomicU64,
    started: Instant,
    log: Mutex<Vec<GraphRequestSeen>>,
}

impl Default for GraphCounters {
    fn default() -> Self {
        GraphCounters {
            http_requests: AtomicU64::default(),
            preflights: AtomicU64::default(),
            batch_items: AtomicU64::default(),
            started: Instant::now(),
            log: Mutex::new(Vec::new()),
        }
    }
}

impl GraphCounters {
    /// Counts one HTTP request to the Graph listener.
    pub fn request(&self, preflight: bool) {
        self.http_requests.fetch_add(1, Ordering::Relaxed);
        if preflight {
            self.preflights.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts the items of one `$batch` envelope.
    pub fn batch_items(&self, n: usize) {
        self.batch_items
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Records an answered request with its arrival time (`arrived`).
    pub fn log(&self, arrived: Instant, method: &str, path: &str, status: u16) {
        let at_ms = u64::try_from(arrived.duration_since(self.started).as_millis()).unwrap_or(0);
        let mut log = crate::clock::lock(&self.log);
        if log.len() >= LOG_LIMIT {
            log.remove(0);
        }
        log.push(GraphRequestSeen {
            at_ms,
            method: method.to_string(),
            path: path.to_string(),
            status,
        });
    }

    /// Every logged request, oldest first.
    pub fn seen(&self) -> Vec<GraphRequestSeen> {
        crate::clock::lock(&self.log).clone()
    }

    /// The current counts.
    pub fn snapshot(&self) -> GraphRequestCounts {
        GraphRequestCounts {
            http_requests: self.http_requests.load(Ordering::Relaxed),
            preflights: self.preflights.load(Ordering::Relaxed),
            batch_items: self.batch_items.load(Ordering::Relaxed),
        }
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        self.http_requests.store(0, Ordering::Relaxed);
        self.preflights.store(0, Ordering::Relaxed);
        self.batch_items.store(0, Ordering::Relaxed);
        crate::clock::lock(&self.log).clear();
    }
}
