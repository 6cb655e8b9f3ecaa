//! `auth.admin()`: administration from Rust, with the acting
//! administrator named on every change (the audit trail's actor).

use std::sync::Arc;

use nanoauth::adapter::{MAX_USER_PAGE, UserQuery};
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::random_id;
use nanoauth::{AdapterError, Auth, Email, Error, Event, NewUser, PluginEvent, SessionRecord};
use serde::Serialize;
use serde_json::{Value, json};

use crate::events;
use crate::plugin::{Admin, AdminStore};
use crate::refusal;
use crate::store::{self, Ban};
use crate::user::AdminUser;

/// How many users a role-filtered listing reads at most per request
/// before answering with what it found and a cursor to go on from.
const MAX_SCANNED: usize = 5000;

/// `auth.admin()`: the exports of [`Admin`].
pub trait AdminExt<U: AdminUser, A: AdminStore<U>> {
    /// The admin exports.
    ///
    /// ```
    /// # use nanoauth::{Auth, adapter::memory::MemoryAdapter};
    /// use nanoauth_admin::{AdminExt, AdminUser, BanRequest};
    /// # async fn example<U: AdminUser + serde::de::DeserializeOwned>(auth: Auth<U, MemoryAdapter<U>>) -> Result<(), nanoauth::Error> {
    /// auth.admin().ban("admin-id", "user-id", BanRequest::because("spam")).await?;
    /// # Ok(()) }
    /// ```
    fn admin(&self) -> AdminApi<'_, U, A>;
}

impl<U: AdminUser, A: AdminStore<U>> AdminExt<U, A> for Auth<U, A> {
    fn admin(&self) -> AdminApi<'_, U, A> {
        AdminApi {
            auth: self,
            plugin: self.plugin::<Admin>(),
        }
    }
}

/// The exports of [`Admin`], from [`AdminExt::admin`]. They trust their
/// caller: the endpoints check that the actor is an administrator, server
/// code is an administrator by construction. `actor` is the id recorded
/// in the events.
#[derive(Debug)]
pub struct AdminApi<'a, U: AdminUser, A: AdminStore<U>> {
    pub(crate) auth: &'a Auth<U, A>,
    plugin: Option<Arc<Admin>>,
}

/// A user as administrators see it: the user, their roles, their ban.
/// Serializes as the user's own JSON with `roles`, `banned`, `banReason`
/// and `banExpiresAt` added (fields the user type has keep their value).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UserView<U> {
    /// The user.
    pub user: U,
    /// Their roles.
    pub roles: Vec<String>,
    /// The ban in force, if any.
    pub ban: Option<Ban>,
}

impl<U: Serialize> Serialize for UserView<U> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.user).map_err(serde::ser::Error::custom)?;
        if let Value::Object(object) = &mut value {
            let extra = [
                ("roles", json!(self.roles)),
                ("banned", json!(self.ban.is_some())),
                (
                    "banReason",
                    json!(self.ban.as_ref().and_then(|ban| ban.reason.clone())),
                ),
                (
                    "banExpiresAt",
                    json!(self.ban.as_ref().and_then(|ban| ban.expires_at)),
                ),
            ];
            for (key, extra) in extra {
                object.entry(key).or_insert(extra);
            }
        }
        value.serialize(serializer)
    }
}

/// One page of users: `{users, nextCursor}`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserPage<U> {
    /// The users, ordered by email address.
    pub users: Vec<UserView<U>>,
    /// Where the next page starts, `None` after the last.
    pub next_cursor: Option<String>,
}

/// Which users to list.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct UserSearch {
    /// A prefix of the address or the name.
    pub query: Option<String>,
    /// Only users holding this role (among others).
    pub role: Option<String>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

impl UserSearch {
    /// Every user, first page.
    pub fn all() -> Self {
        Self::default()
    }

    /// Users whose address or name starts with `prefix`.
    #[must_use]
    pub fn query(mut self, prefix: impl Into<String>) -> Self {
        self.query = Some(prefix.into());
        self
    }

