//! The active organization (and team), kept on the session as the session
//! attributes `activeOrganizationId` and `activeTeamId`: set by an
//! endpoint, shown by `GET /session`, and the default organization of
//! every check and endpoint that names none.

use nanoauth::{AuthUser, Error, Session, SessionRecord};

use crate::api::{OrganizationAdapter, OrganizationsApi};
use crate::errors;

/// The session attribute naming the active organization.
pub const ACTIVE_ORGANIZATION: &str = "activeOrganizationId";
/// The session attribute naming the active team.
pub const ACTIVE_TEAM: &str = "activeTeamId";

/// The session's active organization.
pub(crate) fn active_organization<U>(_session: &Session<U>) -> Option<String> {
    // Until the session attributes land in the core.
    None
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
    let record = session.session.clone();
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
    let record = session.session.clone();
    api.emit_active(session.user.id(), Some(&organization_id), team_id)
        .await;
    Ok(record)
}
