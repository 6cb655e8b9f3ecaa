//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::{
    AuthUser, Endpoint, Plugin, PluginEndpoints, Purge, Reauthentication, RecordAdapter, Session,
    SignInMethod,
};

use crate::api::{PasskeysApi, SIGN_IN_METHOD, USER_VERIFICATION};

use crate::endpoints;

/// Passkeys (WebAuthn): a signed-in user registers passkeys, names, lists,
/// renames and deletes them; anyone signs in with one **without typing an
/// address** (discoverable credentials, usable with the browser's autofill
/// too); a signed-in user confirms a sensitive action with one, without a
/// new session.
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | POST | `/passkey/register/options` | fresh session | `{publicKey}` (creation options) + ceremony cookie |
/// | POST | `/passkey/register/verify` | `{name?, credential}`, signed in | `{passkey: {id, name, createdAt}}` |
/// | POST | `/passkey/signin/options` | `{}` | `{publicKey}` (request options) + ceremony cookie |
/// | POST | `/signin/passkey` | `{credential}` | `{user, token}` + session cookie (or another plugin's challenge) |
/// | GET | `/passkeys` | signed in | `[{id, name, createdAt, lastUsedAt}]` |
/// | POST | `/passkey/rename` | `{id, name}`, signed in | `{success: true}` |
/// | POST | `/passkey/delete` | `{id}`, signed in | `{success: true}` |
/// | POST | `/passkey/verify/options` | signed in | `{publicKey}` (the user's passkeys) + ceremony cookie |
/// | POST | `/passkey/verify` | `{credential}`, signed in | `{verifiedAt, passkey: {id, name}}`: no new session |
///
/// Binary fields are base64url, as in WebAuthn Level 3's `toJSON()`
/// (`PublicKeyCredential.parseCreationOptionsFromJSON` reads the options).
/// Times are Unix seconds. An assertion that does not verify is
/// `401 INVALID_PASSKEY`, whatever the reason; a ceremony that expired or
/// was used is `401 INVALID_PASSKEY_CHALLENGE`.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_passkey::Passkeys;
///
/// // RP id `localhost`, origin http://localhost:3000: from the base URL.
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(Passkeys::new("ACME"))
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Multi-factor
/// webauthn-rs's passkey ceremonies require user verification (the
/// device's PIN, fingerprint or face), so a passkey sign-in is possession
/// *and* verification: by default it carries its own second factor
/// (`SignInMethod` `passkey+user-verification`), which the two-factor
/// plugin's guard lets through. With
/// [`counts_as_second_factor(false)`](Self::counts_as_second_factor) it
/// is a first factor like a password, and users with two-factor on are
/// asked for their code.
///
/// # Security
/// - Verification is webauthn-rs's (challenge, origin, RP id hash, user
///   presence and verification, signature over COSE keys); nothing of it
///   is written here.
/// - A ceremony's state is kept server-side, bound to the browser by a
///   5-minute cookie (its SHA-256 is the key), to its kind, and to the user
///   (and session) that started it; it is used once, atomically.
/// - A signature counter at or below the last one seen is refused and
///   emits [`events::COUNTER_REGRESSED`](crate::events::COUNTER_REGRESSED);
///   a counter of 0 (synced passkeys keep none) is accepted.
/// - Registering needs a fresh session (or a passkey re-authentication of
///   this session): a stolen old session cannot add the thief's passkey.
pub struct Passkeys {
    pub(crate) rp_name: String,
    pub(crate) rp_id: Option<String>,
    pub(crate) origins: Vec<String>,
    pub(crate) counts_as_second_factor: bool,
    pub(crate) max_per_user: usize,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkeys")
            .field("rp_name", &self.rp_name)
            .field("rp_id", &self.rp_id)
            .field("origins", &self.origins)
            .field("counts_as_second_factor", &self.counts_as_second_factor)
            .field("max_per_user", &self.max_per_user)
            .finish()
    }
}

impl Passkeys {
    /// Passkeys for an application called `rp_name` (some authenticators
    /// show it). The RP id is the base URL's host, the origin the base
    /// URL's, unless set below.
    ///
    /// ```
    /// use nanoauth_passkey::Passkeys;
    /// let passkeys = Passkeys::new("ACME");
    /// ```
    pub fn new(rp_name: impl Into<String>) -> Self {
        Self {
            rp_name: rp_name.into(),
            rp_id: None,
            origins: Vec::new(),
            counts_as_second_factor: true,
            max_per_user: 25,
        }
    }

