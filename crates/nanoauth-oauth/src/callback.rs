//! Completing a sign-in or link from the provider's callback: consume the
//! state, exchange the code, validate and read the profile, then find,
//! create or link the user.

use nanoauth::utils::token::random_id;
use nanoauth::{
    AccountRecord, AdapterError, AuthUser, ClientInfo, Email, EmailProof, Error, Event, NewUser,
    Session, SignInAttempt, SignInMethod, SignInOutcome,
};

use crate::api::OAuthApi;
use crate::error::OAuthError;
use crate::exchange::exchange;
use crate::flow::ExpectCallback;
use crate::id_token::{self, Expected};
use crate::plugin::OAuthAdapter;
use crate::profile::{self, Profile};
use crate::provider::ProfileSource;

/// How a callback ended, and where the browser goes next.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackOutcome<U> {
    /// The user is signed in (and was created, or linked by verified
    /// email, if need be), or a session guard asked for one more step (a
    /// second factor) first.
    SignedIn {
        /// The user and their new session, or the challenge.
        signed_in: SignInOutcome<U>,
        /// The checked `callbackURL`.
        redirect_to: String,
    },
    /// The signed-in user linked the provider account.
    Linked {
        /// The new link.
        account: AccountRecord,
        /// The checked `callbackURL`.
        redirect_to: String,
    },
    /// It failed; the browser goes to `redirect_to` with `?error=CODE`.
    Failed {
        /// What went wrong.
        error: Error,
        /// The checked `errorCallbackURL` (or `callbackURL`), or the
        /// plugin's error URL when the `state` was not ours.
        redirect_to: String,
    },
}

/// The callback's query parameters (RFC 6749 §4.1.2).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct CallbackParams {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `error`, when the user declined or the provider failed.
    pub error: Option<String>,
    /// `iss` (RFC 9207), which issuer answered, when the provider says.
    pub iss: Option<String>,
    /// Not from the query: the value of the browser's binding cookie
    /// ([`BINDING_COOKIE`](crate::BINDING_COOKIE)), which must match the
    /// flow's (see [`Authorization`](crate::Authorization)).
    pub browser_binding: Option<String>,
}

