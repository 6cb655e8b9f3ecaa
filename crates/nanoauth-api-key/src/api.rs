//! The plugin's exports, and the one path that turns a presented key into
//! a session.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::utils::token::{TokenHash, random_id};
use nanoauth::{
    AdapterError, Auth, AuthUser, ClientInfo, Credential, Error, GuardVerdict, PluginRecord,
    RecordAdapter, Session, SessionRecord, SignInAttempt, SignInMethod,
};
use serde::{Deserialize, Serialize};

use crate::key;
use crate::plugin::ApiKeys;

/// The records namespace of keys; a record's key is the key's SHA-256.
pub(crate) const NAMESPACE: &str = "api-key";
/// A key without an expiry, as a session's `expiresAt`: 9999-12-31, which
/// every JSON number holds exactly.
const NEVER: u64 = 253_402_300_799;
/// How a key signs its user in, as the session guards see it.
const SIGN_IN_METHOD: &str = "api-key";

/// "Last used" is written at most this often per key: not a write per
/// request.
const LAST_USED_GRANULARITY: u64 = 60;

/// `auth.api_keys()`: the exports of [`ApiKeys`].
pub trait ApiKeysExt<U: AuthUser, A: RecordAdapter<U>> {
    /// The API-key exports.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_api_key::{ApiKeysExt, NewApiKey};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, user: BasicUser) -> Result<(), nanoauth::Error> {
    /// let created = auth.api_keys().create(&user, NewApiKey::named("deploy script")).await?;
    /// println!("show once: {}", created.key);
    /// # Ok(()) }
    /// ```
    fn api_keys(&self) -> ApiKeysApi<'_, U, A>;
}

impl<U: AuthUser, A: RecordAdapter<U>> ApiKeysExt<U, A> for Auth<U, A> {
    fn api_keys(&self) -> ApiKeysApi<'_, U, A> {
        ApiKeysApi {
            auth: self,
            plugin: self.plugin::<ApiKeys>(),
        }
    }
}

/// The exports of [`ApiKeys`], from [`ApiKeysExt::api_keys`].
#[derive(Debug)]
pub struct ApiKeysApi<'a, U: AuthUser, A: RecordAdapter<U>> {
    auth: &'a Auth<U, A>,
    plugin: Option<Arc<ApiKeys>>,
}

/// A per-key limit: at most `max` requests per `window` seconds.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRateLimit {
    /// Requests per window.
    pub max: u64,
    /// The window, in seconds.
    pub window: u64,
}

/// What a new key is to be.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewApiKey {
    /// A name for lists ("deploy script").
    pub name: String,
    /// Seconds until it stops working; `None` never.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Scopes, as the application defines them.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Its own limit on requests.
    #[serde(default)]
    pub rate_limit: Option<KeyRateLimit>,
    /// The application's own data about it (at most 4 KiB of JSON).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl NewApiKey {
    /// A key called `name`, with no expiry, permissions or limit.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// A change to a key; `None` leaves a field as it is.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiKeyChange {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// Turned on or off: a disabled key is refused at once.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// A new expiry, in seconds from now.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// A key as lists show it: never the key itself.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiKey {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key's first characters (`na_v1_AbCdEf`).
    pub start: String,
    /// When it was created.
    pub created_at: u64,
    /// When it stops working.
    pub expires_at: Option<u64>,
    /// Whether it works.
    pub enabled: bool,
    /// Its scopes.
    pub permissions: Vec<String>,
    /// Its own limit on requests.
    pub rate_limit: Option<KeyRateLimit>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<u64>,
    /// The application's data.
    pub metadata: Option<serde_json::Value>,
}

