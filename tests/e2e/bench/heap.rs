//! The JS heap (and wasm memory) while the page parses, checks and previews 10,000 rows of
//! UPNs that do not exist, plus the Graph requests of that dry run.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use serde_json::json;

use super::{bench_dir, page_ms, CLICK_AT, MARK_WHEN, PASTE, RUN_BOUND};
use crate::harness::{self, Harness, Options, SessionPost};
use crate::pages::{boot, bulk};

/// Rows of the heap benchmark; none of them exists, so the dry run only looks them up.
const HEAP_ROWS: usize = 10_000;

/// V8's used heap of the page (`Runtime.getHeapUsage`, exact), in bytes.
pub(super) async fn cdp_heap(h: &Harness) -> Result<f64> {
    let v = h
        .driver
        .issue_cmd(SessionPost {
            path: "goog/cdp/execute",
            body: json!({"cmd": "Runtime.getHeapUsage", "params": {}}).to_string(),
        })
        .await?;
    v["usedSize"]
        .as_f64()
        .with_context(|| format!("Runtime.getHeapUsage answered {v}"))
}

/// `performance.memory.usedJSHeapSize` (Chromium only; coarse unless Chromium runs with
/// `--enable-precise-memory-info`), or null.
const JS_HEAP: &str = "return performance.memory ? performance.memory.usedJSHeapSize : null;";
/// The wasm linear memory in bytes: the page's wasm-bindgen module is already initialised,
/// so importing it again hands back the same instance's exports.
const WASM_MEMORY: &str = "const done = arguments[arguments.length - 1];
    const link = document.querySelector('link[rel=modulepreload]');
    if (!link) { done(null); } else {
        import(link.href).then((m) => m.default()).then(
            (w) => done(w && w.memory ? w.memory.buffer.byteLength : null), () => done(null));
    }";

pub(super) async fn wasm_memory(h: &Harness) -> Result<Option<f64>> {
    Ok(h.driver.execute_async(WASM_MEMORY, vec![]).await?.as_f64())
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1_048_576.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn bulk_10000_rows_peak_heap() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let upns: Vec<String> = (1..=HEAP_ROWS)
            .map(|n| format!("nobody.{n:05}@contoso.onmicrosoft.com"))
            .collect();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        h.wait_for_css(bulk::PASTE).await?;
        let base_cdp = cdp_heap(&h).await?;
        let base_js = h.driver.execute(JS_HEAP, vec![]).await?.as_f64();
        let base_wasm = wasm_memory(&h).await?;
        h.emu.reset_graph_counters();
        h.driver.execute(PASTE, vec![json!(upns.join("\n")), json!(bulk::PASTE)]).await?;
        h.driver
            .execute(MARK_WHEN, vec![json!(bulk::COUNTS), json!("checked")])
            .await?;
        let t0 = h.driver.execute(CLICK_AT, vec![json!(bulk::CHECK)]).await?;
        let (mut peak_cdp, mut peak_js, mut samples) = (base_cdp, base_js.unwrap_or(0.0), 0u32);
        let deadline = Instant::now() + RUN_BOUND;
        let t1 = loop {
            samples += 1;
            peak_cdp = peak_cdp.max(cdp_heap(&h).await?);
            let state = h
                .driver
                .execute(
                    "return [performance.memory ? performance.memory.usedJSHeapSize : null,
                        (window.__bench || {}).checked ?? null];",
                    vec![],
                )
                .await?;
            if let Some(js) = state[0].as_f64() {
                peak_js = peak_js.max(js);
            }
            if let Some(t1) = state[1].as_f64() {
                break t1;
            }
            if Instant::now() >= deadline {
                bail!("the dry run of {HEAP_ROWS} rows did not end within {} s", RUN_BOUND.as_secs());
            }
            tokio::time::sleep(harness::POLL).await;
        };
        let wall = page_ms(t0, t1)?;
        let counts = h.emu.graph_requests();
        let after_cdp = cdp_heap(&h).await?;
        let after_wasm = wasm_memory(&h).await?;
        let text = h.wait_for_css(bulk::COUNTS).await?.text().await?;
        ensure!(
            text.contains(&format!("0 ready · 0 with warnings · {HEAP_ROWS} blocked")),
            "dry run of unknown users: {text}"
        );
        let opt = |v: Option<f64>| v.map_or("n/a".to_string(), mib);
        println!("\n### bulk input of {HEAP_ROWS} unknown UPNs: parse, dry run and preview\n");
        println!("| measure | before paste | peak (parse + dry run + preview) | after preview |");
        println!("|---|---:|---:|---:|");
        println!("| V8 used heap (CDP Runtime.getHeapUsage, {samples} samples) | {} | {} | {} |", mib(base_cdp), mib(peak_cdp), mib(after_cdp));
        println!("| performance.memory.usedJSHeapSize (coarse in headless) | {} | {} | – |", opt(base_js), opt(base_js.map(|_| peak_js)));
        println!("| wasm linear memory (never shrinks) | {} | – | {} |", opt(base_wasm), opt(after_wasm));
        println!("\ndry run: {:.2} s (page time), {} Graph HTTP requests ({} preflights), {} batch items\n", wall.as_secs_f64(), counts.http_requests, counts.preflights, counts.batch_items);
        let report = json!({
            "rows": HEAP_ROWS,
            "samples": samples,
            "v8UsedHeapBytes": {"before": base_cdp, "peak": peak_cdp, "after": after_cdp},
            "performanceMemoryUsedJSHeapSize": {"before": base_js, "peak": base_js.map(|_| peak_js)},
            "wasmMemoryBytes": {"before": base_wasm, "after": after_wasm},
            "dryRunSeconds": wall.as_secs_f64(),
            "graph": {"httpRequests": counts.http_requests, "preflights": counts.preflights, "batchItems": counts.batch_items},
        });
        let path = bench_dir()?.join("heap.json");
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
        println!("written: {}", path.display());
        Ok(())
    })
    .await
}
