//! The rest of the server's routes: the user's sessions, social accounts,
//! email links (magic link, password reset, email verification), changing
//! the password, account management (editing the user, a new address,
//! deleting the account), and the public keys of the JWTs.

use http::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::AuthClient;
use crate::error::{ClientError, ConfigError};
use crate::session::SessionInfo;
use crate::store::Call;

/// One of the user's sessions, as `GET /sessions` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListedSession {
    /// The session's public record.
    #[serde(flatten)]
    pub session: SessionInfo,
    /// Whether it is this client's session.
    pub current: bool,
}

/// A provider account linked to the signed-in user (`GET /list-accounts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinkedAccount {
    /// The provider's id (`github`, `google`, ...).
    pub provider: String,
    /// The user's id at the provider.
    pub account_id: String,
    /// When it was linked (Unix seconds).
    pub created_at: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SocialBody<'a> {
    #[serde(rename = "callbackURL")]
    callback_url: &'a str,
    #[serde(rename = "errorCallbackURL", skip_serializing_if = "Option::is_none")]
    error_callback_url: Option<&'a str>,
}

#[derive(Deserialize)]
struct SocialRedirect {
    url: String,
}

#[derive(Deserialize)]
struct Revoked {
    revoked: u64,
}

#[derive(Deserialize)]
struct UpdatedUser<U> {
    user: U,
}

#[derive(Deserialize)]
struct Deleted {
    deleted: bool,
}

/// How [`AuthClient::delete_user`] went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deletion {
    /// The account is gone, and this client signed out.
    Deleted,
    /// The account has no password: a link went to its address, and
    /// following it deletes. This client stays signed in until then.
    LinkSent,
}

impl<U: DeserializeOwned + Clone> AuthClient<U> {
    /// The signed-in user's sessions (`GET /sessions`), the current one
    /// marked.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401) when signed out;
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn list_sessions(&self) -> Result<Vec<ListedSession>, ClientError> {
        self.send(self.request(Method::GET, "/sessions")).await
    }

