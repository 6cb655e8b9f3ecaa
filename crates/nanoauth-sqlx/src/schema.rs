//! Table names, the mapping of user fields onto columns, and the SQL
//! statements built from them once, when the adapter is created.

use std::collections::HashMap;
use std::sync::Arc;

use crate::dialect::{Dialect, is_identifier};
use crate::records::RecordStatements;

/// Where NanoAuth's data lives in the application's database.
///
/// The defaults are the tables [`migration_sql`](crate::migration_sql)
/// creates. An application that already has a users table names it here and
/// maps its user type's serde field names onto its own column names; every
/// other field of the user type is stored in the column of the same name.
///
/// ```
/// use nanoauth_sqlx::Schema;
///
/// let schema = Schema::default()
///     .users_table("app_users")
///     .user_column("id", "user_id")
///     .user_column("tenant_id", "org_id");
/// assert!(schema.validate().is_ok());
/// assert!(Schema::default().users_table("users; --").validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    pub(crate) users: String,
    pub(crate) passwords: String,
    pub(crate) sessions: String,
    pub(crate) verifications: String,
    pub(crate) email_verifications: String,
    pub(crate) accounts: String,
    pub(crate) records: String,
    /// Which steps of the schema were applied (see `migrate.rs`).
    pub(crate) migrations: String,
    /// User field name to column name, where they differ.
    pub(crate) user_columns: HashMap<String, String>,
}

impl Default for Schema {
    fn default() -> Self {
        Self {
            users: "users".into(),
            passwords: "passwords".into(),
            sessions: "sessions".into(),
            verifications: "verifications".into(),
            email_verifications: "email_verifications".into(),
            accounts: "accounts".into(),
            records: "plugin_records".into(),
            migrations: "nanoauth_migrations".into(),
            user_columns: HashMap::new(),
        }
    }
}

impl Schema {
    /// The users table (default `users`).
    pub fn users_table(mut self, name: impl Into<String>) -> Self {
        self.users = name.into();
        self
    }

    /// The password table (default `passwords`).
    pub fn passwords_table(mut self, name: impl Into<String>) -> Self {
        self.passwords = name.into();
        self
    }

    /// The sessions table (default `sessions`).
    pub fn sessions_table(mut self, name: impl Into<String>) -> Self {
        self.sessions = name.into();
        self
    }

    /// The verification-token table (default `verifications`).
    pub fn verifications_table(mut self, name: impl Into<String>) -> Self {
        self.verifications = name.into();
        self
    }

    /// The table of verified email addresses (default `email_verifications`).
    pub fn email_verifications_table(mut self, name: impl Into<String>) -> Self {
        self.email_verifications = name.into();
        self
    }

    /// The table of linked provider accounts (default `accounts`).
    pub fn accounts_table(mut self, name: impl Into<String>) -> Self {
        self.accounts = name.into();
        self
    }

    /// The table of plugins' records (default `plugin_records`): see
    /// [`RecordAdapter`](nanoauth::RecordAdapter).
    pub fn records_table(mut self, name: impl Into<String>) -> Self {
        self.records = name.into();
        self
    }

    /// The table that records which migrations were applied (default
    /// `nanoauth_migrations`): see [`SqlAdapter::migrate`](crate::SqlAdapter::migrate).
    /// Two sets of NanoAuth tables in one database need one each.
    pub fn migrations_table(mut self, name: impl Into<String>) -> Self {
        self.migrations = name.into();
        self
    }

    /// Stores the user type's field `field` in column `column`.
    pub fn user_column(mut self, field: impl Into<String>, column: impl Into<String>) -> Self {
        self.user_columns.insert(field.into(), column.into());
        self
    }

    /// Checks that every name is a plain SQL identifier.
    ///
    /// # Errors
    /// The first name that is not.
    pub fn validate(&self) -> Result<(), String> {
        let tables = [
            &self.users,
            &self.passwords,
            &self.sessions,
            &self.verifications,
            &self.email_verifications,
            &self.accounts,
            &self.records,
            &self.migrations,
        ];
        let mapped = self.user_columns.iter().flat_map(|(f, c)| [f, c]);
        match tables
            .into_iter()
            .chain(mapped)
            .find(|name| !is_identifier(name))
        {
            Some(bad) => Err(format!("{bad:?} is not a plain SQL identifier")),
            None => Ok(()),
        }
    }

    /// The column that stores user field `field`.
    pub(crate) fn column_of<'a>(&'a self, field: &'a str) -> &'a str {
        self.user_columns.get(field).map_or(field, String::as_str)
    }

