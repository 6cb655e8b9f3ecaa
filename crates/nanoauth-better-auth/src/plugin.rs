//! The plugin: its configuration and what it adds to `Auth`.

use std::sync::Arc;

use http::Method;
use nanoauth::adapter::{EmailVerificationAdapter, PasswordAdapter};
use nanoauth::rate_limit::Limit;
use nanoauth::{AuthUser, Endpoint, Matcher, Plugin, PluginEndpoints, RequestHook};

use crate::endpoints;
use crate::shape;

/// Serves the routes better-auth's own client (`createAuthClient` from
/// `better-auth/client`) calls for email and password, with better-auth's
/// JSON shapes, under NanoAuth's base path (better-auth's default,
/// `/api/auth`, is NanoAuth's too), so a front-end keeps its client while
/// the server moves to NanoAuth:
///
/// | route | answer |
/// |---|---|
/// | `POST /sign-up/email` | `{token, user}` and the session cookie |
/// | `POST /sign-in/email` | `{redirect, token, url?, user}` and the session cookie |
/// | `GET /get-session` | `{session, user}` or `null` |
/// | `POST /sign-out` | `{success: true}`, cookie cleared |
/// | `GET /list-sessions` | `[session, ...]` |
/// | `POST /revoke-session` | `{status: true}` (body `{token}`: a session's `token` as listed) |
/// | `POST /revoke-sessions` | `{status: true}`, cookie cleared |
/// | `POST /revoke-other-sessions` | `{status: true}` |
///
/// better-auth's password-reset calls (`requestPasswordReset({email,
/// redirectTo})`, `resetPassword({newPassword, token})`) go to NanoAuth's
/// own `/request-password-reset` and `/reset-password` (the
/// `PasswordReset` plugin, when added), which take the same bodies and
/// whose link lands on `redirectTo?token=` as better-auth's does; this
/// plugin adds better-auth's `status: true` to their answers
/// (`{"success":true,"status":true}`). Their errors keep NanoAuth's shape,
/// and `redirectTo` is required.
///
/// Errors on these routes are better-auth's `{code, message}`
/// (`INVALID_EMAIL_OR_PASSWORD`, `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`,
/// ...), the core's own refusals (origin, rate limit, body) included.
///
/// Every request still goes through NanoAuth's pipeline: the origin check,
/// rate limits (these routes carry their own per-client limits, and
/// sign-in shares the native route's per-account lockout), the
/// email/password plugin's sign-up and sign-in (Argon2id, better-auth's
/// scrypt hashes when accepted), and [`Auth::create_session`] with every
/// session guard. It needs [`EmailPassword`]; NanoAuth's own routes
/// (`/signin/email`, `/session`, ...) keep their shapes beside these.
///
/// better-auth's cookie name is NanoAuth's `cookie_prefix` option:
/// `AuthBuilder::cookie_prefix("better-auth")` names the session cookie
/// `better-auth.session_token`.
///
/// ```
/// use nanoauth::plugins::email_password::EmailPassword;
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_better_auth::BetterAuthCompat;
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .cookie_prefix("better-auth")
///     .plugin(EmailPassword::new().accept_better_auth_hashes())
///     .plugin(BetterAuthCompat::new())
///     .build()?;
/// assert_eq!(auth.cookie_name(), "better-auth.session_token");
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// [`Auth::create_session`]: nanoauth::Auth::create_session
/// [`EmailPassword`]: nanoauth::plugins::email_password::EmailPassword
#[derive(Debug, Clone)]
pub struct BetterAuthCompat {
    pub(crate) sign_in_limit: Limit,
    pub(crate) sign_up_limit: Limit,
}

/// The plugin's name (`Plugin::name`).
pub const NAME: &str = "better-auth-compat";

impl BetterAuthCompat {
    /// The routes, with the native routes' default limits: 3 sign-ins and 3
    /// sign-ups per client per 10 seconds.
    pub fn new() -> Self {
        Self {
            sign_in_limit: Limit::new(3, 10),
            sign_up_limit: Limit::new(3, 10),
        }
    }

    /// The per-client limit of `POST /sign-in/email` (an application's own
    /// `RateLimit::ip_limit("/sign-in/email", ..)` wins over it).
    pub fn sign_in_limit(mut self, limit: Limit) -> Self {
        self.sign_in_limit = limit;
        self
    }

    /// The per-client limit of `POST /sign-up/email` (an application's own
    /// `RateLimit::ip_limit("/sign-up/email", ..)` wins over it).
    pub fn sign_up_limit(mut self, limit: Limit) -> Self {
        self.sign_up_limit = limit;
        self
    }
}

impl Default for BetterAuthCompat {
    fn default() -> Self {
        Self::new()
    }
}

impl<U, A> Plugin<U, A> for BetterAuthCompat
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    fn name(&self) -> &'static str {
        NAME
    }

    fn dependencies(&self) -> &'static [&'static str] {
        &["email-password"]
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        vec![
            on.post("/sign-up/email", endpoints::sign_up)
                .rate_limited(self.sign_up_limit),
            on.post("/sign-in/email", endpoints::sign_in)
                .rate_limited(self.sign_in_limit),
            on.get("/get-session", endpoints::get_session).safe(),
            on.post("/sign-out", endpoints::sign_out),
            on.get("/list-sessions", endpoints::list_sessions).safe(),
            on.post("/revoke-session", endpoints::revoke_session),
            on.post("/revoke-sessions", endpoints::revoke_sessions),
            on.post("/revoke-other-sessions", endpoints::revoke_other_sessions),
        ]
        .into_iter()
        .map(|endpoint| endpoint.error_body(shape::error))
        .collect()
    }

    fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
        ["/request-password-reset", "/reset-password"]
            .into_iter()
            .map(|path| {
                let matcher = Matcher::any()
                    .method(Method::POST)
                    .path(path)
                    .plugin("password-reset");
                RequestHook::after(matcher, |_request, outcome| async move {
                    shape::with_status(outcome?)
                })
            })
            .collect()
    }
}
