//! `auth.email_password()`: the plugin's typed exports.

use std::sync::Arc;

use crate::Auth;
use crate::Error;
use crate::{ClientInfo, SignInAttempt, SignInMethod, SignInOutcome};

/// How this plugin signs users in (see [`Event::SignedIn`](crate::Event::SignedIn)).
const METHOD: SignInMethod = SignInMethod::new("email-password");
use crate::utils::token;
use crate::{AuthUser, Email, NewUser};

use super::EmailPassword;
use crate::adapter::PasswordAdapter;

impl<U: AuthUser, A: PasswordAdapter<U>> Auth<U, A> {
    /// The email/password plugin's exports.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, BasicSignUp, ClientInfo, adapter::memory::MemoryAdapter};
    /// use nanoauth::plugins::email_password::EmailPassword;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .plugin(EmailPassword::new())
    ///     .build()?;
    ///
    /// let fields = BasicSignUp { name: "Ada".into() };
    /// auth.email_password().sign_up("ada@example.com", "correct horse battery", fields, ClientInfo::default()).await?;
    /// let outcome = auth.email_password().sign_in("ADA@example.com", "correct horse battery", ClientInfo::default()).await?;
    /// // A session, unless a plugin such as two-factor asks for one more step.
    /// let Some(signed_in) = outcome.signed_in() else { return Ok(()) };
    /// assert_eq!(signed_in.user.name, "Ada");
    /// # Ok(()) }
    /// ```
    pub fn email_password(&self) -> EmailPasswordApi<'_, U, A> {
        EmailPasswordApi {
            auth: self,
            plugin: self.plugin::<EmailPassword>(),
        }
    }
}

/// The exports of [`EmailPassword`], from [`Auth::email_password`].
#[derive(Debug)]
pub struct EmailPasswordApi<'a, U: AuthUser, A: PasswordAdapter<U>> {
    auth: &'a Auth<U, A>,
    /// Looked up once, when the exports are asked for; endpoints pass
    /// their own.
    plugin: Option<Arc<EmailPassword>>,
}

impl<'a, U: AuthUser, A: PasswordAdapter<U>> EmailPasswordApi<'a, U, A> {
    /// The exports bound to `plugin`: what its endpoints use, so they never
    /// look it up.
    pub(super) fn bound(auth: &'a Auth<U, A>, plugin: Arc<EmailPassword>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn options(&self) -> Result<&EmailPassword, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("email-password"))
    }

