//! Saving a changed user, and changing a user's email address: the storage
//! capability of account management (`POST /update-user`, and the link that
//! confirms `POST /change-email`).

use std::future::Future;

use crate::adapter::{AdapterError, EmailVerificationAdapter};
use crate::user::{AuthUser, Email};

/// Writes a user's own fields back, and moves a user to a new address.
///
/// Bounded on [`EmailVerificationAdapter`] because a new address is stored
/// as verified in the same step that stores it: it was proven by the link
/// that asked for the change, and a crash between two writes must not leave
/// the account on an address that then counts as never proven (the first
/// proof of which would take the account over, see
/// [`Auth::prove_email`](crate::Auth::prove_email)).
///
/// ```
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::{BasicUser, CreateUserAdapter, Email, EmailVerificationAdapter, UpdateUserAdapter};
/// use nanoauth::Adapter as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::AdapterError> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// let mut user = BasicUser { id: "u1".into(), email: "ada@example.com".into(), name: "Ada".into() };
/// adapter.create_user(&user).await?;
///
/// user.name = "Ada L.".into();
/// assert!(adapter.update_user(&user).await?);
///
/// let new = Email::parse("ada@example.org").unwrap();
/// assert!(adapter.change_email("u1", &new).await?);
/// let stored = adapter.get_user("u1").await?.unwrap();
/// assert_eq!((stored.name.as_str(), stored.email.as_str()), ("Ada L.", "ada@example.org"));
/// assert!(adapter.is_email_verified("u1").await?);
/// # Ok(())
/// # }
/// ```
pub trait UpdateUserAdapter<U: AuthUser>: EmailVerificationAdapter<U> {
    /// Writes every field of `user` but its id and email onto the stored
    /// user with `user.id()`, and answers `true`; `false`, writing
    /// nothing, when there is no such user. The stored email stays what it
    /// was whatever `user.email()` says: addresses change only through
    /// [`change_email`](Self::change_email).
    ///
    /// # Errors
    /// Store failures; [`AdapterError::InvalidInput`] for a value the
    /// store cannot hold.
    fn update_user(&self, user: &U) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// Sets the address of the user `user_id` to `email` and records it as
    /// verified, in one step; `false`, writing nothing, when there is no
    /// such user.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`], writing nothing, when another user has
    /// `email` (the unique index on addresses decides between racing
    /// changes and sign-ups); store failures.
    fn change_email(
        &self,
        user_id: &str,
        email: &Email,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;
}

impl<U: AuthUser, A: UpdateUserAdapter<U>> UpdateUserAdapter<U> for std::sync::Arc<A> {
    fn update_user(&self, user: &U) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::update_user(self, user)
    }

    fn change_email(
        &self,
        user_id: &str,
        email: &Email,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::change_email(self, user_id, email)
    }
}
