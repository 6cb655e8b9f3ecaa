//! The two-factor plugin's calls (`/two-factor/*`): turning it on and off,
//! backup codes, trusted devices, and answering a sign-in's challenge.

use std::fmt;

use http::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{AuthClient, SignedInBody};
use crate::error::ClientError;
use crate::session::Session;

/// The two-factor calls of a client, from
/// [`AuthClient::two_factor`](crate::AuthClient::two_factor). The server
/// needs NanoAuth's two-factor plugin (`nanoauth-two-factor`).
///
/// Turning it on, signed in:
///
/// ```no_run
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
/// let enrolment = client.two_factor().enable("correct horse battery").await?;
/// // Show enrolment.totp_uri() as a QR code, and the backup codes once.
/// for code in enrolment.backup_codes() {
///     println!("{code}");
/// }
/// // The first code from the app confirms it; until then, sign-in is unchanged.
/// client.two_factor().verify_totp("123456", false).await?;
/// assert!(client.two_factor().status().await?.enabled);
/// # Ok(()) }
/// ```
///
/// A sign-in that answered [`SignInOutcome::TwoFactorRequired`](crate::SignInOutcome::TwoFactorRequired)
/// is finished with [`verify_totp`](Self::verify_totp),
/// [`verify_backup_code`](Self::verify_backup_code) or
/// [`verify_otp`](Self::verify_otp); these update the
/// [`SessionStore`](crate::SessionStore) as a sign-in does.
///
/// # Errors
/// Every call fails with [`ClientError::Api`] as the server says; the
/// plugin's codes are `INVALID_CODE` (401: wrong, used or expired code),
/// `INVALID_CHALLENGE` (401: the sign-in expired or failed five times: sign
/// in again), `RATE_LIMITED` (429: too many failures on the account),
/// `INVALID_PASSWORD` (400), `TWO_FACTOR_NOT_ENABLED`,
/// `NO_PENDING_TWO_FACTOR`, `EMAIL_OTP_NOT_ENABLED` (400),
/// `DEVICE_NOT_FOUND` (404), `UNAUTHORIZED` (401: not signed in). And with
/// [`ClientError::Network`] or [`ClientError::Decode`].
pub struct TwoFactor<'a, U> {
    client: &'a AuthClient<U>,
}

impl<U> fmt::Debug for TwoFactor<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwoFactor")
            .field("client", self.client)
            .finish()
    }
}

/// A new authenticator enrolment, from [`TwoFactor::enable`]: pending until
/// a first code confirms it ([`TwoFactor::verify_totp`]).
///
/// The URI carries the TOTP secret: show it (as a QR code, and the secret
/// in text for typing in) to the user only, and do not keep or log it. Its
/// `Debug` is redacted.
#[derive(Clone, Deserialize)]
pub struct Enrolment {
    #[serde(rename = "totpURI")]
    totp_uri: String,
    #[serde(rename = "backupCodes")]
    backup_codes: Vec<String>,
}

impl Enrolment {
    /// The `otpauth://totp/...` URI that authenticator apps scan.
    ///
    /// # Security
    /// It contains the secret that generates the user's codes.
    pub fn totp_uri(&self) -> &str {
        &self.totp_uri
    }

    /// One-time backup codes, for when the authenticator is lost: show
    /// them once. Each signs in once.
    pub fn backup_codes(&self) -> &[String] {
        &self.backup_codes
    }
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrolment")
            .field("totp_uri", &"[redacted]")
            .field("backup_codes", &self.backup_codes.len())
            .finish()
    }
}

/// What [`TwoFactor::verify_totp`] did: the server confirms a pending
/// enrolment of the signed-in user, or else answers a sign-in's challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TotpVerified<U> {
    /// The enrolment is confirmed: from now on sign-in asks for a code.
    Enabled,
    /// The sign-in is complete: the new session.
    SignedIn(Session<U>),
}

impl<U> TotpVerified<U> {
    /// The session, when a sign-in was completed.
    pub fn session(self) -> Option<Session<U>> {
        match self {
            Self::SignedIn(session) => Some(session),
            Self::Enabled => None,
        }
    }
}

/// The signed-in user's two-factor state (`GET /two-factor/status`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TwoFactorStatus {
    /// Sign-in asks for a second factor.
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    /// Unused backup codes.
    pub backup_codes_left: usize,
    /// Browsers and clients that skip the challenge, newest first.
    #[serde(default)]
    pub trusted_devices: Vec<TrustedDevice>,
}

