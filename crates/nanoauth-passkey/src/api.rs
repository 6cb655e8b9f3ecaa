//! The plugin's exports: what its endpoints do, callable from Rust.

use std::sync::Arc;

use nanoauth::{
    AdapterError, Auth, AuthUser, ClientInfo, Error, Event, PluginEvent, PluginRecord,
    RecordAdapter, Session, SignInOutcome, TypedRecords,
};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, WebauthnError,
};
use webauthn_rs_core::proto::{
    AuthenticatorSelectionCriteria, Registration, ResidentKeyRequirement, UserVerificationPolicy,
};

use crate::ceremony::{
    self, CEREMONY_TTL, ExpectReauthentication, ExpectRegistration, ExpectSignIn, Kind,
};
use crate::events;
use crate::plugin::Passkeys;
use crate::refusal;
use crate::relying_party::RelyingParty;
use crate::store::{self, PASSKEY, REAUTH, Reauthentication, StoredPasskey};

/// The sign-in method of a passkey (`Event::SignedIn`, guards).
pub const SIGN_IN_METHOD: &str = "passkey";
/// The second factor a passkey with user verification carries.
pub const USER_VERIFICATION: &str = "user-verification";
/// The default name of a passkey registered without one.
const DEFAULT_NAME: &str = "Passkey";
/// Longest name, in characters.
const MAX_NAME_CHARS: usize = 64;

/// `auth.passkeys()`: the exports of [`Passkeys`].
pub trait PasskeysExt<U: AuthUser, A: RecordAdapter<U>> {
    /// The passkey exports.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_passkey::PasskeysExt;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, user: BasicUser) -> Result<(), nanoauth::Error> {
    /// for passkey in auth.passkeys().list(&user).await? {
    ///     println!("{} ({})", passkey.name, passkey.id);
    /// }
    /// # Ok(()) }
    /// ```
    fn passkeys(&self) -> PasskeysApi<'_, U, A>;
}

impl<U: AuthUser, A: RecordAdapter<U>> PasskeysExt<U, A> for Auth<U, A> {
    fn passkeys(&self) -> PasskeysApi<'_, U, A> {
        PasskeysApi {
            auth: self,
            plugin: self.plugin::<Passkeys>(),
        }
    }
}

/// The exports of [`Passkeys`], from [`PasskeysExt::passkeys`].
#[derive(Debug)]
pub struct PasskeysApi<'a, U: AuthUser, A: RecordAdapter<U>> {
    pub(crate) auth: &'a Auth<U, A>,
    plugin: Option<Arc<Passkeys>>,
}

/// The first half of a ceremony: the options for the browser, and the
/// cookie that ties its answer to this ceremony. Its `Debug` leaves the
/// cookie's value out.
#[non_exhaustive]
pub struct CeremonyStart<O> {
    /// `{"publicKey": ...}` for `navigator.credentials.create()` / `get()`
    /// (base64url binary fields, as `parse*OptionsFromJSON` reads them).
    pub options: O,
    /// The plugin cookie's name (see `Auth::plugin_cookie_name`).
    pub cookie_name: &'static str,
    /// Its value: pass it back to finish the ceremony.
    pub cookie_value: String,
    /// Its lifetime, in seconds.
    pub max_age: u64,
}

impl<O> std::fmt::Debug for CeremonyStart<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CeremonyStart")
            .field("cookie_name", &self.cookie_name)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// A registered passkey, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PasskeyInfo {
    /// The credential id, base64url: what rename and delete take.
    pub id: String,
    /// The owner's name for it.
    pub name: String,
    /// When it was registered (Unix seconds).
    pub created_at: u64,
    /// When it last signed in or re-authenticated.
    pub last_used_at: Option<u64>,
    /// The authenticator may sync it (a synced passkey).
    pub backup_eligible: bool,
    /// It was backed up (synced), as last reported.
    pub backed_up: bool,
    /// Transports the browser reported at registration.
    pub transports: Vec<String>,
    /// The authenticator model's AAGUID as it stated it (not attested).
    pub aaguid: String,
}

