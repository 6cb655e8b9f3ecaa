//! Reading better-auth's tables (1.x): `user`, `account` (its
//! `credential` rows hold the password hashes), `session` and
//! `verification` (counted, not carried over), from SQLite or PostgreSQL;
//! under better-auth's default table and column names, or the names an
//! application gave them (its `modelName` and `fields` options), given as
//! [`Names`].

use std::collections::HashMap;
use std::str::FromStr as _;

use nanoauth::Email;
use nanoauth::utils::password::PasswordHasher;
use nanoauth_sqlx::{ImportAccount, ImportUser};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Row as _};

use crate::database::without_password;
use crate::error::CliError;

/// better-auth's provider id for its email/password accounts: the row
/// that holds the password hash rather than a social sign-in.
const CREDENTIAL_PROVIDER: &str = "credential";

/// The tables read and the columns each must have. `session` and
/// `verification` are only counted, but their presence is part of telling
/// a better-auth database from something else.
const EXPECTED: &[(&str, &[&str])] = &[
    ("user", &["id", "email", "name", "emailVerified"]),
    (
        "account",
        &["userId", "providerId", "accountId", "password"],
    ),
    ("session", &["id", "userId"]),
    ("verification", &["id", "identifier"]),
];

/// The names of better-auth's tables and columns in one database:
/// better-auth's defaults, but for those renamed (`user=users`,
/// `user.emailVerified=email_verified`), as `--rename` gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    /// Default name (`user`, `user.emailVerified`) to the database's name.
    renamed: HashMap<String, String>,
}

impl Names {
    /// Parses `DEFAULT=NAME` pairs: `DEFAULT` a table of better-auth's
    /// (`user`, `account`, `session`, `verification`) or one of the columns
    /// read (`user.emailVerified`), `NAME` a plain identifier (letters,
    /// digits, `_`; it is quoted in the statements).
    ///
    /// # Errors
    /// [`CliError::Usage`] for an unknown default name, a malformed pair,
    /// or a name with other characters.
    pub(crate) fn parse(pairs: &[String]) -> Result<Self, CliError> {
        let mut renamed = HashMap::new();
        for pair in pairs {
            let Some((from, to)) = pair.split_once('=') else {
                return Err(CliError::usage(format!(
                    "--rename {pair:?}: expected DEFAULT=NAME, e.g. user=users or \
                     user.emailVerified=email_verified"
                )));
            };
            let known = match from.split_once('.') {
                None => EXPECTED.iter().any(|(table, _)| *table == from),
                Some((table, column)) => EXPECTED
                    .iter()
                    .any(|(t, columns)| *t == table && columns.contains(&column)),
            };
            if !known {
                return Err(CliError::usage(format!(
                    "--rename {pair:?}: {from:?} is not one of better-auth's tables or the \
                     columns read ({})",
                    known_names()
                )));
            }
            let plain = !to.is_empty()
                && to.len() <= 63
                && to.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !plain {
                return Err(CliError::usage(format!(
                    "--rename {pair:?}: {to:?} must be letters, digits and _ only"
                )));
            }
            renamed.insert(from.to_owned(), to.to_owned());
        }
        Ok(Self { renamed })
    }

    /// The database's name of better-auth's table `table`.
    fn table<'a>(&'a self, table: &'a str) -> &'a str {
        self.renamed.get(table).map_or(table, String::as_str)
    }

    /// The database's name of better-auth's column `column` of `table`.
    fn column<'a>(&'a self, table: &str, column: &'a str) -> &'a str {
        self.renamed
            .get(&format!("{table}.{column}"))
            .map_or(column, String::as_str)
    }

    /// The column's name, quoted for a statement (`Names::parse` let only
    /// letters, digits and `_` through).
    fn quoted_column(&self, table: &str, column: &str) -> String {
        format!("\"{}\"", self.column(table, column))
    }

    /// The table's name, quoted for a statement.
    fn quoted_table(&self, table: &str) -> String {
        format!("\"{}\"", self.table(table))
    }

    /// Whether anything is renamed (the error messages say so).
    fn any(&self) -> bool {
        !self.renamed.is_empty()
    }
}

/// Every name `--rename` accepts, for its error message.
fn known_names() -> String {
    let mut names = Vec::new();
    for (table, columns) in EXPECTED {
        names.push((*table).to_owned());
        names.extend(columns.iter().map(|column| format!("{table}.{column}")));
    }
    names.join(", ")
}

/// A better-auth database, opened read-only where the driver allows it.
pub(crate) enum Source {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the driver's pool: the queries are
/// written once and compiled per driver.
macro_rules! on_source {
    ($source:expr, $pool:ident => $body:expr) => {
        match $source {
            Source::Sqlite($pool) => $body,
            Source::Postgres($pool) => $body,
        }
    };
}

/// One `account` row of a user: provider id, account id, password hash.
type AccountOf<'a> = (&'a String, &'a String, &'a Option<String>);

