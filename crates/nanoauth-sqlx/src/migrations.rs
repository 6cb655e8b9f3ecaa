//! The tables NanoAuth needs, per dialect.

use crate::dialect::Dialect;
use crate::schema::{QuotedNames, Schema};

/// The migration for `dialect`, with the schema's table names, as SQL
/// statements separated by `;` and newlines: print it for your own migration
/// tool, or let [`SqlAdapter::migrate`](crate::SqlAdapter::migrate) run it.
///
/// Idempotent (`CREATE ... IF NOT EXISTS`). The users table gets only what
/// NanoAuth itself needs (`id`, `email` unique, `name`); add your user
/// type's other fields as columns with your own migration, or point
/// [`Schema::users_table`] at your existing table.
///
/// ```
/// use nanoauth_sqlx::{Dialect, Schema, migration_sql};
/// let sql = migration_sql(Dialect::Postgres, &Schema::default());
/// assert!(sql.contains("CREATE TABLE IF NOT EXISTS \"sessions\""));
/// ```
pub fn migration_sql(dialect: Dialect, schema: &Schema) -> String {
    let QuotedNames {
        users,
        passwords,
        sessions,
        verifications,
        email_verifications,
        accounts,
        records,
        id,
        email,
        name,
    } = schema.quoted(dialect);
    let index = |table: &str, column: &str| dialect.quote(&format!("{table}_{column}_idx"));
    let sessions_user_idx = index(&schema.sessions, "user_id");
    let sessions_expires_idx = index(&schema.sessions, "expires_at");
    let verifications_expires_idx = index(&schema.verifications, "expires_at");
    let accounts_user_idx = index(&schema.accounts, "user_id");
    let records_user_idx = index(&schema.records, "user_id");
    let records_expires_idx = index(&schema.records, "expires_at");

    match dialect {
        // MySQL: binary collation so that ids, emails and hashes compare
        // byte for byte (the default collations ignore case and accents),
        // and indexes declared inline (MySQL has no CREATE INDEX IF NOT EXISTS).
        Dialect::MySql => format!(
            "CREATE TABLE IF NOT EXISTS {users} (\n\
             \x20 {id} VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
             \x20 {email} VARCHAR(255) COLLATE utf8mb4_bin NOT NULL UNIQUE,\n\
             \x20 {name} VARCHAR(255) NOT NULL DEFAULT ''\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {passwords} (\n\
             \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
             \x20 hash TEXT NOT NULL,\n\
             \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {sessions} (\n\
             \x20 token_hash CHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
             \x20 id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,\n\
             \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 created_at BIGINT NOT NULL,\n\
             \x20 updated_at BIGINT NOT NULL,\n\
             \x20 expires_at BIGINT NOT NULL,\n\
             \x20 ip_address VARCHAR(64) NULL,\n\
             \x20 user_agent TEXT NULL,\n\
             \x20 KEY {sessions_user_idx} (user_id),\n\
             \x20 KEY {sessions_expires_idx} (expires_at),\n\
             \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {verifications} (\n\
             \x20 token_hash CHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
             \x20 purpose VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 identifier VARCHAR(255) NOT NULL,\n\
             \x20 expires_at BIGINT NOT NULL,\n\
             \x20 data TEXT NULL,\n\
             \x20 KEY {verifications_expires_idx} (expires_at)\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {email_verifications} (\n\
             \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
             \x20 verified_at BIGINT NOT NULL,\n\
             \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {accounts} (\n\
             \x20 provider VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 account_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 created_at BIGINT NOT NULL,\n\
             \x20 PRIMARY KEY (provider, account_id),\n\
             \x20 KEY {accounts_user_idx} (user_id),\n\
             \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE IF NOT EXISTS {records} (\n\
             \x20 namespace VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 record_key VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
             \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NULL,\n\
             \x20 data TEXT NOT NULL,\n\
             \x20 version BIGINT NOT NULL,\n\
             \x20 expires_at BIGINT NULL,\n\
             \x20 PRIMARY KEY (namespace, record_key),\n\
             \x20 KEY {records_user_idx} (namespace, user_id),\n\
             \x20 KEY {records_expires_idx} (expires_at),\n\
             \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
             ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        ),
        Dialect::Sqlite | Dialect::Postgres => format!(
            "CREATE TABLE IF NOT EXISTS {users} (\n\
             \x20 {id} VARCHAR(255) NOT NULL PRIMARY KEY,\n\
             \x20 {email} VARCHAR(255) NOT NULL UNIQUE,\n\
             \x20 {name} VARCHAR(255) NOT NULL DEFAULT ''\n\
             );\n\
             CREATE TABLE IF NOT EXISTS {passwords} (\n\
             \x20 user_id VARCHAR(255) NOT NULL PRIMARY KEY REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
             \x20 hash TEXT NOT NULL\n\
             );\n\
             CREATE TABLE IF NOT EXISTS {sessions} (\n\
             \x20 token_hash CHAR(64) NOT NULL PRIMARY KEY,\n\
             \x20 id VARCHAR(64) NOT NULL UNIQUE,\n\
             \x20 user_id VARCHAR(255) NOT NULL REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
             \x20 created_at BIGINT NOT NULL,\n\
             \x20 updated_at BIGINT NOT NULL,\n\
             \x20 expires_at BIGINT NOT NULL,\n\
             \x20 ip_address VARCHAR(64),\n\
             \x20 user_agent TEXT\n\
             );\n\
             CREATE INDEX IF NOT EXISTS {sessions_user_idx} ON {sessions} (user_id);\n\
             CREATE INDEX IF NOT EXISTS {sessions_expires_idx} ON {sessions} (expires_at);\n\
             CREATE TABLE IF NOT EXISTS {verifications} (\n\
             \x20 token_hash CHAR(64) NOT NULL PRIMARY KEY,\n\
             \x20 purpose VARCHAR(64) NOT NULL,\n\
             \x20 identifier VARCHAR(255) NOT NULL,\n\
             \x20 expires_at BIGINT NOT NULL,\n\
             \x20 data TEXT\n\
             );\n\
             CREATE INDEX IF NOT EXISTS {verifications_expires_idx} ON {verifications} (expires_at);\n\
             CREATE TABLE IF NOT EXISTS {email_verifications} (\n\
             \x20 user_id VARCHAR(255) NOT NULL PRIMARY KEY REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
             \x20 verified_at BIGINT NOT NULL\n\
             );\n\
             CREATE TABLE IF NOT EXISTS {accounts} (\n\
             \x20 provider VARCHAR(64) NOT NULL,\n\
             \x20 account_id VARCHAR(255) NOT NULL,\n\
             \x20 user_id VARCHAR(255) NOT NULL REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
             \x20 created_at BIGINT NOT NULL,\n\
             \x20 PRIMARY KEY (provider, account_id)\n\
             );\n\
             CREATE INDEX IF NOT EXISTS {accounts_user_idx} ON {accounts} (user_id);\n\
             CREATE TABLE IF NOT EXISTS {records} (\n\
             \x20 namespace VARCHAR(64) NOT NULL,\n\
             \x20 record_key VARCHAR(255) NOT NULL,\n\
             \x20 user_id VARCHAR(255) REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
             \x20 data TEXT NOT NULL,\n\
             \x20 version BIGINT NOT NULL,\n\
             \x20 expires_at BIGINT,\n\
             \x20 PRIMARY KEY (namespace, record_key)\n\
             );\n\
             CREATE INDEX IF NOT EXISTS {records_user_idx} ON {records} (namespace, user_id);\n\
             CREATE INDEX IF NOT EXISTS {records_expires_idx} ON {records} (expires_at);\n"
        ),
    }
}

/// Columns added to tables after they were first released: `migrate()` adds
/// each one that an existing table lacks. (`CREATE TABLE IF NOT EXISTS`
/// leaves an older table as it is, and not every dialect has
/// `ADD COLUMN IF NOT EXISTS`.) Entries are (table, column, definition).
pub(crate) fn added_columns(schema: &Schema) -> Vec<(&str, &'static str, &'static str)> {
    vec![(schema.verifications.as_str(), "data", "TEXT NULL")]
}

/// The migration split into single statements, as drivers execute them.
pub(crate) fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(";\n").map(str::trim).filter(|s| !s.is_empty())
}