/// A new key: `key` is shown once and never stored.
#[derive(Clone)]
#[non_exhaustive]
pub struct CreatedApiKey {
    /// The key (`na_v1_...`).
    pub key: String,
    /// What lists will show of it.
    pub api_key: ApiKey,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

impl<'a, U: AuthUser, A: RecordAdapter<U>> ApiKeysApi<'a, U, A> {
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<ApiKeys>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn plugin(&self) -> Result<&ApiKeys, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("api-key"))
    }

    /// Creates a key for `user`.
    ///
    /// # Errors
    /// `INVALID_BODY` (400) for an empty or long name, oversized metadata or
    /// a zero limit; `TOO_MANY_API_KEYS` (400) past the per-user maximum;
    /// adapter failures.
    pub async fn create(&self, user: &U, new: NewApiKey) -> Result<CreatedApiKey, Error> {
        let plugin = self.plugin()?;
        check_name(&new.name)?;
        if new
            .rate_limit
            .is_some_and(|limit| limit.max == 0 || limit.window == 0)
        {
            return Err(Error::InvalidBody(
                "rateLimit needs a max and a window above 0".into(),
            ));
        }
        if let Some(metadata) = &new.metadata
            && metadata.to_string().len() > 4096
        {
            return Err(Error::InvalidBody("metadata is larger than 4 KiB".into()));
        }
        let now = self.auth.now();
        let existing = self
            .auth
            .adapter()
            .list_user_records(NAMESPACE, user.id(), now)
            .await?;
        if existing.len() >= plugin.max_keys_per_user {
            return Err(too_many_keys(plugin.max_keys_per_user));
        }
        let key = key::generate()?;
        let expires_at = new.expires_in.map(|seconds| now.saturating_add(seconds));
        let api_key = ApiKey {
            id: random_id()?,
            name: new.name,
            start: key::visible_start(&key),
            created_at: now,
            expires_at,
            enabled: true,
            permissions: new.permissions,
            rate_limit: new.rate_limit,
            last_used_at: None,
            metadata: new.metadata,
        };
        let mut record =
            PluginRecord::json(NAMESPACE, key::storage_key(&key), &api_key)?.owned_by(user.id());
        record.expires_at = expires_at;
        self.auth.adapter().insert_record(&record, now).await?;
        Ok(CreatedApiKey { key, api_key })
    }

    /// The user's keys, newest first.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list(&self, user_id: &str) -> Result<Vec<ApiKey>, Error> {
        let records = self
            .auth
            .adapter()
            .list_user_records(NAMESPACE, user_id, self.auth.now())
            .await?;
        let mut keys = records
            .iter()
            .map(PluginRecord::data_as::<ApiKey>)
            .collect::<Result<Vec<ApiKey>, _>>()?;
        keys.sort_by_key(|key| std::cmp::Reverse(key.created_at));
        Ok(keys)
    }

    /// Changes the user's key `id`.
    ///
    /// # Errors
    /// `API_KEY_NOT_FOUND` (404); `INVALID_BODY` for a bad name; adapter
    /// failures.
    pub async fn update(
        &self,
        user_id: &str,
        id: &str,
        change: ApiKeyChange,
    ) -> Result<ApiKey, Error> {
        if let Some(name) = &change.name {
            check_name(name)?;
        }
        let now = self.auth.now();
        for _ in 0..5 {
            let (mut record, mut api_key) = self.find(user_id, id).await?;
            if let Some(name) = &change.name {
                api_key.name.clone_from(name);
            }
            if let Some(enabled) = change.enabled {
                api_key.enabled = enabled;
            }
            if let Some(seconds) = change.expires_in {
                api_key.expires_at = Some(now.saturating_add(seconds));
                record.expires_at = api_key.expires_at;
            }
            record.set_data(&api_key)?;
            if self.auth.adapter().update_record(&record, now).await? {
                return Ok(api_key);
            }
        }
        Err(Error::Adapter(AdapterError::Conflict))
    }

    /// Deletes the user's key `id`: it is refused from the next request on.
    ///
    /// # Errors
    /// `API_KEY_NOT_FOUND` (404); adapter failures.
    pub async fn delete(&self, user_id: &str, id: &str) -> Result<(), Error> {
        let (record, _) = self.find(user_id, id).await?;
        self.auth
            .adapter()
            .delete_record(NAMESPACE, &record.key, self.auth.now())
            .await?;
        Ok(())
    }

    /// The session a presented key stands for: `None` for an unknown,
    /// disabled, expired or deleted key, or one whose user is gone. Counts
    /// the request against the key's own limit.
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the key's limit; adapter failures.
    pub async fn resolve(&self, presented: &str) -> Result<Option<Session<U>>, Error> {
        if !key::looks_like_key(presented) {
            return Ok(None);
        }
        let now = self.auth.now();
        let adapter = self.auth.adapter();
        let Some(mut record) = adapter
            .find_record(NAMESPACE, &key::storage_key(presented), now)
            .await?
        else {
            return Ok(None);
        };
        let mut api_key: ApiKey = record.data_as()?;
        let Some(user_id) = record.user_id.clone().filter(|_| api_key.enabled) else {
            return Ok(None);
        };
        let Some(user) = adapter.get_user(&user_id).await? else {
            return Ok(None);
        };
        // A key answers for its user only while the user could sign in:
        // the session guards (a ban of the admin plugin, a required
        // verified address) are asked at every use, as for a sign-in that
        // carries its own second factor (the key was made in a session
        // that passed the user's), so a guard that would challenge lets it
        // through and none writes anything. Refused, the key is no session.
        let attempt = SignInAttempt::new(
            user.clone(),
            SignInMethod::new(SIGN_IN_METHOD).with_second_factor(SIGN_IN_METHOD),
            ClientInfo::default(),
        );
        match self.auth.check_session_guards(&attempt).await {
            Ok(GuardVerdict::Allow) => {}
            // A broken store is an error, as for any lookup.
            Err(Error::Adapter(error)) => return Err(Error::Adapter(error)),
            Ok(GuardVerdict::Challenge(_)) | Err(_) => return Ok(None),
        }
        if let Some(limit) = api_key.rate_limit {
            self.auth
                .count_use(
                    &format!("api-key:{}", api_key.id),
                    Limit::new(limit.max, limit.window),
                )
                .await?;
        }
        let last_used = api_key.last_used_at;
        if last_used.is_none_or(|at| now >= at.saturating_add(LAST_USED_GRANULARITY)) {
            api_key.last_used_at = Some(now);
            record.set_data(&api_key)?;
            // Another request may have written it this very moment: either
            // write says the same.
            let _ = adapter.update_record(&record, now).await?;
        }
        let session = SessionRecord::new(
            api_key.id.clone(),
            TokenHash::of(presented),
            user_id,
            api_key.created_at,
            now,
            api_key.expires_at.unwrap_or(NEVER),
            None,
            None,
        );
        let credential =
            Credential::new("api-key", api_key.id).with_permissions(api_key.permissions);
        Ok(Some(Session::from_credential(
            user, session, credential, presented,
        )))
    }

    async fn find(&self, user_id: &str, id: &str) -> Result<(PluginRecord, ApiKey), Error> {
        let records = self
            .auth
            .adapter()
            .list_user_records(NAMESPACE, user_id, self.auth.now())
            .await?;
        for record in records {
            let api_key: ApiKey = record.data_as()?;
            if api_key.id == id {
                return Ok((record, api_key));
            }
        }
        Err(key_not_found())
    }
}

/// `404 API_KEY_NOT_FOUND`: none of the user's keys has this id.
pub(crate) fn key_not_found() -> Error {
    Error::plugin(
        http::StatusCode::NOT_FOUND,
        "API_KEY_NOT_FOUND",
        "No such API key.",
    )
}

fn check_name(name: &str) -> Result<(), Error> {
    let length = name.trim().chars().count();
    if length == 0 || length > 100 {
        return Err(Error::InvalidBody(
            "name must have 1 to 100 characters".into(),
        ));
    }
    Ok(())
}

/// `400 TOO_MANY_API_KEYS`: the user has `max` keys already.
pub(crate) fn too_many_keys(max: usize) -> Error {
    Error::plugin(
        http::StatusCode::BAD_REQUEST,
        "TOO_MANY_API_KEYS",
        format!("At most {max} API keys per account."),
    )
}
