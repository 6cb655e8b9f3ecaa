//! Applying the migrations: the migrations table, the lock that lets two
//! instances migrate at once, and the baseline of databases made before
//! there were versions.
//!
//! One connection, one transaction, from the lock to the last record:
//! - SQLite: `BEGIN IMMEDIATE` takes the database's single write lock, so a
//!   second migrator (another connection or process) waits for the first
//!   to commit and then finds every step recorded.
//! - PostgreSQL: DDL is transactional; `pg_advisory_xact_lock` serialises
//!   migrators before anything is read, and is released by the commit or
//!   the rollback, whatever happens to this future.
//! - MySQL/MariaDB: DDL commits implicitly, so the transaction cannot make
//!   a step atomic; `GET_LOCK` (a named lock of the session) serialises
//!   migrators, and is released by `RELEASE_LOCK`, or by the server when
//!   the connection closes.

use std::collections::BTreeMap;

use nanoauth::{AdapterError, Clock, SystemClock};
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::adapter::to_db_time;
use crate::dialect::Dialect;
use crate::error::adapter_error;
use crate::migrations::{Migration, Reflected, migrations, statements};
use crate::pool::{Pool, on_pool};
use crate::schema::Schema;

/// What [`SqlAdapter::migrate`](crate::SqlAdapter::migrate) did, by
/// migration version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationReport {
    /// Steps run now.
    pub applied: Vec<u32>,
    /// Steps found already in a database made by a NanoAuth from before the
    /// migrations table, and recorded without running them.
    pub recognised: Vec<u32>,
    /// Steps the migrations table already recorded.
    pub up_to_date: Vec<u32>,
}

impl MigrationReport {
    /// `true` when nothing was run or recorded.
    pub fn is_no_op(&self) -> bool {
        self.applied.is_empty() && self.recognised.is_empty()
    }
}

/// Why the migrations could not be applied, for reasons of the migrations
/// themselves (the database's own errors are [`AdapterError`]s as usual).
/// Reached through [`AdapterError::Other`]'s source, by downcasting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationError {
    /// A step recorded as applied had other SQL than this NanoAuth's: the
    /// step was edited after release, or the [`Schema`]'s names changed
    /// since it was applied. Nothing was changed.
    ChecksumMismatch {
        /// The step's version.
        version: u32,
        /// The step's name.
        name: &'static str,
        /// The checksum the migrations table recorded.
        recorded: String,
        /// The checksum of this NanoAuth's SQL for the step.
        expected: String,
    },
    /// Another migration held the lock for longer than
    /// [`LOCK_WAIT_SECS`] (MySQL/MariaDB only: the other databases wait
    /// as long as the other migration takes).
    LockTimeout,
}

/// How long a MySQL/MariaDB migrator waits for another one's lock.
pub const LOCK_WAIT_SECS: u32 = 60;

impl std::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ChecksumMismatch {
                version,
                name,
                recorded,
                expected,
            } => write!(
                f,
                "migration {version} ({name}) was applied with checksum {recorded}, but this \
                 NanoAuth's SQL for it has checksum {expected}: were the table names \
                 (Schema) changed since, or the migrations table copied from another \
                 database? Nothing was changed"
            ),
            Self::LockTimeout => write!(
                f,
                "another migration held the migration lock for more than {LOCK_WAIT_SECS} s"
            ),
        }
    }
}

impl std::error::Error for MigrationError {}

/// The statements that differ by dialect, built before a connection is taken.
struct Plan {
    begin: &'static str,
    /// Taken right after `begin`: the lock, and whether its one value must
    /// be 1 (GET_LOCK answers 0 on timeout).
    lock: Option<(String, bool)>,
    unlock: Option<String>,
    table_exists: String,
    column_exists: String,
    create_table: String,
    select_applied: String,
    insert_applied: String,
}

