//! How NanoAuth talks to the application's database.
//!
//! [`Adapter`] is what every application implements (or takes ready-made):
//! users by id and email, and session storage. Everything else storage can
//! do is a *capability*: one trait per capability, each in its own file in
//! this module and bounded on `Adapter` ([`PasswordAdapter`],
//! [`CreateUserAdapter`], [`VerificationAdapter`],
//! [`EmailVerificationAdapter`], [`AccountAdapter`], [`RecordAdapter`],
//! [`UserRecordsAdapter`], [`UpdateUserAdapter`], [`DeleteUserAdapter`],
//! [`ListUsersAdapter`]).
//! Plugins name the
//! capabilities they need as bounds and implement `Plugin` only for adapters
//! that have them: adding such a plugin with an adapter that lacks one does
//! not compile. The adapters shipped with NanoAuth implement every
//! capability; `Arc<A>` forwards them.

mod accounts;
mod create_user;
mod delete_user;
mod email_verification;
mod health;
mod list_users;
pub mod memory;
mod password;
mod records;
mod update_user;
mod user_records;
mod verification;

pub use accounts::{AccountAdapter, AccountRecord};
pub use create_user::CreateUserAdapter;
pub use delete_user::DeleteUserAdapter;
pub use email_verification::EmailVerificationAdapter;
pub use health::{Health, Probe};
pub use list_users::{ListUsersAdapter, MAX_USER_PAGE, UserQuery};
pub use password::{PasswordAdapter, PasswordCredential};
pub use records::{
    MAX_NAMESPACE_LEN, MAX_RECORD_KEY_LEN, PluginRecord, RecordAdapter, Typed, TypedRecords,
    check_names,
};
pub use update_user::UpdateUserAdapter;
pub use user_records::UserRecordsAdapter;
pub use verification::{VerificationAdapter, VerificationRecord};

use std::future::Future;

use http::StatusCode;

use crate::session::SessionRecord;
use crate::user::{AuthUser, Email};
use crate::utils::token::TokenHash;

