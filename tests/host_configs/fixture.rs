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
        fixture
    }

    /// A port on 127.0.0.1 that was free a moment ago.
    pub fn free_port(&self) -> u16 {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
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
