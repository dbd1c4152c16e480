//! The query language subset: `$search` clauses and `$filter` expressions (in [`filter`]),
//! parsed into small trees and evaluated against users or groups.
//!
//! `$search` matching [choice]: a property value is split into tokens on whitespace and on
//! `. @ _ - , ( ) / '`; a search term is split the same way, and each term token must be a
//! case-insensitive prefix of some value token ("wa" matches "Walter" and "wal.ter@x", not
//! "Edwards"). That is Graph's word-prefix behaviour on directory objects.

mod filter;

pub use filter::Filter;

use crate::model::User;

/// Properties `$search` accepts.
pub const SEARCH_PROPS: &[&str] = &[
    "displayName",
    "userPrincipalName",
    "mail",
    "givenName",
    "surname",
];

/// A parse failure, with Graph's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// One `"prop:term"` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchClause {
    /// Canonical property name.
    pub prop: &'static str,
    /// The term.
    pub term: String,
}

/// A `$search` expression: OR of AND-groups.
#[derive(Clone, Debug, PartialEq)]
pub struct Search(pub Vec<Vec<SearchClause>>);

pub(super) fn canonical(props: &'static [&'static str], name: &str) -> Option<&'static str> {
    props.iter().copied().find(|p| p.eq_ignore_ascii_case(name))
}

/// A user property as text (what `$search` and `$filter` compare).
pub fn user_text(u: &User, prop: &str) -> Option<String> {
    match prop {
        "displayName" => Some(u.display_name.clone()),
        "userPrincipalName" => Some(u.user_principal_name.clone()),
        "mail" => u.mail.clone(),
        "givenName" => u.given_name.clone(),
        "surname" => u.surname.clone(),
        "id" => Some(u.id.clone()),
        "userType" => Some(u.user_type.clone()),
        "accountEnabled" => Some(u.account_enabled.to_string()),
        _ => None,
    }
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || ".@_-,()/'".contains(c))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Search {
    /// Parses `"displayName:wa" OR "userPrincipalName:wa"` (AND binds tighter than OR) for
    /// users.
    pub fn parse(input: &str) -> Result<Search, QueryError> {
        Search::parse_for(input, SEARCH_PROPS)
    }

    /// Parses a `$search` whose clauses may name any of `props`.
    pub fn parse_for(input: &str, props: &'static [&'static str]) -> Result<Search, QueryError> {
        let mut groups: Vec<Vec<SearchClause>> = vec![vec![]];
        let mut expect_clause = true;
        let mut rest = input.trim();
        while !rest.is_empty() {
            if expect_clause {
                let Some(after) = rest.strip_prefix('"') else {
                    return Err(QueryError(format!(
                        "Syntax error: character '{}' is not valid at position {} in '{input}'.",
                        rest.chars().next().unwrap_or(' '),
                        input.len() - rest.len()
                    )));
                };
                let Some(end) = after.find('"') else {
                    return Err(QueryError(format!(
                        "Syntax error: unterminated string in '{input}'."
                    )));
                };
                let clause = &after[..end];
                let Some((prop, term)) = clause.split_once(':') else {
                    return Err(QueryError(format!(
                        "Invalid $search clause '{clause}': expected \"property:term\"."
                    )));
                };
                let prop = canonical(props, prop.trim()).ok_or_else(|| {
                    QueryError(format!(
                        "Unsupported property '{}' in $search.",
                        prop.trim()
                    ))
                })?;
                if tokens(term).is_empty() {
                    return Err(QueryError(format!("Empty search term in '{clause}'.")));
                }
                if let Some(g) = groups.last_mut() {
                    g.push(SearchClause {
                        prop,
                        term: term.to_string(),
                    });
                }
                rest = after[end + 1..].trim_start();
                expect_clause = false;
            } else {
                let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                match word {
                    "OR" => groups.push(vec![]),
                    "AND" => {}
                    _ => return Err(QueryError(format!("Syntax error: '{word}' is not valid in '{input}'; join clauses with OR or AND."))),
                }
                rest = tail.trim_start();
                expect_clause = true;
            }
        }
        if expect_clause {
            return Err(QueryError(format!(
                "Syntax error: incomplete $search '{input}'."
            )));
        }
        Ok(Search(groups))
    }

    /// True if and only if the user matches.
    pub fn matches(&self, u: &User) -> bool {
        self.matches_by(|p| user_text(u, p))
    }

    /// True if and only if an object whose property texts `text` gives matches.
    pub fn matches_by(&self, text: impl Fn(&str) -> Option<String>) -> bool {
        self.0.iter().any(|group| {
            group.iter().all(|c| {
                let value_tokens = text(c.prop).map(|v| tokens(&v)).unwrap_or_default();
                tokens(&c.term)
                    .iter()
                    .all(|t| value_tokens.iter().any(|v| v.starts_with(t.as_str())))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn names(f: impl Fn(&User) -> bool) -> Vec<String> {
        seed::demo_tenant(true)
            .users
            .iter()
            .filter(|u| f(u))
            .map(|u| u.display_name.clone())
            .collect()
    }

    #[test]
    fn search_is_word_prefix_not_substring() {
        let s = Search::parse("\"displayName:van\"").expect("parse");
        assert_eq!(names(|u| s.matches(u)), vec!["Adele Vance"]);
        let s = Search::parse("\"displayName:ance\"").expect("parse");
        assert!(names(|u| s.matches(u)).is_empty());
        let s =
            Search::parse("\"displayName:zoë\" OR \"userPrincipalName:pradeep\"").expect("parse");
        assert_eq!(names(|u| s.matches(u)), vec!["Pradeep Gupta", "Zoë Müller"]);
        let s = Search::parse("\"givenName:a\" AND \"surname:v\"").expect("parse");
        assert_eq!(names(|u| s.matches(u)), vec!["Adele Vance"]);
    }

    #[test]
    fn search_syntax_errors() {
        assert!(Search::parse("displayName:wa").is_err());
        assert!(Search::parse("\"jobTitle:x\"").is_err());
        assert!(Search::parse("\"displayName:a\" OR").is_err());
        assert!(Search::parse("\"displayName:a\" XOR \"mail:b\"").is_err());
    }

    #[test]
    fn filters() {
        let f = Filter::parse("startswith(userPrincipalName,'ADELE')").expect("parse");
        assert_eq!(names(|u| f.matches(u)), vec!["Adele Vance"]);
        let f = Filter::parse("mail eq 'jordan.miller@fabrikam.com' or userPrincipalName eq 'lee.gu@contoso.onmicrosoft.com'").expect("parse");
        assert_eq!(names(|u| f.matches(u)).len(), 2);
        let f = Filter::parse("accountEnabled eq false").expect("parse");
        assert_eq!(names(|u| f.matches(u)), vec!["Lee Gu"]);
        assert_eq!(
            Filter::parse("endswith(mail,'x')"),
            Err(QueryError("Unsupported Query.".into()))
        );
        assert!(Filter::parse("displayName eq 'O''Brien'").is_ok());
        assert!(Filter::parse("startswith(displayName,'a'").is_err());
    }
}
