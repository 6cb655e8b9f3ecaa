//! Sessions: what is stored, what is handed out, and their lifecycle.
//!
//! A session token is an HS256 JWT whose `sid` claim is a 256-bit random
//! secret. The adapter stores only `SHA-256(sid)`, so neither a database dump
//! nor the signing key alone is enough to forge a working session: the
//! signature proves we issued the token, the stored hash proves the session
//! still exists (revocation is deleting the row).

mod attributes;
pub(crate) mod cache;
pub(crate) mod credential;
mod endpoints;
pub(crate) mod keys;
pub(crate) mod plugin;
mod sign_in;
pub(crate) mod source;
pub(crate) mod sweeper;
mod tokens;

use std::borrow::Cow;
use std::net::SocketAddr;

use http::HeaderMap;
use http::request::Parts;
use serde::{Deserialize, Serialize};

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::pipeline::cookie;
use crate::plugin::events::Event;
use crate::session::cache::SessionCache;
use crate::user::AuthUser;
use crate::utils::jwt::{self, Validation};
use crate::utils::token::{self, TokenHash};

pub use attributes::{NewSession, SessionAttributes};
pub use credential::{Credential, CredentialResolver, Reauthentication};
pub use sign_in::{
    GuardVerdict, SessionGuard, SignInAttempt, SignInChallenge, SignInMethod, SignInOutcome,
};

/// A session as the adapter stores it. Serialized (for `GET /session` and
/// the session list) without its token hash; times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionRecord {
    /// Public identifier, safe to show and used to revoke this session.
    pub id: String,
    /// SHA-256 of the session secret: the storage key.
    #[serde(skip)]
    pub token_hash: TokenHash,
    /// The owner.
    pub user_id: String,
    /// When the session was created.
    pub created_at: u64,
    /// When the session was last created or refreshed.
    pub updated_at: u64,
    /// When the session stops being valid.
    pub expires_at: u64,
    /// The client's IP address at sign-in, when known.
    pub ip_address: Option<String>,
    /// The client's `User-Agent` at sign-in, when sent.
    pub user_agent: Option<String>,
    /// What plugins keep on the session (an active organization, the admin
    /// behind an impersonation), flattened into its JSON.
    #[serde(flatten)]
    pub attributes: SessionAttributes,
    /// Whether lookups slide its expiry forward (true for ordinary
    /// sessions; see [`NewSession::not_renewable`]).
    #[serde(skip)]
    pub renewable: bool,
}

impl SessionRecord {
    /// Rebuilds a record from storage.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        token_hash: TokenHash,
        user_id: String,
        created_at: u64,
        updated_at: u64,
        expires_at: u64,
        ip_address: Option<String>,
        user_agent: Option<String>,
    ) -> Self {
        Self {
            id,
            token_hash,
            user_id,
            created_at,
            updated_at,
            expires_at,
            ip_address,
            user_agent,
            attributes: SessionAttributes::default(),
            renewable: true,
        }
    }

    /// The same record with `attributes` (as stored).
    #[must_use]
    pub fn with_attributes(mut self, attributes: SessionAttributes) -> Self {
        self.attributes = attributes;
        self
    }

    /// The same record, renewable or not (as stored).
    #[must_use]
    pub fn with_renewable(mut self, renewable: bool) -> Self {
        self.renewable = renewable;
        self
    }
}

/// Which cached sessions [`Auth::forget_cached`] drops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CachedSessions<'a> {
    /// The session with this token hash.
    One(&'a TokenHash),
    /// Every session of this user.
    OfUser(&'a str),
    /// Everything (when revocations may have been missed).
    All,
}

/// A signed-in user and their session, as `get_session` returns it.
/// Serializes to the wire shape `{user, session}`, where `session` also
/// says its `kind`: `"session"`, or a credential's (`"api-key"`, with its
/// `permissions`).
#[derive(Clone, Debug)]
pub struct Session<U> {
    /// The application's own user value.
    pub user: U,
    /// The session.
    pub session: SessionRecord,
    /// The token the request presented (cookie or bearer).
    pub(crate) token: SessionToken,
    /// A new token when this lookup slid the session's expiry forward.
    pub(crate) refreshed_token: Option<SessionToken>,
    /// The credential it came from, when not a session token.
    pub(crate) credential: Option<Credential>,
}

impl<U: Serialize> Serialize for Session<U> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Described<'a> {
            #[serde(flatten)]
            record: &'a SessionRecord,
            kind: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            permissions: Option<&'a [String]>,
        }
        #[derive(Serialize)]
        struct Wire<'a, U> {
            user: &'a U,
            session: Described<'a>,
        }
        Wire {
            user: &self.user,
            session: Described {
                record: &self.session,
                kind: self.credential.as_ref().map_or("session", Credential::kind),
                permissions: self.credential.as_ref().map(Credential::permissions),
            },
        }
        .serialize(serializer)
    }
}

