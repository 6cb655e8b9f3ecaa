//! The client: NanoAuth's HTTP API as typed methods.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::{Method, StatusCode};
use reqwest::{RequestBuilder, Response, Url};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api_key::ApiKeys;
use crate::builder::{AuthClientBuilder, Mode};
use crate::error::{ClientError, ConfigError, DecodeError, NetworkError};
use crate::passkey::Passkeys;
use crate::session::{Session, SignInOutcome};
use crate::store::{Call, Pending, SessionStore};
use crate::token::SessionToken;
use crate::two_factor::{TotpVerified, TwoFactor, VerifyAnswer};

/// A client of a NanoAuth server, typed by the application's user `U` (any
/// `Deserialize` type matching what the server sends, or
/// `serde_json::Value`).
///
/// Cloning is cheap: clones share the connection pool, the cookie jar or
/// token, and the [`SessionStore`]. On native targets, call it from within
/// a tokio runtime (reqwest's requirement); on `wasm32` it runs on the
/// browser's `fetch`.
///
/// ```no_run
/// use nanoauth_client::AuthClient;
///
/// #[derive(Clone, Debug, serde::Deserialize)]
/// struct User { id: String, email: String, name: String }
///
/// # #[tokio::main] async fn main() -> Result<(), nanoauth_client::ClientError> {
/// let client = AuthClient::<User>::new("http://localhost:3000")?;
/// let session = client
///     .sign_up_email("ada@example.com", "correct horse battery", serde_json::json!({"name": "Ada"}))
///     .await?;
/// assert_eq!(session.user.name, "Ada");
/// assert!(client.session().await?.is_some());
/// client.sign_out().await?;
/// # Ok(()) }
/// ```
pub struct AuthClient<U> {
    shared: Arc<Shared>,
    store: SessionStore<U>,
}

/// What every clone of a client shares, apart from the store.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    /// The endpoints' root: base URL joined with the base path.
    pub(crate) root: Url,
    /// Sent as `Origin` with state-changing requests (native targets).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) origin: String,
    pub(crate) mode: Mode,
    /// The bearer token ([`Mode::Bearer`] only).
    pub(crate) token: Mutex<Option<SessionToken>>,
    /// The administrator's own bearer token while they impersonate a user
    /// ([`Mode::Bearer`] only; in cookie mode the server keeps it in a
    /// cookie of its own).
    pub(crate) impersonator_token: Mutex<Option<SessionToken>>,
    /// Two-factor cookies (the sign-in challenge, a trusted device) in
    /// [`Mode::Bearer`] on native targets, where no cookie jar is kept: a
    /// sign-in that asks for a second factor is answered with a cookie.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) two_factor_cookies: Mutex<Vec<(String, String)>>,
}

impl<U> Clone for AuthClient<U> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            store: self.store.clone(),
        }
    }
}

impl<U> fmt::Debug for AuthClient<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthClient")
            .field("root", &self.shared.root.as_str())
            .field("mode", &self.shared.mode)
            .field("has_token", &self.shared.lock_token().is_some())
            .field("store", &self.store)
            .finish()
    }
}

/// `200 {user, token}` from the sign-up and sign-in endpoints. The user is
/// read again with the session that follows.
#[derive(Deserialize)]
pub(crate) struct SignedInBody {
    token: String,
}

/// A sign-in's answer: `{user, token}`, or `{"twoFactorRequired": true}`
/// (and a challenge cookie, no session) for an account with two-factor on.
#[derive(Deserialize)]
#[serde(untagged)]
enum SignInAnswer {
    SignedIn(SignedInBody),
    TwoFactorRequired {
        // Its whole meaning is checked while parsing (`must_be_true`).
        #[serde(rename = "twoFactorRequired", deserialize_with = "must_be_true")]
        #[allow(dead_code)]
        two_factor_required: bool,
    },
}

