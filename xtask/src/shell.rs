//! Running child processes with the project's PATH (npm tools first, then ~/.cargo/bin).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Where child processes run and which PATH they see.
pub struct Shell {
    /// The workspace root (the folder holding the root `Cargo.toml`).
    pub root: PathBuf,
    /// The npm prefix holding binaryen and axe-core: `~/.cache/tapdesk/npm`.
    pub npm_dir: PathBuf,
    path: OsString,
}

impl Shell {
    /// The shell for this checkout; PATH is `<npm_dir>/node_modules/.bin`, the cargo bin folder,
    /// then the inherited PATH, so the pinned wasm-opt always wins over a system one.
    pub fn new() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask lives inside the workspace")?
            .to_path_buf();
        let home = std::env::var_os("HOME").map(PathBuf::from).context(
            "HOME is not set; set it to your home folder (tools are cached under ~/.cache)",
        )?;
        let npm_dir = home.join(".cache").join("tapdesk").join("npm");
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cargo"))
            .join("bin");
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![npm_dir.join("node_modules").join(".bin"), cargo_bin];
        dirs.extend(std::env::split_paths(&inherited));
        let path = std::env::join_paths(dirs).context("a PATH entry contains `:`")?;
        Ok(Self {
            root,
            npm_dir,
            path,
        })
    }

    /// A command for `program` running in the workspace root with the project PATH.
    pub fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    /// A command running the cargo that runs xtask (falls back to `cargo` on PATH).
    pub fn cargo(&self) -> Command {
        self.cmd(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
    }

    /// Runs `cmd` with inherited stdio (output streams live); fails unless it exits with 0.
    pub fn run(&self, cmd: &mut Command) -> Result<()> {
        let shown = describe(cmd);
        let status = cmd
            .status()
            .with_context(|| format!("could not start `{shown}`"))?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(())
    }

    /// The trimmed stdout of `cmd` if it starts and exits with 0, otherwise `None`
    /// (used for `--version` probes, where "missing" and "broken" mean the same: install).
    pub fn probe(&self, cmd: &mut Command) -> Option<String> {
        let out = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// `program arg1 arg2` for messages.
pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
