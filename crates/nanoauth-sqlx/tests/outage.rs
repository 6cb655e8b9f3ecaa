//! PostgreSQL itself goes away under load, and comes back.
//!
//! The test runs its own PostgreSQL server (`initdb` into a temporary
//! directory, on a free loopback port), so stopping it disturbs no other
//! test. While sign-ups and session checks run concurrently, it stops the
//! server (`pg_ctl stop -m fast`: connections are cut), keeps it down until
//! a request has been answered 503 (a generous cap, not a race against a
//! timeout), then starts it again. What must hold:
//! - every answer is 200 or 503 `DATABASE_UNAVAILABLE`, never a 500 or a
//!   panic, and none takes as long as the pool's acquire timeout: an
//!   outage is answered fast, not by requests that hang;
//! - service resumes without restarting anything;
//! - no sign-up is left half-written (a user without a password).
//!
//! It prints how long the first 503 took after the stop.
//!
//! Needs the PostgreSQL server binaries (Debian's `postgresql` package, as
//! on the machine that runs `.ci/run`); skipped like the other PostgreSQL
//! tests when no PostgreSQL is there (`nanoauth_testing::servers`).

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Adapter, Auth, Email};
use nanoauth_sqlx::{Dialect, SqlAdapter};
use nanoauth_testing::ConformanceUser;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type TestAuth = Auth<ConformanceUser, SqlAdapter<ConformanceUser>>;

/// A PostgreSQL server of the test's own.
struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let bin = postgres_bin_dir().ok_or(
            "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin \
             or on PATH: install Debian's postgresql package",
        )?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!("nanoauth-pg-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let server = Self { bin, dir, port };
        if running_as_root() {
            // PostgreSQL refuses to run as root: hand the directory over.
            run(Command::new("chown")
                .arg("-R")
                .arg("postgres")
                .arg(&server.dir))?;
        }
        let data = server.data_dir();
        server.as_owner(
            "initdb",
            &["-A", "trust", "-U", "postgres", "-D", path(&data)?],
        )?;
        server.pg_ctl_start()?;
        Ok(server)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl_start(&self) -> TestResult {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            path(&self.dir)?
        );
        let log = self.dir.join("server.log");
        self.as_owner(
            "pg_ctl",
            &[
                "-D",
                path(&self.data_dir())?,
                "-o",
                &options,
                "-l",
                path(&log)?,
                "-w",
                "start",
            ],
        )
    }

    /// Stops the server; `fast` cuts every connection, as a crash or a
    /// restart by an operator does.
    fn stop(&self) -> TestResult {
        self.as_owner(
            "pg_ctl",
            &["-D", path(&self.data_dir())?, "-m", "fast", "-w", "stop"],
        )
    }

    fn as_owner(&self, program: &str, args: &[&str]) -> TestResult {
        let program = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        run(command.args(args))
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        if let Ok(data) = path(&self.data_dir()) {
            let _ = self.as_owner("pg_ctl", &["-D", data, "-m", "immediate", "stop"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(path: &Path) -> Result<&str, Box<dyn std::error::Error>> {
    path.to_str()
        .ok_or_else(|| "a non-UTF-8 temporary path".into())
}

fn run(command: &mut Command) -> TestResult {
    let output = command.output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into())
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Where `initdb` and `pg_ctl` are: Debian keeps them off PATH.
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().or_else(|| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).find(|dir| dir.join("pg_ctl").exists()))
    })
}

fn request(method: &str, path: &str, cookie: &str, body: String) -> http::Request<String> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("origin", "http://localhost:3000")
        .header("cookie", cookie)
        .body(body)
        .unwrap_or_else(|_| unreachable!())
}

fn session_cookie<B>(response: &http::Response<B>) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

/// What the load saw.
struct Tally {
    /// When the test began, for the times below.
    start: Instant,
    ok: AtomicUsize,
    unavailable: AtomicUsize,
    /// When the first 503 was answered, in ms since `start` (0: none yet).
    first_unavailable_ms: AtomicU64,
    /// The longest any request took, in ms.
    slowest_ms: AtomicU64,
    other: std::sync::Mutex<Vec<String>>,
    /// Addresses whose sign-up was answered 200: they must exist.
    signed_up: std::sync::Mutex<Vec<String>>,
}

