//! Why a call failed, grouped by who failed: the server said no, the
//! network failed, the server's answer made no sense, or the caller's
//! configuration or input was wrong.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use http::StatusCode;

/// The error of every [`AuthClient`](crate::AuthClient) call.
///
/// It is `Clone` (sources are shared), so the
/// [`SessionStore`](crate::SessionStore) can hand it to every subscriber.
///
/// ```
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) {
/// use nanoauth_client::ClientError;
///
/// match client.sign_in_email("ada@example.com", "wrong password").await {
///     Ok(outcome) => println!("signed in: {}", !outcome.is_two_factor_required()),
///     Err(ClientError::Api { code, message, .. }) if code == "INVALID_CREDENTIALS" => {
///         println!("{message}") // show the server's message to the user
///     }
///     Err(error) => eprintln!("try again later: {error}"),
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server refused the request with NanoAuth's error body
    /// `{"error":{"code","message"}}`. The codes are listed in NanoAuth's
    /// `docs/architecture.md` (`INVALID_CREDENTIALS`, `USER_ALREADY_EXISTS`,
    /// `INVALID_ORIGIN`, ...).
    Api {
        /// The HTTP status (4xx or 5xx).
        status: StatusCode,
        /// The stable, machine-readable code, e.g. `INVALID_CREDENTIALS`.
        code: String,
        /// A message fit to show to the end user.
        message: String,
    },
    /// No answer: the server could not be reached, the connection broke, or
    /// the request timed out.
    Network(NetworkError),
    /// An answer that is not what NanoAuth sends: a body that does not
    /// match the expected JSON (a user type that does not fit the server's,
    /// say), or an error status without NanoAuth's error body (a proxy's
    /// 502 page).
    Decode(DecodeError),
    /// The server accepted the credentials, but the session lookup right
    /// after found no session. In a browser this usually means the session
    /// cookie was not kept (third-party cookies blocked, or a `Secure`
    /// cookie over plain http): serve the API from the same site, or use
    /// [`Mode::Bearer`](crate::Mode::Bearer).
    SessionNotKept,
    /// The client was misconfigured or misused: an invalid base URL or base
    /// path, sign-up fields that are not a JSON object, or an HTTP client
    /// that could not be built.
    Config(ConfigError),
}

impl ClientError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } => Some(*status),
            Self::Decode(error) => error.status(),
            Self::Network(_) | Self::SessionNotKept | Self::Config(_) => None,
        }
    }

    /// The server's error code, for [`ClientError::Api`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                status,
                code,
                message,
            } => write!(f, "{message} ({code}, {status})"),
            Self::Network(error) => error.fmt(f),
            Self::Decode(error) => error.fmt(f),
            Self::SessionNotKept => f.write_str(
                "signed in, but the server found no session right after: \
                 the session cookie was not kept",
            ),
            Self::Config(error) => error.fmt(f),
        }
    }
}

impl StdError for ClientError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Network(error) => error.source(),
            Self::Decode(error) => error.source(),
            Self::Api { .. } | Self::SessionNotKept | Self::Config(_) => None,
        }
    }
}

/// The request got no answer. Its text is the HTTP client's; the causes
/// below it (connection refused, DNS, TLS...) are its
/// [`source`](StdError::source) chain.
#[derive(Clone)]
pub struct NetworkError {
    source: Arc<reqwest::Error>,
}

impl NetworkError {
    pub(crate) fn new(source: reqwest::Error) -> Self {
        Self {
            source: Arc::new(source),
        }
    }

    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        self.source.is_timeout()
    }

    /// No connection could be made (server down, wrong port, DNS failure).
    pub fn is_connect(&self) -> bool {
        // reqwest on wasm has no connect errors: `fetch` only says it failed.
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.source.is_connect()
        }
        #[cfg(target_arch = "wasm32")]
        {
            false
        }
    }
}

impl fmt::Debug for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NetworkError").field(&self.source).finish()
    }
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // reqwest's own text names the URL; its causes are in `source()`.
        write!(f, "network error: {}", self.source)
    }
}

impl StdError for NetworkError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        // The HTTP client's own text is already in `Display`: skip to its
        // cause, so printing the chain does not repeat it.
        self.source.source()
    }
}

/// The server answered with something NanoAuth does not send.
#[derive(Clone)]
pub struct DecodeError {
    status: Option<StatusCode>,
    detail: String,
    source: Option<Arc<serde_json::Error>>,
}

impl DecodeError {
    /// A body that did not parse as the expected JSON.
    pub(crate) fn json(status: StatusCode, source: serde_json::Error) -> Self {
        Self {
            status: Some(status),
            detail: format!("unexpected JSON: {source}"),
            source: Some(Arc::new(source)),
        }
    }

    /// An error status without NanoAuth's error body; `body` is the start
    /// of what came instead.
    pub(crate) fn unexpected_error(status: StatusCode, body: &[u8]) -> Self {
        const SHOWN: usize = 200;
        let text = String::from_utf8_lossy(body);
        let mut shown: String = text.chars().take(SHOWN).collect();
        if text.chars().count() > SHOWN {
            shown.push_str("...");
        }
        Self {
            status: Some(status),
            detail: format!("an error without NanoAuth's error body: {shown:?}"),
            source: None,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("detail", &self.detail)
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "unexpected answer ({status}): {}", self.detail),
            None => write!(f, "unexpected answer: {}", self.detail),
        }
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|error| error as &(dyn StdError + 'static))
    }
}

/// The client's configuration or input is invalid.
#[derive(Clone, Debug)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client configuration: {}", self.message)
    }
}

impl StdError for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_expose_status_and_code() {
        let error = ClientError::Api {
            status: StatusCode::UNAUTHORIZED,
            code: "INVALID_CREDENTIALS".into(),
            message: "Invalid email or password".into(),
        };
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(error.code(), Some("INVALID_CREDENTIALS"));
        assert_eq!(
            error.to_string(),
            "Invalid email or password (INVALID_CREDENTIALS, 401 Unauthorized)"
        );
    }

    #[test]
    fn unexpected_error_bodies_are_cut_short() {
        let body = "x".repeat(1000);
        let error = DecodeError::unexpected_error(StatusCode::BAD_GATEWAY, body.as_bytes());
        assert!(error.to_string().len() < 300);
        let error = ClientError::Decode(error);
        assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
        assert_eq!(error.code(), None);
    }
}