    /// Revokes one of the user's sessions (`POST /sessions/revoke`, by its
    /// public [`id`](SessionInfo::id)). Revoking this client's own session
    /// signs it out: the store's session becomes `None` and a bearer token
    /// is forgotten.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `SESSION_NOT_FOUND` (404) for an id that is
    /// not one of the user's sessions, `UNAUTHORIZED` (401);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn revoke_session(&self, id: &str) -> Result<(), ClientError> {
        let own = self
            .store()
            .get()
            .session
            .is_some_and(|session| session.session.id == id);
        let request = self
            .request(Method::POST, "/sessions/revoke")
            .json(&serde_json::json!({ "id": id }));
        self.send::<IgnoredAny>(request).await?;
        if own {
            self.forget_session();
        }
        Ok(())
    }

    /// Revokes every session of the user but this one (`POST
    /// /sessions/revoke-others`); answers how many ended.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401); [`ClientError::Network`],
    /// [`ClientError::Decode`].
    pub async fn revoke_other_sessions(&self) -> Result<u64, ClientError> {
        let request = self.request(Method::POST, "/sessions/revoke-others");
        self.send::<Revoked>(request).await.map(|body| body.revoked)
    }

    /// Starts a social sign-in (`POST /signin/{provider}`) and answers the
    /// provider's authorization URL, where the browser goes next; it comes
    /// back to `callback_url` signed in, or to `error_callback_url` (default
    /// `callback_url`) with `?error=CODE`.
    ///
    /// The server binds the attempt to a cookie it sets on this answer: the
    /// browser that follows the URL must hold it. In a browser app
    /// (`wasm32`, [`Mode::Cookie`](crate::Mode::Cookie)) it does; a native
    /// client's cookie jar is its own, so there the provider's answer is
    /// refused (`STATE_MISMATCH`).
    ///
    /// # Errors
    /// [`ClientError::Api`]: `PROVIDER_NOT_FOUND` (404), `INVALID_REDIRECT`
    /// (400); [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn sign_in_social(
        &self,
        provider: &str,
        callback_url: &str,
        error_callback_url: Option<&str>,
    ) -> Result<String, ClientError> {
        self.social("signin", provider, callback_url, error_callback_url)
            .await
    }

    /// Links an account at `provider` to the signed-in user (`POST
    /// /link/{provider}`): answers the provider's URL, as
    /// [`sign_in_social`](Self::sign_in_social) does, with the same
    /// browser-only caveat. The session must be fresh.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401), `SESSION_NOT_FRESH`
    /// (403), `PROVIDER_NOT_FOUND` (404); [`ClientError::Network`],
    /// [`ClientError::Decode`].
    pub async fn link_social(
        &self,
        provider: &str,
        callback_url: &str,
        error_callback_url: Option<&str>,
    ) -> Result<String, ClientError> {
        self.social("link", provider, callback_url, error_callback_url)
            .await
    }

    async fn social(
        &self,
        route: &str,
        provider: &str,
        callback_url: &str,
        error_callback_url: Option<&str>,
    ) -> Result<String, ClientError> {
        let path = format!("/{route}/{}", path_segment(provider)?);
        let request = self.request(Method::POST, &path).json(&SocialBody {
            callback_url,
            error_callback_url,
        });
        self.send::<SocialRedirect>(request)
            .await
            .map(|redirect| redirect.url)
    }

    /// Unlinks the signed-in user's account at `provider` (`POST
    /// /unlink/{provider}`).
    ///
    /// # Errors
    /// [`ClientError::Api`]: `ACCOUNT_NOT_FOUND` (404), `LAST_ACCOUNT`
    /// (400: the user could not sign in any more), `UNAUTHORIZED` (401);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn unlink_account(&self, provider: &str) -> Result<(), ClientError> {
        let path = format!("/unlink/{}", path_segment(provider)?);
        self.send::<IgnoredAny>(self.request(Method::POST, &path))
            .await
            .map(|_| ())
    }

    /// The provider accounts linked to the signed-in user (`GET
    /// /list-accounts`).
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401); [`ClientError::Network`],
    /// [`ClientError::Decode`].
    pub async fn list_accounts(&self) -> Result<Vec<LinkedAccount>, ClientError> {
        self.send(self.request(Method::GET, "/list-accounts")).await
    }

    /// Emails a sign-in link (`POST /signin/magic-link`) that lands on
    /// `callback_url` (default `/`) signed in. The answer is the same
    /// whether or not an account exists. `sign_up_fields` (`()` for none)
    /// are the new account's fields when the server creates accounts on a
    /// first link. The link itself is followed in a browser.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_EMAIL`, `INVALID_REDIRECT` (400),
    /// `RATE_LIMITED` (429); [`ClientError::Config`] when `sign_up_fields`
    /// is not an object; [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn send_magic_link(
        &self,
        email: &str,
        callback_url: Option<&str>,
        sign_up_fields: impl Serialize,
    ) -> Result<(), ClientError> {
        let mut body = object(sign_up_fields, "magic-link fields")?;
        body.insert("email".into(), Value::String(email.to_owned()));
        if let Some(callback_url) = callback_url {
            body.insert("callbackURL".into(), Value::String(callback_url.to_owned()));
        }
        self.post_success("/signin/magic-link", Value::Object(body))
            .await
    }

    /// Changes the signed-in user's password (`POST /change-password`).
    /// This session stays; the user's other sessions end when
    /// `revoke_other_sessions`.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_PASSWORD` (400) for a wrong current
    /// password, `PASSWORD_TOO_SHORT`/`PASSWORD_TOO_LONG` (400),
    /// `UNAUTHORIZED` (401), `RATE_LIMITED` (429);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn change_password(
        &self,
        current_password: &str,
        new_password: &str,
        revoke_other_sessions: bool,
    ) -> Result<(), ClientError> {
        let body = serde_json::json!({
            "currentPassword": current_password,
            "newPassword": new_password,
            "revokeOtherSessions": revoke_other_sessions,
        });
        self.post_success("/change-password", body).await
    }

    /// Saves the signed-in user's own fields (`POST /update-user`, the
    /// server's account plugin): those its `AuthUser::Update` declares;
    /// any other field is ignored there. Answers the user as stored, which
    /// the store's session then holds.
    ///
    /// ```no_run
    /// # #[derive(Clone, serde::Deserialize)]
    /// # struct User { name: String }
    /// # async fn run(client: nanoauth_client::AuthClient<User>) -> Result<(), nanoauth_client::ClientError> {
    /// let user = client.update_user(serde_json::json!({ "name": "Ada" })).await?;
    /// assert_eq!(user.name, "Ada");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`ClientError::Api`]: `UNAUTHORIZED` (401), `INVALID_BODY` (400) for
    /// a field of the wrong type; [`ClientError::Config`] when `fields` is
    /// not an object; [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn update_user(&self, fields: impl Serialize) -> Result<U, ClientError> {
        let body = object(fields, "user fields")?;
        let request = self
            .request(Method::POST, "/update-user")
            .json(&Value::Object(body));
        let updated = self.send::<UpdatedUser<U>>(request).await?;
        self.refresh_if_signed_in().await?;
        Ok(updated.user)
    }

    /// Asks to move the account to `new_email` (`POST /change-email`): a
    /// link goes to the new address (landing on `callback_url`, default
    /// `/`, with `?emailChanged=true`) and a notice to the current one.
    /// Nothing changes until the link is followed; then the user's other
    /// sessions end. The same answer whether or not the address is taken.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_EMAIL`, `INVALID_REDIRECT` (400),
    /// `UNAUTHORIZED` (401), `RATE_LIMITED` (429);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn change_email(
        &self,
        new_email: &str,
        callback_url: Option<&str>,
    ) -> Result<(), ClientError> {
        let mut body = Map::new();
        body.insert("newEmail".into(), Value::String(new_email.to_owned()));
        if let Some(callback_url) = callback_url {
            body.insert("callbackURL".into(), Value::String(callback_url.to_owned()));
        }
        self.post_success("/change-email", Value::Object(body))
            .await
    }

    /// Deletes the account (`POST /delete-user`; the session must be
    /// fresh). With the account's password it is gone at once
    /// ([`Deletion::Deleted`]) and this client signs out; an account
    /// without a password gets a link at its address instead
    /// ([`Deletion::LinkSent`], landing on `callback_url` with
    /// `?deleted=true`).
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_PASSWORD` (400, wrong password),
    /// `PASSWORD_REQUIRED` (400, the account has one), `UNAUTHORIZED`
    /// (401), `SESSION_NOT_FRESH` (403), `RATE_LIMITED` (429);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn delete_user(
        &self,
        password: Option<&str>,
        callback_url: Option<&str>,
    ) -> Result<Deletion, ClientError> {
        let mut body = Map::new();
        if let Some(password) = password {
            body.insert("password".into(), Value::String(password.to_owned()));
        }
        if let Some(callback_url) = callback_url {
            body.insert("callbackURL".into(), Value::String(callback_url.to_owned()));
        }
        let request = self
            .request(Method::POST, "/delete-user")
            .json(&Value::Object(body));
        if self.send::<Deleted>(request).await?.deleted {
            self.forget_session();
            Ok(Deletion::Deleted)
        } else {
            Ok(Deletion::LinkSent)
        }
    }

    /// Emails a link to choose a new password (`POST
    /// /request-password-reset`), to `redirect_to?token=...`. The same
    /// answer whether or not an account exists.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_EMAIL`, `INVALID_REDIRECT` (400),
    /// `RATE_LIMITED` (429); [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn request_password_reset(
        &self,
        email: &str,
        redirect_to: &str,
    ) -> Result<(), ClientError> {
        let body = serde_json::json!({ "email": email, "redirectTo": redirect_to });
        self.post_success("/request-password-reset", body).await
    }

    /// Sets a new password with the token of the emailed link (`POST
    /// /reset-password`). The server ends the user's sessions (unless set
    /// up to keep them), so a signed-in client reads its session again.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_TOKEN`, `TOKEN_EXPIRED`,
    /// `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG` (400);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), ClientError> {
        let body = serde_json::json!({ "token": token, "newPassword": new_password });
        self.post_success("/reset-password", body).await?;
        self.refresh_if_signed_in().await
    }

    /// Emails a link that verifies the address (`POST
    /// /send-verification-email`), landing on `callback_url` when given.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_EMAIL`, `INVALID_REDIRECT` (400),
    /// `RATE_LIMITED` (429); [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn send_verification_email(
        &self,
        email: &str,
        callback_url: Option<&str>,
    ) -> Result<(), ClientError> {
        let mut body = serde_json::json!({ "email": email });
        if let Some(callback_url) = callback_url {
            body["callbackURL"] = Value::String(callback_url.to_owned());
        }
        self.post_success("/send-verification-email", body).await
    }

    /// Verifies an address with the token of the emailed link (`POST
    /// /verify-email`), for an app that handles the link itself. A
    /// signed-in client reads its session again (the user changed).
    ///
    /// # Errors
    /// [`ClientError::Api`]: `INVALID_TOKEN`, `TOKEN_EXPIRED` (400);
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn verify_email(&self, token: &str) -> Result<(), ClientError> {
        let body = serde_json::json!({ "token": token });
        self.post_success("/verify-email", body).await?;
        self.refresh_if_signed_in().await
    }

    /// The public keys that verify the server's JWTs (`GET /jwks`, the
    /// `nanoauth-jwt` plugin), as the JWK Set's JSON (`{"keys": [...]}`),
    /// for a verifier of your choice.
    ///
    /// # Errors
    /// [`ClientError::Api`]: `NOT_FOUND` without the plugin;
    /// [`ClientError::Network`], [`ClientError::Decode`].
    pub async fn jwks(&self) -> Result<Value, ClientError> {
        self.send(self.request(Method::GET, "/jwks")).await
    }

    async fn post_success(&self, path: &str, body: Value) -> Result<(), ClientError> {
        let request = self.request(Method::POST, path).json(&body);
        self.send::<IgnoredAny>(request).await.map(|_| ())
    }

    /// Reads the session again when the store holds one: a call may have
    /// ended it or changed its user.
    async fn refresh_if_signed_in(&self) -> Result<(), ClientError> {
        if self.store().get().session.is_some() {
            self.session().await?;
        }
        Ok(())
    }

    /// This client's session ended on the server: forget it.
    fn forget_session(&self) {
        self.clear_token();
        self.store().begin(Call::Change).succeed(None);
    }
}

