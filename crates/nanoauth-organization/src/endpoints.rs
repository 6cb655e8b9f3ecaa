//! HTTP handlers: JSON in, the exports of `api.rs`, JSON out, in the wire
//! shapes of issue 18.

use std::collections::BTreeMap;
use std::sync::Arc;

use nanoauth::utils::url::query_param;
use nanoauth::{AuthUser, EndpointRequest, Error, Reply, Session};
use serde::Deserialize;
use serde_json::json;

use crate::access::Permission;
use crate::active;
use crate::api::{Actor, OrganizationAdapter, OrganizationsApi};
use crate::model::{NewOrganization, OrganizationUpdate, roles_from_wire};
use crate::plugin::Organizations;

type Request<U, A> = EndpointRequest<U, A>;

/// The signed-in user as an actor, the API, and the session.
async fn signed_in<'a, U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: &'a Request<U, A>,
) -> Result<(OrganizationsApi<'a, U, A>, Session<U>, Actor), Error> {
    let session = request.require_session().await?;
    let actor = plugin.actor_for(&session.user);
    Ok((
        OrganizationsApi::bound(request.auth(), plugin),
        session,
        actor,
    ))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CreateBody {
    name: String,
    slug: String,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
    /// better-auth's: keep the session's active organization as it is.
    #[serde(default)]
    keep_current_active_organization: bool,
}

pub(crate) async fn create<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: CreateBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let mut new = NewOrganization::new(body.name, body.slug);
    new.logo = body.logo;
    new.metadata = body.metadata;
    let organization = api.create(&actor, new).await?;
    if !body.keep_current_active_organization {
        active::set(&api, &session, Some(&organization.id)).await?;
    }
    Reply::json(&json!({ "organization": organization }))
}

pub(crate) async fn list<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let (api, session, _) = signed_in(plugin, &request).await?;
    Reply::json(&api.list(session.user.id()).await?)
}

/// `?organizationId=`, or the session's active organization.
fn queried<U: AuthUser, A: OrganizationAdapter<U>>(
    api: &OrganizationsApi<'_, U, A>,
    request: &Request<U, A>,
    session: &Session<U>,
) -> Result<String, Error> {
    let query = query_param(request.parts().uri.query(), "organizationId");
    api.organization_or_active(session, query.as_deref())
}

pub(crate) async fn full<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = queried(&api, &request, &session)?;
    Reply::json(&api.full(&actor, &organization_id).await?)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UpdateBody {
    #[serde(default)]
    organization_id: Option<String>,
    data: OrganizationUpdate,
}

