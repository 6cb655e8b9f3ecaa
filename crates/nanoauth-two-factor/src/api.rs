//! The plugin's exports: what its endpoints do, callable from Rust.

use std::sync::Arc;

use nanoauth::utils::token::{random_id, random_token};
use nanoauth::{
    Auth, AuthUser, ClientInfo, Error, Event, PluginEvent, PluginRecord, Session, SignInMethod,
    SignInOutcome, TypedRecords,
};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::codes::{self, normalize_code};
use crate::events;
use crate::plugin::{
    DEVICE_COOKIE, EMAIL_CODE_TTL, MAX_EMAILS_PER_CHALLENGE, TwoFactor, TwoFactorAdapter,
};
use crate::refusal;
use crate::secret::TotpSecret;
use crate::store::{self, ChallengeState, DeviceState, Pending, UserState};
use crate::uri::otpauth_uri;

/// `auth.two_factor()`: the exports of [`TwoFactor`].
pub trait TwoFactorExt<U: AuthUser, A: TwoFactorAdapter<U>> {
    /// The two-factor exports.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_two_factor::{TwoFactor, TwoFactorExt};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, user: BasicUser) -> Result<(), nanoauth::Error> {
    /// let status = auth.two_factor().status(&user).await?;
    /// println!("two-factor on: {}", status.enabled);
    /// # Ok(()) }
    /// ```
    fn two_factor(&self) -> TwoFactorApi<'_, U, A>;
}

impl<U: AuthUser, A: TwoFactorAdapter<U>> TwoFactorExt<U, A> for Auth<U, A> {
    fn two_factor(&self) -> TwoFactorApi<'_, U, A> {
        TwoFactorApi {
            auth: self,
            plugin: self.plugin::<TwoFactor>(),
        }
    }
}

/// The exports of [`TwoFactor`], from [`TwoFactorExt::two_factor`].
#[derive(Debug)]
pub struct TwoFactorApi<'a, U: AuthUser, A: TwoFactorAdapter<U>> {
    auth: &'a Auth<U, A>,
    plugin: Option<Arc<TwoFactor>>,
}

/// A new authenticator enrolment: show the URI (as a QR code and its
/// secret in text) and the backup codes once. Its `Debug` is redacted.
#[non_exhaustive]
pub struct Enrolment {
    /// `otpauth://totp/...` for authenticator apps.
    pub totp_uri: Zeroizing<String>,
    /// One-time backup codes, shown only now.
    pub backup_codes: Vec<String>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("backup_codes", &self.backup_codes.len())
            .finish_non_exhaustive()
    }
}

/// A user's two-factor state, for their account page.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Status {
    /// Sign-in asks for a second factor.
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    /// Unused backup codes.
    pub backup_codes_left: usize,
    /// Browsers that skip the challenge.
    pub trusted_devices: Vec<TrustedDevice>,
}

/// A browser that skips the challenge.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrustedDevice {
    /// Its id, to revoke it.
    pub id: String,
    /// When it was trusted.
    pub created_at: u64,
    /// Until when.
    pub expires_at: Option<u64>,
    /// Its `User-Agent` then.
    pub user_agent: Option<String>,
    /// Its address then.
    pub ip_address: Option<String>,
}

/// A second factor presented against a sign-in challenge.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Factor<'a> {
    /// A code from the authenticator app.
    Totp(&'a str),
    /// One of the backup codes.
    BackupCode(&'a str),
    /// The code emailed for this challenge.
    EmailCode(&'a str),
}

impl Factor<'_> {
    fn name(self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::BackupCode(_) => "backup-code",
            Self::EmailCode(_) => "email-otp",
        }
    }
}

/// A challenge answered: the sign-in's outcome and, when the device is to
/// be trusted, the cookie value for it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Verified<U> {
    /// The session (or, in theory, another guard's challenge).
    pub outcome: SignInOutcome<U>,
    /// The trusted-device cookie's value, when asked for.
    pub device_token: Option<Zeroizing<String>>,
}

