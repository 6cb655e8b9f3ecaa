//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::email::EmailSender;
use nanoauth::rate_limit::Limit;
use nanoauth::{
    Auth, AuthUser, Endpoint, Event, EventKind, Hook, Matcher, PasswordAdapter, Plugin,
    PluginEndpoints, Purge, RecordAdapter, RequestHook, SessionGuard, SignInAttempt,
};

use crate::codes::CodeHasher;
use crate::totp::Totp;
use crate::{endpoints, guard, store};
use nanoauth::utils::sealed::SealingKeys;

/// What an adapter needs for two-factor: plugin records for its state, and
/// passwords to ask for them again.
pub trait TwoFactorAdapter<U: AuthUser>: RecordAdapter<U> + PasswordAdapter<U> {}

impl<U: AuthUser, A: RecordAdapter<U> + PasswordAdapter<U>> TwoFactorAdapter<U> for A {}

/// The challenge cookie: which sign-in is waiting for its second factor.
pub(crate) const CHALLENGE_COOKIE: &str = "two_factor";
/// The trusted-device cookie.
pub(crate) const DEVICE_COOKIE: &str = "two_factor_device";
/// How long a sign-in waits for its second factor.
pub(crate) const CHALLENGE_TTL: u64 = 5 * 60;
/// How long an emailed code is valid.
pub(crate) const EMAIL_CODE_TTL: u64 = 5 * 60;
/// Codes emailed per challenge.
pub(crate) const MAX_EMAILS_PER_CHALLENGE: u32 = 3;
/// Key purposes (see `Auth::derive_keys`).
const SEALING_PURPOSE: &str = "nanoauth-two-factor totp seed v1";
const HASHING_PURPOSE: &str = "nanoauth-two-factor codes v1";

/// Two-factor authentication: TOTP (authenticator apps), backup codes,
/// optional emailed codes, and trusted devices.
///
/// Once a user confirmed an authenticator app, **every** sign-in of theirs
/// stops before a session exists, whichever plugin signed them in
/// (password, magic link, a social provider): the check is a session guard,
/// run where every session is created. The answer is
/// `{"twoFactorRequired": true}` with a five-minute challenge cookie; browser
/// flows (links, provider callbacks) are sent to the
/// [`challenge_page`](Self::challenge_page). A sign-in that already carries a
/// second factor (a passkey with user verification) is let through.
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | POST | `/two-factor/enable` | `{password?}`, signed in | `{totpURI, backupCodes}`: pending until a code is verified |
/// | POST | `/two-factor/verify-totp` | `{code, trustDevice?}` | signed in with a pending enrolment: `{enabled: true}`; with a challenge: `{user, token}` + session cookie |
/// | POST | `/two-factor/verify-backup-code` | `{code, trustDevice?}` | with a challenge: `{user, token}` |
/// | POST | `/two-factor/send-otp` | with a challenge | `{success: true}`, a code is emailed |
/// | POST | `/two-factor/verify-otp` | `{code, trustDevice?}` | with a challenge: `{user, token}` |
/// | POST | `/two-factor/disable` | `{password?, code?}`, signed in | `{enabled: false}` |
/// | POST | `/two-factor/backup-codes` | `{password?}`, signed in | `{backupCodes}`: a new set, the old one is void |
/// | GET | `/two-factor/status` | signed in | `{enabled, pending, backupCodesLeft, trustedDevices}` |
/// | POST | `/two-factor/trusted-devices/revoke` | `{id}`, signed in | `{success: true}` |
///
/// A wrong code is `401 INVALID_CODE`; a challenge that expired or failed
/// five times is `401 INVALID_CHALLENGE` (sign in again).
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth::plugins::email_password::EmailPassword;
/// use nanoauth_two_factor::TwoFactor;
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(EmailPassword::new())
///     .plugin(TwoFactor::new("ACME").challenge_page("/two-factor"))
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Security
/// - TOTP seeds are sealed with XChaCha20-Poly1305 under a key derived from
///   the auth secret (rotating with it) and bound to their user: a database
///   dump alone yields no working seed. Backup and emailed codes are stored
///   as keyed hashes.
/// - A TOTP code is accepted once (the last used step is stored), ±1 step
///   of clock drift.
/// - Five wrong codes end a challenge; ten failures in a row on an account,
///   whatever the challenge or kind of code, lock its second factor for 15
///   minutes (`429`), and each failure emits `two-factor.challenge-failed`.
/// - Enabling again keeps the confirmed secret in force until the new one
///   is confirmed.
/// - Trusted devices are server-side records: listed and revocable, ended
///   by disabling two-factor, changing or resetting the password, and
///   signing out everywhere else.
pub struct TwoFactor {
    pub(crate) issuer: String,
    pub(crate) challenge_page: Option<String>,
    pub(crate) trusted_device_secs: u64,
    pub(crate) email: Option<Arc<dyn EmailSender>>,
    pub(crate) totp: Totp,
    pub(crate) max_attempts: u32,
    pub(crate) max_failures: u32,
    pub(crate) lockout_secs: u64,
    pub(crate) backup_code_count: usize,
}

impl std::fmt::Debug for TwoFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactor")
            .field("issuer", &self.issuer)
            .field("challenge_page", &self.challenge_page)
            .field("trusted_device_secs", &self.trusted_device_secs)
            .field("email_otp", &self.email.is_some())
            .finish_non_exhaustive()
    }
}