/// `{"twoFactorRequired": false}` is no answer the server gives: refused,
/// rather than read as a challenge.
fn must_be_true<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match bool::deserialize(deserializer)? {
        true => Ok(true),
        false => Err(serde::de::Error::custom("expected true")),
    }
}

/// NanoAuth's error body: `{"error":{"code","message"}}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

#[derive(Serialize)]
struct SignInBody<'a> {
    email: &'a str,
    password: &'a str,
}

impl<U: DeserializeOwned + Clone> AuthClient<U> {
    /// A client of the server at `base_url` (the site's URL, e.g.
    /// `https://example.com`), in [`Mode::Cookie`], with the endpoints under
    /// `/api/auth`.
    ///
    /// # Errors
    /// [`ClientError::Config`] as [`AuthClientBuilder::build`].
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Self::builder(base_url).build()
    }

    /// A builder, to choose the [`Mode`] or the base path.
    pub fn builder(base_url: &str) -> AuthClientBuilder<U> {
        AuthClientBuilder::new(base_url)
    }

    /// Creates an account (`POST /signup/email`) and signs it in, then
    /// reads the new session. `extra_fields` are the application's sign-up
    /// fields (`name`, ...): anything that serializes to a JSON object, or
    /// `()` for none. `email` and `password` override fields of the same
    /// name in it.
    ///
    /// # Errors
    /// - [`ClientError::Api`]: `USER_ALREADY_EXISTS` (409), `INVALID_EMAIL`,
    ///   `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, `INVALID_BODY` (400),
    ///   `INVALID_ORIGIN` (403), and server failures.
    /// - [`ClientError::SessionNotKept`] when the session cookie was not kept.
    /// - [`ClientError::Config`] when `extra_fields` is not an object.
    /// - [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn sign_up_email(
        &self,
        email: &str,
        password: &str,
        extra_fields: impl Serialize,
    ) -> Result<Session<U>, ClientError> {
        let body = sign_up_body(email, password, extra_fields);
        self.start_session("/signup/email", body).await
    }

    /// Signs in with email and password (`POST /signin/email`), then reads
    /// the new session.
    ///
    /// For an account with two-factor authentication on, the password
    /// alone signs nobody in: the answer is
    /// [`SignInOutcome::TwoFactorRequired`], no session exists yet, and the
    /// store is left as it was. Finish with
    /// [`two_factor`](Self::two_factor)`().`[`verify_totp`](crate::TwoFactor::verify_totp)
    /// (or a backup or emailed code) within five minutes.
    ///
    /// ```no_run
    /// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
    /// use nanoauth_client::{SignInOutcome, TotpVerified};
    ///
    /// let session = match client.sign_in_email("ada@example.com", "correct horse battery").await? {
    ///     SignInOutcome::SignedIn(session) => session,
    ///     SignInOutcome::TwoFactorRequired => {
    ///         let code = "123456"; // asked from the user
    ///         match client.two_factor().verify_totp(code, false).await? {
    ///             TotpVerified::SignedIn(session) => session,
    ///             _ => unreachable!("a challenge answers with a session"),
    ///         }
    ///     }
    ///     _ => return Ok(()),
    /// };
    /// println!("signed in as {}", session.user["email"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`ClientError::Api`]: `INVALID_CREDENTIALS` (401) for an unknown
    ///   email or a wrong password alike, `INVALID_EMAIL` (400),
    ///   `INVALID_ORIGIN` (403), and server failures.
    /// - [`ClientError::SessionNotKept`] when the session cookie was not kept.
    /// - [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn sign_in_email(
        &self,
        email: &str,
        password: &str,
    ) -> Result<SignInOutcome<U>, ClientError> {
        let body = serde_json::to_value(SignInBody { email, password }).map_err(|error| {
            ClientError::Config(ConfigError::new(format!("sign-in body: {error}")))
        });
        self.sign_in_at("/signin/email", body).await
    }

    /// Posts `body` to a sign-in endpoint, which answers `{user, token}` or
    /// `{"twoFactorRequired": true}`, and reads the new session if any.
    pub(crate) async fn sign_in_at(
        &self,
        path: &str,
        body: Result<Value, ClientError>,
    ) -> Result<SignInOutcome<U>, ClientError> {
        let pending = self.store.begin(Call::Change);
        let answer = async {
            let request = self.request(Method::POST, path).json(&body?);
            self.send::<SignInAnswer>(request).await
        }
        .await;
        match answer {
            Ok(SignInAnswer::SignedIn(signed_in)) => self
                .finish_sign_in(pending, Ok(signed_in))
                .await
                .map(SignInOutcome::SignedIn),
            // No session was made: whatever the store knew still holds.
            Ok(SignInAnswer::TwoFactorRequired { .. }) => {
                pending.unchanged();
                Ok(SignInOutcome::TwoFactorRequired)
            }
            Err(error) => {
                pending.fail(error.clone());
                Err(error)
            }
        }
    }

    /// The two-factor calls: turning it on and off, and answering the
    /// challenge of a sign-in.
    pub fn two_factor(&self) -> TwoFactor<'_, U> {
        TwoFactor::new(self)
    }

    /// The passkey calls: the JSON halves of the WebAuthn ceremonies
    /// (options out, the authenticator's answer in), and managing passkeys.
    pub fn passkeys(&self) -> Passkeys<'_, U> {
        Passkeys::new(self)
    }

    /// The organization calls: organizations, members and roles,
    /// invitations, the active organization, the permission check.
    pub fn organizations(&self) -> crate::Organizations<'_, U> {
        crate::Organizations::new(self)
    }

    /// The API key calls: create, list, update and delete the signed-in
    /// user's keys.
    pub fn api_keys(&self) -> ApiKeys<'_, U> {
        ApiKeys::new(self)
    }

    /// The admin calls (the server's `nanoauth-admin`): users, roles,
    /// passwords, bans, sessions, removal, for a signed-in administrator.
    pub fn admin(&self) -> crate::admin::Admin<'_, U> {
        crate::admin::Admin::new(self)
    }

    /// A short-lived JWT for the signed-in user (`GET /token`, the
    /// server's `nanoauth-jwt` plugin), to call other services that verify
    /// it against the server's `/jwks`. Not this client's session
    /// [`token`](Self::token): NanoAuth itself never accepts a JWT.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401) when signed out,
    /// `PLUGIN_NOT_ENABLED`/`NOT_FOUND` without the plugin;
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn jwt(&self) -> Result<String, ClientError> {
        #[derive(Deserialize)]
        struct TokenBody {
            token: String,
        }
        self.send::<TokenBody>(self.request(Method::GET, "/token"))
            .await
            .map(|body| body.token)
    }

    /// Signs out (`POST /signout`): the server ends the session and clears
    /// the cookie; in bearer mode the client forgets its token. The store's
    /// session becomes `None`.
    ///
    /// # Errors
    /// [`ClientError::Network`], [`ClientError::Api`] (e.g. `INVALID_ORIGIN`),
    /// [`ClientError::Decode`]. On an error the client keeps its token and
    /// the store its session: the server may still hold the session, so
    /// try again.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let pending = self.store.begin(Call::Change);
        let result = self
            .send::<IgnoredAny>(self.request(Method::POST, "/signout"))
            .await;
        match result {
            Ok(_) => {
                *self.shared.lock_token() = None;
                pending.succeed(None);
                Ok(())
            }
            Err(error) => {
                pending.fail(error.clone());
                Err(error)
            }
        }
    }

    /// Fetches the current session (`GET /session`) and updates the store:
    /// `Ok(None)` when signed out, or when the session expired or was
    /// revoked. In bearer mode, a token the server no longer accepts is
    /// forgotten.
    ///
    /// The server slides the session's expiry forward when it is used; the
    /// renewed cookie is kept (cookie mode), and on native targets the
    /// renewed token too (bearer mode).
    ///
    /// # Errors
    /// [`ClientError::Network`], [`ClientError::Api`] (server failures such
    /// as `DATABASE_UNAVAILABLE`), [`ClientError::Decode`] (the user type
    /// does not match the server's JSON). The store keeps its last session.
    pub async fn session(&self) -> Result<Option<Session<U>>, ClientError> {
        let pending = self.store.begin(Call::Fetch);
        let result = self.fetch_session().await;
        match &result {
            Ok(session) => pending.succeed(session.clone()),
            Err(error) => pending.fail(error.clone()),
        }
        result
    }

    /// The store that mirrors this client's session state.
    pub fn store(&self) -> &SessionStore<U> {
        &self.store
    }
}

