//! A software authenticator for tests of passkey flows: 1Password's
//! passkey-rs (a WebAuthn client in front of a CTAP2 authenticator that
//! signs with real P-256 keys and keeps discoverable credentials), wrapped
//! as a [`Device`] that takes the server's `{"publicKey": ...}` options and
//! answers in WebAuthn Level 3's `toJSON()` shapes, as a browser's page
//! would post them. Tests can reach into its keys ([`Device::keys`]) as an
//! attacker who cloned it could: roll a counter back, move a key to another
//! RP id.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use nanoauth_testing::authenticator::Device;
//! use serde_json::json;
//!
//! let mut device = Device::synced();
//! // What `POST /passkey/register/options` answers, in short:
//! let options = json!({ "publicKey": {
//!     "rp": { "id": "localhost", "name": "Test" },
//!     "user": { "id": "AQID", "name": "ada@example.com", "displayName": "Ada" },
//!     "challenge": "AAECAwQFBgcICQoLDA0ODw",
//!     "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
//!     "authenticatorSelection": { "residentKey": "required", "userVerification": "required" },
//! }});
//! let credential = device.create("http://localhost:3000", options).await;
//! assert_eq!(credential["type"], "public-key");
//! assert_eq!(device.key_count(), 1);
//! # }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use passkey_authenticator::{
    Authenticator, CredentialStore, DiscoverabilitySupport, StoreInfo, UiHint, UserCheck,
    UserValidationMethod,
};
use passkey_client::{Client, DefaultClientData};
use passkey_crypto::AvailableBackend;
use passkey_types::Passkey;
use passkey_types::ctap2::make_credential::{
    Options, PublicKeyCredentialRpEntity, PublicKeyCredentialUserEntity,
};
use passkey_types::ctap2::{Aaguid, Ctap2Error, StatusCode as CtapStatus};
use passkey_types::webauthn::{
    CredentialCreationOptions, CredentialRequestOptions, PublicKeyCredentialDescriptor,
};
use serde_json::Value;
use url::Url;

