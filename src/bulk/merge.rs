//! One list of rows from the bulk screen's three inputs (pasted names, a CSV file, a group's
//! members), and the rule that one run never holds two lines for one user.
//!
//! Two steps, because a user can be named two ways (a UPN and the same user's object id):
//! [`read_all`] reads every source and drops later lines naming a UPN or id already named
//! (case-insensitively), across sources; after the dry run's lookups, [`by_object_id`] drops
//! later lines whose user resolved to an object id already kept. Each dropped line is listed
//! as "Same user as CSV line 4; only CSV line 4 is used." and is never created: a second
//! create for one user would silently replace a pass whose value is already on screen.
//! Problems are listed in source order, then line order ([`in_order`]).

use std::collections::HashMap;

use super::input::{self, Parsed, Row, RowProblem, Source};

/// What the admin gave the bulk screen; an empty source is not read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs<'a> {
    /// The pasted list.
    pub pasted: &'a str,
    /// The CSV file's text, if one was chosen.
    pub csv: Option<&'a str>,
    /// The picked group's members (UPN, or object id when a member has none), in order.
    pub group: &'a [String],
}

/// Reads every non-empty source of `inputs`, in [`Source`] order, and keeps the first line of
/// each user (by UPN or object id, case-insensitively) across all of them. Places name their
/// source when more than one source was read. `known_zone` checks the CSV's time zones.
/// Problems and duplicates come sorted ([`in_order`]).
pub fn read_all(inputs: &Inputs, known_zone: &dyn Fn(&str) -> bool) -> Parsed {
    let mut parts = Vec::new();
    if !inputs.pasted.trim().is_empty() {
        parts.push(input::read_list(inputs.pasted, Source::Pasted));
    }
    if let Some(text) = inputs.csv {
        parts.push(input::read_csv(text, known_zone));
    }
    if !inputs.group.is_empty() {
        parts.push(input::read_list(&inputs.group.join("\n"), Source::Group));
    }
    let several = parts.len() > 1;
    let mut all = Parsed::default();
    for p in parts {
        all.rows.extend(p.rows);
        all.problems.extend(p.problems);
    }
    let mut out = input::take_duplicates(all, several);
    in_order(&mut out.problems);
    in_order(&mut out.duplicates);
    out
}

/// Sorts problems by source ([`Source`] order), then line; a line's own order is kept.
pub fn in_order(problems: &mut [RowProblem]) {
    problems.sort_by_key(|p| (p.source, p.line));
}

/// Everything the preview lists about lines not used, in one list sorted by [`in_order`]: bad
/// lines, lines repeating a UPN, and lines whose user resolved to one already kept.
pub fn listed(parsed: Parsed, same_users: Vec<RowProblem>) -> Vec<RowProblem> {
    let mut out = parsed.problems;
    out.extend(parsed.duplicates);
    out.extend(same_users);
    in_order(&mut out);
    out
}