impl<U> Session<U> {
    /// The token the request presented (its cookie or bearer token): with
    /// the user, what the design's `getSession` gives, e.g. for a service
    /// that forwards it. Never part of the JSON.
    pub fn token(&self) -> &SessionToken {
        &self.token
    }

    /// When this lookup refreshed the session (sliding expiry), the new
    /// token: integrations that answer outside `Auth::handler` should send
    /// it back as the cookie from [`Auth::session_cookie`].
    pub fn refreshed_token(&self) -> Option<&SessionToken> {
        self.refreshed_token.as_ref()
    }
}

/// The result of a successful sign-in: the user, the stored session, and the
/// token to hand to the client. Only the core turns the token into a cookie.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedIn<U> {
    /// The signed-in user.
    pub user: U,
    /// The new session.
    pub session: SessionRecord,
    /// The bearer token / cookie value.
    pub token: SessionToken,
}

/// A session token. Its `Debug` is redacted and it has no `Display`, so it
/// cannot end up in a log by accident.
#[derive(Clone)]
pub struct SessionToken {
    text: String,
    /// When it stops being valid (Unix seconds).
    expires_at: u64,
    /// Its remaining lifetime when it was issued or presented: the cookie
    /// that carries it lives as long. Fixed then, rather than read off the
    /// clock when the cookie is written, so that a second ticking over in
    /// between does not shorten a new session's cookie.
    max_age: u64,
}

impl SessionToken {
    /// A token valid until `expires_at`, issued or presented at `now`.
    pub(crate) fn new(text: String, expires_at: u64, now: u64) -> Self {
        Self {
            text,
            expires_at,
            max_age: expires_at.saturating_sub(now),
        }
    }

    /// The token text.
    ///
    /// # Security
    /// Whoever holds this is signed in as the user until it expires or the
    /// session is revoked. Send it only to its owner, never log it.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// When it expires (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// Where a request came from: the address and `User-Agent` recorded on
/// the session it creates, and the request's cookies, which guards may read
/// (a trusted-device cookie, say) but which are never stored.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientInfo {
    /// The peer's IP address, when the integration put a [`ClientAddr`] in
    /// the request's extensions.
    pub ip_address: Option<String>,
    /// The `User-Agent` header, truncated to 512 bytes.
    pub user_agent: Option<String>,
    /// The request's `Cookie` headers, marked sensitive.
    cookies: HeaderMap,
}

impl std::fmt::Debug for ClientInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cookies hold session tokens: never in a log.
        f.debug_struct("ClientInfo")
            .field("ip_address", &self.ip_address)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// The connection's peer address. Integrations insert it into the request's
/// extensions; NanoAuth never trusts `X-Forwarded-For` on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

const MAX_USER_AGENT_LEN: usize = 512;

impl ClientInfo {
    /// Reads the peer address extension and the `User-Agent` header.
    pub fn from_parts(parts: &Parts) -> Self {
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| truncate(agent, MAX_USER_AGENT_LEN).to_owned());
        let mut cookies = HeaderMap::new();
        for value in parts.headers.get_all(http::header::COOKIE) {
            let mut value = value.clone();
            value.set_sensitive(true);
            cookies.append(http::header::COOKIE, value);
        }
        Self {
            ip_address: parts
                .extensions
                .get::<ClientAddr>()
                .map(|addr| addr.0.ip().to_string()),
            user_agent,
            cookies,
        }
    }

    /// The value of the request's cookie `name` (the full name, e.g. from
    /// [`Auth::plugin_cookie_name`]), when it was sent.
    ///
    /// ```
    /// use nanoauth::ClientInfo;
    /// let (parts, ()) = http::Request::get("/")
    ///     .header("cookie", "a=1; nanoauth.device=xyz")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// assert_eq!(ClientInfo::from_parts(&parts).cookie("nanoauth.device"), Some("xyz"));
    /// ```
    pub fn cookie(&self, name: &str) -> Option<&str> {
        cookie::read(&self.cookies, name)
    }
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The claims of a session token, borrowed from the decoded token (or,
/// when signing, from the record) rather than copied.
#[derive(Serialize, Deserialize)]
struct Claims<'a> {
    /// The session secret; its hash is the storage key.
    #[serde(borrow)]
    sid: Cow<'a, str>,
    /// The user id.
    #[serde(borrow)]
    sub: Cow<'a, str>,
    iat: u64,
    exp: u64,
}

