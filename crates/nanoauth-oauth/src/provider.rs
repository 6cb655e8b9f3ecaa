//! One provider's configuration: who it is, where its endpoints are, what
//! to ask for and how to read the user's profile.

use std::sync::Arc;

use serde_json::Value;

use crate::discovery::Discovered;
use crate::jwks::JwksCache;
use crate::profile::Profile;
use crate::secret::ClientSecret;

/// Where a provider's endpoints come from.
#[derive(Clone, Debug)]
pub(crate) enum EndpointSource {
    /// OpenID Connect discovery: `{issuer}/.well-known/openid-configuration`.
    Discovery { issuer: String },
    /// Fixed URLs (plain OAuth 2.0 providers such as GitHub).
    Manual(Endpoints),
}

/// A provider's endpoints, configured or discovered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoints {
    pub(crate) issuer: Option<String>,
    pub(crate) authorization: String,
    pub(crate) token: String,
    pub(crate) userinfo: Option<String>,
    pub(crate) jwks: Option<String>,
}

/// Maps a userinfo answer onto a profile.
pub(crate) type MapUserinfo = dyn Fn(&Value) -> Option<Profile> + Send + Sync;

/// How the user's profile is read after the token exchange.
#[derive(Clone)]
pub(crate) enum ProfileSource {
    /// OpenID Connect: the ID token's claims (validated), completed from
    /// the userinfo endpoint when they lack the email.
    IdToken,
    /// A JSON userinfo endpoint read with the access token, mapped by a
    /// function.
    Userinfo(Arc<MapUserinfo>),
    /// GitHub: `/user`, then `/user/emails` for the verified primary email.
    GitHub,
}

impl std::fmt::Debug for ProfileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::IdToken => "IdToken",
            Self::Userinfo(_) => "Userinfo",
            Self::GitHub => "GitHub",
        })
    }
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenAuth {
    /// `client_id` and `client_secret` in the form body (the default: every
    /// shipped provider accepts it).
    #[default]
    ClientSecretPost,
    /// HTTP Basic authentication with the client id and secret.
    ClientSecretBasic,
}

/// A sign-in provider. Use a ready one from [`providers`](crate::providers)
/// or describe any OpenID Connect issuer or OAuth 2.0 server here.
///
/// ```
/// use nanoauth_oauth::Provider;
///
/// // Any OpenID Connect issuer: endpoints and keys come from discovery.
/// let corp = Provider::oidc("corp", "https://id.example.com", "client-id")
///     .client_secret("client-secret")
///     .scopes(["openid", "email", "profile", "groups"]);
/// assert_eq!(corp.id(), "corp");
/// ```
#[derive(Clone, Debug)]
pub struct Provider {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<ClientSecret>,
    pub(crate) source: EndpointSource,
    pub(crate) scopes: Vec<String>,
    pub(crate) profile: ProfileSource,
    pub(crate) token_auth: TokenAuth,
    pub(crate) authorization_params: Vec<(String, String)>,
    /// The discovered issuer may contain `{tenantid}`, filled from each ID
    /// token's `tid` claim (Microsoft's multi-tenant endpoints).
    pub(crate) tenant_issuer: bool,
    /// Sign-ins may link to the existing user with the same verified email.
    pub(crate) link_by_verified_email: bool,
    /// Whether the provider's "email verified" is believed at all.
    pub(crate) trusts_email_verified: bool,
    pub(crate) discovered: Arc<Discovered>,
    pub(crate) jwks: Arc<JwksCache>,
}

impl Provider {
    fn new(id: &str, client_id: &str, source: EndpointSource, profile: ProfileSource) -> Self {
        Self {
            id: id.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: None,
            source,
            scopes: Vec::new(),
            profile,
            token_auth: TokenAuth::default(),
            authorization_params: Vec::new(),
            tenant_issuer: false,
            link_by_verified_email: false,
            trusts_email_verified: true,
            discovered: Arc::new(Discovered::default()),
            jwks: Arc::new(JwksCache::default()),
        }
    }

