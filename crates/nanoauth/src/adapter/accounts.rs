//! Accounts at other providers (Google, GitHub, any OpenID Connect issuer)
//! linked to a user: the storage capability of social sign-in.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// One provider account linked to one user: "GitHub user 583231 is our user
/// `u_8f3…`".
///
/// # Provider tokens are not stored
/// The access, refresh and ID tokens a provider hands out are used once,
/// during the callback, to read the user's profile, and then dropped.
/// NanoAuth signs users in; it does not call providers' APIs on their behalf
/// later, and a database dump then holds nothing that opens someone's
/// Google or GitHub account. An application that needs a provider API can
/// keep the tokens it asks for itself.
///
/// ```
/// use nanoauth::AccountRecord;
/// let account = AccountRecord::new("github", "583231", "user-1", 1_700_000_000);
/// assert_eq!(account.provider, "github");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountRecord {
    /// The provider's id in this application (`"google"`, `"github"`).
    pub provider: String,
    /// The user's stable id at the provider (OIDC `sub`, GitHub's numeric
    /// id), never an email address, which can change hands.
    pub account_id: String,
    /// Our user the account is linked to.
    pub user_id: String,
    /// When it was linked, in Unix seconds.
    pub created_at: u64,
}

impl AccountRecord {
    /// A record linking `provider`'s `account_id` to our `user_id`.
    pub fn new(
        provider: impl Into<String>,
        account_id: impl Into<String>,
        user_id: impl Into<String>,
        created_at: u64,
    ) -> Self {
        Self {
            provider: provider.into(),
            account_id: account_id.into(),
            user_id: user_id.into(),
            created_at,
        }
    }
}

/// Storage for linked provider accounts. `(provider, account_id)` is unique:
/// one provider account belongs to at most one user. A user may have
/// accounts at several providers.
///
/// A complete implementation is in
/// [`MemoryAdapter`](crate::adapter::memory::MemoryAdapter); the
/// conformance suite (`nanoauth-testing`) checks the behaviour below.
pub trait AccountAdapter<U: AuthUser>: Adapter<U> {
    /// The account `account_id` at `provider`, if it is linked to a user.
    fn find_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> impl Future<Output = Result<Option<AccountRecord>, AdapterError>> + Send;

    /// Links an account to an existing user.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] when this provider account is linked
    /// already (to anyone); the check is atomic with the insert (a unique
    /// index). Another error when the user does not exist.
    fn link_account(
        &self,
        account: &AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;

    /// Unlinks the user's accounts at `provider`; `Ok(false)` when there
    /// was none.
    fn unlink_account(
        &self,
        user_id: &str,
        provider: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// The accounts linked to a user, in any order.
    fn list_accounts(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<AccountRecord>, AdapterError>> + Send;

    /// Stores a new user and their first linked account together,
    /// atomically: either both are written or neither is. The account is
    /// linked to `user` whatever its `user_id` says.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] when a user with the same email exists or
    /// the provider account is linked already; both checks are atomic with
    /// the insert, so two concurrent callbacks cannot both create a user.
    fn create_user_with_account(
        &self,
        user: &U,
        account: &AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

impl<U: AuthUser, A: AccountAdapter<U>> AccountAdapter<U> for std::sync::Arc<A> {
    fn find_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> impl Future<Output = Result<Option<AccountRecord>, AdapterError>> + Send {
        A::find_account(self, provider, account_id)
    }

    fn link_account(
        &self,
        account: &AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::link_account(self, account)
    }

    fn unlink_account(
        &self,
        user_id: &str,
        provider: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        A::unlink_account(self, user_id, provider)
    }

    fn list_accounts(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<AccountRecord>, AdapterError>> + Send {
        A::list_accounts(self, user_id)
    }

    fn create_user_with_account(
        &self,
        user: &U,
        account: &AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::create_user_with_account(self, user, account)
    }
}
