//! Precompression of the built page: `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip,
//! level 9) beside every compressible file of `dist/`, so a static host serves them as they are
//! (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`, Static Web Apps' `.br`, the
//! emulator's site) instead of compressing on every request, or not at all.
//!
//! The rule: a file is compressed when its extension is one of [`EXTENSIONS`], it is at least
//! [`MIN_SIZE`] bytes long, and it is not `config.json` (admins edit that one after deploying;
//! a `.gz` beside it would go stale and serve an old configuration). A variant is only kept
//! when it is smaller than the file. The output is deterministic: brotli has no time or name
//! in it, gzip's header carries mtime 0, no file name, OS 255 (unknown).
//!
//! Re-running is cheap and safe: an existing variant that decodes to the file's current bytes is
//! kept as it is; one that does not (the file was rewritten) is written anew; a variant whose
//! file is gone, or no longer qualifies, is removed. The raw files are only read: Subresource
//! Integrity hashes (`loader.rs`) stay those of the uncompressed bytes, which is what browsers
//! check after decoding.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The extensions worth compressing: text formats and wasm. Images, fonts and archives are
/// compressed already.
pub const EXTENSIONS: [&str; 9] = [
    "html", "js", "mjs", "wasm", "css", "json", "svg", "txt", "map",
];
/// Files smaller than this are served raw: below it the saving is a few hundred bytes at most,
/// well inside the first TCP packet the response needs anyway (Caddy's `encode` uses the same
/// `minimum_length` default).
pub const MIN_SIZE: u64 = 512;
/// Never compressed: the configuration admins write or edit beside `index.html`.
const NEVER: [&str; 1] = ["config.json"];

/// The two encodings written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The suffix appended to the file name (`.br`, `.gz`).
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// `bytes` compressed with this encoding (deterministic).
    pub fn encode(self, bytes: &[u8]) -> Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let mut out = Vec::new();
                {
                    let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
                    writer.write_all(bytes)?;
                }
                Ok(out)
            }
            Encoding::Gzip => {
                let mut gz = flate2::GzBuilder::new()
                    .mtime(0)
                    .operating_system(255)
                    .write(Vec::new(), flate2::Compression::best());
                gz.write_all(bytes)?;
                Ok(gz.finish()?)
            }
        }
    }

    /// `bytes` decoded, or `None` if they are not a valid stream of this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let ok = match self {
            Encoding::Brotli => brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .is_ok(),
            Encoding::Gzip => flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .is_ok(),
        };
        ok.then_some(out)
    }

    /// The variant's path beside `file`: `app.wasm` → `app.wasm.br`.
    pub fn variant_of(self, file: &Path) -> PathBuf {
        let mut name = file.as_os_str().to_owned();
        name.push(".");
        name.push(self.suffix());
        PathBuf::from(name)
    }
}

/// What [`precompress`] did, with the byte totals of the files it covers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files that have at least one variant.
    pub files: usize,
    /// Their raw bytes, and the bytes of their `.br` and `.gz` variants.
    pub raw: u64,
    pub brotli: u64,
    pub gzip: u64,
    /// Variants written (new or replacing a stale one), kept (already up to date), removed.
    pub written: usize,
    pub kept: usize,
    pub removed: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files, {} bytes raw -> {} brotli, {} gzip ({} variants written, {} up to date, {} stale removed)",
            self.files, self.raw, self.brotli, self.gzip, self.written, self.kept, self.removed
        )
    }
}

/// True if `file` gets `.br`/`.gz` variants by the rule of this module (size aside).
pub fn compressible(file: &Path) -> bool {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    EXTENSIONS.contains(&ext) && !NEVER.contains(&name)
}

/// The size of `file`'s `encoding` variant if it exists and decodes to `raw` (`file`'s bytes).
pub fn fresh_variant_size(file: &Path, raw: &[u8], encoding: Encoding) -> Option<u64> {
    let variant = std::fs::read(encoding.variant_of(file)).ok()?;
    (encoding.decode(&variant).as_deref() == Some(raw)).then_some(variant.len() as u64)
}

