//! `cargo xtask dist [--cloud C]`: a release build packaged for one cloud, as
//! `target/tapdesk-dist/tapdesk-<version>-<cloud>.tar.gz` plus `SHA256SUMS`.
//!
//! The package holds `dist/` (the page; its `config.example.json` names the cloud's hosts)
//! and `deploy/` (the host configs with the cloud's hosts in `connect-src`, and their README).
//! The unpacked folder stays beside the tarball, so `sha256sum -c SHA256SUMS` in
//! `target/tapdesk-dist/` checks both.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::build::{self, Profile};
use crate::cloud::Cloud;
use crate::tools::{self, SetupOptions};

/// Files of `deploy/` rendered for the cloud; anything else there is copied as is.
const RENDERED: [&str; 3] = ["nginx.conf", "Caddyfile", "staticwebapp.config.json"];

/// Builds the page, then writes the package for `cloud` and `SHA256SUMS`, printing both.
pub fn dist(cloud: Cloud) -> Result<()> {
    let toolbox = tools::setup(SetupOptions::default())?;
    build::build(&toolbox, Profile::Release)?;
    let root = &toolbox.shell.root;
    let version = package_version(&std::fs::read_to_string(root.join("Cargo.toml"))?)
        .context("no `version` under [package] in Cargo.toml")?;
    let out = root.join("target").join("tapdesk-dist");
    let name = format!("tapdesk-{version}-{}", cloud.name());
    let stage = out.join(&name);
    let tarball = out.join(format!("{name}.tar.gz"));
    if stage.exists() {
        std::fs::remove_dir_all(&stage)
            .with_context(|| format!("cannot remove {}", stage.display()))?;
    }
    stage_package(root, &stage, cloud)?;
    write_tarball(&stage, &name, &tarball)?;
    let sums = out.join("SHA256SUMS");
    std::fs::write(&sums, checksums(&out)?)?;
    println!("[dist] {} ({} bytes)", tarball.display(), size(&tarball)?);
    println!(
        "[dist] {}/ (unpacked, {} bytes)",
        stage.display(),
        tree_size(&stage)?
    );
    println!("[dist] {} ({} bytes)", sums.display(), size(&sums)?);
    println!(
        "[dist] verify with: (cd {} && sha256sum -c SHA256SUMS)",
        out.display()
    );
    Ok(())
}

/// Copies `dist/` and `deploy/` into `stage`, rendering the cloud's hosts into the configs.
fn stage_package(root: &Path, stage: &Path, cloud: Cloud) -> Result<()> {
    let dist = stage.join("dist");
    copy_dir(&root.join("dist"), &dist)?;
    let example = root.join("config.example.json");
    let example = std::fs::read_to_string(&example)
        .with_context(|| format!("cannot read {}", example.display()))?;
    std::fs::write(dist.join("config.example.json"), cloud.render(&example)?)?;
    // The rendered example replaced the built one: its `.br`/`.gz` must follow.
    crate::compress::precompress(&dist)?;
    let deploy = stage.join("deploy");
    std::fs::create_dir_all(&deploy)?;
    for entry in std::fs::read_dir(root.join("deploy")).context("deploy/ is missing")? {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let text = if RENDERED.contains(&file) {
            cloud
                .render(&text)
                .with_context(|| format!("rendering {}", path.display()))?
        } else {
            text
        };
        std::fs::write(deploy.join(file), text)?;
    }
    Ok(())
}

/// Writes `stage` as `<name>/…` into a gzip tarball with fixed owners, modes and times, so the
/// same inputs give the same bytes.
fn write_tarball(stage: &Path, name: &str, tarball: &Path) -> Result<()> {
    let mtime = archive_time();
    let file =
        File::create(tarball).with_context(|| format!("cannot create {}", tarball.display()))?;
    let gz = flate2::GzBuilder::new()
        .mtime(mtime as u32)
        .write(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    for path in files_under(stage)? {
        let rel = path.strip_prefix(stage)?;
        let bytes = std::fs::read(&path)?;
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, Path::new(name).join(rel), bytes.as_slice())
            .with_context(|| format!("cannot add {} to the tarball", rel.display()))?;
    }
    tar.into_inner()?.finish()?;
    Ok(())
}

/// `SOURCE_DATE_EPOCH` if set (reproducible builds), otherwise the time of the last commit.
fn archive_time() -> u64 {
    let from_env = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok());
    from_env
        .or_else(|| {
            let out = std::process::Command::new("git")
                .args(["log", "-1", "--format=%ct"])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout).trim().parse().ok()
        })
        .unwrap_or(0)
}

/// `sha256sum` lines for every tarball and every unpacked file in `out`, paths relative to it.
fn checksums(out: &Path) -> Result<String> {
    let mut lines = String::new();
    for path in files_under(out)? {
        let rel = path.strip_prefix(out)?.to_string_lossy().into_owned();
        if rel == "SHA256SUMS" {
            continue;
        }
        let digest = Sha256::digest(std::fs::read(&path)?);
        lines.push_str(&format!("{}  {rel}\n", crate::loader::hex(&digest)));
    }
    Ok(lines)
}

/// The `version = "…"` of the `[package]` table of a Cargo.toml text.
fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("version") {
                let value = value.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Every file below `dir`, sorted (so archives and checksum lists are stable).
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

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if !from.join("index.html").is_file() {
        bail!("{} holds no built page", from.display());
    }
    for file in files_under(from)? {
        let target = to.join(file.strip_prefix(from)?);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&file, &target).with_context(|| format!("cannot copy {}", file.display()))?;
    }
    Ok(())
}

fn size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)?.len())
}

fn tree_size(dir: &Path) -> Result<u64> {
    files_under(dir)?.iter().map(|f| size(f)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_version_only() {
        let manifest = "[workspace]\nversion = \"9\"\n\n[package]\nname = \"tapdesk\"\nversion = \"0.1.0\"\n\n[dependencies]\nversion = \"2\"\n";
        assert_eq!(package_version(manifest).as_deref(), Some("0.1.0"));
        assert_eq!(package_version("[package]\nname = \"x\"\n"), None);
    }
}
