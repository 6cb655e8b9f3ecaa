//! HTTP handlers: the administrator check, JSON in, the exports of
//! `api.rs`, JSON out.

use std::sync::Arc;

use nanoauth::utils::url::query_param;
use nanoauth::{Email, EndpointRequest, Error, Reply, Session};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{AdminApi, BanRequest, NewAdminUser, UserSearch};
use crate::impersonation;
use crate::plugin::{Admin, AdminStore};
use crate::refusal;
use crate::user::AdminUser;

/// The session of an administrator, or the refusal: `401` without a
/// session, `403 FORBIDDEN` for an API key, an impersonation session, or
/// anyone who is not an administrator.
pub(crate) async fn administrator<U: AdminUser, A: AdminStore<U>>(
    plugin: &Admin,
    request: &EndpointRequest<U, A>,
) -> Result<Session<U>, Error> {
    let session = request.require_session().await?;
    if session.credential().is_some() {
        return Err(refusal::forbidden(
            "Administration needs a signed-in session; an API key cannot.",
        ));
    }
    if impersonation::impersonator(&session).is_some() {
        return Err(refusal::forbidden(
            "Administration is not available while impersonating a user.",
        ));
    }
    if !plugin.is_admin(&session.user) {
        return Err(refusal::forbidden("Only administrators may do this."));
    }
    Ok(session)
}

/// A `userId` that cannot exist is answered like an unknown one.
fn user_id(id: &str) -> Result<&str, Error> {
    if id.is_empty() || id.len() > 255 {
        return Err(refusal::user_not_found());
    }
    Ok(id)
}

pub(crate) async fn list_users<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    administrator(&plugin, &request).await?;
    let query = request.parts().uri.query();
    let mut search = UserSearch::all();
    search.query = query_param(query, "query").filter(|q| !q.trim().is_empty());
    search.role = query_param(query, "role").filter(|r| !r.is_empty());
    search.cursor = query_param(query, "cursor").filter(|c| !c.is_empty());
    if let Some(limit) = query_param(query, "limit").filter(|l| !l.is_empty()) {
        search.limit =
            Some(limit.parse().map_err(|_| {
                refusal::invalid_input("limit must be a whole number from 1 to 200.")
            })?);
    }
    if search.query.as_ref().is_some_and(|q| q.len() > 255)
        || search.cursor.as_ref().is_some_and(|c| c.len() > 255)
    {
        return Err(refusal::invalid_input(
            "query and cursor are at most 255 bytes.",
        ));
    }
    let page = AdminApi::bound(request.auth(), plugin)
        .list_users(search)
        .await?;
    Reply::json(&page)
}

pub(crate) async fn get_user<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    administrator(&plugin, &request).await?;
    let id = query_param(request.parts().uri.query(), "userId").unwrap_or_default();
    let user = AdminApi::bound(request.auth(), plugin)
        .user(user_id(&id)?)
        .await?;
    Reply::json(&json!({ "user": user }))
}

/// `role`: one role or a list.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub(crate) enum Roles {
    /// One role.
    One(String),
    /// Several roles.
    Many(Vec<String>),
}

impl Roles {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(role) => vec![role],
            Self::Many(roles) => roles,
        }
    }
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CreateBody {
    /// The new user's address.
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    /// A password (8 to 128 characters by default); none: the user signs
    /// in another way (a link, a provider, a passkey).
    #[serde(default)]
    password: Option<String>,
    /// The user's name, when the user type has one.
    #[serde(default)]
    name: Option<String>,
    /// The role or roles (default: the plugin's default role).
    #[serde(default)]
    role: Option<Roles>,
    /// The application's sign-up fields.
    #[serde(default)]
    data: Option<Map<String, Value>>,
}

pub(crate) async fn create_user<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: CreateBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let email = Email::parse(&body.email).ok_or(Error::InvalidEmail)?;
    let mut data = body.data.unwrap_or_default();
    if let Some(name) = body.name {
        data.entry("name").or_insert(Value::String(name));
    }
    let fields: U::SignUp = serde_json::from_value(Value::Object(data))
        .map_err(|_| refusal::invalid_input("data does not fit the user's sign-up fields."))?;
    let mut new = NewAdminUser::new(email, fields);
    new.password = body.password;
    new.roles = body.role.map(Roles::into_vec).unwrap_or_default();
    let user = AdminApi::bound(request.auth(), plugin)
        .create_user(session.user.id(), new)
        .await?;
    Reply::json(&json!({ "user": user }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct SetRoleBody {
    /// The user.
    user_id: String,
    /// The role or roles they are to hold (all they hold after this).
    role: Roles,
}

pub(crate) async fn set_role<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SetRoleBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let user = AdminApi::bound(request.auth(), plugin)
        .set_roles(
            session.user.id(),
            user_id(&body.user_id)?,
            &body.role.into_vec(),
        )
        .await?;
    Reply::json(&json!({ "user": user }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct SetPasswordBody {
    /// The user.
    user_id: String,
    /// The new password; the user's sessions are revoked.
    new_password: String,
}

pub(crate) async fn set_password<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SetPasswordBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let revoked = AdminApi::bound(request.auth(), plugin)
        .set_password(
            session.user.id(),
            user_id(&body.user_id)?,
            &body.new_password,
        )
        .await?;
    Reply::json(&json!({ "success": true, "revoked": revoked }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct BanBody {
    /// The user.
    user_id: String,
    /// Why, shown to the user when they try to sign in.
    #[serde(default)]
    reason: Option<String>,
    /// Seconds.
    #[serde(default)]
    expires_in: Option<u64>,
}

pub(crate) async fn ban_user<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: BanBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let ban = BanRequest {
        reason: body.reason,
        expires_in: body.expires_in,
    };
    let user = AdminApi::bound(request.auth(), plugin)
        .ban(session.user.id(), user_id(&body.user_id)?, ban)
        .await?;
    Reply::json(&json!({ "user": user }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct UserBody {
    /// The user.
    user_id: String,
}

pub(crate) async fn unban_user<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UserBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let user = AdminApi::bound(request.auth(), plugin)
        .unban(session.user.id(), user_id(&body.user_id)?)
        .await?;
    Reply::json(&json!({ "user": user }))
}

pub(crate) async fn remove_user<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UserBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    AdminApi::bound(request.auth(), plugin)
        .remove_user(session.user.id(), user_id(&body.user_id)?)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn list_user_sessions<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UserBody = request.json()?;
    administrator(&plugin, &request).await?;
    let sessions = AdminApi::bound(request.auth(), plugin)
        .sessions(user_id(&body.user_id)?)
        .await?;
    Reply::json(&json!({ "sessions": sessions }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RevokeBody {
    /// The user.
    user_id: String,
    /// The session's id (from `list-user-sessions`).
    session_id: String,
}

pub(crate) async fn revoke_user_session<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: RevokeBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    AdminApi::bound(request.auth(), plugin)
        .revoke_session(session.user.id(), user_id(&body.user_id)?, &body.session_id)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn revoke_user_sessions<U: AdminUser, A: AdminStore<U>>(
    plugin: Arc<Admin>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UserBody = request.json()?;
    let session = administrator(&plugin, &request).await?;
    let revoked = AdminApi::bound(request.auth(), plugin)
        .revoke_sessions(session.user.id(), user_id(&body.user_id)?)
        .await?;
    Reply::json(&json!({ "success": true, "revoked": revoked }))
}
