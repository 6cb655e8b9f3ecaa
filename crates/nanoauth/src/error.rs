//! The one error type of NanoAuth, and how it looks on the wire.
//!
//! Every variant knows its HTTP status and a stable `code`, which is what
//! clients branch on. Messages are safe to show to end users; internal detail
//! (driver errors, hashing failures) is reachable only through
//! [`std::error::Error::source`], never in a response.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use crate::adapter::AdapterError;

/// Everything that can go wrong in NanoAuth, grouped by who failed.
///
/// ```
/// use nanoauth::Error;
/// let error = Error::InvalidCredentials;
/// assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(error.code(), "INVALID_CREDENTIALS");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    // --- The request is malformed -------------------------------------------
    /// No endpoint at this path (`NOT_FOUND`, 404).
    NotFound,
    /// The path exists, but not for this method (`METHOD_NOT_ALLOWED`, 405).
    MethodNotAllowed,
    /// A body that is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`, 415).
    UnsupportedMediaType,
    /// The body is larger than the configured limit (`PAYLOAD_TOO_LARGE`, 413).
    PayloadTooLarge,
    /// The body is not well-formed JSON (`INVALID_JSON`, 400).
    InvalidJson(String),
    /// Well-formed JSON of the wrong shape: a missing or mistyped field, a
    /// duplicate key, a NUL character (`INVALID_BODY`, 400).
    InvalidBody(String),
    /// Not an email address (`INVALID_EMAIL`, 400).
    InvalidEmail,
    /// The new password is shorter than allowed (`PASSWORD_TOO_SHORT`, 400).
    PasswordTooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// A single-use token that is unknown, already used, or for another
    /// purpose (`INVALID_TOKEN`, 400).
    InvalidToken,
    /// A single-use token past its expiry (`TOKEN_EXPIRED`, 400).
    TokenExpired,
    /// The current password given to change it is wrong
    /// (`INVALID_PASSWORD`, 400).
    InvalidPassword,
    /// A `callbackURL` / `redirectTo` that is neither a path on this site
    /// nor a URL on a trusted origin (`INVALID_REDIRECT`, 400).
    InvalidRedirect,
    /// The password is longer than allowed (`PASSWORD_TOO_LONG`, 400).
    PasswordTooLong {
        /// The maximum, in characters.
        max: usize,
    },

    // --- The caller is not allowed ------------------------------------------
    /// A state-changing request from an untrusted origin (`INVALID_ORIGIN`, 403).
    InvalidOrigin,
    /// Signing in needs a verified email address first
    /// (`EMAIL_NOT_VERIFIED`, 403).
    EmailNotVerified,
    /// The endpoint needs a signed-in user (`UNAUTHORIZED`, 401).
    Unauthorized,
    /// The endpoint needs a session signed in recently (see
    /// [`AuthBuilder::session_fresh_age`](crate::AuthBuilder::session_fresh_age));
    /// signing in again makes it fresh (`SESSION_NOT_FRESH`, 403).
    SessionNotFresh,
    /// Wrong email or password; deliberately silent about which
    /// (`INVALID_CREDENTIALS`, 401).
    InvalidCredentials,
    /// Too many attempts from this client or on this account
    /// (`RATE_LIMITED`, 429, with `Retry-After`).
    RateLimited {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },

    // --- The request conflicts with stored state ----------------------------
    /// Sign-up with an email that already has an account
    /// (`USER_ALREADY_EXISTS`, 409).
    UserAlreadyExists,
    /// No session of the signed-in user has this id (`SESSION_NOT_FOUND`, 404).
    SessionNotFound,
    /// A plugin's exported method was called, but the plugin was never added
    /// to this `Auth` (`PLUGIN_NOT_ENABLED`, 500: a programming error).
    PluginNotEnabled(&'static str),

    // --- A plugin's own error ------------------------------------------------
    /// An error defined by a plugin outside the core, see [`Error::plugin`].
    Plugin {
        /// The HTTP status.
        status: StatusCode,
        /// The stable code, `SCREAMING_SNAKE_CASE`.
        code: &'static str,
        /// A message safe to show to the end user.
        message: Cow<'static, str>,
    },

    // --- NanoAuth's side ----------------------------------------------------
    /// Too much work is already waiting (a full password-hashing queue):
    /// the request was refused before any of it was done (`SERVER_BUSY`,
    /// 503, with `Retry-After`).
    Busy {
        /// Seconds after which a retry is likely to be taken.
        retry_after_secs: u64,
    },
    /// The adapter failed (503 when the database is unreachable, 400 for
    /// input it cannot store, 500 otherwise).
    Adapter(AdapterError),
    /// Something inside NanoAuth failed: randomness, hashing, a cancelled
    /// blocking job (`INTERNAL_ERROR`, 500).
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// An error of a plugin outside the core, with its own status and code.
    ///
    /// ```
    /// use nanoauth::Error;
    /// use http::StatusCode;
    /// let error = Error::plugin(StatusCode::GONE, "LINK_EXPIRED", "This link has expired.");
    /// assert_eq!(error.code(), "LINK_EXPIRED");
    /// ```
    pub fn plugin(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::Plugin {
            status,
            code,
            message: message.into(),
        }
    }

    /// Wraps an internal failure; its detail stays out of responses.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::SessionNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidJson(_)
            | Self::InvalidBody(_)
            | Self::InvalidEmail
            | Self::InvalidRedirect
            | Self::InvalidToken
            | Self::TokenExpired
            | Self::InvalidPassword
            | Self::PasswordTooShort { .. }
            | Self::PasswordTooLong { .. } => StatusCode::BAD_REQUEST,
            Self::InvalidOrigin | Self::EmailNotVerified | Self::SessionNotFresh => {
                StatusCode::FORBIDDEN
            }
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::UserAlreadyExists => StatusCode::CONFLICT,
            Self::Plugin { status, .. } => *status,
            Self::Adapter(error) => error.status(),
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::PluginNotEnabled(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, documented code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::InvalidJson(_) => "INVALID_JSON",
            Self::InvalidBody(_) => "INVALID_BODY",
            Self::InvalidEmail => "INVALID_EMAIL",
            Self::InvalidRedirect => "INVALID_REDIRECT",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::InvalidPassword => "INVALID_PASSWORD",
            Self::PasswordTooShort { .. } => "PASSWORD_TOO_SHORT",
            Self::PasswordTooLong { .. } => "PASSWORD_TOO_LONG",
            Self::InvalidOrigin => "INVALID_ORIGIN",
            Self::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::SessionNotFresh => "SESSION_NOT_FRESH",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::UserAlreadyExists => "USER_ALREADY_EXISTS",
            Self::SessionNotFound => "SESSION_NOT_FOUND",
            Self::PluginNotEnabled(_) => "PLUGIN_NOT_ENABLED",
            Self::Plugin { code, .. } => code,
            Self::Adapter(error) => error.code(),
            Self::Busy { .. } => "SERVER_BUSY",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// A message safe to show to the end user.
    pub fn message(&self) -> Cow<'static, str> {
        let text = match self {
            Self::NotFound => "No such endpoint.",
            Self::MethodNotAllowed => "This endpoint does not accept that method.",
            Self::UnsupportedMediaType => "The request body must be JSON (application/json).",
            Self::PayloadTooLarge => "The request body is too large.",
            Self::InvalidJson(detail) => {
                return format!("The body is not valid JSON: {detail}.").into();
            }
            Self::InvalidBody(detail) => return format!("Invalid request body: {detail}.").into(),
            Self::InvalidEmail => "That is not a valid email address.",
            Self::InvalidRedirect => "The redirect target is not allowed.",
            Self::InvalidToken => "This link is invalid or has already been used.",
            Self::TokenExpired => "This link has expired. Ask for a new one.",
            Self::InvalidPassword => "The current password is not correct.",
            Self::PasswordTooShort { min } => {
                return format!("The password must have at least {min} characters.").into();
            }
            Self::PasswordTooLong { max } => {
                return format!("The password must have at most {max} characters.").into();
            }
            Self::InvalidOrigin => "This request must come from a trusted origin.",
            Self::EmailNotVerified => "Verify your email address first: we sent you a link.",
            Self::Unauthorized => "You must be signed in.",
            Self::SessionNotFresh => "Sign in again to do this.",
            Self::InvalidCredentials => "Invalid email or password.",
            Self::RateLimited { retry_after_secs } => {
                return format!("Too many attempts. Try again in {retry_after_secs} seconds.")
                    .into();
            }
            Self::UserAlreadyExists => "An account with this email already exists.",
            Self::SessionNotFound => "No such session.",
            Self::PluginNotEnabled(name) => {
                return format!("The {name} plugin is not enabled.").into();
            }
            Self::Plugin { message, .. } => return message.clone(),
            Self::Adapter(error) => return error.message().into(),
            Self::Busy { retry_after_secs } => {
                return format!("The server is busy. Try again in {retry_after_secs} seconds.")
                    .into();
            }
            Self::Internal(_) => "Something went wrong on our side.",
        };
        Cow::Borrowed(text)
    }

    /// The JSON error body, `{"error":{"code","message"}}`.
    pub fn to_json(&self) -> Bytes {
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.message() }
        });
        Bytes::from(body.to_string())
    }

    /// The complete HTTP response for this error.
    pub fn into_response(self) -> Response<Bytes> {
        let mut response = Response::new(self.to_json());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Self::RateLimited { retry_after_secs } | Self::Busy { retry_after_secs } = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Adapter(error) => Some(error),
            Self::Internal(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

impl From<AdapterError> for Error {
    fn from(error: AdapterError) -> Self {
        Self::Adapter(error)
    }
}

impl From<crate::utils::token::RandomError> for Error {
    fn from(error: crate::utils::token::RandomError) -> Self {
        Self::internal(error)
    }
}

impl From<crate::runtime::JobCancelled> for Error {
    fn from(error: crate::runtime::JobCancelled) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_stable() -> Result<(), serde_json::Error> {
        let body: serde_json::Value = serde_json::from_slice(&Error::InvalidCredentials.to_json())?;
        assert_eq!(body["error"]["code"], "INVALID_CREDENTIALS");
        assert_eq!(body["error"]["message"], "Invalid email or password.");
        Ok(())
    }

    #[test]
    fn internal_detail_stays_out_of_the_message() {
        let error = Error::internal(std::io::Error::other("db password is hunter2"));
        assert!(!error.message().contains("hunter2"));
        assert!(std::error::Error::source(&error).is_some());
    }
}
