//! HTTP handlers of the email/password plugin.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::{EndpointRequest, Reply};

use super::{EmailPassword, EmailPasswordApi};
use crate::{AuthUser, Email};

use crate::adapter::PasswordAdapter;

/// `POST /signup/email`. Only `email`, `password` and the application's
/// `AuthUser::SignUp` fields are read; anything else is ignored.
#[derive(Deserialize)]
#[serde(bound(deserialize = "F: DeserializeOwned"))]
struct SignUpBody<F> {
    email: String,
    password: String,
    #[serde(flatten)]
    fields: F,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct SignInBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    password: String,
}

pub(super) async fn sign_up<U: AuthUser, A: PasswordAdapter<U>>(
    plugin: Arc<EmailPassword>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SignUpBody<U::SignUp> = request.json()?;
    let signed_in = EmailPasswordApi::bound(request.auth(), plugin)
        .sign_up_for_endpoint(&body.email, &body.password, body.fields, request.client())
        .await?;
    match signed_in {
        Some(signed_in) => Reply::signed_in(signed_in),
        // The address must be verified before a session (or it was taken,
        // and the answer must not say so): no token, no cookie, no user.
        None => Reply::json(&serde_json::json!({ "user": null, "token": null })),
    }
}

/// The lockout of password checks: sign-in and password change share it,
/// since both guess the same password.
const PASSWORD_CHECK: &str = "password";

/// Signs in, refusing a client that failed too often on this email. The
/// lockout is checked and counted alike for unknown emails, so a locked
/// answer tells nothing about the account.
pub(super) async fn sign_in<U: AuthUser, A: PasswordAdapter<U>>(
    plugin: Arc<EmailPassword>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SignInBody = request.json()?;
    let email = Email::parse(&body.email).ok_or(Error::InvalidEmail)?;
    let lockout = request
        .auth()
        .lockout(PASSWORD_CHECK, email.as_str(), request.parts());
    lockout.check().await?;
    let signed_in = EmailPasswordApi::bound(request.auth(), plugin)
        .sign_in(&body.email, &body.password, request.client())
        .await;
    match signed_in {
        Ok(signed_in) => {
            lockout.clear().await?;
            Reply::signed_in(signed_in)
        }
        Err(Error::InvalidCredentials) => {
            lockout.record_failure().await?;
            Err(Error::InvalidCredentials)
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct ChangePasswordBody {
    current_password: String,
    new_password: String,
    #[serde(default = "yes")]
    revoke_other_sessions: bool,
}

fn yes() -> bool {
    true
}

pub(super) async fn change_password<U: AuthUser, A: PasswordAdapter<U>>(
    plugin: Arc<EmailPassword>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: ChangePasswordBody = request.json()?;
    let session = request.require_session().await?;
    let email = Email::parse(session.user.email()).ok_or(Error::InvalidEmail)?;
    let lockout = request
        .auth()
        .lockout(PASSWORD_CHECK, email.as_str(), request.parts());
    lockout.check().await?;
    let changed = EmailPasswordApi::bound(request.auth(), plugin)
        .change_password(
            &session,
            &body.current_password,
            &body.new_password,
            !body.revoke_other_sessions,
        )
        .await;
    match changed {
        Ok(()) => Ok(Reply::success()),
        Err(Error::InvalidPassword) => {
            lockout.record_failure().await?;
            Err(Error::InvalidPassword)
        }
        Err(error) => Err(error),
    }
}

/// The plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<U: AuthUser, A: PasswordAdapter<U>>(
    endpoint: crate::Endpoint<U, A>,
) -> crate::Endpoint<U, A> {
    use crate::openapi::{EndpointDoc, schemas};
    let password_rules = [
        Error::InvalidEmail,
        Error::PasswordTooShort { min: 0 },
        Error::PasswordTooLong { max: 0 },
    ];
    // Every route here hashes: a full hashing queue refuses it.
    let busy = Error::Busy {
        retry_after_secs: 0,
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/signup/email") => EndpointDoc::new("Signs up with email and password")
            .description(
                "Reads `email`, `password` and the application's own sign-up fields (others are \
                 ignored). When email verification is required, the answer is \
                 `{\"user\": null, \"token\": null}` whether or not the address was free, and a link \
                 is mailed.",
            )
            .request_schema(serde_json::json!({ "allOf": [
                schemas::sign_up_fields(),
                schemas::object([
                    ("email", serde_json::json!({ "type": "string", "format": "email" }), true),
                    ("password", schemas::string(), true),
                ]),
            ] }))
            .response_schema(serde_json::json!({ "anyOf": [
                schemas::signed_in(),
                schemas::object([
                    ("user", serde_json::json!({ "type": "null" }), true),
                    ("token", serde_json::json!({ "type": "null" }), true),
                ]),
            ] }))
            .errors(password_rules)
            .error(Error::UserAlreadyExists),
        ("POST", "/signin/email") => EndpointDoc::new("Signs in with email and password")
            .description("Sets the session cookie and answers the token too (for bearer clients). Failures are counted per client and address.")
            .request::<SignInBody>()
            .response_schema(schemas::signed_in())
            .errors([
                Error::InvalidEmail,
                Error::InvalidCredentials,
                Error::EmailNotVerified,
            ]),
        ("POST", "/change-password") => EndpointDoc::new("Changes the signed-in user's password")
            .description("Other sessions are revoked unless `revokeOtherSessions` is `false`.")
            .request::<ChangePasswordBody>()
            .session()
            .response_schema(schemas::success())
            .errors(password_rules)
            .error(Error::InvalidPassword),
        _ => return endpoint,
    };
    endpoint.describe(doc.error(busy))
}
