//! `cargo xtask sizes`: what each file in `dist/` costs raw, gzipped and brotli-compressed.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::compress::{self, Encoding};
use crate::shell::Shell;

/// The extensions counted in the total: what a browser downloads to show the page.
const PAGE_EXTENSIONS: [&str; 4] = ["html", "js", "wasm", "css"];

/// Issue 6's budget for the page's initial transfer (html + js + wasm + css), in bytes:
/// 200 KB brotli, 240 KB gzip.
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
    println!(
        "budget: {}; {}",
        verdict("brotli", total.brotli, BUDGET.brotli),
        verdict("gzip", total.gzip, BUDGET.gzip)
    );
    Ok(())
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