impl<U> AuthClient<U> {
    pub(crate) fn from_parts(shared: Arc<Shared>, store: SessionStore<U>) -> Self {
        Self { shared, store }
    }

    /// How the session travels.
    pub fn mode(&self) -> Mode {
        self.shared.mode
    }

    /// The bearer token of the current session ([`Mode::Bearer`]), to
    /// persist it; `None` in cookie mode or when signed out.
    pub fn token(&self) -> Option<SessionToken> {
        self.shared.lock_token().clone()
    }

    /// Forgets the bearer token (its session ended on the server).
    pub(crate) fn clear_token(&self) {
        *self.shared.lock_token() = None;
    }

    /// Keeps `token` aside as the administrator's own while they
    /// impersonate someone (bearer mode).
    pub(crate) fn keep_impersonator_token(&self, token: Option<SessionToken>) {
        *self
            .shared
            .impersonator_token
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// Makes the administrator's kept token the current one again, if one
    /// was kept (bearer mode); answers whether it was.
    pub(crate) fn restore_impersonator_token(&self) -> bool {
        let kept = self
            .shared
            .impersonator_token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let restored = kept.is_some();
        if restored {
            *self.shared.lock_token() = kept;
        }
        restored
    }

    /// The URL of an endpoint, `path` relative to the base path (with its
    /// query, if it has one: `/organization/full?organizationId=..`).
    pub(crate) fn endpoint(&self, path: &str) -> Url {
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(path, query)| (path, Some(query)));
        let mut url = self.shared.root.clone();
        url.set_path(&format!("{}{path}", self.shared.root.path()));
        url.set_query(query);
        url
    }

