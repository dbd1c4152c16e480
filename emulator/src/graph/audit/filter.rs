//! `$filter` on `/auditLogs/directoryAudits`: clauses joined with `and` (parentheses around a
//! clause are allowed), each one of
//!
//! - `loggedByService eq '…'`, `activityDisplayName eq '…'`, `category eq '…'`,
//!   `initiatedBy/user/id eq '…'` (strings compare case-insensitively, `''` escapes a quote);
//! - `targetResources/any(t: t/id eq '…')` (any range variable name);
//! - `activityDateTime ge <date-time>` / `le <date-time>`, an unquoted RFC 3339 literal.
//!
//! Everything else Graph may accept (`or`, `not`, `startswith`, `result`, `correlationId`,
//! other `initiatedBy`/`targetResources` paths, `activityDateTime eq`) is refused with 400
//! `Request_UnsupportedQuery` [choice], so the page can only rely on what is emulated.
//! Malformed literals are 400 `BadRequest`.

use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::clock;
use crate::graph::response::GraphError;

/// The string properties `eq` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prop {
    LoggedByService,
    ActivityDisplayName,
    Category,
    InitiatorUserId,
}

const PROPS: &[(&str, Prop)] = &[
    ("loggedByService", Prop::LoggedByService),
    ("activityDisplayName", Prop::ActivityDisplayName),
    ("category", Prop::Category),
    ("initiatedBy/user/id", Prop::InitiatorUserId),
];

/// One supported clause.
#[derive(Clone, Debug, PartialEq)]
enum Clause {
    Eq(Prop, String),
    TargetId(String),
    Since(OffsetDateTime),
    Until(OffsetDateTime),
}

/// A parsed filter: every clause must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter(Vec<Clause>);

fn unsupported(clause: &str) -> GraphError {
    GraphError::bad_request(
        "Request_UnsupportedQuery",
        format!(
            "Unsupported filter clause '{clause}'. Supported on directoryAudits, joined with 'and': \
             loggedByService eq '…', activityDisplayName eq '…', category eq '…', \
             initiatedBy/user/id eq '…', targetResources/any(t: t/id eq '…'), \
             activityDateTime ge|le <date-time>."
        ),
    )
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::bad_request(
        "BadRequest",
        format!("Invalid filter clause: {}", message.into()),
    )
}

/// Byte ranges of `s` split on the keyword `and` outside quotes and parentheses.
fn split_and(s: &str) -> Result<Vec<&str>, GraphError> {
    let (mut parts, mut start, mut depth, mut quoted) = (vec![], 0, 0i32, false);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b if !quoted && depth == 0 && b.is_ascii_whitespace() => {
                let word = s[i + 1..].get(..4).unwrap_or("");
                if word.len() == 4
                    && word[..3].eq_ignore_ascii_case("and")
                    && word.as_bytes()[3].is_ascii_whitespace()
                {
                    parts.push(&s[start..i]);
                    start = i + 4;
                    i += 4;
                    continue;
                }
            }
            _ => {}
        }
        if depth < 0 {
            return Err(invalid("unbalanced parentheses."));
        }
        i += 1;
    }
    if quoted {
        return Err(invalid("unterminated string literal."));
    }
    if depth != 0 {
        return Err(invalid("unbalanced parentheses."));
    }
    parts.push(&s[start..]);
    Ok(parts)
}

/// `clause` without parentheses that wrap all of it.
fn unwrap_parens(mut clause: &str) -> &str {
    loop {
        clause = clause.trim();
        let Some(inner) = clause.strip_prefix('(').and_then(|c| c.strip_suffix(')')) else {
            return clause;
        };
        // Only if the first `(` closes at the very end: `(a) and (b)` is not one group.
        let mut depth = 0;
        let mut quoted = false;
        let closes_early = inner.bytes().any(|b| {
            match b {
                b'\'' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => depth -= 1,
                _ => {}
            }
            depth < 0
        });
        if closes_early {
            return clause;
        }
        clause = inner;
    }
}

/// A leading `'…'` literal (`''` is a quote) and what follows it.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let mut rest = s.strip_prefix('\'')?;
    let mut out = String::new();
    loop {
        let end = rest.find('\'')?;
        out.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                out.push('\'');
                rest = after;
            }
            None => return Some((out, rest)),
        }
    }
}

/// `prop op value` → the three parts (value trimmed, possibly with trailing words).
fn triple(clause: &str) -> Option<(&str, &str, &str)> {
    let (prop, rest) = clause.split_once(char::is_whitespace)?;
    let (op, value) = rest.trim_start().split_once(char::is_whitespace)?;
    Some((prop, op, value.trim()))
}

/// `'…'` and nothing after it.
fn whole_string(clause: &str, value: &str) -> Result<String, GraphError> {
    match string_literal(value) {
        Some((v, rest)) if rest.trim().is_empty() => Ok(v),
        Some(_) => Err(unsupported(clause)),
        None => Err(invalid(format!(
            "'{value}' is not a string literal (write it in single quotes)."
        ))),
    }
}

