//! `cargo xtask demo`: build the page, then serve it with the emulator until Ctrl-C.

use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use anyhow::{Context, Result};

use crate::build::{self, Profile};
use crate::shell::describe;
use crate::tools::{self, SetupOptions};

const LOGIN_PORT: u16 = 8400;
const GRAPH_PORT: u16 = 8401;

/// Campaign users the demo tenant gets (issue 15): a few thousand with a realistic mix of
/// methods, so the Campaign screen has a tenant worth looking at. The emulator starts empty on
/// every run, so the demo always adds them.
const CAMPAIGN_USERS: usize = 3000;
/// Their seed: the same tenant on every run.
const CAMPAIGN_SEED: u64 = 15;

/// The pid Ctrl-C is forwarded to (0 while none runs).
static CHILD: AtomicI32 = AtomicI32::new(0);
/// Set once a signal has been forwarded: whatever the exit status, the user ended the demo.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// The emulator's arguments: the built page, the three ports, the campaign-ready tenant.
fn emulator_args(site_dir: &str, site_port: u16) -> Vec<String> {
    [
        "--site-dir",
        site_dir,
        "--site-port",
        &site_port.to_string(),
        "--login-port",
        &LOGIN_PORT.to_string(),
        "--graph-port",
        &GRAPH_PORT.to_string(),
        "--campaign-users",
        &CAMPAIGN_USERS.to_string(),
        "--campaign-seed",
        &CAMPAIGN_SEED.to_string(),
    ]
    .map(str::to_string)
    .to_vec()
}

/// Runs the emulator serving `dist/` on `site_port`; returns when it exits.
pub fn demo(site_port: u16) -> Result<()> {
    let toolbox = tools::setup(SetupOptions::default())?;
    build::build(&toolbox, Profile::Release)?;
    let shell = &toolbox.shell;
    let site_dir = shell.root.join("dist");
    let mut cmd = shell.cargo();
    cmd.args(["run", "--release", "-p", "tapdesk-emulator", "--"])
        .args(emulator_args(&site_dir.to_string_lossy(), site_port));
    // Its own process group: Ctrl-C reaches only xtask, which forwards it exactly once, and the
    // emulator shuts down the same way whether the signal came from a terminal or from `kill`.
    cmd.process_group(0);
    let shown = describe(&cmd);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    install_forwarding();
    let status = child.wait().context("lost the emulator process")?;
    CHILD.store(0, Ordering::SeqCst);
    // Stopped by the forwarded Ctrl-C: that is how a demo ends, not a failure.
    if status.success() || STOPPED.load(Ordering::SeqCst) {
        return Ok(());
    }
    anyhow::bail!("`{shown}` failed ({status})")
}

extern "C" fn forward(signal: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        STOPPED.store(true, Ordering::SeqCst);
        // SAFETY: kill is async-signal-safe; pid is our own child.
        unsafe { libc::kill(pid, signal) };
    }
}

fn install_forwarding() {
    let handler = forward as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only reads an atomic and calls kill. A handler (unlike SIG_IGN) is
    // reset to the default in exec'd children, so later children still stop on Ctrl-C.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_tenant_is_campaign_ready() {
        let args = emulator_args("/x/dist", 8080);
        let after = |flag: &str| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .cloned()
        };
        assert_eq!(after("--site-dir").as_deref(), Some("/x/dist"));
        assert_eq!(after("--site-port").as_deref(), Some("8080"));
        let users: usize = after("--campaign-users")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            (2000..=10_000).contains(&users),
            "a few thousand campaign users: {args:?}"
        );
        assert!(after("--campaign-seed").is_some());
    }
}