    #[cfg(test)]
    pub(crate) fn origin(&self) -> &str {
        &self.shared.origin
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let is_post = method == Method::POST;
        let mut request = self.shared.http.request(method, self.endpoint(path));
        // The server refuses a state-changing request that carries cookies
        // without a trusted `Origin` (its CSRF defence). A browser sends
        // `Origin` itself; a native client says where it belongs, in bearer
        // mode too, where it does no harm.
        #[cfg(not(target_arch = "wasm32"))]
        if is_post {
            request = request.header(http::header::ORIGIN, &self.shared.origin);
        }
        #[cfg(target_arch = "wasm32")]
        {
            request = match self.shared.mode {
                // Cross-origin `fetch` sends and keeps cookies only when asked.
                Mode::Cookie => request.fetch_credentials_include(),
                // The server sets its cookie on sign-in whatever the mode;
                // the browser must neither keep nor send it.
                Mode::Bearer => request.fetch_credentials_omit(),
            };
            // The session must come from the server, never from the cache.
            if !is_post {
                request = request.fetch_cache_no_store();
            }
        }
        if self.shared.mode == Mode::Bearer
            && let Some(token) = self.shared.lock_token().as_ref()
        {
            request = request.bearer_auth(token.expose_secret());
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.shared.mode == Mode::Bearer
            && let Some(cookies) = cookie_header(&self.shared.lock_two_factor_cookies())
        {
            request = request.header(http::header::COOKIE, cookies);
        }
        request
    }

    /// Sends `request` and decodes a success as `T`, an error status as
    /// [`ClientError::Api`].
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = request
            .send()
            .await
            .map_err(|error| ClientError::Network(NetworkError::new(error)))?;
        self.read(response).await
    }

