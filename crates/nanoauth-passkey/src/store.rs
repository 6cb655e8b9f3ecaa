//! What the plugin keeps, as typed plugin records of the core's
//! [`RecordAdapter`]: so every adapter that has records (memory, SQL in
//! three dialects, Redis-backed sessions over either) stores passkeys,
//! with no table or trait of the plugin's own.
//!
//! | namespace | key | owner | expires | data |
//! |---|---|---|---|---|
//! | `passkey` | the credential id (base64url) | the user | never | [`StoredPasskey`] |
//! | `passkey.ceremony` | SHA-256 of the ceremony cookie | the user, when known | 5 minutes | a [`Ceremony`](crate::ceremony::Ceremony) |
//! | `passkey.reauth` | the session's public id | the user | with the session | [`Reauthentication`] |
//!
//! A credential id is unique in its namespace, so registering one twice is
//! the store's `Conflict`, decided atomically by the store. Writes that
//! read first (the signature counter) are compare-and-swap on the record's
//! version.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nanoauth::{AdapterError, AuthUser, Error, PluginRecord, RecordAdapter, TypedRecords};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::Passkey;

/// Registered passkeys.
pub(crate) const PASSKEY: &str = "passkey";
/// Ceremonies between their options and their verification.
pub(crate) const CEREMONY: &str = "passkey.ceremony";
/// The last passkey re-authentication of a session.
pub(crate) const REAUTH: &str = "passkey.reauth";

/// How often a compare-and-swap is retried: only concurrent uses of one
/// passkey can make it fail.
pub(crate) const CAS_RETRIES: usize = 5;

/// A registered passkey.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredPasskey {
    /// The credential id, base64url: the public id of the passkey.
    pub(crate) credential_id: String,
    /// The owner's name for it.
    pub(crate) name: String,
    /// The WebAuthn user handle the passkey was created with; a discoverable
    /// sign-in must present it (WebAuthn §7.2 step 6).
    pub(crate) user_handle: String,
    /// The credential as webauthn-rs stores it (COSE public key, algorithm,
    /// the flags seen at registration), **kept as registered**: the counter,
    /// backup state and last use live in the fields below, where the
    /// plugin's counter rule applies (see `api.rs`, `check_counter`).
    pub(crate) credential: Passkey,
    /// The highest signature counter seen (0: the authenticator keeps none).
    pub(crate) counter: u32,
    /// The authenticator may sync or back the key up (a synced passkey).
    pub(crate) backup_eligible: bool,
    /// It said, the last time, that the key is backed up.
    pub(crate) backup_state: bool,
    /// Transports the browser reported (a hint for later prompts).
    #[serde(default)]
    pub(crate) transports: Vec<String>,
    /// The authenticator model's AAGUID, as the authenticator stated it
    /// (all zeros for most synced passkeys; not attested).
    pub(crate) aaguid: String,
    pub(crate) created_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_used_at: Option<u64>,
}

impl StoredPasskey {
    /// The record that stores it, owned by `user_id`, under its credential
    /// id.
    pub(crate) fn record(&self, user_id: &str) -> Result<PluginRecord, Error> {
        Ok(
            PluginRecord::json(PASSKEY, credential_key(self.credential.cred_id()), self)?
                .owned_by(user_id),
        )
    }
}

/// A session re-authenticated with a passkey, without a new session.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Reauthentication {
    pub(crate) verified_at: u64,
    /// Which passkey did it.
    pub(crate) credential_id: String,
}

/// The storage key of a credential id. Credential ids may be up to 1023
/// bytes (WebAuthn §5.1) and record keys 255: the few longer than fits are
/// keyed by their SHA-256 instead, under a prefix base64url never produces,
/// so the two forms cannot collide.
pub(crate) fn credential_key(raw_id: &[u8]) -> String {
    let encoded = URL_SAFE_NO_PAD.encode(raw_id);
    if encoded.len() <= nanoauth::adapter::MAX_RECORD_KEY_LEN {
        encoded
    } else {
        format!("sha256:{}", hex(&Sha256::digest(raw_id)))
    }
}

/// The credential id a client names (`id` in rename and delete), decoded;
/// `None` for anything that is not base64url.
pub(crate) fn decode_credential_id(id: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(id.trim_end_matches('='))
        .ok()
        .filter(|raw| !raw.is_empty())
}

pub(crate) fn encode_credential_id(raw_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw_id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The user's passkeys, oldest first.
pub(crate) async fn user_passkeys<U, A>(
    adapter: &A,
    user_id: &str,
    now: u64,
) -> Result<Vec<StoredPasskey>, Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
{
    let mut passkeys = adapter
        .list_user_records(PASSKEY, user_id, now)
        .await?
        .iter()
        .map(PluginRecord::data_as::<StoredPasskey>)
        .collect::<Result<Vec<_>, _>>()?;
    passkeys
        .sort_by(|a, b| (a.created_at, &a.credential_id).cmp(&(b.created_at, &b.credential_id)));
    Ok(passkeys)
}

/// The passkey `id` (a credential id, base64url) when `user_id` owns it.
pub(crate) async fn owned_passkey<U, A>(
    adapter: &A,
    user_id: &str,
    id: &str,
    now: u64,
) -> Result<Option<nanoauth::Typed<StoredPasskey>>, Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
{
    let Some(raw_id) = decode_credential_id(id) else {
        return Ok(None);
    };
    let read = adapter
        .find_typed::<StoredPasskey>(PASSKEY, &credential_key(&raw_id), now)
        .await?;
    Ok(read.filter(|read| read.record.user_id.as_deref() == Some(user_id)))
}

/// Many concurrent writes to one record: the client may retry.
pub(crate) fn busy() -> Error {
    Error::Adapter(AdapterError::Conflict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_their_own_key_and_long_ones_a_hash() {
        let short = [7u8; 64];
        assert_eq!(credential_key(&short), URL_SAFE_NO_PAD.encode(short));
        let long = [7u8; 1023];
        let key = credential_key(&long);
        assert!(key.starts_with("sha256:"), "{key}");
        assert!(key.len() <= nanoauth::adapter::MAX_RECORD_KEY_LEN);
        // The longest id that still fits is kept as is.
        let edge = [1u8; 191];
        assert_eq!(credential_key(&edge).len(), 255);
    }

    #[test]
    fn ids_decode_only_from_base64url() {
        assert_eq!(decode_credential_id("AQID"), Some(vec![1, 2, 3]));
        assert_eq!(decode_credential_id("AQID=="), Some(vec![1, 2, 3]));
        assert_eq!(decode_credential_id("not base64!"), None);
        assert_eq!(decode_credential_id(""), None);
    }
}