/// A browser or client that skips the challenge until it expires or is
/// revoked ([`TwoFactor::revoke_trusted_device`]). Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrustedDevice {
    /// Its id, to revoke it.
    pub id: String,
    /// When it was trusted.
    pub created_at: u64,
    /// Until when.
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// Its `User-Agent` then.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Its IP address then.
    #[serde(default)]
    pub ip_address: Option<String>,
}

/// `/two-factor/verify-totp`'s answer.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum VerifyAnswer {
    SignedIn(SignedInBody),
    Enabled {
        // Telling the answers apart is all it is for.
        #[allow(dead_code)]
        enabled: bool,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeBody<'a> {
    code: &'a str,
    trust_device: bool,
}

#[derive(Serialize)]
struct PasswordBody<'a> {
    password: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BackupCodes {
    backup_codes: Vec<String>,
}

impl<'a, U: DeserializeOwned + Clone> TwoFactor<'a, U> {
    pub(crate) fn new(client: &'a AuthClient<U>) -> Self {
        Self { client }
    }

    /// Starts turning two-factor on for the signed-in user
    /// (`POST /two-factor/enable`), after checking `password` (empty for an
    /// account without one, whose session must then be recent). Sign-in is
    /// unchanged until [`verify_totp`](Self::verify_totp) confirms the
    /// enrolment; enabling again replaces a pending enrolment, and a
    /// confirmed secret stays in force until the new one is confirmed.
    ///
    /// # Errors
    /// `INVALID_PASSWORD` (400), `SESSION_NOT_FRESH`, `UNAUTHORIZED`, and
    /// as [`TwoFactor`].
    pub async fn enable(&self, password: &str) -> Result<Enrolment, ClientError> {
        self.post("/two-factor/enable", &PasswordBody { password })
            .await
    }

    /// Sends a code from the authenticator app
    /// (`POST /two-factor/verify-totp`). Signed in with a pending
    /// enrolment, it confirms it ([`TotpVerified::Enabled`]); otherwise it
    /// answers the current sign-in's challenge and signs in
    /// ([`TotpVerified::SignedIn`]), and with `trust_device` this client
    /// skips the challenge from now on (30 days by default).
    ///
    /// # Errors
    /// `INVALID_CODE`, `INVALID_CHALLENGE`, `RATE_LIMITED`, and as
    /// [`TwoFactor`].
    pub async fn verify_totp(
        &self,
        code: &str,
        trust_device: bool,
    ) -> Result<TotpVerified<U>, ClientError> {
        self.client
            .verify_code("/two-factor/verify-totp", code_body(code, trust_device)?)
            .await
    }

    /// Answers the sign-in's challenge with a backup code
    /// (`POST /two-factor/verify-backup-code`); each code works once.
    ///
    /// # Errors
    /// `INVALID_CODE` (also for a code used before), `INVALID_CHALLENGE`,
    /// `RATE_LIMITED`, and as [`TwoFactor`].
    pub async fn verify_backup_code(
        &self,
        code: &str,
        trust_device: bool,
    ) -> Result<Session<U>, ClientError> {
        self.sign_in_with("/two-factor/verify-backup-code", code, trust_device)
            .await
    }

    /// Emails the user a one-time code for the sign-in's challenge
    /// (`POST /two-factor/send-otp`), when the server offers it; three per
    /// challenge.
    ///
    /// # Errors
    /// `EMAIL_OTP_NOT_ENABLED`, `INVALID_CHALLENGE`, `RATE_LIMITED`, and as
    /// [`TwoFactor`].
    pub async fn send_otp(&self) -> Result<(), ClientError> {
        self.client
            .send::<IgnoredAny>(self.client.request(Method::POST, "/two-factor/send-otp"))
            .await
            .map(drop)
    }

    /// Answers the sign-in's challenge with the emailed code
    /// (`POST /two-factor/verify-otp`).
    ///
    /// # Errors
    /// `INVALID_CODE` (also for an expired code), `INVALID_CHALLENGE`,
    /// `RATE_LIMITED`, and as [`TwoFactor`].
    pub async fn verify_otp(
        &self,
        code: &str,
        trust_device: bool,
    ) -> Result<Session<U>, ClientError> {
        self.sign_in_with("/two-factor/verify-otp", code, trust_device)
            .await
    }