/// The storage NanoAuth needs: users by id and email, and sessions.
///
/// The adapter is the application's own type, and `Auth::adapter()` hands it
/// back typed, so its other methods are reachable from hooks and plugins.
/// Lookups answer `Ok(None)` for "not there" and keep `Err` for a broken
/// store. Sessions are keyed by the SHA-256 of their secret
/// ([`TokenHash`]); the secret itself is never given to the adapter.
///
/// A complete implementation over a `HashMap` is
/// [`MemoryAdapter`](memory::MemoryAdapter); the conformance tests in the
/// repository's `tests/` show the behaviour expected of each method.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use nanoauth::{Adapter, AdapterError, AuthUser, Email, SessionRecord};
/// use nanoauth::utils::token::TokenHash;
/// # #[derive(Clone, serde::Serialize)]
/// # struct MyUser { id: String, email: String }
/// # impl AuthUser for MyUser {
/// #     type SignUp = nanoauth::NoFields;
/// #     type Update = nanoauth::NoFields;
/// #     fn apply_update(&mut self, _: nanoauth::NoFields) {}
/// #     fn id(&self) -> &str { &self.id }
/// #     fn email(&self) -> &str { &self.email }
/// #     fn from_sign_up(new: nanoauth::NewUser<Self::SignUp>) -> Self {
/// #         MyUser { id: new.id, email: new.email.into() }
/// #     }
/// # }
///
/// #[derive(Default)]
/// struct MyStore {
///     users: Mutex<HashMap<String, MyUser>>,
///     sessions: Mutex<HashMap<TokenHash, SessionRecord>>,
/// }
///
/// impl Adapter<MyUser> for MyStore {
///     async fn get_user(&self, id: &str) -> Result<Option<MyUser>, AdapterError> {
///         Ok(self.users.lock().map_err(AdapterError::other)?.get(id).cloned())
///     }
///     async fn find_user_by_email(&self, email: &Email) -> Result<Option<MyUser>, AdapterError> {
///         let users = self.users.lock().map_err(AdapterError::other)?;
///         Ok(users.values().find(|u| u.email == email.as_str()).cloned())
///     }
///     async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
///         let mut sessions = self.sessions.lock().map_err(AdapterError::other)?;
///         sessions.insert(session.token_hash, session.clone());
///         Ok(())
///     }
///     async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
///         let mut sessions = self.sessions.lock().map_err(AdapterError::other)?;
///         match sessions.get_mut(&session.token_hash) {
///             Some(stored) if stored.user_id == session.user_id => {
///                 stored.updated_at = session.updated_at;
///                 stored.expires_at = session.expires_at;
///                 Ok(true)
///             }
///             _ => Ok(false),
///         }
///     }
///     async fn validate_token(&self, hash: &TokenHash) -> Result<Option<SessionRecord>, AdapterError> {
///         Ok(self.sessions.lock().map_err(AdapterError::other)?.get(hash).cloned())
///     }
///     async fn delete_session(&self, hash: &TokenHash) -> Result<bool, AdapterError> {
///         Ok(self.sessions.lock().map_err(AdapterError::other)?.remove(hash).is_some())
///     }
///     async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
///         let sessions = self.sessions.lock().map_err(AdapterError::other)?;
///         Ok(sessions.values().filter(|s| s.user_id == user_id).cloned().collect())
///     }
///     async fn delete_user_sessions(
///         &self,
///         user_id: &str,
///         keep: Option<&TokenHash>,
///     ) -> Result<u64, AdapterError> {
///         let mut sessions = self.sessions.lock().map_err(AdapterError::other)?;
///         let before = sessions.len();
///         sessions.retain(|hash, s| s.user_id != user_id || Some(hash) == keep);
///         Ok((before - sessions.len()) as u64)
///     }
///     async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
///         let mut sessions = self.sessions.lock().map_err(AdapterError::other)?;
///         let before = sessions.len();
///         sessions.retain(|_, s| s.expires_at > now);
///         Ok((before - sessions.len()) as u64)
///     }
/// }
/// ```
pub trait Adapter<U: AuthUser>: Send + Sync + 'static {
    /// The user with this id.
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send;

    /// The user with this (already normalised) email address.
    fn find_user_by_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send;

    /// Inserts a new session (at sign-in), every field of it, including
    /// its [`attributes`](SessionRecord::attributes) and whether it is
    /// [`renewable`](SessionRecord::renewable) (see
    /// [`SessionAttributes::to_stored`](crate::SessionAttributes::to_stored)
    /// for a column-friendly form). Saving a record whose
    /// `token_hash` is stored already may replace it; the core never does,
    /// and slides expiries with [`refresh_session`](Self::refresh_session).
    fn save_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;

    /// Slides the expiry of a session that is still stored, or changes its
    /// attributes: writes `session.updated_at`, `session.expires_at` and
    /// `session.attributes` onto the stored session with the same
    /// `token_hash` and `user_id`, and answers `Ok(true)`; when there is
    /// none (revoked, or expired and dropped) it writes nothing and answers
    /// `Ok(false)`, and the lookup that asked answers "no session". The
    /// other fields are unchanged, so writing the whole record is fine.
    ///
    /// The check and the write must be one step (a conditional `UPDATE`,
    /// `SET .. XX` in a script, a write under the lock): a lookup reads the
    /// session, then refreshes it, and a revocation can delete the session
    /// in between. An upsert here would bring the revoked session back,
    /// which is why this method has no default.
    ///
    /// ```
    /// # use std::collections::HashMap;
    /// # use nanoauth::{AdapterError, SessionRecord};
    /// # use nanoauth::utils::token::TokenHash;
    /// # fn refresh(sessions: &mut HashMap<TokenHash, SessionRecord>, session: &SessionRecord) -> Result<bool, AdapterError> {
    /// // Under the lock `delete_session` takes; never `sessions.insert(..)`,
    /// // which would bring a revoked session back.
    /// match sessions.get_mut(&session.token_hash) {
    ///     Some(stored) if stored.user_id == session.user_id => {
    ///         stored.updated_at = session.updated_at;
    ///         stored.expires_at = session.expires_at;
    ///         stored.attributes = session.attributes.clone();
    ///         Ok(true)
    ///     }
    ///     _ => Ok(false),
    /// }
    /// # }
    /// ```
    fn refresh_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// The session whose secret hashes to `token_hash`, if it is stored.
    /// The core checks expiry and ownership itself; adapters may also drop
    /// expired sessions here.
    fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<SessionRecord>, AdapterError>> + Send;

    /// The session whose secret hashes to `token_hash`, with its user: what
    /// every session check needs. The default asks
    /// [`validate_token`](Self::validate_token), then
    /// [`get_user`](Self::get_user); adapters that can answer both in one
    /// round trip (an SQL join) override it.
    fn validate_token_with_user(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<(SessionRecord, U)>, AdapterError>> + Send {
        async move {
            let Some(record) = self.validate_token(token_hash).await? else {
                return Ok(None);
            };
            let user = self.get_user(&record.user_id).await?;
            Ok(user.map(|user| (record, user)))
        }
    }

    /// Deletes one session; `Ok(false)` when it was not there.
    fn delete_session(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// All sessions of a user, in any order.
    fn list_sessions(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<SessionRecord>, AdapterError>> + Send;

    /// Deletes every session of a user except `keep`, returning how many went.
    fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send;

    /// Deletes every session whose `expires_at` is at or before `now` (Unix
    /// seconds, from the `Auth`'s clock: compare with it, not with the
    /// store's own clock), returning how many went. A session expiring
    /// after `now` must stay untouched. The core already treats such
    /// sessions as gone; this only reclaims their space, and
    /// [`Auth::purge_expired`](crate::Auth::purge_expired) calls it.
    ///
    /// A store that drops expired records by itself (keys with a time to
    /// live) may answer `Ok(0)`, once it has cleaned whatever still points
    /// at them (an index of a user's sessions, say).
    fn purge_expired_sessions(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send;
}

/// A shared adapter is an adapter: several `Auth` values (or an `Auth` and
/// the application) can use one store.
impl<U: AuthUser, A: Adapter<U>> Adapter<U> for std::sync::Arc<A> {
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send {
        A::get_user(self, id)
    }

    fn find_user_by_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send {
        A::find_user_by_email(self, email)
    }

    fn save_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::save_session(self, session)
    }

    fn refresh_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::refresh_session(self, session)
    }

    fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<SessionRecord>, AdapterError>> + Send {
        A::validate_token(self, token_hash)
    }

    fn validate_token_with_user(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<(SessionRecord, U)>, AdapterError>> + Send {
        A::validate_token_with_user(self, token_hash)
    }

    fn delete_session(
        &self,
        token_hash: &TokenHash,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::delete_session(self, token_hash)
    }

    fn list_sessions(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<SessionRecord>, AdapterError>> + Send {
        A::list_sessions(self, user_id)
    }

    fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        A::delete_user_sessions(self, user_id, keep)
    }

    fn purge_expired_sessions(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        A::purge_expired_sessions(self, now)
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An adapter failed. The variant says how the client is answered.
#[derive(Debug)]
#[non_exhaustive]
pub enum AdapterError {
    /// The database cannot be reached right now (503, `DATABASE_UNAVAILABLE`).
    Unavailable(BoxError),
    /// The value cannot be stored, e.g. a NUL in PostgreSQL text
    /// (400, `INVALID_INPUT`).
    InvalidInput(BoxError),
    /// A uniqueness constraint refused the write. Email/password sign-up
    /// answers this as `USER_ALREADY_EXISTS`.
    Conflict,
    /// Anything else (500, `INTERNAL_ERROR`).
    Other(BoxError),
}

impl AdapterError {
    /// Wraps any error as [`AdapterError::Other`].
    pub fn other(error: impl ToString) -> Self {
        Self::Other(error.to_string().into())
    }

    /// Wraps any error as [`AdapterError::Unavailable`].
    pub fn unavailable(error: impl Into<BoxError>) -> Self {
        Self::Unavailable(error.into())
    }

    /// The HTTP status a request that met this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::InvalidInput(_) => StatusCode::BAD_REQUEST,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "DATABASE_UNAVAILABLE",
            Self::InvalidInput(_) => "INVALID_INPUT",
            Self::Conflict => "CONFLICT",
            Self::Other(_) => "INTERNAL_ERROR",
        }
    }

    /// A message safe for end users (driver detail stays in `source()`).
    pub fn message(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "The service is temporarily unavailable. Try again shortly.",
            Self::InvalidInput(_) => "The request contains a value that cannot be stored.",
            Self::Conflict => "The request conflicts with existing data.",
            Self::Other(_) => "Something went wrong on our side.",
        }
    }
}

impl std::fmt::Display for AdapterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(e) => write!(f, "database unavailable: {e}"),
            Self::InvalidInput(e) => write!(f, "invalid input for the database: {e}"),
            Self::Conflict => f.write_str("uniqueness conflict"),
            Self::Other(e) => write!(f, "adapter error: {e}"),
        }
    }
}

impl std::error::Error for AdapterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unavailable(e) | Self::InvalidInput(e) | Self::Other(e) => Some(e.as_ref()),
            Self::Conflict => None,
        }
    }
}
