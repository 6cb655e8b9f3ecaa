//! The admin plugin's calls (`/admin/*`, the server's `nanoauth-admin`):
//! users listed and searched, roles, passwords, bans, sessions, removal.

use std::fmt;

use http::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::builder::Mode;
use crate::client::AuthClient;
use crate::error::ClientError;
use crate::session::{Session, SessionInfo};

/// The admin calls of a client, from
/// [`AuthClient::admin`](crate::AuthClient::admin), for a signed-in
/// administrator.
///
/// ```no_run
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
/// use nanoauth_client::UserListQuery;
///
/// let page = client.admin().list_users(&UserListQuery::search("ada").limit(20)).await?;
/// for user in &page.users {
///     println!("{} banned: {}", user.user["email"], user.banned);
/// }
/// if let Some(user) = page.users.first() {
///     client.admin().ban_user(&user.user["id"].as_str().unwrap_or_default(), Some("Spam"), Some(7 * 86_400)).await?;
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Every call fails with [`ClientError::Api`] as the server says:
/// `FORBIDDEN` (403: not an administrator), `UNAUTHORIZED` (401),
/// `USER_NOT_FOUND` (404), `CANNOT_ACT_ON_SELF` (403), `INVALID_ROLE`
/// (400), and with [`ClientError::Network`] or [`ClientError::Decode`].
pub struct Admin<'a, U> {
    client: &'a AuthClient<U>,
}

impl<U> fmt::Debug for Admin<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admin")
            .field("client", self.client)
            .finish()
    }
}

/// A user as administrators see them: the user, their roles and ban.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdminUserView<U> {
    /// The application's user.
    #[serde(flatten)]
    pub user: U,
    /// Their roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Whether a ban is in force.
    #[serde(default)]
    pub banned: bool,
    /// Why, when banned.
    #[serde(default)]
    pub ban_reason: Option<String>,
    /// When the ban lifts by itself (Unix seconds).
    #[serde(default)]
    pub ban_expires_at: Option<u64>,
}

/// One page of users (`GET /admin/users`), ordered by email address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserList<U> {
    /// The users.
    pub users: Vec<AdminUserView<U>>,
    /// The cursor of the next page, `None` after the last.
    pub next_cursor: Option<String>,
}

/// Which users to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserListQuery {
    /// A prefix of the address or the name.
    pub query: Option<String>,
    /// Only users holding this role.
    pub role: Option<String>,
    /// At most this many (the server's default 50, at most 200).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl UserListQuery {
    /// Every user, first page.
    pub fn all() -> Self {
        Self::default()
    }

    /// Users whose address or name starts with `prefix`.
    pub fn search(prefix: impl Into<String>) -> Self {
        Self {
            query: Some(prefix.into()),
            ..Self::default()
        }
    }

    /// Only users holding `role`.
    #[must_use]
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// At most `limit` users.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The page after `cursor`.
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    fn to_query_string(&self) -> String {
        let limit = self.limit.map(|limit| limit.to_string());
        let pairs: Vec<String> = [
            ("query", self.query.as_deref()),
            ("role", self.role.as_deref()),
            ("limit", limit.as_deref()),
            ("cursor", self.cursor.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| format!("{name}={}", encode(value))))
        .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[derive(Deserialize)]
struct UserAnswer<U> {
    user: AdminUserView<U>,
}

#[derive(Deserialize)]
struct Sessions {
    sessions: Vec<AdminSession>,
}

#[derive(Deserialize)]
struct Revoked {
    revoked: u64,
}

/// A session in a user's list: an impersonation names the administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdminSession {
    /// The session's public record.
    #[serde(flatten)]
    pub session: SessionInfo,
    /// The administrator impersonating the user in it, if any.
    #[serde(default)]
    pub impersonated_by: Option<String>,
}

impl<'a, U: DeserializeOwned + Clone> Admin<'a, U> {
    pub(crate) fn new(client: &'a AuthClient<U>) -> Self {
        Self { client }
    }

    /// A page of users (`GET /admin/users`).
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn list_users(&self, query: &UserListQuery) -> Result<UserList<U>, ClientError> {
        let path = format!("/admin/users{}", query.to_query_string());
        self.client
            .send(self.client.request(Method::GET, &path))
            .await
    }

    /// One user (`GET /admin/get-user`).
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn get_user(&self, user_id: &str) -> Result<AdminUserView<U>, ClientError> {
        let path = format!("/admin/get-user?userId={}", encode(user_id));
        self.client
            .send::<UserAnswer<U>>(self.client.request(Method::GET, &path))
            .await
            .map(|answer| answer.user)
    }

    /// Creates a user (`POST /admin/create-user`): `{email, password?,
    /// name?, role?, data?}`.
    ///
    /// # Errors
    /// As [`Admin`]; `USER_ALREADY_EXISTS` (409).
    pub async fn create_user(&self, body: &Value) -> Result<AdminUserView<U>, ClientError> {
        self.user("/admin/create-user", body).await
    }

    /// Sets a user's roles (`POST /admin/set-role`); taking one away ends
    /// their sessions.
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn set_role(
        &self,
        user_id: &str,
        roles: &[&str],
    ) -> Result<AdminUserView<U>, ClientError> {
        self.user(
            "/admin/set-role",
            &json!({ "userId": user_id, "role": roles }),
        )
        .await
    }

