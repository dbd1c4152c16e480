//! How bulk results end (security item 24): the pass values a run returned stay in the page no
//! longer than a single pass does. "Finish" forgets them all, asking first whether they were
//! handed out (naming whether they were exported or printed); the time-out (`passShowSeconds`, counted from when the results
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

    /// Returns true if and only if "Finish" asks before forgetting: some values are held.
    pub fn finish_asks(&self) -> bool {
        self.held > 0
    }

    /// The question "Finish" asks while values are held: were they handed out, naming which of
    /// export and print happened.
    pub fn question(&self) -> String {
        let (what, them, they_were) = if self.held == 1 {
            ("the pass on this page".to_owned(), "it", "it was")
        } else {
            (
                format!("the {} passes on this page", self.held),
                "them",
                "they were",
            )
        };
        let done = match (self.exported, self.printed) {
            (true, true) => format!("You exported {them} and printed the handouts."),
            (true, false) => format!("You exported {them}; the handouts were not printed."),
            (false, true) => format!("You printed the handouts; {they_were} not exported."),
            (false, false) => format!("{they_were} neither exported nor printed: users who have not received theirs yet will need a new pass."),
        };
        let asked = if self.held == 1 {
            "Was it"
        } else {
            "Were they"
        };
        format!("Forget {what}? {asked} handed out? {}", capitalised(&done))
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
        assert_eq!(
            k.question(),
            "Forget the 3 passes on this page? Were they handed out? They were neither exported nor printed: users who have not received theirs yet will need a new pass."
        );
        k.exported = true;
        assert!(!k.loses_passes());
        assert!(k.finish_asks(), "Finish asks while values are held");
        assert!(k
            .question()
            .ends_with("You exported them; the handouts were not printed."));
        k.printed = true;
        assert!(k
            .question()
            .ends_with("You exported them and printed the handouts."));
        assert!(
            !Kept::default().finish_asks(),
            "nothing held, nothing asked"
        );
        let printed = Kept {
            held: 3,
            printed: true,
            ..Kept::default()
        };
        assert!(!printed.loses_passes());
        assert!(printed
            .question()
            .ends_with("You printed the handouts; they were not exported."));
        assert!(
            !Kept::default().loses_passes(),
            "nothing held, nothing lost"
        );
        assert_eq!(
            Kept { held: 1, ..Kept::default() }.question(),
            "Forget the pass on this page? Was it handed out? It was neither exported nor printed: users who have not received theirs yet will need a new pass."
        );
    }

    #[test]
    fn the_time_out_is_the_single_pass_one() {
        assert_eq!(forget_at_ms(1_000.0, 900), 901_000.0);
        assert!(forgotten_notice(2, true).contains("as long as a single pass"));
        assert!(forgotten_notice(2, false).contains("page was left"));
    }
}