impl From<&StoredPasskey> for PasskeyInfo {
    fn from(stored: &StoredPasskey) -> Self {
        Self {
            id: stored.credential_id.clone(),
            name: stored.name.clone(),
            created_at: stored.created_at,
            last_used_at: stored.last_used_at,
            backup_eligible: stored.backup_eligible,
            backed_up: stored.backup_state,
            transports: stored.transports.clone(),
            aaguid: stored.aaguid.clone(),
        }
    }
}

/// A session re-authenticated with a passkey.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reauthenticated {
    /// When (Unix seconds): the session counts as fresh from then for the
    /// `Auth`'s fresh age (see [`PasskeysApi::is_fresh`]).
    pub verified_at: u64,
    /// The passkey that did it.
    pub passkey: PasskeyInfo,
}

impl<'a, U: AuthUser, A: RecordAdapter<U>> PasskeysApi<'a, U, A> {
    /// The exports bound to `plugin` (what its endpoints use).
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<Passkeys>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    pub(crate) fn plugin(&self) -> Result<&Passkeys, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("passkey"))
    }

    pub(crate) fn adapter(&self) -> &A {
        self.auth.adapter()
    }

    /// The RP id, name and origins in force. Call it at start-up to fail
    /// fast on a configuration browsers would refuse (an IP address as RP
    /// id, an origin outside it); otherwise the first ceremony answers 500.
    ///
    /// # Errors
    /// An internal error describing the problem.
    pub fn relying_party(&self) -> Result<RelyingParty, Error> {
        RelyingParty::resolve(self.plugin()?, self.auth)
    }

    /// Starts registering a passkey for `user` (who the caller checked is
    /// signed in, freshly: see [`is_fresh`](Self::is_fresh)). The options
    /// ask for a discoverable credential and user verification, and exclude
    /// the user's passkeys (an authenticator holds one per account).
    ///
    /// # Errors
    /// `TOO_MANY_PASSKEYS` (400); adapter failures.
    pub async fn registration_options(
        &self,
        user: &U,
    ) -> Result<CeremonyStart<CreationChallengeResponse>, Error> {
        let plugin = self.plugin()?;
        let now = self.auth.now();
        let existing = store::user_passkeys(self.adapter(), user.id(), now).await?;
        if existing.len() >= plugin.max_per_user {
            return Err(refusal::too_many());
        }
        // One handle per user, reused: an authenticator then replaces rather
        // than duplicates an account's passkey, and the handle reveals
        // nothing (random, not the user id).
        let user_handle = existing
            .first()
            .and_then(|passkey| Uuid::parse_str(&passkey.user_handle).ok())
            .unwrap_or_else(Uuid::new_v4);
        let exclude = existing
            .iter()
            .map(|passkey| passkey.credential.cred_id().clone())
            .collect();
        let (options, state) = self.creation_options(user_handle, user.email(), exclude)?;
        let token = ceremony::begin(
            self.adapter(),
            ExpectRegistration {
                user_id: user.id().to_owned(),
                user_handle: user_handle.to_string(),
                state,
            },
            now,
        )
        .await?;
        Ok(start::<ExpectRegistration, _>(options, token))
    }

    /// Finishes a registration: `ceremony` is the cookie value of
    /// [`registration_options`](Self::registration_options), `credential`
    /// the browser's answer (`RegistrationResponseJSON`), `name` the
    /// owner's name for it (default "Passkey"). Emits
    /// [`events::REGISTERED`].
    ///
    /// # Errors
    /// `INVALID_PASSKEY_CHALLENGE` (401) without a live registration of
    /// this user; `PASSKEY_REGISTRATION_FAILED` (400) when webauthn-rs
    /// refuses the answer; `PASSKEY_NOT_DISCOVERABLE` (400);
    /// `PASSKEY_ALREADY_REGISTERED` (409); `INVALID_PASSKEY_NAME` (400).
    pub async fn register(
        &self,
        user: &U,
        ceremony: Option<&str>,
        credential: &RegisterPublicKeyCredential,
        name: Option<&str>,
    ) -> Result<PasskeyInfo, Error> {
        let plugin = self.plugin()?;
        let name = passkey_name(name)?;
        let now = self.auth.now();
        let expected: ExpectRegistration = ceremony::take(self.adapter(), ceremony, now).await?;
        if expected.user_id != user.id() {
            return Err(refusal::invalid_challenge());
        }
        let stored =
            self.verified_passkey(credential, &expected.state, name, expected.user_handle, now)?;
        if store::user_passkeys(self.adapter(), user.id(), now)
            .await?
            .len()
            >= plugin.max_per_user
        {
            return Err(refusal::too_many());
        }
        let record = stored.record(user.id())?;
        match self.adapter().insert_record(&record, now).await {
            Ok(()) => {}
            Err(AdapterError::Conflict) => return Err(refusal::already_registered()),
            Err(error) => return Err(error.into()),
        }
        self.emit(
            events::REGISTERED,
            user.id(),
            serde_json::json!({ "id": stored.credential_id }),
        )
        .await;
        Ok(PasskeyInfo::from(&stored))
    }

    /// Starts a usernameless sign-in: no credentials listed, the browser
    /// offers the passkeys it holds for this site (in a dialog, or in the
    /// address field's autofill with conditional mediation; the client
    /// chooses).
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn sign_in_options(&self) -> Result<CeremonyStart<RequestChallengeResponse>, Error> {
        self.plugin()?;
        let webauthn = self.relying_party()?.webauthn(self.auth, None)?;
        let (mut options, state) = webauthn
            .start_discoverable_authentication()
            .map_err(|error| refusal::misconfigured(error.to_string()))?;
        // webauthn-rs marks these options for conditional UI only; the
        // same challenge serves the modal prompt, and mediation is the
        // caller's choice in `navigator.credentials.get()`.
        options.mediation = None;
        let token =
            ceremony::begin(self.adapter(), ExpectSignIn { state }, self.auth.now()).await?;
        Ok(start::<ExpectSignIn, _>(options, token))
    }

    /// Finishes a usernameless sign-in and signs the passkey's owner in
    /// through [`Auth::create_session`] (so every plugin's guards run: a
    /// required email verification, two-factor when the passkey does not
    /// count as the second factor).
    ///
    /// # Errors
    /// `INVALID_PASSKEY_CHALLENGE` (401); `INVALID_PASSKEY` (401) for an
    /// unknown or deleted credential, a user handle that is not the
    /// credential's, a bad signature, another origin or RP id, a counter
    /// that went backwards; guard refusals.
    pub async fn sign_in(
        &self,
        ceremony: Option<&str>,
        credential: &PublicKeyCredential,
        client: ClientInfo,
    ) -> Result<SignInOutcome<U>, Error> {
        let plugin = self.plugin()?;
        let now = self.auth.now();
        let expected: ExpectSignIn = ceremony::take(self.adapter(), ceremony, now).await?;
        let webauthn = self.relying_party()?.webauthn(
            self.auth,
            client_origin(&credential.response.client_data_json).as_ref(),
        )?;
        let (user_handle, raw_id) = webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|_| refusal::invalid_passkey())?;
        let read = self
            .adapter()
            .find_typed::<StoredPasskey>(PASSKEY, &store::credential_key(raw_id), now)
            .await?
            .ok_or_else(refusal::invalid_passkey)?;
        let owner = read
            .record
            .user_id
            .clone()
            .ok_or_else(refusal::invalid_passkey)?;
        // WebAuthn §7.2 step 6: the user handle must be the credential's.
        if Uuid::parse_str(&read.value.user_handle).ok() != Some(user_handle) {
            return Err(refusal::invalid_passkey());
        }
        let result = match webauthn.finish_discoverable_authentication_v2(
            credential,
            expected.state,
            &read.value.credential,
        ) {
            Ok(result) => result,
            Err(error) => return Err(self.assertion_refused(&error, &owner, &read.value).await),
        };
        self.record_use(read, &result, &owner).await?;
        let user = self
            .adapter()
            .get_user(&owner)
            .await?
            .ok_or_else(refusal::invalid_passkey)?;
        let method = plugin.sign_in_method(result.user_verified());
        self.auth.create_session(user, client, method).await
    }

    /// Starts an assert-only re-authentication of `session`'s user: the
    /// options list their passkeys.
    ///
    /// # Errors
    /// `NO_PASSKEYS` (400); adapter failures.
    pub async fn reauthentication_options(
        &self,
        session: &Session<U>,
    ) -> Result<CeremonyStart<RequestChallengeResponse>, Error> {
        self.plugin()?;
        let now = self.auth.now();
        let passkeys = store::user_passkeys(self.adapter(), session.user.id(), now).await?;
        if passkeys.is_empty() {
            return Err(refusal::no_passkeys());
        }
        let credentials: Vec<_> = passkeys
            .into_iter()
            .map(|passkey| passkey.credential)
            .collect();
        let webauthn = self.relying_party()?.webauthn(self.auth, None)?;
        let (options, state) = webauthn
            .start_passkey_authentication(&credentials)
            .map_err(|error| refusal::misconfigured(error.to_string()))?;
        let token = ceremony::begin(
            self.adapter(),
            ExpectReauthentication {
                user_id: session.user.id().to_owned(),
                session_id: session.session.id.clone(),
                state,
            },
            now,
        )
        .await?;
        Ok(start::<ExpectReauthentication, _>(options, token))
    }

    /// Verifies a passkey of `session`'s user **without a new session**,
    /// and records the time against this session: from then, for the
    /// `Auth`'s fresh age, [`is_fresh`](Self::is_fresh) says yes (better-auth
    /// #5099: confirming a sensitive action needed a whole new sign-in).
    ///
    /// # Errors
    /// `INVALID_PASSKEY_CHALLENGE` (401) without a live re-authentication of
    /// this session; `INVALID_PASSKEY` (401) as for sign-in.
    pub async fn reauthenticate(
        &self,
        session: &Session<U>,
        ceremony: Option<&str>,
        credential: &PublicKeyCredential,
    ) -> Result<Reauthenticated, Error> {
        self.plugin()?;
        let now = self.auth.now();
        let user_id = session.user.id();
        let expected: ExpectReauthentication =
            ceremony::take(self.adapter(), ceremony, now).await?;
        if expected.user_id != user_id || expected.session_id != session.session.id {
            return Err(refusal::invalid_challenge());
        }
        let read = self
            .adapter()
            .find_typed::<StoredPasskey>(PASSKEY, &store::credential_key(&credential.raw_id), now)
            .await?
            .filter(|read| read.record.user_id.as_deref() == Some(user_id))
            .ok_or_else(refusal::invalid_passkey)?;
        let webauthn = self.relying_party()?.webauthn(
            self.auth,
            client_origin(&credential.response.client_data_json).as_ref(),
        )?;
        let result = match webauthn.finish_passkey_authentication(credential, &expected.state) {
            Ok(result) => result,
            Err(error) => return Err(self.assertion_refused(&error, user_id, &read.value).await),
        };
        let used = self.record_use(read, &result, user_id).await?;
        self.record_reauthentication(session, &used.credential_id, now)
            .await?;
        Ok(Reauthenticated {
            verified_at: now,
            passkey: PasskeyInfo::from(&used),
        })
    }

    /// When `session` was last re-authenticated with a passkey, if it was.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn reauthenticated_at(&self, session: &Session<U>) -> Result<Option<u64>, Error> {
        let read = self
            .adapter()
            .find_typed::<Reauthentication>(REAUTH, &session.session.id, self.auth.now())
            .await?;
        Ok(read
            .filter(|read| read.record.user_id.as_deref() == Some(session.user.id()))
            .map(|read| read.value.verified_at))
    }

    /// `session` is fresh: signed in within the `Auth`'s fresh age, or
    /// re-authenticated since (with a passkey, or as another plugin
    /// reports): [`Auth::is_recently_authenticated`](nanoauth::Auth::is_recently_authenticated),
    /// which the core's own sensitive routes ask too.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, Session, adapter::memory::MemoryAdapter};
    /// use nanoauth_passkey::PasskeysExt;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, session: Session<BasicUser>) -> Result<(), nanoauth::Error> {
    /// if !auth.passkeys().is_fresh(&session).await? {
    ///     return Err(nanoauth::Error::SessionNotFresh);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn is_fresh(&self, session: &Session<U>) -> Result<bool, Error> {
        // One rule for every route: the core asks this plugin (and any
        // other) when the session last re-authenticated.
        self.auth.is_recently_authenticated(session).await
    }

    /// `user`'s passkeys, oldest first.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list(&self, user: &U) -> Result<Vec<PasskeyInfo>, Error> {
        self.plugin()?;
        Ok(
            store::user_passkeys(self.adapter(), user.id(), self.auth.now())
                .await?
                .iter()
                .map(PasskeyInfo::from)
                .collect(),
        )
    }

    /// Renames `user`'s passkey `id`.
    ///
    /// # Errors
    /// `PASSKEY_NOT_FOUND` (404) unless `user` has it; `INVALID_PASSKEY_NAME`
    /// (400).
    pub async fn rename(&self, user: &U, id: &str, name: &str) -> Result<PasskeyInfo, Error> {
        self.plugin()?;
        let name = valid_name(name)?;
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let read = store::owned_passkey(self.adapter(), user.id(), id, now)
                .await?
                .ok_or_else(refusal::not_found)?;
            let mut renamed = read.value.clone();
            renamed.name.clone_from(&name);
            if self.adapter().update_typed(&read, &renamed, now).await? {
                return Ok(PasskeyInfo::from(&renamed));
            }
        }
        Err(store::busy())
    }

    /// Deletes `user`'s passkey `id`: it signs no one in from now on (the
    /// authenticator still holds it; the browser may offer it, and it is
    /// refused). Emits [`events::DELETED`].
    ///
    /// # Errors
    /// `PASSKEY_NOT_FOUND` (404) unless `user` has it.
    pub async fn delete(&self, user: &U, id: &str) -> Result<(), Error> {
        self.plugin()?;
        let now = self.auth.now();
        let read = store::owned_passkey(self.adapter(), user.id(), id, now)
            .await?
            .ok_or_else(refusal::not_found)?;
        if !self
            .adapter()
            .delete_record(PASSKEY, &read.record.key, now)
            .await?
        {
            return Err(refusal::not_found());
        }
        self.emit(
            events::DELETED,
            user.id(),
            serde_json::json!({ "id": read.value.credential_id }),
        )
        .await;
        Ok(())
    }

    /// Creation options for a new passkey of `user_handle` (named `email`
    /// on the device), and webauthn-rs's state for the answer.
    pub(crate) fn creation_options(
        &self,
        user_handle: Uuid,
        email: &str,
        exclude: Vec<webauthn_rs::prelude::CredentialID>,
    ) -> Result<(CreationChallengeResponse, PasskeyRegistration), Error> {
        let webauthn = self.relying_party()?.webauthn(self.auth, None)?;
        let (mut options, state) = webauthn
            .start_passkey_registration(user_handle, email, email, Some(exclude))
            .map_err(|error| refusal::misconfigured(error.to_string()))?;
        // webauthn-rs asks for `residentKey: discouraged`; sign-in here is
        // usernameless only, so a credential the device does not keep
        // (discoverable) could never be used: ask for one. A hint the
        // authenticator may ignore; `credProps` tells (see
        // `verified_passkey`).
        options.public_key.authenticator_selection = Some(AuthenticatorSelectionCriteria {
            authenticator_attachment: None,
            resident_key: Some(ResidentKeyRequirement::Required),
            require_resident_key: true,
            user_verification: UserVerificationPolicy::Required,
        });
        Ok((options, state))
    }

    /// Verifies a registration answer against `state` and gives the passkey
    /// to store (not stored yet).
    pub(crate) fn verified_passkey(
        &self,
        credential: &RegisterPublicKeyCredential,
        state: &PasskeyRegistration,
        name: String,
        user_handle: String,
        now: u64,
    ) -> Result<StoredPasskey, Error> {
        let webauthn = self.relying_party()?.webauthn(
            self.auth,
            client_origin(&credential.response.client_data_json).as_ref(),
        )?;
        let passkey = webauthn
            .finish_passkey_registration(credential, state)
            .map_err(|error| refusal::registration_error(&error))?;
        if credential
            .extensions
            .cred_props
            .as_ref()
            .and_then(|props| props.rk)
            == Some(false)
        {
            return Err(refusal::not_discoverable());
        }
        // Verified above; read what webauthn-rs keeps to itself.
        let facts = AuthenticatorFacts::of(&credential.response.attestation_object)?;
        Ok(StoredPasskey {
            credential_id: store::encode_credential_id(passkey.cred_id()),
            name,
            user_handle,
            counter: facts.counter,
            backup_eligible: facts.backup_eligible,
            backup_state: facts.backup_state,
            transports: credential
                .response
                .transports
                .iter()
                .flatten()
                .filter_map(|transport| serde_json::to_value(transport).ok())
                .filter_map(|value| value.as_str().map(str::to_owned))
                .filter(|transport| transport != "unknown")
                .collect(),
            aaguid: facts.aaguid.to_string(),
            created_at: now,
            last_used_at: None,
            credential: passkey,
        })
    }

    /// Applies the counter rule and records the use, by compare-and-swap:
    /// of two uses racing with one counter value, the second sees the
    /// first's counter and is refused as a regression.
    async fn record_use(
        &self,
        mut read: nanoauth::Typed<StoredPasskey>,
        result: &AuthenticationResult,
        user_id: &str,
    ) -> Result<StoredPasskey, Error> {
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let Some(counter) = check_counter(read.value.counter, result.counter()) else {
                self.counter_regressed(user_id, &read.value, Some(result.counter()))
                    .await;
                return Err(refusal::invalid_passkey());
            };
            let mut used = read.value.clone();
            used.counter = counter;
            used.backup_state = result.backup_state();
            used.last_used_at = Some(now);
            if self.adapter().update_typed(&read, &used, now).await? {
                return Ok(used);
            }
            let key = read.record.key.clone();
            read = self
                .adapter()
                .find_typed::<StoredPasskey>(PASSKEY, &key, now)
                .await?
                .ok_or_else(refusal::invalid_passkey)?;
        }
        Err(store::busy())
    }

    /// Records `session`'s re-authentication, until the session ends.
    async fn record_reauthentication(
        &self,
        session: &Session<U>,
        credential_id: &str,
        now: u64,
    ) -> Result<(), Error> {
        let value = Reauthentication {
            verified_at: now,
            credential_id: credential_id.to_owned(),
        };
        let key = &session.session.id;
        for _ in 0..store::CAS_RETRIES {
            match self
                .adapter()
                .find_typed::<Reauthentication>(REAUTH, key, now)
                .await?
            {
                Some(read) => {
                    if self.adapter().update_typed(&read, &value, now).await? {
                        return Ok(());
                    }
                }
                None => {
                    let record = PluginRecord::json(REAUTH, key.clone(), &value)?
                        .owned_by(session.user.id())
                        .expiring_at(session.session.expires_at.max(now.saturating_add(1)));
                    match self.adapter().insert_record(&record, now).await {
                        Ok(()) => return Ok(()),
                        Err(AdapterError::Conflict) => {}
                        Err(error) => return Err(error.into()),
                    }
                }
            }
        }
        Err(store::busy())
    }

    /// The refusal of an assertion webauthn-rs did not accept. It compares
    /// the counter with the registration's (the stored credential is kept
    /// as registered) and does not say what it received: reported like
    /// ours, without the value.
    async fn assertion_refused(
        &self,
        error: &WebauthnError,
        user_id: &str,
        passkey: &StoredPasskey,
    ) -> Error {
        match error {
            WebauthnError::CredentialPossibleCompromise => {
                self.counter_regressed(user_id, passkey, None).await;
                refusal::invalid_passkey()
            }
            WebauthnError::Configuration => refusal::misconfigured(error.to_string()),
            _ => refusal::invalid_passkey(),
        }
    }

    async fn counter_regressed(
        &self,
        user_id: &str,
        passkey: &StoredPasskey,
        received: Option<u32>,
    ) {
        self.emit(
            events::COUNTER_REGRESSED,
            user_id,
            serde_json::json!({
                "id": passkey.credential_id,
                "stored": passkey.counter,
                "received": received,
            }),
        )
        .await;
    }

    pub(crate) async fn emit(&self, name: &'static str, user_id: &str, data: serde_json::Value) {
        self.auth
            .emit(Event::Plugin(PluginEvent::new(name, user_id, data)))
            .await;
    }
}

