//! The admin plugin through `Auth::handler`, on every adapter: who gets
//! in, listing, roles, bans, passwords, creation and removal, sessions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Browser, PASSWORD, TestAdapter, code, world, world_with};
use http::StatusCode;
use nanoauth_admin::{Admin, events};
use serde_json::{Value, json};

fn emails(body: &Value) -> Vec<String> {
    body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["email"].as_str().unwrap().to_owned())
        .collect()
}

/// Administrators by role or by listed id get in; everyone else is `403
/// FORBIDDEN` (`401` with no session); unknown ids are `404`.
async fn only_administrators_get_in<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let (_, mut admin) = w.person("admin@example.com", "admin").await;

    for (path, body) in [
        (
            "/admin/set-role",
            json!({ "userId": user.id, "role": "admin" }),
        ),
        ("/admin/ban-user", json!({ "userId": user.id })),
        ("/admin/impersonate-user", json!({ "userId": user.id })),
        ("/admin/remove-user", json!({ "userId": user.id })),
    ] {
        let (status, body) = user_browser.post(&w.auth, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(code(&body), "FORBIDDEN", "{path}");
    }
    let (status, body) = user_browser.get(&w.auth, "/admin/users").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN"));
    let (status, _) = Browser::default().get(&w.auth, "/admin/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        user_browser.signed_in_as(&w.auth).await.as_deref(),
        Some("user@example.com")
    );

    let (status, body) = admin.get(&w.auth, "/admin/users").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(emails(&body), ["admin@example.com", "user@example.com"]);
    assert!(body["nextCursor"].is_null());

    for (path, body) in [
        (
            "/admin/set-role",
            json!({ "userId": "nobody", "role": "user" }),
        ),
        ("/admin/ban-user", json!({ "userId": "nobody" })),
        ("/admin/unban-user", json!({ "userId": "nobody" })),
        (
            "/admin/set-user-password",
            json!({ "userId": "nobody", "newPassword": PASSWORD }),
        ),
        ("/admin/remove-user", json!({ "userId": "nobody" })),
        ("/admin/list-user-sessions", json!({ "userId": "" })),
        ("/admin/impersonate-user", json!({ "userId": "nobody" })),
    ] {
        let (status, body) = admin.post(&w.auth, path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(code(&body), "USER_NOT_FOUND", "{path}");
    }
    let (status, _) = admin.get(&w.auth, "/admin/get-user?userId=nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = admin
        .post(&w.auth, "/admin/ban-user", json!({ "user": 1 }))
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    let (status, body) = admin.get(&w.auth, "/admin/users?limit=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// A user listed by id is an administrator whatever their roles.
#[tokio::test]
async fn listed_ids_are_administrators() {
    use nanoauth::PasswordAdapter;
    let w = world_with(
        nanoauth::adapter::memory::MemoryAdapter::new(),
        Admin::new().admin_user_id("root-id"),
    );
    let root = common::Person {
        id: "root-id".into(),
        email: "root@example.com".into(),
        name: "Root".into(),
        role: "user".into(),
    };
    let hash = nanoauth::utils::password::PasswordHasher::with_params(64, 1, 1)
        .unwrap()
        .hash(PASSWORD)
        .unwrap();
    w.auth
        .adapter()
        .create_user_with_password(&root, &hash)
        .await
        .unwrap();
    let mut browser = Browser::default();
    let (status, body) = browser.sign_in(&w.auth, "root@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = browser.get(&w.auth, "/admin/users").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(emails(&body), ["root@example.com"]);
}

/// Search by address or name prefix, filter by any role held, pages
/// ordered by address with a cursor.
async fn users_are_searched_filtered_and_paged<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (_, mut admin) = w.person("root@example.com", "admin").await;
    for (email, role) in [
        ("ada@example.com", "user"),
        ("adam@example.com", "support,user"),
        ("bob@example.com", "user"),
        ("carol@example.org", "user,support"),
        ("dave@example.net", "user"),
    ] {
        w.person(email, role).await;
    }
    let (status, first) = admin.get(&w.auth, "/admin/users?limit=2").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(emails(&first), ["ada@example.com", "adam@example.com"]);
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let (_, second) = admin
        .get(&w.auth, &format!("/admin/users?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(emails(&second), ["bob@example.com", "carol@example.org"]);
    let cursor = second["nextCursor"].as_str().unwrap().to_owned();
    let (_, third) = admin
        .get(&w.auth, &format!("/admin/users?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(emails(&third), ["dave@example.net", "root@example.com"]);
    assert!(third["nextCursor"].is_null(), "{third}");

    let (_, found) = admin.get(&w.auth, "/admin/users?query=AD").await;
    assert_eq!(emails(&found), ["ada@example.com", "adam@example.com"]);
    // The name (the address's local part here) is searched too.
    let (_, by_name) = admin.get(&w.auth, "/admin/users?query=car").await;
    assert_eq!(emails(&by_name), ["carol@example.org"]);
    // Any role held counts, wherever it is in the list.
    let (_, support) = admin.get(&w.auth, "/admin/users?role=support").await;
    assert_eq!(emails(&support), ["adam@example.com", "carol@example.org"]);
    assert_eq!(support["users"][0]["roles"], json!(["support", "user"]));
    assert_eq!(support["users"][0]["banned"], json!(false));
    let (_, one) = admin
        .get(&w.auth, "/admin/users?role=support&limit=1")
        .await;
    assert_eq!(emails(&one), ["adam@example.com"]);
    let cursor = one["nextCursor"].as_str().unwrap().to_owned();
    let (_, next) = admin
        .get(
            &w.auth,
            &format!("/admin/users?role=support&limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(emails(&next), ["carol@example.org"]);
    let (_, none) = admin.get(&w.auth, "/admin/users?query=%25").await;
    assert_eq!(emails(&none), Vec::<String>::new(), "% is no wildcard");
}

/// A ban revokes every session at once (cache included), refuses every
/// later sign-in with `403 BANNED` and the reason, and is recorded with
/// its actor; unban lets the user back; nobody bans themselves.
async fn bans_end_sessions_and_refuse_sign_in<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let mut second_device = Browser::default();
    second_device.sign_in(&w.auth, "user@example.com").await;
    let (admin_user, mut admin) = w.person("admin@example.com", "admin").await;
    // Both sessions are in the session cache now.
    assert!(user_browser.signed_in_as(&w.auth).await.is_some());
    assert!(second_device.signed_in_as(&w.auth).await.is_some());

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/ban-user",
            json!({ "userId": user.id, "reason": "Spamming the forum" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["banned"], json!(true));
    assert_eq!(body["user"]["banReason"], json!("Spamming the forum"));
    assert_eq!(user_browser.signed_in_as(&w.auth).await, None);
    assert_eq!(second_device.signed_in_as(&w.auth).await, None);

    let (status, body) = user_browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "BANNED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Spamming the forum"),
        "{body}"
    );
    assert_eq!(user_browser.signed_in_as(&w.auth).await, None);

    let banned = w.events_named(events::USER_BANNED);
    assert_eq!(banned.len(), 1);
    assert_eq!(banned[0].user_id, user.id);
    assert_eq!(banned[0].data["actorId"], json!(admin_user.id));
    assert_eq!(banned[0].data["revoked"], json!(2));

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/ban-user",
            json!({ "userId": admin_user.id }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "CANNOT_ACT_ON_SELF")
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/ban-user",
            json!({ "userId": user.id, "reason": "x".repeat(501) }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, body) = admin
        .post(&w.auth, "/admin/unban-user", json!({ "userId": user.id }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["banned"], json!(false));
    let (status, body) = user_browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(w.events_named(events::USER_UNBANNED).len(), 1);
}

/// A ban with an end lifts by itself then, with nothing to run.
async fn bans_lift_at_their_expiry<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, _) = w.person("user@example.com", "user").await;
    let (_, mut admin) = w.person("admin@example.com", "admin").await;
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/ban-user",
            json!({ "userId": user.id, "expiresIn": 600 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["banExpiresAt"], json!(common::T0 + 600));
    let mut browser = Browser::default();
    let (status, body) = browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "BANNED"));
    w.clock.advance(599);
    let (status, _) = browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    w.clock.advance(1);
    let (status, body) = browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = admin
        .get(&w.auth, &format!("/admin/get-user?userId={}", user.id))
        .await;
    assert_eq!(body["user"]["banned"], json!(false));
}

/// Roles are checked against the declared ones; taking one away revokes
/// the user's sessions in the same step; nobody changes their own.
async fn roles_are_checked_and_demotions_end_sessions<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let (admin_user, mut admin) = w.person("admin@example.com", "admin").await;

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": user.id, "role": "owner" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "INVALID_ROLE")
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": user.id, "role": [] }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "INVALID_ROLE")
    );

    // A promotion keeps the sessions.
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": user.id, "role": ["user", "support"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["roles"], json!(["user", "support"]));
    assert!(user_browser.signed_in_as(&w.auth).await.is_some());

    // A demotion does not.
    let (status, _) = admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": user.id, "role": "user" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user_browser.signed_in_as(&w.auth).await, None);
    let set = w.events_named(events::ROLE_SET);
    assert_eq!(set.len(), 2);
    assert_eq!(set[1].data["actorId"], json!(admin_user.id));
    assert_eq!(set[1].data["previous"], json!(["user", "support"]));

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": admin_user.id, "role": "user" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "CANNOT_ACT_ON_SELF")
    );

    // A promoted user is an administrator at once.
    admin
        .post(
            &w.auth,
            "/admin/set-role",
            json!({ "userId": user.id, "role": "admin" }),
        )
        .await;
    user_browser.sign_in(&w.auth, "user@example.com").await;
    let (status, _) = user_browser.get(&w.auth, "/admin/users").await;
    assert_eq!(status, StatusCode::OK);
}

/// Setting a password revokes the sessions in the same step; the new
/// password signs in.
async fn passwords_set_end_sessions<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let (_, mut admin) = w.person("admin@example.com", "admin").await;
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-user-password",
            json!({ "userId": user.id, "newPassword": "short" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "PASSWORD_TOO_SHORT")
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/set-user-password",
            json!({ "userId": user.id, "newPassword": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], json!(1));
    assert_eq!(user_browser.signed_in_as(&w.auth).await, None);
    let (status, _) = user_browser.sign_in(&w.auth, "user@example.com").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = user_browser
        .post(
            &w.auth,
            "/signin/email",
            json!({ "email": "user@example.com", "password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w.events_named(events::PASSWORD_SET).len(), 1);
}

/// Users are created with or without a password, once per address, and
/// removed with their sessions; nobody removes themselves.
async fn users_are_created_and_removed<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (admin_user, mut admin) = w.person("admin@example.com", "admin").await;
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/create-user",
            json!({ "email": "New@Example.com", "password": PASSWORD, "name": "Newton", "role": "support" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], json!("new@example.com"));
    assert_eq!(body["user"]["name"], json!("Newton"));
    assert_eq!(body["user"]["roles"], json!(["support"]));
    let new_id = body["user"]["id"].as_str().unwrap().to_owned();
    let mut newcomer = Browser::default();
    let (status, _) = newcomer.sign_in(&w.auth, "new@example.com").await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/create-user",
            json!({ "email": "new@example.com" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "USER_ALREADY_EXISTS")
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/create-user",
            json!({ "email": "nopass@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["roles"], json!(["user"]));
    let (status, _) = Browser::default()
        .sign_in(&w.auth, "nopass@example.com")
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no password to sign in with"
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/create-user",
            json!({ "email": "not an address" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/remove-user",
            json!({ "userId": admin_user.id }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "CANNOT_ACT_ON_SELF")
    );
    let (status, body) = admin
        .post(&w.auth, "/admin/remove-user", json!({ "userId": new_id }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(newcomer.signed_in_as(&w.auth).await, None);
    let (status, _) = admin
        .get(&w.auth, &format!("/admin/get-user?userId={new_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(w.events_named(events::USER_CREATED).len(), 2);
    assert_eq!(w.events_named(events::USER_REMOVED).len(), 1);
}

/// A user's sessions are listed and revoked one by one or all at once.
async fn sessions_are_listed_and_revoked<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (user, mut first) = w.person("user@example.com", "user").await;
    let mut second = Browser::default();
    w.clock.advance(5);
    second.sign_in(&w.auth, "user@example.com").await;
    let (_, mut admin) = w.person("admin@example.com", "admin").await;
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/list-user-sessions",
            json!({ "userId": user.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions[0].get("tokenHash").is_none());
    let newest = sessions[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/revoke-user-session",
            json!({ "userId": user.id, "sessionId": newest }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(second.signed_in_as(&w.auth).await, None);
    assert!(first.signed_in_as(&w.auth).await.is_some());
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/revoke-user-session",
            json!({ "userId": user.id, "sessionId": newest }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "SESSION_NOT_FOUND")
    );
    let (status, body) = admin
        .post(
            &w.auth,
            "/admin/revoke-user-sessions",
            json!({ "userId": user.id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], json!(1));
    assert_eq!(first.signed_in_as(&w.auth).await, None);
}

on_every_adapter!(
    only_administrators_get_in,
    users_are_searched_filtered_and_paged,
    bans_end_sessions_and_refuse_sign_in,
    bans_lift_at_their_expiry,
    roles_are_checked_and_demotions_end_sessions,
    passwords_set_end_sessions,
    users_are_created_and_removed,
    sessions_are_listed_and_revoked,
);

/// A banned user's API keys stop working with the ban, and work again
/// once it is lifted.
#[tokio::test]
async fn api_keys_stop_with_the_ban() {
    use nanoauth::adapter::memory::MemoryAdapter;
    let w = common::world_with_more(MemoryAdapter::new(), Admin::new(), |builder| {
        builder.plugin(nanoauth_api_key::ApiKeys::new())
    });
    let (user, mut user_browser) = w.person("user@example.com", "user").await;
    let (_, mut admin) = w.person("admin@example.com", "admin").await;
    let (status, created) = user_browser
        .post(&w.auth, "/api-key/create", json!({ "name": "script" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    let with_key = |key: &str| {
        http::Request::get("/api/auth/session")
            .header("x-api-key", key)
            .body(String::new())
            .unwrap()
    };
    let session = common::json_of(&w.auth.handler(with_key(&key)).await);
    assert_eq!(session["user"]["email"], json!("user@example.com"));

    admin
        .post(&w.auth, "/admin/ban-user", json!({ "userId": user.id }))
        .await;
    let session = common::json_of(&w.auth.handler(with_key(&key)).await);
    assert!(session.is_null(), "{session}");

    admin
        .post(&w.auth, "/admin/unban-user", json!({ "userId": user.id }))
        .await;
    let session = common::json_of(&w.auth.handler(with_key(&key)).await);
    assert_eq!(session["user"]["email"], json!("user@example.com"));
}