impl CallbackParams {
    /// The parameters from a query string.
    ///
    /// ```
    /// use nanoauth_oauth::CallbackParams;
    /// let params = CallbackParams::from_query(Some("code=abc&state=x%2By"));
    /// assert_eq!(params.state.as_deref(), Some("x+y"));
    /// ```
    pub fn from_query(query: Option<&str>) -> Self {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                "iss" => &mut params.iss,
                _ => continue,
            };
            // A repeated parameter is ambiguous: keep the first.
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        params
    }
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("error", &self.error)
            .field("iss", &self.iss)
            .field(
                "browser_binding",
                &self.browser_binding.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl<U: AuthUser, A: OAuthAdapter<U>> OAuthApi<'_, U, A> {
    /// Completes a sign-in or link from the provider's callback. Never
    /// fails outright: every error comes back as
    /// [`CallbackOutcome::Failed`] with where to send the browser.
    ///
    /// `session` is the session the callback request carries; a link
    /// completes only for the user who started it.
    pub async fn callback(
        &self,
        provider: &str,
        params: &CallbackParams,
        session: Option<&Session<U>>,
        client: ClientInfo,
    ) -> CallbackOutcome<U> {
        let error_url = self
            .options()
            .map(|o| o.error_url.clone())
            .unwrap_or_else(|_| "/".to_owned());
        let error_url = self
            .auth
            .check_redirect(&error_url)
            .unwrap_or_else(|_| "/".to_owned());
        let Some(state) = params.state.as_deref() else {
            return failed(OAuthError::InvalidState.into(), error_url);
        };
        let binding = params.browser_binding.as_deref();
        let flow = match ExpectCallback::take(self.auth, state, binding, provider).await {
            Ok(flow) => flow,
            Err(error) => return failed(error, error_url),
        };
        match self.complete(&flow, params, session, client).await {
            Ok(Done::SignedIn(signed_in)) => CallbackOutcome::SignedIn {
                signed_in,
                redirect_to: flow.callback,
            },
            Ok(Done::Linked(account)) => CallbackOutcome::Linked {
                account,
                redirect_to: flow.callback,
            },
            Err(error) => failed(error, flow.error_callback),
        }
    }

    async fn complete(
        &self,
        flow: &ExpectCallback,
        params: &CallbackParams,
        session: Option<&Session<U>>,
        client: ClientInfo,
    ) -> Result<Done<U>, Error> {
        if let Some(error) = &params.error {
            return Err(match error.as_str() {
                "access_denied" => OAuthError::AccessDenied,
                _ => OAuthError::ProviderError,
            }
            .into());
        }
        let code = params
            .code
            .as_deref()
            .filter(|code| !code.is_empty())
            .ok_or(OAuthError::InvalidCallback)?;
        self.check_issuer(flow, params.iss.as_deref()).await?;
        let profile = self.profile(flow, code).await?;
        match &flow.link_user {
            Some(user_id) => {
                // The link completes only in the browser of the user who
                // started it, still signed in as them.
                if session.is_none_or(|s| s.user.id() != user_id) {
                    return Err(Error::Unauthorized);
                }
                Ok(Done::Linked(
                    self.link(user_id, &flow.provider, &profile).await?,
                ))
            }
            None => Ok(Done::SignedIn(
                self.sign_in(&flow.provider, profile, client).await?,
            )),
        }
    }

    /// RFC 9207: a provider that names itself in the callback must be the
    /// one this sign-in went to (a mix-up attack sends another's answer).
    async fn check_issuer(&self, flow: &ExpectCallback, iss: Option<&str>) -> Result<(), Error> {
        let Some(iss) = iss else { return Ok(()) };
        let provider = self.provider(&flow.provider)?;
        let endpoints = provider.endpoints(self.http()?).await?;
        match endpoints.issuer.as_deref() {
            // A templated (multi-tenant) issuer is checked in the ID token.
            Some(issuer) if issuer.contains("{tenantid}") => Ok(()),
            Some(issuer) if issuer != iss => Err(OAuthError::IssuerMismatch.into()),
            _ => Ok(()),
        }
    }

    /// Exchanges the code and reads who the user is.
    async fn profile(&self, flow: &ExpectCallback, code: &str) -> Result<Profile, Error> {
        let http = self.http()?;
        let provider = self.provider(&flow.provider)?;
        let endpoints = provider.endpoints(http).await?;
        let redirect_uri = self.redirect_uri(&provider.id)?;
        let tokens = exchange(
            http,
            provider,
            &endpoints.token,
            code,
            &flow.verifier,
            &redirect_uri,
        )
        .await?;
        let mut profile = match &provider.profile {
            ProfileSource::IdToken => {
                let id_token = tokens
                    .id_token
                    .as_deref()
                    .ok_or(OAuthError::InvalidIdToken)?;
                let (Some(issuer), Some(jwks_uri)) = (&endpoints.issuer, &endpoints.jwks) else {
                    return Err(OAuthError::ProviderError.into());
                };
                let expected = Expected {
                    issuer,
                    jwks_uri,
                    nonce: &flow.nonce,
                    now: self.auth.now(),
                };
                let claims = id_token::validate(provider, http, id_token, &expected).await?;
                let mut profile =
                    Profile::from_claims(&claims).ok_or(OAuthError::InvalidIdToken)?;
                // Many issuers keep the email out of the ID token when an
                // access token can fetch it (Core §5.4).
                if let (None, Some(userinfo)) = (&profile.email, &endpoints.userinfo) {
                    let answer = http.get_json(userinfo, Some(&tokens.access_token)).await?;
                    profile.complete_from(&answer)?;
                }
                profile
            }
            ProfileSource::Userinfo(map) => {
                let userinfo = endpoints
                    .userinfo
                    .as_deref()
                    .ok_or(OAuthError::ProviderError)?;
                let answer = http.get_json(userinfo, Some(&tokens.access_token)).await?;
                map(&answer).ok_or(OAuthError::ProviderError)?
            }
            ProfileSource::GitHub => profile::github(http, &tokens.access_token).await?,
        };
        if profile.id.is_empty() {
            return Err(OAuthError::ProviderError.into());
        }
        if !provider.trusts_email_verified {
            profile.email_verified = false;
        }
        Ok(profile)
    }

    /// Finds or creates the user for `profile` and signs them in. A
    /// provider that vouches for the address proves it
    /// ([`Auth::prove_email`](nanoauth::Auth::prove_email)) before the
    /// session is created.
    async fn sign_in(
        &self,
        provider: &str,
        profile: Profile,
        client: ClientInfo,
    ) -> Result<SignInOutcome<U>, Error> {
        let adapter = self.auth.adapter();
        if let Some(user) = self.linked_user(provider, &profile.id).await? {
            if vouches_for(&profile, &user)
                && self.auth.prove_email(&user, EmailProof::SignIn).await?
            {
                // The account was unclaimed: every link went with the
                // take-over, this one too, but this one proved the address.
                self.relink(provider, &profile, user.id()).await?;
            }
            return self
                .auth
                .create_session(user, client, method(provider))
                .await;
        }
        let email = profile
            .email
            .as_deref()
            .and_then(Email::parse)
            .ok_or(OAuthError::EmailRequired)?;
        let account = AccountRecord::new(provider, profile.id.clone(), "", self.auth.now());

        if let Some(existing) = adapter.find_user_by_email(&email).await? {
            // Never take over an account on an unverified claim.
            let links_by_email = self.provider(provider)?.link_by_verified_email;
            if !(links_by_email && profile.email_verified) {
                return Err(self.not_linked(provider, &profile, email).await);
            }
            // The provider proves the address; whatever someone set up on
            // it without proving it (password, sessions, links) goes first.
            self.auth.prove_email(&existing, EmailProof::SignIn).await?;
            let account = AccountRecord::new(
                provider,
                profile.id.clone(),
                existing.id(),
                account.created_at,
            );
            return match adapter.link_account(&account).await {
                Ok(()) => {
                    self.auth.emit(linked(&account)).await;
                    self.auth
                        .create_session(existing, client, method(provider))
                        .await
                }
                // A concurrent callback linked it first.
                Err(AdapterError::Conflict) => match self.linked_user(provider, &profile.id).await?
                {
                    Some(user) if user.id() == existing.id() => {
                        self.auth
                            .create_session(user, client, method(provider))
                            .await
                    }
                    _ => Err(OAuthError::AccountAlreadyLinked.into()),
                },
                Err(error) => Err(error.into()),
            };
        }

        let fields = (self.options()?.map)(&profile);
        let user = U::from_sign_up(NewUser::new(random_id()?, email, fields));
        match adapter.create_user_with_account(&user, &account).await {
            Ok(()) => {
                self.auth.emit(Event::SignedUp { user: user.clone() }).await;
                // A new account has nothing to take over: a vouched address
                // is recorded as proven; an unvouched one leaves the account
                // unclaimed.
                if vouches_for(&profile, &user) {
                    self.auth
                        .prove_email(&user, EmailProof::Confirmation)
                        .await?;
                }
                self.auth
                    .create_session(user, client, method(provider))
                    .await
            }
            // A concurrent callback for the same provider account created
            // the user first (a double click): sign in to that user.
            Err(AdapterError::Conflict) => match self.linked_user(provider, &profile.id).await? {
                Some(user) => {
                    self.auth
                        .create_session(user, client, method(provider))
                        .await
                }
                None => Err(OAuthError::AccountNotLinked.into()),
            },
            Err(error) => Err(error.into()),
        }
    }

    /// The answer for an address that has an account this provider account
    /// may not sign in to. `ACCOUNT_NOT_LINKED` says the account exists, so
    /// it is given only where a new account would have been let in (the
    /// person then learns no more than signing up tells them). Where a new
    /// account from this profile would have been refused as unverified,
    /// the answer is that refusal, as for a free address, and the owner is
    /// told as sign-up tells them ([`Event::EmailTaken`]).
    async fn not_linked(&self, provider: &str, profile: &Profile, email: Email) -> Error {
        let would_be = match (self.options(), random_id()) {
            (Ok(options), Ok(id)) => {
                U::from_sign_up(NewUser::new(id, email.clone(), (options.map)(profile)))
            }
            _ => return OAuthError::AccountNotLinked.into(),
        };
        // A vouched address would have been proven before signing in.
        if profile.email_verified {
            return OAuthError::AccountNotLinked.into();
        }
        let attempt = SignInAttempt::new(would_be, method(provider), ClientInfo::default());
        match self.auth.check_session_guards(&attempt).await {
            Err(Error::EmailNotVerified) => {
                self.auth.emit(Event::EmailTaken { email }).await;
                Error::EmailNotVerified
            }
            _ => OAuthError::AccountNotLinked.into(),
        }
    }

    /// Links `profile`'s account to `user_id` again after a take-over
    /// removed it; a concurrent callback may have done it already.
    async fn relink(&self, provider: &str, profile: &Profile, user_id: &str) -> Result<(), Error> {
        let account = AccountRecord::new(provider, profile.id.clone(), user_id, self.auth.now());
        match self.auth.adapter().link_account(&account).await {
            Ok(()) | Err(AdapterError::Conflict) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    async fn linked_user(&self, provider: &str, account_id: &str) -> Result<Option<U>, Error> {
        let adapter = self.auth.adapter();
        match adapter.find_account(provider, account_id).await? {
            Some(account) => Ok(adapter.get_user(&account.user_id).await?),
            None => Ok(None),
        }
    }

    /// Links `profile`'s account to `user_id`.
    async fn link(
        &self,
        user_id: &str,
        provider: &str,
        profile: &Profile,
    ) -> Result<AccountRecord, Error> {
        let adapter = self.auth.adapter();
        if let Some(account) = adapter.find_account(provider, &profile.id).await? {
            return if account.user_id == user_id {
                Ok(account)
            } else {
                Err(OAuthError::AccountAlreadyLinked.into())
            };
        }
        let account = AccountRecord::new(provider, profile.id.clone(), user_id, self.auth.now());
        match adapter.link_account(&account).await {
            Ok(()) => {
                self.auth.emit(linked(&account)).await;
                Ok(account)
            }
            Err(AdapterError::Conflict) => Err(OAuthError::AccountAlreadyLinked.into()),
            Err(error) => Err(error.into()),
        }
    }
}

/// The event for a provider account newly linked to an existing user.
fn linked<U>(account: &AccountRecord) -> Event<U> {
    Event::AccountLinked {
        user_id: account.user_id.clone(),
        provider: account.provider.clone(),
        account_id: account.account_id.clone(),
    }
}

/// How a user signed in through `provider`: `oauth:PROVIDER`.
fn method(provider: &str) -> SignInMethod {
    SignInMethod::with_detail("oauth", provider)
}

/// The provider says the address is verified, and it is `user`'s own.
fn vouches_for<U: AuthUser>(profile: &Profile, user: &U) -> bool {
    profile.email_verified
        && profile
            .email
            .as_deref()
            .and_then(Email::parse)
            .is_some_and(|email| email.as_str() == user.email())
}

enum Done<U> {
    SignedIn(SignInOutcome<U>),
    Linked(AccountRecord),
}

fn failed<U>(error: Error, redirect_to: String) -> CallbackOutcome<U> {
    CallbackOutcome::Failed { error, redirect_to }
}
