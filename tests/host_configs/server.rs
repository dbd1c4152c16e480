//! Finding nginx and Caddy, and running one as a child that is always killed: [`Server`]
//! kills its whole process group on drop, including when the test panics.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt;

/// How long a server gets to start listening.
const START_WAIT: Duration = Duration::from_secs(10);
/// How long a server gets to stop after SIGTERM before its process group is killed.
const STOP_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

/// The program `name`: `$ENV_VAR`, else `default`, else the first `name` on PATH. Fails the
/// test (never skips it) when none exists.
pub fn tool(name: &str, env_var: &str, default: &str) -> PathBuf {
    let missing = |looked: &str| -> ! {
        panic!("{name} not found ({looked}): run `cargo xtask setup --browser`")
    };
    if let Some(path) = std::env::var_os(env_var) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            missing(&format!("${env_var} is {}", path.display()));
        }
        return path;
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    std::iter::once(PathBuf::from(default))
        .chain(on_path)
        .find(|p| p.is_file())
        .unwrap_or_else(|| missing(&format!("looked at ${env_var}, {default} and PATH")))
}

/// A running server (leader of its own process group).
pub struct Server {
    child: Child,
    name: &'static str,
    stopped: bool,
}

impl Server {
    /// Starts `cmd` with its output in `log`, then waits (polling, bounded) until every one of
    /// `ports` accepts connections. Panics with the log if it exits or never listens.
    pub fn start(name: &'static str, mut cmd: Command, ports: &[u16], log: &Path) -> Self {
        let out = std::fs::File::create(log).unwrap();
        let err = out.try_clone().unwrap();
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut server = Server {
            child,
            name,
            stopped: false,
        };
        let deadline = Instant::now() + START_WAIT;
        while !ports
            .iter()
            .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
        {
            let log_text = || std::fs::read_to_string(log).unwrap_or_default();
            if let Ok(Some(status)) = server.child.try_wait() {
                server.stopped = true;
                panic!("{name} exited at start ({status}):\n{}", log_text());
            }
            if Instant::now() >= deadline {
                server.kill();
                panic!(
                    "{name} did not listen on {ports:?} within {START_WAIT:?}:\n{}",
                    log_text()
                );
            }
            std::thread::sleep(POLL);
        }
        server
    }

    /// Asks the server to stop (SIGTERM: nginx's master then stops and reaps its workers),
    /// waits up to [`STOP_WAIT`], then kills whatever is left in its process group.
    fn kill(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return; // Reaped already: the pid may belong to someone else now.
        }
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill has no memory-safety preconditions; `pid` is our unreaped child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_WAIT;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        // SAFETY: as above; the negative pid is the process group this test created for the
        // server (pgid == its pid), so stray workers go too.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        eprintln!("[host_configs] stopped {}", self.name);
    }
}
