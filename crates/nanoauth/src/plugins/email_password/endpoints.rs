//! HTTP handlers of the email/password plugin.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::endpoint::{EndpointRequest, Reply};
use crate::error::Error;
use crate::user::AuthUser;

use super::PasswordAdapter;

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
struct SignInBody {
    email: String,
    password: String,
}

pub(super) async fn sign_up<U: AuthUser, A: PasswordAdapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SignUpBody<U::SignUp> = request.json()?;
    let signed_in = request
        .auth()
        .email_password()
        .sign_up_for_endpoint(&body.email, &body.password, body.fields, request.client())
        .await?;
    match signed_in {
        Some(signed_in) => Reply::signed_in(signed_in),
        // The address must be verified before a session (or it was taken,
        // and the answer must not say so): no token, no cookie, no user.
        None => Reply::json(&serde_json::json!({ "user": null, "token": null })),
    }
}

pub(super) async fn sign_in<U: AuthUser, A: PasswordAdapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SignInBody = request.json()?;
    let signed_in = request
        .auth()
        .email_password()
        .sign_in(&body.email, &body.password, request.client())
        .await?;
    Reply::signed_in(signed_in)
}

#[derive(Deserialize)]
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
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: ChangePasswordBody = request.json()?;
    let session = request.require_session().await?;
    request
        .auth()
        .email_password()
        .change_password(
            &session,
            &body.current_password,
            &body.new_password,
            !body.revoke_other_sessions,
        )
        .await?;
    Ok(Reply::success())
}