    /// Only users holding `role`.
    #[must_use]
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// At most `limit` users.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The page after `cursor`.
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }
}

/// A ban to set.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct BanRequest {
    /// Why (shown to the user at sign-in), at most 500 characters.
    pub reason: Option<String>,
    /// For how long, in seconds; `None`: until lifted.
    pub expires_in: Option<u64>,
}

impl BanRequest {
    /// A ban until lifted, for `reason`.
    pub fn because(reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
            expires_in: None,
        }
    }

    /// Lifting by itself after `seconds`.
    #[must_use]
    pub fn for_seconds(mut self, seconds: u64) -> Self {
        self.expires_in = Some(seconds);
        self
    }
}

/// A user to create.
#[derive(Debug)]
#[non_exhaustive]
pub struct NewAdminUser<F> {
    /// The address.
    pub email: Email,
    /// A password, or none (the user signs in another way, or resets it).
    pub password: Option<String>,
    /// Roles; the plugin's default role when empty.
    pub roles: Vec<String>,
    /// The application's sign-up fields.
    pub fields: F,
}

impl<F> NewAdminUser<F> {
    /// A user at `email` with `fields`, no password, the default role.
    pub fn new(email: Email, fields: F) -> Self {
        Self {
            email,
            password: None,
            roles: Vec::new(),
            fields,
        }
    }

    /// With a password.
    #[must_use]
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// With roles.
    #[must_use]
    pub fn roles(mut self, roles: Vec<String>) -> Self {
        self.roles = roles;
        self
    }
}

