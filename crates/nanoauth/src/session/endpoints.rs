//! HTTP handlers of the sessions plugin.

use serde::{Deserialize, Serialize};

use crate::adapter::Adapter;
use crate::error::Error;
use crate::pipeline::endpoint::{EndpointRequest, Reply};
use crate::plugin::events::Event;
use crate::session::SessionRecord;
use crate::user::AuthUser;

pub(super) async fn session<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    Reply::session(request.session().await?)
}

pub(super) async fn sign_out<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    // Signing out without a valid session still clears the cookie: the
    // client asked to be signed out, and it is.
    request.auth().sign_out(request.headers()).await?;
    Ok(Reply::signed_out())
}

#[derive(Serialize)]
struct ListedSession<'a> {
    #[serde(flatten)]
    session: &'a SessionRecord,
    current: bool,
}

pub(super) async fn list<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let current = request.require_session().await?;
    let now = request.auth().now();
    let mut sessions = request
        .auth()
        .adapter()
        .list_sessions(current.user.id())
        .await?;
    sessions.retain(|session| session.expires_at > now);
    sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
    let listed: Vec<_> = sessions
        .iter()
        .map(|session| ListedSession {
            current: session.token_hash == current.session.token_hash,
            session,
        })
        .collect();
    Reply::json(&listed)
}

/// `POST /sessions/revoke`.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct RevokeBody {
    /// The session's public `id` (from `GET /sessions`).
    id: String,
}

pub(super) async fn revoke<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: RevokeBody = request.json()?;
    let current = request.require_session().await?;
    let auth = request.auth();
    // Looked up among the user's own sessions: an id of someone else's
    // session is simply not found.
    let target = auth
        .adapter()
        .list_sessions(current.user.id())
        .await?
        .into_iter()
        .find(|session| session.id == body.id)
        .ok_or(Error::SessionNotFound)?;
    auth.revoke_session(&target.token_hash).await?;
    let is_current = target.token_hash == current.session.token_hash;
    auth.emit(Event::SignedOut {
        user_id: target.user_id,
        session_id: target.id,
    })
    .await;
    let reply = Reply::json(&serde_json::json!({ "success": true }))?;
    Ok(if is_current {
        reply.ending_session()
    } else {
        reply
    })
}

pub(super) async fn revoke_others<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let current = request.require_session().await?;
    let revoked = request
        .auth()
        .revoke_user_sessions(current.user.id(), Some(&current.session.token_hash))
        .await?;
    request
        .auth()
        .emit(Event::SessionsRevoked {
            user_id: current.user.id().to_owned(),
            revoked,
        })
        .await;
    Reply::json(&serde_json::json!({ "revoked": revoked }))
}

/// The sessions plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<U: AuthUser, A: Adapter<U>>(
    endpoint: crate::Endpoint<U, A>,
) -> crate::Endpoint<U, A> {
    use crate::openapi::{EndpointDoc, schemas};
    let listed = serde_json::json!({ "allOf": [
        schemas::session_record(),
        schemas::object([("current", schemas::boolean(), true)]),
    ] });
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("GET", "/session") => EndpointDoc::new("The current session and its user")
            .description("`null` without a valid session. A session past its update age is refreshed: the answer then sets a new cookie.")
            .optional_session()
            .response_schema(schemas::nullable(schemas::session())),
        ("POST", "/signout") => EndpointDoc::new("Signs out")
            .description("Deletes the current session, if any, and clears the cookie.")
            .optional_session()
            .response_schema(schemas::success()),
        ("GET", "/sessions") => EndpointDoc::new("The user's sessions")
            .description("Newest first; `current` marks the one making the request.")
            .session()
            .response_schema(schemas::array(listed)),
        ("POST", "/sessions/revoke") => EndpointDoc::new("Revokes one of the user's sessions")
            .request::<RevokeBody>()
            .session()
            .response_schema(schemas::success())
            .error(Error::SessionNotFound),
        ("POST", "/sessions/revoke-others") => EndpointDoc::new("Revokes every other session of the user")
            .session()
            .response_schema(schemas::object([("revoked", schemas::integer(), true)])),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
