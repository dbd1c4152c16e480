//! Test hygiene: no test quietly switched off, and every test the docs name exists.
//!
//! - Only the benchmarks (`tests/e2e/bench.rs`, `tests/e2e/bench/`) may carry `#[ignore]`.
//! - Every test name in the test column of `docs/failures.md`, `docs/security-tests.md` and
//!   `docs/emulator-contract.md` resolves to a `fn` (see [`resolves`] for the accepted forms).
//! - The in-browser wasm suite must run at least one test ([`wasm_tests_run`]).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::source;

/// Docs whose last table column names tests (the contract's rows end with their test too).
pub const DOCS_NAMING_TESTS: &[&str] = &[
    "docs/failures.md",
    "docs/security-tests.md",
    "docs/emulator-contract.md",
];

/// Runs the `#[ignore]` and the doc-name checks over the workspace at `root`.
pub fn check(root: &Path) -> Result<()> {
    let mut problems = ignored_tests(root)?;
    for doc in DOCS_NAMING_TESTS {
        let text = std::fs::read_to_string(root.join(doc))?;
        for name in test_names(&text) {
            if !resolves(root, &name) {
                problems.push(format!("{doc} names `{name}`, which is not a test here"));
            }
        }
    }
    if !problems.is_empty() {
        bail!("test hygiene:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// `#[ignore]` attributes outside the benchmarks, as `file:line`.
fn ignored_tests(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for file in source::rust_files(root, &["src", "emulator", "xtask", "tests"])? {
        if file.rel == "tests/e2e/bench.rs" || file.rel.starts_with("tests/e2e/bench/") {
            continue;
        }
        for (n, line) in file.code().lines().enumerate() {
            if line.trim_start().starts_with("#[ignore") {
                found.push(format!(
                    "{}:{} ignores a test; only the benchmarks (tests/e2e/bench*) may",
                    file.rel,
                    n + 1
                ));
            }
        }
    }
    Ok(found)
}

/// The backticked test names in the last column of each table row of `doc`: spans like
/// `a::b_c`, `a::tests::*`, `a::b_…` or a bare `snake_case_name` (at least one `_` or `::`);
/// inside parentheses a bare `snake_case` word is a remark (a field name), not a test.
pub fn test_names(doc: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in doc.lines().filter(|l| l.trim_start().starts_with('|')) {
        let Some(cell) = line.trim().trim_end_matches('|').rsplit('|').next() else {
            continue;
        };
        // Parentheses hold remarks; a bare word there (`code_challenge_methods_supported`)
        // is a field, not a test, so only paths (`a::b`, `a::*`) and `…` names count there.
        let mut depth = 0i32;
        for (k, span) in cell.split('`').enumerate() {
            if k % 2 == 0 {
                depth += span.matches('(').count() as i32 - span.matches(')').count() as i32;
            } else if looks_like_test_name(span)
                && (depth <= 0 || span.contains("::") || span.ends_with('…'))
            {
                names.push(span.to_string());
            }
        }
    }
    names
}

fn looks_like_test_name(span: &str) -> bool {
    let body = span.strip_suffix('…').unwrap_or(span);
    let segments: Vec<&str> = body.split("::").collect();
    let ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(n, s)| {
        ident(s)
            || (n == last && *s == "*" && last > 0)
            || (n == last && s.is_empty() && span.ends_with('…'))
    }) && (span.contains("::") || span.contains('_'))
}

/// True if `name` is a test (or, for `…::*`, a module) of this workspace. Accepted forms:
/// - a module path ending in a `fn` name: `auth::attempt::tests::x` (page unit test, from
///   `src/`), `holders::tests::x`, the same from `emulator/src/` and `xtask/src/`;
/// - prefixed with a test crate: `e2e::x` / `e2e::failures::x` (tests/e2e), `host_configs::x`,
///   `bundle::x`, `browser::x` (tests/*.rs), `it::graph_tap::x` (the emulator's one
///   integration-test binary, emulator/tests/it); E2E and emulator names may also leave out
///   `e2e::` / `it::` (`failures::x`, `sign_in_providers::x`);
/// - a bare name `x`: a test at the root of any test crate (tests/e2e/main.rs, tests/*.rs,
///   emulator/tests/it/main.rs);
/// - a name ending in `…`: a `fn` starting with what comes before it;
/// - a path ending in `::*`: that module exists (a file, or an inline `mod`).
///
/// Each `module` segment must be a file (`m.rs` or `m/mod.rs`) or an inline `mod m` of the
/// file reached so far.
pub fn resolves(root: &Path, name: &str) -> bool {
    let segments: Vec<&str> = name.split("::").collect();
    // Unit tests: the path starts at a crate root (page, emulator, xtask); E2E from its main.
    let mut roots: Vec<(Vec<&str>, PathBuf, PathBuf)> = [
        ("src/lib.rs", "src"),
        ("emulator/src/lib.rs", "emulator/src"),
        ("xtask/src/main.rs", "xtask/src"),
        ("tests/e2e/main.rs", "tests/e2e"),
        ("emulator/tests/it/main.rs", "emulator/tests/it"),
    ]
    .into_iter()
    .map(|(file, dir)| (segments.clone(), root.join(file), root.join(dir)))
    .collect();
    let first = segments[0];
    let rest = segments[1..].to_vec();
    if first == "e2e" {
        roots.push((
            rest.clone(),
            root.join("tests/e2e/main.rs"),
            root.join("tests/e2e"),
        ));
    }
    if first == "it" {
        roots.push((
            rest.clone(),
            root.join("emulator/tests/it/main.rs"),
            root.join("emulator/tests/it"),
        ));
    }
    for dir in ["tests", "emulator/tests"] {
        let file = root.join(dir).join(format!("{first}.rs"));
        if first != "e2e" && file.is_file() && !rest.is_empty() {
            roots.push((rest.clone(), file, root.join(dir).join(first)));
        }
        // Bare names: the root of every test crate in `dir`.
        if segments.len() == 1 {
            for entry in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let sub = path.with_extension("");
                    roots.push((segments.clone(), path, sub));
                }
            }
        }
    }
    roots
        .into_iter()
        .any(|(segs, file, dir)| resolves_in(&segs, file, dir))
}

