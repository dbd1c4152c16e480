//! The user query language subset: `$search` clauses and `$filter` expressions, parsed into
//! small trees and evaluated against users.
//!
//! `$search` matching [choice]: a property value is split into tokens on whitespace and on
//! `. @ _ - , ( ) / '`; a search term is split the same way, and each term token must be a
//! case-insensitive prefix of some value token ("wa" matches "Walter" and "wal.ter@x", not
//! "Edwards"). That is Graph's word-prefix behaviour on directory objects.

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

fn canonical(props: &'static [&'static str], name: &str) -> Option<&'static str> {
    props.iter().copied().find(|p| p.eq_ignore_ascii_case(name))
}

fn user_text(u: &User, prop: &str) -> Option<String> {
    match prop {
        "displayName" => Some(u.display_name.clone()),
        "userPrincipalName" => Some(u.user_principal_name.clone()),
        "mail" => u.mail.clone(),
        "givenName" => u.given_name.clone(),
        "surname" => u.surname.clone(),
        "id" => Some(u.id.clone()),
        "userType" => Some(u.user_type.clone()),
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
    /// Parses `"displayName:wa" OR "userPrincipalName:wa"` (AND binds tighter than OR).
    pub fn parse(input: &str) -> Result<Search, QueryError> {
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
                let prop = canonical(SEARCH_PROPS, prop.trim()).ok_or_else(|| {
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
        self.0.iter().any(|group| {
            group.iter().all(|c| {
                let value_tokens = user_text(u, c.prop).map(|v| tokens(&v)).unwrap_or_default();
                tokens(&c.term)
                    .iter()
                    .all(|t| value_tokens.iter().any(|v| v.starts_with(t.as_str())))
            })
        })
    }
}

/// Properties `startswith` accepts.
const STARTSWITH_PROPS: &[&str] = &[
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
];
/// Properties `eq` accepts.
const EQ_PROPS: &[&str] = &[
    "id",
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "surname",
    "userType",
    "accountEnabled",
];

/// A `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// All must hold.
    And(Vec<Filter>),
    /// Any must hold.
    Or(Vec<Filter>),
    /// `startswith(prop,'v')`, case-insensitive.
    StartsWith(&'static str, String),
    /// `prop eq 'v'` (case-insensitive) or `accountEnabled eq true`.
    Eq(&'static str, String),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn lex(s: &str) -> Result<Vec<Tok>, QueryError> {
    let mut out = vec![];
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match cs.get(i) {
                        None => {
                            return Err(QueryError(
                                "Invalid filter clause: unterminated string literal.".into(),
                            ))
                        }
                        Some('\'') if cs.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            v.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            c if c.is_alphanumeric() || c == '_' || c == '/' || c == '.' => {
                let start = i;
                while i < cs.len()
                    && (cs[i].is_alphanumeric() || matches!(cs[i], '_' | '/' | '.' | '-'))
                {
                    i += 1;
                }
                out.push(Tok::Ident(cs[start..i].iter().collect()));
            }
            other => {
                return Err(QueryError(format!(
                    "Invalid filter clause: unexpected character '{other}'."
                )))
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect(&mut self, t: Tok) -> Result<(), QueryError> {
        if self.next() == Some(t.clone()) {
            Ok(())
        } else {
            Err(QueryError(format!(
                "Invalid filter clause: expected {t:?}."
            )))
        }
    }
    fn or(&mut self) -> Result<Filter, QueryError> {
        let mut v = vec![self.and()?];
        while self.peek_kw("or") {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Filter::Or(v)
        })
    }
    fn and(&mut self) -> Result<Filter, QueryError> {
        let mut v = vec![self.clause()?];
        while self.peek_kw("and") {
            self.pos += 1;
            v.push(self.clause()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Filter::And(v)
        })
    }
    fn clause(&mut self) -> Result<Filter, QueryError> {
        match self.next() {
            Some(Tok::Open) => {
                let f = self.or()?;
                self.expect(Tok::Close)?;
                Ok(f)
            }
            Some(Tok::Ident(f)) if f.eq_ignore_ascii_case("startswith") => {
                self.expect(Tok::Open)?;
                let Some(Tok::Ident(p)) = self.next() else {
                    return Err(QueryError(
                        "Invalid filter clause: startswith needs a property.".into(),
                    ));
                };
                let prop = canonical(STARTSWITH_PROPS, &p).ok_or_else(unsupported)?;
                self.expect(Tok::Comma)?;
                let Some(Tok::Str(v)) = self.next() else {
                    return Err(QueryError(
                        "Invalid filter clause: startswith needs a string.".into(),
                    ));
                };
                self.expect(Tok::Close)?;
                Ok(Filter::StartsWith(prop, v))
            }
            Some(Tok::Ident(p)) => {
                let prop = canonical(EQ_PROPS, &p).ok_or_else(unsupported)?;
                if !self.peek_kw("eq") {
                    return Err(unsupported());
                }
                self.pos += 1;
                match self.next() {
                    Some(Tok::Str(v)) if prop != "accountEnabled" => Ok(Filter::Eq(prop, v)),
                    Some(Tok::Ident(b))
                        if prop == "accountEnabled" && (b == "true" || b == "false") =>
                    {
                        Ok(Filter::Eq(prop, b))
                    }
                    _ => Err(QueryError(
                        "Invalid filter clause: bad operand for eq.".into(),
                    )),
                }
            }
            _ => Err(QueryError("Invalid filter clause".into())),
        }
    }
}

fn unsupported() -> QueryError {
    QueryError("Unsupported Query.".into())
}

impl Filter {
    /// Parses the supported subset; anything else is `Unsupported Query.` or a syntax error.
    pub fn parse(s: &str) -> Result<Filter, QueryError> {
        let mut p = Parser {
            toks: lex(s)?,
            pos: 0,
        };
        let f = p.or()?;
        if p.pos != p.toks.len() {
            return Err(QueryError(
                "Invalid filter clause: unexpected trailing input.".into(),
            ));
        }
        Ok(f)
    }

    /// True if and only if the user matches.
    pub fn matches(&self, u: &User) -> bool {
        match self {
            Filter::And(v) => v.iter().all(|f| f.matches(u)),
            Filter::Or(v) => v.iter().any(|f| f.matches(u)),
            Filter::StartsWith(p, v) => {
                user_text(u, p).is_some_and(|t| t.to_lowercase().starts_with(&v.to_lowercase()))
            }
            Filter::Eq(p, v) if *p == "accountEnabled" => u.account_enabled.to_string() == *v,
            Filter::Eq(p, v) => {
                user_text(u, p).is_some_and(|t| t.to_lowercase() == v.to_lowercase())
            }
        }
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
        assert_eq!(Filter::parse("endswith(mail,'x')"), Err(unsupported()));
        assert!(Filter::parse("displayName eq 'O''Brien'").is_ok());
        assert!(Filter::parse("startswith(displayName,'a'").is_err());
    }
}