fn parse_clause(raw: &str) -> Result<Clause, GraphError> {
    let clause = unwrap_parens(raw);
    let lower = clause.to_ascii_lowercase();
    if lower.starts_with("targetresources/any(") && clause.ends_with(')') {
        let inner = &clause["targetResources/any(".len()..clause.len() - 1];
        let (var, body) = inner.split_once(':').ok_or_else(|| unsupported(clause))?;
        let var = var.trim();
        let ok_var = !var.is_empty() && var.chars().all(|c| c.is_alphanumeric() || c == '_');
        return match triple(body.trim()) {
            Some((p, op, v))
                if ok_var
                    && p.eq_ignore_ascii_case(&format!("{var}/id"))
                    && op.eq_ignore_ascii_case("eq") =>
            {
                Ok(Clause::TargetId(whole_string(clause, v)?))
            }
            _ => Err(unsupported(clause)),
        };
    }
    let (prop, op, value) = triple(clause).ok_or_else(|| unsupported(clause))?;
    if prop.eq_ignore_ascii_case("activityDateTime") {
        let ge = op.eq_ignore_ascii_case("ge");
        if !ge && !op.eq_ignore_ascii_case("le") {
            return Err(unsupported(clause));
        }
        if value.starts_with('\'') {
            return Err(GraphError::bad_request(
                "BadRequest",
                format!(
                    "A binary operator with incompatible types was detected. Found operand types \
                     'Edm.DateTimeOffset' and 'Edm.String' for operator kind '{}'.",
                    if ge {
                        "GreaterThanOrEqual"
                    } else {
                        "LessThanOrEqual"
                    }
                ),
            ));
        }
        if value.contains(char::is_whitespace) {
            return Err(unsupported(clause));
        }
        let at = clock::parse_date_time(value)
            .ok_or_else(|| invalid(format!("'{value}' is not an RFC 3339 date-time.")))?;
        return Ok(if ge {
            Clause::Since(at)
        } else {
            Clause::Until(at)
        });
    }
    let Some(&(_, p)) = PROPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(prop)) else {
        return Err(unsupported(clause));
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(unsupported(clause));
    }
    Ok(Clause::Eq(p, whole_string(clause, value)?))
}

impl AuditFilter {
    /// Parses a `$filter` value; 400 for anything outside the supported subset.
    pub fn parse(s: &str) -> Result<AuditFilter, GraphError> {
        if s.trim().is_empty() {
            return Err(invalid("the filter is empty."));
        }
        split_and(s)?
            .into_iter()
            .map(parse_clause)
            .collect::<Result<_, _>>()
            .map(AuditFilter)
    }

    /// True if and only if the record satisfies every clause.
    pub fn matches(&self, r: &AuditRecord) -> bool {
        self.0.iter().all(|c| match c {
            Clause::Eq(p, v) => {
                let actual = match p {
                    Prop::LoggedByService => Some(r.logged_by_service.as_str()),
                    Prop::ActivityDisplayName => Some(r.activity_display_name.as_str()),
                    Prop::Category => Some(r.category.as_str()),
                    Prop::InitiatorUserId => r.initiated_by.user.as_ref().map(|u| u.id.as_str()),
                };
                actual.is_some_and(|a| a.eq_ignore_ascii_case(v))
            }
            Clause::TargetId(id) => r
                .target_resources
                .iter()
                .any(|t| t.id.eq_ignore_ascii_case(id)),
            Clause::Since(t) => r.activity_date_time >= *t,
            Clause::Until(t) => r.activity_date_time <= *t,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> String {
        AuditFilter::parse(s).expect_err(s).code
    }

    #[test]
    fn supported_clauses_parse() {
        let f = AuditFilter::parse(
            "loggedByService eq 'Authentication Methods' and (targetResources/any(x:x/id eq 'A')) \
             AND activityDateTime ge 2024-01-01T00:00:00Z and activityDisplayName eq 'It''s'",
        )
        .expect("parse");
        assert_eq!(f.0.len(), 4);
        assert_eq!(f.0[1], Clause::TargetId("A".into()));
        assert_eq!(f.0[3], Clause::Eq(Prop::ActivityDisplayName, "It's".into()));
        assert!(AuditFilter::parse("initiatedBy/user/id eq 'x' and category eq 'a and b'").is_ok());
    }

    #[test]
    fn everything_else_is_refused() {
        for s in [
            "result eq 'success'",
            "category eq 'a' or category eq 'b'",
            "startswith(activityDisplayName,'Admin')",
            "activityDateTime gt 2024-01-01T00:00:00Z",
            "category ne 'x'",
            "targetResources/any(t: t/displayName eq 'x')",
        ] {
            assert_eq!(code(s), "Request_UnsupportedQuery", "{s}");
        }
        for s in [
            "category eq 'x",
            "category eq x",
            "activityDateTime ge yesterday",
            "activityDateTime ge '2024-01-01T00:00:00Z'",
            "(category eq 'x'",
        ] {
            assert_eq!(code(s), "BadRequest", "{s}");
        }
    }
}
