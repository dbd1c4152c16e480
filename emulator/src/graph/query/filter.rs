//! `$filter` expressions: `startswith(prop,'v')`, `prop eq 'v'`, `and`, `or`, parentheses;
//! parsed into a small tree and evaluated against users or groups.

use super::{canonical, user_text, QueryError};
use crate::model::User;

/// Properties `startswith` accepts on users.
pub const STARTSWITH_PROPS: &[&str] = &[
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
];
/// Properties `eq` accepts on users.
pub const EQ_PROPS: &[&str] = &[
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
    startswith: &'static [&'static str],
    eq: &'static [&'static str],
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
                let prop = canonical(self.startswith, &p).ok_or_else(unsupported)?;
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
                let prop = canonical(self.eq, &p).ok_or_else(unsupported)?;
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
    /// Parses the supported subset for users; anything else is `Unsupported Query.` or a
    /// syntax error.
    pub fn parse(s: &str) -> Result<Filter, QueryError> {
        Filter::parse_for(s, STARTSWITH_PROPS, EQ_PROPS)
    }

    /// Parses with the given properties allowed in `startswith` and `eq`.
    pub fn parse_for(
        s: &str,
        startswith: &'static [&'static str],
        eq: &'static [&'static str],
    ) -> Result<Filter, QueryError> {
        let mut p = Parser {
            toks: lex(s)?,
            pos: 0,
            startswith,
            eq,
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
        self.matches_by(&|p| user_text(u, p))
    }

    /// True if and only if an object whose property texts `text` gives matches
    /// (case-insensitive; booleans compare as `true`/`false`).
    pub fn matches_by(&self, text: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Filter::And(v) => v.iter().all(|f| f.matches_by(text)),
            Filter::Or(v) => v.iter().any(|f| f.matches_by(text)),
            Filter::StartsWith(p, v) => {
                text(p).is_some_and(|t| t.to_lowercase().starts_with(&v.to_lowercase()))
            }
            Filter::Eq(p, v) => text(p).is_some_and(|t| t.to_lowercase() == v.to_lowercase()),
        }
    }
}
