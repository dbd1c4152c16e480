//! A temporary folder with a page to serve (a small fake, or a copy of `$TAPDESK_DIST`) and
//! the text edits that adapt a `deploy/` config to it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// A temporary folder, deleted on drop (also when the test panics), holding `dist/` with a
/// `config.json`, plus room for configs and logs.
pub struct Fixture {
    pub dir: PathBuf,
    pub dist: PathBuf,
    /// File name of the hashed `.wasm` in `dist`.
    pub wasm: String,
    /// File name of the `boot-<hash>.js` loader in `dist`.
    pub boot: String,
    /// File name of the largest `.js` in `dist` (the wasm-bindgen glue), which has `.br` and
    /// `.gz` variants like the wasm.
    pub js: String,
}

impl Fixture {
    /// A fresh folder named after `label`; `dist` copies `$TAPDESK_DIST` when set.
    pub fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tapdesk-host-{label}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        let dist = dir.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        let mut fixture = Fixture {
            dir,
            dist,
            wasm: String::new(),
            boot: String::new(),
            js: String::new(),
        };
        match std::env::var_os("TAPDESK_DIST") {
            Some(real) => copy_files(Path::new(&real), &fixture.dist),
            None => {
                for (name, body) in [
                    ("index.html", &b"<!doctype html><title>tapdesk</title>"[..]),
                    ("boot-0123456789abcdef.js", b"// loader\n"),
                    ("tapdesk-0123456789abcdef.js", b"export default 1;\n"),
                    ("tapdesk-0123456789abcdef_bg.wasm", b"\0asm\x01\0\0\0"),
                    ("main-0123456789abcdef.css", b"body{}\n"),
                    ("config.example.json", b"{}\n"),
                ] {
                    std::fs::write(fixture.dist.join(name), body).unwrap();
                }
            }
        }
        // The file admins write beside index.html.
        std::fs::write(fixture.dist.join("config.json"), b"{\"clientId\":\"x\"}\n").unwrap();
        fixture.wasm = fixture.only(|n| n.ends_with("_bg.wasm"));
        fixture.boot = fixture.only(|n| n.starts_with("boot-") && n.ends_with(".js"));
        fixture.js = fixture.largest(".js");
        // `cargo xtask build` precompresses both; the small fake gets stored (uncompressed)
        // but valid streams, which the emulator checks by decoding.
        let real = std::env::var_os("TAPDESK_DIST").is_some();
        for name in [fixture.wasm.clone(), fixture.js.clone()] {
            let raw = std::fs::read(fixture.dist.join(&name)).unwrap();
            for (suffix, store) in [
                ("br", stored_brotli as fn(&[u8]) -> Vec<u8>),
                ("gz", stored_gzip),
            ] {
                let variant = fixture.dist.join(format!("{name}.{suffix}"));
                if real {
                    assert!(
                        variant.is_file(),
                        "{} is missing: is $TAPDESK_DIST from `cargo xtask build`?",
                        variant.display()
                    );
                } else {
                    std::fs::write(variant, store(&raw)).unwrap();
                }
            }
        }
        fixture
    }

    /// The bytes of `dist/<name>`.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dist.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// A port on 127.0.0.1 that was free a moment ago.
    pub fn free_port(&self) -> u16 {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    }

    fn largest(&self, extension: &str) -> String {
        std::fs::read_dir(&self.dist)
            .unwrap()
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().into_string().ok()?;
                Some((e.metadata().ok()?.len(), name))
            })
            .filter(|(_, n)| n.ends_with(extension))
            .max()
            .map(|(_, n)| n)
            .unwrap_or_else(|| panic!("no {extension} file in {}", self.dist.display()))
    }

    fn only(&self, matches: impl Fn(&str) -> bool) -> String {
        let names: Vec<String> = std::fs::read_dir(&self.dist)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| matches(n))
            .collect();
        assert_eq!(
            names.len(),
            1,
            "expected one such file in {}: {names:?}",
            self.dist.display()
        );
        names[0].clone()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The text of `deploy/<name>`.
pub fn deploy_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Text edits that each must apply, so a config that drifted from what the test expects
/// fails loudly instead of being tested half-adapted.
pub struct Replace(String);

impl Replace {
    pub fn new(text: &str) -> Self {
        Self(text.to_string())
    }

    /// Replaces the only occurrence of `from`.
    pub fn once(self, from: &str, to: &str) -> Self {
        assert_eq!(
            self.0.matches(from).count(),
            1,
            "expected `{from}` exactly once"
        );
        Self(self.0.replacen(from, to, 1))
    }

    /// Replaces each line containing `needle` (at least one) by `to`.
    pub fn lines_containing(self, needle: &str, to: &str) -> Self {
        assert!(
            self.0.contains(needle),
            "expected a line containing `{needle}`"
        );
        let lines: Vec<&str> = self
            .0
            .lines()
            .map(|l| if l.contains(needle) { to } else { l })
            .collect();
        Self(lines.join("\n") + "\n")
    }

    pub fn done(self) -> String {
        self.0
    }
}

/// `text` with the `# ` comment marker removed from every line between the lines `begin` and
/// `end` (which must both exist): how deploy/README.md says to switch to a sub-path.
pub fn uncomment_block(text: &str, begin: &str, end: &str) -> String {
    let mut inside = false;
    let mut seen = (false, false);
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == begin {
            inside = true;
            seen.0 = true;
        } else if trimmed == end {
            inside = false;
            seen.1 = true;
        } else if inside {
            let indent = &line[..line.len() - line.trim_start().len()];
            let body = trimmed.strip_prefix("# ").unwrap_or(trimmed);
            out.push(format!("{indent}{body}"));
            continue;
        }
        out.push(line.to_string());
    }
    assert!(seen.0 && seen.1, "expected the lines `{begin}` and `{end}`");
    out.join("\n") + "\n"
}

/// A valid gzip stream (RFC 1952) holding `data` in one stored deflate block: no compression,
/// so the test needs no encoder.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("at most 64 KiB");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.push(1); // BFINAL, BTYPE 00: stored.
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid brotli stream (RFC 7932) holding `data` in one uncompressed meta-block.
fn stored_brotli(data: &[u8]) -> Vec<u8> {
    assert!(!data.is_empty() && data.len() <= 1 << 16);
    // Bits from the least significant: WBITS 16 (a 0 bit), ISLAST 0, MNIBBLES 4 (00),
    // MLEN - 1 (16 bits), ISUNCOMPRESSED 1, zero padding to the byte boundary.
    let header = ((data.len() as u32 - 1) << 4) | (1 << 20);
    let mut out = header.to_le_bytes()[..3].to_vec();
    out.extend(data);
    out.push(0b11); // The last meta-block: ISLAST 1, ISLASTEMPTY 1.
    out
}
