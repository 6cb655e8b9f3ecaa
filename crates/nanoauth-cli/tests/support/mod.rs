//! Running the built `nanoauth` binary, and fresh databases for it: a new
//! SQLite file, or a new PostgreSQL schema (leftovers of runs that died,
//! `nanoauth_t_*` older than an hour, are dropped first).

#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use nanoauth::utils::token::random_id;
use nanoauth_testing::servers;
use sqlx::Row as _;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `nanoauth args...`, with `stdin` on its standard input, and
/// `DATABASE_URL` unset so that only the arguments count.
pub fn nanoauth(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nanoauth"))
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        // A command that does not read stdin may have exited already.
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("the binary ends");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the binary off the async runtime (it may call a server the test
/// runs on that runtime).
pub async fn nanoauth_async(args: Vec<String>, stdin: String) -> Run {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nanoauth(&args, &stdin)
    })
    .await
    .expect("the run finished")
}

const STALE_AFTER_SECS: u64 = 3600;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn unique_name() -> String {
    let tag: String = random_id()
        .expect("randomness")
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    format!("nanoauth_t_{}_{tag}", now())
}

fn is_stale(name: &str) -> bool {
    name.strip_prefix("nanoauth_t_")
        .and_then(|rest| rest.split('_').next())
        .and_then(|secs| secs.parse::<u64>().ok())
        .is_some_and(|made| made + STALE_AFTER_SECS < now())
}

/// A SQLite URL for a file that does not exist yet.
pub fn sqlite_url() -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-cli");
    std::fs::create_dir_all(&dir).expect("temp dir");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if is_stale(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    format!(
        "sqlite://{}",
        dir.join(format!("{}.db", unique_name())).display()
    )
}

/// A new, empty PostgreSQL schema (the URL selects it), or `None` when no
/// PostgreSQL is there (`nanoauth_testing::servers` says so).
pub async fn postgres_url() -> Option<String> {
    let url = servers::POSTGRES.url()?;
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} refuses the tests: {e}"));
    let stale: Vec<String> =
        sqlx::query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'nanoauth\\_t\\_%'")
            .fetch_all(&admin)
            .await
            .expect("list schemas")
            .iter()
            .map(|row| row.get::<String, _>(0))
            .filter(|name| is_stale(name))
            .collect();
    for name in stale {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE"
        )))
        .execute(&admin)
        .await;
    }
    let schema = unique_name();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let separator = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{separator}options=-csearch_path%3D{schema}"))
}

/// Drops the schema a [`postgres_url`] made.
pub async fn drop_postgres(url: &str) {
    let Some(schema) = url.rsplit("search_path%3D").next() else {
        return;
    };
    let base = url.split('?').next().unwrap_or(url);
    if let Ok(admin) = sqlx::PgPool::connect(base).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&admin)
        .await;
        admin.close().await;
    }
}
