//! The emulator's single clock (real time plus a test-controlled offset) and the date formats
//! Entra ID and Graph print.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// All time inside the emulator: `real now + offset`. Tests move it forward with
/// [`Clock::advance`]; it never runs backwards except through [`Clock::reset`].
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// The emulator's current instant (UTC).
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + *lock(&self.offset)
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        *lock(&self.offset) += d;
    }

    /// Sets the offset back to zero (real time).
    pub fn reset(&self) {
        *lock(&self.offset) = Duration::ZERO;
    }

    /// How far the clock is ahead of real time.
    pub fn offset(&self) -> Duration {
        *lock(&self.offset)
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: the emulator's state
/// stays usable for the remaining tests even if one handler panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `2021-04-01T17:02:01`: Graph's `innerError.date` (no fraction, no zone).
pub fn graph_error_date(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    // Formatting a complete UTC date-time with a static description cannot fail.
    t.format(f).unwrap_or_default()
}

/// `2021-04-01T17:02:01Z`: Graph's `startDateTime` (no fraction).
pub fn seconds_z(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    // Formatting a complete UTC date-time with a static description cannot fail.
    t.format(f).unwrap_or_default()
}

/// `2021-04-01T17:02:01.1234567Z`: Graph's `createdDateTime` (7 fractional digits).
pub fn seven_digits_z(t: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z");
    // Formatting a complete UTC date-time with a static description cannot fail.
    t.format(f).unwrap_or_default()
}

/// `2021-04-01 17:02:01Z`: the `timestamp` field and line of Entra's token error bodies.
pub fn entra_timestamp(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    // Formatting a complete UTC date-time with a static description cannot fail.
    t.format(f).unwrap_or_default()
}

/// Parses an RFC 3339 date-time as Graph accepts it for `DateTimeOffset` values
/// (`Z` or a numeric offset, fraction optional). Returns the instant in UTC.
pub fn parse_date_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// Seconds since the Unix epoch, for JWT `iat`/`nbf`/`exp`.
pub fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_match_the_services() {
        let t = datetime!(2021-04-01 17:02:01.123456789 UTC);
        assert_eq!(graph_error_date(t), "2021-04-01T17:02:01");
        assert_eq!(seconds_z(t), "2021-04-01T17:02:01Z");
        assert_eq!(seven_digits_z(t), "2021-04-01T17:02:01.1234567Z");
        assert_eq!(entra_timestamp(t), "2021-04-01 17:02:01Z");
    }

    #[test]
    fn parses_offsets_to_utc() {
        let t = parse_date_time("2021-04-01T19:02:01+02:00").expect("valid");
        assert_eq!(seconds_z(t), "2021-04-01T17:02:01Z");
        assert!(parse_date_time("tomorrow").is_none());
    }

    #[test]
    fn clock_advances() {
        let c = Clock::default();
        let before = c.now();
        c.advance(Duration::from_secs(3600));
        assert!(c.now() - before >= time::Duration::seconds(3600));
        c.reset();
        assert_eq!(c.offset(), Duration::ZERO);
    }
}
