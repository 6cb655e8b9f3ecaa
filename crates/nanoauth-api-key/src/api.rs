//! The plugin's exports, and the one path that turns a presented key into
//! a session.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::utils::token::{TokenHash, random_id};
use nanoauth::{
    AdapterError, Auth, AuthUser, ClientInfo, Credential, Error, GuardVerdict, PluginRecord,
    RecordAdapter, Session, SessionAttributes, SessionRecord, SignInAttempt, SignInMethod,
};
use serde::{Deserialize, Serialize};

use crate::authority::{self, KeyAction};
use crate::index::{self, Entry};
use crate::key;
use crate::owner::{KeyOwner, StoredKey};
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
    /// Who it belongs to (`ownerType` and the owner's id).
    #[serde(flatten)]
    pub owner: KeyOwner,
    /// The user who created it (for an organization's key, the member it
    /// signs in as); `None` for a key made by server code.
    pub created_by: Option<String>,
}

/// Who manages keys: a signed-in user (checked against the keys' owner)
/// or trusted server code.
///
/// ```
/// use nanoauth::BasicUser;
/// use nanoauth_api_key::KeyActor;
/// let nightly: KeyActor<'_, BasicUser> = KeyActor::System;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyActor<'u, U> {
    /// A user: their own keys; an organization's with its `apiKey`
    /// permission; anyone's as an administrator
    /// ([`ApiKeys::administrators`]).
    User(&'u U),
    /// Server code: any owner's keys, unchecked.
    System,
}

impl<U> Clone for KeyActor<'_, U> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<U> Copy for KeyActor<'_, U> {}

/// What a presented key stands for ([`ApiKeysApi::verify`]): the key, and
/// the user it signs in as, if any (its user's, or for an organization's
/// key, the member who created it); a service key has none.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KeyIdentity<U> {
    /// The key as lists show it, owner included.
    pub api_key: ApiKey,
    /// The user it acts as; `None` for a service identity.
    pub user: Option<U>,
}

impl<U> KeyIdentity<U> {
    /// Who the key belongs to.
    pub fn owner(&self) -> &KeyOwner {
        &self.api_key.owner
    }

    /// The key's permissions.
    pub fn permissions(&self) -> &[String] {
        &self.api_key.permissions
    }
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

    /// Creates a key for `user`, owned by them.
    ///
    /// # Errors
    /// `INVALID_BODY` (400) for an empty or long name, oversized metadata or
    /// a zero limit; `TOO_MANY_API_KEYS` (400) past the per-owner maximum;
    /// adapter failures.
    pub async fn create(&self, user: &U, new: NewApiKey) -> Result<CreatedApiKey, Error> {
        self.create_for(KeyActor::User(user), KeyOwner::user(user.id()), new)
            .await
    }

    /// Creates a key for the service identity `service_name` (no user):
    /// server code's, unchecked. Its requests are verified with
    /// [`verify`](Self::verify); `get_session` never answers it.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_api_key::{ApiKeysExt, NewApiKey};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) -> Result<(), nanoauth::Error> {
    /// let created = auth
    ///     .api_keys()
    ///     .create_service_key("billing-worker", NewApiKey::named("nightly invoices"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`create`](Self::create); `INVALID_BODY` for a service name
    /// outside `[A-Za-z0-9._-]{1,100}`.
    pub async fn create_service_key(
        &self,
        service_name: &str,
        new: NewApiKey,
    ) -> Result<CreatedApiKey, Error> {
        self.create_for(KeyActor::System, KeyOwner::service(service_name), new)
            .await
    }