/// Resolves `segments` (modules, then a `fn` name, `name…` or `*`) from `file`, whose child
/// modules live in `dir`.
fn resolves_in(segments: &[&str], mut file: PathBuf, mut dir: PathBuf) -> bool {
    let Some((last, modules)) = segments.split_last() else {
        return false;
    };
    let Ok(mut code) =
        std::fs::read_to_string(&file).map(|t| source::strip_comments_and_literals(&t))
    else {
        return false;
    };
    for module in modules {
        let as_file = dir.join(format!("{module}.rs"));
        let as_mod = dir.join(module).join("mod.rs");
        if let Some(found) = [as_file, as_mod].into_iter().find(|p| p.is_file()) {
            file = found;
            dir = dir.join(module);
            match std::fs::read_to_string(&file) {
                Ok(t) => code = source::strip_comments_and_literals(&t),
                Err(_) => return false,
            }
        } else if !has_item(&code, "mod", module, false) {
            return false;
        }
    }
    match *last {
        "*" => true,
        _ => match last.strip_suffix('…') {
            Some(prefix) => has_item(&code, "fn", prefix, true),
            None => has_item(&code, "fn", last, false),
        },
    }
}

/// True if `code` declares `keyword name` (`fn x`, `mod tests`); with `prefix`, any name
/// starting with `name`.
fn has_item(code: &str, keyword: &str, name: &str, prefix: bool) -> bool {
    let needle = format!("{keyword} {name}");
    code.match_indices(&needle).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + needle.len()..].chars().next();
        let starts_word = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let ends_word = prefix || !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        starts_word && ends_word
    })
}

