//! `cargo xtask build`: the page into `dist/` through the release pipeline
//! ([`crate::release`]), offline, with the pinned tools.

use std::path::PathBuf;

use anyhow::Result;

use crate::release::{self, Layout};
use crate::tools::Toolbox;

pub use crate::release::Profile;

impl Profile {
    pub fn from_dev_flag(dev: bool) -> Self {
        if dev {
            Self::Dev
        } else {
            Self::Release
        }
    }
}

/// Builds the split page into `<root>/dist`.
pub fn build(toolbox: &Toolbox, profile: Profile) -> Result<()> {
    build_into(
        toolbox,
        Layout::Split,
        profile,
        toolbox.shell.root.join("dist"),
    )
    .map(drop)
}

/// Builds the one-module page (as before the split) into `<root>/target/dist-single`, the
/// comparison `cargo xtask bench` measures beside `dist/`.
pub fn build_single(toolbox: &Toolbox, profile: Profile) -> Result<PathBuf> {
    let out = toolbox.shell.root.join("target").join("dist-single");
    build_into(toolbox, Layout::Single, profile, out)
}

/// Builds the page with `layout` into `out`, printing what it wrote; returns `out`.
pub fn build_into(
    toolbox: &Toolbox,
    layout: Layout,
    profile: Profile,
    out: PathBuf,
) -> Result<PathBuf> {
    let built = release::build(&toolbox.shell, layout, profile, &out)?;
    // After index.html and its integrity hashes: the variants are of the finished files.
    println!(
        "[build] precompressed {}: {}",
        out.display(),
        crate::compress::precompress(&out)?
    );
    println!(
        "[build] {} ({} files; screen modules: {})",
        out.display(),
        built.files.len(),
        if built.screens.is_empty() {
            "none, one module".to_owned()
        } else {
            built.screens.join(", ")
        }
    );
    Ok(out)
}
