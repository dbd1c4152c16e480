//! `cargo xtask sizes`: what each file in `dist/` costs raw, gzipped and brotli-compressed.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::compress::{self, Encoding};
use crate::shell::Shell;

/// The extensions counted in the total: what a browser downloads to show the page.
const PAGE_EXTENSIONS: [&str; 4] = ["html", "js", "wasm", "css"];

/// The budget for the initial download (issue 6, restated by issue 14 for the split build: the
/// signed-out page and the signed-in One user screen together), in bytes: 200 KB brotli,
/// 240 KB gzip.
pub const BUDGET: Sizes = Sizes {
    raw: 0,
    gzip: 240 * 1000,
    brotli: 200 * 1000,
};

/// Byte counts of one file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Self) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

/// Prints a table of every file in `dist/` and the page total.
pub fn print_sizes() -> Result<()> {
    let dist = Shell::new()?.root.join("dist");
    if !dist.join("index.html").is_file() {
        bail!("dist/ is not built; run `cargo xtask build` first");
    }
    let mut files = Vec::new();
    collect_files(&dist, &mut files)?;
    files.sort();
    let mut rows = Vec::new();
    let mut total = Sizes::default();
    for path in &files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let sizes = precompressed(path, &bytes).map_or_else(|| measure(&bytes), Ok)?;
        let name = path
            .strip_prefix(&dist)
            .unwrap_or(path)
            .display()
            .to_string();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if PAGE_EXTENSIONS.contains(&ext) {
            total += sizes;
        }
        rows.push((name, sizes));
    }
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0).max(24);
    println!(
        "{:<width$} {:>10} {:>10} {:>10}",
        "file (dist/)", "raw", "gzip -9", "brotli 11"
    );
    for (name, s) in &rows {
        println!(
            "{name:<width$} {:>10} {:>10} {:>10}",
            s.raw, s.gzip, s.brotli
        );
    }
    println!(
        "{:<width$} {:>10} {:>10} {:>10}",
        "total html+js+wasm+css", total.raw, total.gzip, total.brotli
    );
    println!("(bytes)");
    let verdict = |what: &str, got: u64, budget: u64| {
        if got <= budget {
            format!("{what} {got} ≤ {budget}: within budget")
        } else {
            format!("{what} {got} > {budget}: OVER budget by {}", got - budget)
        }
    };
    let sized: Vec<(String, Sizes)> = rows;
    let size_of = |name: &str| sized.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
    let journeys = journeys(
        &dist,
        &sized.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
    )?;
    println!("\ndownloads per journey (brotli; a module's shared chunks count on its first use)");
    let mut initial = Sizes::default();
    for (what, files) in &journeys {
        let mut sum = Sizes::default();
        for f in files {
            sum += size_of(f).with_context(|| format!("{f} is named by the page but missing"))?;
        }
        println!(
            "{what:<50} {:>8} brotli {:>10} gzip  ({} files)",
            sum.brotli,
            sum.gzip,
            files.len()
        );
        if what.starts_with("signed-out") || what.starts_with("signed-in") {
            initial += sum;
        }
    }
    println!(
        "{:<50} {:>8} brotli {:>10} gzip",
        "signed-out page + signed-in One user", initial.brotli, initial.gzip
    );
    println!(
        "budget (signed-out page + signed-in One user): {}; {}; whole package: {} brotli",
        verdict("brotli", initial.brotli, BUDGET.brotli),
        verdict("gzip", initial.gzip, BUDGET.gzip),
        total.brotli
    );
    Ok(())
}

/// What the browser downloads for each journey: the signed-out page (`index.html` and every
/// file it names), then each split module with the shared chunks it needs that were not
/// downloaded before (the signed-in page first, then the other screens in tab order).
fn journeys(dist: &Path, files: &[String]) -> Result<Vec<(String, Vec<String>)>> {
    let index = std::fs::read_to_string(dist.join("index.html"))?;
    let named = |text: &str| -> Vec<String> {
        files
            .iter()
            .filter(|f| {
                !f.ends_with(".br") && !f.ends_with(".gz") && text.contains(&format!("./{f}"))
            })
            .cloned()
            .collect()
    };
    let mut page = vec!["index.html".to_owned()];
    page.extend(named(&index));
    // The loader names the main wasm.
    let more: Vec<String> = page
        .iter()
        .filter(|f| f.starts_with("boot-"))
        .map(|f| std::fs::read_to_string(dist.join(f)))
        .collect::<std::io::Result<Vec<_>>>()?
        .iter()
        .flat_map(|t| named(t))
        .collect();
    page.extend(
        more.into_iter()
            .filter(|f| !page.contains(f))
            .collect::<Vec<_>>(),
    );
    let mut out = vec![("signed-out page (Sign in)".to_owned(), page.clone())];
    let Some(link) = files
        .iter()
        .find(|f| f.starts_with("split-") && f.ends_with(".js"))
    else {
        return Ok(out);
    };
    let link = std::fs::read_to_string(dist.join(link))?;
    let mut seen: Vec<String> = page;
    for (split, label) in JOURNEY {
        let needed = split_files(&link, split);
        let new: Vec<String> = needed.into_iter().filter(|f| !seen.contains(f)).collect();
        seen.extend(new.iter().cloned());
        out.push((format!("{label} (+{split})"), new));
    }
    Ok(out)
}

