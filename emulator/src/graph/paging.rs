//! Paging shared by every Graph collection: `$top` (1..999, the audit log 1..1000; default
//! 100), the opaque `$skiptoken` and the `@odata.nextLink` that carries the request's other
//! options along.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::response::{Ctx, GraphError};

/// What every emulator skiptoken starts with (Graph's look like this too).
const TOKEN_PREFIX: &str = "RFNwdAoAAQAAAA";

/// `$top` (1..999), or 100.
pub fn top(ctx: &Ctx<'_>) -> Result<usize, GraphError> {
    top_up_to(ctx, 999)
}

/// `$top` (1..=`max`), or 100.
pub fn top_up_to(ctx: &Ctx<'_>, max: usize) -> Result<usize, GraphError> {
    match ctx.param("$top") {
        None => Ok(100),
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(GraphError::bad_request(
                "Request_BadRequest",
                format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and {max} inclusive."
                ),
            )),
        },
    }
}

/// The offset a `$skiptoken` stands for (0 without one).
pub fn skip(ctx: &Ctx<'_>) -> Result<usize, GraphError> {
    match ctx.param("$skiptoken") {
        None => Ok(0),
        Some(tok) => decode(tok).ok_or_else(|| {
            GraphError::bad_request(
                "Directory_ExpiredPageToken",
                "The specified page token value has expired and can no longer be included in your request.",
            )
        }),
    }
}

fn decode(tok: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD
        .decode(tok.strip_prefix(TOKEN_PREFIX)?)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("emu-page:")?
        .parse()
        .ok()
}

/// `{base}{path}?{the request's options}&$skiptoken=..` for the page starting at `offset`.
/// `path` is the resource after the version, e.g. `/users` or `/groups/{id}/members`.
pub fn next_link(ctx: &Ctx<'_>, path: &str, offset: usize) -> String {
    // Graph writes OData option names with a literal `$`; values are percent-encoded.
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let key = |k: &str| match k.strip_prefix('$') {
        Some(rest) => format!("${}", enc(rest)),
        None => enc(k),
    };
    let token = URL_SAFE_NO_PAD.encode(format!("emu-page:{offset}"));
    let mut parts: Vec<String> = ctx
        .query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
        .map(|(k, v)| format!("{}={}", key(k), enc(v)))
        .collect();
    parts.push(format!("$skiptoken={TOKEN_PREFIX}{token}"));
    format!("{}{path}?{}", ctx.base(), parts.join("&"))
}

/// `(page, next offset if more)` of `items` from `skip`, `top` long.
pub fn page<T: Clone>(items: &[T], skip: usize, top: usize) -> (Vec<T>, Option<usize>) {
    let page = items.iter().skip(skip).take(top).cloned().collect();
    let more = (skip + top < items.len()).then_some(skip + top);
    (page, more)
}

/// Refuses a `$` query option not in `known` (400 `BadRequest`, as Graph does for options an
/// endpoint does not support).
pub fn check_options(ctx: &Ctx<'_>, known: &[&str]) -> Result<(), GraphError> {
    match ctx
        .query
        .iter()
        .find(|(k, _)| k.starts_with('$') && !known.iter().any(|o| o.eq_ignore_ascii_case(k)))
    {
        Some((k, _)) => Err(GraphError::bad_request(
            "BadRequest",
            format!("Query option '{k}' is not supported."),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_split_and_tokens_round_trip() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(super::page(&items, 0, 4), (vec![0, 1, 2, 3], Some(4)));
        assert_eq!(super::page(&items, 8, 4), (vec![8, 9], None));
        let token = format!(
            "{}{}",
            super::TOKEN_PREFIX,
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                "emu-page:42"
            )
        );
        assert_eq!(super::decode(&token), Some(42));
        assert_eq!(super::decode("garbage"), None);
    }
}