impl Plan {
    fn new(dialect: Dialect, schema: &Schema) -> Self {
        let table = schema.quoted(dialect).migrations;
        let (begin, lock, unlock) = match dialect {
            Dialect::Sqlite => ("BEGIN IMMEDIATE", None, None),
            // One key per migrations table (so per set of NanoAuth tables);
            // advisory locks are per database, whatever the schema.
            Dialect::Postgres => (
                "BEGIN",
                Some((
                    format!(
                        "SELECT pg_advisory_xact_lock({})",
                        lock_key(&schema.migrations)
                    ),
                    false,
                )),
                None,
            ),
            // Lock names are server-wide: the database's name is in it. MySQL
            // allows 64 characters, which a SHA-256 in hex fills exactly.
            Dialect::MySql => {
                let name = format!(
                    "SHA2(CONCAT('nanoauth-migrate:', DATABASE(), '.', '{}'), 256)",
                    schema.migrations
                );
                (
                    "BEGIN",
                    Some((
                        format!("SELECT CAST(GET_LOCK({name}, {LOCK_WAIT_SECS}) AS SIGNED)"),
                        true,
                    )),
                    Some(format!("SELECT RELEASE_LOCK({name})")),
                )
            }
        };
        let (table_exists, column_exists) = match dialect {
            Dialect::Sqlite => (
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                "SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
            ),
            // to_regclass resolves the name through search_path, as the
            // adapter's queries do; it takes the quoted name.
            Dialect::Postgres => (
                "SELECT 1 WHERE to_regclass(?) IS NOT NULL",
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) \
                 AND attname = ? AND NOT attisdropped",
            ),
            Dialect::MySql => (
                "SELECT 1 FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name = ?",
                "SELECT 1 FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?",
            ),
        };
        let engine = if dialect == Dialect::MySql {
            " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        } else {
            ""
        };
        Self {
            begin,
            lock,
            unlock,
            table_exists: dialect.placeholders(table_exists),
            column_exists: dialect.placeholders(column_exists),
            create_table: format!(
                "CREATE TABLE IF NOT EXISTS {table} (\n\
                 \x20 version BIGINT NOT NULL PRIMARY KEY,\n\
                 \x20 name VARCHAR(255) NOT NULL,\n\
                 \x20 checksum VARCHAR(64) NOT NULL,\n\
                 \x20 applied_at BIGINT NOT NULL\n\
                 ){engine}"
            ),
            select_applied: format!("SELECT version, checksum FROM {table} ORDER BY version"),
            insert_applied: dialect.placeholders(&format!(
                "INSERT INTO {table} (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"
            )),
        }
    }
}

