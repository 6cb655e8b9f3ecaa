//! Where tests find the real servers they need, and how they say so when
//! they cannot: `cargo test --workspace` on a fresh checkout tests against
//! the PostgreSQL, MariaDB and Redis on their standard local ports without
//! any variable set, installs the Python and Node.js test tools it needs
//! when `python3`/`npm` exist, and skips only what it truly cannot reach,
//! saying why on the terminal (a passing test's own output is hidden).
//!
//! `.ci/run` sets the variables, so there a missing server fails the tests
//! instead of skipping them.
//!
//! ```no_run
//! use nanoauth_testing::servers;
//!
//! # async fn example() {
//! let Some(url) = servers::POSTGRES.url() else {
//!     return; // skipped, and the run said why
//! };
//! # let _ = url;
//! # }
//! ```

use std::collections::HashSet;
use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// A database or cache server the tests use.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    /// Its name, for messages.
    pub name: &'static str,
    /// The variable that points the tests at it.
    pub variable: &'static str,
    /// Where it listens on a machine set up as the README says.
    pub default_url: &'static str,
    /// The address `default_url` names.
    pub default_addr: &'static str,
}

/// PostgreSQL: user `postgres`, database `test`, trust authentication.
pub const POSTGRES: Server = Server {
    name: "PostgreSQL",
    variable: "NANOAUTH_TEST_POSTGRES_URL",
    default_url: "postgres://postgres@127.0.0.1:5432/test",
    default_addr: "127.0.0.1:5432",
};

/// MySQL or MariaDB: `root` without a password, database `test`.
pub const MYSQL: Server = Server {
    name: "MySQL/MariaDB",
    variable: "NANOAUTH_TEST_MYSQL_URL",
    default_url: "mysql://root@127.0.0.1:3306/test",
    default_addr: "127.0.0.1:3306",
};

/// Redis.
pub const REDIS: Server = Server {
    name: "Redis",
    variable: "NANOAUTH_TEST_REDIS_URL",
    default_url: "redis://127.0.0.1:6379",
    default_addr: "127.0.0.1:6379",
};

impl Server {
    /// The URL to test against: the variable's when it is set (a server
    /// that then does not answer fails the test: that is CI), else the
    /// standard local address when something listens there, else `None`,
    /// after telling the terminal once per test binary.
    pub fn url(&self) -> Option<String> {
        if let Some(url) = std::env::var(self.variable)
            .ok()
            .filter(|url| !url.is_empty())
        {
            return Some(url);
        }
        if listens(self.default_addr) {
            return Some(self.default_url.to_owned());
        }
        skip(
            self.name,
            &format!(
                "nothing listens on {} and {} is not set",
                self.default_addr, self.variable
            ),
        );
        None
    }

    /// `true` when the variable names the server: it must be there.
    pub fn is_required(&self) -> bool {
        std::env::var(self.variable).is_ok_and(|url| !url.is_empty())
    }
}

fn listens(addr: &str) -> bool {
    addr.parse::<SocketAddr>()
        .is_ok_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok())
}

/// Says on the terminal, once per test binary and `what`, that the tests
/// needing `what` were skipped and why. Written to the process's stderr
/// directly: the test harness hides what passing tests print.
pub fn skip(what: &str, why: &str) {
    static SAID: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let said = SAID.get_or_init(|| Mutex::new(HashSet::new()));
    let first = said
        .lock()
        .map(|mut said| said.insert(what.to_owned()))
        .unwrap_or(true);
    if first {
        let binary = std::env::args().next().unwrap_or_default();
        let binary = Path::new(&binary)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "\nnanoauth tests: SKIPPED the {what} tests of {binary}: {why} (see README, Testing)"
        );
    }
}

/// Makes the Python module `module` importable, installing `package` from
/// PyPI with pip (for this user) once if it is missing. `false` (after
/// [`skip`]) when there is no `python3` or the install fails.
pub fn python_module(module: &str, package: &str) -> bool {
    let importable = || {
        Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if importable() {
        return true;
    }
    let installed = with_lock("pip", || {
        importable()
            || Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--user",
                    "--disable-pip-version-check",
                ])
                .arg(package)
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
    });
    if installed && importable() {
        return true;
    }
    skip(
        &format!("{package} (Python)"),
        &format!("python3 cannot import {module} and `pip install {package}` did not work"),
    );
    false
}

/// Runs `npm ci` in `dir` once when `dir/node_modules/<probe>` is missing.
/// `false` (after [`skip`]) when there is no `npm` or the install fails.
pub fn npm_installed(dir: &Path, probe: &str) -> bool {
    let present = || dir.join("node_modules").join(probe).is_dir();
    if present() {
        return true;
    }
    let installed = with_lock("npm", || {
        present()
            || Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(dir)
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
    });
    if installed && present() {
        return true;
    }
    skip(
        &format!("{probe} (Node.js)"),
        &format!(
            "`npm ci` in {} did not work (Node.js 20 and npm are needed)",
            dir.display()
        ),
    );
    false
}

/// Runs `install` while holding a lock shared by every test process of
/// this machine (a file created exclusively), so parallel test binaries do
/// not install at once. A lock older than ten minutes is a dead run's and
/// is taken over.
fn with_lock(name: &str, install: impl FnOnce() -> bool) -> bool {
    let path = std::env::temp_dir().join(format!("nanoauth-tests-{name}.lock"));
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => break,
            Err(_) if std::time::Instant::now() > deadline => break,
            Err(_) => {
                let stale = std::fs::metadata(&path)
                    .and_then(|meta| meta.modified())
                    .ok()
                    .and_then(|at| at.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(600));
                if stale {
                    let _ = std::fs::remove_file(&path);
                } else {
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }
    let done = install();
    let _ = std::fs::remove_file(&path);
    done
}
