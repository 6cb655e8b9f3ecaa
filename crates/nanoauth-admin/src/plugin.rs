//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::{
    Auth, CreateUserAdapter, DeleteUserAdapter, Endpoint, EndpointRequest, Event, GuardVerdict,
    ListUsersAdapter, Matcher, PasswordAdapter, Plugin, PluginEndpoints, PluginEvent,
    RecordAdapter, Reply, RequestHook, SessionGuard, SignInAttempt, UpdateUserAdapter,
};

use crate::endpoints;
use crate::events;
use crate::impersonation;
use crate::refusal;
use crate::store;
use crate::user::AdminUser;

/// The longest impersonation: an hour.
pub const MAX_IMPERSONATION_SECS: u64 = 3600;

/// What the plugin needs of storage: users listed, created, updated and
/// removed, passwords set, and plugin records for bans. Every adapter
/// NanoAuth ships has all of it.
pub trait AdminStore<U: AdminUser>:
    RecordAdapter<U>
    + ListUsersAdapter<U>
    + CreateUserAdapter<U>
    + PasswordAdapter<U>
    + UpdateUserAdapter<U>
    + DeleteUserAdapter<U>
{
}

impl<U, A> AdminStore<U> for A
where
    U: AdminUser,
    A: RecordAdapter<U>
        + ListUsersAdapter<U>
        + CreateUserAdapter<U>
        + PasswordAdapter<U>
        + UpdateUserAdapter<U>
        + DeleteUserAdapter<U>,
{
}

/// Administration: users whose roles include an administrator role (or
/// whose ids are listed) list, search and manage every user, ban them,
/// and sign in as them for a while to see what they see.
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | GET | `/admin/users?query=&role=&limit=&cursor=` | | `{users, nextCursor}` |
/// | GET | `/admin/get-user?userId=` | | `{user}` |
/// | POST | `/admin/create-user` | `{email, password?, name?, role?, data?}` | `{user}` |
/// | POST | `/admin/set-role` | `{userId, role}` (a role or a list) | `{user}` |
/// | POST | `/admin/set-user-password` | `{userId, newPassword}` | `{success, revoked}` |
/// | POST | `/admin/ban-user` | `{userId, reason?, expiresIn?}` | `{user}` |
/// | POST | `/admin/unban-user` | `{userId}` | `{user}` |
/// | POST | `/admin/remove-user` | `{userId}` | `{success: true}` |
/// | POST | `/admin/list-user-sessions` | `{userId}` | `{sessions}` |
/// | POST | `/admin/revoke-user-session` | `{userId, sessionId}` | `{success: true}` |
/// | POST | `/admin/revoke-user-sessions` | `{userId}` | `{success, revoked}` |
/// | POST | `/admin/impersonate-user` | `{userId}` | `{user, token}` + session cookie |
/// | POST | `/admin/stop-impersonating` | | `{user, session}` + the administrator's session cookie |
///
/// A user in the answers is the application's user JSON with `roles`,
/// `banned`, `banReason` and `banExpiresAt` added (where the user type has
/// no field of that name). `nextCursor` is `null` on the last page.
/// Everyone but an administrator is answered `403 FORBIDDEN` (`401`
/// without a session); an unknown user is `404 USER_NOT_FOUND`.
///
/// ```
/// use nanoauth::{Auth, adapter::memory::MemoryAdapter};
/// use nanoauth_admin::Admin;
/// # use nanoauth::{AuthUser, NewUser, NoFields};
/// # #[derive(Clone, serde::Serialize, serde::Deserialize)]
/// # struct MyUser { id: String, email: String, role: String }
/// # impl AuthUser for MyUser {
/// #     type SignUp = NoFields; type Update = NoFields;
/// #     fn id(&self) -> &str { &self.id }
/// #     fn email(&self) -> &str { &self.email }
/// #     fn from_sign_up(new: NewUser<NoFields>) -> Self { MyUser { id: new.id, email: new.email.into(), role: "user".into() } }
/// #     fn apply_update(&mut self, _: NoFields) {}
/// # }
/// # impl nanoauth_admin::AdminUser for MyUser {
/// #     fn roles(&self) -> Vec<String> { vec![self.role.clone()] }
/// #     fn set_roles(&mut self, roles: &[String]) { self.role = roles.join(","); }
/// # }
///
/// let auth = Auth::builder(MemoryAdapter::<MyUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(Admin::new().roles(["user", "support", "admin"]).admin_user_id("u-root"))
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Security
/// - A ban is checked by a session guard at every sign-in, whatever the
///   method (`403 BANNED` with the reason), and revokes the user's
///   sessions at once, cache included. API keys go through the same
///   guards (see the api-key plugin), so a banned user's keys stop too.
/// - Setting a password, and taking a role away, revoke the user's
///   sessions in the same step.
/// - Administrators cannot ban, remove or change the roles of their own
///   account, and cannot impersonate another administrator unless
///   [`impersonate_admins`](Self::impersonate_admins) allows it.
/// - An impersonation session lasts at most an hour, is never renewed,
///   carries `impersonatedBy` (shown in the user's session list), cannot
///   use the admin endpoints, and is revoked when stopped; the
///   administrator's own session waits in an HttpOnly cookie and comes
///   back with its own expiry.
#[derive(Debug, Clone)]
pub struct Admin {
    pub(crate) admin_roles: Vec<String>,
    pub(crate) admin_user_ids: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) default_role: String,
    pub(crate) impersonation_secs: u64,
    pub(crate) impersonate_admins: bool,
    pub(crate) min_password_len: usize,
    pub(crate) max_password_len: usize,
}

