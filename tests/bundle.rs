//! Static checks of the built folder and the docs: what a reviewer would otherwise check by eye
//! (security items 4, 7, 14, 23, 25, 29, 31). Needs `dist/` (run through `cargo xtask test`).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

fn dist() -> PathBuf {
    std::env::var_os("TAPDESK_DIST").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"),
        PathBuf::from,
    )
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cargo xtask test`: it builds dist/ first)",
            path.display()
        )
    })
}

#[test]
fn index_has_no_inline_script_and_every_script_carries_integrity() {
    let html = read(dist().join("index.html"));
    assert!(
        html.contains(r#"<meta name="referrer" content="no-referrer""#),
        "item 14: referrer meta"
    );
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
        .collect();
    assert!(!scripts.is_empty());
    for tag in scripts {
        assert!(tag.contains(" src="), "item 28: inline script {tag}");
        assert!(
            tag.contains("integrity=\"sha384-"),
            "item 29: no SRI on {tag}"
        );
    }
    for (i, _) in html.match_indices("<link rel=\"modulepreload\"") {
        assert!(
            html[i..].split('>').next().unwrap().contains("integrity="),
            "item 29: preload without SRI"
        );
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "item 14: nothing from another origin"
    );
}

#[test]
fn the_bundle_names_no_secret_and_loads_nothing_third_party() {
    let example = read(dist().join("config.example.json"));
    assert!(
        !example.to_ascii_lowercase().contains("secret"),
        "item 4: config names a secret"
    );
    for entry in std::fs::read_dir(dist()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "js" || e == "css" || e == "html")
        {
            let text = read(path.clone());
            for cdn in ["cdn.", "unpkg.com", "jsdelivr", "googleapis", "fonts."] {
                assert!(
                    !text.contains(cdn),
                    "item 14: {} mentions {cdn}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn no_popup_and_no_message_listener() {
    // Item 7: sign-in is a top-level redirect; nothing opens a window or accepts messages.
    for entry in std::fs::read_dir(dist()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let js = read(path.clone());
            assert!(!js.contains("open("), "{} opens a window", path.display());
            assert!(
                !js.contains("postMessage") && !js.contains("'message'"),
                "{} uses messages",
                path.display()
            );
            // Item 25: the page never reads the clipboard.
            assert!(
                !js.contains("readText") && !js.contains(".read("),
                "{} reads the clipboard",
                path.display()
            );
        }
    }
}

#[test]
fn the_page_never_logs() {
    // Item 23: nothing in the page's source writes to the console (the panic hook aside),
    // so neither a token nor a pass can reach it.
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = read(path.clone());
                for call in [
                    "console::log",
                    "console::error",
                    "console::warn",
                    "console::info",
                    "console::debug",
                    "println!",
                    "eprintln!",
                    "dbg!",
                    "log!(",
                ] {
                    assert!(!text.contains(call), "{} calls {call}", path.display());
                }
            }
        }
    }
}

#[test]
fn the_readme_states_the_accepted_risk_and_its_mitigations() {
    let readme = read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let section = readme
        .split("**Accepted risk.**")
        .nth(1)
        .expect("item 31: README has no accepted-risk paragraph");
    for needed in [
        "XSS",
        "memory",
        "CSP",
        "frame-ancestors",
        "least scope",
        "Conditional Access",
    ] {
        assert!(
            section.contains(needed),
            "item 31: the accepted-risk paragraph does not mention {needed}"
        );
    }
}