/// Splits `entries` (rows with what the dry run found) into those kept and a "same user as …"
/// problem for every later entry whose object id (`id_of`, compared case-insensitively)
/// belongs to an earlier entry. Entries without an id (no such user, lookup failed) are kept.
pub fn by_object_id<T>(
    entries: Vec<(Row, T)>,
    id_of: impl Fn(&T) -> Option<&str>,
    several: bool,
) -> (Vec<(Row, T)>, Vec<RowProblem>) {
    let mut first: HashMap<String, (Source, usize)> = HashMap::new();
    let mut kept = Vec::with_capacity(entries.len());
    let mut same = Vec::new();
    for (row, found) in entries {
        let Some(id) = id_of(&found).map(str::to_lowercase) else {
            kept.push((row, found));
            continue;
        };
        match first.get(&id) {
            Some(&(source, line)) => same.push(input::same_user(&row, source, line, several)),
            None => {
                first.insert(id, (row.source, row.line));
                kept.push((row, found));
            }
        }
    }
    (kept, same)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADELE_ID: &str = "6e7b768e-07e2-4810-8459-485f84f8f204";

    fn places(v: &[RowProblem]) -> Vec<(Source, usize)> {
        v.iter().map(|p| (p.source, p.line)).collect()
    }

    #[test]
    fn one_source_reads_as_before() {
        let p = read_all(
            &Inputs {
                pasted: "adele@contoso.com\nADELE@contoso.com\n",
                ..Inputs::default()
            },
            &|_| true,
        );
        assert!(!p.several);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(
            p.duplicates[0].text(false),
            "Line 2: Same user as line 1; only line 1 is used."
        );
    }

    #[test]
    fn the_same_upn_in_two_sources_is_one_row_and_names_the_source() {
        let group = [
            "alex@contoso.com".to_owned(),
            "Adele@Contoso.com".to_owned(),
        ];
        let p = read_all(
            &Inputs {
                pasted: "adele@contoso.com",
                csv: Some("upn\nmegan@contoso.com\nadele@CONTOSO.com\nmegan@contoso.com\n"),
                group: &group,
            },
            &|_| true,
        );
        assert!(p.several);
        let upns: Vec<(Source, usize, &str)> = p
            .rows
            .iter()
            .map(|r| (r.source, r.line, r.upn.as_str()))
            .collect();
        assert_eq!(
            upns,
            [
                (Source::Pasted, 1, "adele@contoso.com"),
                (Source::Csv, 2, "megan@contoso.com"),
                (Source::Group, 1, "alex@contoso.com"),
            ]
        );
        let texts: Vec<String> = p.duplicates.iter().map(|d| d.text(true)).collect();
        assert_eq!(
            texts,
            [
                "CSV line 3: Same user as pasted line 1; only pasted line 1 is used.",
                "CSV line 4: Same user as CSV line 2; only CSV line 2 is used.",
                "Group member 2: Same user as pasted line 1; only pasted line 1 is used.",
            ]
        );
    }

    #[test]
    fn problems_come_in_source_then_line_order() {
        let p = read_all(
            &Inputs {
                pasted: "nobody\nadele@contoso.com\nbroken",
                csv: Some("upn,lifetime\na@contoso.com,5\nb@contoso.com,x\n\"unclosed\n"),
                group: &[],
            },
            &|_| true,
        );
        let mut sorted = places(&p.problems);
        sorted.sort();
        assert_eq!(places(&p.problems), sorted);
        assert_eq!(
            places(&p.problems)[..4],
            [
                (Source::Pasted, 1),
                (Source::Pasted, 3),
                (Source::Csv, 2),
                (Source::Csv, 3)
            ]
        );
    }

    #[test]
    fn bad_lines_and_repeated_users_are_listed_together_in_line_order() {
        let p = read_all(
            &Inputs {
                csv: Some("upn\nadele@contoso.com\nADELE@contoso.com\nbroken\nalex@contoso.com\n"),
                ..Inputs::default()
            },
            &|_| true,
        );
        let later = RowProblem {
            source: Source::Csv,
            line: 2,
            reason: "x".into(),
        };
        let all = listed(p, vec![later]);
        assert_eq!(
            places(&all),
            [(Source::Csv, 2), (Source::Csv, 3), (Source::Csv, 4)]
        );
    }

    #[test]
    fn a_upn_and_the_same_users_object_id_keep_only_the_first_line() {
        let p = read_all(
            &Inputs {
                pasted: &format!(
                    "adele@contoso.com\nnobody@contoso.com\n{ADELE_ID}\nalex@contoso.com"
                ),
                ..Inputs::default()
            },
            &|_| true,
        );
        assert_eq!(p.rows.len(), 4, "not the same text: both are looked up");
        // What the lookups found: Adele twice (by UPN and by id), no one, Alex.
        let found = [
            Some(ADELE_ID.to_uppercase()),
            None,
            Some(ADELE_ID.to_owned()),
            Some("alex-id".into()),
        ];
        let entries: Vec<(Row, Option<String>)> = p.rows.into_iter().zip(found).collect();
        let (kept, same) = by_object_id(entries, |id| id.as_deref(), p.several);
        let kept_lines: Vec<usize> = kept.iter().map(|(r, _)| r.line).collect();
        assert_eq!(kept_lines, [1, 2, 4]);
        assert_eq!(
            same.iter().map(|s| s.text(false)).collect::<Vec<_>>(),
            ["Line 3: Same user as line 1; only line 1 is used."]
        );
    }
}