    async fn read<T: DeserializeOwned>(&self, response: Response) -> Result<T, ClientError> {
        let status = response.status();
        #[cfg(not(target_arch = "wasm32"))]
        if self.shared.mode == Mode::Bearer {
            if status.is_success() {
                self.keep_refreshed_token(response.headers());
            }
            keep_two_factor_cookies(
                &mut self.shared.lock_two_factor_cookies(),
                response.headers(),
            );
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| ClientError::Network(NetworkError::new(error)))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|error| ClientError::Decode(DecodeError::json(status, error)));
        }
        Err(error_from(status, &body))
    }

    /// A lookup that slid the session's expiry answers with a renewed
    /// cookie; in bearer mode its value is the renewed token. (Browsers
    /// hide `Set-Cookie` from `fetch`, so on wasm the token keeps its
    /// original expiry.)
    #[cfg(not(target_arch = "wasm32"))]
    fn keep_refreshed_token(&self, headers: &http::HeaderMap) {
        if let Some(token) = session_cookie_value(headers) {
            *self.shared.lock_token() = Some(SessionToken::new(token));
        }
    }
}

impl<U: DeserializeOwned + Clone> AuthClient<U> {
    /// Posts `body` to `path`, which answers `{user, token}` and starts a
    /// session, then reads that session.
    pub(crate) async fn start_session(
        &self,
        path: &str,
        body: Result<Value, ClientError>,
    ) -> Result<Session<U>, ClientError> {
        let pending = self.store.begin(Call::Change);
        let signed_in = async {
            let request = self.request(Method::POST, path).json(&body?);
            self.send::<SignedInBody>(request).await
        }
        .await;
        self.finish_sign_in(pending, signed_in).await
    }

    /// Keeps the token of a sign-in's answer (bearer mode), reads the new
    /// session and tells the store.
    async fn finish_sign_in(
        &self,
        pending: Pending<U>,
        signed_in: Result<SignedInBody, ClientError>,
    ) -> Result<Session<U>, ClientError> {
        let result = async {
            let signed_in = signed_in?;
            if self.shared.mode == Mode::Bearer {
                *self.shared.lock_token() = Some(SessionToken::new(signed_in.token));
            }
            self.fetch_session()
                .await?
                .ok_or(ClientError::SessionNotKept)
        }
        .await;
        match &result {
            Ok(session) => pending.succeed(Some(session.clone())),
            Err(error) => pending.fail(error.clone()),
        }
        result
    }

    /// Answers the sign-in challenge, or confirms a pending enrolment
    /// (`/two-factor/verify-totp` does both, as the server decides).
    pub(crate) async fn verify_code(
        &self,
        path: &str,
        body: Value,
    ) -> Result<TotpVerified<U>, ClientError> {
        let pending = self.store.begin(Call::Change);
        let request = self.request(Method::POST, path).json(&body);
        match self.send::<VerifyAnswer>(request).await {
            Ok(VerifyAnswer::SignedIn(signed_in)) => self
                .finish_sign_in(pending, Ok(signed_in))
                .await
                .map(TotpVerified::SignedIn),
            Ok(VerifyAnswer::Enabled { .. }) => {
                pending.unchanged();
                Ok(TotpVerified::Enabled)
            }
            Err(error) => {
                pending.fail(error.clone());
                Err(error)
            }
        }
    }

