//! The tables NanoAuth needs, per dialect, as numbered steps.
//!
//! Each step is the change one release of NanoAuth made to the schema, in
//! order, and is never edited once released: its checksum is recorded in
//! the migrations table when it is applied, and a step whose SQL no longer
//! matches what was applied is an error (`migrate.rs`). A new column or
//! table is a new step at the end.

use sha2::{Digest, Sha256};

use crate::dialect::Dialect;
use crate::schema::{QuotedNames, Schema};

/// One numbered step of NanoAuth's schema, rendered for a dialect and a
/// [`Schema`]'s names: what [`SqlAdapter::migrate`](crate::SqlAdapter::migrate)
/// applies and records in the migrations table.
///
/// ```
/// use nanoauth_sqlx::{Dialect, Schema, migrations};
/// let steps = migrations(Dialect::Sqlite, &Schema::default());
/// assert_eq!(steps[0].version(), 1);
/// assert_eq!(steps[0].name(), "core_tables");
/// assert_eq!(steps[0].checksum().len(), 64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    version: u32,
    name: &'static str,
    sql: String,
    checksum: String,
    reflected: Reflected,
}

/// How to tell that a database made before the migrations table existed
/// already has a step (the probes `migrate()` ran before there were
/// versions): a table or a column that only this step creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reflected {
    /// The table (unquoted name) exists.
    Table(String),
    /// The table (unquoted name) has the column.
    Column(String, &'static str),
}

impl Migration {
    fn new(version: u32, name: &'static str, sql: String, reflected: Reflected) -> Self {
        let checksum = checksum(&sql);
        Self {
            version,
            name,
            sql,
            checksum,
            reflected,
        }
    }