    /// Creates a key for `owner`, as `actor` may: a user for themselves, a
    /// member for an organization whose roles allow `apiKey:create` (the
    /// key then signs in as that member, with the organization attached),
    /// an administrator for anyone, server code for anyone. An
    /// organization's key made by server code ([`KeyActor::System`]) has
    /// no member to sign in as: like a service key, only
    /// [`verify`](Self::verify) answers it.
    ///
    /// # Errors
    /// As [`create`](Self::create); `403 FORBIDDEN` when `actor` may not;
    /// `404 USER_NOT_FOUND` for an unknown user; the organization's
    /// refusals (`404 ORGANIZATION_NOT_FOUND`, `403 FORBIDDEN`) and `400
    /// ORGANIZATION_KEYS_UNAVAILABLE` without the organization plugin.
    pub async fn create_for(
        &self,
        actor: KeyActor<'_, U>,
        owner: KeyOwner,
        new: NewApiKey,
    ) -> Result<CreatedApiKey, Error> {
        let plugin = self.plugin()?;
        check_name(&new.name)?;
        owner.check()?;
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
        self.authorize(actor, &owner, KeyAction::Create).await?;
        let now = self.auth.now();
        let adapter = self.auth.adapter();
        if let KeyOwner::User { user_id } = &owner
            && actor_id(actor) != Some(user_id.as_str())
            && adapter.get_user(user_id).await?.is_none()
        {
            return Err(user_not_found());
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
            owner,
            created_by: actor_id(actor).map(str::to_owned),
        };
        let mut record =
            PluginRecord::json(NAMESPACE, key::storage_key(&key), &StoredKey::of(&api_key))?;
        record.expires_at = expires_at;
        match (&api_key.owner, api_key.owner.index_key()) {
            (KeyOwner::User { user_id }, _) => {
                if self.user_keys(user_id).await?.len() >= plugin.max_keys_per_user {
                    return Err(too_many_keys(plugin.max_keys_per_user));
                }
                record = record.owned_by(user_id.as_str());
                adapter.insert_record(&record, now).await?;
            }
            (_, None) => return Err(Error::InvalidBody("no such owner".into())),
            (_, Some(index_key)) => {
                // The index first: a crash between the writes leaves an
                // entry without a key (dropped when read), not a key no
                // list shows.
                let entry = Entry {
                    id: api_key.id.clone(),
                    record: record.key.clone(),
                };
                index::add(
                    adapter,
                    &index_key,
                    entry,
                    plugin.max_keys_per_user,
                    now,
                    |old| async move {
                        Ok(adapter
                            .find_record(NAMESPACE, &old.record, now)
                            .await?
                            .is_some())
                    },
                )
                .await?;
                if let Err(error) = adapter.insert_record(&record, now).await {
                    let _ = index::remove(adapter, &index_key, &[&api_key.id], now).await;
                    return Err(error.into());
                }
            }
        }
        Ok(CreatedApiKey { key, api_key })
    }