/// Writes `<file>.br` and `<file>.gz` beside every compressible file under `dir` (see the
/// module's rule), keeps the up-to-date ones, removes stale ones.
pub fn precompress(dir: &Path) -> Result<Summary> {
    let mut summary = Summary::default();
    let files = files_under(dir)?;
    for file in &files {
        if variant_encoding(file).is_some() {
            // A variant whose file is gone or no longer qualifies is stale.
            if !qualifies(&strip_suffix(file))? {
                std::fs::remove_file(file)
                    .with_context(|| format!("cannot remove {}", file.display()))?;
                summary.removed += 1;
            }
            continue;
        }
        if !qualifies(file)? {
            continue;
        }
        let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let mut any = false;
        for encoding in Encoding::ALL {
            let variant = encoding.variant_of(file);
            let size = match fresh_variant_size(file, &raw, encoding) {
                Some(size) => {
                    summary.kept += 1;
                    size
                }
                None => {
                    let bytes = encoding.encode(&raw)?;
                    if bytes.len() >= raw.len() {
                        // Not worth it: serve the file raw.
                        if variant.exists() {
                            std::fs::remove_file(&variant)?;
                            summary.removed += 1;
                        }
                        continue;
                    }
                    std::fs::write(&variant, &bytes)
                        .with_context(|| format!("cannot write {}", variant.display()))?;
                    summary.written += 1;
                    bytes.len() as u64
                }
            };
            any = true;
            match encoding {
                Encoding::Brotli => summary.brotli += size,
                Encoding::Gzip => summary.gzip += size,
            }
        }
        if any {
            summary.files += 1;
            summary.raw += raw.len() as u64;
        }
    }
    Ok(summary)
}

/// The encoding whose suffix `file` carries (`x.js.br` → brotli), if any.
fn variant_encoding(file: &Path) -> Option<Encoding> {
    let ext = file.extension().and_then(|e| e.to_str())?;
    Encoding::ALL.into_iter().find(|e| e.suffix() == ext)
}

/// `x.js.br` → `x.js`.
fn strip_suffix(file: &Path) -> PathBuf {
    file.with_extension("")
}

/// True if `file` exists, is compressible and at least [`MIN_SIZE`] bytes long.
fn qualifies(file: &Path) -> Result<bool> {
    if !compressible(file) {
        return Ok(false);
    }
    match std::fs::metadata(file) {
        Ok(meta) => Ok(meta.is_file() && meta.len() >= MIN_SIZE),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
    }
}

