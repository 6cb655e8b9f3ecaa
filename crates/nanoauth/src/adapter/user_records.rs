//! Creating a user together with their first plugin records, in one
//! transaction: the storage capability of plugins that make an account out
//! of something other than a password or a provider account (a passkey
//! sign-up), so that a failure half-way leaves neither a user without their
//! credential nor a credential without its user.

use std::future::Future;

use crate::adapter::{AdapterError, CreateUserAdapter, PluginRecord, RecordAdapter};
use crate::user::AuthUser;

/// Stores a new user and plugin records owned by them, all or nothing.
///
/// ```
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::{BasicUser, Email, NewUser, PluginRecord, RecordAdapter, UserRecordsAdapter};
/// use nanoauth::AuthUser as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::AdapterError> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// let email = Email::parse("ada@example.com").unwrap();
/// let user = BasicUser::from_sign_up(NewUser::new("u1", email, Default::default()));
/// let key = PluginRecord::new("passkey", "credential-id", "{}").owned_by("u1");
/// adapter.create_user_with_records(&user, &[key], 0).await?;
/// assert!(adapter.find_record("passkey", "credential-id", 0).await?.is_some());
/// # Ok(())
/// # }
/// ```
pub trait UserRecordsAdapter<U: AuthUser>: CreateUserAdapter<U> + RecordAdapter<U> {
    /// Inserts `user`, then each of `records` (as
    /// [`insert_record`](RecordAdapter::insert_record) would, at `now`), in
    /// one transaction. Each record's owner, when it has one, must be
    /// `user`.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`], with nothing written, when the email
    /// address or id is taken, or a record's key is live already; the
    /// record checks of `insert_record`.
    fn create_user_with_records(
        &self,
        user: &U,
        records: &[PluginRecord],
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

impl<U: AuthUser, A: UserRecordsAdapter<U>> UserRecordsAdapter<U> for std::sync::Arc<A> {
    fn create_user_with_records(
        &self,
        user: &U,
        records: &[PluginRecord],
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        (**self).create_user_with_records(user, records, now)
    }
}