    /// The user field stored in `column`.
    pub(crate) fn field_of<'a>(&'a self, column: &'a str) -> &'a str {
        self.user_columns
            .iter()
            .find(|(_, c)| c.as_str() == column)
            .map_or(column, |(field, _)| field.as_str())
    }
}

/// The schema's names, quoted for one dialect, ready to splice into SQL.
pub(crate) struct QuotedNames {
    pub(crate) users: String,
    pub(crate) passwords: String,
    pub(crate) sessions: String,
    pub(crate) verifications: String,
    pub(crate) email_verifications: String,
    pub(crate) accounts: String,
    pub(crate) records: String,
    pub(crate) migrations: String,
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
}

impl Schema {
    pub(crate) fn quoted(&self, dialect: Dialect) -> QuotedNames {
        let q = |name: &str| dialect.quote(name);
        QuotedNames {
            users: q(&self.users),
            passwords: q(&self.passwords),
            sessions: q(&self.sessions),
            verifications: q(&self.verifications),
            email_verifications: q(&self.email_verifications),
            accounts: q(&self.accounts),
            records: q(&self.records),
            migrations: q(&self.migrations),
            id: q(self.column_of("id")),
            email: q(self.column_of("email")),
            name: q(self.column_of("name")),
        }
    }
}

/// Column list of the sessions table, in the order rows are read.
pub(crate) const SESSION_COLUMNS: &str = "token_hash, id, user_id, created_at, updated_at, \
     expires_at, ip_address, user_agent, attributes, renewable";

/// Column list of the accounts table, in the order rows are read.
pub(crate) const ACCOUNT_COLUMNS: &str = "provider, account_id, user_id, created_at";

/// The alias under which the password hash rides along with the user row.
pub(crate) const PASSWORD_HASH_ALIAS: &str = "nanoauth_password_hash";

/// Every fixed statement, built once per adapter.
#[derive(Debug)]
pub(crate) struct Statements {
    /// The user columns a `SELECT` reads (`*` for a user type of any fields).
    pub(crate) select_user: String,
    pub(crate) get_user: Arc<str>,
    pub(crate) find_user_by_email: Arc<str>,
    pub(crate) find_credential: Arc<str>,
    pub(crate) insert_password: Arc<str>,
    pub(crate) set_password: Arc<str>,
    pub(crate) save_session: Arc<str>,
    pub(crate) refresh_session: Arc<str>,
    pub(crate) validate_token: Arc<str>,
    /// The session and its user in one query: the session columns first.
    pub(crate) session_with_user: Arc<str>,
    pub(crate) delete_session: Arc<str>,
    pub(crate) list_sessions: Arc<str>,
    pub(crate) delete_sessions_except: Arc<str>,
    pub(crate) delete_all_sessions: Arc<str>,
    pub(crate) purge_sessions: Arc<str>,
    pub(crate) save_verification: Arc<str>,
    pub(crate) find_verification: Arc<str>,
    pub(crate) delete_verification: Arc<str>,
    pub(crate) purge_verifications: Arc<str>,
    pub(crate) is_email_verified: Arc<str>,
    pub(crate) set_email_verified: Arc<str>,
    /// Fails (unique violation) when the address is verified already.
    pub(crate) insert_email_verified: Arc<str>,
    pub(crate) delete_password: Arc<str>,
    pub(crate) delete_accounts: Arc<str>,
    pub(crate) find_account: Arc<str>,
    pub(crate) insert_account: Arc<str>,
    pub(crate) unlink_account: Arc<str>,
    pub(crate) list_accounts: Arc<str>,
    pub(crate) change_email: Arc<str>,
    pub(crate) delete_email_verified: Arc<str>,
    pub(crate) delete_user_records: Arc<str>,
    pub(crate) delete_user: Arc<str>,
    pub(crate) records: RecordStatements,
}