/// A user row of better-auth's left out, or imported without something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) id: String,
    pub(crate) reason: String,
}

/// One batch read: the users to import, and the rows left out.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) users: Vec<ImportUser>,
    pub(crate) left_out: Vec<LeftOut>,
    /// The last user id read: the next batch starts after it.
    pub(crate) last_id: Option<String>,
    /// User rows read (usable or not).
    pub(crate) rows: u64,
}

/// What the source holds besides users, for the report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Totals {
    pub(crate) users: u64,
    pub(crate) sessions: u64,
    pub(crate) verifications: u64,
}

impl Source {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`).
    pub(crate) async fn open(url: &str) -> Result<Self, CliError> {
        let shown = without_password(url);
        let unreachable =
            |error: sqlx::Error| CliError::Unreachable(format!("opening {shown}: {error}"));
        if url.starts_with("sqlite:") {
            // Read-only: an import never writes to the database it leaves,
            // and a missing file is an error rather than a new empty one.
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|error| CliError::usage(format!("{shown}: {error}")))?
                .read_only(true)
                .create_if_missing(false);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .map_err(unreachable)?;
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(unreachable)?;
            Ok(Self::Postgres(pool))
        } else {
            Err(CliError::usage(format!(
                "--from {shown}: better-auth databases are read from sqlite: or postgres: URLs"
            )))
        }
    }

    /// The statement in the driver's placeholder style (`?` or `$n`).
    fn statement(&self, text: &str) -> String {
        match self {
            Self::Sqlite(_) => text.to_owned(),
            Self::Postgres(_) => numbered_placeholders(text),
        }
    }

    /// The columns of `table`, empty when there is no such table.
    async fn columns(&self, table: &str) -> Result<Vec<String>, sqlx::Error> {
        let text = match self {
            Self::Sqlite(_) => "SELECT name FROM pragma_table_info(?)",
            Self::Postgres(_) => {
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = ?"
            }
        };
        let statement = self.statement(text);
        on_source!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(statement.as_str()))
                .bind(table)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|row| row.try_get::<String, _>(0)).collect()
        })
    }

    /// Checks that the database has better-auth's tables and the columns
    /// read from them, under `names`.
    ///
    /// # Errors
    /// [`CliError::Failed`] naming the first missing table or column.
    pub(crate) async fn check_schema(&self, names: &Names) -> Result<(), CliError> {
        let hint = if names.any() {
            "as renamed by --rename"
        } else {
            "better-auth 1.x's default names; --rename for renamed ones"
        };
        for (table, needed) in EXPECTED {
            let actual = names.table(table);
            let columns = self
                .columns(actual)
                .await
                .map_err(|error| CliError::failed(format!("reading the schema: {error}")))?;
            if columns.is_empty() {
                return Err(CliError::failed(format!(
                    "this is not a better-auth database ({hint}): it has no table {actual:?} \
                     (better-auth's tables are \"user\", \"account\", \"session\" and \
                     \"verification\")"
                )));
            }
            if let Some(missing) = needed
                .iter()
                .map(|column| names.column(table, column))
                .find(|c| !columns.iter().any(|have| have == c))
            {
                return Err(CliError::failed(format!(
                    "unknown better-auth schema: table {actual:?} has no column {missing:?} \
                     ({hint})"
                )));
            }
        }
        Ok(())
    }

    async fn count(&self, table: &str) -> Result<u64, CliError> {
        // `table` is a default name or one `Names::parse` let through
        // (letters, digits, `_`): quoting it is enough.
        let statement = format!("SELECT COUNT(*) FROM \"{table}\"");
        let count: i64 = on_source!(self, pool => {
            sqlx::query(AssertSqlSafe(statement.as_str()))
                .fetch_one(pool)
                .await
                .and_then(|row| row.try_get::<i64, _>(0))
        })
        .map_err(|error| CliError::failed(format!("counting {table:?}: {error}")))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Row counts of the tables read or left behind.
    pub(crate) async fn totals(&self, names: &Names) -> Result<Totals, CliError> {
        Ok(Totals {
            users: self.count(names.table("user")).await?,
            sessions: self.count(names.table("session")).await?,
            verifications: self.count(names.table("verification")).await?,
        })
    }

    /// Up to `size` users with ids after `after` (by id: a keyset, so each
    /// batch is one indexed range whatever the table's size), with their
    /// password hashes and provider accounts.
    pub(crate) async fn batch(
        &self,
        names: &Names,
        after: &str,
        size: u32,
    ) -> Result<Batch, CliError> {
        let failed =
            |error: sqlx::Error| CliError::failed(format!("reading better-auth's users: {error}"));
        // `emailVerified` is an integer in SQLite and a boolean in
        // PostgreSQL; the CASE reads both as one integer.
        let user = |column| names.quoted_column("user", column);
        let id = user("id");
        let users_sql = self.statement(&format!(
            "SELECT {id}, {}, {}, \
             CAST(CASE WHEN {} THEN 1 ELSE 0 END AS INTEGER) \
             FROM {} WHERE {id} > ? ORDER BY {id} LIMIT {size}",
            user("email"),
            user("name"),
            user("emailVerified"),
            names.quoted_table("user"),
        ));
        type UserRow = (String, String, Option<String>, i32);
        let rows: Vec<UserRow> = on_source!(self, pool => async {
            let rows = sqlx::query(AssertSqlSafe(users_sql.as_str()))
                .bind(after)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))
                .collect::<Result<Vec<UserRow>, sqlx::Error>>()
        }.await)
        .map_err(failed)?;
        let Some(last_id) = rows.last().map(|row| row.0.clone()) else {
            return Ok(Batch::default());
        };

        // The same id range, so one query brings every account of the batch.
        let account = |column| names.quoted_column("account", column);
        let user_id = account("userId");
        let accounts_sql = self.statement(&format!(
            "SELECT {user_id}, {}, {}, {} FROM {} \
             WHERE {user_id} > ? AND {user_id} <= ? ORDER BY {user_id}",
            account("providerId"),
            account("accountId"),
            account("password"),
            names.quoted_table("account"),
        ));
        type AccountRow = (String, String, String, Option<String>);
        let accounts: Vec<AccountRow> = on_source!(self, pool => async {
            let rows = sqlx::query(AssertSqlSafe(accounts_sql.as_str()))
                .bind(after)
                .bind(last_id.as_str())
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))
                .collect::<Result<Vec<AccountRow>, sqlx::Error>>()
        }.await)
        .map_err(failed)?;

        // Grouped once: a batch of 1000 users would otherwise scan every
        // account row per user.
        let mut by_user: HashMap<&str, Vec<AccountOf<'_>>> = HashMap::with_capacity(rows.len());
        for (user_id, provider, account_id, password) in &accounts {
            by_user
                .entry(user_id.as_str())
                .or_default()
                .push((provider, account_id, password));
        }
        let mut batch = Batch {
            rows: rows.len() as u64,
            last_id: Some(last_id),
            ..Batch::default()
        };
        for (id, raw_email, name, verified) in rows {
            let Some(email) = Email::parse(&raw_email) else {
                batch.left_out.push(LeftOut {
                    id,
                    reason: format!("{raw_email:?} is not a valid email address"),
                });
                continue;
            };
            let mut user = ImportUser {
                id,
                email,
                name: name.unwrap_or_default(),
                email_verified: verified != 0,
                password_hash: None,
                accounts: Vec::new(),
            };
            for (provider, account_id, password) in
                by_user.remove(user.id.as_str()).unwrap_or_default()
            {
                if provider == CREDENTIAL_PROVIDER {
                    match password {
                        Some(hash) if PasswordHasher::is_better_auth_scrypt(hash) => {
                            user.password_hash = Some(hash.to_owned());
                        }
                        // A custom `password.hash` in better-auth's options
                        // writes other formats, which would never verify:
                        // the user is imported to reset their password.
                        Some(_) => batch.left_out.push(LeftOut {
                            id: user.id.clone(),
                            reason: "the password hash is not better-auth's scrypt format: \
                                     imported without a password (a password reset sets one)"
                                .to_owned(),
                        }),
                        None => {}
                    }
                } else {
                    user.accounts.push(ImportAccount {
                        provider: provider.clone(),
                        account_id: account_id.clone(),
                    });
                }
            }
            batch.users.push(user);
        }
        Ok(batch)
    }
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`… (the statements here hold
/// no `?` inside literals).
fn numbered_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn renames_parse_known_names_to_plain_identifiers() {
        let names = super::Names::parse(&[
            "user=users".to_owned(),
            "user.emailVerified=email_verified".to_owned(),
        ])
        .unwrap_or_default();
        assert_eq!(names.table("user"), "users");
        assert_eq!(names.table("account"), "account");
        assert_eq!(names.column("user", "emailVerified"), "email_verified");
        assert_eq!(names.column("account", "userId"), "userId");
        for bad in [
            "users",
            "people=users",
            "user.role=role",
            "user=us\"ers",
            "user=a b",
            "user=",
        ] {
            assert!(super::Names::parse(&[bad.to_owned()]).is_err(), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn postgres_statements_number_their_placeholders() {
        assert_eq!(
            numbered_placeholders("a > ? AND b <= ?"),
            "a > $1 AND b <= $2"
        );
    }
}
