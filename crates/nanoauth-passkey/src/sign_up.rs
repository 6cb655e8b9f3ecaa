//! Signing up with a passkey alone: no password, the address confirmed by
//! email later. A plugin of its own ([`PasskeySignUp`]) because it needs
//! more of the adapter than passkeys do: the new user and their passkey are
//! written in one transaction ([`UserRecordsAdapter`](nanoauth::UserRecordsAdapter)), so an adapter
//! without that capability cannot enable it (a compile error, not a half
//! account at run time).

use std::sync::Arc;

use nanoauth::{
    AdapterError, AuthUser, ClientInfo, Email, Endpoint, EndpointRequest, Error, Event, NewUser,
    Plugin, PluginEndpoints, Reply, SignInAttempt, SignInMethod, SignInOutcome, UserRecordsAdapter,
    rate_limit::Limit,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use webauthn_rs::prelude::{CreationChallengeResponse, RegisterPublicKeyCredential, Uuid};

use crate::api::{CeremonyStart, PasskeysApi, PasskeysExt, passkey_name, start};
use crate::ceremony::{self, ExpectSignUp, Kind};
use crate::endpoints::options_reply;
use crate::events;
use crate::refusal;
use crate::store::PASSKEY;

/// Passkey-first sign-up: a new person creates their account with a
/// passkey and nothing else. Add it next to [`Passkeys`](crate::Passkeys), whose relying
/// party it uses:
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | POST | `/passkey/signup/options` | `{email, ...fields}` | `{publicKey}` (creation options) + ceremony cookie |
/// | POST | `/signup/passkey` | `{name?, credential}` | `{user, token}` + session cookie, or `{user: null, token: null}` |
///
/// `fields` are the application's sign-up fields (`AuthUser::SignUp`),
/// checked when the options are asked for. The user, their passkey and
/// (after) the session are created only when the browser's answer
/// verifies: the account is made in one transaction with its passkey, then
/// signed in as a passkey sign-in is (`passkey+user-verification`). Its
/// address is not verified: `SignedUp` is emitted, so the
/// email-verification plugin sends its link.
///
/// As with `/sign-up/email`: when new accounts must verify their address
/// before signing in, the answer is `{user: null, token: null}` for a new
/// account and a taken address alike (the owner of a taken address hears
/// of it through `Event::EmailTaken`); otherwise a taken address is `409
/// USER_ALREADY_EXISTS`, as a session could not be faked.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_passkey::{PasskeySignUp, Passkeys};
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(Passkeys::new("ACME"))
///     .plugin(PasskeySignUp::new())
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
pub struct PasskeySignUp {}

impl PasskeySignUp {
    /// Passkey-first sign-up, with the [`Passkeys`](crate::Passkeys) plugin's relying party.
    pub fn new() -> Self {
        Self {}
    }
}

impl<U: AuthUser, A: UserRecordsAdapter<U>> Plugin<U, A> for PasskeySignUp {
    fn name(&self) -> &'static str {
        "passkey-sign-up"
    }

    fn dependencies(&self) -> &'static [&'static str] {
        &["passkey"]
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        // Each options call writes a ceremony record; each answer costs a
        // verification and, at most, an account.
        let routes = vec![
            on.post("/passkey/signup/options", sign_up_options)
                .rate_limited(Limit::new(10, 60)),
            on.post("/signup/passkey", sign_up)
                .rate_limited(Limit::new(10, 60)),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }
}

/// `{email, ...fields}`: the fields are the application's.
#[derive(Deserialize)]
struct OptionsBody {
    email: String,
    #[serde(flatten)]
    fields: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignUpBody {
    #[serde(default)]
    name: Option<String>,
    credential: RegisterPublicKeyCredential,
}

fn api<'a, U: AuthUser, A: UserRecordsAdapter<U>>(
    request: &'a EndpointRequest<U, A>,
) -> PasskeysApi<'a, U, A> {
    // The passkey plugin is there: `dependencies` made sure at build time.
    request.auth().passkeys()
}

async fn sign_up_options<U: AuthUser, A: UserRecordsAdapter<U>>(
    _plugin: Arc<PasskeySignUp>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: OptionsBody = request.json()?;
    let start = api(&request)
        .sign_up_options(&body.email, body.fields)
        .await?;
    options_reply::<ExpectSignUp, _>(&start)
}

async fn sign_up<U: AuthUser, A: UserRecordsAdapter<U>>(
    _plugin: Arc<PasskeySignUp>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SignUpBody = request.json()?;
    let outcome = api(&request)
        .sign_up(
            request.cookie(ExpectSignUp::COOKIE),
            &body.credential,
            body.name.as_deref(),
            request.client(),
        )
        .await?;
    let reply = match outcome {
        Some(outcome) => Reply::signed_in(outcome)?,
        // The address must be verified before a session (or it was taken,
        // and the answer must not say so): no token, no cookie, no user.
        None => Reply::json(&serde_json::json!({ "user": null, "token": null }))?,
    };
    Ok(reply.clearing_cookie(ExpectSignUp::COOKIE))
}