    /// The step's number: steps are applied in increasing order.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// A short name saying what the step adds.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The step's SQL: statements separated by `;` and a newline.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// SHA-256 of [`sql`](Self::sql), in hex: what the migrations table
    /// records, so that a step edited after it was applied is noticed.
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    pub(crate) fn reflected(&self) -> &Reflected {
        &self.reflected
    }
}

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Every step of NanoAuth's schema for `dialect`, with the schema's table
/// names, in the order they are applied.
///
/// The users table gets only what NanoAuth itself needs (`id`, `email`
/// unique, `name`); add your user type's other fields as columns with your
/// own migration, or point [`Schema::users_table`] at your existing table.
pub fn migrations(dialect: Dialect, schema: &Schema) -> Vec<Migration> {
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
        ..
    } = schema.quoted(dialect);
    let index = |table: &str, column: &str| dialect.quote(&format!("{table}_{column}_idx"));
    let sessions_user_idx = index(&schema.sessions, "user_id");
    let sessions_expires_idx = index(&schema.sessions, "expires_at");
    let verifications_expires_idx = index(&schema.verifications, "expires_at");
    let accounts_user_idx = index(&schema.accounts, "user_id");
    let records_user_idx = index(&schema.records, "user_id");
    let records_expires_idx = index(&schema.records, "expires_at");
    let table = |name: &String| Reflected::Table(name.clone());

    // The steps are the releases' schemas, as they were (the history of
    // this file before the migrations table): the verifications table was
    // created without `data`, which step 3 adds.
    match dialect {
        // MySQL: binary collation so that ids, emails and hashes compare
        // byte for byte (the default collations ignore case and accents),
        // and indexes declared inline (MySQL has no CREATE INDEX IF NOT EXISTS).
        Dialect::MySql => vec![
            Migration::new(
                1,
                "core_tables",
                format!(
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
                     \x20 KEY {verifications_expires_idx} (expires_at)\n\
                     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
                ),
                table(&schema.sessions),
            ),
            Migration::new(
                2,
                "email_verifications",
                format!(
                    "CREATE TABLE IF NOT EXISTS {email_verifications} (\n\
                     \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,\n\
                     \x20 verified_at BIGINT NOT NULL,\n\
                     \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
                     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
                ),
                table(&schema.email_verifications),
            ),
            verification_data(&verifications, schema),
            Migration::new(
                4,
                "accounts",
                format!(
                    "CREATE TABLE IF NOT EXISTS {accounts} (\n\
                     \x20 provider VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,\n\
                     \x20 account_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
                     \x20 user_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,\n\
                     \x20 created_at BIGINT NOT NULL,\n\
                     \x20 PRIMARY KEY (provider, account_id),\n\
                     \x20 KEY {accounts_user_idx} (user_id),\n\
                     \x20 FOREIGN KEY (user_id) REFERENCES {users} ({id}) ON DELETE CASCADE\n\
                     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
                ),
                table(&schema.accounts),
            ),
            Migration::new(
                5,
                "plugin_records",
                format!(
                    "CREATE TABLE IF NOT EXISTS {records} (\n\
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
                table(&schema.records),
            ),
            session_attributes(dialect, &sessions, schema),
        ],
        Dialect::Sqlite | Dialect::Postgres => vec![
            Migration::new(
                1,
                "core_tables",
                format!(
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
                     \x20 expires_at BIGINT NOT NULL\n\
                     );\n\
                     CREATE INDEX IF NOT EXISTS {verifications_expires_idx} ON {verifications} (expires_at);\n"
                ),
                table(&schema.sessions),
            ),
            Migration::new(
                2,
                "email_verifications",
                format!(
                    "CREATE TABLE IF NOT EXISTS {email_verifications} (\n\
                     \x20 user_id VARCHAR(255) NOT NULL PRIMARY KEY REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
                     \x20 verified_at BIGINT NOT NULL\n\
                     );\n"
                ),
                table(&schema.email_verifications),
            ),
            verification_data(&verifications, schema),
            Migration::new(
                4,
                "accounts",
                format!(
                    "CREATE TABLE IF NOT EXISTS {accounts} (\n\
                     \x20 provider VARCHAR(64) NOT NULL,\n\
                     \x20 account_id VARCHAR(255) NOT NULL,\n\
                     \x20 user_id VARCHAR(255) NOT NULL REFERENCES {users} ({id}) ON DELETE CASCADE,\n\
                     \x20 created_at BIGINT NOT NULL,\n\
                     \x20 PRIMARY KEY (provider, account_id)\n\
                     );\n\
                     CREATE INDEX IF NOT EXISTS {accounts_user_idx} ON {accounts} (user_id);\n"
                ),
                table(&schema.accounts),
            ),
            Migration::new(
                5,
                "plugin_records",
                format!(
                    "CREATE TABLE IF NOT EXISTS {records} (\n\
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
                table(&schema.records),
            ),
            session_attributes(dialect, &sessions, schema),
        ],
    }
}

/// Step 3, the same in every dialect: tokens that keep data (magic links
/// that create the account on first use).
fn verification_data(verifications: &str, schema: &Schema) -> Migration {
    Migration::new(
        3,
        "verification_data",
        format!("ALTER TABLE {verifications} ADD COLUMN data TEXT NULL;\n"),
        Reflected::Column(schema.verifications.clone(), "data"),
    )
}

/// Step 6: what plugins keep on a session (its attributes, as a JSON
/// object) and whether lookups slide its expiry. One statement where the
/// dialect allows two columns in one `ALTER TABLE`, so that MySQL, whose
/// DDL is not transactional, cannot stop half-way.
fn session_attributes(dialect: Dialect, sessions: &str, schema: &Schema) -> Migration {
    let sql = match dialect {
        Dialect::Sqlite => format!(
            "ALTER TABLE {sessions} ADD COLUMN attributes TEXT NULL;\n\
             ALTER TABLE {sessions} ADD COLUMN renewable BOOLEAN NOT NULL DEFAULT TRUE;\n"
        ),
        Dialect::Postgres | Dialect::MySql => format!(
            "ALTER TABLE {sessions} ADD COLUMN attributes TEXT NULL, \
             ADD COLUMN renewable BOOLEAN NOT NULL DEFAULT TRUE;\n"
        ),
    };
    Migration::new(
        6,
        "session_attributes",
        sql,
        Reflected::Column(schema.sessions.clone(), "renewable"),
    )
}

