//! `cargo xtask tidy`: formatting, clippy with `-D warnings` for the native and the wasm
//! target, the architecture test and the test hygiene checks. `cargo xtask test` runs it first.

use anyhow::Result;

use crate::shell::Shell;
use crate::test::{summarize, timed, Stage};
use crate::{architecture, hygiene};

/// Runs every tidy stage (all of them, even after one failed) with a timed summary.
pub fn tidy() -> Result<()> {
    let shell = Shell::new()?;
    let mut stages = Vec::new();
    run_stages(&shell, &mut stages);
    summarize(&stages)
}

/// The tidy stages, appended to `stages` (each named `tidy: …`).
pub fn run_stages(shell: &Shell, stages: &mut Vec<Stage>) {
    timed(stages, "tidy: cargo fmt --check", || {
        let mut cmd = shell.cargo();
        cmd.args(["fmt", "--all", "--", "--check"]);
        shell.run(&mut cmd)
    });
    timed(stages, "tidy: clippy (native)", || {
        let mut cmd = shell.cargo();
        cmd.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]);
        shell.run(&mut cmd)
    });
    timed(stages, "tidy: clippy (wasm32)", || {
        // Tidy runs before setup in `cargo xtask test`: a fresh machine lacks the target.
        crate::tools::wasm_target(shell)?;
        let mut cmd = shell.cargo();
        cmd.args([
            "clippy",
            "-p",
            "tapdesk",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--lib", "--bins", "--", "-D", "warnings"]);
        shell.run(&mut cmd)
    });
    timed(stages, "tidy: architecture", || {
        architecture::check(&shell.root)
    });
    timed(stages, "tidy: test hygiene", || hygiene::check(&shell.root));
}
