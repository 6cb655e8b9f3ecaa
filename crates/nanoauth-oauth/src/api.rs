//! `auth.oauth()`: the plugin's typed exports: start a sign-in or link,
//! list and unlink accounts. Completing a callback is in `callback.rs`.

use nanoauth::utils::token::random_token;
use nanoauth::{Auth, AuthUser, Error};

use crate::error::OAuthError;
use crate::flow::ExpectCallback;
use crate::http::HttpClient;
use crate::pkce;
use crate::plugin::OAuth;
use crate::plugin::OAuthAdapter;
use crate::provider::Provider;

/// Adds [`oauth`](OAuthExt::oauth) to `Auth`.
pub trait OAuthExt<U: AuthUser, A: OAuthAdapter<U>> {
    /// The social sign-in plugin's exports.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicSignUp, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_oauth::{OAuth, OAuthExt, providers};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .plugin(OAuth::<BasicUser>::new(|_| BasicSignUp::default())
    ///         .provider(providers::github("client-id", "client-secret")))
    ///     .build()?;
    /// let start = auth.oauth().authorization_url("github", "/dashboard", None, None).await?;
    /// assert!(start.url.starts_with("https://github.com/login/oauth/authorize?"));
    /// assert!(start.url.contains("code_challenge_method=S256"));
    /// # Ok(()) }
    /// ```
    fn oauth(&self) -> OAuthApi<'_, U, A>;
}

impl<U: AuthUser, A: OAuthAdapter<U>> OAuthExt<U, A> for Auth<U, A> {
    fn oauth(&self) -> OAuthApi<'_, U, A> {
        OAuthApi {
            auth: self,
            plugin: self.plugin::<OAuth<U>>(),
        }
    }
}

/// The exports of [`OAuth`], from [`OAuthExt::oauth`].
#[derive(Debug)]
pub struct OAuthApi<'a, U: AuthUser, A: OAuthAdapter<U>> {
    pub(crate) auth: &'a Auth<U, A>,
    /// Looked up once, when the exports are asked for.
    plugin: Option<std::sync::Arc<OAuth<U>>>,
}

/// A started sign-in or link: where to send the browser, and the secret
/// that binds the flow to that browser.
#[non_exhaustive]
pub struct Authorization {
    /// The provider's authorization URL.
    pub url: String,
    /// Goes into the browser's cookie [`BINDING_COOKIE`](crate::BINDING_COOKIE)
    /// (the endpoints do this) and comes back with the callback as
    /// [`CallbackParams::browser_binding`](crate::CallbackParams::browser_binding).
    pub browser_binding: String,
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("url", &self.url)
            .field("browser_binding", &"[redacted]")
            .finish()
    }
}

/// The account links of a user, as the list endpoint shows them.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinkedAccount {
    /// The provider id.
    pub provider: String,
    /// The user's id at the provider.
    pub account_id: String,
    /// When it was linked, Unix seconds.
    pub created_at: u64,
}

