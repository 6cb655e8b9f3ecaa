//! A ceremony between its two requests: the options sent to the browser,
//! and the browser's signed answer.
//!
//! webauthn-rs's state for the second step (the challenge, the expected
//! user verification, the credentials allowed) waits **server-side** in a
//! plugin record keyed by the SHA-256 of a random cookie value; the browser
//! holds only that value, in a plugin cookie of its kind. Each state is a
//! type of its own (`Expect*`), so a registration's cookie can never finish
//! a sign-in. Taking the state deletes the record, and only the request
//! whose delete removed it goes on: a challenge is used once, even by two
//! verifications racing each other (better-auth #8376, #6192).

use nanoauth::utils::token::{TokenHash, random_token};
use nanoauth::{AuthUser, Error, PluginRecord, RecordAdapter};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

use crate::refusal;
use crate::store::CEREMONY;

/// How long a ceremony waits for its answer (and the browser's prompt, the
/// `timeout` of the options, runs): 5 minutes.
pub(crate) const CEREMONY_TTL: u64 = 5 * 60;

/// A ceremony's state, tagged with its kind.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Ceremony {
    Registration(ExpectRegistration),
    SignIn(ExpectSignIn),
    Reauthentication(ExpectReauthentication),
    SignUp(ExpectSignUp),
}

/// A signed-in user creating a passkey.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectRegistration {
    pub(crate) user_id: String,
    pub(crate) user_handle: String,
    pub(crate) state: PasskeyRegistration,
}

/// Someone signing in with a passkey, not yet known.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectSignIn {
    pub(crate) state: DiscoverableAuthentication,
}

/// A signed-in user confirming it is them, in this session.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectReauthentication {
    pub(crate) user_id: String,
    pub(crate) session_id: String,
    pub(crate) state: PasskeyAuthentication,
}

/// Someone new creating an account with a passkey: the account is made
/// only when the passkey is (so no user exists yet to own the record).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectSignUp {
    /// The new user's id, chosen now.
    pub(crate) user_id: String,
    pub(crate) user_handle: String,
    pub(crate) email: String,
    /// The application's sign-up fields, as the client sent them (checked
    /// against `AuthUser::SignUp` when the options were asked for).
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
    pub(crate) state: PasskeyRegistration,
}

/// One kind of ceremony: its cookie, and its state out of the tagged enum.
pub(crate) trait Kind: Sized {
    /// The plugin cookie carrying this kind's ceremony.
    const COOKIE: &'static str;
    fn wrap(self) -> Ceremony;
    fn unwrap(ceremony: Ceremony) -> Option<Self>;
    /// The owner of the record, when the ceremony has one.
    fn owner(&self) -> Option<&str>;
}

impl Kind for ExpectRegistration {
    const COOKIE: &'static str = "passkey_registration";
    fn wrap(self) -> Ceremony {
        Ceremony::Registration(self)
    }
    fn unwrap(ceremony: Ceremony) -> Option<Self> {
        match ceremony {
            Ceremony::Registration(state) => Some(state),
            _ => None,
        }
    }
    fn owner(&self) -> Option<&str> {
        Some(&self.user_id)
    }
}

impl Kind for ExpectSignIn {
    const COOKIE: &'static str = "passkey_signin";
    fn wrap(self) -> Ceremony {
        Ceremony::SignIn(self)
    }
    fn unwrap(ceremony: Ceremony) -> Option<Self> {
        match ceremony {
            Ceremony::SignIn(state) => Some(state),
            _ => None,
        }
    }
    fn owner(&self) -> Option<&str> {
        None
    }
}

impl Kind for ExpectReauthentication {
    const COOKIE: &'static str = "passkey_reauth";
    fn wrap(self) -> Ceremony {
        Ceremony::Reauthentication(self)
    }
    fn unwrap(ceremony: Ceremony) -> Option<Self> {
        match ceremony {
            Ceremony::Reauthentication(state) => Some(state),
            _ => None,
        }
    }
    fn owner(&self) -> Option<&str> {
        Some(&self.user_id)
    }
}

impl Kind for ExpectSignUp {
    const COOKIE: &'static str = "passkey_signup";
    fn wrap(self) -> Ceremony {
        Ceremony::SignUp(self)
    }
    fn unwrap(ceremony: Ceremony) -> Option<Self> {
        match ceremony {
            Ceremony::SignUp(state) => Some(state),
            _ => None,
        }
    }
    fn owner(&self) -> Option<&str> {
        None
    }
}

/// Stores `state` until `now` + 5 minutes; returns the cookie value that
/// finds it again (256 random bits, never stored).
pub(crate) async fn begin<U, A, K>(adapter: &A, state: K, now: u64) -> Result<String, Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
    K: Kind + Serialize,
{
    let token = random_token()?;
    let owner = state.owner().map(str::to_owned);
    let mut record = PluginRecord::json(CEREMONY, key_of(&token), &state.wrap())?
        .expiring_at(now.saturating_add(CEREMONY_TTL));
    if let Some(owner) = owner {
        record = record.owned_by(owner);
    }
    adapter.insert_record(&record, now).await?;
    Ok(token)
}

/// Takes the ceremony under `token` out of the store, once: the record is
/// deleted, and only the caller whose delete removed it gets the state.
///
/// # Errors
/// `INVALID_PASSKEY_CHALLENGE` when there is none (expired, used, never
/// issued) or it is of another kind.
pub(crate) async fn take<U, A, K>(adapter: &A, token: Option<&str>, now: u64) -> Result<K, Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
    K: Kind + DeserializeOwned,
{
    let token = token.ok_or_else(refusal::invalid_challenge)?;
    let key = key_of(token);
    let Some(record) = adapter.find_record(CEREMONY, &key, now).await? else {
        return Err(refusal::invalid_challenge());
    };
    // The delete is the single use: of concurrent verifications, exactly
    // one sees `true` and goes on.
    if !adapter.delete_record(CEREMONY, &key, now).await? {
        return Err(refusal::invalid_challenge());
    }
    let ceremony: Ceremony = record.data_as()?;
    K::unwrap(ceremony).ok_or_else(refusal::invalid_challenge)
}

/// The storage key of a cookie value: its SHA-256, so a database dump
/// holds no live ceremony cookie.
fn key_of(token: &str) -> String {
    TokenHash::of(token).to_hex()
}