impl TwoFactor {
    /// Two-factor for an application called `issuer`: the name
    /// authenticator apps show next to the account.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            challenge_page: None,
            trusted_device_secs: 30 * 24 * 60 * 60,
            email: None,
            totp: Totp::default(),
            max_attempts: 5,
            max_failures: 10,
            lockout_secs: 15 * 60,
            backup_code_count: 10,
        }
    }

    /// The application's page that asks for the code (a path or URL), where
    /// sign-ins by link or provider are sent with `?callbackURL=` (where to
    /// go once the code is accepted). Without it they go to their callback
    /// URL, without a session.
    pub fn challenge_page(mut self, page: impl Into<String>) -> Self {
        self.challenge_page = Some(page.into());
        self
    }

    /// How long a trusted device skips the challenge (default 30 days).
    pub fn trusted_device_days(mut self, days: u64) -> Self {
        self.trusted_device_secs = days.saturating_mul(24 * 60 * 60);
        self
    }

    /// Offers emailed one-time codes as a second factor (`/send-otp`,
    /// `/verify-otp`), sent through `sender`.
    pub fn email_otp(mut self, sender: impl EmailSender) -> Self {
        self.email = Some(Arc::new(sender));
        self
    }

    /// The user's state is locked for `seconds` after `failures` wrong
    /// codes in a row (default: 10, 15 minutes).
    pub fn account_lockout(mut self, failures: u32, seconds: u64) -> Self {
        self.max_failures = failures.max(1);
        self.lockout_secs = seconds;
        self
    }

    /// Whether emailed codes are offered ([`email_otp`](Self::email_otp)):
    /// a challenge page shows "email me a code" only then.
    pub fn offers_email_codes(&self) -> bool {
        self.email.is_some()
    }

    pub(crate) fn sealing_keys<U: AuthUser, A: TwoFactorAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
    ) -> Result<SealingKeys, nanoauth::Error> {
        auth.sealing_keys(SEALING_PURPOSE)
            .map_err(nanoauth::Error::internal)
    }

    /// One hasher per secret: the first hashes, all verify.
    pub(crate) fn hashers<U: AuthUser, A: TwoFactorAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
    ) -> Vec<CodeHasher> {
        auth.derive_keys(HASHING_PURPOSE)
            .into_iter()
            .map(CodeHasher::new)
            .collect()
    }
}

impl<U: AuthUser, A: TwoFactorAdapter<U>> Plugin<U, A> for TwoFactor {
    fn name(&self) -> &'static str {
        "two-factor"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        // Per client: what guessing a code may cost. The account's own
        // failure counter bounds guessing across clients.
        let codes = Limit::new(10, 60);
        let routes = vec![
            on.post("/two-factor/enable", endpoints::enable)
                .rate_limited(Limit::new(5, 60)),
            on.post("/two-factor/verify-totp", endpoints::verify_totp)
                .rate_limited(codes),
            on.post(
                "/two-factor/verify-backup-code",
                endpoints::verify_backup_code,
            )
            .rate_limited(codes),
            on.post("/two-factor/send-otp", endpoints::send_otp)
                .rate_limited(Limit::new(3, 60)),
            on.post("/two-factor/verify-otp", endpoints::verify_otp)
                .rate_limited(codes),
            on.post("/two-factor/disable", endpoints::disable)
                .rate_limited(Limit::new(5, 60)),
            on.post("/two-factor/backup-codes", endpoints::backup_codes)
                .rate_limited(Limit::new(5, 60)),
            on.get("/two-factor/status", endpoints::status),
            on.post(
                "/two-factor/trusted-devices/revoke",
                endpoints::revoke_device,
            ),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }

    fn session_guards(self: Arc<Self>) -> Vec<SessionGuard<U, A>> {
        vec![SessionGuard::new(
            move |attempt: SignInAttempt<U>, auth: Auth<U, A>| {
                guard::check(Arc::clone(&self), attempt, auth)
            },
        )]
    }

    fn hooks(self: Arc<Self>) -> Vec<Hook<U, A>> {
        // A changed password or "sign out everywhere" means someone may
        // have had the account: no browser keeps skipping the challenge.
        let forget = |kind| {
            Hook::new(kind, |event: Event<U>, auth: Auth<U, A>| async move {
                let user_id = match &event {
                    Event::PasswordChanged { user } | Event::PasswordReset { user } => {
                        user.id().to_owned()
                    }
                    Event::SessionsRevoked { user_id, .. } => user_id.clone(),
                    _ => return,
                };
                // A listener cannot fail the request; a store that fails
                // here leaves devices that expire on their own.
                let _ = auth
                    .adapter()
                    .delete_user_records(store::DEVICE, &user_id)
                    .await;
            })
        };
        vec![
            forget(EventKind::AfterPasswordChanged),
            forget(EventKind::AfterPasswordReset),
            forget(EventKind::AfterSessionsRevoked),
        ]
    }

    fn purges(self: Arc<Self>) -> Vec<Purge<U, A>> {
        // Abandoned challenges and expired devices; the purge covers every
        // plugin's expired records, which is harmless to run twice.
        vec![Purge::new(|auth: Auth<U, A>, now| async move {
            Ok(auth.adapter().purge_expired_records(now).await?)
        })]
    }

    fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
        // Signing out drops a pending challenge as well.
        vec![RequestHook::after(
            Matcher::any().path("/signout"),
            |_request, outcome| async move { Ok(outcome?.clearing_cookie(CHALLENGE_COOKIE)) },
        )]
    }
}
