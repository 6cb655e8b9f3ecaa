//! What a sign-in keeps between its two requests (the redirect to the
//! provider and the callback): the state the callback expects.
//!
//! # Where it lives
//! In the application's store, as a single-use token of the core
//! ([`VerificationAdapter`]): `state` is 256 random bits, only its SHA-256
//! is stored, and consuming it is atomic, so a callback can be completed
//! once and a replayed or forged `state` finds nothing. The PKCE verifier
//! and the `nonce` never leave the server until the token exchange.
//! Nothing is kept in cookies, so every instance behind a load balancer
//! can finish a sign-in another one started.

use nanoauth::utils::token::{TokenHash, random_token};
use nanoauth::{Auth, AuthUser, Error, VerificationAdapter, VerificationRecord};
use serde::{Deserialize, Serialize};

use crate::error::OAuthError;

/// The purpose of the stored state tokens.
pub(crate) const PURPOSE: &str = "oauth-state";
/// How long a user may take at the provider (consent, 2FA), in seconds.
const TTL: u64 = 10 * 60;

/// The state a callback expects: made when the sign-in starts, consumed by
/// the callback, whatever its outcome.
#[derive(Serialize, Deserialize)]
pub(crate) struct ExpectCallback {
    #[serde(rename = "p")]
    pub(crate) provider: String,
    /// The PKCE code verifier.
    #[serde(rename = "v")]
    pub(crate) verifier: String,
    /// The OpenID Connect nonce.
    #[serde(rename = "n")]
    pub(crate) nonce: String,
    /// Where to go when it worked (checked when the flow started).
    #[serde(rename = "c")]
    pub(crate) callback: String,
    /// Where to go with `?error=CODE` (checked when the flow started).
    #[serde(rename = "e")]
    pub(crate) error_callback: String,
    /// Set when a signed-in user links an account: their id.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub(crate) link_user: Option<String>,
}

impl std::fmt::Debug for ExpectCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpectCallback")
            .field("provider", &self.provider)
            .field("callback", &self.callback)
            .field("link_user", &self.link_user)
            .finish_non_exhaustive()
    }
}

impl ExpectCallback {
    /// Stores the state and returns the `state` parameter for it.
    pub(crate) async fn save<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
    ) -> Result<String, Error> {
        let state = random_token()?;
        let data = serde_json::to_string(self).map_err(Error::internal)?;
        let record = VerificationRecord::new(
            TokenHash::of(&state),
            PURPOSE,
            self.provider.as_str(),
            auth.now().saturating_add(TTL),
        )
        .with_data(data);
        auth.adapter().save_verification(&record).await?;
        Ok(state)
    }

    /// Consumes the state `state` for `provider`. It is gone afterwards,
    /// whatever follows.
    pub(crate) async fn take<U: AuthUser, A: VerificationAdapter<U>>(
        auth: &Auth<U, A>,
        state: &str,
        provider: &str,
    ) -> Result<Self, Error> {
        let record = match auth.consume_token(state, PURPOSE).await {
            Ok(record) => record,
            Err(Error::InvalidToken | Error::TokenExpired) => {
                return Err(OAuthError::InvalidState.into());
            }
            Err(error) => return Err(error),
        };
        let flow: Self = record
            .data
            .as_deref()
            .and_then(|data| serde_json::from_str(data).ok())
            .ok_or(OAuthError::InvalidState)?;
        if record.identifier != provider || flow.provider != provider {
            return Err(OAuthError::InvalidState.into());
        }
        Ok(flow)
    }
}
