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
}
