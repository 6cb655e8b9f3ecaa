//! Whether a user's email address is verified: the storage capability of
//! the email-verification plugin.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// Remembers which users proved they own their email address, and takes
/// over an account on the first proof (the account-ownership policy, see
/// [`Auth::prove_email`](crate::Auth::prove_email)).
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

    /// Takes an *unclaimed* account over: if the user's email is not
    /// verified yet, then in one atomic step mark it verified and remove what
    /// was set up before anyone proved the address (the user's password, if
    /// the adapter stores passwords, and every linked provider account), and
    /// answer `true`. If it is verified already, change nothing and answer
    /// `false`. Two concurrent claims: exactly one answers `true`.
    ///
    /// Sessions are not the adapter's business here: the core revokes them
    /// (and drops them from its cache) when this answers `true`.
    ///
    /// # Errors
    /// An [`AdapterError`] when the user does not exist or the store fails;
    /// nothing is changed then.
    fn claim_email(&self, user_id: &str)
    -> impl Future<Output = Result<bool, AdapterError>> + Send;
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

    fn claim_email(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::claim_email(self, user_id)
    }
}
