//! Browser end-to-end harness: a fresh emulator serving `dist/`, chromedriver and headless Chromium per test.
//!
//! Every scenario goes through [`run`], which owns the whole life cycle: it starts the emulator
//! (with the site on a free port), a chromedriver on a free port and a Chromium with a fresh
//! profile, hands the scenario an [`Arc<Harness>`], and afterwards *always* closes the browser
//! session, kills chromedriver's process group, shuts the emulator down and deletes the profile,
//! even when the scenario panicked, failed or hung. Then it re-raises the panic or returns the
//! error. Waits poll every 50 ms up to [`WAIT`]; nothing sleeps a fixed time (Leptos updates the
//! DOM asynchronously).
//!
//! ```ignore
//! #[tokio::test]
//! async fn signs_in() -> anyhow::Result<()> {
//!     harness::run(Options::default(), |h| async move {
//!         h.goto_page().await?;
//!         h.click("button.sign-in").await?;
//!         h.wait_for_text("h1", "Temporary Access Pass").await?;
//!         assert!(h.run_axe().await?.is_empty());
//!         Ok(())
//!     })
//!     .await
//! }
//! ```
//!
//! Environment: `TAPDESK_DIST` (built page, default `<repo>/dist`), `CHROMIUM` (default
//! `/usr/bin/chromium`), `CHROMEDRIVER` (default `/usr/bin/chromedriver`), `TAPDESK_AXE`
//! (`axe.min.js`, only for [`Harness::run_axe`]). `cargo xtask test` sets all four.
//! `TAPDESK_E2E_BROWSERS` (default [`DEFAULT_BROWSERS`]) bounds how many Chromiums run at once
//! in this process, whatever `--test-threads` says: a scenario waits for a slot before it starts
//! anything, and its time bound ([`Options::scenario_timeout`]) starts once it has one.

#![allow(dead_code)] // Each test binary uses a different subset of the helpers.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use tapdesk_emulator::{Emulator, EmulatorConfig, SiteConfig};

use browser::BrowserProcess;
pub(crate) use browser::SessionPost;

mod browser;

/// How long the `wait_*` helpers (and `click`, `type_into`) poll before failing.
pub const WAIT: Duration = Duration::from_secs(10);
/// Poll interval of the `wait_*` helpers.
pub const POLL: Duration = Duration::from_millis(50);
/// Upper bound for one whole scenario; a hung scenario fails instead of blocking CI.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(180);
/// Bound for each teardown step, so a wedged browser cannot block the cleanup.
pub(crate) const TEARDOWN_STEP: Duration = Duration::from_secs(5);
/// How many Chromiums run at once when `TAPDESK_E2E_BROWSERS` is not set (two cores: more
/// browsers only make every wait slower and the `WAIT` bounds flaky).
pub const DEFAULT_BROWSERS: usize = 2;

/// The process-wide browser slots: `TAPDESK_E2E_BROWSERS` of them (at least one).
fn browser_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(browser_limit()))
}

/// Scenarios between their slot and the end of their teardown, in this process.
static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One scenario counted in [`RUNNING`] while it lives. Entering fails when more scenarios run
/// than `TAPDESK_E2E_BROWSERS` allows: the proof that [`run`] keeps the bound.
struct Running;

