//! The passkey plugin's calls (`/passkey/*`, `/signin/passkey`,
//! `/passkeys`): the server's half of each WebAuthn ceremony, and managing
//! the signed-in user's passkeys.
//!
//! The ceremony's other half (asking an authenticator to create or sign)
//! happens in a browser (`navigator.credentials`) or an authenticator
//! library, so options and answers pass through as JSON, in WebAuthn
//! Level 3's `toJSON()` shapes (binary fields in base64url).

use std::fmt;

use http::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::AuthClient;
use crate::error::ClientError;
use crate::session::SignInOutcome;

/// The passkey calls of a client, from
/// [`AuthClient::passkeys`](crate::AuthClient::passkeys). The server needs
/// NanoAuth's passkey plugin (`nanoauth-passkey`).
///
/// Registering, signed in (freshly), with an authenticator of your choice:
///
/// ```no_run
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
/// # let create = |_options: serde_json::Value| serde_json::Value::Null;
/// let options = client.passkeys().registration_options().await?;
/// // `options["publicKey"]` is PublicKeyCredentialCreationOptionsJSON: hand
/// // it to the authenticator, and its RegistrationResponseJSON back.
/// let credential = create(options);
/// let passkey = client.passkeys().register(credential, Some("CLI key")).await?;
/// println!("registered {}", passkey.name);
/// # Ok(()) }
/// ```
///
/// # Errors
/// Every call fails with [`ClientError::Api`] as the server says; the
/// plugin's codes are `INVALID_PASSKEY` (401: the assertion did not verify,
/// or the passkey is unknown or deleted), `INVALID_PASSKEY_CHALLENGE` (401:
/// the ceremony expired or was used), `SESSION_NOT_FRESH` (403: registering
/// needs a recent sign-in or a passkey re-authentication),
/// `PASSKEY_NOT_FOUND` (404), `INVALID_PASSKEY_NAME`, `TOO_MANY_PASSKEYS`
/// (400), `UNAUTHORIZED` (401: not signed in). And with
/// [`ClientError::Network`] or [`ClientError::Decode`].
pub struct Passkeys<'a, U> {
    client: &'a AuthClient<U>,
}

impl<U> fmt::Debug for Passkeys<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passkeys")
            .field("client", self.client)
            .finish()
    }
}

/// A passkey of the signed-in user (`GET /passkeys`). Times are Unix
/// seconds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Passkey {
    /// The credential id (base64url): what rename and delete take.
    pub id: String,
    /// Its owner's name for it.
    pub name: String,
    /// When it was registered.
    pub created_at: u64,
    /// When it last signed in or re-authenticated.
    #[serde(default)]
    pub last_used_at: Option<u64>,
}

/// A passkey just registered (`POST /passkey/register/verify`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RegisteredPasskey {
    /// The credential id (base64url).
    pub id: String,
    /// Its name (the one given, or the server's default).
    pub name: String,
    /// When it was registered.
    pub created_at: u64,
}

/// A session confirmed with a passkey (`POST /passkey/verify`): fresh
/// again for sensitive actions, with no new session.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PasskeyReauthenticated {
    /// When (Unix seconds).
    pub verified_at: u64,
    /// The passkey that did it: its id.
    #[serde(rename = "passkey", deserialize_with = "passkey_id")]
    pub passkey_id: String,
}

fn passkey_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    struct Used {
        id: String,
    }
    Used::deserialize(deserializer).map(|used| used.id)
}

#[derive(Deserialize)]
struct Registered {
    passkey: RegisteredPasskey,
}

impl<'a, U: DeserializeOwned + Clone> Passkeys<'a, U> {
    pub(crate) fn new(client: &'a AuthClient<U>) -> Self {
        Self { client }
    }

