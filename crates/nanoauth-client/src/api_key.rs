//! The API key plugin's calls (`/api-key/*`): keys the signed-in user makes
//! for scripts and services, which then send them in `x-api-key`.

use std::fmt;

use http::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::AuthClient;
use crate::error::ClientError;

/// The API key calls of a client, from
/// [`AuthClient::api_keys`](crate::AuthClient::api_keys). The server needs
/// NanoAuth's API key plugin (`nanoauth-api-key`). Keys are managed from a
/// signed-in session; a session made from a key cannot manage keys.
///
/// ```no_run
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
/// use nanoauth_client::NewApiKey;
///
/// let created = client
///     .api_keys()
///     .create(&NewApiKey::named("deploy script").expires_in(30 * 24 * 60 * 60))
///     .await?;
/// // Shown once: the server keeps only its hash.
/// println!("x-api-key: {}", created.key());
/// for key in client.api_keys().list().await? {
///     println!("{} {}… enabled: {}", key.name, key.start, key.enabled);
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Every call fails with [`ClientError::Api`] as the server says:
/// `SESSION_REQUIRED` (403: called with a key's session), `UNAUTHORIZED`
/// (401), `INVALID_BODY` (400: a bad name), a not-found code for another
/// user's key, and with [`ClientError::Network`] or
/// [`ClientError::Decode`].
pub struct ApiKeys<'a, U> {
    client: &'a AuthClient<U>,
    owner: Option<ApiKeyOwner>,
}

impl<U> fmt::Debug for ApiKeys<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("client", self.client)
            .field("owner", &self.owner)
            .finish()
    }
}

/// Whose keys a call is about, when not the signed-in user's own
/// ([`ApiKeys::of`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiKeyOwner {
    /// Another user's keys (administrators only).
    User(String),
    /// An organization's keys (its `apiKey` permissions); its keys sign in
    /// as the member who made them, with the organization attached.
    Organization(String),
    /// A service identity's keys, with no user (administrators only).
    Service(String),
}

impl ApiKeyOwner {
    /// The body field and query parameter naming it.
    fn field(&self) -> (&'static str, &str) {
        match self {
            Self::User(id) => ("userId", id),
            Self::Organization(id) => ("organizationId", id),
            Self::Service(name) => ("serviceName", name),
        }
    }
}

/// What a new key is to be (`POST /api-key/create`).
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    permissions: Vec<String>,
}

impl NewApiKey {
    /// A key called `name` (1 to 100 characters), with no expiry.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// It stops working `seconds` from now.
    #[must_use]
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = Some(seconds);
        self
    }

    /// Its scopes, as the application defines them.
    #[must_use]
    pub fn permissions(mut self, permissions: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.permissions = permissions.into_iter().map(Into::into).collect();
        self
    }
}

/// A change to a key (`POST /api-key/update`); what is not set stays.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
}

impl ApiKeyChange {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Turned on or off: a disabled key is refused at once.
    #[must_use]
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// A new expiry, `seconds` from now.
    #[must_use]
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = Some(seconds);
        self
    }
}

/// A key as lists show it: never the key itself. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiKey {
    /// Its id, for update and delete.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key's first characters (`na_v1_AbCdEf`), to recognise it.
    pub start: String,
    /// When it was made.
    pub created_at: u64,
    /// When it stops working; `None`: never.
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// Whether it works.
    pub enabled: bool,
    /// Its scopes.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// When it was last used (to the minute).
    #[serde(default)]
    pub last_used_at: Option<u64>,
    /// The application's own data about it.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// `"user"`, `"organization"` or `"service"` (absent from servers
    /// before keys had other owners: a user's key).
    #[serde(default)]
    pub owner_type: Option<String>,
    /// The owning user, for a user's key.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The owning organization, for an organization's key.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// The service identity, for a service key.
    #[serde(default)]
    pub service_name: Option<String>,
    /// The user who made it (for an organization's key, the member it
    /// signs in as); `None` for a key server code made.
    #[serde(default)]
    pub created_by: Option<String>,
}

impl ApiKey {
    /// Who the key belongs to, when the server says (`None` from servers
    /// before keys had other owners: then the signed-in user's).
    pub fn owner(&self) -> Option<ApiKeyOwner> {
        match self.owner_type.as_deref() {
            Some("user") => self.user_id.clone().map(ApiKeyOwner::User),
            Some("organization") => self.organization_id.clone().map(ApiKeyOwner::Organization),
            Some("service") => self.service_name.clone().map(ApiKeyOwner::Service),
            _ => None,
        }
    }
}

/// A new key, from [`ApiKeys::create`]: the key itself is in this answer
/// only. Its `Debug` is redacted.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    key: String,
    api_key: ApiKey,
}

