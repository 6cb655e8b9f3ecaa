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

use nanoauth_sqlx::{Dialect, SqlAdapter};
use nanoauth_testing::{ConformanceUser, databases};

pub type TestAdapter = SqlAdapter<ConformanceUser>;

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

/// A new SQLite file under the target directory (created on first use).
pub fn sqlite_url() -> String {
    databases::sqlite_url(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-sqlite"),
    )
}

/// A migrated PostgreSQL schema of its own, on the server in
/// `NANOAUTH_TEST_POSTGRES_URL`.
pub async fn postgres() -> Option<TestAdapter> {
    let url = postgres_url().await?;
    Some(prepared(&url).await)
}

/// A new, empty PostgreSQL schema; the URL selects it.
pub async fn postgres_url() -> Option<String> {
    databases::postgres_url().await
}

/// A migrated MySQL/MariaDB database of its own, on the server in
/// `NANOAUTH_TEST_MYSQL_URL`.
pub async fn mysql() -> Option<TestAdapter> {
    let url = mysql_url().await?;
    Some(prepared(&url).await)
}

/// A new, empty MySQL/MariaDB database; the URL selects it.
pub async fn mysql_url() -> Option<String> {
    databases::mysql_url().await
}