/// How many tests wasm-bindgen-test-runner ran, from its output: the sum of the `N passed`
/// of every `test result:` line; `None` when there is no such line.
pub fn wasm_tests_run(output: &str) -> Option<usize> {
    let mut total = None;
    for line in output.lines() {
        let Some(result) = line.trim().strip_prefix("test result:") else {
            continue;
        };
        let words: Vec<&str> = result
            .split(|c: char| c == ';' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        let passed = words
            .windows(2)
            .find(|w| w[1] == "passed")
            .and_then(|w| w[0].parse::<usize>().ok());
        total = Some(total.unwrap_or(0) + passed.unwrap_or(0));
    }
    total
}

/// Fails unless `output` shows at least one wasm test run.
pub fn require_wasm_tests(output: &str) -> Result<()> {
    match wasm_tests_run(output) {
        Some(n) if n > 0 => Ok(()),
        Some(_) => bail!("the in-browser wasm suite ran no test (`test result:` shows 0 passed)"),
        None => {
            bail!("the in-browser wasm suite printed no `test result:` line: did it find any test?")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives inside the workspace")
    }

    /// The workspace itself: nothing ignored but the benchmarks, every named test exists.
    #[test]
    fn no_test_is_ignored_and_the_docs_name_real_tests() {
        if let Err(err) = check(root()) {
            panic!("{err:#}");
        }
    }

    #[test]
    fn every_accepted_name_form_resolves_and_a_renamed_test_does_not() {
        for name in [
            "auth::attempt::tests::rfc7636_appendix_b_vector",
            "auth::metadata::tests::*",
            "e2e::failures::an_expired_access_token_is_renewed_once_quietly",
            "failures::an_expired_access_token_is_renewed_once_quietly",
            "e2e::tampered_state_…",
            "an_account_without_an_admin_role_is_told_what_it_lacks",
            "host_configs::*",
            "caddy_…",
            "bundle::the_page_never_logs",
            "browser::a_restored_page_forgets_a_half_done_sign_in",
            "sign_in_providers::a_generic_provider_…",
            "it::documented::check_member_groups_needs_a_group_permission_unless_switched",
        ] {
            assert!(resolves(root(), name), "{name} should resolve");
        }
        for name in [
            "auth::attempt::tests::rfc7636_appendix_b_vector_renamed",
            "auth::nothing::tests::*",
            "e2e::failures::no_such_test",
            "e2e::nothing_starts_like_this_…",
            "bundle::the_page_never_logs_again",
            "browser::no_such_test",
            "sign_in_providers::no_such_test",
            "it::documented::no_such_test",
            "no_such_bare_test",
        ] {
            assert!(!resolves(root(), name), "{name} should not resolve");
        }
    }

    #[test]
    fn names_come_from_the_test_column_only() {
        let doc = "| 1 | `login_hint` kept | `a::b_c`, `host_configs::*` / `caddy_…` (`frame-ancestors 'none'`, `pageshow`, `read_text`, `tapdesk.noprompt`, `e2e::x::*`) `bare_name` |\n\
                   | failure | x | same test |\nnot a table `x::y`\n";
        assert_eq!(
            test_names(doc),
            [
                "a::b_c",
                "host_configs::*",
                "caddy_…",
                "e2e::x::*",
                "bare_name"
            ]
        );
    }

    #[test]
    fn the_wasm_test_count_is_read_from_the_runner() {
        let ran = "running 4 tests\ntest a ... ok\n\ntest result: ok. 4 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.21s\n";
        assert_eq!(wasm_tests_run(ran), Some(4));
        assert!(require_wasm_tests(ran).is_ok());
        let none = "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored\n";
        assert_eq!(wasm_tests_run(none), Some(0));
        assert!(require_wasm_tests(none).is_err());
        assert!(require_wasm_tests("no tests to run!\n").is_err());
    }
}