impl Default for Admin {
    fn default() -> Self {
        Self::new()
    }
}

impl Admin {
    /// Administrators are users with the role `admin`; the roles are
    /// `user` and `admin`, new users get `user`; impersonation lasts an
    /// hour.
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new();
    /// ```
    pub fn new() -> Self {
        Self {
            admin_roles: vec!["admin".into()],
            admin_user_ids: Vec::new(),
            roles: vec!["user".into(), "admin".into()],
            default_role: "user".into(),
            impersonation_secs: MAX_IMPERSONATION_SECS,
            impersonate_admins: false,
            min_password_len: 8,
            max_password_len: 128,
        }
    }

    /// The roles that make a user an administrator (default `["admin"]`);
    /// each is added to [`roles`](Self::roles) too.
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().admin_roles(["admin", "superadmin"]);
    /// ```
    pub fn admin_roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.admin_roles = roles.into_iter().map(Into::into).collect();
        for role in self.admin_roles.clone() {
            if !self.roles.contains(&role) {
                self.roles.push(role);
            }
        }
        self
    }

    /// A user who is an administrator whatever their roles (the first
    /// administrator of a new installation, say).
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().admin_user_id("u-1");
    /// ```
    pub fn admin_user_id(mut self, id: impl Into<String>) -> Self {
        self.admin_user_ids.push(id.into());
        self
    }

    /// Every role a user may be given (default `["user", "admin"]`):
    /// `set-role` refuses others (`400 INVALID_ROLE`). The administrator
    /// roles are kept in the list.
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().roles(["user", "support", "admin"]);
    /// ```
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles = roles.into_iter().map(Into::into).collect();
        for role in &self.admin_roles {
            if !self.roles.contains(role) {
                self.roles.push(role.clone());
            }
        }
        self
    }

    /// The role of users created by `POST /admin/create-user` without one
    /// (default `user`).
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().default_role("user");
    /// ```
    pub fn default_role(mut self, role: impl Into<String>) -> Self {
        self.default_role = role.into();
        self
    }

    /// How long an impersonation lasts, at most an hour (the default).
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().impersonation_lifetime(900);
    /// ```
    pub fn impersonation_lifetime(mut self, seconds: u64) -> Self {
        self.impersonation_secs = seconds.clamp(60, MAX_IMPERSONATION_SECS);
        self
    }

    /// Whether administrators may impersonate other administrators
    /// (default: no, better-auth #6448).
    ///
    /// ```
    /// let admin = nanoauth_admin::Admin::new().impersonate_admins(true);
    /// ```
    pub fn impersonate_admins(mut self, allowed: bool) -> Self {
        self.impersonate_admins = allowed;
        self
    }

    /// Whether `user` is an administrator.
    pub fn is_admin<U: AdminUser>(&self, user: &U) -> bool {
        self.admin_user_ids.iter().any(|id| id == user.id())
            || user
                .roles()
                .iter()
                .any(|role| self.admin_roles.contains(role))
    }

    /// The roles `requested` names, checked against the known roles.
    pub(crate) fn checked_roles(
        &self,
        requested: &[String],
    ) -> Result<Vec<String>, nanoauth::Error> {
        let mut roles: Vec<String> = Vec::new();
        for role in requested {
            let role = role.trim();
            if !self.roles.iter().any(|known| known == role) {
                return Err(refusal::invalid_role());
            }
            if !roles.iter().any(|seen| seen == role) {
                roles.push(role.to_owned());
            }
        }
        if roles.is_empty() {
            return Err(refusal::invalid_role());
        }
        Ok(roles)
    }
}

