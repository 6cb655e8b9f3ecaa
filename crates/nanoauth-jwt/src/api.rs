//! The plugin's exports: tokens for a session or a user, and the JWKS.

use std::sync::Arc;

use nanoauth::utils::token::random_id;
use nanoauth::{Auth, AuthUser, Credential, Error, RecordAdapter, Session};
use serde_json::{Map, Value};

use crate::plugin::Jwt;
use crate::store;

/// Claims NanoAuth sets itself; the application's claims
/// ([`Jwt::claims`]) never replace them.
///
/// ```
/// assert!(nanoauth_jwt::RESERVED_CLAIMS.contains(&"sub"));
/// ```
pub const RESERVED_CLAIMS: [&str; 8] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "credential",
];

/// `auth.jwt()`: the exports of [`Jwt`].
pub trait JwtExt<U: AuthUser, A: RecordAdapter<U>> {
    /// The JWT exports.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_jwt::JwtExt;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, user: BasicUser) -> Result<(), nanoauth::Error> {
    /// // A token for a background job acting as `user`.
    /// let token = auth.jwt().token_for(&user).await?;
    /// # Ok(()) }
    /// ```
    fn jwt(&self) -> JwtApi<'_, U, A>;
}

impl<U: AuthUser, A: RecordAdapter<U>> JwtExt<U, A> for Auth<U, A> {
    fn jwt(&self) -> JwtApi<'_, U, A> {
        JwtApi {
            auth: self,
            plugin: self.plugin::<Jwt<U>>(),
        }
    }
}

/// The exports of [`Jwt`], from [`JwtExt::jwt`].
#[derive(Debug)]
pub struct JwtApi<'a, U: AuthUser, A: RecordAdapter<U>> {
    auth: &'a Auth<U, A>,
    plugin: Option<Arc<Jwt<U>>>,
}

impl<'a, U: AuthUser, A: RecordAdapter<U>> JwtApi<'a, U, A> {
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<Jwt<U>>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn plugin(&self) -> Result<&Jwt<U>, Error> {
        self.plugin.as_deref().ok_or(Error::PluginNotEnabled("jwt"))
    }

    /// A token for the session's user, what `GET /token` answers. A
    /// session made from a credential (an API key) says so in the
    /// `credential` claim, with its permissions.
    ///
    /// # Errors
    /// [`Error::PluginNotEnabled`] without the plugin; adapter failures
    /// while the key of a new rotation period is loaded or made.
    pub async fn token(&self, session: &Session<U>) -> Result<String, Error> {
        self.sign(&session.user, session.credential()).await
    }

    /// A token for `user`, as from a signed-in session: for the
    /// application's own calls to other services on a user's behalf.
    ///
    /// # Errors
    /// As [`token`](Self::token).
    pub async fn token_for(&self, user: &U) -> Result<String, Error> {
        self.sign(user, None).await
    }

    /// The JWK Set of every public key that may still have unexpired
    /// tokens, the current one first: what `GET /jwks` answers.
    ///
    /// # Errors
    /// As [`token`](Self::token): the current key is made if there is none
    /// yet, so the set is never empty.
    pub async fn jwks(&self) -> Result<Value, Error> {
        let plugin = self.plugin()?;
        let now = self.auth.now();
        plugin.keys.current(self.auth, &plugin.policy, now).await?;
        let keys = store::published(self.auth, now).await?;
        Ok(serde_json::json!({ "keys": keys }))
    }

    async fn sign(&self, user: &U, credential: Option<&Credential>) -> Result<String, Error> {
        let plugin = self.plugin()?;
        let now = self.auth.now();
        let current = plugin.keys.current(self.auth, &plugin.policy, now).await?;
        let claims = self.claims(plugin, user, credential, now)?;
        current.key.sign_jwt(&claims).map_err(Error::internal)
    }

    fn claims(
        &self,
        plugin: &Jwt<U>,
        user: &U,
        credential: Option<&Credential>,
        now: u64,
    ) -> Result<Map<String, Value>, Error> {
        let mut claims: Map<String, Value> = match &plugin.claims {
            Some(claims) => claims(user)
                .into_iter()
                .filter(|(name, _)| !RESERVED_CLAIMS.contains(&name.as_str()))
                .collect(),
            None => Map::new(),
        };
        let issuer = plugin
            .issuer
            .clone()
            .unwrap_or_else(|| self.auth.base_origin().to_owned());
        let audience = plugin.audience.clone().unwrap_or_else(|| issuer.clone());
        claims.insert("iss".into(), issuer.into());
        claims.insert("sub".into(), user.id().into());
        claims.insert("aud".into(), audience.into());
        claims.insert("iat".into(), now.into());
        claims.insert(
            "exp".into(),
            now.saturating_add(plugin.policy.lifetime).into(),
        );
        claims.insert("jti".into(), random_id()?.into());
        if let Some(credential) = credential {
            claims.insert(
                "credential".into(),
                serde_json::json!({
                    "kind": credential.kind(),
                    "id": credential.id(),
                    "permissions": credential.permissions(),
                }),
            );
        }
        Ok(claims)
    }
}
