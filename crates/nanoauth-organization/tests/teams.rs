//! Teams on every adapter: created inside an organization, members
//! assigned to them, a team of another organization refused, a removed
//! member's (or removed team's) assignments gone with them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{TestAdapter, code, world_with};
use http::StatusCode;
use nanoauth_organization::events;
use serde_json::json;

on_every_adapter!(teams_stay_inside_their_organization);

async fn teams_stay_inside_their_organization<A: TestAdapter>(adapter: A) {
    let w = world_with(adapter, |plugin| plugin.teams(true));
    let (mut alice, _) = w.user("alice@example.com").await;
    let (mut bob, bob_id) = w.user("bob@example.com").await;
    let acme = alice.create_org(&w.auth, "Acme", "acme").await;
    let other = alice.create_org(&w.auth, "Other", "other").await;
    let (acme, other) = (acme["id"].as_str().unwrap(), other["id"].as_str().unwrap());
    let team = |org: &str, name: &str| json!({ "organizationId": org, "name": name });
    let (status, body) = alice
        .post(&w.auth, "/organization/create-team", team(acme, "Core"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let core = body["team"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["team"]["organizationId"], acme);
    let (_, body) = alice
        .post(
            &w.auth,
            "/organization/create-team",
            team(other, "Elsewhere"),
        )
        .await;
    let elsewhere = body["team"]["id"].as_str().unwrap().to_owned();

    alice
        .post(
            &w.auth,
            "/organization/add-member",
            json!({ "organizationId": acme, "userId": bob_id, "role": "member" }),
        )
        .await;
    let bob_member = alice.member_id(&w.auth, acme, "bob@example.com").await;
    let assign =
        |team: &str| json!({ "organizationId": acme, "teamId": team, "memberId": bob_member });
    let (status, body) = alice
        .post(&w.auth, "/organization/add-team-member", assign(&core))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["teamIds"], json!([core]));
    // A team of another organization is not one of this one's (#9237).
    let (status, body) = alice
        .post(&w.auth, "/organization/add-team-member", assign(&elsewhere))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "TEAM_NOT_FOUND")
    );
    // Members cannot manage teams.
    let (status, _) = bob
        .post(&w.auth, "/organization/create-team", team(acme, "Mine"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Removed and added again: no team left over (#5038).
    alice
        .post(
            &w.auth,
            "/organization/remove-member",
            json!({ "organizationId": acme, "memberId": bob_member }),
        )
        .await;
    let (_, body) = alice
        .post(
            &w.auth,
            "/organization/add-member",
            json!({ "organizationId": acme, "userId": bob_id, "role": "member" }),
        )
        .await;
    assert_eq!(body["member"]["teamIds"], json!([]));
    let bob_member = body["member"]["id"].as_str().unwrap().to_owned();
    alice
        .post(
            &w.auth,
            "/organization/add-team-member",
            json!({ "organizationId": acme, "teamId": core, "memberId": bob_member }),
        )
        .await;
    // Removing the team removes the assignments.
    let (status, _) = alice
        .post(
            &w.auth,
            "/organization/remove-team",
            json!({ "organizationId": acme, "teamId": core }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, full) = alice
        .get(
            &w.auth,
            &format!("/organization/full?organizationId={acme}"),
        )
        .await;
    assert_eq!(full["teams"], json!([]));
    assert!(
        full["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["teamIds"] == json!([]))
    );
    assert_eq!(w.events_named(events::TEAM_CREATED).len(), 2);
    assert_eq!(w.events_named(events::TEAM_REMOVED).len(), 1);
}
