//! Connecting to the application's database, and the user type the
//! commands read and write users with.

use std::time::Duration;

use nanoauth::{AuthUser, NewUser, NoFields};
use nanoauth_sqlx::{Dialect, SqlAdapter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::CliError;

/// A user of any application: `id` and `email`, and whatever other columns
/// the users table has, as JSON values. Read with `SELECT *`, so `user list`
/// shows the application's own columns too; written with only the columns
/// it holds, so a column of the application's that is `NOT NULL` needs a
/// default for `user create` to work.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CliUser {
    pub(crate) id: String,
    pub(crate) email: String,
    #[serde(flatten)]
    pub(crate) columns: Map<String, Value>,
}

impl AuthUser for CliUser {
    type SignUp = NoFields;
    // Operators change columns with `user set-role`, not through updates.
    type Update = NoFields;

    fn id(&self) -> &str {
        &self.id
    }

    fn email(&self) -> &str {
        &self.email
    }

    fn from_sign_up(new: NewUser<NoFields>) -> Self {
        Self {
            id: new.id,
            email: new.email.into(),
            columns: Map::new(),
        }
    }

    fn apply_update(&mut self, _update: NoFields) {}
}

/// The dialect of `url`, or a usage error that names the schemes.
pub(crate) fn dialect_of(url: &str) -> Result<Dialect, CliError> {
    Dialect::from_url(url).ok_or_else(|| {
        CliError::usage(format!(
            "{:?} is not a database URL: it must start with sqlite:, postgres:, \
             postgresql:, mysql: or mariadb:",
            without_password(url)
        ))
    })
}

/// Connects to the database at `url` and checks that it answers.
///
/// `create` lets a SQLite URL name a file that does not exist yet (for
/// `migrate`); the other commands need the database to be there, and an
/// empty new file would only fail later with "no such table".
pub(crate) async fn connect(url: &str, create: bool) -> Result<SqlAdapter<CliUser>, CliError> {
    let dialect = dialect_of(url)?;
    if dialect == Dialect::Sqlite
        && !create
        && let Some(path) = sqlite_path(url)
        && !std::path::Path::new(path).exists()
    {
        return Err(CliError::Unreachable(format!(
            "there is no SQLite database at {path} (run `nanoauth migrate` to create one)"
        )));
    }
    SqlAdapter::<CliUser>::builder(url)
        // One command, one connection at a time.
        .max_connections(2)
        // An operator waits for a slow server a little longer than a request would.
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|error| {
            CliError::database(&format!("connecting to {}", without_password(url)), &error)
        })
}

/// The file of a `sqlite:` URL, or `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// `url` without the password of its user-info, for messages: an error
/// printed to a terminal or a CI log must not carry it.
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_len);
    // The last `@` ends the user-info: a password may itself contain one.
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    #[test]
    fn messages_never_carry_the_database_password() {
        assert_eq!(
            without_password("postgres://app:s3cr3t@db:5432/auth?sslmode=require"),
            "postgres://app:***@db:5432/auth?sslmode=require"
        );
        assert_eq!(
            without_password("mysql://u:p@ss@host/db"),
            "mysql://u:***@host/db"
        );
        assert_eq!(without_password("sqlite://auth.db"), "sqlite://auth.db");
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://auth.db?mode=rwc"), Some("auth.db"));
        assert_eq!(
            sqlite_path("sqlite:/var/lib/app/auth.db"),
            Some("/var/lib/app/auth.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }

    #[test]
    fn unknown_schemes_are_usage_errors() {
        let error = dialect_of("redis://u:pw@localhost").expect_err("not SQL");
        assert_eq!(error.exit_code(), 2);
        assert!(!error.to_string().contains("pw@"), "{error}");
    }
}
