//! Impersonation through `Auth::handler`, on every adapter: marked,
//! short-lived and never renewed, visible to the user, refused against
//! administrators, recorded with the real actor, and undone by stop with
//! the administrator's own session as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ADMIN_COOKIE, Browser, SESSION, T0, TestAdapter, code, world};
use http::StatusCode;
use nanoauth_admin::events;
use serde_json::{Value, json};

fn impersonations(sessions: &Value) -> Vec<Value> {
    sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|session| session.get("impersonatedBy").is_some())
        .cloned()
        .collect()
}

/// Start: a session as the user, marked with the administrator, an hour
/// at most, in the user's own list; the administrator's session waits in
/// its cookie. Meanwhile: no administration, and every change recorded
/// with the administrator. Stop: the impersonation is revoked and the
/// administrator is back in their own session, expiry unchanged.
async fn impersonation_is_marked_and_undone<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let (admin_user, mut admin) = w.person("admin@example.com", "admin").await;
    let (_, own) = admin.get(&w.auth, "/session").await;
    let own_expiry = own["session"]["expiresAt"].as_u64().unwrap();
    let own_token = admin.cookies[SESSION].clone();

    w.clock.advance(60);
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/impersonate-user",
            json!({ "userId": user.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], json!(user.id));
    assert_ne!(admin.cookies[SESSION], own_token);
    assert_eq!(admin.cookies[ADMIN_COOKIE], own_token);
    assert_eq!(admin.max_age[ADMIN_COOKIE], own_expiry - (T0 + 60));
    assert!(admin.max_age[SESSION] <= 3600, "{:?}", admin.max_age);

    let (_, session) = admin.get(&w.auth, "/session").await;
    assert_eq!(session["user"]["email"], json!("user@example.com"));
    assert_eq!(session["session"]["impersonatedBy"], json!(admin_user.id));
    assert_eq!(session["session"]["expiresAt"], json!(T0 + 60 + 3600));
    let started = w.events_named(events::IMPERSONATION_STARTED);
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].user_id, user.id);
    assert_eq!(started[0].data["actorId"], json!(admin_user.id));

    // The user sees it among their sessions.
    let (status, listed) = user_browser.get(&w.auth, "/sessions").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let marked = impersonations(&listed);
    assert_eq!(marked.len(), 1, "{listed}");
    assert_eq!(marked[0]["impersonatedBy"], json!(admin_user.id));

    // No administration from an impersonation; what is tried is recorded
    // with the administrator.
    let (status, body) = admin.get(&w.auth, "/admin/users").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN"));
    let (status, _) = admin
        .post(
            &w.auth,
            "/admin/ban-user",
            json!({ "userId": admin_user.id }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let recorded = w.events_named(events::IMPERSONATED_REQUEST);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].user_id, user.id);
    assert_eq!(recorded[0].data["actorId"], json!(admin_user.id));
    assert_eq!(recorded[0].data["path"], json!("/admin/ban-user"));

    // Never renewed, whatever the lookups: a day later it would have been.
    w.clock.advance(1800);
    let (_, session) = admin.get(&w.auth, "/session").await;
    assert_eq!(session["session"]["expiresAt"], json!(T0 + 60 + 3600));

    let (status, body) = admin
        .post(&w.auth, "/admin/stop-impersonating", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], json!(admin_user.id));
    assert_eq!(admin.cookies[SESSION], own_token);
    assert!(!admin.cookies.contains_key(ADMIN_COOKIE));
    let (_, back) = admin.get(&w.auth, "/session").await;
    assert_eq!(back["user"]["email"], json!("admin@example.com"));
    assert_eq!(
        back["session"]["expiresAt"],
        json!(own_expiry),
        "its own expiry"
    );
    assert!(back["session"].get("impersonatedBy").is_none());
    let (_, listed) = user_browser.get(&w.auth, "/sessions").await;
    assert!(
        impersonations(&listed).is_empty(),
        "revoked on stop: {listed}"
    );
    let stopped = w.events_named(events::IMPERSONATION_STOPPED);
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0].data["actorId"], json!(admin_user.id));
    // The stopped session's token is dead even if presented again.
    let (status, body) = admin
        .post(&w.auth, "/admin/stop-impersonating", json!({}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "NOT_IMPERSONATING")
    );
}

/// Administrators (and oneself) cannot be impersonated; an ordinary
/// session cannot "stop"; an impersonation ends by itself after an hour,
/// and stop then still brings the administrator back.
async fn impersonation_has_limits<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, _) = w.person("user@example.com", "user").await;
    let (other_admin, _) = w.person("other@example.com", "user,admin").await;
    let (admin_user, mut admin) = w.person("admin@example.com", "admin").await;
    for target in [&other_admin.id, &admin_user.id] {
        let (status, body) = admin
            .post(
                &w.auth,
                "/admin/impersonate-user",
                json!({ "userId": target }),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "CANNOT_IMPERSONATE")
        );
    }
    let (status, body) = admin
        .post(&w.auth, "/admin/stop-impersonating", json!({}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "NOT_IMPERSONATING")
    );
    let (status, _) = Browser::default()
        .post(&w.auth, "/admin/stop-impersonating", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = admin
        .post(
            &w.auth,
            "/admin/impersonate-user",
            json!({ "userId": user.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    w.clock.advance(3600);
    let (_, session) = admin.get(&w.auth, "/session").await;
    assert!(session.is_null(), "an hour at most: {session}");
    let (status, body) = admin
        .post(&w.auth, "/admin/stop-impersonating", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], json!(admin_user.id));
    assert_eq!(
        admin.signed_in_as(&w.auth).await.as_deref(),
        Some("admin@example.com")
    );
}

on_every_adapter!(impersonation_is_marked_and_undone, impersonation_has_limits);