impl Statements {
    /// `user_fields`: the user type's field names, or `None` to read every
    /// column of the users table.
    pub(crate) fn new(dialect: Dialect, schema: &Schema, user_fields: Option<&[&str]>) -> Self {
        let q = |name: &str| dialect.quote(name);
        let user_columns = |prefix: &str| match user_fields {
            Some(fields) => fields
                .iter()
                .map(|field| format!("{prefix}{}", q(schema.column_of(field))))
                .collect::<Vec<_>>()
                .join(", "),
            None => format!("{prefix}*"),
        };
        let (select_user, select_user_u) = (user_columns(""), user_columns("u."));
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
            ..
        } = schema.quoted(dialect);
        let sql = |text: String| -> Arc<str> { dialect.placeholders(&text).into() };
        let hash = dialect.token_hash_param();
        Self {
            select_user: select_user.clone(),
            get_user: sql(format!("SELECT {select_user} FROM {users} WHERE {id} = ?")),
            find_user_by_email: sql(format!(
                "SELECT {select_user} FROM {users} WHERE {email} = ?"
            )),
            find_credential: sql(format!(
                "SELECT {select_user_u}, p.hash AS {PASSWORD_HASH_ALIAS} FROM {users} u \
                 JOIN {passwords} p ON p.user_id = u.{id} WHERE u.{email} = ?"
            )),
            insert_password: sql(format!(
                "INSERT INTO {passwords} (user_id, hash) VALUES (?, ?)"
            )),
            set_password: sql(format!(
                "INSERT INTO {passwords} (user_id, hash) VALUES (?, ?){}",
                dialect.upsert("user_id", &["hash"])
            )),
            save_session: sql(format!(
                "INSERT INTO {sessions} ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?){}",
                dialect.upsert(
                    "token_hash",
                    &[
                        "updated_at",
                        "expires_at",
                        "ip_address",
                        "user_agent",
                        "attributes",
                        "renewable"
                    ]
                )
            )),
            // An UPDATE, never an upsert: a session revoked since it was
            // read matches no row and stays revoked.
            refresh_session: sql(format!(
                "UPDATE {sessions} SET updated_at = ?, expires_at = ?, attributes = ? \
                 WHERE token_hash = {hash} AND user_id = ?"
            )),
            validate_token: sql(format!(
                "SELECT {SESSION_COLUMNS} FROM {sessions} WHERE token_hash = {hash}"
            )),
            session_with_user: sql(format!(
                "SELECT {}, {select_user_u} FROM {sessions} s JOIN {users} u \
                 ON u.{id} = s.user_id WHERE s.token_hash = {hash}",
                SESSION_COLUMNS
                    .split(", ")
                    .map(|column| format!("s.{column}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            delete_session: sql(format!("DELETE FROM {sessions} WHERE token_hash = {hash}")),
            list_sessions: sql(format!(
                "SELECT {SESSION_COLUMNS} FROM {sessions} WHERE user_id = ?"
            )),
            delete_sessions_except: sql(format!(
                "DELETE FROM {sessions} WHERE user_id = ? AND token_hash <> {hash}"
            )),
            delete_all_sessions: sql(format!("DELETE FROM {sessions} WHERE user_id = ?")),
            // Both purges run on the expires_at indexes of the migration.
            purge_sessions: sql(format!("DELETE FROM {sessions} WHERE expires_at <= ?")),
            save_verification: sql(format!(
                "INSERT INTO {verifications} (token_hash, purpose, identifier, expires_at, data) \
                 VALUES (?, ?, ?, ?, ?){}",
                dialect.upsert(
                    "token_hash",
                    &["purpose", "identifier", "expires_at", "data"]
                )
            )),
            find_verification: sql(format!(
                "SELECT token_hash, purpose, identifier, expires_at, data FROM {verifications} \
                 WHERE token_hash = {hash} AND purpose = ?"
            )),
            delete_verification: sql(format!(
                "DELETE FROM {verifications} WHERE token_hash = {hash} AND purpose = ?"
            )),
            purge_verifications: sql(format!("DELETE FROM {verifications} WHERE expires_at <= ?")),
            is_email_verified: sql(format!(
                "SELECT user_id FROM {email_verifications} WHERE user_id = ?"
            )),
            set_email_verified: sql(format!(
                "INSERT INTO {email_verifications} (user_id, verified_at) VALUES (?, ?){}",
                dialect.upsert("user_id", &["verified_at"])
            )),
            insert_email_verified: sql(format!(
                "INSERT INTO {email_verifications} (user_id, verified_at) VALUES (?, ?)"
            )),
            delete_password: sql(format!("DELETE FROM {passwords} WHERE user_id = ?")),
            delete_accounts: sql(format!("DELETE FROM {accounts} WHERE user_id = ?")),
            find_account: sql(format!(
                "SELECT {ACCOUNT_COLUMNS} FROM {accounts} WHERE provider = ? AND account_id = ?"
            )),
            insert_account: sql(format!(
                "INSERT INTO {accounts} ({ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?)"
            )),
            unlink_account: sql(format!(
                "DELETE FROM {accounts} WHERE user_id = ? AND provider = ?"
            )),
            list_accounts: sql(format!(
                "SELECT {ACCOUNT_COLUMNS} FROM {accounts} WHERE user_id = ?"
            )),
            change_email: sql(format!("UPDATE {users} SET {email} = ? WHERE {id} = ?")),
            delete_email_verified: sql(format!(
                "DELETE FROM {email_verifications} WHERE user_id = ?"
            )),
            delete_user_records: sql(format!("DELETE FROM {records} WHERE user_id = ?")),
            delete_user: sql(format!("DELETE FROM {users} WHERE {id} = ?")),
            records: RecordStatements::new(dialect, schema),
        }
    }

    /// The `UPDATE` of a user's columns `set` (bound in order, then the id)
    /// and `null` (set to NULL).
    pub(crate) fn update_user(
        dialect: Dialect,
        schema: &Schema,
        set: &[&str],
        null: &[&str],
    ) -> String {
        let assignments: Vec<String> = set
            .iter()
            .map(|column| format!("{} = ?", dialect.quote(column)))
            .chain(
                null.iter()
                    .map(|column| format!("{} = NULL", dialect.quote(column))),
            )
            .collect();
        dialect.placeholders(&format!(
            "UPDATE {} SET {} WHERE {} = ?",
            dialect.quote(&schema.users),
            assignments.join(", "),
            dialect.quote(schema.column_of("id"))
        ))
    }

    /// `INSERT INTO users (columns) VALUES (?, ...)` for one user's columns.
    pub(crate) fn insert_user(dialect: Dialect, schema: &Schema, columns: &[&str]) -> String {
        let names: Vec<String> = columns.iter().map(|c| dialect.quote(c)).collect();
        let marks = vec!["?"; columns.len()].join(", ");
        dialect.placeholders(&format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            dialect.quote(&schema.users),
            names.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::migrations::{migrations, statements};

    fn postgres_statements() -> Statements {
        Statements::new(
            Dialect::Postgres,
            &Schema::default(),
            Some(&["id", "email", "name"]),
        )
    }

    /// Every lookup by token hash casts the parameter to the column's type.
    #[test]
    fn postgres_compares_token_hashes_as_char() {
        let st = postgres_statements();
        for sql in [
            &st.validate_token,
            &st.session_with_user,
            &st.refresh_session,
            &st.delete_session,
            &st.delete_sessions_except,
            &st.find_verification,
            &st.delete_verification,
        ] {
            assert!(
                sql.contains("token_hash = CAST($") || sql.contains("token_hash <> CAST($"),
                "{sql}"
            );
        }
    }

    /// PostgreSQL's own plan for a session check uses the primary key, in a
    /// scratch schema migrated as `SqlAdapter::migrate` does. Runs when a
    /// PostgreSQL is there (`nanoauth_testing::servers`).
    #[tokio::test]
    async fn postgres_session_checks_use_the_primary_key() {
        use sqlx::{Connection, Row};
        let Some(url) = nanoauth_testing::servers::POSTGRES.url() else {
            return;
        };
        let mut db = sqlx::PgConnection::connect(&url).await.expect("connect");
        let scratch = format!("nanoauth_t_plan_{}", std::process::id());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {scratch} CASCADE; CREATE SCHEMA {scratch}; \
             SET search_path TO {scratch}"
        )))
        .execute(&mut db)
        .await
        .expect("scratch schema");
        for step in migrations(Dialect::Postgres, &Schema::default()) {
            for statement in statements(step.sql()) {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut db)
                    .await
                    .expect(statement);
            }
        }
        let st = postgres_statements();
        let mut plans = String::new();
        for (name, sql) in [
            ("session", &st.validate_token),
            ("joined", &st.session_with_user),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PREPARE {name}(text) AS {sql}"
            )))
            .execute(&mut db)
            .await
            .expect("prepare");
            let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "EXPLAIN EXECUTE {name}('{}')",
                "0".repeat(64)
            )))
            .fetch_all(&mut db)
            .await
            .expect("explain");
            for row in rows {
                plans.push_str(&row.try_get::<String, _>(0).expect("plan line"));
                plans.push('\n');
            }
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA {scratch} CASCADE"
        )))
        .execute(&mut db)
        .await
        .expect("drop scratch schema");
        assert!(!plans.contains("Seq Scan on sessions"), "{plans}");
        assert!(plans.contains("sessions_pkey"), "{plans}");
    }
}
