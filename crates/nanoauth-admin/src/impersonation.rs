//! Impersonation: an administrator's session as a user, short-lived and
//! marked, and the way back to the administrator's own session.
//!
//! The impersonation session is made with
//! [`Auth::issue_session`](nanoauth::Auth::issue_session), which skips the
//! session guards: the plugin has its own authority here (an
//! administrator, checked just before), and a guard meant for the user's
//! own sign-in (a second factor, a verified address, a ban) is not the
//! administrator's to answer. It carries `impersonatedBy` (the
//! administrator's id), lasts at most an hour and is never renewed.
//!
//! While it lasts, the administrator's own token waits in the plugin's
//! HttpOnly cookie [`ADMIN_SESSION_COOKIE`], for the time that session has
//! left; stopping revokes the impersonation session and puts the
//! administrator's token back as the session cookie, with the expiry it
//! had (better-auth #2185, #2183, #10734).

use std::sync::Arc;

use http::{HeaderMap, HeaderValue, header};
use nanoauth::{
    Auth, EndpointRequest, Error, Event, NewSession, PluginEvent, Reply, Session, SignInMethod,
    SignInOutcome,
};
use serde::Deserialize;
use serde_json::json;

use crate::api::AdminApi;
use crate::endpoints::administrator;
use crate::events;
use crate::plugin::{Admin, AdminStore};
use crate::refusal;
use crate::user::AdminUser;

/// The session attribute that marks an impersonation: the administrator's
/// id.
pub const IMPERSONATED_BY: &str = "impersonatedBy";

/// The plugin cookie (full name from
/// [`Auth::plugin_cookie_name`](nanoauth::Auth::plugin_cookie_name)) that
/// keeps the administrator's own session token during an impersonation.
pub const ADMIN_SESSION_COOKIE: &str = "admin_session";

/// How an impersonation session signed in, as
/// [`Event::SignedIn`](nanoauth::Event::SignedIn) reports it.
pub const IMPERSONATION_METHOD: &str = "admin-impersonation";

/// The administrator behind `session`, when it is an impersonation.
pub fn impersonator<U>(session: &Session<U>) -> Option<&str> {
    session.session.attributes.get_str(IMPERSONATED_BY)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ImpersonateBody {
    /// The user to act as (not an administrator, unless allowed).
    user_id: String,
}

pub(crate) async fn impersonate<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: ImpersonateBody = request.json()?;
    let admin = administrator(&plugin, &request).await?;
    let auth = request.auth();
    if body.user_id == admin.user.id() {
        return Err(refusal::cannot_impersonate(
            "Administrators cannot impersonate themselves.",
        ));
    }
    let target = AdminApi::bound(auth, Arc::clone(&plugin))
        .existing(&body.user_id)
        .await?;
    if plugin.is_admin(&target) && !plugin.impersonate_admins {
        return Err(refusal::cannot_impersonate(
            "Administrators cannot be impersonated.",
        ));
    }
    let now = auth.now();
    // The administrator's session as it stands after this request's lookup
    // (which may have renewed it): the token and the time it has left.
    let admin_token = admin
        .refreshed_token()
        .unwrap_or_else(|| admin.token())
        .expose_secret()
        .to_owned();
    let admin_left = admin.session.expires_at.saturating_sub(now);
    // `issue_session`, not `create_session`: see the module's docs.
    let signed_in = auth
        .issue_session(
            target,
            request.client(),
            SignInMethod::new(IMPERSONATION_METHOD),
            NewSession::default()
                .attribute(IMPERSONATED_BY, json!(admin.user.id()))
                .lifetime(plugin.impersonation_secs)
                .not_renewable(),
        )
        .await?;
    auth.emit(Event::Plugin(PluginEvent::new(
        events::IMPERSONATION_STARTED,
        signed_in.user.id(),
        json!({
            "actorId": admin.user.id(),
            "sessionId": signed_in.session.id,
            "expiresAt": signed_in.session.expires_at,
        }),
    )))
    .await;
    Reply::signed_in(SignInOutcome::SignedIn(signed_in))?.with_cookie(
        ADMIN_SESSION_COOKIE,
        &admin_token,
        admin_left,
    )
}

pub(crate) async fn stop_impersonating<U: AdminUser, A: AdminStore<U>>(
    _plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let auth = request.auth();
    let session = request.session().await?;
    let waiting = request.cookie(ADMIN_SESSION_COOKIE).map(str::to_owned);
    // Without a live impersonation session (it ran out), the way back is
    // still open to the administrator whose token waits in the cookie.
    let admin_id = match &session {
        Some(session) => {
            let Some(admin_id) = impersonator(session).map(str::to_owned) else {
                return Err(refusal::not_impersonating());
            };
            auth.revoke_session(&session.session.token_hash).await?;
            auth.emit(Event::Plugin(PluginEvent::new(
                events::IMPERSONATION_STOPPED,
                session.user.id(),
                json!({ "actorId": admin_id, "sessionId": session.session.id }),
            )))
            .await;
            Some(admin_id)
        }
        None if waiting.is_some() => None,
        None => return Err(Error::Unauthorized),
    };
    let restored = match waiting {
        Some(token) => admin_session(auth, &token).await?,
        None => None,
    };
    let restored =
        restored.filter(|admin| admin_id.as_deref().is_none_or(|id| id == admin.user.id()));
    match restored {
        Some(admin) => {
            // The administrator's token as it was (or as this lookup
            // renewed it): the cookie lives until it expires.
            let token = admin
                .refreshed_token()
                .unwrap_or_else(|| admin.token())
                .clone();
            Ok(Reply::json(&admin)?
                .with_session(token)
                .clearing_cookie(ADMIN_SESSION_COOKIE))
        }
        None => Ok(Reply::signed_out().clearing_cookie(ADMIN_SESSION_COOKIE)),
    }
}

/// The live session of the token that waited in the cookie.
async fn admin_session<U: AdminUser, A: AdminStore<U>>(
    auth: &Auth<U, A>,
    token: &str,
) -> Result<Option<Session<U>>, Error> {
    let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) else {
        return Ok(None);
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, value);
    auth.get_session_from_headers(&headers).await
}