/// The counter rule (WebAuthn §7.2 step 21, with the issue's exception):
/// 0 means the authenticator keeps no counter (synced passkeys) and is
/// accepted, leaving the stored one; any other value must exceed the
/// highest seen. `None`: refused, the authenticator may be cloned.
pub(crate) fn check_counter(stored: u32, received: u32) -> Option<u32> {
    if received == 0 {
        Some(stored)
    } else if received > stored {
        Some(received)
    } else {
        None
    }
}

pub(crate) fn start<K: Kind, O>(options: O, token: String) -> CeremonyStart<O> {
    CeremonyStart {
        options,
        cookie_name: K::COOKIE,
        cookie_value: token,
        max_age: CEREMONY_TTL,
    }
}

/// The name given for a new passkey, checked, or the default one.
pub(crate) fn passkey_name(name: Option<&str>) -> Result<String, Error> {
    name.map_or_else(|| Ok(DEFAULT_NAME.to_owned()), valid_name)
}

/// A passkey's name: trimmed, 1 to 64 characters, no control characters.
fn valid_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(refusal::invalid_name());
    }
    Ok(name.to_owned())
}

/// The origin the browser signed, read from the client data so that a
/// trusted origin of the `Auth` can be added to the verifier's list;
/// webauthn-rs then checks it (with the challenge, type and the rest).
fn client_origin(client_data_json: &[u8]) -> Option<Url> {
    #[derive(Deserialize)]
    struct ClientData {
        origin: String,
    }
    let data: ClientData = serde_json::from_slice(client_data_json).ok()?;
    Url::parse(&data.origin).ok()
}