impl CreatedApiKey {
    /// The key (`na_v1_...`), for the `x-api-key` header.
    ///
    /// # Security
    /// It acts as the user until deleted, disabled or expired: show it
    /// once, and do not log it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What lists will show of it.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("key", &"[redacted]")
            .field("api_key", &self.api_key)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Updated {
    api_key: ApiKey,
}

impl<'a, U: DeserializeOwned + Clone> ApiKeys<'a, U> {
    pub(crate) fn new(client: &'a AuthClient<U>) -> Self {
        Self {
            client,
            owner: None,
        }
    }

    /// The same calls about the keys of `owner` (an organization, another
    /// user, a service identity) rather than the signed-in user's own.
    ///
    /// ```no_run
    /// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
    /// use nanoauth_client::{ApiKeyOwner, NewApiKey};
    ///
    /// let acme = client.api_keys().of(ApiKeyOwner::Organization("org_1".into()));
    /// let created = acme.create(&NewApiKey::named("acme CI")).await?;
    /// let keys = acme.list().await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn of(mut self, owner: ApiKeyOwner) -> Self {
        self.owner = Some(owner);
        self
    }

    /// `body` with the owner's field added.
    fn owned(&self, body: &impl Serialize) -> Result<serde_json::Value, ClientError> {
        let mut body = serde_json::to_value(body).map_err(|error| {
            ClientError::Config(crate::error::ConfigError::new(format!("body: {error}")))
        })?;
        if let (Some(owner), Some(fields)) = (&self.owner, body.as_object_mut()) {
            let (name, value) = owner.field();
            fields.insert(name.to_owned(), value.into());
        }
        Ok(body)
    }

    /// Makes a key for the signed-in user (`POST /api-key/create`).
    ///
    /// # Errors
    /// `INVALID_BODY` (400), `SESSION_REQUIRED` (403), `UNAUTHORIZED`, and
    /// as [`ApiKeys`].
    pub async fn create(&self, new: &NewApiKey) -> Result<CreatedApiKey, ClientError> {
        self.post("/api-key/create", &self.owned(new)?).await
    }

    /// The signed-in user's keys, or [`of`](Self::of) an owner's
    /// (`GET /api-key/list`).
    ///
    /// # Errors
    /// As [`ApiKeys`].
    pub async fn list(&self) -> Result<Vec<ApiKey>, ClientError> {
        let path = match &self.owner {
            Some(owner) => {
                let (name, value) = owner.field();
                format!("/api-key/list?{name}={}", crate::admin::encode(value))
            }
            None => "/api-key/list".to_owned(),
        };
        self.client
            .send(self.client.request(Method::GET, &path))
            .await
    }

    /// Renames, enables or disables a key, or moves its expiry
    /// (`POST /api-key/update`).
    ///
    /// # Errors
    /// As [`ApiKeys`].
    pub async fn update(&self, id: &str, change: &ApiKeyChange) -> Result<ApiKey, ClientError> {
        let mut body = self.owned(change)?;
        if let Some(fields) = body.as_object_mut() {
            fields.insert("keyId".to_owned(), id.into());
        }
        self.post::<Updated>("/api-key/update", &body)
            .await
            .map(|updated| updated.api_key)
    }

    /// Deletes a key (`POST /api-key/delete`): refused from the next
    /// request on.
    ///
    /// # Errors
    /// As [`ApiKeys`].
    pub async fn delete(&self, id: &str) -> Result<(), ClientError> {
        self.post::<IgnoredAny>("/api-key/delete", &self.owned(&json!({ "keyId": id }))?)
            .await
            .map(drop)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ClientError> {
        self.client
            .send(self.client.request(Method::POST, path).json(body))
            .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn bodies_leave_out_what_is_not_set() {
        let new = serde_json::to_value(NewApiKey::named("ci")).unwrap();
        assert_eq!(new, json!({ "name": "ci" }));
        let new = serde_json::to_value(NewApiKey::named("ci").expires_in(60).permissions(["read"]))
            .unwrap();
        assert_eq!(
            new,
            json!({ "name": "ci", "expiresIn": 60, "permissions": ["read"] })
        );
        let change = serde_json::to_value(ApiKeyChange::new().enabled(false)).unwrap();
        assert_eq!(change, json!({ "enabled": false }));
    }

    #[test]
    fn a_new_key_stays_out_of_debug() {
        let created: CreatedApiKey = serde_json::from_str(
            r#"{"key":"na_v1_secretsecret","apiKey":{"id":"k","name":"ci","start":"na_v1_sec",
                "createdAt":1,"expiresAt":null,"enabled":true,"permissions":[],"rateLimit":null,
                "lastUsedAt":null,"metadata":null}}"#,
        )
        .unwrap();
        assert_eq!(created.key(), "na_v1_secretsecret");
        assert_eq!(created.api_key().owner(), None);
        let org: ApiKey = serde_json::from_value(json!({"id":"k","name":"ci","start":"na_v1_sec",
            "createdAt":1,"enabled":true,"ownerType":"organization","organizationId":"org_1",
            "createdBy":"u1"}))
        .unwrap();
        assert_eq!(org.owner(), Some(ApiKeyOwner::Organization("org_1".into())));
        assert!(!format!("{created:?}").contains("secretsecret"));
    }
}