    async fn fetch_session(&self) -> Result<Option<Session<U>>, ClientError> {
        let sent = self.token();
        let session: Option<Session<U>> = self.send(self.request(Method::GET, "/session")).await?;
        if session.is_none()
            && let Some(sent) = sent
        {
            // Forget the token the server refused, unless a sign-in
            // replaced it meanwhile.
            let mut token = self.shared.lock_token();
            if token
                .as_ref()
                .is_some_and(|current| current.expose_secret() == sent.expose_secret())
            {
                *token = None;
            }
        }
        Ok(session)
    }
}

impl Shared {
    fn lock_token(&self) -> MutexGuard<'_, Option<SessionToken>> {
        // Only ever replaced whole: a panic elsewhere cannot leave it torn.
        self.token.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn lock_two_factor_cookies(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        // Each change is one push or removal: never torn by a panic.
        self.two_factor_cookies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sign-up body: the application's fields, then `email` and `password`.
fn sign_up_body(
    email: &str,
    password: &str,
    extra_fields: impl Serialize,
) -> Result<Value, ClientError> {
    let mut body = sign_up_fields(email, extra_fields)?;
    body.insert("password".into(), Value::String(password.to_owned()));
    Ok(Value::Object(body))
}

/// The application's sign-up fields and the address, as a sign-up body
/// (the address wins over a field of its name).
pub(crate) fn sign_up_fields(
    email: &str,
    extra_fields: impl Serialize,
) -> Result<Map<String, Value>, ClientError> {
    let config = |message: String| ClientError::Config(ConfigError::new(message));
    let mut body = match serde_json::to_value(extra_fields) {
        Ok(Value::Object(fields)) => fields,
        Ok(Value::Null) => Map::new(),
        Ok(other) => {
            return Err(config(format!(
                "sign-up fields must serialize to a JSON object, not {other}"
            )));
        }
        Err(error) => return Err(config(format!("sign-up fields: {error}"))),
    };
    body.insert("email".into(), Value::String(email.to_owned()));
    Ok(body)
}

/// An error status: NanoAuth's error body, or whatever came instead.
fn error_from(status: StatusCode, body: &[u8]) -> ClientError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error: ErrorDetail { code, message },
        }) => ClientError::Api {
            status,
            code,
            message,
        },
        Err(_) => ClientError::Decode(DecodeError::unexpected_error(status, body)),
    }
}

/// The value of a non-empty session cookie set in `headers` (with or
/// without the `__Host-` prefix NanoAuth uses over https).
#[cfg(not(target_arch = "wasm32"))]
fn session_cookie_value(headers: &http::HeaderMap) -> Option<&str> {
    const NAMES: [&str; 2] = ["nanoauth.session_token", "__Host-nanoauth.session_token"];
    headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next()?.trim().split_once('='))
        .find(|(name, value)| NAMES.contains(name) && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"'))
}

/// The plugins' cookies a bearer client must still send back: the
/// two-factor sign-in challenge and trusted device, and the passkey
/// ceremonies (each bound to the cookie its options set), plain or
/// `__Host-` prefixed.
#[cfg(not(target_arch = "wasm32"))]
const TWO_FACTOR_COOKIES: [&str; 12] = [
    "nanoauth.two_factor",
    "__Host-nanoauth.two_factor",
    "nanoauth.two_factor_device",
    "__Host-nanoauth.two_factor_device",
    "nanoauth.passkey_registration",
    "__Host-nanoauth.passkey_registration",
    "nanoauth.passkey_signin",
    "__Host-nanoauth.passkey_signin",
    "nanoauth.passkey_reauth",
    "__Host-nanoauth.passkey_reauth",
    "nanoauth.passkey_signup",
    "__Host-nanoauth.passkey_signup",
];

