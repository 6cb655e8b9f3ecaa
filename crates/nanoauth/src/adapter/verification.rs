//! Single-use verification tokens: the storage capability behind magic
//! links, email verification and password reset.

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;
use crate::utils::token::TokenHash;

/// A stored single-use token. Like sessions, only the SHA-256 of the token
/// is stored; the token itself goes to the user (in an email link).
///
/// Its `Debug` shows whether there is `data` but not what it is: an OAuth
/// state keeps its PKCE verifier and nonce there.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationRecord {
    /// SHA-256 of the token: the storage key.
    pub token_hash: TokenHash,
    /// What the token is for (`"magic-link"`, `"verify-email"`,
    /// `"reset-password"`): a token is only ever consumed for its purpose.
    pub purpose: String,
    /// Whom it is for: a user id or an email address, as the flow decides.
    pub identifier: String,
    /// When it stops being valid, in Unix seconds.
    pub expires_at: u64,
    /// What the flow keeps with the token until it is used, such as the
    /// sign-up fields of a magic link's first use (JSON, a few KB at most).
    pub data: Option<String>,
}

impl std::fmt::Debug for VerificationRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationRecord")
            .field("token_hash", &self.token_hash)
            .field("purpose", &self.purpose)
            .field("identifier", &self.identifier)
            .field("expires_at", &self.expires_at)
            .field("data", &self.data.as_ref().map(|_| crate::email::REDACTED))
            .finish()
    }
}

impl VerificationRecord {
    /// A record for a new (or stored) token.
    pub fn new(
        token_hash: TokenHash,
        purpose: impl Into<String>,
        identifier: impl Into<String>,
        expires_at: u64,
    ) -> Self {
        Self {
            token_hash,
            purpose: purpose.into(),
            identifier: identifier.into(),
            expires_at,
            data: None,
        }
    }

    /// The same record, keeping `data` with the token.
    pub fn with_data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }
}

/// Storage for single-use tokens.
pub trait VerificationAdapter<U: AuthUser>: Adapter<U> {
    /// Stores a token. Hashes are unique: saving the same hash twice may
    /// replace the first record.
    fn save_verification(
        &self,
        record: &VerificationRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;

    /// Removes and returns the token with this hash and purpose, atomically:
    /// of any number of concurrent calls with the same token, exactly one
    /// gets `Some`. A token stored for another purpose is left alone.
    /// The caller checks `expires_at`; stores may also drop expired tokens.
    fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> impl Future<Output = Result<Option<VerificationRecord>, AdapterError>> + Send;

    /// Deletes every token whose `expires_at` is at or before `now` (Unix
    /// seconds, from the `Auth`'s clock: compare with it, not with the
    /// store's own clock), whatever its purpose, returning how many went. A
    /// token expiring after `now` must stay untouched. Links nobody
    /// followed, decoy tokens written for unknown addresses and abandoned
    /// OAuth states all end here;
    /// [`Auth::purge_expired`](crate::Auth::purge_expired) calls it.
    ///
    /// A store that drops expired records by itself (keys with a time to
    /// live) may answer `Ok(0)`.
    fn purge_expired_verifications(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send;
}

impl<U: AuthUser, A: VerificationAdapter<U>> VerificationAdapter<U> for std::sync::Arc<A> {
    fn save_verification(
        &self,
        record: &VerificationRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::save_verification(self, record)
    }

    fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> impl Future<Output = Result<Option<VerificationRecord>, AdapterError>> + Send {
        A::consume_verification(self, token_hash, purpose)
    }

    fn purge_expired_verifications(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        A::purge_expired_verifications(self, now)
    }
}