impl<'a, U: AuthUser, A: TwoFactorAdapter<U>> TwoFactorApi<'a, U, A> {
    /// The exports bound to `plugin` (what its endpoints use).
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<TwoFactor>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn plugin(&self) -> Result<&TwoFactor, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("two-factor"))
    }

    fn adapter(&self) -> &A {
        self.auth.adapter()
    }

    async fn state(&self, user_id: &str) -> Result<Option<nanoauth::Typed<UserState>>, Error> {
        Ok(self
            .adapter()
            .find_typed::<UserState>(store::STATE, user_id, self.auth.now())
            .await?)
    }

    /// `user`'s state: on, pending, backup codes left, trusted devices.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn status(&self, user: &U) -> Result<Status, Error> {
        self.plugin()?;
        let state = self.state(user.id()).await?.map(|read| read.value);
        Ok(Status {
            enabled: state.as_ref().is_some_and(UserState::is_enabled),
            pending: state.as_ref().is_some_and(|state| state.pending.is_some()),
            backup_codes_left: state.as_ref().map_or(0, |state| state.backup_codes.len()),
            trusted_devices: self.trusted_devices(user.id()).await?,
        })
    }

    /// Checks that the person at `session` is its user, before a change to
    /// their second factor: the password when the account has one; a
    /// session signed in within the fresh age otherwise (or, where given,
    /// a valid TOTP code).
    ///
    /// # Errors
    /// [`Error::InvalidPassword`]; [`Error::SessionNotFresh`] for an account
    /// without a password and an old session.
    pub async fn reauthenticate(
        &self,
        session: &Session<U>,
        password: Option<&str>,
        code: Option<&str>,
    ) -> Result<(), Error> {
        let plugin = self.plugin()?;
        let checked = match self
            .auth
            .email_password()
            .check_password(&session.user, password.unwrap_or(""))
            .await
        {
            Ok(checked) => checked,
            Err(Error::PluginNotEnabled(_)) => None,
            Err(error) => return Err(error),
        };
        match checked {
            Some(true) => Ok(()),
            Some(false) => Err(Error::InvalidPassword),
            None if self.auth.is_recently_authenticated(session).await? => Ok(()),
            // Without a password: a recent sign-in, or a code of the
            // authenticator already in force.
            None => match code {
                Some(code) => match self.use_totp(plugin, session.user.id(), code).await {
                    Ok(_) => Ok(()),
                    Err(error) if error.code() == "TWO_FACTOR_NOT_ENABLED" => {
                        Err(Error::SessionNotFresh)
                    }
                    Err(error) => Err(error),
                },
                None => Err(Error::SessionNotFresh),
            },
        }
    }

    /// Starts an enrolment for the signed-in user (after
    /// [`reauthenticate`](Self::reauthenticate)): a new secret and backup
    /// codes, pending until [`confirm`](Self::confirm). A secret already in
    /// force stays in force until then.
    ///
    /// # Errors
    /// Adapter and randomness failures.
    pub async fn enable(&self, user: &U) -> Result<Enrolment, Error> {
        let plugin = self.plugin()?;
        let secret = TotpSecret::generate().map_err(Error::internal)?;
        let sealed = plugin
            .sealing_keys(self.auth)?
            .seal(secret.as_bytes(), &seal_context(user.id()))
            .map_err(Error::internal)?;
        let backup_codes =
            codes::backup_codes(plugin.backup_code_count).map_err(Error::internal)?;
        let hashes = self.hash_codes(&backup_codes)?;
        store::change_state(self.adapter(), user.id(), self.auth.now(), |state| {
            state.pending = Some(Pending {
                secret: sealed.clone(),
                backup_codes: hashes.clone(),
            });
            Ok(())
        })
        .await?;
        Ok(Enrolment {
            totp_uri: otpauth_uri(&secret, &plugin.issuer, user.email(), &plugin.totp),
            backup_codes,
        })
    }

    /// Confirms the pending enrolment with a code from the app: from now on
    /// sign-in asks for a second factor. Emits `two-factor.enabled`.
    ///
    /// # Errors
    /// `INVALID_CODE` (401); `NO_PENDING_TWO_FACTOR` (400) without an
    /// enrolment.
    pub async fn confirm(&self, user: &U, code: &str) -> Result<(), Error> {
        let plugin = self.plugin()?;
        let keys = plugin.sealing_keys(self.auth)?;
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let read = self
                .state(user.id())
                .await?
                .ok_or_else(refusal::no_pending)?;
            let pending = read.value.pending.clone().ok_or_else(refusal::no_pending)?;
            let seed = keys
                .open(&pending.secret, &seal_context(user.id()))
                .ok_or_else(refusal::unreadable_secret)?;
            let step = plugin
                .totp
                .verify(&TotpSecret::from_bytes(&seed), code, now, 1, None)
                .ok_or_else(refusal::invalid_code)?;
            let mut state = read.value.clone();
            state.secret = Some(pending.secret);
            state.backup_codes = pending.backup_codes;
            state.pending = None;
            state.last_step = Some(step);
            state.enabled_at = Some(now);
            state.failures = 0;
            state.locked_until = None;
            if self.adapter().update_typed(&read, &state, now).await? {
                self.emit(events::ENABLED, user.id(), serde_json::json!({}))
                    .await;
                return Ok(());
            }
        }
        Err(store::busy())
    }

    /// Turns two-factor off (after [`reauthenticate`](Self::reauthenticate)):
    /// the secret, backup codes and trusted devices go. Emits
    /// `two-factor.disabled`.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn disable(&self, user: &U) -> Result<(), Error> {
        self.plugin()?;
        let now = self.auth.now();
        let was_on = self.state(user.id()).await?.is_some();
        self.adapter()
            .delete_record(store::STATE, user.id(), now)
            .await?;
        self.adapter()
            .delete_user_records(store::DEVICE, user.id())
            .await?;
        if was_on {
            self.emit(events::DISABLED, user.id(), serde_json::json!({}))
                .await;
        }
        Ok(())
    }

    /// A new set of backup codes (after
    /// [`reauthenticate`](Self::reauthenticate)); the old set is void.
    ///
    /// # Errors
    /// `TWO_FACTOR_NOT_ENABLED` (400); adapter failures.
    pub async fn regenerate_backup_codes(&self, user: &U) -> Result<Vec<String>, Error> {
        let plugin = self.plugin()?;
        let codes = codes::backup_codes(plugin.backup_code_count).map_err(Error::internal)?;
        let hashes = self.hash_codes(&codes)?;
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let read = self.state(user.id()).await?;
            let Some(read) = read.filter(|read| read.value.is_enabled()) else {
                return Err(refusal::not_enabled());
            };
            let mut state = read.value.clone();
            state.backup_codes.clone_from(&hashes);
            if self.adapter().update_typed(&read, &state, now).await? {
                return Ok(codes);
            }
        }
        Err(store::busy())
    }

    /// Answers the sign-in challenge `challenge_token` (the challenge
    /// cookie's value) with `factor`. On success the challenge is used up
    /// and the session created as the first factor would have (with the
    /// second factor recorded on its [`SignInMethod`]); with `trust_device`
    /// the browser skips the challenge from now on.
    ///
    /// # Errors
    /// `INVALID_CHALLENGE` (401) for an unknown, expired or exhausted
    /// challenge; `INVALID_CODE` (401) for a wrong code (counted against the
    /// challenge and the account); [`Error::RateLimited`] while the account's
    /// second factor is locked.
    pub async fn verify_challenge(
        &self,
        challenge_token: &str,
        factor: Factor<'_>,
        client: ClientInfo,
        trust_device: bool,
    ) -> Result<Verified<U>, Error> {
        let plugin = self.plugin()?;
        let now = self.auth.now();
        let challenge_key = store::key_of(challenge_token);
        let challenge = self
            .adapter()
            .find_typed::<ChallengeState>(store::CHALLENGE, &challenge_key, now)
            .await?
            .ok_or_else(refusal::invalid_challenge)?;
        let user_id = challenge
            .record
            .user_id
            .clone()
            .ok_or_else(refusal::invalid_challenge)?;
        let user = self
            .adapter()
            .get_user(&user_id)
            .await?
            .ok_or_else(refusal::invalid_challenge)?;
        if let Some(state) = self.state(&user_id).await?
            && let Some(locked_until) = state.value.locked_until.filter(|until| *until > now)
        {
            return Err(Error::RateLimited {
                retry_after_secs: locked_until - now,
            });
        }

        let accepted = match factor {
            Factor::Totp(code) => self.use_totp(plugin, &user_id, code).await.map(|_| ()),
            Factor::BackupCode(code) => self.use_backup_code(&user_id, code).await,
            Factor::EmailCode(code) => self.use_email_code(&challenge_key, code).await,
        };
        match accepted {
            Ok(()) => {}
            Err(error) if is_wrong_code(&error) => {
                self.count_failure(plugin, &challenge_key, &user_id, factor)
                    .await?;
                return Err(error);
            }
            Err(error) => return Err(error),
        }

        // Single use: of two requests that both got this far, one wins.
        if !self
            .adapter()
            .delete_record(store::CHALLENGE, &challenge_key, now)
            .await?
        {
            return Err(refusal::invalid_challenge());
        }
        self.reset_failures(&user_id).await?;
        let device_token = if trust_device {
            Some(self.trust_device(plugin, &user_id, &client).await?)
        } else {
            None
        };
        let method = SignInMethod::named(challenge.value.method).with_second_factor(factor.name());
        let outcome = self.auth.create_session(user, client, method).await?;
        Ok(Verified {
            outcome,
            device_token,
        })
    }

    /// Emails a one-time code for the challenge `challenge_token` (with
    /// [`TwoFactor::email_otp`] configured).
    ///
    /// # Errors
    /// `EMAIL_OTP_NOT_ENABLED` (400); `INVALID_CHALLENGE` (401);
    /// [`Error::RateLimited`] after three codes for one challenge; mail
    /// failures.
    pub async fn send_email_code(&self, challenge_token: &str) -> Result<(), Error> {
        let plugin = self.plugin()?;
        let sender = plugin
            .email
            .as_ref()
            .ok_or_else(refusal::email_not_enabled)?;
        let now = self.auth.now();
        let key = store::key_of(challenge_token);
        let code = codes::email_code().map_err(Error::internal)?;
        let hash = self.hash_codes(std::slice::from_ref(&code))?.remove(0);
        let mut user_id = None;
        for _ in 0..store::CAS_RETRIES {
            let read = self
                .adapter()
                .find_typed::<ChallengeState>(store::CHALLENGE, &key, now)
                .await?
                .ok_or_else(refusal::invalid_challenge)?;
            if read.value.emails_sent >= MAX_EMAILS_PER_CHALLENGE {
                return Err(Error::RateLimited {
                    retry_after_secs: read
                        .record
                        .expires_at
                        .map_or(1, |at| at.saturating_sub(now).max(1)),
                });
            }
            let mut challenge = read.value.clone();
            challenge.email_code = Some(hash.clone());
            challenge.email_code_expires_at = Some(now + EMAIL_CODE_TTL);
            challenge.emails_sent += 1;
            if self.adapter().update_typed(&read, &challenge, now).await? {
                user_id = read.record.user_id.clone();
                break;
            }
        }
        let user_id = user_id.ok_or_else(store::busy)?;
        let user = self
            .adapter()
            .get_user(&user_id)
            .await?
            .ok_or_else(refusal::invalid_challenge)?;
        let to = nanoauth::Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        let message = nanoauth::email::OutgoingEmail::new(
            to,
            format!("Your {} sign-in code", plugin.issuer),
            format!(
                "Your sign-in code is {code}. It is valid for 5 minutes.\n\n\
                 If you did not try to sign in, someone may know your password: change it."
            ),
        );
        sender
            .send(&message)
            .await
            .map_err(|error| Error::internal(std::io::Error::other(error.to_string())))
    }

    /// The user's trusted devices.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn trusted_devices(&self, user_id: &str) -> Result<Vec<TrustedDevice>, Error> {
        let records = self
            .adapter()
            .list_user_records(store::DEVICE, user_id, self.auth.now())
            .await?;
        let mut devices = Vec::with_capacity(records.len());
        for record in records {
            let device: DeviceState = record.data_as()?;
            devices.push(TrustedDevice {
                id: device.id,
                created_at: device.created_at,
                expires_at: record.expires_at,
                user_agent: device.user_agent,
                ip_address: device.ip_address,
            });
        }
        devices.sort_by_key(|device| std::cmp::Reverse(device.created_at));
        Ok(devices)
    }

    /// Stops trusting the user's device `id`; `false` when there is none.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn revoke_trusted_device(&self, user_id: &str, id: &str) -> Result<bool, Error> {
        let now = self.auth.now();
        let records = self
            .adapter()
            .list_user_records(store::DEVICE, user_id, now)
            .await?;
        for record in records {
            let device: DeviceState = record.data_as()?;
            if device.id == id {
                return Ok(self
                    .adapter()
                    .delete_record(store::DEVICE, &record.key, now)
                    .await?);
            }
        }
        Ok(false)
    }

    /// Accepts a TOTP code of the secret in force once: the step is
    /// recorded, so the same code (or an earlier one) is refused after.
    async fn use_totp(&self, plugin: &TwoFactor, user_id: &str, code: &str) -> Result<u64, Error> {
        let keys = plugin.sealing_keys(self.auth)?;
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let read = self.state(user_id).await?;
            let Some(read) = read.filter(|read| read.value.is_enabled()) else {
                return Err(refusal::not_enabled());
            };
            let sealed = read.value.secret.as_deref().unwrap_or_default();
            let seed = keys
                .open(sealed, &seal_context(user_id))
                .ok_or_else(refusal::unreadable_secret)?;
            let step = plugin
                .totp
                .verify(
                    &TotpSecret::from_bytes(&seed),
                    code,
                    now,
                    1,
                    read.value.last_step,
                )
                .ok_or_else(refusal::invalid_code)?;
            let mut state = read.value.clone();
            state.last_step = Some(step);
            // Only this write decides: a concurrent use of the same code
            // finds the step taken when it reads again.
            if self.adapter().update_typed(&read, &state, now).await? {
                return Ok(step);
            }
        }
        Err(store::busy())
    }

    async fn use_backup_code(&self, user_id: &str, code: &str) -> Result<(), Error> {
        let plugin = self.plugin()?;
        let hashers = plugin.hashers(self.auth);
        let now = self.auth.now();
        let code = normalize_code(code);
        for _ in 0..store::CAS_RETRIES {
            let read = self.state(user_id).await?;
            let Some(read) = read.filter(|read| read.value.is_enabled()) else {
                return Err(refusal::not_enabled());
            };
            let mut state = read.value.clone();
            let position = state
                .backup_codes
                .iter()
                .position(|stored| hashers.iter().any(|hasher| hasher.verify(&code, stored)));
            let Some(position) = position else {
                return Err(refusal::invalid_code());
            };
            state.backup_codes.remove(position);
            if self.adapter().update_typed(&read, &state, now).await? {
                return Ok(());
            }
        }
        Err(store::busy())
    }

    async fn use_email_code(&self, challenge_key: &str, code: &str) -> Result<(), Error> {
        let plugin = self.plugin()?;
        let hashers = plugin.hashers(self.auth);
        let now = self.auth.now();
        let code = normalize_code(code);
        for _ in 0..store::CAS_RETRIES {
            let read = self
                .adapter()
                .find_typed::<ChallengeState>(store::CHALLENGE, challenge_key, now)
                .await?
                .ok_or_else(refusal::invalid_challenge)?;
            let live = read
                .value
                .email_code_expires_at
                .is_some_and(|expires_at| expires_at > now);
            let matches = live
                && read.value.email_code.as_deref().is_some_and(|stored| {
                    hashers.iter().any(|hasher| hasher.verify(&code, stored))
                });
            if !matches {
                return Err(refusal::invalid_code());
            }
            let mut challenge = read.value.clone();
            challenge.email_code = None;
            challenge.email_code_expires_at = None;
            if self.adapter().update_typed(&read, &challenge, now).await? {
                return Ok(());
            }
        }
        Err(store::busy())
    }

    /// A wrong code: one more attempt on the challenge (five end it) and
    /// one more failure on the account (too many lock it).
    async fn count_failure(
        &self,
        plugin: &TwoFactor,
        challenge_key: &str,
        user_id: &str,
        factor: Factor<'_>,
    ) -> Result<(), Error> {
        let now = self.auth.now();
        for _ in 0..store::CAS_RETRIES {
            let Some(read) = self
                .adapter()
                .find_typed::<ChallengeState>(store::CHALLENGE, challenge_key, now)
                .await?
            else {
                break;
            };
            let mut challenge = read.value.clone();
            challenge.attempts += 1;
            let done = if challenge.attempts >= plugin.max_attempts {
                self.adapter()
                    .delete_record(store::CHALLENGE, challenge_key, now)
                    .await
                    .map(|_| true)?
            } else {
                self.adapter().update_typed(&read, &challenge, now).await?
            };
            if done {
                break;
            }
        }
        let mut locked = false;
        if self.state(user_id).await?.is_some() {
            store::change_state(self.adapter(), user_id, now, |state| {
                state.failures += 1;
                if state.failures >= plugin.max_failures {
                    state.failures = 0;
                    state.locked_until = Some(now + plugin.lockout_secs);
                    locked = true;
                } else {
                    locked = false;
                }
                Ok(())
            })
            .await?;
        }
        self.emit(
            events::CHALLENGE_FAILED,
            user_id,
            serde_json::json!({ "factor": factor.name(), "locked": locked }),
        )
        .await;
        Ok(())
    }

    async fn reset_failures(&self, user_id: &str) -> Result<(), Error> {
        let now = self.auth.now();
        let needs_reset = self
            .state(user_id)
            .await?
            .is_some_and(|read| read.value.failures > 0 || read.value.locked_until.is_some());
        if needs_reset {
            store::change_state(self.adapter(), user_id, now, |state| {
                state.failures = 0;
                state.locked_until = None;
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    async fn trust_device(
        &self,
        plugin: &TwoFactor,
        user_id: &str,
        client: &ClientInfo,
    ) -> Result<Zeroizing<String>, Error> {
        let now = self.auth.now();
        let token = Zeroizing::new(random_token()?);
        let device = DeviceState {
            id: random_id()?,
            created_at: now,
            user_agent: client.user_agent.clone(),
            ip_address: client.ip_address.clone(),
        };
        let record = PluginRecord::json(store::DEVICE, store::key_of(&token), &device)?
            .owned_by(user_id)
            .expiring_at(now.saturating_add(plugin.trusted_device_secs));
        self.adapter().insert_record(&record, now).await?;
        Ok(token)
    }

    fn hash_codes(&self, codes: &[String]) -> Result<Vec<String>, Error> {
        let plugin = self.plugin()?;
        let hasher = plugin
            .hashers(self.auth)
            .into_iter()
            .next()
            .ok_or_else(|| Error::internal(std::io::Error::other("no secret to hash with")))?;
        Ok(codes.iter().map(|code| hasher.hash(code)).collect())
    }

    async fn emit(&self, name: &'static str, user_id: &str, data: serde_json::Value) {
        self.auth
            .emit(Event::Plugin(PluginEvent::new(name, user_id, data)))
            .await;
    }

    /// How long the trusted-device cookie lives.
    pub(crate) fn device_cookie(&self) -> Result<(&'static str, u64), Error> {
        Ok((DEVICE_COOKIE, self.plugin()?.trusted_device_secs))
    }
}

/// A sealed seed opens only for its user and this format.
fn seal_context(user_id: &str) -> Vec<u8> {
    format!("totp-seed v1|{user_id}").into_bytes()
}

fn is_wrong_code(error: &Error) -> bool {
    error.code() == refusal::INVALID_CODE
}
