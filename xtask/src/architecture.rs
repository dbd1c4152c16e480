//! The architecture test: plain text checks over every Rust file (like rust-analyzer's tidy)
//! that keep the page's layers (`config → auth → graph → domain → ui`) and its seams honest.
//!
//! Rules, each violation one line:
//! - `doc`: every `.rs` file of the page, the emulator, xtask and the tests opens with `//!`.
//! - `ui`: `crate::ui` is used only under `src/ui*` (and by the crate root).
//! - `layer`: no `crate::X` from a lower layer to a higher one ([`PAGE_LAYERS`]); `config` and
//!   `storage` sit at the bottom, so they import nothing above them. The same in the emulator
//!   ([`EMULATOR_LAYERS`]: data, seed, state, HTTP surfaces, `load` on top).
//! - `graph-request`: only `src/graph*` (and `src/auth*`, for the authority) build HTTP requests.
//! - `web-storage`: only `src/storage.rs` touches Web Storage.
//! - `cycle`: no import cycle between the top-level modules of the page (`src/*`) or of the
//!   emulator (`emulator/src/*`), nor between the files of one folder (`src/ui/*`, …).
//!
//! Imports are read from the code without comments, literals and `#[cfg(test)]` items: test
//! code may reach anywhere. Today's violations are listed once in [`KNOWN_VIOLATIONS`]; the
//! check fails on any violation not listed and on any listed one that no longer happens, so
//! the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Result};

use crate::source::{self, SourceFile};

/// Known violations: empty since issue 13's refactor. Nothing may be added here: fix the import
/// instead.
pub const KNOWN_VIOLATIONS: &[&str] = &[];

/// The page's layers, bottom first: a module may use its own layer and those below it.
/// A new top-level module must be placed here before it can import anything.
pub const PAGE_LAYERS: &[(&str, u8)] = &[
    ("config", 0),
    ("storage", 0),
    ("secret", 0),
    ("cloud", 0),
    ("permission", 0),
    ("auth", 1),
    ("graph", 2),
    ("tap", 3),
    ("bulk", 3),
    ("user", 3),
    ("handover", 3),
    ("tracking", 3),
    ("holders", 3),
    ("policy", 3),
    ("audit", 3),
    ("export", 3),
    ("handout", 3),
    ("registration", 3),
    ("messages", 3),
    ("scope", 3),
    ("badge", 3),
    ("campaign", 3),
    ("ui", 4),
];

/// The emulator's layers, bottom first: a module may use its own layer and those below it
/// (cycles inside a layer are still refused). Leaves, then the directory data, the seed, the
/// shared state, the HTTP fault waits, then the HTTP surfaces (Graph, the control API and the
/// site, the sign-in origin that also serves the control routes), and `load` on top. A new
/// top-level module must be placed here before it can import anything.
pub const EMULATOR_LAYERS: &[(&str, u8)] = &[
    ("clock", 0),
    ("jwt", 0),
    ("scopes", 0),
    ("faults", 0),
    ("counters", 0),
    ("model", 1),
    ("audit", 1),
    ("tenant", 1),
    ("units", 1),
    ("qr", 1),
    ("seed", 2),
    ("state", 3),
    ("inject", 4),
    ("graph", 5),
    ("control", 6),
    ("site", 6),
    ("login", 7),
    ("load", 8),
];

/// Where each rule looks.
const DOC_DIRS: &[&str] = &["src", "emulator", "xtask", "tests"];
/// Text that builds an HTTP request.
const REQUEST_PATTERNS: &[&str] = &[
    "gloo_net::http",
    "RequestBuilder",
    "web_sys::Request",
    "fetch_with_request",
    "fetch_with_str",
];
/// Text that touches Web Storage.
const STORAGE_PATTERNS: &[&str] = &["local_storage", "session_storage", "web_sys::Storage"];

/// Runs every rule over the workspace at `root` and compares with [`KNOWN_VIOLATIONS`].
pub fn check(root: &Path) -> Result<()> {
    let files = source::rust_files(root, DOC_DIRS)?;
    compare(&violations(&files), KNOWN_VIOLATIONS)
}

