//! How bulk results end (security item 24): the pass values a run returned stay in the page no
//! longer than a single pass does. "Done" forgets them all, asking first when they were
//! neither exported nor printed; the time-out (`passShowSeconds`, counted from when the results
//! appear) and `pagehide` forget them without asking. Forgetting drops each value
//! ([`super::batch::Run::forget_values`]); the outcomes (who got a pass) stay readable.

/// What the admin did with the results so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// Pass values still in the page.
    pub held: usize,
    pub exported: bool,
    pub printed: bool,
}

impl Kept {
    /// Returns true if and only if forgetting now loses passes nobody can see again: some are
    /// held and they were neither exported nor printed. "Done" and leaving the page ask first.
    pub fn loses_passes(&self) -> bool {
        self.held > 0 && !self.exported && !self.printed
    }

    /// The question "Done" asks when [`Kept::loses_passes`].
    pub fn question(&self) -> String {
        let what = if self.held == 1 {
            "the pass on this page".to_owned()
        } else {
            format!("the {} passes on this page", self.held)
        };
        format!("Forget {what}? They were neither exported nor printed: users who have not received theirs yet will need a new pass.")
    }
}

/// When the results' pass values are forgotten: `shown_at_ms` plus `pass_show_seconds`.
pub fn forget_at_ms(shown_at_ms: f64, pass_show_seconds: u32) -> f64 {
    shown_at_ms + f64::from(pass_show_seconds) * 1000.0
}

/// The notice after the values were forgotten by the time-out or by leaving the page.
pub fn forgotten_notice(forgotten: usize, by_time_out: bool) -> String {
    let why = if by_time_out {
        "they were shown for as long as a single pass is"
    } else {
        "the page was left"
    };
    format!("The pass values were removed from this page because {why} ({forgotten} removed). The outcomes stay; users who still need a pass need a new one.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_asks_only_when_passes_would_be_lost() {
        let mut k = Kept {
            held: 3,
            ..Kept::default()
        };
        assert!(k.loses_passes());
        assert!(
            k.question().contains("Forget the 3 passes"),
            "{}",
            k.question()
        );
        k.exported = true;
        assert!(!k.loses_passes());
        let printed = Kept {
            held: 3,
            printed: true,
            ..Kept::default()
        };
        assert!(!printed.loses_passes());
        assert!(
            !Kept::default().loses_passes(),
            "nothing held, nothing lost"
        );
        assert!(Kept { held: 1, ..k }
            .question()
            .contains("the pass on this page"));
    }

    #[test]
    fn the_time_out_is_the_single_pass_one() {
        assert_eq!(forget_at_ms(1_000.0, 900), 901_000.0);
        assert!(forgotten_notice(2, true).contains("as long as a single pass"));
        assert!(forgotten_notice(2, false).contains("page was left"));
    }
}
