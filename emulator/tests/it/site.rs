//! The static site listener serves the precompressed `.br`/`.gz` files `cargo xtask build`
//! writes, by the request's `Accept-Encoding`, with the original file's type and the same
//! security headers, and never a variant that no longer matches its file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::flow::*;
use reqwest::header::{HeaderMap, ACCEPT_ENCODING};
use reqwest::StatusCode;

/// A page folder with a wasm and a JS file, each with real `.br` and `.gz` variants, and a
/// small CSS file without any; removed on drop.
struct Page {
    dir: PathBuf,
    wasm: Vec<u8>,
    js: Vec<u8>,
}

const WASM: &str = "app-0123456789abcdef_bg.wasm";
const JS: &str = "app-0123456789abcdef.js";

impl Page {
    fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tapdesk-emu-precompressed-{label}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend((0..4000u32).map(|i| (i % 17) as u8));
        let js = "export function f() { return 'tapdesk'; }\n"
            .repeat(50)
            .into_bytes();
        for (name, bytes) in [(WASM, &wasm), (JS, &js)] {
            std::fs::write(dir.join(name), bytes).expect("write");
            std::fs::write(dir.join(format!("{name}.br")), brotli(bytes)).expect("write");
            std::fs::write(dir.join(format!("{name}.gz")), gzip(bytes)).expect("write");
        }
        std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").expect("write");
        std::fs::write(dir.join("main.css"), "body{}").expect("write");
        Self { dir, wasm, js }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes).expect("brotli");
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

async fn start(dir: &Path) -> tapdesk_emulator::Emulator {
    tapdesk_emulator::Emulator::start(tapdesk_emulator::EmulatorConfig {
        site: Some(tapdesk_emulator::SiteConfig {
            port: 0,
            dir: dir.to_path_buf(),
            config_json: None,
            path_prefix: "/".into(),
        }),
        ..Default::default()
    })
    .await
    .expect("start")
}

/// Status, headers and the body as sent (reqwest here decodes nothing).
async fn fetch(url: &str, accept: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = http().get(url);
    if let Some(a) = accept {
        req = req.header(ACCEPT_ENCODING, a);
    }
    let resp = req.send().await.expect("get");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.expect("body").to_vec())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn site_serves_precompressed_files_by_accept_encoding() {
    let page = Page::new("serve");
    let emu = start(&page.dir).await;
    let site = emu.site_url().expect("site");
    let (_, plain, _) = fetch(&format!("{site}{JS}"), None).await;
    let csp = header(&plain, "content-security-policy").expect("csp");
    for (name, raw, ct) in [
        (WASM, &page.wasm, "application/wasm"),
        (JS, &page.js, "text/javascript; charset=utf-8"),
    ] {
        let url = format!("{site}{name}");
        for (accept, coding, suffix) in [
            (Some("gzip, deflate, br, zstd"), Some("br"), ".br"),
            (Some("br;q=0.5, gzip"), Some("gzip"), ".gz"),
            (Some("gzip;q=0, *"), Some("br"), ".br"),
            (Some("br;q=0, gzip;q=0"), None, ""),
            (Some("identity"), None, ""),
            (None, None, ""),
        ] {
            let what = format!("{name} with Accept-Encoding {accept:?}");
            let (status, h, body) = fetch(&url, accept).await;
            assert_eq!(status, StatusCode::OK, "{what}");
            assert_eq!(header(&h, "content-encoding"), coding, "{what}");
            assert_eq!(header(&h, "content-type"), Some(ct), "{what}");
            assert_eq!(header(&h, "vary"), Some("Accept-Encoding"), "{what}");
            assert_eq!(
                header(&h, "cache-control"),
                Some("public, max-age=31536000, immutable"),
                "{what}"
            );
            assert_eq!(header(&h, "content-security-policy"), Some(csp), "{what}");
            assert_eq!(
                header(&h, "x-content-type-options"),
                Some("nosniff"),
                "{what}"
            );
            let expected = if suffix.is_empty() {
                raw.clone()
            } else {
                std::fs::read(page.dir.join(format!("{name}{suffix}"))).expect("variant")
            };
            assert!(body == expected, "{what}: body is not the {suffix:?} file");
        }
    }
    // A file without variants: raw, and no Vary.
    let (status, h, body) = fetch(&format!("{site}main.css"), Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "content-encoding"), None);
    assert_eq!(header(&h, "vary"), None);
    assert_eq!(body, b"body{}");
    emu.shutdown().await;
}

#[tokio::test]
async fn site_never_serves_a_variant_that_no_longer_matches_its_file() {
    let page = Page::new("stale");
    // One changed byte in the wasm after precompressing, as the integrity E2E tests do.
    let mut changed = page.wasm.clone();
    changed[100] ^= 0xff;
    std::fs::write(page.dir.join(WASM), &changed).expect("write");
    // A variant that is not a valid stream at all.
    std::fs::write(page.dir.join(format!("{JS}.br")), b"garbage").expect("write");
    let emu = start(&page.dir).await;
    let site = emu.site_url().expect("site");
    let (_, h, body) = fetch(&format!("{site}{WASM}"), Some("br, gzip")).await;
    assert_eq!(header(&h, "content-encoding"), None);
    assert_eq!(header(&h, "vary"), Some("Accept-Encoding"));
    assert!(body == changed, "the changed bytes on disk are served");
    let (_, h, body) = fetch(&format!("{site}{JS}"), Some("br, gzip")).await;
    assert_eq!(
        header(&h, "content-encoding"),
        Some("gzip"),
        "the valid .gz"
    );
    assert!(body == gzip(&page.js));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_file_changed_while_the_site_runs_is_served_raw_until_its_variant_matches_again() {
    let page = Page::new("running");
    let emu = start(&page.dir).await;
    let url = format!("{}{WASM}", emu.site_url().expect("site"));
    let (_, h, _) = fetch(&url, Some("br")).await;
    assert_eq!(header(&h, "content-encoding"), Some("br"), "checked once");
    // Same length, one byte changed, while the emulator runs.
    let mut changed = page.wasm.clone();
    changed[100] ^= 0xff;
    std::fs::write(page.dir.join(WASM), &changed).expect("write");
    let (_, h, body) = fetch(&url, Some("br")).await;
    assert_eq!(
        header(&h, "content-encoding"),
        None,
        "the checked pair no longer holds"
    );
    assert!(body == changed);
    // Precompressed again (as `cargo xtask build` does): the variant is served again.
    std::fs::write(page.dir.join(format!("{WASM}.br")), brotli(&changed)).expect("write");
    let (_, h, body) = fetch(&url, Some("br")).await;
    assert_eq!(header(&h, "content-encoding"), Some("br"));
    assert!(body == brotli(&changed));
    emu.shutdown().await;
}