/// What the authenticator said at registration, read from the attestation
/// object webauthn-rs has just verified.
struct AuthenticatorFacts {
    aaguid: Uuid,
    counter: u32,
    backup_eligible: bool,
    backup_state: bool,
}

impl AuthenticatorFacts {
    fn of(attestation_object: &[u8]) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct AttestationObject<'a> {
            #[serde(rename = "authData", borrow)]
            auth_data: &'a [u8],
        }
        let unreadable = || refusal::registration_failed("The passkey could not be read.");
        let object: AttestationObject<'_> =
            serde_cbor_2::from_slice(attestation_object).map_err(|_| unreadable())?;
        let data = webauthn_rs_core::internals::AuthenticatorData::<Registration>::try_from(
            object.auth_data,
        )
        .map_err(|_| unreadable())?;
        let aaguid = data
            .acd
            .as_ref()
            .map_or(Uuid::nil(), |acd| Uuid::from_bytes(acd.aaguid));
        Ok(Self {
            aaguid,
            counter: data.counter,
            backup_eligible: data.backup_eligible,
            backup_state: data.backup_state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_must_grow_unless_zero() {
        assert_eq!(check_counter(0, 0), Some(0));
        assert_eq!(check_counter(5, 0), Some(5), "0: no counter, accepted");
        assert_eq!(check_counter(5, 6), Some(6));
        assert_eq!(check_counter(5, 5), None, "a repeat is a regression");
        assert_eq!(check_counter(5, 4), None);
        assert_eq!(check_counter(0, 1), Some(1));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  Laptop ").ok().as_deref(), Some("Laptop"));
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"é".repeat(64)).is_ok());
        assert!(valid_name(&"é".repeat(65)).is_err());
        assert!(valid_name("a\u{7}b").is_err());
    }

    #[test]
    fn the_client_origin_is_read_from_client_data() {
        let data = br#"{"type":"webauthn.get","challenge":"AA","origin":"https://app.example.com","crossOrigin":false}"#;
        assert_eq!(
            client_origin(data).map(|url| url.origin().ascii_serialization()),
            Some("https://app.example.com".to_owned())
        );
        assert_eq!(client_origin(b"not json"), None);
    }
}
