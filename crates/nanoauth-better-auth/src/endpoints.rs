//! The handlers: better-auth's bodies in, NanoAuth's exports in the
//! middle, better-auth's shapes out.

use std::sync::Arc;

use http::StatusCode;
use nanoauth::adapter::{EmailVerificationAdapter, PasswordAdapter};
use nanoauth::{
    AuthUser, Email, EndpointRequest, Error, Event, Reply, Session, SignInOutcome, SignedIn,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::BetterAuthCompat;
use crate::shape;

/// The lockout of password checks the native `/signin/email` counts in:
/// one budget of wrong guesses per client and account, whichever route
/// the guesses come through.
const PASSWORD_CHECK: &str = "password";

/// `POST /sign-up/email`: `{name, email, password, image?, callbackURL?,
/// rememberMe?, ...}`. The application's `AuthUser::SignUp` fields are read
/// from the same object (better-auth's `additionalFields`); `image`,
/// `callbackURL` and `rememberMe` are not (see the README).
#[derive(Deserialize)]
#[serde(bound(deserialize = "F: DeserializeOwned"))]
struct SignUpBody<F> {
    email: String,
    password: String,
    #[serde(flatten)]
    fields: F,
}

/// `POST /sign-in/email`: `{email, password, callbackURL?, rememberMe?}`.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignInBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    password: String,
    /// Where to go after signing in: answered as `url` with `redirect:
    /// true`; it must be on the site or a trusted origin.
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `POST /revoke-session`: `{token}`, a session's `token` as
/// `list-sessions` shows it (its public id).
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub(crate) struct RevokeBody {
    /// The session's `token` as `list-sessions` shows it (its public id).
    token: String,
}

pub(crate) async fn sign_up<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: SignUpBody<U::SignUp> = request.json()?;
    let outcome = request
        .auth()
        .email_password()
        .sign_up_for_endpoint(&body.email, &body.password, body.fields, request.client())
        .await;
    match outcome {
        Ok(Some(outcome)) => {
            signed_in(
                &request,
                outcome,
                |signed_in, user| json!({ "token": signed_in.token.expose_secret(), "user": user }),
            )
            .await
        }
        // The address must be verified first (or it was taken, and the
        // answer must not say so): no session, as better-auth answers
        // with `requireEmailVerification`.
        Ok(None) => Reply::json(&json!({ "token": null, "user": null })),
        Err(Error::UserAlreadyExists) => Err(Error::plugin(
            StatusCode::UNPROCESSABLE_ENTITY,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            "User already exists. Use another email.",
        )),
        Err(error) => Err(error),
    }
}

pub(crate) async fn sign_in<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: SignInBody = request.json()?;
    let email = Email::parse(&body.email).ok_or(Error::InvalidEmail)?;
    // Checked before the password, as better-auth's origin check does: a
    // sign-in never redirects off the site and its trusted origins.
    let url = body
        .callback_url
        .as_deref()
        .map(|target| request.auth().check_redirect(target))
        .transpose()?;
    let lockout = request
        .auth()
        .lockout(PASSWORD_CHECK, email.as_str(), request.parts());
    lockout.check().await?;
    let outcome = request
        .auth()
        .email_password()
        .sign_in(&body.email, &body.password, request.client())
        .await;
    match outcome {
        Ok(outcome) => {
            lockout.clear().await?;
            signed_in(&request, outcome, |signed_in, user| {
                let mut body = json!({
                    "redirect": url.is_some(),
                    "token": signed_in.token.expose_secret(),
                    "user": user,
                });
                if let Some(url) = &url {
                    body["url"] = url.as_str().into();
                }
                body
            })
            .await
        }
        Err(Error::InvalidCredentials) => {
            lockout.record_failure().await?;
            Err(Error::InvalidCredentials)
        }
        Err(error) => Err(error),
    }
}

/// The answer to a sign-in: the session cookie as NanoAuth sets it, with
/// better-auth's body; or a guard's challenge (a second factor) as the
/// guard answers it.
async fn signed_in<U, A>(
    request: &EndpointRequest<U, A>,
    outcome: SignInOutcome<U>,
    body: impl FnOnce(&SignedIn<U>, Value) -> Value,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let SignInOutcome::SignedIn(signed_in) = outcome else {
        return Reply::signed_in(outcome);
    };
    let verified = request
        .auth()
        .adapter()
        .is_email_verified(signed_in.user.id())
        .await?;
    let body = body(&signed_in, shape::user(&signed_in.user, verified));
    Reply::signed_in(SignInOutcome::SignedIn(signed_in))?.with_json(&body)
}

pub(crate) async fn get_session<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let Some(session) = request.session().await? else {
        return Reply::json(&Value::Null);
    };
    let body = session_body(&request, &session).await?;
    // `Reply::session` renews the cookie when the lookup slid the expiry.
    Reply::session(Some(session))?.with_json(&body)
}

async fn session_body<U, A>(
    request: &EndpointRequest<U, A>,
    session: &Session<U>,
) -> Result<Value, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let verified = request
        .auth()
        .adapter()
        .is_email_verified(session.user.id())
        .await?;
    Ok(json!({
        "session": shape::session(&session.session),
        "user": shape::user(&session.user, verified),
    }))
}

pub(crate) async fn sign_out<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    // As the native route: without a valid session the cookie is still
    // cleared, and the answer is the same.
    request.auth().sign_out(request.headers()).await?;
    Ok(Reply::signed_out())
}

pub(crate) async fn list_sessions<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let current = request.require_session().await?;
    let now = request.auth().now();
    let mut sessions = request
        .auth()
        .adapter()
        .list_sessions(current.user.id())
        .await?;
    sessions.retain(|session| session.expires_at > now);
    sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
    let listed: Vec<Value> = sessions.iter().map(shape::session).collect();
    Reply::json(&listed)
}

pub(crate) async fn revoke_session<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: RevokeBody = request.json()?;
    let current = request.require_session().await?;
    let auth = request.auth();
    // Among the user's own sessions only. An unknown one is answered as
    // better-auth does, `{status: true}`: there is nothing of theirs to end.
    let target = auth
        .adapter()
        .list_sessions(current.user.id())
        .await?
        .into_iter()
        .find(|session| session.id == body.token);
    let reply = Reply::json(&json!({ "status": true }))?;
    let Some(target) = target else {
        return Ok(reply);
    };
    auth.revoke_session(&target.token_hash).await?;
    let is_current = target.token_hash == current.session.token_hash;
    auth.emit(Event::SignedOut {
        user_id: target.user_id,
        session_id: target.id,
    })
    .await;
    Ok(if is_current {
        reply.ending_session()
    } else {
        reply
    })
}

pub(crate) async fn revoke_sessions<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    revoke_all(&request, false).await
}

pub(crate) async fn revoke_other_sessions<U, A>(
    _plugin: Arc<BetterAuthCompat>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    revoke_all(&request, true).await
}

/// Ends the user's sessions, all of them or all but the current one.
async fn revoke_all<U, A>(
    request: &EndpointRequest<U, A>,
    keep_current: bool,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: PasswordAdapter<U> + EmailVerificationAdapter<U>,
{
    let current = request.require_session().await?;
    let keep = keep_current.then_some(&current.session.token_hash);
    let revoked = request
        .auth()
        .revoke_user_sessions(current.user.id(), keep)
        .await?;
    request
        .auth()
        .emit(Event::SessionsRevoked {
            user_id: current.user.id().to_owned(),
            revoked,
        })
        .await;
    let reply = Reply::json(&json!({ "status": true }))?;
    Ok(if keep_current {
        reply
    } else {
        reply.ending_session()
    })
}
