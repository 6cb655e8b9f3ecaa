//! Importing users from another system: users with their password hashes,
//! provider accounts and email-verified state, written in batches, each in
//! one transaction. The reading side (better-auth's tables, for
//! `nanoauth import better-auth`) lives with the command; this is the part
//! that knows NanoAuth's tables.

use std::sync::Arc;

use nanoauth::{AdapterError, AuthUser, Clock as _, Email, SystemClock};
use sqlx::Connection as _;

use crate::SqlAdapter;
use crate::adapter::{sql, to_db_time};
use crate::error::adapter_error;
use crate::pool::on_pool;

/// A user to import, with what comes with it.
#[derive(Clone)]
pub struct ImportUser {
    /// The id, kept as the other system had it (sessions, foreign keys and
    /// the application's own tables may refer to it).
    pub id: String,
    /// The address, normalised.
    pub email: Email,
    /// The display name (the users table's `name` column).
    pub name: String,
    /// Whether the other system recorded the address as verified.
    pub email_verified: bool,
    /// The stored password hash as the other system wrote it (verified by
    /// the email/password plugin when it accepts that format), or `None`
    /// for a user without a password.
    pub password_hash: Option<String>,
    /// Provider accounts (social sign-in) linked to the user.
    pub accounts: Vec<ImportAccount>,
}

impl std::fmt::Debug for ImportUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A password hash is offline-crackable material: never in logs.
        f.debug_struct("ImportUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("email_verified", &self.email_verified)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "[redacted]"),
            )
            .field("accounts", &self.accounts)
            .finish()
    }
}

/// A provider account to link: the provider's id (`github`) and the
/// user's id at that provider, both kept as they were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportAccount {
    /// The provider's id, as the OAuth plugin names it.
    pub provider: String,
    /// The user's id at the provider.
    pub account_id: String,
}

/// What one batch did (or, in a dry run, would have done).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOutcome {
    /// Users written.
    pub users: u64,
    /// Password hashes written.
    pub passwords: u64,
    /// Provider accounts linked.
    pub accounts: u64,
    /// Addresses recorded as verified.
    pub verified: u64,
    /// Users whose id is in the users table already (imported before):
    /// left as they are, which makes running an import twice harmless.
    pub already_present: u64,
    /// What could not be imported, and why.
    pub skipped: Vec<ImportSkip>,
}

impl ImportOutcome {
    /// Adds another batch's counts to these.
    pub fn add(&mut self, other: ImportOutcome) {
        self.users += other.users;
        self.passwords += other.passwords;
        self.accounts += other.accounts;
        self.verified += other.verified;
        self.already_present += other.already_present;
        self.skipped.extend(other.skipped);
    }
}

/// Something an import left out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportSkip {
    /// Another user (another id) has this address already: the user is not
    /// imported. Two accounts of one address in the other system, or an
    /// address that differs only in case, end up here.
    EmailTaken {
        /// The id of the user left out.
        id: String,
        /// The normalised address.
        email: String,
    },
    /// The provider account is linked to another user already: the user
    /// is imported without this link.
    AccountTaken {
        /// The id of the user imported without the link.
        id: String,
        /// The provider.
        provider: String,
        /// The user's id at the provider.
        account_id: String,
    },
}

impl std::fmt::Display for ImportSkip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EmailTaken { id, email } => {
                write!(f, "user {id}: another user has the address {email} already")
            }
            Self::AccountTaken {
                id,
                provider,
                account_id,
            } => write!(
                f,
                "user {id}: the {provider} account {account_id} is linked to another user already (imported without it)"
            ),
        }
    }
}

/// The statements of an import, in the adapter's dialect.
struct ImportStatements {
    id_exists: Arc<str>,
    email_exists: Arc<str>,
    insert_user: Arc<str>,
    account_exists: Arc<str>,
}

