//! Keys of service identities and of other users (administrators), and
//! keys stored by the first release, on every adapter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ROOT, TestAdapter, world};
use http::StatusCode;
use nanoauth::PluginRecord;
use nanoauth::utils::token::TokenHash;
use nanoauth_api_key::{ApiKeysExt, KeyOwner, NewApiKey};
use serde_json::json;

on_every_adapter!(
    service_keys_have_no_user,
    administrators_manage_other_users_keys,
    first_release_records_keep_working,
);

async fn service_keys_have_no_user<A: TestAdapter>(adapter: A) {
    let world = world(adapter);
    let root = world.person(ROOT).await;
    let ada = world.person("ada@example.com").await;

    // Only an administrator names a service.
    let body = json!({ "name": "billing", "serviceName": "billing-worker" });
    let (status, refused) = world.post(&ada, "/api-key/create", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"]["code"], "FORBIDDEN");
    let (status, created) = world.post(&root, "/api-key/create", body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["apiKey"]["ownerType"], "service");
    assert_eq!(created["apiKey"]["serviceName"], "billing-worker");
    assert_eq!(created["apiKey"]["createdBy"], root.id.as_str());
    let key = created["key"].as_str().unwrap().to_owned();

    // Server code makes them too.
    let nightly = world
        .auth
        .api_keys()
        .create_service_key("billing-worker", NewApiKey::named("nightly"))
        .await
        .unwrap();
    assert!(nightly.api_key.created_by.is_none());

    // No user: never a session, but verified as the service.
    assert!(world.session_of(&key).await.is_null());
    let mut headers = http::HeaderMap::new();
    headers.insert("x-api-key", key.parse().unwrap());
    let identity = world
        .auth
        .api_keys()
        .verify(&headers)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.owner(), &KeyOwner::service("billing-worker"));
    assert!(identity.user.is_none());
    assert!(
        world
            .auth
            .api_keys()
            .verify(&http::HeaderMap::new())
            .await
            .unwrap()
            .is_none()
    );

    let (status, listed) = world
        .get(&root, "/api-key/list?serviceName=billing-worker")
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let (status, _) = world
        .get(&ada, "/api-key/list?serviceName=billing-worker")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The user's own list holds none of them.
    let (_, own) = world.get(&root, "/api-key/list").await;
    assert_eq!(own, json!([]));

    let id = created["apiKey"]["id"].clone();
    let (status, _) = world
        .post(
            &ada,
            "/api-key/delete",
            json!({ "keyId": id, "serviceName": "billing-worker" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world
        .post(
            &root,
            "/api-key/update",
            json!({ "keyId": id, "serviceName": "billing-worker", "enabled": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        world
            .auth
            .api_keys()
            .verify_key(&key)
            .await
            .unwrap()
            .is_none(),
        "disabled"
    );
    let (status, _) = world
        .post(
            &root,
            "/api-key/delete",
            json!({ "keyId": id, "serviceName": "billing-worker" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = world
        .get(&root, "/api-key/list?serviceName=billing-worker")
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert!(
        world
            .auth
            .api_keys()
            .verify_key(&nightly.key)
            .await
            .unwrap()
            .is_some()
    );

    // Bad names and two owners at once are refused before any lookup.
    let (status, _) = world
        .post(
            &root,
            "/api-key/create",
            json!({ "name": "x", "serviceName": "a b" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = world
        .post(
            &root,
            "/api-key/create",
            json!({ "name": "x", "serviceName": "s", "userId": ada.id }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn administrators_manage_other_users_keys<A: TestAdapter>(adapter: A) {
    let world = world(adapter);
    let root = world.person(ROOT).await;
    let ada = world.person("ada@example.com").await;
    let bob = world.person("bob@example.com").await;

    // A user cannot make a key for another.
    let (status, _) = world
        .post(
            &bob,
            "/api-key/create",
            json!({ "name": "x", "userId": ada.id }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Naming oneself is the default.
    let (status, _) = world
        .post(
            &bob,
            "/api-key/create",
            json!({ "name": "mine", "userId": bob.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, created) = world
        .post(
            &root,
            "/api-key/create",
            json!({ "name": "for ada", "userId": ada.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["apiKey"]["ownerType"], "user");
    assert_eq!(created["apiKey"]["userId"], ada.id.as_str());
    assert_eq!(created["apiKey"]["createdBy"], root.id.as_str());
    let key = created["key"].as_str().unwrap();
    let session = world.session_of(key).await;
    assert_eq!(session["user"]["id"], ada.id.as_str());
    assert_eq!(session["session"]["kind"], "api-key");
    assert_eq!(session["session"]["ownerType"], "user");

    // Ada sees it as hers; the administrator lists and deletes it.
    let (_, listed) = world.get(&ada, "/api-key/list").await;
    assert_eq!(listed[0]["id"], created["apiKey"]["id"]);
    let (status, _) = world
        .get(&bob, &format!("/api-key/list?userId={}", ada.id))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, listed) = world
        .get(&root, &format!("/api-key/list?userId={}", ada.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let (status, _) = world
        .post(
            &bob,
            "/api-key/delete",
            json!({ "keyId": created["apiKey"]["id"], "userId": ada.id }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world
        .post(
            &root,
            "/api-key/delete",
            json!({ "keyId": created["apiKey"]["id"], "userId": ada.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(world.session_of(key).await.is_null());

    // An unknown user is a 404, not a key nobody can use.
    let (status, body) = world
        .post(
            &root,
            "/api-key/create",
            json!({ "name": "x", "userId": "no-such-user" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "USER_NOT_FOUND");
}

async fn first_release_records_keep_working<A: TestAdapter>(adapter: A) {
    let world = world(adapter);
    let ada = world.person("ada@example.com").await;
    // A key and its record as the first release wrote them.
    let key = format!("na_v1_{}", "A".repeat(43));
    let data = r#"{"id":"old-key","name":"deploy","start":"na_v1_AAAAAA","createdAt":1700000000,"expiresAt":null,"enabled":true,"permissions":["read"],"rateLimit":null,"lastUsedAt":null,"metadata":null}"#;
    let record = PluginRecord::new("api-key", TokenHash::of(&key).to_hex(), data).owned_by(&ada.id);
    world
        .auth
        .adapter()
        .insert_record(&record, world.auth.now())
        .await
        .unwrap();

    let session = world.session_of(&key).await;
    assert_eq!(session["user"]["id"], ada.id.as_str());
    assert_eq!(session["session"]["permissions"], json!(["read"]));
    let (_, listed) = world.get(&ada, "/api-key/list").await;
    assert_eq!(listed[0]["id"], "old-key");
    assert_eq!(listed[0]["ownerType"], "user");
    assert_eq!(listed[0]["userId"], ada.id.as_str());

    let (status, _) = world
        .post(
            &ada,
            "/api-key/update",
            json!({ "keyId": "old-key", "name": "renamed" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stored = world
        .auth
        .adapter()
        .find_record("api-key", &TokenHash::of(&key).to_hex(), world.auth.now())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.data.contains(r#""format":2"#), "{}", stored.data);
    assert_eq!(world.session_of(&key).await["user"]["id"], ada.id.as_str());
}
