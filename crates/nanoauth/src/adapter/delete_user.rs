//! Deleting a user and everything stored for them: the storage capability
//! of `POST /delete-user`.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// Deletes a user with what they own, all or nothing.
///
/// "What they own" is everything NanoAuth stores against the user's id:
/// sessions, the password, the verified-address mark, linked provider
/// accounts and the plugin records owned by the user (passkeys, two-factor
/// secrets and trusted devices, API keys, memberships). A deletion that
/// fails half-way must leave the account whole, so that the user can try
/// again, rather than a user without a password or sessions without a
/// user. The application's own rows are its own: it deletes them on
/// [`Event::UserDeleted`](crate::Event::UserDeleted).
///
/// ```
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::{BasicUser, CreateUserAdapter, DeleteUserAdapter, PluginRecord, RecordAdapter};
/// use nanoauth::Adapter as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::AdapterError> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// let user = BasicUser { id: "u1".into(), email: "ada@example.com".into(), name: "Ada".into() };
/// adapter.create_user(&user).await?;
/// adapter.insert_record(&PluginRecord::new("passkey", "k1", "{}").owned_by("u1"), 0).await?;
///
/// assert!(adapter.delete_user("u1").await?);
/// assert!(adapter.get_user("u1").await?.is_none());
/// assert!(adapter.find_record("passkey", "k1", 0).await?.is_none());
/// assert!(!adapter.delete_user("u1").await?);
/// # Ok(())
/// # }
/// ```
pub trait DeleteUserAdapter<U: AuthUser>: Adapter<U> {
    /// Deletes the user `user_id` and, in the same transaction, their
    /// sessions, password, verified-address mark, linked accounts and
    /// owned plugin records. Answers `true` when the user existed; `false`
    /// (deleting nothing) otherwise, so of two racing deletions one answers
    /// `true`.
    ///
    /// # Errors
    /// Store failures, with nothing deleted.
    fn delete_user(&self, user_id: &str)
    -> impl Future<Output = Result<bool, AdapterError>> + Send;
}

impl<U: AuthUser, A: DeleteUserAdapter<U>> DeleteUserAdapter<U> for std::sync::Arc<A> {
    fn delete_user(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::delete_user(self, user_id)
    }
}
