//! What a sign-in keeps between its two requests (the redirect to the
//! provider and the callback): the state the callback expects.
//!
//! # Where it lives
//! In the application's store, as a single-use token of the core
//! ([`VerificationAdapter`]): `state` is 256 random bits, only its SHA-256
//! is stored, and consuming it is atomic, so a callback can be completed
//! once and a replayed or forged `state` finds nothing. The PKCE verifier
//! and the `nonce` never leave the server until the token exchange.
//! Every instance behind a load balancer can finish a sign-in another one
//! started.
//!
//! # Whose browser
//! A `state` alone does not say which browser started the flow: an
//! attacker could start a sign-in, stop before the callback, and make a
//! victim's browser follow the callback URL, signing the victim in as the
//! attacker (login CSRF). So the flow is also bound to its browser: a
//! second random secret goes into a short-lived cookie there
//! ([`BINDING_COOKIE`], HttpOnly, `__Host-` over https), the stored flow
//! keeps only its SHA-256, and the callback compares the two in constant
//! time. The cookie is SameSite=Lax, which browsers send on the provider's
//! top-level redirect back to the callback.

use nanoauth::utils::token::{TokenHash, constant_time_eq, random_token};
use nanoauth::{Auth, AuthUser, Error, VerificationAdapter, VerificationRecord};
use serde::{Deserialize, Serialize};

use crate::error::OAuthError;

/// The purpose of the stored state tokens.
pub(crate) const PURPOSE: &str = "oauth-state";
/// How long a user may take at the provider (consent, 2FA), in seconds.
pub(crate) const TTL: u64 = 10 * 60;
/// The plugin cookie that binds a flow to the browser that started it
/// (full name from [`Auth::plugin_cookie_name`]).
pub const BINDING_COOKIE: &str = "oauth_state";

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
    /// SHA-256 (hex) of the browser binding, see the module docs.
    #[serde(rename = "b")]
    pub(crate) binding: String,
}

/// A stored flow's two secrets: `state` goes to the provider, `binding`
/// into the browser's cookie.
pub(crate) struct Saved {
    pub(crate) state: String,
    pub(crate) binding: String,
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
    /// A new browser binding: the secret for the cookie, and the hash to
    /// keep in the flow.
    pub(crate) fn new_binding() -> Result<(String, String), Error> {
        let binding = random_token()?;
        let hash = TokenHash::of(&binding).to_hex();
        Ok((binding, hash))
    }

    /// Stores the flow; `binding` is the secret whose hash it holds.
    pub(crate) async fn save<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        binding: String,
    ) -> Result<Saved, Error> {
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
        Ok(Saved { state, binding })
    }

    /// Consumes the state `state` for `provider` and checks that
    /// `binding` (the browser's cookie) is the flow's. The state is gone
    /// afterwards, whatever follows: a callback followed in the wrong
    /// browser also ends the flow in the right one.
    pub(crate) async fn take<U: AuthUser, A: VerificationAdapter<U>>(
        auth: &Auth<U, A>,
        state: &str,
        binding: Option<&str>,
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
        let presented = TokenHash::of(binding.unwrap_or_default()).to_hex();
        if binding.is_none() || !constant_time_eq(presented.as_bytes(), flow.binding.as_bytes()) {
            return Err(OAuthError::StateMismatch.into());
        }
        Ok(flow)
    }
}