/// Fails, listing them, on violations not in `known` and on `known` entries that no longer
/// happen.
pub fn compare(found: &BTreeSet<String>, known: &[&str]) -> Result<()> {
    let known: BTreeSet<String> = known.iter().map(|s| s.to_string()).collect();
    let new: Vec<_> = found.difference(&known).collect();
    let gone: Vec<_> = known.difference(found).collect();
    let mut report = String::new();
    if !new.is_empty() {
        report
            .push_str("new architecture violations (fix the code; the allowlist only shrinks):\n");
        for v in &new {
            report.push_str(&format!("  {v}\n"));
        }
    }
    if !gone.is_empty() {
        report.push_str(
            "fixed violations still listed in xtask/src/architecture.rs KNOWN_VIOLATIONS (delete these lines):\n",
        );
        for v in &gone {
            report.push_str(&format!("  {v}\n"));
        }
    }
    if !report.is_empty() {
        bail!("{report}");
    }
    Ok(())
}

/// Every violation of every rule in `files` (paths relative to the workspace root).
pub fn violations(files: &[SourceFile]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for file in files {
        if !file.text.starts_with("//!") {
            found.insert(format!("doc: {} does not open with a `//!` line", file.rel));
        }
    }
    page_rules(files, &mut found);
    emulator_rules(files, &mut found);
    // In the page an import up a layer is already a `layer` violation, and with those left
    // out a cycle can only run inside one layer. The emulator's cycles are all reported, an
    // import up a layer included.
    let page_keeps = |a: &str, b: &str| match (layer(a), layer(b)) {
        (Some(from), Some(to)) => to <= from,
        _ => true,
    };
    for (name, dir, keep) in [
        ("page", "src", &page_keeps as &dyn Fn(&str, &str) -> bool),
        ("emulator", "emulator/src", &|_: &str, _: &str| true),
    ] {
        for edge in ModuleGraph::new(files, dir).cycle_edges(keep) {
            found.insert(format!("cycle: {name}: {edge}"));
        }
    }
    found
}

/// The layer of a top-level page module, `None` when it is in none.
fn layer(module: &str) -> Option<u8> {
    PAGE_LAYERS
        .iter()
        .find(|(n, _)| *n == module)
        .map(|(_, l)| *l)
}

fn page_rules(files: &[SourceFile], found: &mut BTreeSet<String>) {
    let graph = ModuleGraph::new(files, "src");
    for file in files.iter().filter(|f| f.rel.starts_with("src/")) {
        let Some(module) = module_of(&file.rel, "src") else {
            continue;
        };
        let code = file.code_without_tests();
        let top = module.first().map(String::as_str);
        if let Some(top) = top {
            if !matches!(top, "graph" | "auth") {
                for p in REQUEST_PATTERNS.iter().filter(|p| contains_token(&code, p)) {
                    found.insert(format!("graph-request: {} uses {p}", file.rel));
                }
            }
        }
        if file.rel != "src/storage.rs" {
            for p in STORAGE_PATTERNS.iter().filter(|p| contains_token(&code, p)) {
                found.insert(format!("web-storage: {} uses {p}", file.rel));
            }
        }
        let Some(top) = top else {
            continue; // lib.rs and main.rs assemble the crate.
        };
        let Some(from) = layer(top) else {
            found.insert(format!(
                "layer: src/{top} is in no layer (add it to PAGE_LAYERS)"
            ));
            continue;
        };
        for target in graph.targets(&module, &code) {
            let Some(to_top) = target.first().map(String::as_str) else {
                continue;
            };
            if to_top == top {
                continue;
            }
            if to_top == "ui" {
                found.insert(format!("ui: {} uses crate::ui", file.rel));
            } else if layer(to_top).is_some_and(|to| to > from) {
                found.insert(format!("layer: {} → crate::{to_top}", file.rel));
            }
        }
    }
}

