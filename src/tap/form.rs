//! The single create form's decisions, under its view: who may not get a pass from this form,
//! the lifetime field's first value and hints, and the create request from what was typed.

use crate::graph::models::NewPass;
use crate::graph::time;
use crate::messages::duration_words;

use super::FormBounds;

/// What the create form holds when the admin presses "Create pass".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typed {
    /// "Later" is chosen: the pass starts at `start_ms`.
    pub later: bool,
    /// The start field read as an instant (epoch ms); `None` when empty or unreadable.
    pub start_ms: Option<f64>,
    /// The lifetime field as typed (minutes).
    pub lifetime: String,
    pub one_time: bool,
}

/// Returns the create request for `typed` at `now_ms`, or the sentence saying what to fix.
///
/// An empty lifetime is sent as none (the tenant's default applies) only when the policy could
/// not be read; otherwise the lifetime must be inside `bounds`. A later start must be ahead of
/// `now_ms`. The lifetime is checked first.
pub fn request(bounds: &FormBounds, typed: &Typed, now_ms: f64) -> Result<NewPass, String> {
    let lifetime = typed.lifetime.trim();
    let minutes = if lifetime.is_empty() && !bounds.from_policy {
        None
    } else {
        Some(bounds.check_lifetime(lifetime.parse().ok())?)
    };
    let start = if typed.later {
        match typed.start_ms {
            Some(ms) if ms > now_ms => Some(time::format_utc(ms)),
            Some(_) => {
                return Err(
                    "The start time is in the past. Choose a later time, or \"Now\".".into(),
                )
            }
            None => return Err("Enter a start date and time, or choose \"Now\".".into()),
        }
    } else {
        None
    };
    Ok(NewPass {
        start_date_time: start,
        lifetime_in_minutes: minutes,
        is_usable_once: Some(typed.one_time),
    })
}

/// Why this form may not create a pass for the user on screen, if it may not: an external
/// guest, or the admin's own account.
pub fn refusal(external_guest: bool, own_account: bool) -> Option<&'static str> {
    if external_guest {
        Some(crate::messages::GUEST_REFUSED)
    } else if own_account {
        Some(crate::messages::OWN_ACCOUNT_REFUSED)
    } else {
        None
    }
}

/// The lifetime field's first value: the policy's default, or empty when the policy could not
/// be read (an Authentication Administrator may not read it): then no lifetime is sent and the
/// tenant's default applies (issue 11 point 6).
pub fn first_lifetime(bounds: &FormBounds) -> String {
    if bounds.from_policy {
        bounds.default_minutes.to_string()
    } else {
        String::new()
    }
}

/// The hint under the lifetime field: the range, and where it comes from.
pub fn range_hint(bounds: &FormBounds) -> String {
    format!(
        "Between {} and {}{}.",
        duration_words(bounds.min_minutes),
        duration_words(bounds.max_minutes),
        if bounds.from_policy {
            " (tenant policy)"
        } else {
            " (Graph's limits; your tenant's policy could not be read and may allow less). Leave it empty for your tenant's default lifetime"
        }
    )
}

/// The typed lifetime in words ("2 hours"), or nothing when it is not a positive number.
pub fn lifetime_words(typed: &str) -> String {
    typed
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|m| *m > 0)
        .map(duration_words)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(from_policy: bool) -> FormBounds {
        FormBounds {
            min_minutes: 60,
            max_minutes: 480,
            default_minutes: 120,
            one_time_forced: false,
            one_time_default: true,
            enabled: true,
            from_policy,
        }
    }

    fn typed(lifetime: &str) -> Typed {
        Typed {
            lifetime: lifetime.into(),
            one_time: true,
            ..Typed::default()
        }
    }

    #[test]
    fn an_empty_lifetime_is_the_tenant_default_only_without_the_policy() {
        let body = request(&bounds(false), &typed(" "), 0.0).expect("sent");
        assert_eq!(body.lifetime_in_minutes, None);
        assert_eq!(body.is_usable_once, Some(true));
        let refused = request(&bounds(true), &typed(""), 0.0);
        assert!(refused.is_err_and(|e| e.starts_with("Choose a lifetime between")));
        assert_eq!(
            request(&bounds(true), &typed(" 90 "), 0.0)
                .expect("sent")
                .lifetime_in_minutes,
            Some(90)
        );
        assert!(request(&bounds(true), &typed("30"), 0.0).is_err());
    }

    #[test]
    fn a_later_start_must_be_typed_and_ahead() {
        let mut t = typed("90");
        t.later = true;
        assert_eq!(
            request(&bounds(true), &t, 0.0),
            Err("Enter a start date and time, or choose \"Now\".".into())
        );
        t.start_ms = Some(1_000.0);
        assert_eq!(
            request(&bounds(true), &t, 1_000.0),
            Err("The start time is in the past. Choose a later time, or \"Now\".".into())
        );
        let body = request(&bounds(true), &t, 999.0).expect("sent");
        assert_eq!(body.start_date_time, Some(time::format_utc(1_000.0)));
        t.later = false;
        assert_eq!(
            request(&bounds(true), &t, 5_000.0)
                .expect("sent")
                .start_date_time,
            None
        );
        // The lifetime is checked first.
        let mut both = typed("5");
        both.later = true;
        assert!(request(&bounds(true), &both, 0.0).is_err_and(|e| e.starts_with("Choose")));
    }

    #[test]
    fn guests_and_the_admins_own_account_are_refused() {
        assert!(refusal(true, false).is_some_and(|r| r.starts_with("Guests")));
        assert!(refusal(false, true).is_some_and(|r| r.contains("your own account")));
        assert!(refusal(true, true).is_some_and(|r| r.starts_with("Guests")));
        assert_eq!(refusal(false, false), None);
    }

    #[test]
    fn the_lifetime_field_starts_and_reads_from_the_bounds() {
        assert_eq!(first_lifetime(&bounds(true)), "120");
        assert_eq!(first_lifetime(&bounds(false)), "");
        assert!(range_hint(&bounds(true)).ends_with(" (tenant policy)."));
        assert!(range_hint(&bounds(false)).contains("Leave it empty"));
        assert_eq!(lifetime_words("0"), "");
        assert_eq!(lifetime_words("x"), "");
        assert_eq!(lifetime_words(" 120 "), duration_words(120));
    }
}
