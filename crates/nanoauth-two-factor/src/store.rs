//! What the plugin keeps, as typed plugin records: a user's two-factor
//! state, pending sign-in challenges and trusted devices.
//!
//! Everything is a [`PluginRecord`] of the core's [`RecordAdapter`], read
//! and written typed ([`TypedRecords`]), so the plugin has storage in every
//! adapter that has records. Writes that read first (using a code, counting
//! a failure) are compare-and-swap on the record's version, retried a few
//! times: two requests with the same code can never both succeed.

use nanoauth::utils::token::TokenHash;
use nanoauth::{AdapterError, AuthUser, Error, PluginRecord, RecordAdapter, TypedRecords};
use serde::{Deserialize, Serialize};

/// A user's settings: key = user id.
pub(crate) const STATE: &str = "two-factor";
/// Sign-ins waiting for their second factor: key = hash of the cookie.
pub(crate) const CHALLENGE: &str = "two-factor.challenge";
/// Browsers that skip the challenge: key = hash of the cookie.
pub(crate) const DEVICE: &str = "two-factor.device";

/// How often a compare-and-swap is retried before giving up with a 503-like
/// conflict: only concurrent requests for one user can make it fail.
pub(crate) const CAS_RETRIES: usize = 5;

/// A user's two-factor state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct UserState {
    /// The sealed TOTP seed in force, once an enrolment was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) secret: Option<String>,
    /// An enrolment waiting for its first code; the secret in force (if
    /// any) stays in force until this one is confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pending: Option<Pending>,
    /// The last TOTP step accepted: codes of it and earlier steps are
    /// refused (no replay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_step: Option<u64>,
    /// Keyed hashes of the unused backup codes.
    #[serde(default)]
    pub(crate) backup_codes: Vec<String>,
    /// When two-factor was turned on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) enabled_at: Option<u64>,
    /// Failed second factors in a row, over every challenge and kind of
    /// code: a new sign-in does not reset it.
    #[serde(default)]
    pub(crate) failures: u32,
    /// Second factors are refused until then, after too many failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) locked_until: Option<u64>,
}

impl UserState {
    /// Sign-in asks for a second factor.
    pub(crate) fn is_enabled(&self) -> bool {
        self.secret.is_some()
    }
}

/// An enrolment waiting for its first code.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The sealed new seed.
    pub(crate) secret: String,
    /// Keyed hashes of the backup codes shown with it.
    pub(crate) backup_codes: Vec<String>,
}

/// A sign-in waiting for its second factor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ChallengeState {
    /// The first factor's method (`"email-password"`, `"oauth:github"`).
    pub(crate) method: String,
    /// Wrong codes against this challenge.
    #[serde(default)]
    pub(crate) attempts: u32,
    /// Keyed hash of the emailed code, while one is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) email_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) email_code_expires_at: Option<u64>,
    /// Codes emailed for this challenge.
    #[serde(default)]
    pub(crate) emails_sent: u32,
}

/// A browser that skips the challenge until the record expires.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeviceState {
    /// Public id, to list and revoke it.
    pub(crate) id: String,
    pub(crate) created_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ip_address: Option<String>,
}

/// The storage key of a cookie value: its SHA-256, so a database dump
/// holds no working cookie.
pub(crate) fn key_of(token: &str) -> String {
    TokenHash::of(token).to_hex()
}

/// Creates or replaces the user's state with `change` applied, by
/// compare-and-swap. Returns the state written.
pub(crate) async fn change_state<U, A, F>(
    adapter: &A,
    user_id: &str,
    now: u64,
    mut change: F,
) -> Result<UserState, Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
    F: FnMut(&mut UserState) -> Result<(), Error>,
{
    for _ in 0..CAS_RETRIES {
        match adapter.find_typed::<UserState>(STATE, user_id, now).await? {
            Some(read) => {
                let mut state = read.value.clone();
                change(&mut state)?;
                if adapter.update_typed(&read, &state, now).await? {
                    return Ok(state);
                }
            }
            None => {
                let mut state = UserState::default();
                change(&mut state)?;
                let record = PluginRecord::json(STATE, user_id, &state)?.owned_by(user_id);
                match adapter.insert_record(&record, now).await {
                    Ok(()) => return Ok(state),
                    Err(AdapterError::Conflict) => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
    }
    Err(busy())
}

/// Many concurrent writes to one user's state: the client may retry.
pub(crate) fn busy() -> Error {
    Error::Adapter(AdapterError::Conflict)
}
