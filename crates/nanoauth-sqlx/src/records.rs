//! Plugin records ([`RecordAdapter`]) in one table, `plugin_records` by
//! default: every plugin's state, keyed by `(namespace, record_key)`.
//!
//! Every statement compares `expires_at` with the caller's `now`, never
//! with the database's clock: an expired row is absent to every method
//! whether or not it was purged yet, and the `Auth`'s clock (which tests
//! move) is the only clock.

use std::sync::Arc;

use nanoauth::adapter::{PluginRecord, RecordAdapter, UserRecordsAdapter, check_names};
use nanoauth::{AdapterError, AuthUser};
use serde::de::DeserializeOwned;
use sqlx::{ColumnIndex, Connection, Decode, Row, Type};

use crate::adapter::{SqlAdapter, from_db_time, sql, to_db_time};
use crate::dialect::Dialect;
use crate::error::adapter_error;
use crate::pool::on_pool;
use crate::schema::Schema;
use crate::values::bind_params;

/// How often an insert chosen as a deadlock victim is tried in all.
const DEADLOCK_ATTEMPTS: u32 = 3;

/// The database gave up a statement to break a deadlock (MySQL/MariaDB
/// 1213, SQLSTATE 40001; PostgreSQL's 40P01 likewise): trying it again is
/// safe.
fn is_deadlock(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db)
        if matches!(db.code().as_deref(), Some("40001" | "40P01")))
}

/// Column list of the records table, in the order rows are read.
const RECORD_COLUMNS: &str = "namespace, record_key, user_id, data, version, expires_at";

/// A row that is still there at the `now` bound last.
const LIVE: &str = "(expires_at IS NULL OR expires_at > ?)";

/// The records statements, built once per adapter.
#[derive(Debug)]
pub(crate) struct RecordStatements {
    /// A plain insert: the primary key refuses a second live record.
    insert: Arc<str>,
    /// Clears the way for an insert over a record that expired.
    delete_expired: Arc<str>,
    find: Arc<str>,
    update: Arc<str>,
    delete: Arc<str>,
    list_user: Arc<str>,
    delete_user: Arc<str>,
    purge: Arc<str>,
}

impl RecordStatements {
    pub(crate) fn new(dialect: Dialect, schema: &Schema) -> Self {
        let records = dialect.quote(&schema.records);
        let sql = |text: String| -> Arc<str> { dialect.placeholders(&text).into() };
        Self {
            insert: sql(format!(
                "INSERT INTO {records} ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, 1, ?)"
            )),
            delete_expired: sql(format!(
                "DELETE FROM {records} WHERE namespace = ? AND record_key = ? \
                 AND expires_at IS NOT NULL AND expires_at <= ?"
            )),
            find: sql(format!(
                "SELECT {RECORD_COLUMNS} FROM {records} \
                 WHERE namespace = ? AND record_key = ? AND {LIVE}"
            )),
            // The version in the WHERE clause is the compare-and-swap: of
            // two updates that read the same version, the database lets
            // the first change the row and the second match nothing.
            update: sql(format!(
                "UPDATE {records} SET data = ?, user_id = ?, expires_at = ?, version = version + 1 \
                 WHERE namespace = ? AND record_key = ? AND version = ? AND {LIVE}"
            )),
            delete: sql(format!(
                "DELETE FROM {records} WHERE namespace = ? AND record_key = ? AND {LIVE}"
            )),
            list_user: sql(format!(
                "SELECT {RECORD_COLUMNS} FROM {records} \
                 WHERE namespace = ? AND user_id = ? AND {LIVE}"
            )),
            delete_user: sql(format!(
                "DELETE FROM {records} WHERE namespace = ? AND user_id = ?"
            )),
            purge: sql(format!(
                "DELETE FROM {records} WHERE expires_at IS NOT NULL AND expires_at <= ?"
            )),
        }
    }
}

fn record_from_row<R>(row: &R) -> Result<PluginRecord, sqlx::Error>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let version: i64 = row.try_get(4)?;
    let version = u64::try_from(version)
        .map_err(|_| sqlx::Error::Decode("a plugin record's version is negative".into()))?;
    Ok(PluginRecord::from_storage(
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
        version,
        row.try_get::<Option<i64>, _>(5)?.map(from_db_time),
    ))
}

