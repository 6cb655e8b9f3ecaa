//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{AuthUser, Endpoint, Error};
use schemars::JsonSchema;

use crate::api::OrganizationAdapter;
use crate::endpoints::{
    AddMemberBody, CancelBody, CreateBody, CreateTeamBody, InvitationBody, InviteBody, MemberBody,
    OrganizationBody, PermissionBody, RoleBody, SetActiveBody, SetActiveTeamBody, TeamBody,
    TeamMemberBody, UpdateBody,
};
use crate::errors;
use crate::model::{FullOrganization, Invitation, Member, Organization, Team};

/// `{"organization": ...}`.
#[derive(JsonSchema)]
#[allow(dead_code)] // Descriptions of wire shapes, never built.
struct OrganizationAnswer {
    organization: Organization,
}

/// `{"member": ...}`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct MemberAnswer {
    member: Member,
}

/// `{"invitation": ...}`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct InvitationAnswer {
    invitation: Invitation,
}

/// `{"team": ...}`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct TeamAnswer {
    team: Team,
}

/// `{"success": bool}`: whether the member holds every permission asked.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct PermissionAnswer {
    success: bool,
}

const ACTIVE: &str = "`organizationId` may be left out: the session's active organization is meant (`NO_ACTIVE_ORGANIZATION` when there is none).";

/// Errors of every endpoint that acts inside one organization.
fn scoped() -> [Error; 3] {
    [
        errors::no_active_organization(),
        errors::not_a_member(),
        errors::organization_not_found(),
    ]
}

