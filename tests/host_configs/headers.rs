//! Comparing header sets: the `add_header` lines of an nginx config, a CSP with its
//! `connect-src` hosts set aside, and Static Web Apps' route matching.

use std::collections::BTreeMap;

use super::http::Response;

/// Static Web Apps route matching: an exact path (`/index.html` also matches `/`), or a
/// final wildcard with an optional extension filter (`/*.{js,wasm}`).
pub fn swa_route_matches(route: &str, url: &str) -> bool {
    let url = if url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    };
    let Some((base, filter)) = route.split_once('*') else {
        return route == url;
    };
    if !url.starts_with(base) {
        return false;
    }
    match filter.strip_prefix(".{").and_then(|f| f.strip_suffix('}')) {
        Some(exts) => exts.split(',').any(|e| url.ends_with(&format!(".{e}"))),
        None => filter.is_empty() || url.ends_with(filter.trim_start_matches('.')),
    }
}

/// Fails unless the policy headers of `resp` are exactly the names in `nginx`, with equal
/// values (the CSP's `connect-src` hosts aside; `Cache-Control` comes from nginx's map).
pub fn assert_same_policy_headers(what: &str, resp: &Response, nginx: &BTreeMap<String, String>) {
    const POLICY: [&str; 4] = [
        "x-",
        "cross-origin-",
        "permissions-policy",
        "strict-transport",
    ];
    let sent: BTreeMap<&str, &str> = resp
        .headers
        .iter()
        .filter(|(n, _)| {
            POLICY.iter().any(|p| n.starts_with(p))
                || n.ends_with("-policy")
                || n == "cache-control"
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let names: Vec<&str> = sent.keys().copied().collect();
    let wanted: Vec<&str> = nginx.keys().map(String::as_str).collect();
    assert_eq!(
        names, wanted,
        "{what}: header names differ from deploy/nginx.conf"
    );
    for (name, value) in &sent {
        let expected = &nginx[*name];
        if *name == "content-security-policy" {
            assert_eq!(
                csp_without_hosts(value),
                csp_without_hosts(expected),
                "{what}: CSP"
            );
        } else if !expected.starts_with('$') {
            assert_eq!(value, expected, "{what}: {name}");
        }
    }
}

/// `add_header NAME "VALUE" always;` lines of an nginx config, names lower-cased.
pub fn nginx_add_headers(conf: &str) -> BTreeMap<String, String> {
    conf.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("add_header "))
        .map(|rest| {
            let (name, value) = rest.split_once(' ').expect("add_header NAME VALUE");
            let value = value
                .trim_end_matches(';')
                .trim_end()
                .trim_end_matches(" always");
            (
                name.to_ascii_lowercase(),
                value.trim_matches('"').to_string(),
            )
        })
        .collect()
}

/// The CSP with `connect-src 'self' A B` turned into `connect-src 'self' <host> <host>`.
pub fn csp_without_hosts(csp: &str) -> String {
    csp.split(';')
        .map(str::trim)
        .map(|d| match d.strip_prefix("connect-src ") {
            Some(sources) => {
                let sources: Vec<&str> = sources.split_whitespace().collect();
                assert_eq!(
                    sources.len(),
                    3,
                    "connect-src is 'self' plus two hosts: {d}"
                );
                assert_eq!(sources[0], "'self'");
                "connect-src 'self' <host> <host>".to_string()
            }
            None => d.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn csp_with_hosts(csp: &str, login: &str, graph: &str) -> String {
    csp.replace("https://login.microsoftonline.com", login)
        .replace("https://graph.microsoft.com", graph)
}