/// The whole schema for `dialect`, with the schema's table names: every
/// step of [`migrations`], each after a comment line naming it, for review
/// or for your own migration tool. Apply it to an empty database (it is
/// not idempotent: step 3 adds a column); a database set up from it is
/// recognised by [`SqlAdapter::migrate`](crate::SqlAdapter::migrate),
/// which then records the steps in its migrations table without running
/// them again.
///
/// ```
/// use nanoauth_sqlx::{Dialect, Schema, migration_sql};
/// let sql = migration_sql(Dialect::Postgres, &Schema::default());
/// assert!(sql.contains("CREATE TABLE IF NOT EXISTS \"sessions\""));
/// assert!(sql.contains("-- nanoauth migration 3: verification_data"));
/// ```
pub fn migration_sql(dialect: Dialect, schema: &Schema) -> String {
    migrations(dialect, schema)
        .iter()
        .map(|step| {
            format!(
                "-- nanoauth migration {}: {} (sha256 {})\n{}",
                step.version, step.name, step.checksum, step.sql
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A step's SQL split into single statements, as drivers execute them.
pub(crate) fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(";\n").map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order_in_every_dialect() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql] {
            let steps = migrations(dialect, &Schema::default());
            let versions: Vec<u32> = steps.iter().map(Migration::version).collect();
            assert_eq!(versions, [1, 2, 3, 4, 5, 6], "{dialect:?}");
            let names: Vec<&str> = steps.iter().map(Migration::name).collect();
            assert_eq!(
                names,
                [
                    "core_tables",
                    "email_verifications",
                    "verification_data",
                    "accounts",
                    "plugin_records",
                    "session_attributes"
                ]
            );
        }
    }

    /// A released step's SQL must never change: databases record its
    /// checksum, and `migrate()` refuses a recorded step that differs. A
    /// failure here means the change belongs in a new step instead.
    #[test]
    fn released_steps_keep_their_checksums() {
        let pinned = [
            (
                Dialect::Sqlite,
                [
                    "a31e38f1", "f632cfd0", "22c2d10c", "e2159fba", "cc337daa", "fdb8c259",
                ],
            ),
            (
                Dialect::Postgres,
                [
                    "f8346c62", "f2ba92ac", "dc8d40b2", "6849028a", "d1c150f7", "b9077c7d",
                ],
            ),
            (
                Dialect::MySql,
                [
                    "c3af0d27", "9c6eb050", "22c2d10c", "51d3d0be", "6ed52b51", "96c1338a",
                ],
            ),
        ];
        for (dialect, checksums) in pinned {
            let steps = migrations(dialect, &Schema::default());
            for (step, pinned) in steps.iter().zip(checksums) {
                assert!(
                    step.checksum().starts_with(pinned),
                    "{dialect:?} step {}: {}",
                    step.version(),
                    step.checksum()
                );
            }
        }
        let steps = migrations(Dialect::Postgres, &Schema::default());
        assert!(
            !steps[0].sql().contains("data"),
            "step 1 is as first released"
        );
    }

    #[test]
    fn the_schema_names_are_in_the_sql() {
        let schema = Schema::default()
            .sessions_table("app_sessions")
            .user_column("name", "display_name");
        let sql = migration_sql(Dialect::Sqlite, &schema);
        assert!(sql.contains("CREATE TABLE IF NOT EXISTS `app_sessions`"));
        assert!(sql.contains("`display_name` VARCHAR(255)"));
        assert_eq!(
            statements(&sql)
                .filter(|s| s.contains("CREATE TABLE"))
                .count(),
            7
        );
    }
}