    /// Creates a user with a password, then signs them in. Emits
    /// `SignedUp` then `SignedIn`. A session guard (a required email
    /// verification) may refuse the sign-in after the account exists: see
    /// [`create_account`](Self::create_account).
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::PasswordTooShort`],
    /// [`Error::PasswordTooLong`], [`Error::UserAlreadyExists`], adapter
    /// failures.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        fields: U::SignUp,
        client: ClientInfo,
    ) -> Result<SignInOutcome<U>, Error> {
        let user = self.create_account(email, password, fields).await?;
        self.auth.create_session(user, client, METHOD).await
    }

    /// Creates a user with a password, without signing in. Emits
    /// `SignedUp` (an email-verification plugin sends its link then).
    ///
    /// # Errors
    /// As [`sign_up`](Self::sign_up), less the sign-in.
    pub async fn create_account(
        &self,
        email: &str,
        password: &str,
        fields: U::SignUp,
    ) -> Result<U, Error> {
        self.try_create_account(email, password, fields)
            .await?
            .map_err(|_taken| Error::UserAlreadyExists)
    }

    /// Signs up as the `/signup/email` endpoint does: as [`sign_up`], but
    /// when new accounts must verify their address before signing in, a
    /// taken address is answered like a free one, `Ok(None)` for both, so
    /// the answer reveals no account. ([`Event::EmailTaken`] lets the
    /// address's owner be told.) For other plugins' sign-up endpoints (the
    /// better-auth compatibility plugin's `/sign-up/email`).
    ///
    /// No rate limit applies here: the endpoint calling it declares one.
    ///
    /// # Errors
    /// As [`sign_up`]; never [`Error::UserAlreadyExists`] while addresses
    /// must be verified.
    ///
    /// [`sign_up`]: Self::sign_up
    /// [`Event::EmailTaken`]: crate::Event::EmailTaken
    pub async fn sign_up_for_endpoint(
        &self,
        email: &str,
        password: &str,
        fields: U::SignUp,
        client: ClientInfo,
    ) -> Result<Option<SignInOutcome<U>>, Error> {
        let taken = match self.try_create_account(email, password, fields).await? {
            Ok(user) => {
                return match self.auth.create_session(user, client, METHOD).await {
                    Ok(signed_in) => Ok(Some(signed_in)),
                    Err(Error::EmailNotVerified) => Ok(None),
                    Err(error) => Err(error),
                };
            }
            Err(taken) => taken,
        };
        // Would the account have been signed in, had the address been free?
        // Only if so may the answer differ (a session cannot be faked).
        let attempt = SignInAttempt::new(taken, METHOD, client);
        match self.auth.check_session_guards(&attempt).await {
            Err(Error::EmailNotVerified) => {
                let email = Email::parse(attempt.user.email()).ok_or(Error::InvalidEmail)?;
                self.auth.emit(crate::Event::EmailTaken { email }).await;
                Ok(None)
            }
            _ => Err(Error::UserAlreadyExists),
        }
    }

    /// Creates the account, or answers `Err(user)` with the user that would
    /// have been created when the address is taken.
    async fn try_create_account(
        &self,
        email: &str,
        password: &str,
        fields: U::SignUp,
    ) -> Result<Result<U, U>, Error> {
        let options = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        options.check_length(password)?;
        // Hashed even when the address turns out taken: the answer's timing
        // must not tell.
        let hash = options.hash(self.auth.offload(), password).await?;

        let user = U::from_sign_up(NewUser::new(token::random_id()?, email, fields));
        match self
            .auth
            .adapter()
            .create_user_with_password(&user, &hash)
            .await
        {
            Ok(()) => {}
            Err(crate::AdapterError::Conflict) => return Ok(Err(user)),
            Err(error) => return Err(error.into()),
        }
        self.auth
            .emit(crate::Event::SignedUp { user: user.clone() })
            .await;
        Ok(Ok(user))
    }

    /// Checks an email and password and creates a session.
    ///
    /// No rate limit applies here: the `/signin/email` endpoint wraps this
    /// in the [`Auth::lockout`] of the `"password"` check for the request's
    /// client. Calling it from your own route, do the same.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] for an unknown email, a user without a
    /// password, and a wrong password alike; [`Error::InvalidEmail`],
    /// [`Error::PasswordTooLong`], adapter failures.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<SignInOutcome<U>, Error> {
        let options = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        if options.too_long(password) {
            return Err(Error::PasswordTooLong {
                max: options.max_password_len,
            });
        }

        let credential = self.auth.adapter().find_password_credential(&email).await?;
        let stored_hash = credential.as_ref().map(|c| c.password_hash.clone());
        let verified = options
            .verify(self.auth.offload(), password, stored_hash)
            .await?;

        match credential {
            Some(credential) if verified => {
                // An imported hash (better-auth's scrypt) is replaced now,
                // while the password is at hand: the next sign-in costs one
                // Argon2 run like everyone's. Before the session, so a
                // refused second factor still leaves the stronger hash.
                if options.needs_rehash(&credential.password_hash) {
                    let hash = options.hash(self.auth.offload(), password).await?;
                    self.auth
                        .adapter()
                        .set_password_hash(credential.user.id(), &hash)
                        .await?;
                }
                self.auth
                    .create_session(credential.user, client, METHOD)
                    .await
            }
            _ => Err(Error::InvalidCredentials),
        }
    }

    /// Hashes a new password as sign-up does: the plugin's length rules,
    /// its hasher, and its hashing queue (off the async runtime; refused
    /// with `503 SERVER_BUSY` when the queue is full). For other plugins
    /// that set passwords (an admin creating a user, say), so that every
    /// password is hashed the same way.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// # use nanoauth::plugins::email_password::EmailPassword;
    /// # use nanoauth::utils::password::PasswordHasher;
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
    ///     .build()?;
    /// let phc = auth.email_password().hash_password("correct horse battery staple").await?;
    /// assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    /// assert!(auth.email_password().hash_password("short").await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::PasswordTooShort`], [`Error::PasswordTooLong`],
    /// `SERVER_BUSY`, [`Error::PluginNotEnabled`] without the plugin.
    pub async fn hash_password(&self, password: &str) -> Result<String, Error> {
        let options = self.options()?;
        options.check_length(password)?;
        options.hash(self.auth.offload(), password).await
    }

    /// Checks `password` against `user`'s stored password, as sign-in
    /// does (hashing off the async runtime, and taking as long when the
    /// user has none): for other plugins that ask for the password again
    /// before a sensitive change (turning two-factor on, say). `Ok(None)`
    /// when the user has no password (a social or magic-link account).
    ///
    /// No rate limit applies here: wrap it in an [`Auth::lockout`].
    ///
    /// # Errors
    /// [`Error::PluginNotEnabled`] without the email/password plugin;
    /// adapter failures.
    pub async fn check_password(&self, user: &U, password: &str) -> Result<Option<bool>, Error> {
        let options = self.options()?;
        let email = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        let stored = self
            .auth
            .adapter()
            .find_password_credential(&email)
            .await?
            .filter(|credential| credential.user.id() == user.id())
            .map(|credential| credential.password_hash);
        let has_password = stored.is_some();
        let verified = if options.too_long(password) {
            false
        } else {
            options
                .verify(self.auth.offload(), password, stored)
                .await?
        };
        Ok(has_password.then_some(verified))
    }

    /// Replaces the signed-in user's password after checking the current
    /// one. Ends the user's other sessions unless `keep_other_sessions`.
    /// Emits [`Event::PasswordChanged`](crate::Event::PasswordChanged).
    ///
    /// # Errors
    /// [`Error::InvalidPassword`] for a wrong current password, the length
    /// errors for the new one, adapter failures.
    pub async fn change_password(
        &self,
        session: &crate::Session<U>,
        current_password: &str,
        new_password: &str,
        keep_other_sessions: bool,
    ) -> Result<(), Error> {
        let options = self.options()?;
        options.check_length(new_password)?;
        if options.too_long(current_password) {
            return Err(Error::InvalidPassword);
        }
        let email = Email::parse(session.user.email()).ok_or(Error::InvalidEmail)?;
        let stored = self
            .auth
            .adapter()
            .find_password_credential(&email)
            .await?
            .map(|credential| credential.password_hash);
        if !options
            .verify(self.auth.offload(), current_password, stored)
            .await?
        {
            return Err(Error::InvalidPassword);
        }
        let hash = options.hash(self.auth.offload(), new_password).await?;
        self.auth
            .adapter()
            .set_password_hash(session.user.id(), &hash)
            .await?;
        if !keep_other_sessions {
            self.auth
                .revoke_user_sessions(session.user.id(), Some(&session.session.token_hash))
                .await?;
        }
        let user = session.user.clone();
        self.auth.emit(crate::Event::PasswordChanged { user }).await;
        Ok(())
    }
}
