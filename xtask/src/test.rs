//! `cargo xtask test`: tools, page build, then every test suite, with a timed summary.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::build::{self, Profile};
use crate::hygiene;
use crate::shell::Shell;
use crate::tidy;
use crate::tools::{self, SetupOptions, Toolbox, CADDY, CHROMEDRIVER, CHROMIUM, NGINX};

/// One finished stage for the summary.
pub(crate) struct Stage {
    name: &'static str,
    took: Duration,
    outcome: Result<()>,
}

/// Runs tidy, setup (with browser), the release build, `cargo test --workspace --no-fail-fast`
/// and the in-browser wasm tests of `tests/browser.rs` (which must run at least one test).
/// Tidy and the test stages all run even if an earlier one failed; setup or build failing
/// stops early. Fails if any stage failed.
pub fn test() -> Result<()> {
    let mut stages = Vec::new();
    tidy::run_stages(&Shell::new()?, &mut stages);
    let toolbox = timed(&mut stages, "setup --browser", || {
        tools::setup(SetupOptions { browser: true })
    });
    let Some(toolbox) = toolbox else {
        return summarize(&stages);
    };
    if timed(&mut stages, "build (split release)", || {
        build::build(&toolbox, Profile::Release)
    })
    .is_none()
    {
        return summarize(&stages);
    }
    timed(&mut stages, "cargo test --workspace", || {
        let mut cmd = toolbox.shell.cargo();
        // Every test binary runs even after one fails, so one run reports all failures.
        cmd.args(["test", "--workspace", "--no-fail-fast"]);
        toolbox.shell.run(with_test_env(&toolbox, &mut cmd))
    });
    // Always run: a missing or empty suite must fail, not be skipped.
    timed(&mut stages, "wasm tests in Chromium", || {
        let mut cmd = toolbox.shell.cargo();
        cmd.args([
            "test",
            "-p",
            "tapdesk",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--test", "browser"]);
        run_wasm_suite(&toolbox, &mut cmd)
    });
    summarize(&stages)
}

/// Runs the in-browser suite, showing its output, and fails unless it passed and ran at least
/// one test (a suite that finds nothing, e.g. after a `cfg` mistake, must not pass quietly).
fn run_wasm_suite(toolbox: &Toolbox, cmd: &mut Command) -> Result<()> {
    let shown = crate::shell::describe(cmd);
    // stdout (the runner's report) is read; stderr (cargo's progress) streams live.
    let out = with_test_env(toolbox, cmd)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        bail!("`{shown}` failed ({})", out.status);
    }
    hygiene::require_wasm_tests(&stdout)
}

/// The environment the end-to-end harness, the host config tests and wasm-bindgen-test-runner
/// read.
pub(crate) fn with_test_env<'c>(toolbox: &Toolbox, cmd: &'c mut Command) -> &'c mut Command {
    cmd.env("TAPDESK_DIST", toolbox.shell.root.join("dist"))
        .env("TAPDESK_AXE", toolbox.axe_js())
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM)
        .env("NGINX", NGINX)
        .env("CADDY", CADDY)
}

/// Runs `f` as stage `name`, records its outcome and duration, and returns its value if it
/// succeeded.
pub(crate) fn timed<T>(
    stages: &mut Vec<Stage>,
    name: &'static str,
    f: impl FnOnce() -> Result<T>,
) -> Option<T> {
    println!("\n=== {name} ===");
    let start = Instant::now();
    let (value, outcome) = match f() {
        Ok(v) => (Some(v), Ok(())),
        Err(e) => {
            eprintln!("error: {e:#}");
            (None, Err(e))
        }
    };
    stages.push(Stage {
        name,
        took: start.elapsed(),
        outcome,
    });
    value
}

/// Prints each stage's outcome and time; fails if any stage failed.
pub(crate) fn summarize(stages: &[Stage]) -> Result<()> {
    println!("\n=== summary ===");
    for stage in stages {
        let mark = if stage.outcome.is_ok() {
            "pass"
        } else {
            "FAIL"
        };
        println!(
            "[{mark}] {:<28} {:>7.1} s",
            stage.name,
            stage.took.as_secs_f64()
        );
    }
    let failed = stages.iter().filter(|s| s.outcome.is_err()).count();
    if failed > 0 {
        bail!("{failed} stage(s) failed (see above)");
    }
    Ok(())
}