/// `fields` as a JSON object (`()` is none).
fn object(fields: impl Serialize, what: &str) -> Result<Map<String, Value>, ClientError> {
    let config = |message: String| ClientError::Config(ConfigError::new(message));
    match serde_json::to_value(fields) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(config(format!(
            "{what} must serialize to a JSON object, not {other}"
        ))),
        Err(error) => Err(config(format!("{what}: {error}"))),
    }
}

/// A provider id as one path segment: no `/`, `?`, `#` or `%` to reroute
/// the request.
fn path_segment(provider: &str) -> Result<&str, ClientError> {
    let fits = !provider.is_empty()
        && provider
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && provider != "."
        && provider != "..";
    if fits {
        Ok(provider)
    } else {
        Err(ClientError::Config(ConfigError::new(format!(
            "not a provider id: {provider:?}"
        ))))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn listed_sessions_and_accounts_read_the_servers_json() {
        let listed: Vec<ListedSession> = serde_json::from_str(
            r#"[{"id":"s1","userId":"u1","createdAt":1,"updatedAt":2,"expiresAt":3,
                 "ipAddress":null,"userAgent":"curl/8","current":true}]"#,
        )
        .unwrap();
        assert_eq!(listed[0].session.id, "s1");
        assert_eq!(listed[0].session.user_agent.as_deref(), Some("curl/8"));
        assert!(listed[0].current);

        let accounts: Vec<LinkedAccount> =
            serde_json::from_str(r#"[{"provider":"github","accountId":"42","createdAt":7}]"#)
                .unwrap();
        assert_eq!(accounts[0].provider, "github");
        assert_eq!(accounts[0].account_id, "42");
        assert_eq!(accounts[0].created_at, 7);
    }

    #[test]
    fn provider_ids_stay_one_path_segment() {
        assert_eq!(path_segment("github").unwrap(), "github");
        assert_eq!(path_segment("my-idp_2").unwrap(), "my-idp_2");
        for bad in ["", ".", "..", "a/b", "x?y", "x#y", "%2F", "a b"] {
            assert!(
                matches!(path_segment(bad), Err(ClientError::Config(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn magic_link_fields_must_be_an_object() {
        assert_eq!(
            object(serde_json::json!({"name": "Ada"}), "f").unwrap()["name"],
            "Ada"
        );
        assert!(object((), "f").unwrap().is_empty());
        assert!(matches!(object([1, 2], "f"), Err(ClientError::Config(_))));
    }
}
