//! Single-use tokens for links sent by email (magic links, password reset,
//! email verification): one mechanism for every flow.
//!
//! A token is 256 bits from the OS CSPRNG; only its SHA-256 is stored, with
//! its purpose, whom it is for and its expiry. Consuming is the adapter's
//! atomic remove, so of two concurrent uses exactly one succeeds.

use crate::adapter::{VerificationAdapter, VerificationRecord};
use crate::auth::Auth;
use crate::error::Error;
use crate::user::AuthUser;
use crate::utils::token::{self, TokenHash};

impl<U: AuthUser, A: VerificationAdapter<U>> Auth<U, A> {
    /// Creates a token for `purpose` and `identifier` (a user id or an
    /// email), valid for `ttl_secs`, and returns it. Send it to its owner
    /// only; it is stored hashed.
    ///
    /// # Errors
    /// Adapter failures; randomness failures as internal errors.
    pub async fn issue_token(
        &self,
        purpose: &str,
        identifier: &str,
        ttl_secs: u64,
    ) -> Result<String, Error> {
        self.issue_token_with_data(purpose, identifier, None, ttl_secs)
            .await
    }

    /// As [`issue_token`](Self::issue_token), keeping `data` with the token
    /// until it is consumed (such as the fields of a sign-up that the link
    /// will complete).
    ///
    /// # Errors
    /// Adapter failures; randomness failures as internal errors.
    pub async fn issue_token_with_data(
        &self,
        purpose: &str,
        identifier: &str,
        data: Option<&str>,
        ttl_secs: u64,
    ) -> Result<String, Error> {
        let token = token::random_token()?;
        let record = VerificationRecord::new(
            TokenHash::of(&token),
            purpose,
            identifier,
            self.now().saturating_add(ttl_secs),
        );
        let record = match data {
            Some(data) => record.with_data(data),
            None => record,
        };
        self.adapter().save_verification(&record).await?;
        Ok(token)
    }

    /// Consumes `token` for `purpose`: it can never be used again, whatever
    /// the outcome.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for an unknown, used or other-purpose token,
    /// [`Error::TokenExpired`] past its expiry, adapter failures.
    pub async fn consume_token(
        &self,
        token: &str,
        purpose: &str,
    ) -> Result<VerificationRecord, Error> {
        // Tokens we issue are 43 characters; anything far longer is not one,
        // and is not worth hashing.
        if token.is_empty() || token.len() > 128 {
            return Err(Error::InvalidToken);
        }
        let record = self
            .adapter()
            .consume_verification(&TokenHash::of(token), purpose)
            .await?
            .ok_or(Error::InvalidToken)?;
        if record.expires_at <= self.now() {
            return Err(Error::TokenExpired);
        }
        Ok(record)
    }
}
