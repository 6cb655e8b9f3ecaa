//! The same ceremonies over `nanoauth-sqlx` on SQLite, PostgreSQL and
//! MySQL/MariaDB (those two where `nanoauth_testing::servers` finds them,
//! each test in a schema or database of its own): passkeys, ceremonies and
//! re-authentications are plugin records in the `plugin_records` table, so
//! a passkey survives in SQL exactly as in memory, with no table of its
//! own, and the refusals hold on every database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use http::StatusCode;
use nanoauth::BasicUser;
use nanoauth::RecordAdapter;
use nanoauth_passkey::{Passkeys, events};
use nanoauth_sqlx::SqlAdapter;
use nanoauth_testing::servers;
use serde_json::json;

use common::{Browser, Device, world_with};

async fn sqlite() -> SqlAdapter<BasicUser> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-passkey");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", unique_name()));
    migrated(&format!("sqlite://{}", path.display())).await
}

/// Named as the SQL adapter's own tests name theirs, so their clean-up
/// drops what a dead run left behind.
fn unique_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tag: String = nanoauth::utils::token::random_id()
        .unwrap()
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    format!("nanoauth_t_{secs}_{tag}")
}

async fn migrated(url: &str) -> SqlAdapter<BasicUser> {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
}

/// SQLite, and PostgreSQL and MySQL/MariaDB when they are there, each
/// fresh.
async fn databases() -> Vec<(&'static str, SqlAdapter<BasicUser>)> {
    let mut databases = vec![("SQLite", sqlite().await)];
    if let Some(url) = servers::POSTGRES.url() {
        let schema = unique_name();
        let admin = SqlAdapter::<BasicUser>::connect(&url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let separator = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{separator}options=-csearch_path%3D{schema}");
        databases.push(("PostgreSQL", migrated(&url).await));
    }
    if let Some(url) = servers::MYSQL.url() {
        let database = unique_name();
        let admin = SqlAdapter::<BasicUser>::connect(&url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .unwrap();
        let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
        databases.push((
            "MySQL/MariaDB",
            migrated(&format!("{base}/{database}")).await,
        ));
    }
    databases
}

#[tokio::test]
async fn register_sign_in_manage_and_refuse_over_every_database() {
    for (name, adapter) in databases().await {
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

#[tokio::test]
async fn two_verifications_racing_give_one_session_on_every_database() {
    for (name, adapter) in databases().await {
        println!("{name}");
        two_verifications_racing_give_one_session(adapter).await;
    }
}

async fn two_verifications_racing_give_one_session(adapter: SqlAdapter<BasicUser>) {
    let world = world_with(adapter, Passkeys::new("NanoAuth Test"), |b| b);
    let auth = world.auth.clone();
    let mut browser = Browser::default();
    browser.sign_up(&auth, "race@example.com").await;
    let mut device = Device::synced();
    browser.register(&auth, &mut device, None).await;
    for _ in 0..5 {
        let mut starter = Browser::default();
        let credential = starter.sign_in_assertion(&auth, &mut device).await;
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let auth = auth.clone();
                let mut racer = Browser {
                    cookies: starter.cookies.clone(),
                    ..Browser::default()
                };
                let credential = credential.clone();
                tokio::spawn(async move {
                    racer
                        .post(
                            &auth,
                            "/signin/passkey",
                            json!({ "credential": credential }),
                        )
                        .await
                        .0
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED]);
    }
}
