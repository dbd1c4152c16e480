//! The page's build pipeline, without Trunk (which runs wasm-bindgen before any hook and so
//! cannot split): cargo build → split the wasm at each lazily loaded screen → wasm-bindgen →
//! wasm-opt per module → content-named files → our own `index.html` with Subresource
//! Integrity on every file it loads, directly or later.
//!
//! Every file of one build carries the same build id (the SHA-384 of all generated code, first
//! 16 hex digits), so a name's content never changes (hosts cache `-<16 hex>` names for a
//! year) and the files of two builds never mix. The loader script (`boot-<hash>.js`) fetches
//! the main wasm with its integrity; the split loader (`split-<id>.js`) fetches each screen's
//! module with its integrity; `<link rel="modulepreload" integrity>` covers both JS modules.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha384};

use crate::loader::{hex, sri};
use crate::shell::Shell;

/// How the wasm is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One module for the sign-in page and One user, one per other screen (the release build).
    Split,
    /// Everything in one module, as before the split (for comparison: `cargo xtask bench`).
    Single,
}

/// Cargo profile and whether wasm-opt runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `--release` (size-optimised, see Cargo.toml) and wasm-opt.
    Release,
    /// A debug build, no wasm-opt: quick to build, large.
    Dev,
}

/// The link module's name as the splitter writes it into the main wasm's imports: replaced in
/// the JS glue by the content-named `split-<id>.js`.
const LINK_PLACEHOLDER: &str = "./__wasm_split.js";
/// The main JS module's name inside the link module, replaced by `tapdesk-<id>.js`.
const MAIN_PLACEHOLDER: &str = "./tapdesk.js";
/// wasm-opt's arguments: size first. Measured against `-Oz` alone (issue 14): `-Os`, `-O3`,
/// `-O4` are larger; `--converge` saves under 1 KB brotli for minutes of build time, so only
/// the strips are added.
const WASM_OPT_ARGS: [&str; 3] = ["-Oz", "--strip-debug", "--strip-producers"];

/// What a build wrote, for the summary line and the tests.
#[derive(Debug)]
pub struct Built {
    /// Every file name in the output folder, in writing order.
    pub files: Vec<String>,
    /// The screen modules (empty for [`Layout::Single`]).
    pub screens: Vec<String>,
}