impl Tally {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            ok: AtomicUsize::new(0),
            unavailable: AtomicUsize::new(0),
            first_unavailable_ms: AtomicU64::new(0),
            slowest_ms: AtomicU64::new(0),
            other: std::sync::Mutex::default(),
            signed_up: std::sync::Mutex::default(),
        }
    }

    fn ms_since_start(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn first_unavailable(&self) -> Option<Duration> {
        match self.first_unavailable_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    fn record<B: AsRef<[u8]>>(&self, response: &http::Response<B>, took: Duration) {
        let took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        self.slowest_ms.fetch_max(took_ms, Ordering::Relaxed);
        let body = String::from_utf8_lossy(response.body().as_ref());
        match response.status().as_u16() {
            200 => {
                self.ok.fetch_add(1, Ordering::Relaxed);
            }
            503 if body.contains("\"DATABASE_UNAVAILABLE\"") => {
                self.unavailable.fetch_add(1, Ordering::Relaxed);
                let now = self.ms_since_start().max(1);
                let _ = self.first_unavailable_ms.compare_exchange(
                    0,
                    now,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            status => {
                if let Ok(mut other) = self.other.lock() {
                    other.push(format!("{status} {body}"));
                }
            }
        }
    }
}

/// Sign-ups and session checks, one after the other, until `stop`.
async fn load(
    auth: TestAuth,
    cookie: String,
    worker: usize,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let email = format!("load-{worker}-{n}@example.com");
        let body =
            format!(r#"{{"email":"{email}","password":"correct horse battery","name":"Load"}}"#);
        let started = Instant::now();
        let response = auth
            .handler(request("POST", "/api/auth/signup/email", "", body))
            .await;
        tally.record(&response, started.elapsed());
        if let (200, Ok(mut signed_up)) = (response.status().as_u16(), tally.signed_up.lock()) {
            signed_up.push(email);
        }
        let started = Instant::now();
        let response = auth
            .handler(request("GET", "/api/auth/session", &cookie, String::new()))
            .await;
        tally.record(&response, started.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until a session check answers 200, for at most `within`.
async fn recovers(auth: &TestAuth, cookie: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let response = auth
            .handler(request("GET", "/api/auth/session", cookie, String::new()))
            .await;
        if response.status() == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_is_503_then_service_resumes() -> TestResult {
    // It starts a PostgreSQL of its own, from the binaries of the local one.
    if nanoauth_testing::servers::POSTGRES.url().is_none() {
        return Ok(());
    }
    let server = OwnPostgres::start()?;
    let adapter = SqlAdapter::<ConformanceUser>::connect(&server.url()).await?;
    adapter.migrate().await?;
    for column in support::extra_user_columns(Dialect::Postgres) {
        adapter.execute_unprepared(column).await?;
    }
    let auth: TestAuth = Auth::builder(adapter)
        .secret("outage test secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
        .build()?;
    let signed_up = auth
        .handler(request(
            "POST",
            "/api/auth/signup/email",
            "",
            r#"{"email":"steady@example.com","password":"correct horse battery","name":"Load"}"#
                .into(),
        ))
        .await;
    assert_eq!(signed_up.status(), 200);
    let cookie = session_cookie(&signed_up);

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::new());
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            tokio::spawn(load(
                auth.clone(),
                cookie.clone(),
                worker,
                Arc::clone(&stop),
                Arc::clone(&tally),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = tally.ok.load(Ordering::Relaxed);
    let stop_started = tally.start.elapsed();
    tokio::task::block_in_place(|| server.stop())?;
    let stopped = tally.start.elapsed();
    // Down until the load has been answered 503, however the outage and
    // the timeouts line up; the cap only ends a broken run.
    let cap = Instant::now() + Duration::from_secs(15);
    while tally.first_unavailable().is_none() && Instant::now() < cap {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A little longer, so that requests meet a database known to be down.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = tally.unavailable.load(Ordering::Relaxed);
    tokio::task::block_in_place(|| server.pg_ctl_start())?;
    let resumed = recovers(&auth, &cookie, Duration::from_secs(20)).await;
    let ok_at_restart = tally.ok.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await?;
    }

    let first_503 = tally.first_unavailable();
    let after = |since: Duration| {
        first_503.map_or_else(
            || "never".to_owned(),
            |at| format!("{} ms", at.saturating_sub(since).as_millis()),
        )
    };
    eprintln!(
        "outage: {before} answers 200 before the stop, {during} answers 503 while down, \
         {} answers 200 in all, service back: {resumed}; first 503 {} after the stop began, \
         {} after the server was down; slowest answer {} ms",
        tally.ok.load(Ordering::Relaxed),
        after(stop_started),
        after(stopped),
        tally.slowest_ms.load(Ordering::Relaxed),
    );
    let other = tally.other.lock().map(|o| o.clone()).unwrap_or_default();
    assert!(
        other.is_empty(),
        "answers other than 200 and 503: {other:?}"
    );
    assert!(before > 0, "the load ran before the outage");
    assert!(during > 0, "requests during the outage were answered 503");
    // Under the pool's 3 s acquire timeout: requests met by the outage were
    // answered fast, not after waiting for a connection that never came.
    let slowest = Duration::from_millis(tally.slowest_ms.load(Ordering::Relaxed));
    assert!(
        slowest < Duration::from_secs(2),
        "a request took {slowest:?}: the outage was not answered fast"
    );
    assert!(resumed, "service resumed without a restart");
    assert!(
        tally.ok.load(Ordering::Relaxed) > ok_at_restart,
        "the load itself succeeds again after the restart"
    );

    // Nothing half-written: every answered sign-up exists with its password,
    // and no user anywhere lacks one.
    let signed_up = tally
        .signed_up
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    for email in &signed_up {
        let email = Email::parse(email).ok_or("bad email")?;
        assert!(
            auth.adapter().find_user_by_email(&email).await?.is_some(),
            "{email:?} was answered 200 and must exist"
        );
    }
    let orphans = sqlx_count(
        &server.url(),
        "SELECT COUNT(*) FROM users u LEFT JOIN passwords p ON p.user_id = u.id WHERE p.user_id IS NULL",
    )
    .await?;
    assert_eq!(
        orphans, 0,
        "users without a password: a sign-up half-written"
    );
    Ok(())
}

async fn sqlx_count(url: &str, query: &str) -> Result<i64, Box<dyn std::error::Error>> {
    use sqlx::{Connection, Row};
    let mut connection = sqlx::PgConnection::connect(url).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(query))
        .fetch_one(&mut connection)
        .await?;
    Ok(row.try_get::<i64, _>(0)?)
}
