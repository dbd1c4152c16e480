//! `cargo xtask <command>`: project automation needing nothing but cargo (see `usage`).

mod architecture;
mod bench;
mod build;
mod cloud;
mod compress;
mod demo;
mod dist;
mod hygiene;
mod loader;
mod release;
mod shell;
mod sizes;
mod source;
mod test;
mod tidy;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup [--browser]   install or check every tool the build needs (the wasm32 target, wasm-opt
                      from npm binaryen); --browser adds the test tools: wasm-bindgen-cli (the
                      in-browser test runner), Chromium, chromedriver, axe-core, nginx, caddy
  build [--dev] [--single]
                      setup, then the release pipeline into dist/: cargo build, the wasm split
                      per screen, wasm-bindgen, wasm-opt, index.html with integrity on every
                      file, .br/.gz beside each compressible one (--dev: debug build, no wasm-opt; --single: one module, as before
                      the split, into target/dist-single/)
  demo [--port N]     build, then serve dist/ with the local emulator (site port N, default 8080)
  tidy                cargo fmt --check, clippy -D warnings (native and wasm32), the architecture
                      test (layers, seams, import cycles) and test hygiene (no #[ignore] outside
                      the benchmarks, every test docs/failures.md and docs/security-tests.md name
                      exists)
  test                tidy, setup --browser, build, then every test: native, end-to-end,
                      in-browser wasm (which must run at least one test)
  dist [--cloud C]    release build packaged for cloud C (global, usgov, dod, china; default
                      global): target/tapdesk-dist/tapdesk-<version>-C.tar.gz + SHA256SUMS
  sizes               raw / gzip / brotli size of every file in dist/
  bench               setup --browser, build, the `sizes` table, then the benchmark scenarios
                      (1,000 passes batched vs. sequential; JS heap for 10,000 rows) with
                      their figures; writes target/bench/*.json
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, flags)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match command.as_str() {
        "setup" => parse_flags(flags, &["--browser"]).and_then(|f| {
            tools::setup(tools::SetupOptions {
                browser: f.has("--browser"),
            })
            .map(drop)
        }),
        "build" => parse_flags(flags, &["--dev", "--single"]).and_then(|f| {
            let toolbox = tools::setup(tools::SetupOptions::default())?;
            let profile = build::Profile::from_dev_flag(f.has("--dev"));
            if f.has("--single") {
                build::build_single(&toolbox, profile).map(drop)
            } else {
                build::build(&toolbox, profile)
            }
        }),
        "demo" => parse_flags(flags, &["--port="]).and_then(|f| demo::demo(f.port()?)),
        "tidy" => parse_flags(flags, &[]).and_then(|_| tidy::tidy()),
        "test" => parse_flags(flags, &[]).and_then(|_| test::test()),
        "dist" => parse_flags(flags, &["--cloud="]).and_then(|f| dist::dist(f.cloud()?)),
        "sizes" => parse_flags(flags, &[]).and_then(|_| sizes::print_sizes()),
        "bench" => parse_flags(flags, &[]).and_then(|_| bench::bench()),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprintln!("unknown command `{other}`\n");
            eprint!("{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The flags given after a command, checked against the ones that command accepts.
struct Flags {
    given: Vec<(String, Option<String>)>,
}

impl Flags {
    fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| n == name)
    }

    /// The `--cloud C` (or `--cloud=C`) value, the global cloud when absent.
    fn cloud(&self) -> anyhow::Result<cloud::Cloud> {
        match self.given.iter().find(|(n, _)| n == "--cloud") {
            None => Ok(cloud::Cloud::Global),
            Some((_, Some(v))) => cloud::Cloud::parse(v),
            Some((_, None)) => anyhow::bail!("--cloud needs a value: global, usgov, dod or china"),
        }
    }

    /// The `--port N` (or `--port=N`) value, 8080 when absent.
    fn port(&self) -> anyhow::Result<u16> {
        match self.given.iter().find(|(n, _)| n == "--port") {
            None => Ok(8080),
            Some((_, Some(v))) => {
                v.parse().ok().filter(|port| *port != 0).ok_or_else(|| {
                    anyhow::anyhow!("--port needs a number from 1 to 65535, got `{v}`")
                })
            }
            Some((_, None)) => anyhow::bail!("--port needs a value, e.g. `--port 8080`"),
        }
    }
}

/// Parses `flags`; an entry ending in `=` in `accepted` takes a value (`--x v` or `--x=v`).
fn parse_flags(flags: &[String], accepted: &[&str]) -> anyhow::Result<Flags> {
    let mut given = Vec::new();
    let mut iter = flags.iter();
    while let Some(flag) = iter.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag.as_str(), None),
        };
        if accepted.contains(&name) {
            given.push((name.to_string(), None));
        } else if accepted.contains(&format!("{name}=").as_str()) {
            let value = inline.or_else(|| iter.next().cloned());
            given.push((name.to_string(), value));
        } else {
            anyhow::bail!("unknown option `{flag}`\n\n{USAGE}");
        }
    }
    Ok(Flags { given })
}