/// Applies the two-factor cookies set or cleared in `headers` to `kept`.
#[cfg(not(target_arch = "wasm32"))]
fn keep_two_factor_cookies(kept: &mut Vec<(String, String)>, headers: &http::HeaderMap) {
    let set = headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok());
    for cookie in set {
        let mut parts = cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.trim().split_once('=')) else {
            continue;
        };
        if !TWO_FACTOR_COOKIES.contains(&name) {
            continue;
        }
        let value = value.trim_matches('"');
        let cleared = value.is_empty()
            || parts.any(|attribute| attribute.trim().eq_ignore_ascii_case("max-age=0"));
        kept.retain(|(kept_name, _)| kept_name != name);
        if !cleared {
            kept.push((name.to_owned(), value.to_owned()));
        }
    }
}

/// `Cookie: a=1; b=2`, or `None` when there is nothing to send.
#[cfg(not(target_arch = "wasm32"))]
fn cookie_header(cookies: &[(String, String)]) -> Option<String> {
    (!cookies.is_empty()).then(|| {
        cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn sign_up_bodies_merge_the_applications_fields() {
        let body = sign_up_body(
            "a@b.c",
            "pw",
            serde_json::json!({"name": "Ada", "email": "x"}),
        );
        assert_eq!(
            body.unwrap(),
            serde_json::json!({"name": "Ada", "email": "a@b.c", "password": "pw"})
        );
        let body = sign_up_body("a@b.c", "pw", ()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"email": "a@b.c", "password": "pw"})
        );

        #[derive(Serialize)]
        struct Fields {
            name: &'static str,
            role: Option<&'static str>,
        }
        let body = sign_up_body(
            "a@b.c",
            "pw",
            Fields {
                name: "Ada",
                role: None,
            },
        )
        .unwrap();
        assert_eq!(body["name"], "Ada");
        assert!(body["role"].is_null());

        assert!(matches!(
            sign_up_body("a@b.c", "pw", ["not", "an", "object"]),
            Err(ClientError::Config(_))
        ));
    }

    #[test]
    fn error_bodies_become_api_errors() {
        let error = error_from(
            StatusCode::CONFLICT,
            br#"{"error":{"code":"USER_ALREADY_EXISTS","message":"taken"}}"#,
        );
        assert_eq!(error.code(), Some("USER_ALREADY_EXISTS"));
        assert_eq!(error.status(), Some(StatusCode::CONFLICT));

        let error = error_from(StatusCode::BAD_GATEWAY, b"<html>Bad Gateway</html>");
        assert!(matches!(&error, ClientError::Decode(_)));
        assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(error.to_string().contains("Bad Gateway"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_renewed_session_cookie_is_found() {
        use http::{HeaderMap, HeaderValue, header::SET_COOKIE};

        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, HeaderValue::from_static("other=1; Path=/"));
        assert_eq!(session_cookie_value(&headers), None);
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("nanoauth.session_token=; Path=/; Max-Age=0"),
        );
        assert_eq!(session_cookie_value(&headers), None);
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("__Host-nanoauth.session_token=a.b.c; Path=/; Secure"),
        );
        assert_eq!(session_cookie_value(&headers), Some("a.b.c"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn bearer_mode_keeps_the_two_factor_cookies_only() {
        use http::{HeaderMap, HeaderValue, header::SET_COOKIE};

        let mut kept = Vec::new();
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("nanoauth.session_token=a.b.c; Path=/; HttpOnly"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("nanoauth.two_factor=challenge; Path=/; Max-Age=300"),
        );
        keep_two_factor_cookies(&mut kept, &headers);
        assert_eq!(
            cookie_header(&kept).as_deref(),
            Some("nanoauth.two_factor=challenge")
        );

        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("nanoauth.two_factor=; Path=/; Max-Age=0"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static(
                "__Host-nanoauth.two_factor_device=device; Path=/; Secure; Max-Age=2592000",
            ),
        );
        keep_two_factor_cookies(&mut kept, &headers);
        assert_eq!(
            cookie_header(&kept).as_deref(),
            Some("__Host-nanoauth.two_factor_device=device")
        );
        kept.clear();
        assert_eq!(cookie_header(&kept), None);
    }
}
