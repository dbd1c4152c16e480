//! `cargo xtask setup`: checks each tool at its pinned version and installs what is missing.
//!
//! Versions come from `../shared/docs/toolchain.md`. The page build needs only the wasm32
//! target and wasm-opt (the splitter and wasm-bindgen are libraries inside xtask, see
//! `release.rs`); the tests add wasm-bindgen-cli (its test runner) equal to
//! the `wasm-bindgen` crate in Cargo.lock, wasm-opt from npm binaryen 132 (never Debian's
//! binaryen 108, which produces a blank page), and for tests Debian's Chromium, chromedriver,
//! nginx and Caddy and npm axe-core.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::shell::Shell;

pub const BINARYEN_VERSION: &str = "132.0.0";
pub const AXE_VERSION: &str = "4.10.3";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const NGINX: &str = "/usr/sbin/nginx";
pub const CADDY: &str = "/usr/bin/caddy";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What `setup` should cover beyond the page build tools.
#[derive(Debug, Default, Clone, Copy)]
pub struct SetupOptions {
    /// Also the test tools: Chromium, chromedriver, axe-core, nginx and Caddy (needed by
    /// `cargo xtask test`; nginx and Caddy by tests/host_configs.rs).
    pub browser: bool,
}

/// The result of a successful setup: a shell whose PATH finds every tool.
pub struct Toolbox {
    pub shell: Shell,
}

impl Toolbox {
    /// `axe.min.js` inside the npm cache (present after `setup --browser`).
    pub fn axe_js(&self) -> PathBuf {
        self.shell.npm_dir.join("node_modules/axe-core/axe.min.js")
    }
}

/// Ensures every tool is present at the right version, printing one line per step.
pub fn setup(opts: SetupOptions) -> Result<Toolbox> {
    let shell = Shell::new()?;
    wasm_target(&shell)?;
    bindgen_library(&shell)?;
    npm_package(&shell, "binaryen", BINARYEN_VERSION)?;
    if opts.browser {
        wasm_bindgen(&shell)?;
        test_packages(&shell)?;
        npm_package(&shell, "axe-core", AXE_VERSION)?;
    }
    Ok(Toolbox { shell })
}

/// The `wasm-bindgen` version recorded in Cargo.lock, e.g. `0.2.130`.
pub fn locked_wasm_bindgen(shell: &Shell) -> Result<String> {
    let lock_path = shell.root.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).with_context(|| {
        format!(
            "cannot read {}; run `cargo generate-lockfile`",
            lock_path.display()
        )
    })?;
    locked_version(&lock, "wasm-bindgen").with_context(|| {
        format!(
            "Cargo.lock has no `wasm-bindgen` package; is the page crate missing from {}?",
            shell.root.display()
        )
    })
}

/// The version of the CLI `wasm-bindgen` on the project PATH, if any.
pub fn installed_wasm_bindgen(shell: &Shell) -> Option<String> {
    let out = shell.probe(shell.cmd("wasm-bindgen").arg("--version"))?;
    version_word(&out, "wasm-bindgen")
}

pub(crate) fn wasm_target(shell: &Shell) -> Result<()> {
    let installed = shell
        .probe(shell.cmd("rustup").args(["target", "list", "--installed"]))
        .context("`rustup` is not available; install Rust with rustup (https://rustup.rs)")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("[ok] rust target {WASM_TARGET} (already installed)");
        return Ok(());
    }
    println!("[install] rust target {WASM_TARGET}");
    shell
        .run(shell.cmd("rustup").args(["target", "add", WASM_TARGET]))
        .context(
            "could not add the WebAssembly target; check that rustup can reach its dist server",
        )
}

/// The bindgen library linked into xtask must equal the `wasm-bindgen` crate the page uses;
/// checked from Cargo.lock so a bump of one without the other fails here, in words.
fn bindgen_library(shell: &Shell) -> Result<()> {
    let lock = std::fs::read_to_string(shell.root.join("Cargo.lock"))?;
    let crate_version = locked_wasm_bindgen(shell)?;
    match locked_version(&lock, "wasm-bindgen-cli-support") {
        Some(v) if v == crate_version => Ok(()),
        Some(v) => bail!(
            "xtask's wasm-bindgen-cli-support is {v} but the page's wasm-bindgen is {crate_version}: \
             pin both to the same version (xtask/Cargo.toml and Cargo.toml)"
        ),
        None => bail!("Cargo.lock has no wasm-bindgen-cli-support; run `cargo generate-lockfile`"),
    }
}

fn wasm_bindgen(shell: &Shell) -> Result<()> {
    let wanted = locked_wasm_bindgen(shell)?;
    let current = installed_wasm_bindgen(shell);
    if current.as_deref() == Some(wanted.as_str()) {
        println!("[ok] wasm-bindgen-cli {wanted} (already installed)");
        return Ok(());
    }
    announce("wasm-bindgen-cli", &wanted, current.as_deref(), "~4 min");
    // Not `--locked`: one of its locked dependencies is missing from the registry mirror.
    shell
        .run(
            shell
                .cargo()
                .args(["install", "wasm-bindgen-cli", "--version", &wanted]),
        )
        .context("could not build wasm-bindgen-cli; check that crates.io is reachable")
}

