//! The active organization on the session, on every adapter: set by
//! creating, switching and accepting, shown by `GET /session`, the default
//! of checks, and only ever an organization (and team) of the user's own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{TestAdapter, code, world, world_with};
use http::StatusCode;
use nanoauth_organization::events;
use serde_json::json;

on_every_adapter!(
    the_active_organization_follows_the_session,
    active_teams_stay_in_the_active_organization
);

async fn the_active_organization_follows_the_session<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let (mut bob, _) = w.verified_user("bob@example.com").await;
    let acme = alice.create_org(&w.auth, "Acme", "acme").await;
    let acme = acme["id"].as_str().unwrap();
    // Creating makes it active.
    let (_, session) = alice.get(&w.auth, "/session").await;
    assert_eq!(session["session"]["activeOrganizationId"], acme);
    let other = alice.create_org(&w.auth, "Other", "other").await;
    let other = other["id"].as_str().unwrap();
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/set-active",
            json!({ "organizationId": acme }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["session"]["activeOrganizationId"], acme);
    let (_, session) = alice.get(&w.auth, "/session").await;
    assert_eq!(session["session"]["activeOrganizationId"], acme);
    // Checks and routes default to it.
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/has-permission",
            json!({ "permissions": { "project": ["delete"] } }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    let (_, full) = alice.get(&w.auth, "/organization/full").await;
    assert_eq!(full["organization"]["id"], acme);

    // Not a member: refused, and the session keeps what it had.
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/set-active",
            json!({ "organizationId": other }),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN"));
    let (_, session) = bob.get(&w.auth, "/session").await;
    assert!(
        session["session"].get("activeOrganizationId").is_none(),
        "{session}"
    );
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/has-permission",
            json!({ "permissions": { "project": ["read"] } }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "NO_ACTIVE_ORGANIZATION")
    );

    // Accepting an invitation makes its organization active.
    let (status, invited) = alice
        .post(
            &w.auth,
            "/organization/invite-member",
            json!({ "email": "bob@example.com", "role": "member" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{invited}");
    assert_eq!(invited["invitation"]["organizationId"], acme);
    let (status, _) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invited["invitation"]["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, session) = bob.get(&w.auth, "/session").await;
    assert_eq!(session["session"]["activeOrganizationId"], acme);
    let (_, body) = bob
        .post(
            &w.auth,
            "/organization/has-permission",
            json!({ "permissions": { "project": ["read"] } }),
        )
        .await;
    assert_eq!(body, json!({ "success": true }));
    // The session list shows it too.
    let (_, sessions) = bob.get(&w.auth, "/sessions").await;
    assert_eq!(sessions[0]["activeOrganizationId"], acme, "{sessions}");

    // Removed: the active organization stays named, but checks refuse.
    let bob_member = alice.member_id(&w.auth, acme, "bob@example.com").await;
    alice
        .post(
            &w.auth,
            "/organization/remove-member",
            json!({ "memberId": bob_member }),
        )
        .await;
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/has-permission",
            json!({ "permissions": { "project": ["read"] } }),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN"));

    // Cleared.
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/set-active",
            json!({ "organizationId": null }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, session) = alice.get(&w.auth, "/session").await;
    assert!(
        session["session"].get("activeOrganizationId").is_none(),
        "{session}"
    );
    assert!(!w.events_named(events::ACTIVE_CHANGED).is_empty());
}

async fn active_teams_stay_in_the_active_organization<A: TestAdapter>(adapter: A) {
    let w = world_with(adapter, |plugin| plugin.teams(true));
    let (mut alice, _) = w.user("alice@example.com").await;
    let other = alice.create_org(&w.auth, "Other", "other").await;
    let (_, body) = alice
        .post(
            &w.auth,
            "/organization/create-team",
            json!({ "organizationId": other["id"], "name": "Elsewhere" }),
        )
        .await;
    let elsewhere = body["team"]["id"].clone();
    let acme = alice.create_org(&w.auth, "Acme", "acme").await;
    let acme = acme["id"].as_str().unwrap();
    let (_, body) = alice
        .post(
            &w.auth,
            "/organization/create-team",
            json!({ "name": "Core" }),
        )
        .await;
    let core = body["team"]["id"].clone();
    // A team of another organization cannot be set active (#9237).
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/set-active-team",
            json!({ "teamId": elsewhere }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "TEAM_NOT_FOUND")
    );
    // Nor one the member is not in.
    let (status, _) = alice
        .post(
            &w.auth,
            "/organization/set-active-team",
            json!({ "teamId": core }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let me = alice.member_id(&w.auth, acme, "alice@example.com").await;
    alice
        .post(
            &w.auth,
            "/organization/add-team-member",
            json!({ "teamId": core, "memberId": me }),
        )
        .await;
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/set-active-team",
            json!({ "teamId": core }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["session"]["activeTeamId"], core);
    assert_eq!(body["session"]["activeOrganizationId"], acme);
    // Switching organizations clears the team.
    let (_, body) = alice
        .post(
            &w.auth,
            "/organization/set-active",
            json!({ "organizationId": other["id"] }),
        )
        .await;
    assert!(body["session"].get("activeTeamId").is_none(), "{body}");
}