    /// The RP id: the base URL's host (the default) or a parent domain of
    /// it, so that passkeys work on its subdomains too (`example.com` for
    /// `app.example.com` and `www.example.com`). It can never change once
    /// passkeys exist: they are bound to it.
    ///
    /// ```
    /// use nanoauth_passkey::Passkeys;
    /// let passkeys = Passkeys::new("ACME").rp_id("example.com");
    /// ```
    pub fn rp_id(mut self, rp_id: impl Into<String>) -> Self {
        self.rp_id = Some(rp_id.into());
        self
    }

    /// Another origin whose ceremonies count (`https://www.example.com`),
    /// within the RP id. The `Auth`'s trusted origins within the RP id
    /// count without this.
    ///
    /// ```
    /// use nanoauth_passkey::Passkeys;
    /// let passkeys = Passkeys::new("ACME")
    ///     .rp_id("example.com")
    ///     .origin("https://www.example.com");
    /// ```
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }

    /// Whether a passkey sign-in with user verification also counts as the
    /// second factor (default: yes). Off, users with two-factor on are
    /// challenged after a passkey like after a password.
    ///
    /// ```
    /// use nanoauth_passkey::Passkeys;
    /// let passkeys = Passkeys::new("ACME").counts_as_second_factor(false);
    /// ```
    pub fn counts_as_second_factor(mut self, counts: bool) -> Self {
        self.counts_as_second_factor = counts;
        self
    }

    /// At most this many passkeys per user (default 25): it bounds the
    /// lists sent in every registration and re-authentication.
    ///
    /// ```
    /// use nanoauth_passkey::Passkeys;
    /// let passkeys = Passkeys::new("ACME").max_passkeys_per_user(10);
    /// ```
    pub fn max_passkeys_per_user(mut self, count: usize) -> Self {
        self.max_per_user = count.max(1);
        self
    }
}

impl Passkeys {
    /// How a passkey signs someone in: `passkey`, carrying its own second
    /// factor when the authenticator verified the user and passkeys count
    /// as one.
    pub(crate) fn sign_in_method(&self, user_verified: bool) -> SignInMethod {
        let method = SignInMethod::new(SIGN_IN_METHOD);
        if self.counts_as_second_factor && user_verified {
            method.with_second_factor(USER_VERIFICATION)
        } else {
            method
        }
    }
}

impl<U: AuthUser, A: RecordAdapter<U>> Plugin<U, A> for Passkeys {
    fn name(&self) -> &'static str {
        "passkey"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        // Options write a record each: per client, what storage may cost.
        let options = Limit::new(30, 60);
        // Assertions: what guessing may cost (a signature cannot be guessed,
        // but each attempt is a verification).
        let assertions = Limit::new(10, 60);
        let routes = vec![
            on.post("/passkey/register/options", endpoints::register_options)
                .rate_limited(Limit::new(10, 60)),
            on.post("/passkey/register/verify", endpoints::register_verify)
                .rate_limited(Limit::new(10, 60)),
            on.post("/passkey/signin/options", endpoints::sign_in_options)
                .rate_limited(options),
            on.post("/signin/passkey", endpoints::sign_in)
                .rate_limited(assertions),
            on.get("/passkeys", endpoints::list).safe(),
            on.post("/passkey/rename", endpoints::rename),
            on.post("/passkey/delete", endpoints::delete),
            on.post("/passkey/verify/options", endpoints::reauth_options)
                .rate_limited(options),
            on.post("/passkey/verify", endpoints::reauthenticate)
                .rate_limited(assertions),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }

    fn reauthentications(self: Arc<Self>) -> Vec<Reauthentication<U, A>> {
        // A passkey assertion for this session counts as authenticating
        // again: the core's sensitive routes take the session as fresh.
        vec![Reauthentication::new(
            move |session: Session<U>, auth: nanoauth::Auth<U, A>| {
                let plugin = Arc::clone(&self);
                async move {
                    PasskeysApi::bound(&auth, plugin)
                        .reauthenticated_at(&session)
                        .await
                }
            },
        )]
    }

    fn purges(self: Arc<Self>) -> Vec<Purge<U, A>> {
        // Abandoned ceremonies and re-authentications of ended sessions; the
        // purge covers every plugin's expired records, harmless twice.
        vec![Purge::new(|auth: nanoauth::Auth<U, A>, now| async move {
            Ok(auth.adapter().purge_expired_records(now).await?)
        })]
    }
}