/// The session's record, with the active organization and team.
fn session_answer() -> serde_json::Value {
    schemas::object([("session", schemas::session_record(), true)])
}

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: OrganizationAdapter<U>>(
    endpoint: Endpoint<U, A>,
) -> Endpoint<U, A> {
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/organization/create") => EndpointDoc::new("Creates an organization")
            .description("The signed-in user becomes its owner; it becomes the session's active organization unless `keepCurrentActiveOrganization`.")
            .request::<CreateBody>()
            .response::<OrganizationAnswer>()
            .errors([
                errors::forbidden(""),
                errors::organization_limit(),
                errors::slug_taken(),
                errors::concurrent_update(),
            ]),
        ("GET", "/organization/list") => {
            EndpointDoc::new("The organizations the user is a member of")
                .response::<Vec<Organization>>()
        }
        ("GET", "/organization/full") => EndpointDoc::new(
            "An organization with its members, pending invitations and teams",
        )
        .query(
            "organizationId",
            "The organization; the session's active one when left out.",
            false,
        )
        .response::<FullOrganization>()
        .errors(scoped()),
        ("POST", "/organization/update") => EndpointDoc::new("Changes an organization")
            .description(ACTIVE)
            .request::<UpdateBody>()
            .response::<OrganizationAnswer>()
            .errors(scoped())
            .errors([errors::slug_taken(), errors::concurrent_update()]),
        ("POST", "/organization/delete") => EndpointDoc::new("Deletes an organization")
            .request::<OrganizationBody>()
            .response_schema(schemas::success())
            .errors(scoped())
            .error(errors::concurrent_update()),
        ("POST", "/organization/set-active") => EndpointDoc::new(
            "Sets (or clears, with `null`) the session's active organization",
        )
        .request::<SetActiveBody>()
        .response_schema(session_answer())
        .error(errors::not_a_member()),
        ("POST", "/organization/add-member") => {
            EndpointDoc::new("Adds an existing user as a member")
                .description(ACTIVE)
                .request::<AddMemberBody>()
                .response::<MemberAnswer>()
                .errors(scoped())
                .errors([
                    errors::user_not_found(),
                    errors::already_member(),
                    errors::member_limit(),
                    errors::unknown_role(),
                    errors::concurrent_update(),
                ])
        }
        ("POST", "/organization/remove-member") => EndpointDoc::new("Removes a member")
            .description(ACTIVE)
            .request::<MemberBody>()
            .response::<MemberAnswer>()
            .errors(scoped())
            .errors([
                errors::member_not_found(),
                errors::last_owner(),
                errors::concurrent_update(),
            ]),
        ("POST", "/organization/update-member-role") => {
            EndpointDoc::new("Changes a member's roles")
                .description(ACTIVE)
                .request::<RoleBody>()
                .response::<MemberAnswer>()
                .errors(scoped())
                .errors([
                    errors::member_not_found(),
                    errors::last_owner(),
                    errors::unknown_role(),
                    errors::concurrent_update(),
                ])
        }
        ("POST", "/organization/leave") => EndpointDoc::new("Leaves an organization")
            .request::<OrganizationBody>()
            .response_schema(schemas::success())
            .errors([
                errors::not_a_member(),
                errors::organization_not_found(),
                errors::last_owner(),
                errors::concurrent_update(),
            ]),
        ("POST", "/organization/invite-member") => {
            EndpointDoc::new("Invites an email address to join")
                .description("Sends the invitation mail. A pending invitation to the same address is replaced.")
                .request::<InviteBody>()
                .response::<InvitationAnswer>()
                .errors(scoped())
                .errors([
                    Error::InvalidEmail,
                    errors::already_member(),
                    errors::invitation_limit(),
                    errors::team_not_found(),
                    errors::unknown_role(),
                    errors::concurrent_update(),
                ])
        }
        ("POST", "/organization/accept-invitation") => {
            invitation(EndpointDoc::new("Accepts an invitation"))
                .description("The organization becomes the session's active one.")
                .response::<MemberAnswer>()
                .errors([errors::already_member(), errors::member_limit()])
        }
        ("POST", "/organization/reject-invitation") => {
            invitation(EndpointDoc::new("Declines an invitation")).response::<InvitationAnswer>()
        }
        ("POST", "/organization/cancel-invitation") => {
            EndpointDoc::new("Withdraws a pending invitation")
                .request::<CancelBody>()
                .response::<InvitationAnswer>()
                .errors([
                    errors::invitation_not_found(),
                    errors::invitation_not_pending(),
                    errors::not_a_member(),
                    errors::organization_not_found(),
                    errors::concurrent_update(),
                ])
        }
        ("GET", "/organization/list-invitations") => {
            EndpointDoc::new("An organization's invitations")
                .query(
                    "organizationId",
                    "The organization; the session's active one when left out.",
                    false,
                )
                .response::<Vec<Invitation>>()
                .errors(scoped())
        }
        ("POST", "/organization/has-permission") => {
            EndpointDoc::new("Whether the user's roles allow every listed action")
                .description(ACTIVE)
                .request::<PermissionBody>()
                .response::<PermissionAnswer>()
                .errors(scoped())
                .error(errors::unknown_permission())
        }
        ("POST", "/organization/create-team") => EndpointDoc::new("Creates a team")
            .description(ACTIVE)
            .request::<CreateTeamBody>()
            .response::<TeamAnswer>()
            .errors(scoped())
            .errors([errors::team_limit(), errors::concurrent_update()]),
        ("POST", "/organization/remove-team") => EndpointDoc::new("Deletes a team")
            .description(ACTIVE)
            .request::<TeamBody>()
            .response_schema(schemas::success())
            .errors(scoped())
            .errors([errors::team_not_found(), errors::concurrent_update()]),
        ("POST", "/organization/add-team-member") => {
            team_member(EndpointDoc::new("Puts a member in a team"))
        }
        ("POST", "/organization/remove-team-member") => {
            team_member(EndpointDoc::new("Takes a member out of a team"))
        }
        ("POST", "/organization/set-active-team") => EndpointDoc::new(
            "Sets (or clears, with `null`) the session's active team",
        )
        .description("A team of the session's active organization that the user is in.")
        .request::<SetActiveTeamBody>()
        .response_schema(session_answer())
        .errors([
            errors::no_active_organization(),
            errors::not_a_member(),
            errors::team_not_found(),
        ]),
        _ => return endpoint,
    };
    endpoint.describe(doc.session())
}

/// Accepting or declining: the invitee, signed in with the invited address.
fn invitation(doc: EndpointDoc) -> EndpointDoc {
    doc.request::<InvitationBody>().errors([
        errors::invitation_not_found(),
        errors::invitation_not_pending(),
        errors::invitation_expired(),
        errors::recipient_mismatch(),
        Error::EmailNotVerified,
        Error::InvalidToken,
        errors::concurrent_update(),
    ])
}

/// Adding a member to a team, or taking them out.
fn team_member(doc: EndpointDoc) -> EndpointDoc {
    doc.description(ACTIVE)
        .request::<TeamMemberBody>()
        .response::<MemberAnswer>()
        .errors(scoped())
        .errors([
            errors::team_not_found(),
            errors::member_not_found(),
            errors::concurrent_update(),
        ])
}