/// The layer of a top-level emulator module, `None` when it is in none.
fn emulator_layer(module: &str) -> Option<u8> {
    EMULATOR_LAYERS
        .iter()
        .find(|(n, _)| *n == module)
        .map(|(_, l)| *l)
}

/// The emulator's layers ([`EMULATOR_LAYERS`]): no import up a layer, no module outside them.
fn emulator_rules(files: &[SourceFile], found: &mut BTreeSet<String>) {
    let dir = "emulator/src";
    let graph = ModuleGraph::new(files, dir);
    for file in files.iter().filter(|f| f.rel.starts_with("emulator/src/")) {
        let Some(module) = module_of(&file.rel, dir) else {
            continue;
        };
        let Some(top) = module.first().map(String::as_str) else {
            continue; // lib.rs and main.rs assemble the crate.
        };
        let Some(from) = emulator_layer(top) else {
            found.insert(format!(
                "layer: emulator/src/{top} is in no layer (add it to EMULATOR_LAYERS)"
            ));
            continue;
        };
        let code = file.code_without_tests();
        for target in graph.targets(&module, &code) {
            let Some(to_top) = target.first().map(String::as_str) else {
                continue;
            };
            if to_top != top && emulator_layer(to_top).is_some_and(|to| to > from) {
                found.insert(format!("layer: {} → crate::{to_top}", file.rel));
            }
        }
    }
}

/// True if `needle` occurs in `code` not inside a longer identifier.
fn contains_token(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + needle.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module path of a file under `dir`: `src/ui/handover.rs` is `[ui, handover]`;
/// `lib.rs`, `main.rs` are the root (`[]`); files outside `dir` are `None`.
fn module_of(rel: &str, dir: &str) -> Option<Vec<String>> {
    let inner = rel
        .strip_prefix(dir)?
        .strip_prefix('/')?
        .strip_suffix(".rs")?;
    if matches!(inner, "lib" | "main") {
        return Some(Vec::new());
    }
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// The modules of one crate and which module each file's code refers to.
struct ModuleGraph {
    modules: BTreeSet<Vec<String>>,
    /// Each file's module and the modules its code names.
    edges: Vec<(Vec<String>, BTreeSet<Vec<String>>)>,
}

impl ModuleGraph {
    fn new(files: &[SourceFile], dir: &str) -> Self {
        let in_dir: Vec<(&SourceFile, Vec<String>)> = files
            .iter()
            .filter_map(|f| module_of(&f.rel, dir).map(|m| (f, m)))
            .collect();
        let mut modules = BTreeSet::new();
        for (_, m) in &in_dir {
            for n in 1..=m.len() {
                modules.insert(m[..n].to_vec());
            }
        }
        let mut graph = Self {
            modules,
            edges: Vec::new(),
        };
        for (file, module) in in_dir {
            let targets = graph.targets(&module, &file.code_without_tests());
            graph.edges.push((module, targets));
        }
        graph
    }

    /// The modules `code` (of the file of `module`) names through `crate::`, `super::` or
    /// `self::` paths, each cut to the longest prefix that is a module of this crate.
    fn targets(&self, module: &[String], code: &str) -> BTreeSet<Vec<String>> {
        referenced_paths(module, code)
            .into_iter()
            .filter_map(|path| {
                (1..=path.len())
                    .rev()
                    .map(|n| path[..n].to_vec())
                    .find(|p| self.modules.contains(p))
            })
            .collect()
    }

    /// The imports that close a cycle, as `a → b` (both in one strongly connected component):
    /// between top-level modules, and between the direct children of each folder
    /// (`ui::handover → ui::reveal`). `keep` filters the top-level imports looked at.
    fn cycle_edges(&self, keep: impl Fn(&str, &str) -> bool) -> Vec<String> {
        let mut found = Vec::new();
        let levels: BTreeSet<Vec<String>> = std::iter::once(Vec::new())
            .chain(self.modules.iter().filter(|m| m.len() == 1).cloned())
            .collect();
        for parent in levels {
            let depth = parent.len() + 1;
            let child = |m: &Vec<String>| -> Option<String> {
                (m.len() >= depth && m[..parent.len()] == parent[..]).then(|| m[..depth].join("::"))
            };
            let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (from, targets) in &self.edges {
                let Some(a) = child(from) else { continue };
                for b in targets.iter().filter_map(child) {
                    if a != b && (!parent.is_empty() || keep(&a, &b)) {
                        edges.entry(a.clone()).or_default().insert(b);
                    }
                }
            }
            for component in strongly_connected(&edges)
                .into_iter()
                .filter(|c| c.len() > 1)
            {
                for a in &component {
                    for b in edges[a].iter().filter(|b| component.contains(b)) {
                        found.push(format!("{a} → {b}"));
                    }
                }
            }
        }
        found.sort();
        found
    }
}

/// Every path `code` names from `crate::`, `super::` or `self::`, made absolute for a file of
/// `module`; `use` trees (`crate::{a, b::{c, d}}`) give one path per leaf.
fn referenced_paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_word =
            i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == '$' || chars[i - 1] == ':');
        if !at_word {
            i += 1;
            continue;
        }
        let (base, after) = if starts(&chars, i, "crate::") {
            (Vec::new(), i + "crate::".len())
        } else if starts(&chars, i, "self::") {
            (module.to_vec(), i + "self::".len())
        } else if starts(&chars, i, "super::") {
            let mut base = module.to_vec();
            let mut k = i;
            while starts(&chars, k, "super::") {
                base.pop();
                k += "super::".len();
            }
            (base, k)
        } else {
            i += 1;
            continue;
        };
        i = parse_tree(&chars, after, base, &mut out);
    }
    out
}

