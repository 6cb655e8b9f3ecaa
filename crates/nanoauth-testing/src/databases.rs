//! Fresh test databases, one per test: a new SQLite file, PostgreSQL
//! schema or MySQL/MariaDB database, each named `nanoauth_t_<unix
//! time>_<random>`, on the servers [`servers`](crate::servers) finds.
//! Leftovers older than an hour (of runs that died before cleaning up) are
//! dropped whenever a new one is made, so runs never collide and never
//! pile up.
//!
//! ```no_run
//! # async fn example() {
//! use nanoauth_testing::databases;
//!
//! let dir = std::env::temp_dir().join("my-adapter-tests");
//! let sqlite = databases::sqlite_url(&dir);
//! if let Some(postgres) = databases::postgres_url().await {
//!     // postgres://…?options=-csearch_path%3Dnanoauth_t_…: an empty schema
//!     databases::drop_postgres(&postgres).await;
//! }
//! # let _ = sqlite; }
//! ```

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use nanoauth::utils::token::random_id;
use sqlx::Row as _;

use crate::servers;

/// Leftovers of runs that died before cleaning up are dropped after this.
const STALE_AFTER_SECS: u64 = 3600;

/// The prefix of every name made here.
const PREFIX: &str = "nanoauth_t_";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A name unique to this test that says when it was made:
/// `nanoauth_t_<unix time>_<10 random characters>` (lowercase, a valid
/// identifier in every dialect).
///
/// # Panics
/// When the operating system has no randomness to give.
pub fn unique_name() -> String {
    let tag: String = random_id()
        .expect("randomness")
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    format!("{PREFIX}{}_{tag}", now())
}

/// A name of [`unique_name`]'s made over an hour ago.
pub fn is_stale(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|secs| secs.parse::<u64>().ok())
        .is_some_and(|made| made + STALE_AFTER_SECS < now())
}

/// A URL for a new SQLite file in `dir` (created on first connection),
/// after removing the stale files there.
///
/// # Panics
/// When `dir` cannot be created.
pub fn sqlite_url(dir: &Path) -> String {
    std::fs::create_dir_all(dir).expect("the test directory");
    if let Ok(entries) = std::fs::read_dir(dir) {
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

/// A new, empty PostgreSQL schema (the URL selects it through
/// `search_path`), or `None` when no PostgreSQL is there (and the skip is
/// said).
///
/// # Panics
/// When the server is there but refuses the tests.
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

/// Drops the schema a [`postgres_url`] made (best effort).
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

/// A new, empty MySQL/MariaDB database (utf8mb4) on the same server and
/// credentials, or `None` when no MySQL/MariaDB is there (and the skip is
/// said).
///
/// # Panics
/// When the server is there but refuses the tests.
pub async fn mysql_url() -> Option<String> {
    let url = servers::MYSQL.url()?;
    let admin = sqlx::MySqlPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("MySQL/MariaDB at {url} refuses the tests: {e}"));
    let stale: Vec<String> = sqlx::query(
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata \
         WHERE schema_name LIKE 'nanoauth\\_t\\_%'",
    )
    .fetch_all(&admin)
    .await
    .expect("list databases")
    .iter()
    .map(|row| row.get::<String, _>(0))
    .filter(|name| is_stale(name))
    .collect();
    for name in stale {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&admin)
        .await;
    }
    let database = unique_name();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {database} CHARACTER SET utf8mb4"
    )))
    .execute(&admin)
    .await
    .expect("create database");
    admin.close().await;
    let base = url.split('?').next().unwrap_or(&url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Some(format!("{server}/{database}"))
}