/// The authenticator's keys, shared so that tests can reach into it (roll
/// a counter back, move a key to another RP id) as an attacker who cloned
/// it could.
#[derive(Clone, Default)]
pub struct Keys(pub Arc<Mutex<Vec<Passkey>>>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Private keys: never printed.
        let count = self.0.lock().map_or(0, |keys| keys.len());
        f.debug_struct("Keys")
            .field("count", &count)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl CredentialStore for Keys {
    type PasskeyItem = Passkey;

    async fn find_credentials(
        &self,
        ids: Option<&[PublicKeyCredentialDescriptor]>,
        rp_id: &str,
        _user_handle: Option<&[u8]>,
    ) -> Result<Vec<Passkey>, CtapStatus> {
        let keys = self.0.lock().unwrap();
        let found: Vec<Passkey> = keys
            .iter()
            .filter(|key| key.rp_id == rp_id)
            .filter(|key| match ids {
                Some(ids) if !ids.is_empty() => ids
                    .iter()
                    .any(|id| id.id.as_slice() == key.credential_id.as_slice()),
                // Discoverable: every key of this RP.
                _ => true,
            })
            .cloned()
            .collect();
        if found.is_empty() {
            Err(Ctap2Error::NoCredentials.into())
        } else {
            Ok(found)
        }
    }

    async fn save_credential(
        &mut self,
        cred: Passkey,
        _user: PublicKeyCredentialUserEntity,
        _rp: PublicKeyCredentialRpEntity,
        _options: Options,
    ) -> Result<(), CtapStatus> {
        let mut keys = self.0.lock().unwrap();
        // One key per account and RP, as platform authenticators keep them.
        keys.retain(|key| !(key.rp_id == cred.rp_id && key.user_handle == cred.user_handle));
        keys.push(cred);
        Ok(())
    }

    async fn update_credential(&mut self, cred: &Passkey) -> Result<(), CtapStatus> {
        let mut keys = self.0.lock().unwrap();
        for key in keys.iter_mut() {
            if key.credential_id == cred.credential_id {
                *key = cred.clone();
            }
        }
        Ok(())
    }

    async fn get_info(&self) -> StoreInfo {
        StoreInfo {
            discoverability: DiscoverabilitySupport::Full,
        }
    }
}

/// The person at the device: present, and verified (PIN, biometrics).
#[derive(Debug)]
pub struct Person;

#[async_trait::async_trait]
impl UserValidationMethod for Person {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

/// The WebAuthn client of a [`Device`]: passkey-rs's, over its keys.
pub type SoftClient = Client<Keys, Person, AvailableBackend, public_suffix::PublicSuffixList, ()>;

/// A device holding passkeys: 1Password's WebAuthn client in front of its
/// CTAP2 authenticator.
pub struct Device {
    /// The WebAuthn client (what a browser's `navigator.credentials` is).
    pub client: SoftClient,
    /// The keys the authenticator holds.
    pub keys: Keys,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// A device whose keys keep no signature counter (as synced passkeys).
    pub fn synced() -> Self {
        Self::new(false)
    }

    /// A device whose keys count their signatures (as security keys).
    pub fn counting() -> Self {
        Self::new(true)
    }

    fn new(counter: bool) -> Self {
        let keys = Keys::default();
        let mut authenticator =
            Authenticator::new(Aaguid::new_empty(), keys.clone(), Person, AvailableBackend);
        authenticator.set_make_credentials_with_signature_counter(counter);
        let client = Client::new(authenticator).allows_insecure_localhost(true);
        Self { client, keys }
    }

    /// `navigator.credentials.create()` on a page of `origin` with the
    /// server's `{"publicKey": ...}`; the answer as `toJSON()` gives it.
    ///
    /// # Panics
    /// When the client refuses (see [`try_create`](Self::try_create)).
    pub async fn create(&mut self, origin: &str, options: Value) -> Value {
        self.try_create(origin, options).await.unwrap()
    }

    /// As [`create`](Self::create), with the client's refusal as an error
    /// (options it will not sign for: another origin, an RP id outside it).
    ///
    /// # Errors
    /// What the client or authenticator refused, described.
    pub async fn try_create(&mut self, origin: &str, options: Value) -> Result<Value, String> {
        let options: CredentialCreationOptions =
            serde_json::from_value(options).map_err(|e| format!("options: {e}"))?;
        let origin = Url::parse(origin).unwrap();
        let created = self
            .client
            .register(&origin, options, DefaultClientData)
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_value(created).unwrap())
    }

    /// `navigator.credentials.get()` on a page of `origin`.
    ///
    /// # Panics
    /// When the client refuses (see [`try_get`](Self::try_get)).
    pub async fn get(&mut self, origin: &str, options: Value) -> Value {
        self.try_get(origin, options).await.unwrap()
    }

    /// As [`get`](Self::get), with the client's refusal as an error.
    ///
    /// # Errors
    /// What the client or authenticator refused, described.
    pub async fn try_get(&mut self, origin: &str, options: Value) -> Result<Value, String> {
        let options: CredentialRequestOptions =
            serde_json::from_value(options).map_err(|e| format!("options: {e}"))?;
        let origin = Url::parse(origin).unwrap();
        let got = self
            .client
            .authenticate(&origin, options, DefaultClientData)
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_value(got).unwrap())
    }

    /// Sets every key's counter, as a cloned or reset authenticator would
    /// present it (`None`: no counter).
    pub fn set_counter(&self, counter: Option<u32>) {
        for key in self.keys.0.lock().unwrap().iter_mut() {
            key.counter = counter;
        }
    }

    /// How many passkeys the device holds.
    pub fn key_count(&self) -> usize {
        self.keys.0.lock().unwrap().len()
    }
}