    /// Starts registering a passkey for the signed-in user
    /// (`POST /passkey/register/options`): `{"publicKey": ...}`, the
    /// creation options for the authenticator. The server binds the
    /// ceremony to a five-minute cookie this client keeps.
    ///
    /// # Errors
    /// `SESSION_NOT_FRESH` (403), `TOO_MANY_PASSKEYS`, `UNAUTHORIZED`, and
    /// as [`Passkeys`].
    pub async fn registration_options(&self) -> Result<Value, ClientError> {
        self.post("/passkey/register/options", &json!({})).await
    }

    /// Finishes the registration (`POST /passkey/register/verify`) with the
    /// authenticator's answer (RegistrationResponseJSON) and an optional
    /// name.
    ///
    /// # Errors
    /// `INVALID_PASSKEY`, `INVALID_PASSKEY_CHALLENGE`,
    /// `INVALID_PASSKEY_NAME`, and as [`Passkeys`].
    pub async fn register(
        &self,
        credential: Value,
        name: Option<&str>,
    ) -> Result<RegisteredPasskey, ClientError> {
        let mut body = json!({ "credential": credential });
        if let (Some(name), Some(fields)) = (name, body.as_object_mut()) {
            fields.insert("name".to_owned(), Value::from(name));
        }
        self.post::<Registered>("/passkey/register/verify", &body)
            .await
            .map(|registered| registered.passkey)
    }

    /// Starts a sign-in with a passkey, no address needed
    /// (`POST /passkey/signin/options`): `{"publicKey": ...}`, the request
    /// options (no allowed credentials: the authenticator offers the
    /// discoverable ones it holds for the RP id).
    ///
    /// # Errors
    /// `RATE_LIMITED`, and as [`Passkeys`].
    pub async fn sign_in_options(&self) -> Result<Value, ClientError> {
        self.post("/passkey/signin/options", &json!({})).await
    }

    /// Signs in with the authenticator's answer (AuthenticationResponseJSON)
    /// to [`sign_in_options`](Self::sign_in_options) (`POST /signin/passkey`),
    /// and updates the store as [`sign_in_email`](AuthClient::sign_in_email)
    /// does. A passkey counts as both factors unless the server says
    /// otherwise, in which case the answer is
    /// [`SignInOutcome::TwoFactorRequired`].
    ///
    /// # Errors
    /// `INVALID_PASSKEY` (401), `INVALID_PASSKEY_CHALLENGE` (401),
    /// [`ClientError::SessionNotKept`], and as [`Passkeys`].
    pub async fn sign_in(&self, credential: Value) -> Result<SignInOutcome<U>, ClientError> {
        self.client
            .sign_in_at("/signin/passkey", Ok(json!({ "credential": credential })))
            .await
    }

    /// Starts a passkey-first sign-up (`POST /passkey/signup/options`, the
    /// server's `PasskeySignUp` plugin): `{"publicKey": ...}`, the creation
    /// options for a new account at `email`. `extra_fields` are the
    /// application's sign-up fields (`name`, ...): anything that serializes
    /// to a JSON object, or `()` for none. Nothing is created yet.
    ///
    /// # Errors
    /// `INVALID_EMAIL`, `INVALID_BODY` (400), [`ClientError::Config`] when
    /// `extra_fields` is not an object, and as [`Passkeys`].
    pub async fn sign_up_options(
        &self,
        email: &str,
        extra_fields: impl Serialize,
    ) -> Result<Value, ClientError> {
        let body = crate::client::sign_up_fields(email, extra_fields)?;
        self.post("/passkey/signup/options", &body).await
    }

