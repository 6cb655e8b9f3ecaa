//! Keys of an organization (feature `organization`), on every adapter:
//! made by members the organization's roles allow, signing in as that
//! member with the organization attached, while they are one.

#![cfg(feature = "organization")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ROOT, TestAdapter, world};
use http::StatusCode;
use nanoauth_organization::{Actor, NewOrganization, OrganizationsExt};
use serde_json::json;

on_every_adapter!(organization_keys_follow_membership);

async fn organization_keys_follow_membership<A: TestAdapter>(adapter: A) {
    let world = world(adapter);
    let owner = world.person("owner@example.com").await;
    let admin = world.person("admin@example.com").await;
    let member = world.person("member@example.com").await;
    let stranger = world.person("stranger@example.com").await;
    let root = world.person(ROOT).await;
    let organizations = world.auth.organizations().unwrap();
    let system = Actor::system("test");
    let org = organizations
        .create(
            &system,
            NewOrganization::new("Acme", "acme").owner(&owner.id),
        )
        .await
        .unwrap();
    let admin_member = organizations
        .add_member(&system, &org.id, &admin.id, &["admin".to_owned()])
        .await
        .unwrap();
    organizations
        .add_member(&system, &org.id, &member.id, &["member".to_owned()])
        .await
        .unwrap();

    // `apiKey:create` is the built-in owner's and admin's, not a member's.
    let body = json!({ "name": "acme ci", "organizationId": org.id, "permissions": ["deploy"] });
    let (status, refused) = world.post(&member, "/api-key/create", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, _) = world.post(&stranger, "/api-key/create", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = world.post(&admin, "/api-key/create", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["apiKey"]["ownerType"], "organization");
    assert_eq!(created["apiKey"]["organizationId"], org.id.as_str());
    assert_eq!(created["apiKey"]["createdBy"], admin.id.as_str());
    let key = created["key"].as_str().unwrap().to_owned();

    // It signs in as its creator, the organization attached and active.
    let session = world.session_of(&key).await;
    assert_eq!(session["user"]["id"], admin.id.as_str());
    assert_eq!(session["session"]["kind"], "api-key");
    assert_eq!(session["session"]["ownerType"], "organization");
    assert_eq!(session["session"]["organizationId"], org.id.as_str());
    assert_eq!(session["session"]["activeOrganizationId"], org.id.as_str());
    assert_eq!(session["session"]["permissions"], json!(["deploy"]));

    // Listed by the organization, not as anyone's own.
    let path = format!("/api-key/list?organizationId={}", org.id);
    let (status, listed) = world.get(&owner, &path).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let (status, _) = world.get(&member, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world.get(&stranger, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, own) = world.get(&admin, "/api-key/list").await;
    assert_eq!(own, json!([]));
    // The application's administrators may, member or not.
    let (status, _) = world.get(&root, &path).await;
    assert_eq!(status, StatusCode::OK);

    // Update and delete check the organization's permission.
    let id = created["apiKey"]["id"].clone();
    let (status, _) = world
        .post(
            &member,
            "/api-key/update",
            json!({ "keyId": id, "organizationId": org.id, "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, updated) = world
        .post(
            &owner,
            "/api-key/update",
            json!({ "keyId": id, "organizationId": org.id, "name": "acme deploy" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["apiKey"]["name"], "acme deploy");
    // Not found under another owner.
    let (status, _) = world
        .post(&admin, "/api-key/delete", json!({ "keyId": id }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The creator leaves the organization: the key stops at once.
    organizations
        .remove_member(&system, &org.id, &admin_member.id)
        .await
        .unwrap();
    assert!(world.session_of(&key).await.is_null());

    let (status, _) = world
        .post(
            &owner,
            "/api-key/delete",
            json!({ "keyId": id, "organizationId": org.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = world.get(&owner, &path).await;
    assert_eq!(listed, json!([]));

    // An unknown organization is the organization plugin's 404.
    let (status, body) = world
        .post(
            &owner,
            "/api-key/create",
            json!({ "name": "x", "organizationId": "no-such-org" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
