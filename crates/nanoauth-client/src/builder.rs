//! Configuring a client: where the server is, and how the session travels.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use reqwest::Url;
use serde::de::DeserializeOwned;

use crate::client::{AuthClient, Shared};
use crate::error::{ClientError, ConfigError};
use crate::store::SessionStore;
use crate::token::SessionToken;

/// How the client proves its session to the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// The session cookie (the default). On native targets the client
    /// keeps it in its own cookie jar, in memory, and sends an `Origin`
    /// header on every `POST` so the server's cross-site check accepts the
    /// cookie. In a browser the browser keeps it (HttpOnly, out of reach of
    /// scripts) and requests are sent with `credentials: "include"`.
    #[default]
    Cookie,
    /// `Authorization: Bearer <token>`. The client keeps the token from the
    /// last sign-in in memory; read it with
    /// [`AuthClient::token`](crate::AuthClient::token) to persist it, and
    /// hand it back with [`AuthClientBuilder::token`]. No session cookie is
    /// kept or sent. On native targets the two-factor cookies (a sign-in's
    /// challenge, a trusted device) are kept in memory, so that a sign-in
    /// can be finished with a second factor; in a browser they cannot be
    /// (scripts cannot read `Set-Cookie`): use [`Mode::Cookie`] there for
    /// accounts with two-factor on.
    Bearer,
}

/// Builds an [`AuthClient`]; start with [`AuthClient::builder`].
///
/// ```
/// use nanoauth_client::{AuthClient, Mode};
///
/// # fn main() -> Result<(), nanoauth_client::ClientError> {
/// let client = AuthClient::<serde_json::Value>::builder("https://example.com")
///     .mode(Mode::Bearer)
///     .base_path("/auth") // when the server mounts NanoAuth elsewhere
///     .build()?;
/// assert_eq!(client.mode(), Mode::Bearer);
/// # Ok(()) }
/// ```
#[must_use]
pub struct AuthClientBuilder<U> {
    base_url: String,
    base_path: String,
    mode: Mode,
    token: Option<SessionToken>,
    origin: Option<String>,
    _user: PhantomData<fn() -> U>,
}

impl<U> fmt::Debug for AuthClientBuilder<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthClientBuilder")
            .field("base_url", &self.base_url)
            .field("base_path", &self.base_path)
            .field("mode", &self.mode)
            .field("token", &self.token)
            .field("origin", &self.origin)
            .finish()
    }
}

impl<U: DeserializeOwned + Clone> AuthClientBuilder<U> {
    pub(crate) fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            base_path: "/api/auth".to_owned(),
            mode: Mode::default(),
            token: None,
            origin: None,
            _user: PhantomData,
        }
    }

    /// How the session travels (default [`Mode::Cookie`]).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Where the server mounts NanoAuth under the base URL (default
    /// `/api/auth`, as the server's `AuthBuilder::base_path`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// A token from an earlier sign-in, for [`Mode::Bearer`]: a CLI that
    /// saved it signs in again without asking for the password. Setting it
    /// in cookie mode is an error at [`build`](Self::build).
    pub fn token(mut self, token: SessionToken) -> Self {
        self.token = Some(token);
        self
    }

    /// The `Origin` sent with `POST` requests on native targets (default:
    /// the base URL's origin). Set it when the client reaches the server by
    /// another address than the one the server is configured with, e.g.
    /// `http://127.0.0.1:3000` for a server whose base URL is
    /// `http://localhost:3000`. Browsers set `Origin` themselves, so this
    /// has no effect on `wasm32`.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`ClientError::Config`] when
    /// 1. the base URL or the origin is not an absolute `http`/`https` URL,
    /// 2. the base path does not start with `/` or contains `//`,
    /// 3. a [`token`](Self::token) is set in [`Mode::Cookie`], or
    /// 4. the HTTP client cannot be built (no TLS backend could be set up).
    pub fn build(self) -> Result<AuthClient<U>, ClientError> {
        let config = |message: String| ClientError::Config(ConfigError::new(message));

        let base = parse_http_url(&self.base_url)
            .ok_or_else(|| config(format!("invalid base URL {:?}", self.base_url)))?;
        let base_path = self.base_path.trim_end_matches('/');
        if !base_path.is_empty() && (!base_path.starts_with('/') || base_path.contains("//")) {
            return Err(config(format!("invalid base path {:?}", self.base_path)));
        }
        // `https://example.com/app/` + `/api/auth` = `https://example.com/app/api/auth`.
        let mut root = base.clone();
        root.set_path(&format!("{}{base_path}", base.path().trim_end_matches('/')));
        root.set_query(None);
        root.set_fragment(None);

        let origin = match &self.origin {
            Some(origin) => parse_http_url(origin)
                .ok_or_else(|| config(format!("invalid origin {origin:?}")))?,
            None => base,
        }
        .origin()
        .ascii_serialization();

        if self.token.is_some() && self.mode != Mode::Bearer {
            return Err(config(
                "a token is only used in bearer mode: add .mode(Mode::Bearer)".to_owned(),
            ));
        }

        let http = http_client(self.mode)
            .map_err(|error| config(format!("the HTTP client could not be built: {error}")))?;

        Ok(AuthClient::from_parts(
            Arc::new(Shared {
                http,
                root,
                origin,
                mode: self.mode,
                token: Mutex::new(self.token),
                impersonator_token: Mutex::new(None),
                #[cfg(not(target_arch = "wasm32"))]
                two_factor_cookies: Mutex::new(Vec::new()),
            }),
            SessionStore::new(),
        ))
    }
}

