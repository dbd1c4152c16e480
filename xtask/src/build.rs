//! `cargo xtask build`: the page into `dist/` with trunk, offline, after a version check.

use anyhow::{bail, Context, Result};

use crate::tools::{self, Toolbox};

/// Which trunk profile to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `trunk build --release`: size-optimised, wasm-opt applied (the default).
    Release,
    /// `trunk build` without `--release` (`cargo xtask build --dev`).
    Dev,
}

impl Profile {
    pub fn from_dev_flag(dev: bool) -> Self {
        if dev {
            Self::Dev
        } else {
            Self::Release
        }
    }
}

/// Builds the page into `<root>/dist`; fails before building if the wasm-bindgen CLI and the
/// crate in Cargo.lock differ (the bind step would fail late and obscurely otherwise).
pub fn build(toolbox: &Toolbox, profile: Profile) -> Result<()> {
    let shell = &toolbox.shell;
    let locked = tools::locked_wasm_bindgen(shell)?;
    match tools::installed_wasm_bindgen(shell) {
        Some(cli) if cli == locked => {}
        Some(cli) => bail!(
            "wasm-bindgen CLI is {cli} but Cargo.lock has wasm-bindgen {locked}; they must be equal: \
             run `cargo install wasm-bindgen-cli --version {locked}` (or `cargo xtask setup`)"
        ),
        None => bail!(
            "wasm-bindgen CLI not found; run `cargo xtask setup` (it installs version {locked})"
        ),
    }
    let mut trunk = shell.cmd("trunk");
    trunk.arg("build");
    if profile == Profile::Release {
        trunk.arg("--release");
    }
    // Offline: a version mismatch must fail with a message, not with a download attempt.
    trunk.arg("--offline").env("TRUNK_OFFLINE", "true");
    println!("[build] trunk build ({profile:?}) -> dist/");
    shell
        .run(&mut trunk)
        .context("the page did not build; the trunk output above says why")?;
    let index = shell.root.join("dist").join("index.html");
    if !index.is_file() {
        bail!("trunk succeeded but {} is missing", index.display());
    }
    let loader = crate::loader::externalise(&shell.root.join("dist"))?;
    println!("[build] inline loader moved to dist/{loader} (with Subresource Integrity)");
    println!(
        "[build] precompressed dist/: {}",
        crate::compress::precompress(&shell.root.join("dist"))?
    );
    Ok(())
}