/// Implemented on all three databases with the same statements.
///
/// A record's `user_id` is a foreign key to the users table: a record for
/// a user that does not exist is refused (an [`AdapterError::Other`]), and
/// deleting a user deletes their records.
impl<U: AuthUser + DeserializeOwned> RecordAdapter<U> for SqlAdapter<U> {
    async fn insert_record(&self, record: &PluginRecord, now: u64) -> Result<(), AdapterError> {
        record.check()?;
        let statements = &self.statements.records;
        let now = to_db_time(now);
        let expires_at = record.expires_at.map(to_db_time);
        // Two statements, deliberately not one transaction: the plain
        // insert alone decides between concurrent inserters (the primary
        // key lets exactly one through; the others get a unique violation,
        // `Conflict`), whether or not an expired record was there. Inside a
        // transaction MySQL would hold a gap lock from each inserter's
        // DELETE of a missing row, and two such inserts deadlock: the loser
        // would see a deadlock error, not `Conflict`. At worst an inserter
        // that loses deleted an expired record, which was absent already.
        // Even as two statements, MariaDB now and then picks one of several
        // racing inserters as a deadlock victim (the DELETE's gap lock
        // against another's insert): that inserter tries again, and then
        // meets the winner's row, `Conflict`.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let inserted = on_pool!(&self.pool, conn => async {
            sqlx::query(sql(&statements.delete_expired))
                .bind(record.namespace.as_str())
                .bind(record.key.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query(sql(&statements.insert))
                .bind(record.namespace.as_str())
                .bind(record.key.as_str())
                .bind(record.user_id.as_deref())
                .bind(record.data.as_str())
                .bind(expires_at)
                .execute(&mut *conn)
                .await
                .map(|_| ())
            }.await);
            match inserted {
                Err(error) if is_deadlock(&error) && attempts < DEADLOCK_ATTEMPTS => {}
                other => return other.map_err(adapter_error),
            }
        }
    }

    async fn find_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> Result<Option<PluginRecord>, AdapterError> {
        // A name no insert accepts names no record.
        if check_names(namespace, key).is_err() {
            return Ok(None);
        }
        let statement = &self.statements.records.find;
        on_pool!(&self.pool, conn => async {
            let row = sqlx::query(sql(statement))
                .bind(namespace)
                .bind(key)
                .bind(to_db_time(now))
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|row| record_from_row(&row)).transpose()
        }.await)
        .map_err(adapter_error)
    }

    async fn update_record(&self, record: &PluginRecord, now: u64) -> Result<bool, AdapterError> {
        record.check()?;
        let version = i64::try_from(record.version).map_err(|_| {
            AdapterError::InvalidInput("record version out of range for storage".into())
        })?;
        let statement = &self.statements.records.update;
        // Rows matched, not rows changed, on every dialect (sqlx asks MySQL
        // for CLIENT_FOUND_ROWS); here they agree anyway, since the version
        // always changes.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(record.data.as_str())
            .bind(record.user_id.as_deref())
            .bind(record.expires_at.map(to_db_time))
            .bind(record.namespace.as_str())
            .bind(record.key.as_str())
            .bind(version)
            .bind(to_db_time(now))
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() == 1))
        .map_err(adapter_error)
    }

    async fn delete_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> Result<bool, AdapterError> {
        if check_names(namespace, key).is_err() {
            return Ok(false);
        }
        let statement = &self.statements.records.delete;
        // Whoever's DELETE removes the row is the one that consumed it; an
        // expired row is left for the purge, and answers false.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(namespace)
            .bind(key)
            .bind(to_db_time(now))
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0))
        .map_err(adapter_error)
    }

    async fn list_user_records(
        &self,
        namespace: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Vec<PluginRecord>, AdapterError> {
        let statement = &self.statements.records.list_user;
        on_pool!(&self.pool, conn => async {
            let rows = sqlx::query(sql(statement))
                .bind(namespace)
                .bind(user_id)
                .bind(to_db_time(now))
                .fetch_all(&mut *conn)
                .await?;
            rows.iter().map(record_from_row).collect::<Result<Vec<_>, _>>()
        }.await)
        .map_err(adapter_error)
    }

    async fn delete_user_records(
        &self,
        namespace: &str,
        user_id: &str,
    ) -> Result<u64, AdapterError> {
        let statement = &self.statements.records.delete_user;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(namespace)
            .bind(user_id)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected()))
        .map_err(adapter_error)
    }

    async fn purge_expired_records(&self, now: u64) -> Result<u64, AdapterError> {
        self.purge(&self.statements.records.purge, now).await
    }
}

/// The user row and the records in one transaction: a unique violation
/// (the email, the id, a live record's key) rolls all of it back.
impl<U: AuthUser + DeserializeOwned> UserRecordsAdapter<U> for SqlAdapter<U> {
    async fn create_user_with_records(
        &self,
        user: &U,
        records: &[PluginRecord],
        now: u64,
    ) -> Result<(), AdapterError> {
        for record in records {
            record.check()?;
            if record
                .user_id
                .as_deref()
                .is_some_and(|owner| owner != user.id())
            {
                return Err(AdapterError::other("a record of another user"));
            }
        }
        let (insert_user, params) = self.insert_user_statement(user)?;
        let statements = &self.statements.records;
        let now = to_db_time(now);
        on_pool!(&self.pool, conn => async {
            // Expired records under these keys are cleared before the
            // transaction, as `insert_record` does (MySQL's gap locks).
            for record in records {
                sqlx::query(sql(&statements.delete_expired))
                    .bind(record.namespace.as_str())
                    .bind(record.key.as_str())
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
            }
            let mut tx = conn.begin().await?;
            bind_params!(sqlx::query(sql(&insert_user)), &params)
                .execute(&mut *tx)
                .await?;
            for record in records {
                sqlx::query(sql(&statements.insert))
                    .bind(record.namespace.as_str())
                    .bind(record.key.as_str())
                    .bind(record.user_id.as_deref())
                    .bind(record.data.as_str())
                    .bind(record.expires_at.map(to_db_time))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }.await)
        .map_err(adapter_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_use_the_configured_table() {
        let schema = Schema::default().records_table("app_records");
        assert!(schema.validate().is_ok());
        assert!(
            Schema::default()
                .records_table("records; --")
                .validate()
                .is_err()
        );
        let st = RecordStatements::new(Dialect::Postgres, &schema);
        assert!(
            st.update.starts_with("UPDATE \"app_records\" SET"),
            "{}",
            st.update
        );
        // Seven parameters, numbered for PostgreSQL, `now` last.
        assert!(st.update.ends_with("expires_at > $7)"), "{}", st.update);
    }
}