impl<U: AuthUser, A: UserRecordsAdapter<U>> PasskeysApi<'_, U, A> {
    /// Starts a passkey-first sign-up for `email`, with the application's
    /// sign-up `fields` as a client sends them (JSON, checked against
    /// `AuthUser::SignUp` here). Nothing is stored but the ceremony: the
    /// answer says nothing of whether the address is taken.
    ///
    /// # Errors
    /// `INVALID_EMAIL` (400); `INVALID_BODY` (400) for fields the user type
    /// refuses; adapter failures.
    pub async fn sign_up_options(
        &self,
        email: &str,
        fields: Map<String, Value>,
    ) -> Result<CeremonyStart<CreationChallengeResponse>, Error> {
        self.plugin()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        sign_up_fields::<U>(&fields)?;
        let user_handle = Uuid::new_v4();
        let (options, state) = self.creation_options(user_handle, email.as_str(), Vec::new())?;
        let token = ceremony::begin(
            self.adapter(),
            ExpectSignUp {
                user_id: nanoauth::utils::token::random_id()?,
                user_handle: user_handle.to_string(),
                email: email.as_str().to_owned(),
                fields,
                state,
            },
            self.auth.now(),
        )
        .await?;
        Ok(start::<ExpectSignUp, _>(options, token))
    }

    /// Finishes a passkey-first sign-up: verifies the browser's answer,
    /// creates the user with the passkey (one transaction), emits
    /// `SignedUp` and [`events::REGISTERED`], and signs them in through
    /// `Auth::create_session`. `Ok(None)` when the session must wait for a
    /// verified address, or the address was taken and the answer must not
    /// say so (see [`PasskeySignUp`]).
    ///
    /// # Errors
    /// `INVALID_PASSKEY_CHALLENGE` (401); `PASSKEY_REGISTRATION_FAILED`,
    /// `PASSKEY_NOT_DISCOVERABLE`, `INVALID_PASSKEY_NAME` (400);
    /// `PASSKEY_ALREADY_REGISTERED` (409); `USER_ALREADY_EXISTS` (409);
    /// guard refusals; adapter failures.
    pub async fn sign_up(
        &self,
        ceremony: Option<&str>,
        credential: &RegisterPublicKeyCredential,
        name: Option<&str>,
        client: ClientInfo,
    ) -> Result<Option<SignInOutcome<U>>, Error> {
        let plugin = self.plugin()?;
        let name = passkey_name(name)?;
        let now = self.auth.now();
        let expected: ExpectSignUp = ceremony::take(self.adapter(), ceremony, now).await?;
        let stored =
            self.verified_passkey(credential, &expected.state, name, expected.user_handle, now)?;
        let email = Email::parse(&expected.email).ok_or(Error::InvalidEmail)?;
        let fields = sign_up_fields::<U>(&expected.fields)?;
        let user = U::from_sign_up(NewUser::new(expected.user_id, email.clone(), fields));
        let record = stored.record(user.id())?;
        // The passkey's user verification was required at registration.
        let method = plugin.sign_in_method(true);
        match self
            .adapter()
            .create_user_with_records(&user, std::slice::from_ref(&record), now)
            .await
        {
            Ok(()) => {}
            Err(AdapterError::Conflict) => {
                if self
                    .adapter()
                    .find_record(PASSKEY, &record.key, now)
                    .await?
                    .is_some()
                {
                    return Err(refusal::already_registered());
                }
                return self.address_taken(user, method, client).await;
            }
            Err(error) => return Err(error.into()),
        }
        self.auth.emit(Event::SignedUp { user: user.clone() }).await;
        self.emit(
            events::REGISTERED,
            user.id(),
            serde_json::json!({ "id": stored.credential_id }),
        )
        .await;
        match self.auth.create_session(user, client, method).await {
            Ok(outcome) => Ok(Some(outcome)),
            Err(Error::EmailNotVerified) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The answer for an address someone else has: the same as for a new
    /// account when that account would have had to verify its address
    /// first (no session either way); otherwise `USER_ALREADY_EXISTS`.
    async fn address_taken(
        &self,
        would_be: U,
        method: SignInMethod,
        client: ClientInfo,
    ) -> Result<Option<SignInOutcome<U>>, Error> {
        let attempt = SignInAttempt::new(would_be, method, client);
        match self.auth.check_session_guards(&attempt).await {
            Err(Error::EmailNotVerified) => {
                let email = Email::parse(attempt.user.email()).ok_or(Error::InvalidEmail)?;
                self.auth.emit(Event::EmailTaken { email }).await;
                Ok(None)
            }
            _ => Err(Error::UserAlreadyExists),
        }
    }
}

/// The application's sign-up fields, read as `AuthUser::SignUp`.
fn sign_up_fields<U: AuthUser>(fields: &Map<String, Value>) -> Result<U::SignUp, Error> {
    serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|error| Error::InvalidBody(error.to_string()))
}