impl Running {
    fn enter() -> Result<Self> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = RUNNING.fetch_add(1, SeqCst) + 1;
        let running = Running;
        let limit = browser_limit();
        if now > limit {
            bail!("{now} scenarios run at once, above TAPDESK_E2E_BROWSERS ({limit})");
        }
        Ok(running)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// `TAPDESK_E2E_BROWSERS` as a number of at least one, [`DEFAULT_BROWSERS`] when unset or not
/// a number.
fn browser_limit() -> usize {
    std::env::var("TAPDESK_E2E_BROWSERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(DEFAULT_BROWSERS, |n| n.max(1))
}

/// What a scenario needs from the emulator and the page.
#[derive(Debug, Clone)]
pub struct Options {
    /// Whether the demo tenant already granted admin consent to the SPA (skips the consent page).
    pub admin_consent_granted: bool,
    /// `/config.json` override: `None` = the emulator's generated config, `Some("")` = no
    /// config.json at all (404), `Some(json)` = exactly this body.
    pub config_json: Option<String>,
    /// Path of the page under the site origin, starting with `/` (default `/`). The site
    /// serves the page folder under this path's folder (`/tools/tap/` for `/tools/tap/` or
    /// `/tools/tap/index.html`), and the page's address is the registered redirect URI.
    pub site_path: String,
    /// The built page folder to serve instead of `$TAPDESK_DIST` (e.g. a tampered copy).
    pub dist: Option<PathBuf>,
    /// Upper bound for this scenario (from the moment it has a browser slot), default
    /// [`SCENARIO_TIMEOUT`]; long runs (benchmarks, big scans) raise it.
    pub scenario_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            admin_consent_granted: true,
            config_json: None,
            site_path: "/".to_string(),
            dist: None,
            scenario_timeout: SCENARIO_TIMEOUT,
        }
    }
}

/// A running emulator plus a WebDriver session on a headless Chromium.
///
/// Only [`run`] creates one; scenarios receive it as `Arc<Harness>` and use `emu` / `driver`
/// directly for anything the helpers do not cover.
pub struct Harness {
    /// The emulator (login, Graph and the site serving `dist/`).
    pub emu: Emulator,
    /// The WebDriver client of this test's Chromium.
    pub driver: Client,
    page_url: String,
    browser: Mutex<Option<BrowserProcess>>,
    console: Mutex<Vec<String>>,
}

/// Runs `scenario` against a fresh emulator, chromedriver and headless Chromium.
///
/// The scenario gets an `Arc<Harness>` (so `|h| async move { ... }` works without lifetime
/// annotations; the future need not be `Send` or `'static`). Whatever happens, the browser
/// session is closed, chromedriver (with its process group) killed, the emulator shut down and
/// the browser profile deleted; afterwards a panic in the scenario is resumed and an error is
/// returned. On failure the console messages, body text and a screenshot
/// (`target/e2e-failures/<test>.png`) are reported first. The scenario is bounded by
/// [`Options::scenario_timeout`]. At most `TAPDESK_E2E_BROWSERS` scenarios run at once; the
/// others wait for a slot before starting anything.
pub async fn run<F, Fut>(opts: Options, scenario: F) -> Result<()>
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    // Held until the teardown below is done, so a slot frees only when its Chromium is gone.
    let _slot = browser_slots()
        .acquire()
        .await
        .context("the browser slots were closed")?;
    let _running = Running::enter()?;
    let harness = Arc::new(Harness::start(&opts).await?);
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| scenario(harness.clone()))) {
        Ok(fut) => {
            let guarded = CatchUnwind(Box::pin(fut));
            match tokio::time::timeout(opts.scenario_timeout, guarded).await {
                Ok(result) => result,
                Err(_) => Ok(Err(anyhow!(
                    "scenario did not finish within {} s",
                    opts.scenario_timeout.as_secs()
                ))),
            }
        }
        Err(panic) => Err(panic),
    };
    if !matches!(outcome, Ok(Ok(()))) {
        harness.report_failure().await;
    }
    let teardown = teardown(harness).await;
    match outcome {
        Err(panic) => std::panic::resume_unwind(panic),
        Ok(Err(err)) => Err(err),
        Ok(Ok(())) => teardown,
    }
}

impl Harness {
    /// The page's address: the site origin plus [`Options::site_path`].
    pub fn page_url(&self) -> String {
        self.page_url.clone()
    }

    /// Navigates the browser to [`Harness::page_url`].
    pub async fn goto_page(&self) -> Result<()> {
        self.driver
            .goto(&self.page_url)
            .await
            .with_context(|| format!("could not open {}", self.page_url))
    }

    /// The first element matching `css`, once one exists (polled, bounded by [`WAIT`]).
    pub async fn wait_for_css(&self, css: &str) -> Result<Element> {
        self.poll(&format!("an element matching `{css}`"), || async {
            Ok(self.driver.find(Locator::Css(css)).await.ok())
        })
        .await
    }

