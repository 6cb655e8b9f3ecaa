//! Test databases: a fresh SQLite file, PostgreSQL schema or MySQL database
//! per test, migrated, with the conformance user type's extra columns added
//! the way an application adds its own.
//!
//! PostgreSQL and MySQL run against `NANOAUTH_TEST_POSTGRES_URL` /
//! `NANOAUTH_TEST_MYSQL_URL` (`.ci/run` sets them), else against the
//! standard local ports when something listens there
//! (`nanoauth_testing::servers`); otherwise their tests are skipped and the
//! run says so. A server that is named or listens but refuses the
//! connection fails the test.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::time::{SystemTime, UNIX_EPOCH};

use nanoauth::utils::token::random_id;
use nanoauth_sqlx::{Dialect, SqlAdapter};
use nanoauth_testing::{ConformanceUser, servers};
use sqlx::Row as _;

pub type TestAdapter = SqlAdapter<ConformanceUser>;

/// Leftovers of runs that died before cleaning up are dropped after this.
const STALE_AFTER_SECS: u64 = 3600;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A name unique to this test, that says when it was made.
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

/// The application's own migration: the user type's extra columns.
pub fn extra_user_columns(dialect: Dialect) -> Vec<&'static str> {
    match dialect {
        Dialect::MySql => vec![
            "ALTER TABLE users ADD COLUMN role VARCHAR(255) NOT NULL DEFAULT 'member'",
            "ALTER TABLE users ADD COLUMN tenant_id VARCHAR(255) NULL",
            "ALTER TABLE users ADD COLUMN age BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE users ADD COLUMN score DOUBLE NOT NULL DEFAULT 0",
        ],
        _ => vec![
            "ALTER TABLE users ADD COLUMN role VARCHAR(255) NOT NULL DEFAULT 'member'",
            "ALTER TABLE users ADD COLUMN tenant_id VARCHAR(255)",
            "ALTER TABLE users ADD COLUMN age BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE users ADD COLUMN score DOUBLE PRECISION NOT NULL DEFAULT 0",
        ],
    }
}

pub async fn prepared(url: &str) -> TestAdapter {
    let adapter = TestAdapter::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    adapter.migrate().await.expect("migrate");
    // Twice: migrations are idempotent.
    adapter.migrate().await.expect("migrate again");
    for statement in extra_user_columns(adapter.dialect()) {
        adapter
            .execute_unprepared(statement)
            .await
            .expect(statement);
    }
    adapter
}

/// A fresh database on SQLite, and on PostgreSQL and MySQL when their
/// variables are set.
pub async fn every_database() -> Vec<TestAdapter> {
    [sqlite().await, postgres().await, mysql().await]
        .into_iter()
        .flatten()
        .collect()
}

/// A migrated SQLite database in a new file under the target directory.
pub async fn sqlite() -> Option<TestAdapter> {
    Some(prepared(&sqlite_url()).await)
}

/// SQLite with the application's own names: its users table is
/// `app_users`, `name` is stored in `display_name` and `tenant_id` in
/// `org_id`, the sessions table is `app_sessions` and plugin records are in
/// `app_records`.
pub async fn sqlite_mapped() -> Option<TestAdapter> {
    let schema = nanoauth_sqlx::Schema::default()
        .users_table("app_users")
        .sessions_table("app_sessions")
        .records_table("app_records")
        .user_column("name", "display_name")
        .user_column("tenant_id", "org_id");
    let adapter = TestAdapter::builder(sqlite_url())
        .schema(schema)
        .connect()
        .await
        .expect("connect");
    adapter.migrate().await.expect("migrate");
    for statement in extra_user_columns(Dialect::Sqlite) {
        let statement = statement
            .replace("TABLE users", "TABLE app_users")
            .replace("tenant_id", "org_id");
        adapter.execute_unprepared(&statement).await.expect("alter");
    }
    Some(adapter)
}

/// A new SQLite file under the target directory (created on first connection).
pub fn sqlite_url() -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-sqlite");
    std::fs::create_dir_all(&dir).expect("temp dir");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if is_stale(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let path = dir.join(format!("{}.db", unique_name()));
    format!("sqlite://{}", path.display())
}

/// A migrated PostgreSQL schema of its own, on the server in
/// `NANOAUTH_TEST_POSTGRES_URL`.
pub async fn postgres() -> Option<TestAdapter> {
    let url = postgres_url().await?;
    Some(prepared(&url).await)
}

/// A new, empty PostgreSQL schema; the URL selects it.
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

/// A migrated MySQL/MariaDB database of its own, on the server in
/// `NANOAUTH_TEST_MYSQL_URL`.
pub async fn mysql() -> Option<TestAdapter> {
    let url = mysql_url().await?;
    Some(prepared(&url).await)
}

/// A new, empty MySQL/MariaDB database; the URL selects it.
pub async fn mysql_url() -> Option<String> {
    let url = servers::MYSQL.url()?;
    let admin = sqlx::MySqlPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("MySQL/MariaDB at {url} refuses the tests: {e}"));
    let stale: Vec<String> = sqlx::query("SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE 'nanoauth\\_t\\_%'")
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
    // Same server and credentials, other database.
    let base = url.split('?').next().unwrap_or(&url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Some(format!("{server}/{database}"))
}
