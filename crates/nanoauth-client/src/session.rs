//! The session as the server sends it (`GET /api/auth/session`).

use serde::{Deserialize, Serialize};

/// A signed-in user and their session: the JSON `{user, session}`.
///
/// `U` is the application's user type, as the server serializes it. Fields
/// the server adds later are ignored, so an older client keeps working.
///
/// ```
/// use nanoauth_client::Session;
///
/// #[derive(Clone, Debug, serde::Deserialize)]
/// struct User { id: String, email: String, name: String }
///
/// let json = r#"{
///     "user": {"id": "u1", "email": "ada@example.com", "name": "Ada"},
///     "session": {"id": "s1", "userId": "u1", "createdAt": 1700000000,
///                 "updatedAt": 1700000000, "expiresAt": 1700604800,
///                 "ipAddress": "127.0.0.1", "userAgent": null}
/// }"#;
/// let session: Session<User> = serde_json::from_str(json)?;
/// assert_eq!(session.user.name, "Ada");
/// assert_eq!(session.session.user_id, "u1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Session<U> {
    /// The application's user.
    pub user: U,
    /// The session.
    pub session: SessionInfo,
}

/// A session's public record. Times are Unix seconds. It carries no
/// secret: the token that proves the session is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionInfo {
    /// The session's public id (the one `POST /sessions/revoke` takes).
    pub id: String,
    /// The owner's user id.
    pub user_id: String,
    /// When the session was created.
    pub created_at: u64,
    /// When the session was created or last refreshed.
    pub updated_at: u64,
    /// When the session stops being valid unless it is used (and so
    /// refreshed) before.
    pub expires_at: u64,
    /// The client's IP address at sign-in, when the server knew it.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// The client's `User-Agent` at sign-in, when one was sent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// What server plugins keep on the session, by name: the organization
    /// plugin's `activeOrganizationId`, the admin plugin's `impersonatedBy`.
    #[serde(flatten)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl SessionInfo {
    /// The attribute `name` when it is a string.
    ///
    /// ```
    /// use nanoauth_client::SessionInfo;
    /// let info: SessionInfo = serde_json::from_value(serde_json::json!({
    ///     "id": "s1", "userId": "u1", "createdAt": 1, "updatedAt": 1, "expiresAt": 2,
    ///     "impersonatedBy": "admin-1"
    /// }))?;
    /// assert_eq!(info.attribute_str("impersonatedBy"), Some("admin-1"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn attribute_str(&self, name: &str) -> Option<&str> {
        self.attributes
            .get(name)
            .and_then(serde_json::Value::as_str)
    }
}

/// What [`sign_in_email`](crate::AuthClient::sign_in_email) produced.
///
/// ```
/// use nanoauth_client::{Session, SignInOutcome};
///
/// fn describe<U>(outcome: &SignInOutcome<U>) -> &'static str {
///     match outcome {
///         SignInOutcome::SignedIn(_) => "signed in",
///         SignInOutcome::TwoFactorRequired => "ask for the code",
///         _ => "a step this app does not know",
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInOutcome<U> {
    /// Signed in: the new session.
    SignedIn(Session<U>),
    /// The password was right, but the account has two-factor on: no
    /// session exists until a second factor is given, within five minutes,
    /// through [`AuthClient::two_factor`](crate::AuthClient::two_factor).
    TwoFactorRequired,
}

impl<U> SignInOutcome<U> {
    /// The session, when the sign-in is complete.
    pub fn session(self) -> Option<Session<U>> {
        match self {
            Self::SignedIn(session) => Some(session),
            Self::TwoFactorRequired => None,
        }
    }

    /// A second factor is needed before there is a session.
    pub fn is_two_factor_required(&self) -> bool {
        matches!(self, Self::TwoFactorRequired)
    }
}