    /// Finishes a passkey-first sign-up with the authenticator's answer
    /// (RegistrationResponseJSON) to
    /// [`sign_up_options`](Self::sign_up_options) (`POST /signup/passkey`):
    /// the account is created with the passkey, signed in, and the store
    /// updated as [`sign_up_email`](AuthClient::sign_up_email) does.
    ///
    /// # Errors
    /// `USER_ALREADY_EXISTS` (409), `PASSKEY_ALREADY_REGISTERED` (409),
    /// `INVALID_PASSKEY_CHALLENGE` (401), `PASSKEY_REGISTRATION_FAILED`,
    /// `INVALID_PASSKEY_NAME` (400); [`ClientError::SessionNotKept`] when
    /// no session came with the answer (a server that makes new accounts
    /// verify their address first), and as [`Passkeys`].
    pub async fn sign_up(
        &self,
        credential: Value,
        name: Option<&str>,
    ) -> Result<crate::Session<U>, ClientError> {
        let mut body = json!({ "credential": credential });
        if let (Some(name), Some(fields)) = (name, body.as_object_mut()) {
            fields.insert("name".to_owned(), Value::from(name));
        }
        self.client.start_session("/signup/passkey", Ok(body)).await
    }

    /// Starts confirming the signed-in user with one of their passkeys
    /// (`POST /passkey/verify/options`), before a sensitive action.
    ///
    /// # Errors
    /// `UNAUTHORIZED`, and as [`Passkeys`].
    pub async fn reauthentication_options(&self) -> Result<Value, ClientError> {
        self.post("/passkey/verify/options", &json!({})).await
    }

    /// Confirms the signed-in user with the authenticator's answer
    /// (`POST /passkey/verify`): the session counts as fresh again, and no
    /// new session is made.
    ///
    /// # Errors
    /// `INVALID_PASSKEY`, `INVALID_PASSKEY_CHALLENGE`, and as [`Passkeys`].
    pub async fn reauthenticate(
        &self,
        credential: Value,
    ) -> Result<PasskeyReauthenticated, ClientError> {
        self.post("/passkey/verify", &json!({ "credential": credential }))
            .await
    }

    /// The signed-in user's passkeys, oldest first (`GET /passkeys`).
    ///
    /// # Errors
    /// `UNAUTHORIZED`, and as [`Passkeys`].
    pub async fn list(&self) -> Result<Vec<Passkey>, ClientError> {
        self.client
            .send(self.client.request(Method::GET, "/passkeys"))
            .await
    }

    /// Renames one of the user's passkeys (`POST /passkey/rename`).
    ///
    /// # Errors
    /// `PASSKEY_NOT_FOUND` (404), `INVALID_PASSKEY_NAME` (400), and as
    /// [`Passkeys`].
    pub async fn rename(&self, id: &str, name: &str) -> Result<(), ClientError> {
        self.post::<IgnoredAny>("/passkey/rename", &json!({ "id": id, "name": name }))
            .await
            .map(drop)
    }

    /// Deletes one of the user's passkeys (`POST /passkey/delete`): it
    /// signs in no more, though the authenticator may still hold it.
    ///
    /// # Errors
    /// `PASSKEY_NOT_FOUND` (404), and as [`Passkeys`].
    pub async fn delete(&self, id: &str) -> Result<(), ClientError> {
        self.post::<IgnoredAny>("/passkey/delete", &json!({ "id": id }))
            .await
            .map(drop)
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
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn answers_read_the_wire_format() {
        let listed: Vec<Passkey> = serde_json::from_str(
            r#"[{"id":"AQID","name":"Laptop","createdAt":1,"lastUsedAt":null}]"#,
        )
        .unwrap();
        assert_eq!(listed[0].name, "Laptop");
        assert_eq!(listed[0].last_used_at, None);
        let registered: Registered =
            serde_json::from_str(r#"{"passkey":{"id":"AQID","name":"Laptop","createdAt":5}}"#)
                .unwrap();
        assert_eq!(registered.passkey.created_at, 5);
        let done: PasskeyReauthenticated =
            serde_json::from_str(r#"{"verifiedAt":9,"passkey":{"id":"AQID","name":"Laptop"}}"#)
                .unwrap();
        assert_eq!((done.verified_at, done.passkey_id.as_str()), (9, "AQID"));
    }
}