impl<'a, U: AdminUser, A: AdminStore<U>> AdminApi<'a, U, A> {
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<Admin>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    pub(crate) fn options(&self) -> Result<&Admin, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("admin"))
    }

    /// Whether `user` is an administrator.
    ///
    /// # Errors
    /// `PLUGIN_NOT_ENABLED` without the plugin.
    pub fn is_admin(&self, user: &U) -> Result<bool, Error> {
        Ok(self.options()?.is_admin(user))
    }

    async fn emit(&self, name: &'static str, user_id: &str, data: Value) {
        self.auth
            .emit(Event::Plugin(PluginEvent::new(name, user_id, data)))
            .await;
    }

    /// The user `user_id`, or `404 USER_NOT_FOUND`.
    pub(crate) async fn existing(&self, user_id: &str) -> Result<U, Error> {
        self.auth
            .adapter()
            .get_user(user_id)
            .await?
            .ok_or_else(refusal::user_not_found)
    }

    /// `user` with their roles and ban.
    pub(crate) async fn view(&self, user: U) -> Result<UserView<U>, Error> {
        let ban = store::ban_of(self.auth.adapter(), user.id(), self.auth.now()).await?;
        Ok(UserView {
            roles: user.roles(),
            user,
            ban,
        })
    }

    /// The user `user_id` as administrators see them.
    ///
    /// # Errors
    /// `404 USER_NOT_FOUND`; adapter failures.
    pub async fn user(&self, user_id: &str) -> Result<UserView<U>, Error> {
        let user = self.existing(user_id).await?;
        self.view(user).await
    }

    /// A page of users, ordered by address: searched by a prefix of the
    /// address or the name, filtered by a role the user holds among others.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list_users(&self, search: UserSearch) -> Result<UserPage<U>, Error> {
        let limit = search.limit.unwrap_or(50).clamp(1, 200);
        let mut query = UserQuery::new(limit);
        if let Some(prefix) = &search.query {
            query = query.search(prefix);
        }
        if let Some(cursor) = search.cursor.filter(|c| !c.is_empty()) {
            query = query.after(cursor);
        }
        // Without a role filter one read of `limit + 1` is the page (the
        // extra user says whether another follows); with one, pages are
        // read until enough users hold the role, the users run out, or the
        // scan bound is reached (the cursor then goes on from there).
        let read_size = if search.role.is_some() {
            MAX_USER_PAGE
        } else {
            limit + 1
        };
        let keeps = |user: &U| {
            search
                .role
                .as_ref()
                .is_none_or(|role| user.roles().iter().any(|held| held == role))
        };
        let mut users = Vec::new();
        let mut scanned = 0usize;
        let next_cursor = 'pages: loop {
            query.limit = read_size;
            let batch = self.auth.adapter().search_users(&query).await?;
            let count = batch.len();
            let exhausted = count < read_size as usize;
            let mut last_seen = None;
            for (index, user) in batch.into_iter().enumerate() {
                scanned += 1;
                last_seen = Some(user.email().to_owned());
                if keeps(&user) {
                    users.push(user);
                    if users.len() == limit as usize {
                        let more = index + 1 < count || !exhausted;
                        break 'pages last_seen.filter(|_| more);
                    }
                }
            }
            match last_seen {
                Some(last) if !exhausted => {
                    if scanned >= MAX_SCANNED {
                        break Some(last);
                    }
                    query = query.after(last);
                }
                _ => break None,
            }
        };
        let mut views = Vec::with_capacity(users.len());
        for user in users {
            views.push(self.view(user).await?);
        }
        Ok(UserPage {
            users: views,
            next_cursor,
        })
    }

    /// Creates a user, with a password or without one (they then sign in
    /// by link, provider, or a password reset), with `roles` or the
    /// default role. Emits [`events::USER_CREATED`].
    ///
    /// # Errors
    /// `409 USER_ALREADY_EXISTS`; `400 INVALID_ROLE`, `400
    /// PASSWORD_TOO_SHORT` / `PASSWORD_TOO_LONG`; adapter failures.
    pub async fn create_user(
        &self,
        actor: &str,
        new: NewAdminUser<U::SignUp>,
    ) -> Result<UserView<U>, Error> {
        let options = self.options()?;
        let roles = if new.roles.is_empty() {
            vec![options.default_role.clone()]
        } else {
            options.checked_roles(&new.roles)?
        };
        let hash = match &new.password {
            Some(password) => Some(self.hash(password).await?),
            None => None,
        };
        let mut user = U::from_sign_up(NewUser::new(random_id()?, new.email, new.fields));
        user.set_roles(&roles);
        let adapter = self.auth.adapter();
        let created = match &hash {
            Some(hash) => adapter.create_user_with_password(&user, hash).await,
            None => adapter.create_user(&user).await,
        };
        match created {
            Ok(()) => {}
            Err(AdapterError::Conflict) => return Err(refusal::user_exists()),
            Err(error) => return Err(error.into()),
        }
        self.emit(
            events::USER_CREATED,
            user.id(),
            json!({ "actorId": actor, "withPassword": hash.is_some() }),
        )
        .await;
        self.view(user).await
    }

    /// Sets the roles of `user_id`. Taking a role away revokes the
    /// user's sessions in the same step, so a demoted administrator keeps
    /// no administrator session. Emits [`events::ROLE_SET`].
    ///
    /// # Errors
    /// `403 CANNOT_ACT_ON_SELF` for the actor's own roles; `400
    /// INVALID_ROLE`; `404 USER_NOT_FOUND`; adapter failures.
    pub async fn set_roles(
        &self,
        actor: &str,
        user_id: &str,
        roles: &[String],
    ) -> Result<UserView<U>, Error> {
        if actor == user_id {
            return Err(refusal::not_on_yourself());
        }
        let roles = self.options()?.checked_roles(roles)?;
        let mut user = self.existing(user_id).await?;
        let previous = user.roles();
        user.set_roles(&roles);
        if !self.auth.adapter().update_user(&user).await? {
            return Err(refusal::user_not_found());
        }
        let demoted = previous.iter().any(|role| !roles.contains(role));
        let revoked = if demoted {
            self.auth.revoke_user_sessions(user_id, None).await?
        } else {
            0
        };
        self.emit(
            events::ROLE_SET,
            user_id,
            json!({ "actorId": actor, "roles": roles, "previous": previous, "revoked": revoked }),
        )
        .await;
        self.view(user).await
    }

    /// Sets the password of `user_id` and revokes their sessions in the
    /// same step; answers how many ended. Emits [`events::PASSWORD_SET`].
    ///
    /// # Errors
    /// `400 PASSWORD_TOO_SHORT` / `PASSWORD_TOO_LONG`; `404 USER_NOT_FOUND`;
    /// adapter failures.
    pub async fn set_password(
        &self,
        actor: &str,
        user_id: &str,
        password: &str,
    ) -> Result<u64, Error> {
        let hash = self.hash(password).await?;
        let user = self.existing(user_id).await?;
        self.auth
            .adapter()
            .set_password_hash(user.id(), &hash)
            .await?;
        let revoked = self.auth.revoke_user_sessions(user_id, None).await?;
        self.emit(
            events::PASSWORD_SET,
            user_id,
            json!({ "actorId": actor, "revoked": revoked }),
        )
        .await;
        Ok(revoked)
    }

    /// Bans `user_id` (replacing a ban in force) and revokes their
    /// sessions at once, session cache included. Emits
    /// [`events::USER_BANNED`].
    ///
    /// # Errors
    /// `403 CANNOT_ACT_ON_SELF`; `400 INVALID_INPUT` for a reason over 500
    /// characters or a zero duration; `404 USER_NOT_FOUND`; adapter
    /// failures.
    pub async fn ban(
        &self,
        actor: &str,
        user_id: &str,
        request: BanRequest,
    ) -> Result<UserView<U>, Error> {
        if actor == user_id {
            return Err(refusal::not_on_yourself());
        }
        let reason = request
            .reason
            .map(|reason| reason.trim().to_owned())
            .filter(|reason| !reason.is_empty());
        if reason.as_ref().is_some_and(|reason| {
            reason.chars().count() > 500 || reason.chars().any(char::is_control)
        }) {
            return Err(refusal::invalid_input(
                "A ban reason is at most 500 characters, without control characters.",
            ));
        }
        if request.expires_in == Some(0) {
            return Err(refusal::invalid_input(
                "expiresIn must be at least 1 second.",
            ));
        }
        let user = self.existing(user_id).await?;
        let now = self.auth.now();
        let ban = Ban {
            reason,
            banned_by: actor.to_owned(),
            banned_at: now,
            expires_at: request.expires_in.map(|secs| now.saturating_add(secs)),
        };
        store::put_ban(self.auth.adapter(), user_id, &ban, now).await?;
        // After the ban is stored: a sign-in racing this one either made
        // its session before (revoked here) or meets the ban in the guard.
        let revoked = self.auth.revoke_user_sessions(user_id, None).await?;
        self.emit(
            events::USER_BANNED,
            user_id,
            json!({
                "actorId": actor,
                "reason": ban.reason,
                "expiresAt": ban.expires_at,
                "revoked": revoked,
            }),
        )
        .await;
        Ok(UserView {
            roles: user.roles(),
            user,
            ban: Some(ban),
        })
    }

    /// Lifts the ban of `user_id`. Emits [`events::USER_UNBANNED`] when
    /// there was one.
    ///
    /// # Errors
    /// `404 USER_NOT_FOUND`; adapter failures.
    pub async fn unban(&self, actor: &str, user_id: &str) -> Result<UserView<U>, Error> {
        let user = self.existing(user_id).await?;
        if store::lift_ban(self.auth.adapter(), user_id, self.auth.now()).await? {
            self.emit(events::USER_UNBANNED, user_id, json!({ "actorId": actor }))
                .await;
        }
        self.view(user).await
    }

    /// Removes `user_id` with everything NanoAuth keeps of them (sessions,
    /// password, linked accounts, plugin records, their ban) in one step
    /// of the adapter. Emits [`Event::UserDeleted`] and
    /// [`events::USER_REMOVED`].
    ///
    /// # Errors
    /// `403 CANNOT_ACT_ON_SELF`; `404 USER_NOT_FOUND`; adapter failures.
    pub async fn remove_user(&self, actor: &str, user_id: &str) -> Result<(), Error> {
        if actor == user_id {
            return Err(refusal::not_on_yourself());
        }
        let user = self.existing(user_id).await?;
        if !self.auth.adapter().delete_user(user_id).await? {
            return Err(refusal::user_not_found());
        }
        // The adapter deleted the sessions; this drops them from the cache.
        self.auth.revoke_user_sessions(user_id, None).await?;
        self.auth.emit(Event::UserDeleted { user }).await;
        self.emit(events::USER_REMOVED, user_id, json!({ "actorId": actor }))
            .await;
        Ok(())
    }

    /// The live sessions of `user_id`, newest first (impersonations
    /// included, with their `impersonatedBy`).
    ///
    /// # Errors
    /// `404 USER_NOT_FOUND`; adapter failures.
    pub async fn sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, Error> {
        self.existing(user_id).await?;
        let now = self.auth.now();
        let mut sessions: Vec<SessionRecord> = self
            .auth
            .adapter()
            .list_sessions(user_id)
            .await?
            .into_iter()
            .filter(|session| session.expires_at > now)
            .collect();
        sessions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(sessions)
    }

    /// Revokes the session `session_id` of `user_id`. Emits
    /// [`events::SESSIONS_REVOKED`].
    ///
    /// # Errors
    /// `404 USER_NOT_FOUND`, `404 SESSION_NOT_FOUND`; adapter failures.
    pub async fn revoke_session(
        &self,
        actor: &str,
        user_id: &str,
        session_id: &str,
    ) -> Result<(), Error> {
        let sessions = self.sessions(user_id).await?;
        let session = sessions
            .iter()
            .find(|session| session.id == session_id)
            .ok_or_else(refusal::session_not_found)?;
        if !self.auth.revoke_session(&session.token_hash).await? {
            return Err(refusal::session_not_found());
        }
        self.emit(
            events::SESSIONS_REVOKED,
            user_id,
            json!({ "actorId": actor, "revoked": 1, "sessionId": session_id }),
        )
        .await;
        Ok(())
    }

    /// Revokes every session of `user_id`; answers how many ended. Emits
    /// [`events::SESSIONS_REVOKED`].
    ///
    /// # Errors
    /// `404 USER_NOT_FOUND`; adapter failures.
    pub async fn revoke_sessions(&self, actor: &str, user_id: &str) -> Result<u64, Error> {
        self.existing(user_id).await?;
        let revoked = self.auth.revoke_user_sessions(user_id, None).await?;
        self.emit(
            events::SESSIONS_REVOKED,
            user_id,
            json!({ "actorId": actor, "revoked": revoked }),
        )
        .await;
        Ok(revoked)
    }

    /// Hashes a new password. With the email/password plugin on, through
    /// it (its length rules, hasher and bounded hashing queue), so that an
    /// admin's passwords are hashed like everyone's; without it, with the
    /// core's default hasher, off the runtime.
    async fn hash(&self, password: &str) -> Result<String, Error> {
        match self.auth.email_password().hash_password(password).await {
            Err(Error::PluginNotEnabled(_)) => {}
            hashed => return hashed,
        }
        let options = self.options()?;
        let length = password.chars().count();
        if length < options.min_password_len {
            return Err(refusal::password_too_short());
        }
        if length > options.max_password_len {
            return Err(refusal::password_too_long());
        }
        let password = password.to_owned();
        nanoauth::run_blocking(self.auth.offload(), move || {
            PasswordHasher::owasp().hash(&password)
        })
        .await?
        .map_err(Error::internal)
    }
}