impl Claims<'_> {
    fn into_owned(self) -> Claims<'static> {
        Claims {
            sid: Cow::Owned(self.sid.into_owned()),
            sub: Cow::Owned(self.sub.into_owned()),
            iat: self.iat,
            exp: self.exp,
        }
    }
}

/// What a session token comes to before the adapter is asked.
// Returned by value and taken apart at once: boxing the large variant would
// cost a cache hit an allocation.
#[allow(clippy::large_enum_variant)]
enum Checked<U> {
    /// Malformed, forged or expired.
    Refused,
    /// Answered from the session cache.
    Cached(Session<U>),
    /// Valid: the adapter says whether its session still exists.
    Verified(TokenHash, Claims<'static>),
}

/// Session lifetimes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SessionConfig {
    /// How long a session lives after it is created or refreshed.
    pub(crate) expires_in: u64,
    /// How old a session's last refresh must be before a lookup slides its
    /// expiry forward (and writes to the adapter).
    pub(crate) update_age: u64,
    /// How recently a session must have been signed in to count as fresh
    /// for sensitive changes (linking a provider account).
    pub(crate) fresh_age: u64,
}

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// Reads the session of `request`: the `Authorization: Bearer` token if
    /// present, otherwise the session cookie. Verifies the token, checks
    /// with the adapter that the session still exists and has not expired,
    /// and loads the user.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) -> Result<(), nanoauth::Error> {
    /// let request = http::Request::get("/dashboard")
    ///     .header("cookie", "nanoauth.session_token=not-a-token")
    ///     .body(())
    ///     .unwrap();
    /// assert!(auth.get_session(&request).await?.is_none());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Only adapter failures. A missing, malformed, forged, expired or revoked
    /// token is `Ok(None)`.
    pub async fn get_session<B>(
        &self,
        request: &http::Request<B>,
    ) -> Result<Option<Session<U>>, Error> {
        self.get_session_from_headers(request.headers()).await
    }

    /// [`get_session`](Self::get_session) over headers alone, for extractors
    /// that see `http::request::Parts`.
    ///
    /// # Errors
    /// Only adapter failures.
    pub async fn get_session_from_headers(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Session<U>>, Error> {
        let Some(token) = self.presented_token(headers) else {
            return self.resolve_credential(headers).await;
        };
        let now = self.now();
        let (token_hash, claims) = match self.check_token(token, now) {
            Checked::Refused => return Ok(None),
            Checked::Cached(session) => return Ok(Some(session)),
            Checked::Verified(token_hash, claims) => (token_hash, claims),
        };
        // The adapter's part in an allocation of its own: a database
        // adapter's future is kilobytes, and every future that embeds this
        // one (a cache hit's too) would otherwise be that large, and be
        // copied whole each time it is moved (into its box, say).
        Box::pin(self.session_from_adapter(token, token_hash, claims, now)).await
    }

    /// The rest of a session check that the cache did not answer: the
    /// adapter confirms the session, which may slide its expiry.
    async fn session_from_adapter(
        &self,
        token: &str,
        token_hash: TokenHash,
        claims: Claims<'static>,
        now: u64,
    ) -> Result<Option<Session<U>>, Error> {
        // Taken before the adapter is asked: a revocation after this point
        // keeps what the adapter answers out of the cache.
        let ticket = self.session_cache().map(SessionCache::ticket);
        let Some((mut record, user)) = self.adapter().validate_token_with_user(&token_hash).await?
        else {
            return Ok(None);
        };
        if record.user_id != claims.sub || record.expires_at <= now {
            return Ok(None);
        }

        let config = self.session_config();
        let mut refreshed_token = None;
        if record.renewable && now >= record.updated_at.saturating_add(config.update_age) {
            record.updated_at = now;
            record.expires_at = now.saturating_add(config.expires_in);
            // Only a session still stored is refreshed: one revoked since it
            // was read stays revoked, and this lookup finds no session.
            if !self.adapter().refresh_session(&record).await? {
                return Ok(None);
            }
            refreshed_token = Some(self.sign_token(&claims.sid, &record)?);
        }
        if let (Some(cache), Some(ticket)) = (self.session_cache(), ticket) {
            cache.insert(ticket, &user, &record, now);
        }
        Ok(Some(Session {
            user,
            session: record,
            token: SessionToken::new(token.to_owned(), claims.exp, now),
            refreshed_token,
            credential: None,
        }))
    }

    /// Signs `user` in: runs every plugin's session guards and, when none
    /// refuses or challenges, creates a new session. Always a fresh secret,
    /// so a token planted before sign-in is never promoted (no session
    /// fixation). Emits [`Event::SignedIn`].
    ///
    /// Plugins call this from their sign-in exports, saying how the user
    /// signed in, and hand the outcome to
    /// [`Reply::signed_in`](crate::Reply::signed_in) (or
    /// [`Reply::signed_in_redirect`](crate::Reply::signed_in_redirect) at the
    /// end of a browser flow). A guard may answer with a challenge (a second
    /// factor): the outcome is then [`SignInOutcome::Challenge`] and no
    /// session exists.
    ///
    /// # Errors
    /// A session guard's refusal (e.g. [`Error::EmailNotVerified`]);
    /// adapter failures; randomness or signing failures as internal errors.
    pub async fn create_session(
        &self,
        user: U,
        client: ClientInfo,
        method: SignInMethod,
    ) -> Result<SignInOutcome<U>, Error> {
        self.create_session_with(user, client, method, NewSession::default())
            .await
    }

    /// [`create_session`](Self::create_session) for a session that differs
    /// from an ordinary one ([`NewSession`]: attributes from the start, a
    /// shorter lifetime, no sliding expiry). The guards run as for any
    /// sign-in.
    ///
    /// # Errors
    /// As [`create_session`](Self::create_session).
    pub async fn create_session_with(
        &self,
        user: U,
        client: ClientInfo,
        method: SignInMethod,
        options: NewSession,
    ) -> Result<SignInOutcome<U>, Error> {
        let attempt = SignInAttempt::new(user, method, client);
        if let GuardVerdict::Challenge(challenge) = self.check_session_guards(&attempt).await? {
            return Ok(SignInOutcome::Challenge(challenge));
        }
        let SignInAttempt {
            user,
            method,
            client,
        } = attempt;
        self.start_session(user, client, method, options)
            .await
            .map(SignInOutcome::SignedIn)
    }

    /// Creates a session for `user` **without running the session guards**:
    /// for a plugin that has an authority of its own over who becomes whom
    /// (an admin impersonating a user must not be asked for that user's
    /// second factor). Every other sign-in goes through
    /// [`create_session`](Self::create_session), so that no plugin can skip
    /// another's guard by accident. Emits [`Event::SignedIn`].
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, ClientInfo, NewSession, SignInMethod, adapter::memory::MemoryAdapter};
    /// # use serde_json::json;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, user: BasicUser) -> Result<(), nanoauth::Error> {
    /// let options = NewSession::default()
    ///     .attribute("impersonatedBy", json!("admin-id"))
    ///     .lifetime(3600)
    ///     .not_renewable();
    /// let signed_in = auth
    ///     .issue_session(user, ClientInfo::default(), SignInMethod::new("impersonation"), options)
    ///     .await?;
    /// assert_eq!(signed_in.session.attributes.get_str("impersonatedBy"), Some("admin-id"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Adapter failures; randomness or signing failures as internal errors.
    pub async fn issue_session(
        &self,
        user: U,
        client: ClientInfo,
        method: SignInMethod,
        options: NewSession,
    ) -> Result<SignedIn<U>, Error> {
        self.start_session(user, client, method, options).await
    }

    async fn start_session(
        &self,
        user: U,
        client: ClientInfo,
        method: SignInMethod,
        options: NewSession,
    ) -> Result<SignedIn<U>, Error> {
        let now = self.now();
        let (attributes, lifetime, renewable) =
            options.into_parts(self.session_config().expires_in);
        let secret = token::random_token()?;
        let record = SessionRecord {
            id: token::random_id()?,
            token_hash: TokenHash::of(&secret),
            user_id: user.id().to_owned(),
            created_at: now,
            updated_at: now,
            expires_at: now.saturating_add(lifetime),
            ip_address: client.ip_address,
            user_agent: client.user_agent,
            attributes,
            renewable,
        };
        let token = self.sign_token(&secret, &record)?;
        self.adapter().save_session(&record).await?;
        self.emit(Event::SignedIn {
            user: user.clone(),
            session: record.clone(),
            method,
        })
        .await;
        Ok(SignedIn {
            user,
            session: record,
            token,
        })
    }

    /// Changes the attributes of the session stored under `token_hash`
    /// (the active organization of the session making a request, say):
    /// `change` edits a copy of the stored ones, which is then written only
    /// if the session is still stored, and dropped from the session cache
    /// so the next lookup reads it. Returns the session as stored now, or
    /// `None` when it no longer exists.
    ///
    /// Two changes to one session at the same moment: the last write wins
    /// (a session's attributes are its own requests' business).
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, Session, adapter::memory::MemoryAdapter};
    /// # use serde_json::json;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, session: Session<BasicUser>) -> Result<(), nanoauth::Error> {
    /// let updated = auth
    ///     .update_session_attributes(&session.session.token_hash, |attributes| {
    ///         attributes.insert("activeOrganizationId", json!("org_1"));
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn update_session_attributes(
        &self,
        token_hash: &TokenHash,
        change: impl FnOnce(&mut SessionAttributes),
    ) -> Result<Option<SessionRecord>, Error> {
        let forget = || {
            if let Some(cache) = self.session_cache() {
                cache.forget(token_hash);
            }
        };
        let Some(mut record) = self.adapter().validate_token(token_hash).await? else {
            return Ok(None);
        };
        if record.expires_at <= self.now() {
            return Ok(None);
        }
        change(&mut record.attributes);
        forget();
        // The "only while stored" write: a session revoked meanwhile stays
        // revoked.
        let stored = self.adapter().refresh_session(&record).await?;
        forget();
        Ok(stored.then_some(record))
    }

    /// Runs the plugins' session guards for `attempt`, as signing in does:
    /// would this user be let in? A sign-up plugin asks this of the account
    /// it *would* have created for a taken address, so that its answer
    /// reveals no more than a new account's would (see the email/password
    /// plugin's sign-up and social sign-in's `ACCOUNT_NOT_LINKED`).
    ///
    /// Every guard runs, so a refusal wins over another guard's challenge;
    /// of several challenges the first is answered.
    ///
    /// # Errors
    /// The first guard's refusal (e.g. [`Error::EmailNotVerified`]).
    pub async fn check_session_guards(
        &self,
        attempt: &SignInAttempt<U>,
    ) -> Result<GuardVerdict, Error> {
        let mut verdict = GuardVerdict::Allow;
        for guard in &self.registry().guards {
            let answer = (guard.check)(attempt.clone(), self.clone()).await?;
            if let (GuardVerdict::Allow, GuardVerdict::Challenge(_)) = (&verdict, &answer) {
                verdict = answer;
            }
        }
        Ok(verdict)
    }

    /// Ends the session presented in `headers`, if any. Emits
    /// [`Event::SignedOut`]. Returns whether a session was ended.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn sign_out(&self, headers: &HeaderMap) -> Result<bool, Error> {
        let Some(session) = self.get_session_from_headers(headers).await? else {
            return Ok(false);
        };
        let deleted = self.revoke_session(&session.session.token_hash).await?;
        if deleted {
            self.emit(Event::SignedOut {
                user_id: session.user.id().to_owned(),
                session_id: session.session.id,
            })
            .await;
        }
        Ok(deleted)
    }

    /// Applies a revocation announced by another process to this process's
    /// session cache (see [`AuthBuilder::session_cache`]), so that it takes
    /// effect here at once instead of within the cache's time to live. Does
    /// nothing without a session cache. `nanoauth-redis` announces and
    /// follows revocations through Redis pub/sub.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, CachedSessions, adapter::memory::MemoryAdapter};
    ///
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .session_cache(60)
    ///     .build()?;
    /// auth.forget_cached(CachedSessions::OfUser("user-id"));
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    ///
    /// [`AuthBuilder::session_cache`]: crate::AuthBuilder::session_cache
    pub fn forget_cached(&self, sessions: CachedSessions<'_>) {
        let Some(cache) = self.session_cache() else {
            return;
        };
        match sessions {
            CachedSessions::One(token_hash) => cache.forget(token_hash),
            CachedSessions::OfUser(user_id) => cache.forget_user(user_id, None),
            CachedSessions::All => cache.clear(),
        }
    }

    /// Deletes one session, from the adapter and the session cache: the
    /// way for a plugin to end a session (deleting it through the adapter
    /// alone would leave it alive in the session cache). Returns whether
    /// it existed.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn revoke_session(&self, token_hash: &TokenHash) -> Result<bool, Error> {
        // Forgotten before, so the cache stops serving it while the delete
        // runs, and after, so a check that read the session before the
        // delete cannot cache it behind the delete (see `SessionCache::ticket`).
        let forget = || {
            if let Some(cache) = self.session_cache() {
                cache.forget(token_hash);
            }
        };
        forget();
        let deleted = self.adapter().delete_session(token_hash).await?;
        forget();
        Ok(deleted)
    }

    /// Deletes every session of `user_id` but `keep`, from the adapter and
    /// the session cache (see [`revoke_session`](Self::revoke_session)).
    /// Returns how many were deleted.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn revoke_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, Error> {
        let forget = || {
            if let Some(cache) = self.session_cache() {
                cache.forget_user(user_id, keep);
            }
        };
        forget();
        let deleted = self.adapter().delete_user_sessions(user_id, keep).await?;
        forget();
        Ok(deleted)
    }

    /// The `Set-Cookie` value that carries `token`, for as long as the
    /// token is valid.
    ///
    /// # Errors
    /// Never for tokens NanoAuth issued; [`Error::Internal`] otherwise.
    pub fn session_cookie(&self, token: &SessionToken) -> Result<http::HeaderValue, Error> {
        let max_age = token.max_age;
        cookie::set(
            self.cookie_name(),
            token.expose_secret(),
            max_age,
            self.secure_cookies(),
        )
    }

    /// The `Set-Cookie` value that clears the session cookie.
    pub fn clear_session_cookie(&self) -> http::HeaderValue {
        cookie::clear(self.cookie_name(), self.secure_cookies())
    }

    fn presented_token<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        // A bearer token wins; any other Authorization scheme (Basic in
        // front of a staging site, say) is not ours and the cookie counts.
        let bearer = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        bearer.or_else(|| cookie::read(headers, self.cookie_name()))
    }

    /// Asks the plugins' credential resolvers, each for its header.
    async fn resolve_credential(&self, headers: &HeaderMap) -> Result<Option<Session<U>>, Error> {
        for resolver in &self.registry().credentials {
            let Some(value) = headers
                .get(&resolver.header)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            if let Some(session) = (resolver.resolve)(value.to_owned(), self.clone()).await? {
                return Ok(Some(session));
            }
        }
        Ok(None)
    }

    /// The synchronous part of a session check: verify the token, hash its
    /// secret (once), and try the session cache. The claims are read
    /// without copying their strings (see `jwt::decode_in`); only a check
    /// that goes on to the adapter takes its own copy, and the decoding
    /// buffer never lives across an `await`.
    fn check_token(&self, token: &str, now: u64) -> Checked<U> {
        // No leeway: the token's expiry mirrors the stored session's, and
        // both are our own clock's.
        let validation = Validation::at(now).leeway(0);
        let mut buffer = jwt::ClaimsBuffer::new();
        let Ok(claims) =
            jwt::decode_in::<Claims<'_>>(token, self.keys().verifying(), &validation, &mut buffer)
        else {
            return Checked::Refused;
        };
        let token_hash = TokenHash::of(&claims.sid);
        if let Some((user, session)) = self
            .session_cache()
            .and_then(|cache| cache.get(&token_hash, now))
            .filter(|(_, session)| session.user_id == claims.sub)
        {
            return Checked::Cached(Session {
                user,
                session,
                token: SessionToken::new(token.to_owned(), claims.exp, now),
                refreshed_token: None,
                credential: None,
            });
        }
        Checked::Verified(token_hash, claims.into_owned())
    }

    fn sign_token(&self, secret: &str, record: &SessionRecord) -> Result<SessionToken, Error> {
        let key = self
            .keys()
            .signing()
            .ok_or_else(|| Error::internal(jwt::JwtError::UnknownKey))?;
        let claims = Claims {
            sid: Cow::Borrowed(secret),
            sub: Cow::Borrowed(&record.user_id),
            iat: record.updated_at,
            exp: record.expires_at,
        };
        jwt::encode(&claims, key)
            .map(|text| SessionToken::new(text, record.expires_at, record.updated_at))
            .map_err(Error::internal)
    }
}