pub(crate) async fn update<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: UpdateBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let organization = api.update(&actor, &organization_id, body.data).await?;
    Reply::json(&json!({ "organization": organization }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct OrganizationBody {
    organization_id: String,
}

pub(crate) async fn delete<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: OrganizationBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    api.delete(&actor, &body.organization_id).await?;
    if active::active_organization(&session).as_deref() == Some(body.organization_id.as_str()) {
        active::set(&api, &session, None).await?;
    }
    Ok(Reply::success())
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SetActiveBody {
    /// `null` clears it.
    organization_id: Option<String>,
}

pub(crate) async fn set_active<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: SetActiveBody = request.json()?;
    let (api, session, _) = signed_in(plugin, &request).await?;
    let record = active::set(&api, &session, body.organization_id.as_deref()).await?;
    Reply::json(&json!({ "session": record }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AddMemberBody {
    user_id: String,
    #[serde(deserialize_with = "roles_from_wire")]
    #[cfg_attr(feature = "openapi", schemars(with = "crate::model::RolesInput"))]
    role: Vec<String>,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn add_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: AddMemberBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let member = api
        .add_member(&actor, &organization_id, &body.user_id, &body.role)
        .await?;
    Reply::json(&json!({ "member": member }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MemberBody {
    member_id: String,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn remove_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: MemberBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let member = api
        .remove_member(&actor, &organization_id, &body.member_id)
        .await?;
    Reply::json(&json!({ "member": member }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RoleBody {
    member_id: String,
    #[serde(deserialize_with = "roles_from_wire")]
    #[cfg_attr(feature = "openapi", schemars(with = "crate::model::RolesInput"))]
    role: Vec<String>,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn update_member_role<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: RoleBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let member = api
        .update_member_role(&actor, &organization_id, &body.member_id, &body.role)
        .await?;
    Reply::json(&json!({ "member": member }))
}

pub(crate) async fn leave<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: OrganizationBody = request.json()?;
    let (api, session, _) = signed_in(plugin, &request).await?;
    api.leave(session.user.id(), &body.organization_id).await?;
    if active::active_organization(&session).as_deref() == Some(body.organization_id.as_str()) {
        active::set(&api, &session, None).await?;
    }
    Ok(Reply::success())
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct InviteBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    #[serde(deserialize_with = "roles_from_wire")]
    #[cfg_attr(feature = "openapi", schemars(with = "crate::model::RolesInput"))]
    role: Vec<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    team_id: Option<String>,
}

pub(crate) async fn invite_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: InviteBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let invitation = api
        .invite(
            &actor,
            &organization_id,
            &body.email,
            &body.role,
            body.team_id.as_deref(),
        )
        .await?;
    Reply::json(&json!({ "invitation": invitation }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct InvitationBody {
    invitation_id: String,
    /// The single-use token of the mail's link.
    #[serde(default)]
    token: Option<String>,
}

pub(crate) async fn accept_invitation<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: InvitationBody = request.json()?;
    let (api, session, _) = signed_in(plugin, &request).await?;
    let member = api
        .accept_invitation(&session.user, &body.invitation_id, body.token.as_deref())
        .await?;
    // The new organization becomes the session's active one.
    active::set(&api, &session, Some(&member.organization_id)).await?;
    Reply::json(&json!({ "member": member }))
}

pub(crate) async fn reject_invitation<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: InvitationBody = request.json()?;
    let (api, session, _) = signed_in(plugin, &request).await?;
    let invitation = api
        .reject_invitation(&session.user, &body.invitation_id, body.token.as_deref())
        .await?;
    Reply::json(&json!({ "invitation": invitation }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CancelBody {
    invitation_id: String,
}

pub(crate) async fn cancel_invitation<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: CancelBody = request.json()?;
    let (api, _, actor) = signed_in(plugin, &request).await?;
    let invitation = api.cancel_invitation(&actor, &body.invitation_id).await?;
    Reply::json(&json!({ "invitation": invitation }))
}

pub(crate) async fn list_invitations<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = queried(&api, &request, &session)?;
    Reply::json(&api.list_invitations(&actor, &organization_id).await?)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PermissionBody {
    permissions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn has_permission<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: PermissionBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let permissions: Vec<Permission> = body
        .permissions
        .into_iter()
        .flat_map(|(resource, actions)| {
            actions
                .into_iter()
                .map(move |action| Permission::new(resource.clone(), action))
        })
        .collect();
    if permissions.is_empty() || permissions.len() > 64 {
        return Err(Error::InvalidBody("permissions: 1 to 64 actions".into()));
    }
    let success = api
        .has_permission(&actor, &organization_id, &permissions)
        .await?;
    Reply::json(&json!({ "success": success }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CreateTeamBody {
    name: String,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn create_team<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: CreateTeamBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let team = api
        .create_team(&actor, &organization_id, &body.name)
        .await?;
    Reply::json(&json!({ "team": team }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TeamBody {
    team_id: String,
    #[serde(default)]
    organization_id: Option<String>,
}

pub(crate) async fn remove_team<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: TeamBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    api.remove_team(&actor, &organization_id, &body.team_id)
        .await?;
    Ok(Reply::success())
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TeamMemberBody {
    team_id: String,
    member_id: String,
    #[serde(default)]
    organization_id: Option<String>,
}

async fn team_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
    on: bool,
) -> Result<Reply, Error> {
    let body: TeamMemberBody = request.json()?;
    let (api, session, actor) = signed_in(plugin, &request).await?;
    let organization_id = api.organization_or_active(&session, body.organization_id.as_deref())?;
    let member = api
        .set_team_member(&actor, &organization_id, &body.team_id, &body.member_id, on)
        .await?;
    Reply::json(&json!({ "member": member }))
}

pub(crate) async fn add_team_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    team_member(plugin, request, true).await
}

pub(crate) async fn remove_team_member<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    team_member(plugin, request, false).await
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SetActiveTeamBody {
    /// `null` clears it.
    team_id: Option<String>,
}

pub(crate) async fn set_active_team<U: AuthUser, A: OrganizationAdapter<U>>(
    plugin: Arc<Organizations>,
    request: Request<U, A>,
) -> Result<Reply, Error> {
    let body: SetActiveTeamBody = request.json()?;
    let (api, session, _) = signed_in(plugin, &request).await?;
    let record = active::set_team(&api, &session, body.team_id.as_deref()).await?;
    Reply::json(&json!({ "session": record }))
}