impl<U: AdminUser, A: AdminStore<U>> Plugin<U, A> for Admin {
    fn name(&self) -> &'static str {
        "admin"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        // Generous for a person at a console; tight enough that a stolen
        // administrator session cannot page through every user quickly.
        let listing = Limit::new(120, 60);
        let routes = vec![
            on.get("/admin/users", endpoints::list_users)
                .safe()
                .rate_limited(listing),
            on.get("/admin/get-user", endpoints::get_user).safe(),
            on.post("/admin/create-user", endpoints::create_user)
                .rate_limited(Limit::new(30, 60)),
            on.post("/admin/set-role", endpoints::set_role),
            on.post("/admin/set-user-password", endpoints::set_password)
                .rate_limited(Limit::new(30, 60)),
            on.post("/admin/ban-user", endpoints::ban_user),
            on.post("/admin/unban-user", endpoints::unban_user),
            on.post("/admin/remove-user", endpoints::remove_user),
            on.post("/admin/list-user-sessions", endpoints::list_user_sessions),
            on.post("/admin/revoke-user-session", endpoints::revoke_user_session),
            on.post(
                "/admin/revoke-user-sessions",
                endpoints::revoke_user_sessions,
            ),
            on.post("/admin/impersonate-user", impersonation::impersonate)
                .rate_limited(Limit::new(10, 60)),
            on.post(
                "/admin/stop-impersonating",
                impersonation::stop_impersonating,
            ),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }

    fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
        // What an administrator does as a user is recorded with the
        // administrator's id: every change (POST) made in an impersonation
        // session. Only a browser that keeps the administrator's own
        // session aside is looked at, so other requests cost nothing.
        vec![RequestHook::after(
            Matcher::any().method(http::Method::POST),
            |request: Arc<EndpointRequest<U, A>>, reply: Result<Reply, nanoauth::Error>| async move {
                if request
                    .cookie(impersonation::ADMIN_SESSION_COOKIE)
                    .is_some()
                    && request.route() != "/admin/stop-impersonating"
                    && let Ok(Some(session)) = request.session().await
                    && let Some(admin_id) = impersonation::impersonator(&session)
                {
                    request
                        .auth()
                        .emit(Event::Plugin(PluginEvent::new(
                            events::IMPERSONATED_REQUEST,
                            session.user.id(),
                            serde_json::json!({
                                "actorId": admin_id,
                                "method": "POST",
                                "path": request.route(),
                                "succeeded": reply.is_ok(),
                            }),
                        )))
                        .await;
                }
                reply
            },
        )]
    }

    fn session_guards(self: Arc<Self>) -> Vec<SessionGuard<U, A>> {
        // Every sign-in, by any plugin, passes here: a banned user gets no
        // session, whichever way they try.
        vec![SessionGuard::new(
            |attempt: SignInAttempt<U>, auth: Auth<U, A>| async move {
                let now = auth.now();
                match store::ban_of(auth.adapter(), attempt.user.id(), now).await? {
                    Some(ban) => Err(refusal::banned(&ban)),
                    None => Ok(GuardVerdict::Allow),
                }
            },
        )]
    }
}
