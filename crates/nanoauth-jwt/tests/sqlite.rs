//! The same keys in SQL: `nanoauth_sqlx::SqlAdapter` on SQLite (plugin
//! records in its `plugin_records` table): tokens verify from the JWKS,
//! servers racing for a period's first key make one (the primary key
//! decides), keys rotate and expire, and a secret rotation keeps the key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use nanoauth::BasicUser;
use nanoauth_jwt::Jwt;
use nanoauth_sqlx::SqlAdapter;

use common::{
    ORIGIN, SECRET, TestClock, auth, header, jwks, kids, payload, sign_up, token,
    verify_with_jsonwebtoken,
};

const START: u64 = 1_700_000_000;
const HOUR: u64 = 3600;
const BOUNDARY: u64 = (START / HOUR + 1) * HOUR;

async fn sqlite() -> Arc<SqlAdapter<BasicUser>> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-jwt-sqlite");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "{}.db",
        nanoauth::utils::token::random_id().unwrap()
    ));
    let adapter = SqlAdapter::<BasicUser>::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    adapter.migrate().await.unwrap();
    Arc::new(adapter)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keys_in_sqlite_are_made_once_rotate_and_survive_a_secret_rotation() {
    const NEW_SECRET: &str = "the new secret, also thirty-two bytes or more";
    let store = sqlite().await;
    let clock = TestClock::at(BOUNDARY - 10);
    let servers: Vec<_> = (0..4)
        .map(|_| {
            Arc::new(auth(
                Arc::clone(&store),
                &clock,
                &[SECRET],
                Jwt::new().rotate_every(HOUR),
            ))
        })
        .collect();
    let (user_id, bearer) = sign_up(&servers[0], "sql@example.com").await;

    // Four servers, sixteen first requests at once: one key.
    let mut tasks = Vec::new();
    for round in 0..16 {
        let server = Arc::clone(&servers[round % servers.len()]);
        let bearer = bearer.clone();
        tasks.push(tokio::spawn(async move {
            token(&server, "authorization", &bearer).await
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    let old_kid = header(&tokens[0])["kid"].as_str().unwrap().to_owned();
    assert!(
        tokens
            .iter()
            .all(|jwt| header(jwt)["kid"] == old_kid.as_str())
    );
    let set = jwks(&servers[1]).await;
    assert_eq!(kids(&set), std::slice::from_ref(&old_kid));
    let claims = verify_with_jsonwebtoken(&set, &tokens[0], ORIGIN, ORIGIN, BOUNDARY - 10).unwrap();
    assert_eq!(claims["sub"], user_id.as_str());

    // A server restarted with a new secret first and the old one kept
    // opens the stored key and goes on signing with it.
    let rotated = auth(
        Arc::clone(&store),
        &clock,
        &[NEW_SECRET, SECRET],
        Jwt::new().rotate_every(HOUR),
    );
    let same = token(&rotated, "authorization", &bearer).await;
    assert_eq!(header(&same)["kid"], old_kid.as_str());

    // The rotation: a new key, both published, both verify.
    clock.set(BOUNDARY);
    let new = token(&rotated, "authorization", &bearer).await;
    let new_kid = header(&new)["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);
    // (Every server has the new secret by now: one still without it could
    // not open the new key, and would replace it rather than fail.)
    let set = jwks(&rotated).await;
    assert_eq!(kids(&set), [new_kid.clone(), old_kid.clone()]);
    for jwt in [&tokens[0], &new] {
        verify_with_jsonwebtoken(&set, jwt, ORIGIN, ORIGIN, BOUNDARY + 1).unwrap();
    }
    assert_eq!(payload(&new)["exp"], BOUNDARY + 900);

    // Once every token of the old key has expired, it leaves the JWKS and
    // its row is purged.
    clock.set(BOUNDARY + 900 + 120);
    assert_eq!(kids(&jwks(&rotated).await), [new_kid]);
    let purged = servers[0].purge_expired().await.unwrap();
    assert!(purged.plugins >= 1, "{purged:?}");
}