    /// The user's own keys, newest first.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list(&self, user_id: &str) -> Result<Vec<ApiKey>, Error> {
        self.list_for(KeyActor::System, &KeyOwner::user(user_id))
            .await
    }

    /// The keys of `owner`, newest first, as `actor` may see them (an
    /// organization's: `apiKey:read`).
    ///
    /// # Errors
    /// `403 FORBIDDEN` when `actor` may not; the organization's refusals;
    /// adapter failures.
    pub async fn list_for(
        &self,
        actor: KeyActor<'_, U>,
        owner: &KeyOwner,
    ) -> Result<Vec<ApiKey>, Error> {
        owner.check()?;
        self.authorize(actor, owner, KeyAction::Read).await?;
        let mut keys: Vec<ApiKey> = self
            .owned(owner)
            .await?
            .into_iter()
            .map(|(_, api_key)| api_key)
            .collect();
        keys.sort_by_key(|key| std::cmp::Reverse(key.created_at));
        Ok(keys)
    }

    /// Changes the user's own key `id`.
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
        self.update_for(KeyActor::System, &KeyOwner::user(user_id), id, change)
            .await
    }

    /// Changes the key `id` of `owner`, as `actor` may (an organization's:
    /// `apiKey:update`).
    ///
    /// # Errors
    /// As [`update`](Self::update); `403 FORBIDDEN` when `actor` may not;
    /// the organization's refusals.
    pub async fn update_for(
        &self,
        actor: KeyActor<'_, U>,
        owner: &KeyOwner,
        id: &str,
        change: ApiKeyChange,
    ) -> Result<ApiKey, Error> {
        if let Some(name) = &change.name {
            check_name(name)?;
        }
        owner.check()?;
        self.authorize(actor, owner, KeyAction::Update).await?;
        let now = self.auth.now();
        for _ in 0..5 {
            let (mut record, mut api_key) = self.find(owner, id).await?;
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
            record.set_data(&StoredKey::of(&api_key))?;
            if self.auth.adapter().update_record(&record, now).await? {
                return Ok(api_key);
            }
        }
        Err(Error::Adapter(AdapterError::Conflict))
    }

    /// Deletes the user's own key `id`: it is refused from the next
    /// request on.
    ///
    /// # Errors
    /// `API_KEY_NOT_FOUND` (404); adapter failures.
    pub async fn delete(&self, user_id: &str, id: &str) -> Result<(), Error> {
        self.delete_for(KeyActor::System, &KeyOwner::user(user_id), id)
            .await
    }

    /// Deletes the key `id` of `owner`, as `actor` may (an organization's:
    /// `apiKey:delete`).
    ///
    /// # Errors
    /// As [`delete`](Self::delete); `403 FORBIDDEN` when `actor` may not;
    /// the organization's refusals.
    pub async fn delete_for(
        &self,
        actor: KeyActor<'_, U>,
        owner: &KeyOwner,
        id: &str,
    ) -> Result<(), Error> {
        owner.check()?;
        self.authorize(actor, owner, KeyAction::Delete).await?;
        let (record, _) = self.find(owner, id).await?;
        let now = self.auth.now();
        self.auth
            .adapter()
            .delete_record(NAMESPACE, &record.key, now)
            .await?;
        if let Some(index_key) = owner.index_key() {
            index::remove(self.auth.adapter(), &index_key, &[id], now).await?;
        }
        Ok(())
    }

    /// The session a presented key stands for: `None` for an unknown,
    /// disabled, expired or deleted key, one whose user is gone or refused
    /// by a session guard, an organization key whose creator is no longer
    /// a member, and a service key (no user: see [`verify`](Self::verify)).
    /// Counts the request against the key's own limit.
    ///
    /// The session says `kind: "api-key"`, the key's `permissions` and
    /// `ownerType`; an organization's key adds `organizationId` and makes
    /// it the `activeOrganizationId`.
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the key's limit; adapter failures.
    pub async fn resolve(&self, presented: &str) -> Result<Option<Session<U>>, Error> {
        let Some(identity) = self.verify_key(presented).await? else {
            return Ok(None);
        };
        let Some(user) = identity.user else {
            return Ok(None);
        };
        let api_key = identity.api_key;
        let mut attributes = SessionAttributes::default();
        attributes.insert("ownerType", api_key.owner.kind().into());
        if let KeyOwner::Organization { organization_id } = &api_key.owner {
            attributes.insert("organizationId", organization_id.as_str().into());
            attributes.insert("activeOrganizationId", organization_id.as_str().into());
        }
        let session = SessionRecord::new(
            api_key.id.clone(),
            TokenHash::of(presented),
            user.id().to_owned(),
            api_key.created_at,
            self.auth.now(),
            api_key.expires_at.unwrap_or(NEVER),
            None,
            None,
        )
        .with_attributes(attributes);
        let credential =
            Credential::new("api-key", api_key.id).with_permissions(api_key.permissions);
        Ok(Some(Session::from_credential(
            user, session, credential, presented,
        )))
    }

    /// What the key in `headers` (the plugin's header, `x-api-key` by
    /// default) stands for, service keys included: the one path keys take,
    /// so the request is counted against the key's limit once, as
    /// `get_session` would count it. For a route that takes service keys,
    /// call this *instead of* `get_session`, not after it.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_api_key::{ApiKeysExt, KeyOwner};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, request: http::Request<()>) -> Result<(), nanoauth::Error> {
    /// match auth.api_keys().verify(request.headers()).await? {
    ///     Some(identity) if matches!(identity.owner(), KeyOwner::Service { .. }) => { /* a service */ }
    ///     Some(identity) => { /* a user's or an organization's key: identity.user */ }
    ///     None => { /* no valid key */ }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the key's limit; adapter failures.
    pub async fn verify(&self, headers: &http::HeaderMap) -> Result<Option<KeyIdentity<U>>, Error> {
        let header = self.plugin()?.header;
        match headers.get(header).and_then(|value| value.to_str().ok()) {
            Some(presented) => self.verify_key(presented.trim()).await,
            None => Ok(None),
        }
    }

    /// What the key `presented` stands for: see [`verify`](Self::verify).
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the key's limit; adapter failures.
    pub async fn verify_key(&self, presented: &str) -> Result<Option<KeyIdentity<U>>, Error> {
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
        let mut api_key = StoredKey::decode(&record)?;
        if !api_key.enabled {
            return Ok(None);
        }
        let user_id = match &api_key.owner {
            KeyOwner::User { user_id } => Some(user_id.clone()),
            KeyOwner::Organization { .. } => api_key.created_by.clone(),
            KeyOwner::Service { .. } => None,
        };
        let user = match user_id {
            Some(user_id) => match self.acting_user(&api_key, &user_id).await? {
                Some(user) => Some(user),
                None => return Ok(None),
            },
            None => None,
        };
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
            record.set_data(&StoredKey::of(&api_key))?;
            // Another request may have written it this very moment: either
            // write says the same.
            let _ = adapter.update_record(&record, now).await?;
        }
        Ok(Some(KeyIdentity { api_key, user }))
    }

    /// The user a key acts as, while they could sign in and, for an
    /// organization's key, are still a member.
    async fn acting_user(&self, api_key: &ApiKey, user_id: &str) -> Result<Option<U>, Error> {
        let Some(user) = self.auth.adapter().get_user(user_id).await? else {
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
        if let KeyOwner::Organization { organization_id } = &api_key.owner {
            match authority::organization_allows(self.auth, organization_id, user_id, None).await {
                Ok(true) => {}
                Err(Error::Adapter(error)) => return Err(Error::Adapter(error)),
                // No longer a member, the organization gone, or no
                // organization plugin: the key is refused.
                Ok(false) | Err(_) => return Ok(None),
            }
        }
        Ok(Some(user))
    }

    /// Whether `actor` may do `action` with the keys of `owner`.
    async fn authorize(
        &self,
        actor: KeyActor<'_, U>,
        owner: &KeyOwner,
        action: KeyAction,
    ) -> Result<(), Error> {
        let KeyActor::User(user) = actor else {
            return Ok(());
        };
        let admin = self.plugin()?.is_admin(user);
        match owner {
            KeyOwner::User { user_id } if user_id == user.id() => Ok(()),
            KeyOwner::Organization { organization_id } => {
                let allowed = match authority::organization_allows(
                    self.auth,
                    organization_id,
                    user.id(),
                    Some(action),
                )
                .await
                {
                    Ok(allowed) => allowed,
                    // Not a member: an administrator may still.
                    Err(error) if error.code() == "FORBIDDEN" => false,
                    Err(error) => return Err(error),
                };
                if allowed || admin {
                    Ok(())
                } else {
                    Err(authority::forbidden())
                }
            }
            _ if admin => Ok(()),
            _ => Err(authority::forbidden()),
        }
    }

    /// The user's own keys (records they own hold only their keys; an
    /// organization's key is owned by no user).
    async fn user_keys(&self, user_id: &str) -> Result<Vec<(PluginRecord, ApiKey)>, Error> {
        let records = self
            .auth
            .adapter()
            .list_user_records(NAMESPACE, user_id, self.auth.now())
            .await?;
        let mut keys = Vec::with_capacity(records.len());
        for record in records {
            let api_key = StoredKey::decode(&record)?;
            keys.push((record, api_key));
        }
        Ok(keys)
    }

    /// Every key of `owner`, with its record.
    async fn owned(&self, owner: &KeyOwner) -> Result<Vec<(PluginRecord, ApiKey)>, Error> {
        let index_key = match (owner, owner.index_key()) {
            (KeyOwner::User { user_id }, _) => return self.user_keys(user_id).await,
            (_, Some(index_key)) => index_key,
            (_, None) => return Ok(Vec::new()),
        };
        let now = self.auth.now();
        let adapter = self.auth.adapter();
        let mut keys = Vec::new();
        let mut gone = Vec::new();
        for entry in index::entries(adapter, &index_key, now).await? {
            match adapter.find_record(NAMESPACE, &entry.record, now).await? {
                Some(record) => {
                    let api_key = StoredKey::decode(&record)?;
                    if api_key.owner == *owner {
                        keys.push((record, api_key));
                    }
                }
                None => gone.push(entry.id),
            }
        }
        if !gone.is_empty() {
            // Expired or half-written keys leave the index; a lost race
            // here only leaves them for the next read.
            let gone: Vec<&str> = gone.iter().map(String::as_str).collect();
            let _ = index::remove(adapter, &index_key, &gone, now).await;
        }
        Ok(keys)
    }

    async fn find(&self, owner: &KeyOwner, id: &str) -> Result<(PluginRecord, ApiKey), Error> {
        self.owned(owner)
            .await?
            .into_iter()
            .find(|(_, api_key)| api_key.id == id)
            .ok_or_else(key_not_found)
    }
}

/// The user behind `actor`, if a user acts.
fn actor_id<'u, U: AuthUser>(actor: KeyActor<'u, U>) -> Option<&'u str> {
    match actor {
        KeyActor::User(user) => Some(user.id()),
        KeyActor::System => None,
    }
}

/// `404 USER_NOT_FOUND`: a key for a user who does not exist.
pub(crate) fn user_not_found() -> Error {
    Error::plugin(
        http::StatusCode::NOT_FOUND,
        "USER_NOT_FOUND",
        "No such user.",
    )
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

/// `400 TOO_MANY_API_KEYS`: the owner has `max` keys already.
pub(crate) fn too_many_keys(max: usize) -> Error {
    Error::plugin(
        http::StatusCode::BAD_REQUEST,
        "TOO_MANY_API_KEYS",
        format!("At most {max} API keys per owner."),
    )
}
