//! `cargo xtask demo`: build the page, then serve it with the emulator until Ctrl-C.

use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use anyhow::{Context, Result};

use crate::build::{self, Profile};
use crate::shell::describe;
use crate::tools::{self, SetupOptions};

const LOGIN_PORT: u16 = 8400;
const GRAPH_PORT: u16 = 8401;

/// The pid Ctrl-C is forwarded to (0 while none runs).
static CHILD: AtomicI32 = AtomicI32::new(0);
/// Set once a signal has been forwarded: whatever the exit status, the user ended the demo.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Runs the emulator serving `dist/` on `site_port`; returns when it exits.
pub fn demo(site_port: u16) -> Result<()> {
    let toolbox = tools::setup(SetupOptions::default())?;
    build::build(&toolbox, Profile::Release)?;
    let shell = &toolbox.shell;
    let site_dir = shell.root.join("dist");
    let mut cmd = shell.cargo();
    cmd.args([
        "run",
        "--release",
        "-p",
        "tapdesk-emulator",
        "--",
        "--site-dir",
    ])
    .arg(&site_dir)
    .args(["--site-port", &site_port.to_string()])
    .args(["--login-port", &LOGIN_PORT.to_string()])
    .args(["--graph-port", &GRAPH_PORT.to_string()]);
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