/// Builds the page into `out` (emptied first).
pub fn build(shell: &Shell, layout: Layout, profile: Profile, out: &Path) -> Result<Built> {
    let wasm = compile(shell, layout, profile)?;
    let stage = shell
        .root
        .join("target")
        .join("xtask-release")
        .join(match layout {
            Layout::Split => "split",
            Layout::Single => "single",
        });
    recreate(&stage)?;
    let (main_input, chunks) = match layout {
        Layout::Split => split(&wasm, &stage)?,
        Layout::Single => (wasm, Vec::new()),
    };
    let bound = stage.join("bound");
    bindgen(&main_input, layout, &bound)?;
    let main_wasm = bound.join("tapdesk_bg.wasm");
    if profile == Profile::Release {
        for module in std::iter::once(&main_wasm).chain(chunks.iter().map(|c| &c.path)) {
            wasm_opt(shell, module)?;
        }
    }
    let glue = std::fs::read_to_string(bound.join("tapdesk.js"))?;
    let link = match layout {
        Layout::Split => Some(std::fs::read_to_string(
            stage.join("split").join("__wasm_split.js"),
        )?),
        Layout::Single => None,
    };
    let main_bytes = std::fs::read(&main_wasm)?;
    let chunk_bytes = chunks
        .iter()
        .map(|c| std::fs::read(&c.path).with_context(|| format!("reading {}", c.path.display())))
        .collect::<Result<Vec<_>>>()?;

    let id = {
        let mut h = Sha384::new();
        for part in [
            glue.as_bytes(),
            link.as_deref().unwrap_or("").as_bytes(),
            &main_bytes,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        for bytes in &chunk_bytes {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        hex(&h.finalize())[..16].to_owned()
    };
    recreate(out)?;
    let mut files = Vec::new();
    let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
        std::fs::write(out.join(name), bytes).with_context(|| format!("writing {name}"))?;
        files.push(name.to_owned());
        Ok(())
    };
    let main_js = format!("tapdesk-{id}.js");
    let main_wasm_name = format!("tapdesk-{id}_bg.wasm");
    let link_name = format!("split-{id}.js");
    let mut screens = Vec::new();
    let mut preloads = vec![(main_js.clone(), String::new())];
    let glue = match &link {
        Some(link) => {
            let mut link = replace_exactly_once(
                link,
                &quoted(MAIN_PLACEHOLDER),
                &quoted(&format!("./{main_js}")),
            )
            .context("the split loader no longer imports the main module as expected")?;
            for (chunk, bytes) in chunks.iter().zip(&chunk_bytes) {
                let name = format!("{}-{id}.wasm", chunk.stem);
                link =
                    with_integrity(&link, &format!("./{}.wasm", chunk.stem), &name, &sri(bytes))?;
                write(&name, bytes)?;
                screens.push(name);
            }
            write(&link_name, link.as_bytes())?;
            preloads.push((link_name.clone(), sri(link.as_bytes())));
            // One `import * as importN from "…"` per split function; the keys of the imports
            // object (`"./__wasm_split.js": importN`) stay: they are the wasm's import names.
            let from = format!("from {}", quoted(LINK_PLACEHOLDER));
            if !glue.contains(&from) {
                bail!("the JS glue no longer imports the split loader as expected (`{from}`)");
            }
            glue.replace(
                &from,
                &format!("from {}", quoted(&format!("./{link_name}"))),
            )
        }
        None => glue,
    };
    preloads[0].1 = sri(glue.as_bytes());
    write(&main_js, glue.as_bytes())?;
    write(&main_wasm_name, &main_bytes)?;

    let css = std::fs::read(shell.root.join("style").join("main.css"))
        .context("style/main.css is missing")?;
    let css_name = format!("main-{}.css", &hex(&Sha384::digest(&css))[..16]);
    write(&css_name, &css)?;
    let boot = crate::loader::loader(&main_js, &main_wasm_name, &sri(&main_bytes));
    let boot_name = format!("boot-{}.js", &hex(&Sha384::digest(boot.as_bytes()))[..16]);
    write(&boot_name, boot.as_bytes())?;
    let example = std::fs::read(shell.root.join("config.example.json"))
        .context("config.example.json is missing")?;
    write("config.example.json", &example)?;

    let template =
        std::fs::read_to_string(shell.root.join("index.html")).context("index.html is missing")?;
    let mut head = format!(
        "<link rel=\"stylesheet\" href=\"./{css_name}\" integrity=\"{}\" />\n    \
         <script type=\"module\" src=\"./{boot_name}\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
        sri(&css),
        sri(boot.as_bytes())
    );
    for (name, integrity) in &preloads {
        head.push_str(&format!(
            "\n    <link rel=\"modulepreload\" href=\"./{name}\" integrity=\"{integrity}\" crossorigin=\"anonymous\" />"
        ));
    }
    // The main wasm starts downloading with the page, not after the loader and the JS modules
    // arrived (one round trip sooner on a slow link). Same mode, credentials and integrity as
    // the loader's fetch, so the browser hands that fetch this download.
    head.push_str(&format!(
        "\n    <link rel=\"preload\" href=\"./{main_wasm_name}\" as=\"fetch\" type=\"application/wasm\" integrity=\"{}\" crossorigin=\"anonymous\" />",
        sri(&main_bytes)
    ));
    write("index.html", index_html(&template, &head)?.as_bytes())?;
    Ok(Built { files, screens })
}

/// The page template with Trunk's `<link data-trunk …>` lines replaced by `head`.
fn index_html(template: &str, head: &str) -> Result<String> {
    let mut lines: Vec<&str> = template.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.trim_start().starts_with("<link data-trunk"))
        .context("index.html has no `<link data-trunk …>` lines to replace")?;
    lines.retain(|l| !l.trim_start().starts_with("<link data-trunk"));
    let indent = "    ";
    let mut html = lines[..first].join("\n");
    html.push('\n');
    html.push_str(indent);
    html.push_str(head);
    html.push('\n');
    html.push_str(&lines[first..].join("\n"));
    html.push('\n');
    Ok(html)
}

/// `cargo build` of the page for wasm32, with relocations kept for the splitter.
fn compile(shell: &Shell, layout: Layout, profile: Profile) -> Result<PathBuf> {
    let mut cargo = shell.cargo();
    cargo.args([
        "rustc",
        "-p",
        "tapdesk",
        "--bin",
        "tapdesk",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    if layout == Layout::Split {
        // Only the final link changes (`cargo rustc` passes the flag to this crate alone), so
        // the dependencies' build cache is shared with the single-module build.
        cargo.args(["--features", "split", "--", "-C", "link-arg=--emit-relocs"]);
    }
    println!("[build] cargo build of the page ({layout:?}, {profile:?})");
    shell
        .run(&mut cargo)
        .context("the page did not compile; the cargo output above says why")?;
    Ok(shell
        .root
        .join("target/wasm32-unknown-unknown")
        .join(if profile == Profile::Release {
            "release"
        } else {
            "debug"
        })
        .join("tapdesk.wasm"))
}

/// One screen's module as the splitter wrote it.
#[derive(Debug)]
struct Chunk {
    path: PathBuf,
    stem: String,
}

/// Cuts the wasm at its split points: the main module (to bind) and one module per screen
/// (plus shared chunks, if two screens share code the main module does not hold).
fn split(wasm: &Path, stage: &Path) -> Result<(PathBuf, Vec<Chunk>)> {
    let input = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let dir = stage.join("split");
    let main = dir.join("main.wasm");
    let result = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &dir;
        opts.main_out_path = &main;
        opts.main_module = MAIN_PLACEHOLDER;
        opts.link_name = LINK_PLACEHOLDER;
        opts
    })
    .map_err(|e| anyhow::anyhow!("splitting the wasm failed: {e:#}"))?;
    let mut chunks: Vec<Chunk> = result
        .split_modules
        .into_iter()
        .map(|path| {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .context("a split module without a name")?
                .to_owned();
            Ok(Chunk { path, stem })
        })
        .collect::<Result<_>>()?;
    chunks.sort_by(|a, b| a.stem.cmp(&b.stem));
    if chunks.is_empty() {
        bail!("the splitter found no split points: was the page built with `--features split`?");
    }
    Ok((main, chunks))
}

