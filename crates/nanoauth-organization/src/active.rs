//! The active organization (and team), kept on the session as the session
//! attributes `activeOrganizationId` and `activeTeamId`: set by an
//! endpoint, shown by `GET /session` (`session.activeOrganizationId`), and
//! the default organization of every check and endpoint that names none.

use nanoauth::{AuthUser, Error, Session, SessionRecord};
use serde_json::json;

use crate::api::{OrganizationAdapter, OrganizationsApi};
use crate::errors;

/// The session attribute naming the active organization.
pub const ACTIVE_ORGANIZATION: &str = "activeOrganizationId";
/// The session attribute naming the active team.
pub const ACTIVE_TEAM: &str = "activeTeamId";

/// The session's active organization.
pub(crate) fn active_organization<U>(session: &Session<U>) -> Option<String> {
    session
        .session
        .attributes
        .get_str(ACTIVE_ORGANIZATION)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// Writes the session's active organization and team (`None` removes
/// them); the session as stored now.
async fn write<U: AuthUser, A: OrganizationAdapter<U>>(
    api: &OrganizationsApi<'_, U, A>,
    session: &Session<U>,
    organization_id: Option<&str>,
    team_id: Option<&str>,
) -> Result<SessionRecord, Error> {
    let (organization_id, team_id) = (
        organization_id.map(str::to_owned),
        team_id.map(str::to_owned),
    );
    api.auth
        .update_session_attributes(&session.session.token_hash, move |attributes| {
            match organization_id {
                Some(id) => attributes.insert(ACTIVE_ORGANIZATION, json!(id)),
                None => drop(attributes.remove(ACTIVE_ORGANIZATION)),
            }
            match team_id {
                Some(id) => attributes.insert(ACTIVE_TEAM, json!(id)),
                None => drop(attributes.remove(ACTIVE_TEAM)),
            }
        })
        .await?
        // Signed out meanwhile.
        .ok_or(Error::Unauthorized)
}

/// Makes `organization_id` (a membership of the session's user; `None`
/// clears it) the session's active organization, and clears its team.
pub(crate) async fn set<U: AuthUser, A: OrganizationAdapter<U>>(
    api: &OrganizationsApi<'_, U, A>,
    session: &Session<U>,
    organization_id: Option<&str>,
) -> Result<SessionRecord, Error> {
    if let Some(id) = organization_id {
        api.member(id, session.user.id())
            .await?
            .ok_or_else(errors::not_a_member)?;
    }
    let record = write(api, session, organization_id, None).await?;
    api.emit_active(session.user.id(), organization_id, None)
        .await;
    Ok(record)
}

/// Makes `team_id` the session's active team: a team of the session's
/// active organization that its user is in (`None` clears it).
pub(crate) async fn set_team<U: AuthUser, A: OrganizationAdapter<U>>(
    api: &OrganizationsApi<'_, U, A>,
    session: &Session<U>,
    team_id: Option<&str>,
) -> Result<SessionRecord, Error> {
    let organization_id =
        active_organization(session).ok_or_else(errors::no_active_organization)?;
    if let Some(team_id) = team_id {
        api.team_of_member(&organization_id, team_id, session.user.id())
            .await?;
    }
    let record = write(api, session, Some(&organization_id), team_id).await?;
    api.emit_active(session.user.id(), Some(&organization_id), team_id)
        .await;
    Ok(record)
}
