//! The HTTP handlers. Each gets its plugin (`Arc<SimpleMagicLink>`) and
//! the request, and answers a `Reply` or an `Error` (which the core turns
//! into `{"error":{"code","message"}}`).

use std::sync::Arc;

use nanoauth::adapter::{EmailVerificationAdapter, VerificationAdapter};
use nanoauth::{AuthUser, EndpointRequest, Error, Reply};
use serde::Deserialize;

use crate::SimpleMagicLink;

#[derive(Deserialize)]
struct SendBody {
    email: String,
}

/// `POST /signin/simple-magic-link {email}`: the same `{"success":true}`
/// for every well-formed address.
pub(crate) async fn send<U, A>(
    plugin: Arc<SimpleMagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: SendBody = request.json()?;
    plugin.send_link(request.auth(), &body.email).await?;
    Ok(Reply::success())
}

#[derive(Deserialize)]
struct VerifyBody {
    token: String,
}

/// `POST /simple-magic-link/verify {token}`: `{user, token}`, and the core
/// sets the session cookie.
pub(crate) async fn verify<U, A>(
    plugin: Arc<SimpleMagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    // JSON, or the fields of an HTML form (the endpoint accepts forms).
    let body: VerifyBody = request.fields()?;
    let signed_in = plugin
        .sign_in(request.auth(), &body.token, request.client())
        .await?;
    Reply::signed_in(signed_in)
}
