//! What a passkey is in SQL: a plugin record in the `plugin_records` table
//! (no table of its own), on SQLite, PostgreSQL and MySQL/MariaDB (those two
//! where `nanoauth_testing::servers` finds them). `flows.rs` runs every
//! ceremony and refusal on each of these databases too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use http::StatusCode;
use nanoauth::BasicUser;
use nanoauth::RecordAdapter;
use nanoauth_passkey::{Passkeys, events};
use nanoauth_sqlx::SqlAdapter;
use serde_json::json;

use common::{Browser, Device, adapters, world_with};

#[tokio::test]
async fn register_sign_in_manage_and_refuse_over_every_database() {
    let mut databases = vec![("SQLite", adapters::sqlite().await)];
    databases.extend(
        adapters::postgres()
            .await
            .map(|adapter| ("PostgreSQL", adapter)),
    );
    databases.extend(
        adapters::mysql()
            .await
            .map(|adapter| ("MySQL/MariaDB", adapter)),
    );
    for (name, adapter) in databases {
        println!("{name}");
        register_sign_in_manage_and_refuse(adapter).await;
    }
}

async fn register_sign_in_manage_and_refuse(adapter: SqlAdapter<BasicUser>) {
    let world = world_with(adapter, Passkeys::new("NanoAuth Test"), |b| b);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "sql@example.com").await;
    let mut device = Device::counting();
    let (status, registered) = browser.register(auth, &mut device, Some("Key")).await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    let id = registered["passkey"]["id"].as_str().unwrap().to_owned();

    // The record is there, owned by the user, under the credential id.
    let record = auth
        .adapter()
        .find_record("passkey", &id, auth.now())
        .await
        .unwrap()
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&record.data).unwrap();
    assert_eq!(data["credentialId"], id);
    assert_eq!(data["name"], "Key");
    assert!(
        data["credential"]["cred"]["cred"].is_object(),
        "COSE key: {data}"
    );

    let mut other = Browser::default();
    let (status, body) = other.sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "sql@example.com");

    // Replayed, then a counter rolled back: refused.
    let credential = other.sign_in_assertion(auth, &mut device).await;
    let jar = other.cookies.clone();
    let (status, _) = other
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut replay = Browser {
        cookies: jar,
        ..Browser::default()
    };
    let (status, body) = replay
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(
        body["error"]["code"], "INVALID_PASSKEY_CHALLENGE",
        "{status}"
    );
    device.set_counter(Some(0));
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(world.events_named(events::COUNTER_REGRESSED).len(), 1);
    device.set_counter(Some(10));

    // Rename, list, delete, and the deleted passkey signs no one in.
    let (status, _) = browser
        .post(
            auth,
            "/passkey/rename",
            json!({ "id": id, "name": "Old key" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = browser.get(auth, "/passkeys").await;
    assert_eq!(listed[0]["name"], "Old key");
    assert_eq!(listed[0]["lastUsedAt"], common::T0);
    let (status, _) = browser
        .post(auth, "/passkey/delete", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}
