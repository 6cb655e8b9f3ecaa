//! What can go wrong in social sign-in, grouped by who failed. Each variant
//! has an HTTP status and a stable code; the callback sends the code back
//! to the application as `?error=CODE`.

use std::borrow::Cow;

use http::StatusCode;

/// A failed social sign-in, link or unlink.
///
/// ```
/// use nanoauth_oauth::OAuthError;
/// assert_eq!(OAuthError::InvalidState.code(), "INVALID_STATE");
/// let error: nanoauth::Error = OAuthError::AccessDenied.into();
/// assert_eq!(error.code(), "ACCESS_DENIED");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    // --- The request ---------------------------------------------------------
    /// No provider with this id is configured (`PROVIDER_NOT_FOUND`, 404).
    ProviderNotFound,
    /// The `state` is unknown, used, expired or for another provider: a
    /// forged or replayed callback (`INVALID_STATE`, 400).
    InvalidState,
    /// The callback was followed in another browser than the one that
    /// started the sign-in (no or another binding cookie): a login CSRF
    /// attempt, or a link opened elsewhere (`STATE_MISMATCH`, 400).
    StateMismatch,
    /// The callback has no `code` (`INVALID_CALLBACK`, 400).
    InvalidCallback,

    // --- The user --------------------------------------------------------------
    /// The user declined consent at the provider (`ACCESS_DENIED`, 403).
    AccessDenied,
    /// The provider gave no usable email address (`EMAIL_REQUIRED`, 400).
    EmailRequired,
    /// An account with this email exists and is not linked to this provider
    /// account; sign in and link it first (`ACCOUNT_NOT_LINKED`, 409).
    AccountNotLinked,
    /// This provider account is linked to another user
    /// (`ACCOUNT_ALREADY_LINKED`, 409).
    AccountAlreadyLinked,
    /// The user has no such linked account (`ACCOUNT_NOT_FOUND`, 404).
    AccountNotFound,
    /// Unlinking would leave the user without a way to sign in
    /// (`LAST_ACCOUNT`, 409).
    LastAccount,

    // --- The provider ----------------------------------------------------------
    /// The provider cannot be reached, timed out or answered 5xx
    /// (`PROVIDER_UNAVAILABLE`, 502).
    ProviderUnavailable,
    /// The callback names another issuer than the one this sign-in went to
    /// (RFC 9207; a mix-up attack) (`ISSUER_MISMATCH`, 400).
    IssuerMismatch,
    /// The provider refused the authorization code: already used, expired
    /// or not ours (`INVALID_CODE`, 400).
    InvalidCode,
    /// The provider answered something that does not follow the protocol
    /// (`PROVIDER_ERROR`, 502).
    ProviderError,
    /// The ID token is malformed, or lacks a required claim
    /// (`INVALID_ID_TOKEN`, 401).
    InvalidIdToken,
    /// The ID token's signature does not verify against the provider's
    /// keys (`ID_TOKEN_INVALID_SIGNATURE`, 401).
    IdTokenSignature,
    /// The ID token was issued by someone else (`ID_TOKEN_INVALID_ISSUER`, 401).
    IdTokenIssuer,
    /// The ID token was issued to another client (`ID_TOKEN_INVALID_AUDIENCE`, 401).
    IdTokenAudience,
    /// The ID token has expired (`ID_TOKEN_EXPIRED`, 401).
    IdTokenExpired,
    /// The ID token's `nonce` is not the one this sign-in sent: a replayed
    /// or injected token (`ID_TOKEN_INVALID_NONCE`, 401).
    IdTokenNonce,
}

impl OAuthError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::ProviderNotFound | Self::AccountNotFound => StatusCode::NOT_FOUND,
            Self::InvalidState
            | Self::StateMismatch
            | Self::InvalidCallback
            | Self::EmailRequired
            | Self::InvalidCode
            | Self::IssuerMismatch => StatusCode::BAD_REQUEST,
            Self::AccessDenied => StatusCode::FORBIDDEN,
            Self::AccountNotLinked | Self::AccountAlreadyLinked | Self::LastAccount => {
                StatusCode::CONFLICT
            }
            Self::ProviderUnavailable | Self::ProviderError => StatusCode::BAD_GATEWAY,
            Self::InvalidIdToken
            | Self::IdTokenSignature
            | Self::IdTokenIssuer
            | Self::IdTokenAudience
            | Self::IdTokenExpired
            | Self::IdTokenNonce => StatusCode::UNAUTHORIZED,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ProviderNotFound => "PROVIDER_NOT_FOUND",
            Self::InvalidState => "INVALID_STATE",
            Self::StateMismatch => "STATE_MISMATCH",
            Self::InvalidCallback => "INVALID_CALLBACK",
            Self::AccessDenied => "ACCESS_DENIED",
            Self::EmailRequired => "EMAIL_REQUIRED",
            Self::AccountNotLinked => "ACCOUNT_NOT_LINKED",
            Self::AccountAlreadyLinked => "ACCOUNT_ALREADY_LINKED",
            Self::AccountNotFound => "ACCOUNT_NOT_FOUND",
            Self::LastAccount => "LAST_ACCOUNT",
            Self::ProviderUnavailable => "PROVIDER_UNAVAILABLE",
            Self::InvalidCode => "INVALID_CODE",
            Self::IssuerMismatch => "ISSUER_MISMATCH",
            Self::ProviderError => "PROVIDER_ERROR",
            Self::InvalidIdToken => "INVALID_ID_TOKEN",
            Self::IdTokenSignature => "ID_TOKEN_INVALID_SIGNATURE",
            Self::IdTokenIssuer => "ID_TOKEN_INVALID_ISSUER",
            Self::IdTokenAudience => "ID_TOKEN_INVALID_AUDIENCE",
            Self::IdTokenExpired => "ID_TOKEN_EXPIRED",
            Self::IdTokenNonce => "ID_TOKEN_INVALID_NONCE",
        }
    }

    /// A message safe to show to the end user.
    pub fn message(&self) -> &'static str {
        match self {
            Self::ProviderNotFound => "This sign-in provider is not configured.",
            Self::InvalidState => "This sign-in attempt is invalid or has expired. Try again.",
            Self::StateMismatch => {
                "This sign-in was started in another browser. Start it again here."
            }
            Self::InvalidCallback => "The provider's answer is incomplete. Try again.",
            Self::AccessDenied => "Sign-in was cancelled at the provider.",
            Self::EmailRequired => "The provider did not share an email address.",
            Self::AccountNotLinked => {
                "An account with this email exists. Sign in to it, then link this provider."
            }
            Self::AccountAlreadyLinked => "This provider account is linked to another user.",
            Self::AccountNotFound => "No such linked account.",
            Self::LastAccount => "This is your only way to sign in; it cannot be unlinked.",
            Self::ProviderUnavailable => "The sign-in provider is unavailable. Try again later.",
            Self::InvalidCode => "This sign-in attempt was already used or has expired.",
            Self::IssuerMismatch => "The answer came from another provider than expected.",
            Self::ProviderError => "The sign-in provider answered unexpectedly.",
            Self::InvalidIdToken
            | Self::IdTokenSignature
            | Self::IdTokenIssuer
            | Self::IdTokenAudience
            | Self::IdTokenExpired
            | Self::IdTokenNonce => "The provider's identity token was refused.",
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for OAuthError {}

impl From<OAuthError> for nanoauth::Error {
    fn from(error: OAuthError) -> Self {
        nanoauth::Error::plugin(error.status(), error.code(), Cow::Borrowed(error.message()))
    }
}
