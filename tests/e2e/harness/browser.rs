//! Chromedriver and headless Chromium for one test: start, connect, kill, plus the log command.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::error::NewSessionError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use super::{POLL, TEARDOWN_STEP};

/// How long chromedriver gets to start and open a session.
const CONNECT_WAIT: Duration = Duration::from_secs(10);

/// Chromedriver (leader of its own process group, so Chromium goes with it) and the
/// temporary Chromium profile. Dropping it kills the group and deletes the profile, which
/// covers a test future that is cancelled before [`super::run`] can tear down.
pub(super) struct BrowserProcess {
    chromedriver: Child,
    profile_dir: PathBuf,
}

impl BrowserProcess {
    /// Starts chromedriver on a free port and opens a session, retrying while it starts up.
    pub(super) async fn start() -> Result<(Self, Client)> {
        let chromedriver = env_path("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = env_path("CHROMIUM", "/usr/bin/chromium");
        for path in [&chromedriver, &chromium] {
            if !path.exists() {
                bail!(
                    "{} not found: run `cargo xtask setup --browser` (or set CHROMIUM / CHROMEDRIVER)",
                    path.display()
                );
            }
        }
        // The port can be taken between probing and chromedriver binding it (parallel
        // tests): then chromedriver exits and another port is tried.
        let mut last_error = None;
        for _ in 0..3 {
            let profile_dir = fresh_profile_dir()?;
            let port = free_port()?;
            let child = Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .with_context(|| format!("could not start {}", chromedriver.display()))?;
            let mut process = Self {
                chromedriver: child,
                profile_dir,
            };
            match process.connect(port, &chromium).await {
                Ok(client) => return Ok((process, client)),
                Err(err) => {
                    let exited = matches!(process.chromedriver.try_wait(), Ok(Some(_)));
                    process.stop().await;
                    if !exited {
                        return Err(err);
                    }
                    last_error = Some(err);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow!("chromedriver did not start")))
    }

    async fn connect(&mut self, port: u16, chromium: &Path) -> Result<Client> {
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                    format!("--user-data-dir={}", self.profile_dir.display()),
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!("json! of an object literal is an object")
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + CONNECT_WAIT;
        loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await;
            match attempt {
                Ok(client) => return Ok(client),
                // Chromedriver answered but could not start Chromium: retrying will not help.
                Err(err @ NewSessionError::SessionNotCreated(_)) => {
                    return Err(anyhow!(err).context("chromedriver could not start Chromium"))
                }
                Err(err) => {
                    if let Some(status) = self.chromedriver.try_wait()? {
                        bail!("chromedriver exited at start-up ({status}): {err}");
                    }
                    if Instant::now() >= deadline {
                        return Err(anyhow!(err).context(format!(
                            "chromedriver did not accept a session on {url} within {} s",
                            CONNECT_WAIT.as_secs()
                        )));
                    }
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Kills chromedriver and anything left in its process group, reaps it, deletes the profile.
    pub(super) async fn stop(mut self) {
        self.kill_group();
        let _ = tokio::time::timeout(TEARDOWN_STEP, self.chromedriver.wait()).await;
        // Drop kills again (harmless) and removes the profile.
    }

    fn kill_group(&self) {
        if let Some(pid) = self.chromedriver.id() {
            // SAFETY: kill has no memory-safety preconditions; the negative pid addresses the
            // process group this harness created for chromedriver (pgid == its pid).
            unsafe { libc::kill(-(pid as libc::pid_t), libc::SIGKILL) };
        }
    }
}

impl Drop for BrowserProcess {
    fn drop(&mut self) {
        // After a successful `wait` the pid is gone from `id()`, so nothing unrelated is hit.
        self.kill_group();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

/// A vendor or extension WebDriver command: `POST /session/{id}/{path}` with a JSON body.
/// Used for chromedriver's console log (`se/log`), W3C Set Permission (`permissions`) and the
/// DevTools protocol (`goog/cdp/execute`).
#[derive(Debug)]
pub(crate) struct SessionPost {
    pub path: &'static str,
    pub body: String,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.clone()))
    }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free local port")?;
    Ok(listener.local_addr()?.port())
}

/// A new empty folder for one Chromium profile.
fn fresh_profile_dir() -> Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tapdesk-e2e-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
