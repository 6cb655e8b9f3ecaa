//! Passwords beside the users: the storage capability of the
//! email/password and password-reset plugins.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::{AuthUser, Email};

/// A user together with their password hash (a PHC string).
#[derive(Clone)]
#[non_exhaustive]
pub struct PasswordCredential<U> {
    /// The user.
    pub user: U,
    /// The Argon2id PHC string.
    pub password_hash: String,
}

impl<U> PasswordCredential<U> {
    /// Pairs a user with their stored hash.
    pub fn new(user: U, password_hash: String) -> Self {
        Self {
            user,
            password_hash,
        }
    }
}

impl<U: std::fmt::Debug> std::fmt::Debug for PasswordCredential<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("user", &self.user)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

/// Storage for password credentials, beside the users.
///
/// Needed by the email/password and password-reset plugins. The trait is
/// always available, with or without the `email-password` feature (which
/// adds the plugins and Argon2): an adapter crate implements it without
/// pulling in a hasher. The plugin's old path names the same trait:
///
/// ```
/// use nanoauth::BasicUser;
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// fn new_path<A: nanoauth::adapter::PasswordAdapter<BasicUser>>() {}
/// # #[cfg(feature = "email-password")]
/// fn old_path<A: nanoauth::plugins::email_password::PasswordAdapter<BasicUser>>() {
///     new_path::<A>()
/// }
/// # #[cfg(feature = "email-password")]
/// old_path::<MemoryAdapter<BasicUser>>();
/// new_path::<MemoryAdapter<BasicUser>>();
/// ```
pub trait PasswordAdapter<U: AuthUser>: Adapter<U> {
    /// Stores a new user and their password hash together, atomically: either
    /// both are written or neither is.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] when a user with the same email exists;
    /// the check must be atomic with the insert (a unique index), so two
    /// concurrent sign-ups with one email cannot both succeed.
    fn create_user_with_password(
        &self,
        user: &U,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;

    /// The user with this email and their password hash, if they have one.
    fn find_password_credential(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<PasswordCredential<U>>, AdapterError>> + Send;

    /// Sets the password hash of an existing user, replacing any previous
    /// one (password reset and change).
    ///
    /// # Errors
    /// An [`AdapterError`] when the user does not exist or the store fails.
    fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

impl<U: AuthUser, A: PasswordAdapter<U>> PasswordAdapter<U> for std::sync::Arc<A> {
    fn create_user_with_password(
        &self,
        user: &U,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::create_user_with_password(self, user, password_hash)
    }

    fn find_password_credential(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<PasswordCredential<U>>, AdapterError>> + Send {
        A::find_password_credential(self, email)
    }

    fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::set_password_hash(self, user_id, password_hash)
    }
}