fn parse_http_url(text: &str) -> Option<Url> {
    let url = Url::parse(text).ok()?;
    let has_host = url.host_str().is_some_and(|host| !host.is_empty());
    (matches!(url.scheme(), "http" | "https") && has_host && url.username().is_empty())
        .then_some(url)
}

#[cfg(not(target_arch = "wasm32"))]
fn http_client(mode: Mode) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        // The server records it on the session ("signed in from ...").
        .user_agent(concat!("nanoauth-client/", env!("CARGO_PKG_VERSION")))
        // The session cookie only in cookie mode: a bearer client that also
        // kept cookies would carry two credentials.
        .cookie_store(mode == Mode::Cookie)
        .build()
}

#[cfg(target_arch = "wasm32")]
fn http_client(_mode: Mode) -> reqwest::Result<reqwest::Client> {
    // The browser keeps the cookies and sets `Origin` and `User-Agent`.
    reqwest::Client::builder().build()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    type Client = AuthClient<serde_json::Value>;

    fn config_error(result: Result<Client, ClientError>) -> String {
        match result {
            Err(ClientError::Config(error)) => error.to_string(),
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn endpoints_join_base_url_and_base_path() {
        let client = Client::new("http://127.0.0.1:3000").unwrap();
        assert_eq!(
            client.endpoint("/signin/email").as_str(),
            "http://127.0.0.1:3000/api/auth/signin/email"
        );
        let client = Client::builder("https://Example.com:443/app/?q=1#x")
            .base_path("/auth/")
            .build()
            .unwrap();
        assert_eq!(
            client.endpoint("/session").as_str(),
            "https://example.com/app/auth/session"
        );
    }

    #[test]
    fn the_origin_is_the_base_urls_unless_set() {
        let client = Client::new("HTTP://LocalHost:80/some/path").unwrap();
        assert_eq!(client.origin(), "http://localhost");
        let client = Client::builder("http://127.0.0.1:3000")
            .origin("http://localhost:3000/")
            .build()
            .unwrap();
        assert_eq!(client.origin(), "http://localhost:3000");
    }

    #[test]
    fn invalid_configurations_are_refused() {
        for url in [
            "",
            "localhost:3000",
            "ftp://example.com",
            "http://user@example.com",
            "/api",
        ] {
            let message = config_error(Client::new(url));
            assert!(message.contains("invalid base URL"), "{url}: {message}");
        }
        let message = config_error(Client::builder("http://h").base_path("api").build());
        assert!(message.contains("invalid base path"));
        let message = config_error(Client::builder("http://h").base_path("/a//b").build());
        assert!(message.contains("invalid base path"));
        let message = config_error(Client::builder("http://h").origin("null").build());
        assert!(message.contains("invalid origin"));
        let message = config_error(
            Client::builder("http://h")
                .token(SessionToken::new("t"))
                .build(),
        );
        assert!(message.contains("bearer mode"));
    }

    #[test]
    fn a_restored_token_is_kept_in_bearer_mode() {
        let client = Client::builder("http://h")
            .mode(Mode::Bearer)
            .token(SessionToken::new("saved"))
            .build()
            .unwrap();
        assert_eq!(client.token().unwrap().expose_secret(), "saved");
        // Debug output never shows it.
        assert!(!format!("{client:?}").contains("saved"));
    }
}