impl<'a, U: AuthUser, A: OAuthAdapter<U>> OAuthApi<'a, U, A> {
    /// The exports bound to `plugin`: what its endpoints use, so they never
    /// look it up.
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: std::sync::Arc<OAuth<U>>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    pub(crate) fn options(&self) -> Result<&OAuth<U>, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("oauth"))
    }

    pub(crate) fn http(&self) -> Result<&HttpClient, Error> {
        Ok(self
            .options()?
            .http
            .as_ref()
            .ok_or(OAuthError::ProviderUnavailable)?)
    }

    pub(crate) fn provider(&self, id: &str) -> Result<&Provider, Error> {
        Ok(self
            .options()?
            .find_provider(id)
            .ok_or(OAuthError::ProviderNotFound)?)
    }

    /// Where the provider sends the browser back: the callback endpoint.
    /// Register exactly this URL at the provider.
    ///
    /// # Errors
    /// [`Error::PluginNotEnabled`].
    pub fn redirect_uri(&self, provider: &str) -> Result<String, Error> {
        self.options()?;
        Ok(format!(
            "{}{}/callback/{provider}",
            self.auth.base_origin(),
            self.auth.base_path()
        ))
    }

    /// Starts a sign-in (or, with `link_user`, a link) at `provider`: stores
    /// the flow's state and returns the URL to send the browser to, with
    /// the secret that binds the flow to that browser (see
    /// [`Authorization`]).
    ///
    /// # Errors
    /// `PROVIDER_NOT_FOUND`, [`Error::InvalidRedirect`] for a callback off
    /// the trusted origins, `PROVIDER_UNAVAILABLE` when discovery fails,
    /// adapter failures.
    pub async fn authorization_url(
        &self,
        provider: &str,
        callback_url: &str,
        error_callback_url: Option<&str>,
        link_user: Option<&str>,
    ) -> Result<Authorization, Error> {
        let callback = self.auth.check_redirect(callback_url)?;
        let error_callback = match error_callback_url {
            Some(url) => self.auth.check_redirect(url)?,
            None => callback.clone(),
        };
        let http = self.http()?;
        let provider = self.provider(provider)?;
        let endpoints = provider.endpoints(http).await?;
        let (binding, binding_hash) = ExpectCallback::new_binding()?;
        let flow = ExpectCallback {
            provider: provider.id.clone(),
            verifier: random_token()?,
            nonce: random_token()?,
            callback,
            error_callback,
            link_user: link_user.map(str::to_owned),
            binding: binding_hash,
        };
        let saved = flow.save(self.auth, binding).await?;
        let state = saved.state;

        let mut url = url::Url::parse(&endpoints.authorization)
            .map_err(|_| Error::from(OAuthError::ProviderError))?;
        let redirect_uri = self.redirect_uri(&provider.id)?;
        let challenge = pkce::challenge(&flow.verifier);
        {
            let mut query = url.query_pairs_mut();
            const OURS: [&str; 8] = [
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
                "nonce",
            ];
            for (name, value) in &provider.authorization_params {
                if !OURS.contains(&name.as_str()) {
                    query.append_pair(name, value);
                }
            }
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &provider.client_id)
                .append_pair("redirect_uri", &redirect_uri)
                .append_pair("scope", &provider.scopes.join(" "))
                .append_pair("state", &state)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if provider.is_oidc() {
                query.append_pair("nonce", &flow.nonce);
            }
        }
        Ok(Authorization {
            url: url.into(),
            browser_binding: saved.binding,
        })
    }

    /// The accounts linked to `user_id`.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list_accounts(&self, user_id: &str) -> Result<Vec<LinkedAccount>, Error> {
        self.options()?;
        let mut accounts: Vec<LinkedAccount> = self
            .auth
            .adapter()
            .list_accounts(user_id)
            .await?
            .into_iter()
            .map(|account| LinkedAccount {
                provider: account.provider,
                account_id: account.account_id,
                created_at: account.created_at,
            })
            .collect();
        accounts.sort_by(|a, b| (a.created_at, &a.provider).cmp(&(b.created_at, &b.provider)));
        Ok(accounts)
    }

    /// Unlinks the user's account at `provider`. Emits
    /// [`Event::AccountUnlinked`](nanoauth::Event::AccountUnlinked).
    ///
    /// # Errors
    /// `ACCOUNT_NOT_FOUND`, `LAST_ACCOUNT` (see
    /// [`OAuth::allow_unlinking_last_account`]), adapter failures.
    pub async fn unlink(&self, user_id: &str, provider: &str) -> Result<(), Error> {
        let options = self.options()?;
        let adapter = self.auth.adapter();
        let accounts = adapter.list_accounts(user_id).await?;
        if !accounts.iter().any(|a| a.provider == provider) {
            return Err(OAuthError::AccountNotFound.into());
        }
        if !options.allow_unlinking_last && accounts.iter().all(|a| a.provider == provider) {
            return Err(OAuthError::LastAccount.into());
        }
        if adapter.unlink_account(user_id, provider).await? {
            let (user_id, provider) = (user_id.to_owned(), provider.to_owned());
            self.auth
                .emit(nanoauth::Event::AccountUnlinked { user_id, provider })
                .await;
            Ok(())
        } else {
            Err(OAuthError::AccountNotFound.into())
        }
    }
}