/// Every file below `dir`, sorted.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh temporary folder, removed on drop.
    struct Temp(PathBuf);

    impl Temp {
        fn new(label: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "tapdesk-compress-{label}-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or_default()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let path = self.0.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&path, bytes).unwrap();
            path
        }

        fn names(&self) -> Vec<String> {
            files_under(&self.0)
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(&self.0).unwrap().display().to_string())
                .collect()
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("line {} of the page\n", i % 37))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn variants_decode_to_the_same_bytes_and_the_raw_files_stay() {
        let temp = Temp::new("roundtrip");
        let js = text(400);
        let wasm: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        temp.write("app-0123456789abcdef.js", &js);
        temp.write("app-0123456789abcdef_bg.wasm", &wasm);
        temp.write("sub/index.html", &text(100));
        let summary = precompress(&temp.0).unwrap();
        assert_eq!(summary.files, 3, "{summary}");
        assert_eq!(summary.written, 6, "{summary}");
        for (name, raw) in [
            ("app-0123456789abcdef.js", &js),
            ("app-0123456789abcdef_bg.wasm", &wasm),
        ] {
            let file = temp.0.join(name);
            assert_eq!(
                &std::fs::read(&file).unwrap(),
                raw,
                "the raw file is untouched"
            );
            for encoding in Encoding::ALL {
                let variant = std::fs::read(encoding.variant_of(&file)).unwrap();
                assert!(variant.len() < raw.len(), "{name}.{}", encoding.suffix());
                assert_eq!(
                    encoding.decode(&variant).as_ref(),
                    Some(raw),
                    "{name}.{}",
                    encoding.suffix()
                );
            }
        }
        assert!(temp.0.join("sub/index.html.br").is_file());
    }

    #[test]
    fn output_is_deterministic_without_time_or_name() {
        let raw = text(200);
        let gz = Encoding::Gzip.encode(&raw).unwrap();
        assert_eq!(&gz[..4], &[0x1f, 0x8b, 8, 0], "no FNAME flag");
        assert_eq!(&gz[4..8], &[0, 0, 0, 0], "mtime 0");
        assert_eq!(gz[9], 255, "OS unknown");
        assert_eq!(gz, Encoding::Gzip.encode(&raw).unwrap());
        assert_eq!(
            Encoding::Brotli.encode(&raw).unwrap(),
            Encoding::Brotli.encode(&raw).unwrap()
        );
    }

    #[test]
    fn skips_small_files_other_types_config_json_and_variants() {
        let temp = Temp::new("skips");
        // The rule's edge: 511 bytes stay raw, 512 bytes are compressed.
        temp.write("small.js", &text(100)[..511]);
        temp.write("edge.js", &text(100)[..512]);
        temp.write("image.png", &text(200));
        temp.write("config.json", &text(200));
        temp.write("config.example.json", &text(200));
        temp.write("notes.txt.gz.keep", &text(200));
        let summary = precompress(&temp.0).unwrap();
        assert_eq!(summary.files, 2, "{summary}");
        assert_eq!(
            temp.names(),
            [
                "config.example.json",
                "config.example.json.br",
                "config.example.json.gz",
                "config.json",
                "edge.js",
                "edge.js.br",
                "edge.js.gz",
                "image.png",
                "notes.txt.gz.keep",
                "small.js",
            ]
        );
        // Precompressing twice never compresses a variant (`x.br.br`).
        precompress(&temp.0).unwrap();
        assert!(!temp.names().iter().any(|n| n.ends_with(".br.br")));
    }

    #[test]
    fn incompressible_files_get_no_variant() {
        let temp = Temp::new("noise");
        // xorshift noise: nothing to gain.
        let mut x: u32 = 2463534242;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        temp.write("noise.wasm", &noise);
        let summary = precompress(&temp.0).unwrap();
        assert_eq!(summary.files, 0, "{summary}");
        assert_eq!(temp.names(), ["noise.wasm"]);
    }

    #[test]
    fn a_rerun_keeps_fresh_variants_and_replaces_or_removes_stale_ones() {
        let temp = Temp::new("rerun");
        let js = temp.write("app.js", &text(300));
        temp.write("gone.css", &text(300));
        temp.write("shrinks.css", &text(300));
        let first = precompress(&temp.0).unwrap();
        assert_eq!(first.written, 6, "{first}");
        let br = std::fs::read(Encoding::Brotli.variant_of(&js)).unwrap();

        let again = precompress(&temp.0).unwrap();
        assert_eq!(
            (again.written, again.kept, again.removed),
            (0, 6, 0),
            "{again}"
        );
        assert_eq!(std::fs::read(Encoding::Brotli.variant_of(&js)).unwrap(), br);

        // app.js rewritten, gone.css deleted, shrinks.css below the size rule.
        let new_js = text(301);
        std::fs::write(&js, &new_js).unwrap();
        std::fs::remove_file(temp.0.join("gone.css")).unwrap();
        std::fs::write(temp.0.join("shrinks.css"), b"a{}").unwrap();
        let third = precompress(&temp.0).unwrap();
        assert_eq!(
            (third.written, third.kept, third.removed),
            (2, 0, 4),
            "{third}"
        );
        for encoding in Encoding::ALL {
            let variant = std::fs::read(encoding.variant_of(&js)).unwrap();
            assert_eq!(encoding.decode(&variant), Some(new_js.clone()));
        }
        assert_eq!(
            temp.names(),
            ["app.js", "app.js.br", "app.js.gz", "shrinks.css"]
        );
    }

    #[test]
    fn garbage_is_not_a_valid_stream() {
        assert_eq!(Encoding::Gzip.decode(b"not gzip"), None);
        assert_eq!(Encoding::Brotli.decode(b"\xff\xff\xff not brotli"), None);
    }
}
