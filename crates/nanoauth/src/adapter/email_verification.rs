//! Whether a user's email address is verified: the storage capability of
//! the email-verification plugin.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// Remembers which users proved they own their email address.
pub trait EmailVerificationAdapter<U: AuthUser>: Adapter<U> {
    /// Whether the user's email is verified; `false` for unknown users.
    fn is_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// Records that the user's email is verified (idempotent).
    ///
    /// # Errors
    /// An [`AdapterError`] when the user does not exist or the store fails.
    fn set_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

impl<U: AuthUser, A: EmailVerificationAdapter<U>> EmailVerificationAdapter<U>
    for std::sync::Arc<A>
{
    fn is_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::is_email_verified(self, user_id)
    }

    fn set_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::set_email_verified(self, user_id)
    }
}