/// The PostgreSQL advisory lock key of a migrations table: the first eight
/// bytes of a SHA-256, so that unrelated applications' keys do not collide.
fn lock_key(table: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("nanoauth-migrate:{table}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// A table name as the catalog queries take it: PostgreSQL's `to_regclass`
/// parses a (quoted) name, the others compare the plain name.
fn catalog_name(dialect: Dialect, table: &str) -> String {
    match dialect {
        Dialect::Postgres => dialect.quote(table),
        _ => table.to_owned(),
    }
}

/// Applies every step the database lacks; see the module's documentation.
pub(crate) async fn migrate(
    pool: &Pool,
    dialect: Dialect,
    schema: &Schema,
) -> Result<MigrationReport, AdapterError> {
    let plan = Plan::new(dialect, schema);
    let steps = migrations(dialect, schema);
    let now = to_db_time(SystemClock.now());
    let migrations_table = catalog_name(dialect, &schema.migrations);
    let outcome: Result<Result<MigrationReport, MigrationError>, sqlx::Error> = on_pool!(pool, conn => async {
        let mut tx = conn.begin_with(AssertSqlSafe(plan.begin)).await?;
        let result = async {
            if let Some((lock, must_be_one)) = &plan.lock {
                let row = sqlx::query(AssertSqlSafe(lock.as_str())).fetch_one(&mut *tx).await?;
                if *must_be_one && row.try_get::<Option<i64>, _>(0)? != Some(1) {
                    return Ok(Err(MigrationError::LockTimeout));
                }
            }
            // Without a migrations table the database is empty or was made
            // by a NanoAuth from before it: steps already there are recognised.
            let had_table = sqlx::query(AssertSqlSafe(plan.table_exists.as_str()))
                .bind(migrations_table.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            sqlx::raw_sql(AssertSqlSafe(plan.create_table.as_str())).execute(&mut *tx).await?;
            let mut recorded = BTreeMap::new();
            for row in sqlx::query(AssertSqlSafe(plan.select_applied.as_str())).fetch_all(&mut *tx).await? {
                recorded.insert(row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?);
            }
            // Every check before any change. Versions this NanoAuth does not
            // know were applied by a newer one: left alone, so that an older
            // instance still starts during a rolling upgrade.
            for step in &steps {
                if let Some(checksum) = recorded.get(&i64::from(step.version()))
                    && checksum.trim() != step.checksum()
                {
                    return Ok(Err(mismatch(step, checksum)));
                }
            }
            let mut report = MigrationReport::default();
            for step in &steps {
                if recorded.contains_key(&i64::from(step.version())) {
                    report.up_to_date.push(step.version());
                    continue;
                }
                let present = !had_table && match step.reflected() {
                    Reflected::Table(table) => sqlx::query(AssertSqlSafe(plan.table_exists.as_str()))
                        .bind(catalog_name(dialect, table))
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some(),
                    Reflected::Column(table, column) => sqlx::query(AssertSqlSafe(plan.column_exists.as_str()))
                        .bind(catalog_name(dialect, table))
                        .bind(*column)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some(),
                };
                if present {
                    report.recognised.push(step.version());
                } else {
                    for statement in statements(step.sql()) {
                        sqlx::raw_sql(AssertSqlSafe(statement)).execute(&mut *tx).await?;
                    }
                    report.applied.push(step.version());
                }
                sqlx::query(AssertSqlSafe(plan.insert_applied.as_str()))
                    .bind(i64::from(step.version()))
                    .bind(step.name())
                    .bind(step.checksum())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok::<_, sqlx::Error>(Ok(report))
        }
        .await;
        let result = match result {
            Ok(Ok(report)) => tx.commit().await.map(|()| Ok(report)),
            Ok(Err(refused)) => tx.rollback().await.map(|()| Err(refused)),
            Err(error) => {
                // The error is what matters; a failed rollback ends with
                // the connection anyway.
                let _ = tx.rollback().await;
                Err(error)
            }
        };
        if let Some(unlock) = &plan.unlock {
            // Also on failure: the lock belongs to the session, which goes
            // back to the pool. If this fails the connection is broken,
            // and the server drops the lock with it.
            let _ = sqlx::raw_sql(AssertSqlSafe(unlock.as_str())).execute(&mut *conn).await;
        }
        result
    }
    .await);
    outcome
        .map_err(adapter_error)?
        .map_err(|refused| AdapterError::Other(Box::new(refused)))
}

fn mismatch(step: &Migration, recorded: &str) -> MigrationError {
    MigrationError::ChecksumMismatch {
        version: step.version(),
        name: step.name(),
        recorded: recorded.trim().to_owned(),
        expected: step.checksum().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_differ_by_table() {
        assert_ne!(lock_key("nanoauth_migrations"), lock_key("app_migrations"));
        assert_eq!(
            lock_key("nanoauth_migrations"),
            lock_key("nanoauth_migrations")
        );
    }

    #[test]
    fn the_mismatch_error_names_the_step_and_both_checksums() {
        let step = &migrations(Dialect::Sqlite, &Schema::default())[2];
        let error = mismatch(step, "abc ");
        let shown = error.to_string();
        assert!(shown.contains("migration 3 (verification_data)"), "{shown}");
        assert!(shown.contains("checksum abc,"), "{shown}");
        assert!(shown.contains(step.checksum()), "{shown}");
    }
}