/// Installs `name@version` into the npm cache folder unless that exact version is there.
fn npm_package(shell: &Shell, name: &str, version: &str) -> Result<()> {
    let manifest = shell
        .npm_dir
        .join("node_modules")
        .join(name)
        .join("package.json");
    let current = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| json_string_field(&text, "version"));
    if current.as_deref() == Some(version) {
        println!("[ok] npm {name} {version} (already installed)");
        return Ok(());
    }
    if shell.probe(shell.cmd("npm").arg("--version")).is_none() {
        bail!("npm is missing: install Node.js 18+ (apt-get install nodejs npm), then rerun");
    }
    announce(
        &format!("npm {name}"),
        version,
        current.as_deref(),
        "seconds",
    );
    std::fs::create_dir_all(&shell.npm_dir)
        .with_context(|| format!("cannot create {}", shell.npm_dir.display()))?;
    let spec = format!("{name}@{version}");
    shell
        .run(
            shell
                .cmd("npm")
                .arg("install")
                .arg("--prefix")
                .arg(&shell.npm_dir)
                .args(["--no-audit", "--no-fund", &spec]),
        )
        .with_context(|| {
            format!("could not install {spec} from npm; check that the npm registry is reachable")
        })
}

/// The Debian packages of the test tools, each with the file that shows it is installed.
const TEST_PACKAGES: [(&str, &str); 4] = [
    ("chromium", CHROMIUM),
    ("chromium-driver", CHROMEDRIVER),
    // The host config tests (tests/host_configs.rs) run deploy/ with the real servers.
    ("nginx", NGINX),
    ("caddy", CADDY),
];

/// Installs the missing [`TEST_PACKAGES`] with one `apt-get install` (as root; otherwise
/// prints the command to run).
fn test_packages(shell: &Shell) -> Result<()> {
    let missing: Vec<&str> = TEST_PACKAGES
        .into_iter()
        .filter(|(_, path)| !std::path::Path::new(path).exists())
        .map(|(package, _)| package)
        .collect();
    if missing.is_empty() {
        let version = shell
            .probe(shell.cmd(CHROMEDRIVER).arg("--version"))
            .unwrap_or_default();
        let version = version.split(" (").next().unwrap_or_default();
        println!("[ok] chromium + chromedriver ({version}) (already installed)");
        println!("[ok] nginx + caddy (already installed)");
        return Ok(());
    }
    let command = format!("apt-get update && apt-get install -y {}", missing.join(" "));
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        bail!(
            "{} missing; install as root, then rerun:\n    sudo sh -c '{command}'",
            missing.join(", ")
        );
    }
    // Where systemd runs, Debian starts nginx's and caddy's own services on install; the
    // tests do not need them (`systemctl disable --now nginx caddy` stops them).
    println!("[install] {} via apt-get (~1 min)", missing.join(", "));
    shell
        .run(shell.cmd("apt-get").arg("update"))
        .context("`apt-get update` failed; check that the Debian mirror is reachable")?;
    shell
        // CI has no terminal: never let a package's configuration wait for an answer.
        .run(
            shell
                .cmd("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y"])
                .args(&missing),
        )
        .with_context(|| format!("could not install the test tools; try `{command}` by hand"))
}

fn announce(tool: &str, wanted: &str, current: Option<&str>, duration: &str) {
    match current {
        Some(v) => println!("[install] {tool} {wanted} (found {v}; takes {duration})"),
        None => println!("[install] {tool} {wanted} (not found; takes {duration})"),
    }
}

/// The word after `name` in a `--version` line such as `trunk 0.21.14`.
fn version_word(output: &str, name: &str) -> Option<String> {
    let line = output.lines().next()?;
    let rest = line.trim().strip_prefix(name)?;
    rest.split_whitespace().next().map(str::to_string)
}

/// The `version` of the `[[package]]` named `name` in a Cargo.lock text.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == wanted {
            let version = lines.next()?.strip_prefix("version = \"")?;
            return version.strip_suffix('"').map(str::to_string);
        }
    }
    None
}

/// The string value of a top-level `"field": "..."` in a package.json (enough for `version`).
fn json_string_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\"");
    let after = &json[json.find(&key)? + key.len()..];
    let value = after
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    value.split('"').next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version_of_exactly_the_named_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "leptos"), None);
    }

    #[test]
    fn parses_version_lines() {
        assert_eq!(
            version_word("trunk 0.21.14\n", "trunk").as_deref(),
            Some("0.21.14")
        );
        assert_eq!(
            version_word("wasm-bindgen 0.2.130", "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(version_word("something else", "trunk"), None);
    }

    #[test]
    fn reads_package_json_version() {
        let json = "{\n  \"name\": \"binaryen\",\n  \"version\": \"132.0.0\",\n}";
        assert_eq!(
            json_string_field(json, "version").as_deref(),
            Some("132.0.0")
        );
    }
}