    /// An OpenID Connect provider found by discovery at `issuer`, asking
    /// for `openid email profile`. The ID token is validated (signature
    /// against the issuer's JWKS, `iss`, `aud`, `exp`, `nonce`) and its
    /// claims are the profile.
    pub fn oidc(id: &str, issuer: &str, client_id: &str) -> Self {
        let issuer = issuer.trim_end_matches('/').to_owned();
        Self::new(
            id,
            client_id,
            EndpointSource::Discovery { issuer },
            ProfileSource::IdToken,
        )
        .scopes(["openid", "email", "profile"])
    }

    /// A plain OAuth 2.0 provider with fixed endpoints, whose profile is
    /// read from `userinfo_url` with the access token and mapped by `map`
    /// (return `None` when the answer has no usable id).
    ///
    /// ```
    /// use nanoauth_oauth::{Profile, Provider};
    ///
    /// let forge = Provider::oauth2(
    ///     "forge",
    ///     "client-id",
    ///     "https://forge.example/oauth/authorize",
    ///     "https://forge.example/oauth/token",
    ///     "https://forge.example/api/me",
    ///     |me| {
    ///         let mut profile = Profile::new(me["id"].as_u64()?.to_string());
    ///         profile.email = me["email"].as_str().map(str::to_owned);
    ///         profile.email_verified = me["email_confirmed"].as_bool() == Some(true);
    ///         Some(profile)
    ///     },
    /// )
    /// .scopes(["read:user"]);
    /// ```
    pub fn oauth2(
        id: &str,
        client_id: &str,
        authorization_url: &str,
        token_url: &str,
        userinfo_url: &str,
        map: impl Fn(&Value) -> Option<Profile> + Send + Sync + 'static,
    ) -> Self {
        let endpoints = Endpoints {
            issuer: None,
            authorization: authorization_url.to_owned(),
            token: token_url.to_owned(),
            userinfo: Some(userinfo_url.to_owned()),
            jwks: None,
        };
        Self::new(
            id,
            client_id,
            EndpointSource::Manual(endpoints),
            ProfileSource::Userinfo(Arc::new(map)),
        )
    }

    pub(crate) fn github_source(mut self) -> Self {
        self.profile = ProfileSource::GitHub;
        self
    }

    /// The client secret. Public clients (PKCE only) have none.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(ClientSecret::new(secret));
        self
    }

    /// Replaces the scopes asked for.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an extra parameter to the authorization URL (`prompt`,
    /// `access_type`, `hd`, ...). The protocol's own parameters (`state`,
    /// `code_challenge`, ...) cannot be overridden.
    pub fn authorization_param(mut self, name: &str, value: &str) -> Self {
        self.authorization_params
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// How the client authenticates at the token endpoint.
    pub fn token_auth(mut self, method: TokenAuth) -> Self {
        self.token_auth = method;
        self
    }

    pub(crate) fn tenant_issuer(mut self) -> Self {
        self.tenant_issuer = true;
        self
    }

    /// Signs this provider's accounts in to the existing user with the same
    /// email address, linking them, when the provider says the address is
    /// verified (default off: such sign-ins are refused with
    /// `ACCOUNT_NOT_LINKED`, and the user links from their account page).
    /// The link proves the address: an account nobody had proven the
    /// address of is taken over cleanly (see
    /// [`EmailProof::SignIn`](nanoauth::EmailProof::SignIn)).
    ///
    /// ```
    /// let google = nanoauth_oauth::providers::google("client-id", "secret")
    ///     .link_by_verified_email(true);
    /// ```
    ///
    /// # Security
    /// Turn it on only for providers whose `email_verified` you trust. It
    /// has no effect on providers whose addresses are never taken as
    /// verified (Microsoft Entra ID).
    pub fn link_by_verified_email(mut self, enabled: bool) -> Self {
        self.link_by_verified_email = enabled;
        self
    }

    /// Never believes this provider's "email verified": its addresses
    /// neither link to existing accounts nor count as proven.
    pub(crate) fn distrust_email_verified(mut self) -> Self {
        self.trusts_email_verified = false;
        self
    }

    /// The provider's id: the `:provider` in `/signin/:provider`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether this is an OpenID Connect provider (an ID token is required
    /// and a `nonce` is sent).
    pub fn is_oidc(&self) -> bool {
        matches!(self.profile, ProfileSource::IdToken)
    }
}