    /// Turns two-factor off for the signed-in user
    /// (`POST /two-factor/disable`): the secret, backup codes and trusted
    /// devices go.
    ///
    /// # Errors
    /// `INVALID_PASSWORD` (400), `SESSION_NOT_FRESH`, `UNAUTHORIZED`, and
    /// as [`TwoFactor`].
    pub async fn disable(&self, password: &str) -> Result<(), ClientError> {
        self.post::<IgnoredAny>("/two-factor/disable", &PasswordBody { password })
            .await
            .map(drop)
    }

    /// A new set of backup codes (`POST /two-factor/backup-codes`); the
    /// old set stops working.
    ///
    /// # Errors
    /// `INVALID_PASSWORD` (400), `TWO_FACTOR_NOT_ENABLED` (400), and as
    /// [`TwoFactor`].
    pub async fn generate_backup_codes(&self, password: &str) -> Result<Vec<String>, ClientError> {
        self.post::<BackupCodes>("/two-factor/backup-codes", &PasswordBody { password })
            .await
            .map(|codes| codes.backup_codes)
    }

    /// The signed-in user's state (`GET /two-factor/status`).
    ///
    /// # Errors
    /// `UNAUTHORIZED`, and as [`TwoFactor`].
    pub async fn status(&self) -> Result<TwoFactorStatus, ClientError> {
        self.client
            .send(self.client.request(Method::GET, "/two-factor/status"))
            .await
    }

    /// Stops trusting one of the user's devices
    /// (`POST /two-factor/trusted-devices/revoke`).
    ///
    /// # Errors
    /// `DEVICE_NOT_FOUND` (404), `UNAUTHORIZED`, and as [`TwoFactor`].
    pub async fn revoke_trusted_device(&self, id: &str) -> Result<(), ClientError> {
        #[derive(Serialize)]
        struct Body<'a> {
            id: &'a str,
        }
        self.post::<IgnoredAny>("/two-factor/trusted-devices/revoke", &Body { id })
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

    async fn sign_in_with(
        &self,
        path: &str,
        code: &str,
        trust_device: bool,
    ) -> Result<Session<U>, ClientError> {
        self.client
            .start_session(path, code_body(code, trust_device))
            .await
    }
}

fn code_body(code: &str, trust_device: bool) -> Result<Value, ClientError> {
    serde_json::to_value(CodeBody { code, trust_device }).map_err(|error| {
        ClientError::Config(crate::error::ConfigError::new(format!(
            "code body: {error}"
        )))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn enrolments_keep_the_secret_out_of_debug() {
        let enrolment: Enrolment = serde_json::from_str(
            r#"{"totpURI":"otpauth://totp/A:b?secret=MZXW6YTBOI","backupCodes":["aaaa-bbbb"]}"#,
        )
        .unwrap();
        assert_eq!(enrolment.backup_codes(), ["aaaa-bbbb"]);
        assert!(enrolment.totp_uri().contains("MZXW6YTBOI"));
        let debug = format!("{enrolment:?}");
        assert!(
            !debug.contains("MZXW6YTBOI") && !debug.contains("aaaa"),
            "{debug}"
        );
    }

    #[test]
    fn status_reads_the_wire_format() {
        let status: TwoFactorStatus = serde_json::from_str(
            r#"{"enabled":true,"pending":false,"backupCodesLeft":9,"trustedDevices":[
                {"id":"d1","createdAt":1,"expiresAt":2,"userAgent":"ua","ipAddress":null}]}"#,
        )
        .unwrap();
        assert!(status.enabled && !status.pending);
        assert_eq!(status.backup_codes_left, 9);
        assert_eq!(status.trusted_devices[0].id, "d1");
        assert_eq!(status.trusted_devices[0].expires_at, Some(2));
    }

    #[test]
    fn verify_answers_are_told_apart() {
        let enabled: VerifyAnswer = serde_json::from_str(r#"{"enabled":true}"#).unwrap();
        assert!(matches!(enabled, VerifyAnswer::Enabled { .. }));
        let signed_in: VerifyAnswer =
            serde_json::from_str(r#"{"user":{"id":"u"},"token":"t"}"#).unwrap();
        assert!(matches!(signed_in, VerifyAnswer::SignedIn(_)));
    }
}