/// wasm-bindgen as a library (the same version as the crate): JS glue for `--target web`.
fn bindgen(input: &Path, layout: Layout, out: &Path) -> Result<()> {
    println!("[build] wasm-bindgen");
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(input)
        .out_name("tapdesk")
        .typescript(false)
        .web(true)
        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
    if layout == Layout::Split {
        // The screen modules call into the main module through lld's exports.
        bindgen.keep_lld_exports(true).demangle(false);
    }
    bindgen
        .generate(out)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen failed: {e:#}"))
}

/// npm binaryen's wasm-opt on `module`, in place.
fn wasm_opt(shell: &Shell, module: &Path) -> Result<()> {
    let before = std::fs::metadata(module)?.len();
    let tmp = module.with_extension("opt.wasm");
    shell
        .run(
            shell
                .cmd("wasm-opt")
                .args(WASM_OPT_ARGS)
                .arg(module)
                .arg("-o")
                .arg(&tmp),
        )
        .context("wasm-opt failed; `cargo xtask setup` installs npm binaryen")?;
    std::fs::rename(&tmp, module)?;
    let after = std::fs::metadata(module)?.len();
    let name = module.file_name().and_then(|n| n.to_str()).unwrap_or("?");
    println!("[build] wasm-opt {name}: {before} -> {after} bytes");
    Ok(())
}

/// The split loader's `fetch(new URL("<from>", import.meta.url))` made to fetch `to` with
/// `integrity` (a module failing its check is refused, and the screen offers Retry).
fn with_integrity(link: &str, from: &str, to: &str, integrity: &str) -> Result<String> {
    let call = format!("fetch(new URL({}, import.meta.url))", quoted(from));
    let checked = format!(
        "fetch(new URL({}, import.meta.url), {{ integrity: {} }})",
        quoted(&format!("./{to}")),
        quoted(integrity)
    );
    replace_exactly_once(link, &call, &checked)
        .with_context(|| format!("the split loader does not fetch {from} as expected"))
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// `text` with the one occurrence of `from` replaced; an error if there are none or several.
fn replace_exactly_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("expected `{from}` once, found it {n} times"),
    }
}

fn recreate(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = r#"import { initSync } from "./tapdesk.js";
const __chunk_0 = makeLoad(() => {
    const src = fetch(new URL("./split_bulk.wasm", import.meta.url));
    src.catch(() => {});
"#;

    #[test]
    fn chunks_are_fetched_by_their_content_name_with_integrity() {
        let link = with_integrity(
            LINK,
            "./split_bulk.wasm",
            "split_bulk-0123456789abcdef.wasm",
            "sha384-X",
        )
        .unwrap();
        assert!(link.contains(
            r#"fetch(new URL("./split_bulk-0123456789abcdef.wasm", import.meta.url), { integrity: "sha384-X" })"#
        ));
        assert!(!link.contains("\"./split_bulk.wasm\""));
        assert!(with_integrity(LINK, "./split_audit.wasm", "a.wasm", "sha384-X").is_err());
    }

    #[test]
    fn a_changed_generator_fails_the_build() {
        assert!(replace_exactly_once("a a", "a", "b").is_err());
        assert!(replace_exactly_once("a", "c", "b").is_err());
        assert_eq!(replace_exactly_once("xay", "a", "b").unwrap(), "xby");
    }

    #[test]
    fn index_takes_the_generated_head_in_place_of_trunk_links() {
        let template = "<head>\n    <title>t</title>\n    <link data-trunk rel=\"css\" href=\"style/main.css\" />\n    <link data-trunk rel=\"rust\" />\n  </head>\n<body></body>";
        let html = index_html(template, "<script src=\"./boot.js\"></script>").unwrap();
        assert!(!html.contains("data-trunk"), "{html}");
        let title = html.find("<title>").unwrap();
        let script = html.find("boot.js").unwrap();
        assert!(
            title < script && script < html.find("</head>").unwrap(),
            "{html}"
        );
        assert!(index_html("<head></head>", "x").is_err());
    }
}