    /// The first element matching `css` whose text contains `needle` (polled, bounded).
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<Element> {
        let what = format!("an element matching `{css}` with text containing {needle:?}");
        self.poll(&what, || async {
            // Elements can go stale while Leptos re-renders; that only means "not yet".
            let Ok(found) = self.driver.find_all(Locator::Css(css)).await else {
                return Ok(None);
            };
            for element in found {
                if element.text().await.is_ok_and(|t| t.contains(needle)) {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Polls `condition` until it returns `Ok(true)`; fails with `what` and the page text after
    /// [`WAIT`], and at once if `condition` returns an error.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut condition: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool>>,
    {
        self.poll(what, || {
            let check = condition();
            async move { Ok(check.await?.then_some(())) }
        })
        .await
    }

    /// The DOM text (`textContent`) of the first element matching `css`, shown or not (WebDriver's
    /// own text is empty for hidden elements); empty when none matches.
    pub async fn text_content(&self, css: &str) -> Result<String> {
        let v = self
            .driver
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Clicks the first element matching `css`, retrying while it is missing, stale or not
    /// yet interactable.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.poll(&format!("a clickable element matching `{css}`"), || async {
            let Ok(element) = self.driver.find(Locator::Css(css)).await else {
                return Ok(None);
            };
            Ok(element.click().await.ok())
        })
        .await
    }

    /// Replaces the value of the first input matching `css` with `text`, typed key by key
    /// (so the page sees real `input` events).
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        self.poll(&format!("an editable element matching `{css}`"), || async {
            let Ok(element) = self.driver.find(Locator::Css(css)).await else {
                return Ok(None);
            };
            if element.clear().await.is_err() {
                return Ok(None);
            }
            Ok(element.send_keys(text).await.ok())
        })
        .await
    }

    /// The rendered text of `<body>` (what a person sees, without hidden elements).
    pub async fn body_text(&self) -> Result<String> {
        let body = self.driver.find(Locator::Css("body")).await?;
        Ok(body.text().await?)
    }

    /// Every console message and uncaught JS error since the session started, as
    /// `LEVEL message`. Chromedriver's log endpoint drains, so the harness keeps them.
    pub async fn console_messages(&self) -> Result<Vec<String>> {
        let entries = self
            .driver
            .issue_cmd(SessionPost {
                path: "se/log",
                body: r#"{"type":"browser"}"#.into(),
            })
            .await
            .context("chromedriver did not return the browser log")?;
        let mut console = self.console.lock().expect("console buffer poisoned");
        for entry in entries.as_array().into_iter().flatten() {
            let level = entry["level"].as_str().unwrap_or("?");
            let message = entry["message"].as_str().unwrap_or_default();
            console.push(format!("{level} {message}"));
        }
        Ok(console.clone())
    }

    /// JSON text `{"localStorage":{..},"sessionStorage":{..},"cookie":".."}` of the current
    /// page's origin, for "the secret is never stored" assertions.
    pub async fn storage_dump(&self) -> Result<String> {
        const SCRIPT: &str = "
            const dump = (s) => {
                const out = {};
                for (let i = 0; i < s.length; i++) { const k = s.key(i); out[k] = s.getItem(k); }
                return out;
            };
            return JSON.stringify({
                localStorage: dump(window.localStorage),
                sessionStorage: dump(window.sessionStorage),
                cookie: document.cookie,
            });";
        let value = self.driver.execute(SCRIPT, vec![]).await?;
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("storage dump script returned {value}"))
    }

    /// Runs axe-core on the current page; returns `id (impact): help — N nodes` for each
    /// violation of impact serious or critical (empty = accessible enough to pass).
    pub async fn run_axe(&self) -> Result<Vec<String>> {
        const SCRIPT: &str = "
            const done = arguments[arguments.length - 1];
            window.axe.run(document, { resultTypes: ['violations'] })
                .then((r) => done({ violations: r.violations
                    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} nodes`) }))
                .catch((e) => done({ error: String(e) }));";
        self.axe(SCRIPT).await
    }

    /// Loads axe-core once per page and runs `script` (an async WebDriver script calling
    /// `window.axe.run` and answering `{violations: [string]}` or `{error}`).
    pub async fn axe(&self, script: &str) -> Result<Vec<String>> {
        let loaded = self
            .driver
            .execute("return typeof window.axe !== 'undefined';", vec![])
            .await?;
        if loaded != Value::Bool(true) {
            let path = std::env::var_os("TAPDESK_AXE").context(
                "TAPDESK_AXE is not set: run `cargo xtask test` (it installs axe-core and sets it)",
            )?;
            let source = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read axe-core from {path:?} (TAPDESK_AXE)"))?;
            self.driver.execute(&source, vec![]).await?;
        }
        let result = self.driver.execute_async(script, vec![]).await?;
        if let Some(err) = result["error"].as_str() {
            bail!("axe.run failed: {err}");
        }
        let violations = result["violations"]
            .as_array()
            .ok_or_else(|| anyhow!("axe.run returned {result}"))?;
        Ok(violations
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect())
    }

    /// Grants the page a browser permission such as `clipboard-read` (WebDriver Set Permission).
    ///
    /// Reading the clipboard is a test instrument the production `Permissions-Policy` forbids
    /// (`clipboard-read=()`): granting `clipboard-read` also drops that header from the site for
    /// the rest of the test, so it applies from the next page load on.
    pub async fn grant_permission(&self, name: &'static str) -> Result<()> {
        if name == "clipboard-read" {
            self.emu
                .update_settings(|s| s.site_permissions_policy = false);
        }
        self.driver
            .issue_cmd(SessionPost {
                path: "permissions",
                body: format!(r#"{{"descriptor":{{"name":"{name}"}},"state":"granted"}}"#),
            })
            .await
            .with_context(|| format!("chromedriver refused the permission {name}"))?;
        Ok(())
    }

    /// The clipboard's text as the page sees it (needs `clipboard-read`), or `ERR: …`.
    pub async fn clipboard_text(&self) -> Result<String> {
        const SCRIPT: &str = "const done = arguments[arguments.length - 1];
            navigator.clipboard.readText().then(done, (e) => done('ERR: ' + e));";
        let value = self.driver.execute_async(SCRIPT, vec![]).await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Emulates a screen `width` px wide (a phone when `mobile`) in colour scheme `scheme`
    /// ("light" or "dark") through the DevTools protocol.
    pub async fn emulate_screen(&self, width: u32, mobile: bool, scheme: &str) -> Result<()> {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await?;
        Ok(())
    }

    /// Runs the DevTools protocol command `cmd` with `params` and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.driver
            .issue_cmd(SessionPost {
                path: "goog/cdp/execute",
                body: serde_json::json!({ "cmd": cmd, "params": params }).to_string(),
            })
            .await
            .with_context(|| format!("CDP {cmd}"))
    }

    /// Saves a PNG of the viewport to `path` (parent folders are created).
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.driver.screenshot().await?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Polls `probe` every [`POLL`] until it yields a value; after [`WAIT`] fails naming
    /// `what` and dumping the visible page text. A probe error ends the wait at once.
    async fn poll<T, P, Fut>(&self, what: &str, mut probe: P) -> Result<T>
    where
        P: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(value) = probe()
                .await
                .with_context(|| format!("while waiting for {what}"))?
            {
                return Ok(value);
            }
            if Instant::now() >= deadline {
                let url = self.driver.current_url().await.map(|u| u.to_string());
                let text = self.body_text().await;
                bail!(
                    "timed out after {} s waiting for {what}\n  at: {}\n  visible text:\n{}",
                    WAIT.as_secs(),
                    url.unwrap_or_else(|e| format!("(unknown: {e})")),
                    indent(&text.unwrap_or_else(|e| format!("(unreadable: {e})")))
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn start(opts: &Options) -> Result<Self> {
        let dist = match &opts.dist {
            Some(dir) => dir.clone(),
            None => dist_dir()?,
        };
        let Some(folder_end) = opts.site_path.rfind('/') else {
            bail!(
                "Options::site_path must start with `/`, got {:?}",
                opts.site_path
            );
        };
        let (prefix, page) = opts.site_path.split_at(folder_end + 1);
        let emu = Emulator::start(EmulatorConfig {
            site: Some(SiteConfig {
                port: 0,
                dir: dist,
                config_json: opts.config_json.clone(),
                path_prefix: prefix.to_string(),
            }),
            spa_redirect_uris: vec![],
            admin_consent_granted: opts.admin_consent_granted,
            ..Default::default()
        })
        .await
        .context("the emulator did not start")?;
        let Some(site_url) = emu.site_url() else {
            emu.shutdown().await;
            bail!("the emulator started without its site listener");
        };
        // The site URL already ends with the prefix.
        let page_url = format!("{site_url}{page}");
        emu.register_redirect_uri(&page_url);
        match BrowserProcess::start().await {
            Ok((browser, driver)) => Ok(Self {
                emu,
                driver,
                page_url,
                browser: Mutex::new(Some(browser)),
                console: Mutex::new(Vec::new()),
            }),
            Err(err) => {
                emu.shutdown().await;
                Err(err)
            }
        }
    }

    /// Prints what helps to understand a failed scenario; never fails itself.
    async fn report_failure(&self) {
        let report = async {
            let test = std::thread::current()
                .name()
                .unwrap_or("scenario")
                .replace("::", "__");
            let shot = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/e2e-failures")
                .join(format!("{test}.png"));
            match self.screenshot(&shot).await {
                Ok(()) => eprintln!("[e2e] screenshot: {}", shot.display()),
                Err(e) => eprintln!("[e2e] no screenshot: {e:#}"),
            }
            match self.console_messages().await {
                Ok(lines) => eprintln!("[e2e] browser console:\n{}", indent(&lines.join("\n"))),
                Err(e) => eprintln!("[e2e] no browser console: {e:#}"),
            }
            if let Ok(text) = self.body_text().await {
                eprintln!("[e2e] visible text:\n{}", indent(&text));
            }
        };
        let _ = tokio::time::timeout(TEARDOWN_STEP, report).await;
    }
}

/// Closes the session, kills chromedriver's group, deletes the profile, stops the emulator.
async fn teardown(harness: Arc<Harness>) -> Result<()> {
    let closed = tokio::time::timeout(TEARDOWN_STEP, harness.driver.clone().close()).await;
    let browser = harness
        .browser
        .lock()
        .map(|mut b| b.take())
        .unwrap_or_else(|poisoned| poisoned.into_inner().take());
    if let Some(browser) = browser {
        browser.stop().await;
    }
    match Arc::try_unwrap(harness) {
        Ok(harness) => harness.emu.shutdown().await,
        // A clone escaped the scenario (e.g. into a spawned task); the emulator stops when
        // that clone is dropped.
        Err(_) => {
            eprintln!("[e2e] the scenario kept a clone of the harness; emulator not shut down")
        }
    }
    match closed {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(anyhow!(e).context("closing the browser session failed")),
        Err(_) => bail!(
            "closing the browser session took over {} s",
            TEARDOWN_STEP.as_secs()
        ),
    }
}

/// Polls a future, turning a panic inside it into an `Err` with the panic payload.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// `$TAPDESK_DIST` (default `<repo>/dist`), checked to hold a built page.
pub fn dist_dir() -> Result<PathBuf> {
    let dist = std::env::var_os("TAPDESK_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("dist"));
    if !dist.join("index.html").is_file() {
        bail!(
            "dist/ not built: run `cargo xtask test` (it builds the page first); looked in {}",
            dist.display()
        );
    }
    Ok(dist)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hung scenario ends at its own bound ([`Options::scenario_timeout`]) with an error, and
    /// the harness still tears everything down.
    #[tokio::test]
    async fn a_scenario_past_its_own_bound_fails() {
        let opts = Options {
            scenario_timeout: Duration::from_secs(1),
            ..Options::default()
        };
        let started = Instant::now();
        let outcome = run(opts, |_h| async {
            std::future::pending::<()>().await;
            Ok(())
        })
        .await;
        let err = outcome.expect_err("a hung scenario must fail");
        assert!(
            err.to_string().contains("did not finish within 1 s"),
            "{err:#}"
        );
        assert!(
            started.elapsed() < SCENARIO_TIMEOUT,
            "the default bound was used"
        );
    }
}