    /// Sets a user's password and ends their sessions
    /// (`POST /admin/set-user-password`); answers how many ended.
    ///
    /// # Errors
    /// As [`Admin`]; `PASSWORD_TOO_SHORT` / `PASSWORD_TOO_LONG` (400).
    pub async fn set_user_password(
        &self,
        user_id: &str,
        new_password: &str,
    ) -> Result<u64, ClientError> {
        self.post::<Revoked>(
            "/admin/set-user-password",
            &json!({ "userId": user_id, "newPassword": new_password }),
        )
        .await
        .map(|answer| answer.revoked)
    }

    /// Bans a user (`POST /admin/ban-user`): every sign-in refused with
    /// `BANNED`, their sessions ended now; `expires_in` seconds, or until
    /// lifted.
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn ban_user(
        &self,
        user_id: &str,
        reason: Option<&str>,
        expires_in: Option<u64>,
    ) -> Result<AdminUserView<U>, ClientError> {
        self.user(
            "/admin/ban-user",
            &json!({ "userId": user_id, "reason": reason, "expiresIn": expires_in }),
        )
        .await
    }

    /// Lifts a ban (`POST /admin/unban-user`).
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn unban_user(&self, user_id: &str) -> Result<AdminUserView<U>, ClientError> {
        self.user("/admin/unban-user", &json!({ "userId": user_id }))
            .await
    }

    /// Removes a user and everything stored of them
    /// (`POST /admin/remove-user`).
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn remove_user(&self, user_id: &str) -> Result<(), ClientError> {
        self.post::<IgnoredAny>("/admin/remove-user", &json!({ "userId": user_id }))
            .await
            .map(drop)
    }

    /// A user's sessions, newest first (`POST /admin/list-user-sessions`).
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn list_user_sessions(
        &self,
        user_id: &str,
    ) -> Result<Vec<AdminSession>, ClientError> {
        self.post::<Sessions>("/admin/list-user-sessions", &json!({ "userId": user_id }))
            .await
            .map(|answer| answer.sessions)
    }

    /// Ends one session of a user (`POST /admin/revoke-user-session`).
    ///
    /// # Errors
    /// As [`Admin`]; `SESSION_NOT_FOUND` (404).
    pub async fn revoke_user_session(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<(), ClientError> {
        self.post::<IgnoredAny>(
            "/admin/revoke-user-session",
            &json!({ "userId": user_id, "sessionId": session_id }),
        )
        .await
        .map(drop)
    }

    /// Ends every session of a user (`POST /admin/revoke-user-sessions`);
    /// answers how many.
    ///
    /// # Errors
    /// As [`Admin`].
    pub async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, ClientError> {
        self.post::<Revoked>("/admin/revoke-user-sessions", &json!({ "userId": user_id }))
            .await
            .map(|answer| answer.revoked)
    }

    /// Signs this client in as `user_id` (`POST /admin/impersonate-user`)
    /// and answers the new session, which carries `impersonatedBy`. It lasts
    /// an hour at most and cannot be renewed; administration is refused
    /// while it lasts. The administrator's own session waits: in a cookie
    /// the server sets (cookie mode), or kept by this client (bearer mode).
    ///
    /// ```no_run
    /// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
    /// let as_user = client.admin().impersonate_user("user-id").await?;
    /// assert!(as_user.session.attribute_str("impersonatedBy").is_some());
    /// // ... look at the app as that user sees it ...
    /// let mine = client.admin().stop_impersonating().await?;
    /// assert!(mine.is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Admin`]; `FORBIDDEN` (403) for an administrator or a user
    /// ranked at or above the caller.
    pub async fn impersonate_user(&self, user_id: &str) -> Result<Session<U>, ClientError> {
        let own = self.client.token();
        let session = self
            .client
            .start_session("/admin/impersonate-user", Ok(json!({ "userId": user_id })))
            .await?;
        if self.client.mode() == Mode::Bearer {
            self.client.keep_impersonator_token(own);
        }
        Ok(session)
    }

    /// Ends the impersonation (`POST /admin/stop-impersonating`): the
    /// server revokes the impersonation session, and the administrator's
    /// own session comes back with its original expiry. Answers that
    /// session (`None` if it ended meanwhile).
    ///
    /// # Errors
    /// As [`Admin`]; [`ClientError::Network`].
    pub async fn stop_impersonating(&self) -> Result<Option<Session<U>>, ClientError> {
        self.post::<IgnoredAny>("/admin/stop-impersonating", &json!({}))
            .await?;
        // Bearer mode: the server had no cookie to restore from; this
        // client kept the administrator's token itself.
        if !self.client.restore_impersonator_token() && self.client.mode() == Mode::Bearer {
            self.client.clear_token();
        }
        self.client.session().await
    }

    async fn user(&self, path: &str, body: &Value) -> Result<AdminUserView<U>, ClientError> {
        self.post::<UserAnswer<U>>(path, body)
            .await
            .map(|answer| answer.user)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ClientError> {
        self.client
            .send(self.client.request(Method::POST, path).json(body))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded() {
        assert_eq!(UserListQuery::all().to_query_string(), "");
        assert_eq!(
            UserListQuery::search("a b&c")
                .role("admin")
                .limit(5)
                .to_query_string(),
            "?query=a%20b%26c&role=admin&limit=5"
        );
        assert_eq!(
            UserListQuery::all()
                .cursor("ada@example.com")
                .to_query_string(),
            "?cursor=ada%40example.com"
        );
    }
}