/// The admin's journey through the split modules, in order: the module and when it loads.
const JOURNEY: [(&str, &str); 5] = [
    ("home", "signed-in page with One user"),
    ("bulk", "first open of Many users"),
    ("tools", "first open of Tracking, Holders, Policy, Audit"),
    ("campaign", "first open of Campaign"),
    ("badges", "first open of Badges"),
];

/// The files `split`'s loader fetches: its module and the shared chunks it waits for.
fn split_files(link: &str, split: &str) -> Vec<String> {
    let file_in = |text: &str| -> Option<String> {
        let at = text.find("new URL(\"./")? + "new URL(\"./".len();
        Some(text[at..at + text[at..].find('"')?].to_owned())
    };
    let Some(start) = link.find(&format!("export const __wasm_split_load_{split} ")) else {
        return Vec::new();
    };
    let entry = &link[start..start + link[start..].find("]));").unwrap_or(link.len() - start)];
    let mut files: Vec<String> = file_in(entry).into_iter().collect();
    if let Some(deps) = entry.rfind(", [").map(|at| &entry[at + 3..]) {
        for dep in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            if let Some(def) = link.find(&format!("const {dep} = makeLoad(")) {
                files.extend(file_in(&link[def..]));
            }
        }
    }
    files
}

/// Raw, gzip (best) and brotli (quality 11, window 22) sizes of `bytes`: what
/// `compress::precompress` writes, for files it leaves raw (small ones, `config.json`).
pub fn measure(bytes: &[u8]) -> Result<Sizes> {
    Ok(Sizes {
        raw: bytes.len() as u64,
        gzip: Encoding::Gzip.encode(bytes)?.len() as u64,
        brotli: Encoding::Brotli.encode(bytes)?.len() as u64,
    })
}

/// The sizes of `file`'s `.gz` and `.br` variants that `cargo xtask build` wrote (same
/// settings as [`measure`]), if both are there and decode to `bytes`.
fn precompressed(file: &Path, bytes: &[u8]) -> Option<Sizes> {
    Some(Sizes {
        raw: bytes.len() as u64,
        gzip: compress::fresh_variant_size(file, bytes, Encoding::Gzip)?,
        brotli: compress::fresh_variant_size(file, bytes, Encoding::Brotli)?,
    })
}

/// Every file below `dir` but the `.br`/`.gz` variants, which are counted with their file.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if !path
            .extension()
            .is_some_and(|e| Encoding::ALL.iter().any(|enc| e == enc.suffix()))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = r#"const __chunk_4 = makeLoad(() => {
    const src = fetch(new URL("./chunk_4-1.wasm", import.meta.url), { integrity: "x" });
}, []);
const __chunk_5 = makeLoad(() => {
    const src = fetch(new URL("./chunk_5-1.wasm", import.meta.url), { integrity: "x" });
}, []);
export const __wasm_split_load_tools = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_tools-1.wasm", import.meta.url), { integrity: "x" });
}
, [__chunk_5]));
export const __wasm_split_load_home = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_home-1.wasm", import.meta.url), { integrity: "x" });
}
, [__chunk_4, __chunk_5]));
"#;

    #[test]
    fn a_split_downloads_its_module_and_its_chunks() {
        assert_eq!(
            split_files(LINK, "home"),
            ["split_home-1.wasm", "chunk_4-1.wasm", "chunk_5-1.wasm"]
        );
        assert_eq!(
            split_files(LINK, "tools"),
            ["split_tools-1.wasm", "chunk_5-1.wasm"]
        );
        assert!(split_files(LINK, "bulk").is_empty());
    }

    #[test]
    fn the_journey_names_every_split_module_of_the_page() {
        let lazy = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/ui/lazy.rs"),
        )
        .unwrap();
        let mut modules: Vec<&str> = lazy
            .lines()
            .filter_map(|l| l.trim().split_once(" fn ").map(|(m, _)| m))
            .filter(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_lowercase()))
            .filter(|m| !["async", "pub", "const", "unsafe"].contains(m))
            .collect();
        modules.push("home");
        for m in modules {
            assert!(
                JOURNEY.iter().any(|(j, _)| *j == m),
                "split module {m} is missing from the journey"
            );
        }
        assert!(JOURNEY.iter().any(|(j, _)| *j == "campaign"));
    }

    #[test]
    fn compression_shrinks_repetitive_input_and_keeps_raw_size() {
        let input = "tapdesk ".repeat(1000);
        let sizes = measure(input.as_bytes()).unwrap();
        assert_eq!(sizes.raw, 8000);
        assert!(sizes.gzip < 200, "gzip {}", sizes.gzip);
        assert!(sizes.brotli < 200, "brotli {}", sizes.brotli);
    }

    #[test]
    fn precompressed_variants_are_counted_with_their_file_only_while_fresh() {
        let dir = std::env::temp_dir().join(format!("tapdesk-sizes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.js");
        let input = "tapdesk ".repeat(1000);
        std::fs::write(&file, &input).unwrap();
        compress::precompress(&dir).unwrap();
        let mut files = Vec::new();
        collect_files(&dir, &mut files).unwrap();
        assert_eq!(
            files,
            std::slice::from_ref(&file),
            "variants are not rows of their own"
        );
        let sizes = precompressed(&file, input.as_bytes()).expect("both variants");
        assert_eq!(sizes, measure(input.as_bytes()).unwrap());
        // The file changed after precompressing: its variants no longer count.
        assert_eq!(precompressed(&file, b"tapdesk"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