impl<U: AuthUser> SqlAdapter<U> {
    fn import_statements(&self) -> ImportStatements {
        let quoted = self.schema.quoted(self.dialect);
        let sql = |text: String| -> Arc<str> { self.dialect.placeholders(&text).into() };
        ImportStatements {
            id_exists: sql(format!(
                "SELECT 1 FROM {} WHERE {} = ?",
                quoted.users, quoted.id
            )),
            email_exists: sql(format!(
                "SELECT 1 FROM {} WHERE {} = ?",
                quoted.users, quoted.email
            )),
            insert_user: sql(format!(
                "INSERT INTO {} ({}, {}, {}) VALUES (?, ?, ?)",
                quoted.users, quoted.id, quoted.email, quoted.name
            )),
            account_exists: sql(format!(
                "SELECT 1 FROM {} WHERE provider = ? AND account_id = ?",
                quoted.accounts
            )),
        }
    }

    /// Writes `users` in one transaction: each user whose id and address
    /// are both new, with its password hash, verified state and provider
    /// accounts. A user whose id exists is counted as already present and
    /// left alone, so an import that stopped half-way is finished by
    /// running it again; one whose address belongs to another user, and a
    /// provider account linked to another user, are reported in
    /// [`ImportOutcome::skipped`]. With `dry_run` the same checks and
    /// writes run and the transaction is rolled back: the counts are
    /// exact, the database unchanged.
    ///
    /// Only the `id`, `email` and `name` columns of the users table are
    /// written: another column of the application's that is `NOT NULL`
    /// needs a default.
    ///
    /// # Errors
    /// The database's refusal (the whole batch is rolled back), or
    /// [`AdapterError::Unavailable`]. Written while the application serves
    /// sign-ups, a new user taking an address between the check and the
    /// insert fails the batch; running the import again finishes it.
    pub async fn import_users(
        &self,
        users: &[ImportUser],
        dry_run: bool,
    ) -> Result<ImportOutcome, AdapterError> {
        let statements = self.import_statements();
        let fixed = &self.statements;
        let now = to_db_time(SystemClock.now());
        on_pool!(&self.pool, conn => async {
            let mut outcome = ImportOutcome::default();
            // Checks before inserts, not unique violations caught after
            // them: on PostgreSQL a failed statement aborts the transaction.
            let mut tx = conn.begin().await?;
            for user in users {
                let taken = sqlx::query(sql(&statements.id_exists))
                    .bind(user.id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    outcome.already_present += 1;
                    continue;
                }
                let taken = sqlx::query(sql(&statements.email_exists))
                    .bind(user.email.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    outcome.skipped.push(ImportSkip::EmailTaken {
                        id: user.id.clone(),
                        email: user.email.to_string(),
                    });
                    continue;
                }
                sqlx::query(sql(&statements.insert_user))
                    .bind(user.id.as_str())
                    .bind(user.email.as_str())
                    .bind(user.name.as_str())
                    .execute(&mut *tx)
                    .await?;
                outcome.users += 1;
                if let Some(hash) = &user.password_hash {
                    sqlx::query(sql(&fixed.insert_password))
                        .bind(user.id.as_str())
                        .bind(hash.as_str())
                        .execute(&mut *tx)
                        .await?;
                    outcome.passwords += 1;
                }
                if user.email_verified {
                    sqlx::query(sql(&fixed.insert_email_verified))
                        .bind(user.id.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    outcome.verified += 1;
                }
                for account in &user.accounts {
                    let linked = sqlx::query(sql(&statements.account_exists))
                        .bind(account.provider.as_str())
                        .bind(account.account_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if linked.is_some() {
                        outcome.skipped.push(ImportSkip::AccountTaken {
                            id: user.id.clone(),
                            provider: account.provider.clone(),
                            account_id: account.account_id.clone(),
                        });
                        continue;
                    }
                    sqlx::query(sql(&fixed.insert_account))
                        .bind(account.provider.as_str())
                        .bind(account.account_id.as_str())
                        .bind(user.id.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    outcome.accounts += 1;
                }
            }
            if dry_run {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(outcome)
        }.await)
        .map_err(adapter_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password_hash() {
        let user = ImportUser {
            id: "u1".into(),
            email: Email::parse("ada@example.com").unwrap_or_else(|| unreachable!()),
            name: "Ada".into(),
            email_verified: true,
            password_hash: Some("00ff:secret-material".into()),
            accounts: vec![],
        };
        let shown = format!("{user:?}");
        assert!(!shown.contains("secret-material"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