fn starts(chars: &[char], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

/// Parses a path or `use` tree starting at `i` below `prefix`, pushing each leaf path;
/// returns where it ended.
fn parse_tree(
    chars: &[char],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        match chars.get(i) {
            Some('{') => {
                i += 1;
                loop {
                    while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                        i += 1;
                    }
                    match chars.get(i) {
                        None => return i,
                        Some('}') => return i + 1,
                        _ => {}
                    }
                    i = parse_tree(chars, i, prefix.clone(), out);
                    // Skip `as name` and anything else up to the next item.
                    while chars.get(i).is_some_and(|c| *c != ',' && *c != '}') {
                        i += 1;
                    }
                }
            }
            Some(c) if is_ident(*c) => {
                let start = i;
                while chars.get(i).is_some_and(|c| is_ident(*c)) {
                    i += 1;
                }
                let ident: String = chars[start..i].iter().collect();
                if ident != "self" {
                    prefix.push(ident);
                }
                if starts(chars, i, "::") {
                    i += 2;
                    continue;
                }
                out.push(prefix);
                return i;
            }
            _ => {
                out.push(prefix);
                return i;
            }
        }
    }
}

/// Tarjan's strongly connected components of `edges`, each sorted.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(targets) = s.edges.get(v) {
            for w in targets {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            rel: rel.to_string(),
            text: text.to_string(),
        }
    }

    /// The workspace itself: no violation outside [`KNOWN_VIOLATIONS`], none listed that is gone.
    #[test]
    fn the_workspace_keeps_its_layers_and_seams() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives inside the workspace");
        if let Err(err) = check(root) {
            panic!("{err:#}");
        }
    }

    #[test]
    fn a_backwards_import_a_cycle_and_the_seams_are_caught() {
        let files = [
            file("src/config.rs", "//! c\nuse crate::ui::App;\nuse crate::{storage, auth::Session};\n"),
            file("src/storage.rs", "//! s\nfn f() { web_sys::window().and_then(|w| w.local_storage().ok()); }\n"),
            file("src/auth.rs", "//! a\nuse crate::config::Config;\n"),
            file("src/ui.rs", "//! u\nmod reveal; mod handover;\n"),
            file("src/ui/reveal.rs", "//! r\nuse super::handover::Message;\n"),
            file("src/ui/handover.rs", "//! h\nuse crate::ui::reveal::Pass; fn f() { gloo_net::http::Request::get(\"x\"); }\n"),
            file("src/tap.rs", "no doc\n#[cfg(test)]\nmod tests { use crate::ui::App; }\n"),
            file("emulator/src/login.rs", "//! l\nmod pages; mod request;\n"),
            file("emulator/src/login/pages.rs", "//! p\nuse super::request::AuthRequest;\n"),
            file("emulator/src/login/request.rs", "//! r\nfn f() { crate::login::pages::error_page(); }\n"),
        ];
        let found: Vec<String> = violations(&files).into_iter().collect();
        assert_eq!(
            found,
            [
                "cycle: emulator: login::pages → login::request",
                "cycle: emulator: login::request → login::pages",
                "cycle: page: ui::handover → ui::reveal",
                "cycle: page: ui::reveal → ui::handover",
                "doc: src/tap.rs does not open with a `//!` line",
                "graph-request: src/ui/handover.rs uses gloo_net::http",
                "layer: src/config.rs → crate::auth",
                "ui: src/config.rs uses crate::ui",
            ]
        );
    }

    #[test]
    fn an_emulator_import_up_a_layer_and_an_unplaced_module_are_caught() {
        let files = [
            file("emulator/src/lib.rs", "//! e\npub mod model; pub mod state; pub mod graph;\n"),
            file("emulator/src/model.rs", "//! m\nuse crate::state::AppState;\n"),
            file("emulator/src/state.rs", "//! s\nuse crate::{model::User, seed};\n"),
            file("emulator/src/graph.rs", "//! g\nuse crate::state::AppState;\n#[cfg(test)]\nmod tests { use crate::load::x; }\n"),
            file("emulator/src/seed.rs", "//! d\nuse crate::clock::now;\n"),
            file("emulator/src/wiring.rs", "//! w\nuse crate::graph::router;\n"),
        ];
        let found: Vec<String> = violations(&files).into_iter().collect();
        assert_eq!(
            found,
            [
                "cycle: emulator: model → state",
                "cycle: emulator: state → model",
                "layer: emulator/src/model.rs → crate::state",
                "layer: emulator/src/wiring is in no layer (add it to EMULATOR_LAYERS)",
            ]
        );
    }

    #[test]
    fn web_storage_outside_storage_rs_is_caught() {
        let files = [file(
            "src/tracking.rs",
            "//! t\nfn f() { let s: web_sys::Storage = w.session_storage(); } // local_storage\n",
        )];
        let found: Vec<String> = violations(&files).into_iter().collect();
        assert_eq!(
            found,
            [
                "web-storage: src/tracking.rs uses session_storage",
                "web-storage: src/tracking.rs uses web_sys::Storage",
            ]
        );
    }

    #[test]
    fn the_allowlist_fails_on_new_and_on_fixed_violations() {
        let found: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        assert!(compare(&found, &["a", "b"]).is_ok());
        let new = compare(&found, &["a"]).unwrap_err().to_string();
        assert!(new.contains("new architecture violations") && new.contains("  b"));
        let gone = compare(&found, &["a", "b", "c"]).unwrap_err().to_string();
        assert!(gone.contains("delete these lines") && gone.contains("  c"));
    }

    #[test]
    fn use_trees_resolve_to_absolute_paths() {
        let module = vec!["ui".to_string(), "bulk".to_string(), "engine".to_string()];
        let paths = referenced_paths(
            &module,
            "use crate::{a, b::{c, d::E as F}, self as g}; use super::super::h::*; $crate::no; x::crate::no",
        );
        let want: Vec<Vec<String>> = [
            vec!["a"],
            vec!["b", "c"],
            vec!["b", "d", "E"],
            vec![],
            vec!["ui", "h"],
        ]
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect();
        assert_eq!(paths, want);
    }
}
