//! Account management through `Auth::handler`: editing one's own fields,
//! moving to a new address by a link sent there, and deleting the account
//! (with a password, or by a link without one). Mail is caught in memory.

mod common;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::*;
use http::{Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::account::Account;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{
    AccountAdapter, AccountRecord, Adapter, Auth, BoxFuture, CreateUserAdapter, Email,
    EmailVerificationAdapter, Event, EventKind, PluginRecord, RecordAdapter, ThreadOffload,
};

/// Catches mail.
#[derive(Debug, Clone, Default)]
struct Outbox(Arc<Mutex<Vec<OutgoingEmail>>>);

impl EmailSender for Outbox {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async move {
            self.0
                .lock()
                .map_err(|e| EmailError::new(e.to_string()))?
                .push(message.clone());
            Ok(())
        })
    }
}

impl Outbox {
    fn messages(&self) -> Vec<OutgoingEmail> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The messages to `to`.
    fn to(&self, to: &str) -> Vec<OutgoingEmail> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.as_str() == to)
            .collect()
    }

    /// The link in the last message to `to`.
    fn link_to(&self, to: &str) -> String {
        let text = self
            .to(to)
            .last()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        text.split_whitespace()
            .find(|word| word.starts_with("http"))
            .unwrap_or_default()
            .to_owned()
    }
}

const PASSWORD: &str = "correct horse battery";

/// Sessions stay fresh for five minutes.
const FRESH_AGE: u64 = 300;

fn setup() -> (TestAuth, Outbox, TestClock) {
    let clock = TestClock::at(1_700_000_000);
    let outbox = Outbox::default();
    let auth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(clock.clone())
        .rate_limit(RateLimit::danger_disabled())
        .session_fresh_age(FRESH_AGE)
        .offload(ThreadOffload)
        .plugin(fast_plugin())
        .plugin(Account::new(outbox.clone()))
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    (auth, outbox, clock)
}

/// Signs up `email` and answers the session cookie.
async fn member(auth: &TestAuth, email: &str) -> String {
    let response = sign_up(auth, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "sign-up");
    cookie(&response)
}

async fn post_as(auth: &TestAuth, cookie: &str, path: &str, body: &str) -> Response<Bytes> {
    auth.handler(with_header(post(path, body), "cookie", cookie))
        .await
}

async fn user_of(auth: &TestAuth, email: &str) -> Option<Member> {
    let email = Email::parse(email)?;
    auth.adapter()
        .find_user_by_email(&email)
        .await
        .ok()
        .flatten()
}

fn events_of(auth: &TestAuth, kind: EventKind) -> Arc<Mutex<Vec<Event<Member>>>> {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    auth.on(kind, move |event, _auth| {
        let sink = Arc::clone(&sink);
        async move {
            if let Ok(mut events) = sink.lock() {
                events.push(event);
            }
        }
    });
    heard
}

#[tokio::test]
async fn a_member_edits_their_name_and_nothing_privileged() -> TestResult {
    let (auth, _, _) = setup();
    let updated = events_of(&auth, EventKind::AfterUserUpdated);
    let cookie = member(&auth, "ada@example.com").await;

    let response = post_as(
        &auth,
        &cookie,
        "/api/auth/update-user",
        r#"{"name":"Ada L.","role":"admin","email":"mallory@example.com","id":"x"}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(&response);
    assert_eq!(body["user"]["name"], "Ada L.");
    assert_eq!(
        body["user"]["role"], "member",
        "role is not an update field"
    );
    assert_eq!(body["user"]["email"], "ada@example.com", "nor is the email");

    let stored = user_of(&auth, "ada@example.com").await.ok_or("stored")?;
    assert_eq!(
        (stored.name.as_str(), stored.role.as_str()),
        ("Ada L.", "member")
    );
    assert!(user_of(&auth, "mallory@example.com").await.is_none());
    let session = json(&session_with_cookie(&auth, &cookie).await);
    assert_eq!(
        session["user"]["name"], "Ada L.",
        "the session sees the change"
    );
    let heard = updated.lock().map(|e| e.len()).unwrap_or_default();
    assert_eq!(heard, 1, "Event::UserUpdated");
    Ok(())
}

#[tokio::test]
async fn updates_are_refused_without_a_session_or_with_a_malformed_body() -> TestResult {
    let (auth, _, _) = setup();
    let cookie = member(&auth, "ada@example.com").await;

    let anonymous = auth
        .handler(post("/api/auth/update-user", r#"{"name":"x"}"#))
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&anonymous), "UNAUTHORIZED");

    for (body, code) in [
        (r#"{"name":42}"#, "INVALID_BODY"),
        (r#"["name"]"#, "INVALID_BODY"),
        (r#"{"name":"#, "INVALID_JSON"),
        (r#"{"name":"a\u0000b"}"#, "INVALID_BODY"),
    ] {
        let response = post_as(&auth, &cookie, "/api/auth/update-user", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&response), code, "{body}");
    }
    let cross_site = auth
        .handler(with_header(
            with_header(
                http::Request::post("/api/auth/update-user")
                    .header("content-type", "application/json")
                    .body(r#"{"name":"x"}"#.to_owned())?,
                "origin",
                "https://evil.example",
            ),
            "cookie",
            &cookie,
        ))
        .await;
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&cross_site), "INVALID_ORIGIN");

    let stored = user_of(&auth, "ada@example.com").await.ok_or("stored")?;
    assert_eq!(stored.name, "Test", "nothing was written");
    Ok(())
}

#[tokio::test]
async fn a_new_address_takes_the_link_sent_there() -> TestResult {
    let (auth, outbox, _) = setup();
    let changed = events_of(&auth, EventKind::AfterEmailChanged);
    let cookie = member(&auth, "ada@example.com").await;
    let elsewhere = sign_in(&auth, "ada@example.com", PASSWORD).await;
    let other_session = cookie_of(&elsewhere);

    let response = post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"Ada@New.example","callbackURL":"/account"}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response), serde_json::json!({ "success": true }));
    assert!(
        user_of(&auth, "ada@example.com").await.is_some(),
        "nothing changes before the link is followed"
    );
    assert_eq!(
        outbox.to("ada@example.com").len(),
        1,
        "a notice to the old address"
    );
    assert!(
        !outbox.to("ada@example.com")[0].text.contains("http"),
        "the notice holds no link"
    );
    let link = outbox.link_to("ada@new.example");
    assert!(link.contains("/api/auth/change-email/verify?"), "{link}");

    // A scanner's GET uses nothing up.
    let page = auth.handler(get(&path_of(&link))).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(user_of(&auth, "ada@example.com").await.is_some());

    // Followed in the browser signed in with `cookie`: that session stays.
    let form = PageForm::of(&page).ok_or("the link's page has a form")?;
    let followed = auth
        .handler(with_header(form.post(), "cookie", &cookie))
        .await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    let location = followed
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(location, "/account?emailChanged=true");

    let moved = user_of(&auth, "ada@new.example").await.ok_or("moved")?;
    assert!(user_of(&auth, "ada@example.com").await.is_none());
    assert!(
        auth.adapter().is_email_verified(&moved.id).await?,
        "the link proved the new address"
    );
    let current = json(&session_with_cookie(&auth, &cookie).await);
    assert_eq!(
        current["user"]["email"], "ada@new.example",
        "this session stays"
    );
    let other = json(&session_with_cookie(&auth, &other_session).await);
    assert!(
        other["session"].is_null(),
        "the other session is revoked: {other}"
    );
    assert_eq!(changed.lock().map(|e| e.len()).unwrap_or_default(), 1);

    // Used once.
    let again = auth.handler(form.post()).await;
    let location = again
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(location, "/account?error=INVALID_TOKEN");
    Ok(())
}

/// The `Set-Cookie` of a response, as a `Cookie` header.
fn cookie_of(response: &Response<Bytes>) -> String {
    cookie(response)
}

#[tokio::test]
async fn a_taken_address_is_answered_like_a_free_one() -> TestResult {
    let (auth, outbox, _) = setup();
    let cookie = member(&auth, "ada@example.com").await;
    member(&auth, "grace@example.com").await;

    let taken = post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"grace@example.com"}"#,
    )
    .await;
    let free = post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"free@example.com"}"#,
    )
    .await;
    assert_eq!(
        (taken.status(), taken.body()),
        (free.status(), free.body()),
        "the same answer, byte for byte"
    );
    assert!(
        outbox.to("grace@example.com").is_empty(),
        "the owner of the taken address hears nothing"
    );
    assert_eq!(outbox.to("free@example.com").len(), 1);
    assert_eq!(
        outbox.to("ada@example.com").len(),
        2,
        "the requester's own address gets a notice either way"
    );
    assert!(
        !outbox
            .messages()
            .iter()
            .any(|m| m.text.contains("grace") && m.to.as_str() != "ada@example.com"),
        "nobody else is told of the taken address"
    );
    Ok(())
}

#[tokio::test]
async fn an_address_taken_after_the_link_was_sent_is_a_conflict() -> TestResult {
    let (auth, outbox, _) = setup();
    let cookie = member(&auth, "ada@example.com").await;
    post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"contested@example.com"}"#,
    )
    .await;
    member(&auth, "contested@example.com").await;

    // A person following the link is sent back with the code ...
    let link = outbox.link_to("contested@example.com");
    let followed = follow(&auth, &link).await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    let location = followed
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(location, "/?error=CONFLICT");
    assert!(
        user_of(&auth, "ada@example.com").await.is_some(),
        "ada stays"
    );

    // ... and code posting the token as JSON gets the error itself.
    post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"contested@example.com"}"#,
    )
    .await;
    assert_eq!(
        outbox.to("contested@example.com").len(),
        1,
        "taken now: no mail"
    );
    let token = link.split("token=").nth(1).unwrap_or_default();
    let replayed = auth
        .handler(post(
            "/api/auth/change-email/verify",
            &serde_json::json!({ "token": token }).to_string(),
        ))
        .await;
    assert_eq!(
        error_code(&replayed),
        "INVALID_TOKEN",
        "the link was used up"
    );
    assert!(
        user_of(&auth, "ada@example.com").await.is_some(),
        "ada stays"
    );
    Ok(())
}

#[tokio::test]
async fn change_email_needs_a_session_and_an_address() -> TestResult {
    let (auth, outbox, _) = setup();
    let cookie = member(&auth, "ada@example.com").await;
    let anonymous = auth
        .handler(post(
            "/api/auth/change-email",
            r#"{"newEmail":"x@example.com"}"#,
        ))
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    for (body, code) in [
        (r#"{"newEmail":"not an address"}"#, "INVALID_EMAIL"),
        (r#"{}"#, "INVALID_BODY"),
        (
            r#"{"newEmail":"x@example.com","callbackURL":"https://evil.example/"}"#,
            "INVALID_REDIRECT",
        ),
    ] {
        let response = post_as(&auth, &cookie, "/api/auth/change-email", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&response), code, "{body}");
    }
    assert!(outbox.to("x@example.com").is_empty());
    Ok(())
}

#[tokio::test]
async fn deleting_with_the_password_takes_everything_the_user_owns() -> TestResult {
    let (auth, _, _) = setup();
    let deleted = events_of(&auth, EventKind::AfterUserDeleted);
    let cookie = member(&auth, "ada@example.com").await;
    let elsewhere = cookie_of(&sign_in(&auth, "ada@example.com", PASSWORD).await);
    let ada = user_of(&auth, "ada@example.com").await.ok_or("stored")?;
    let adapter = auth.adapter();
    adapter
        .link_account(&AccountRecord::new("github", "gh-1", &ada.id, 0))
        .await?;
    let now = auth.now();
    adapter
        .insert_record(
            &PluginRecord::new("passkey", "cred-1", "{}").owned_by(&ada.id),
            now,
        )
        .await?;
    adapter
        .insert_record(
            &PluginRecord::new("api-key", "key-1", "{}").owned_by(&ada.id),
            now,
        )
        .await?;
    let grace = member(&auth, "grace@example.com").await;

    let response = post_as(
        &auth,
        &cookie,
        "/api/auth/delete-user",
        &serde_json::json!({ "password": PASSWORD }).to_string(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response), serde_json::json!({ "deleted": true }));
    let cleared = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        cleared.contains("Max-Age=0"),
        "the cookie is cleared: {cleared}"
    );

    for token in [&cookie, &elsewhere] {
        let session = json(&session_with_cookie(&auth, token).await);
        assert!(
            session["session"].is_null(),
            "every session is refused at once"
        );
    }
    assert!(user_of(&auth, "ada@example.com").await.is_none());
    assert!(adapter.find_account("github", "gh-1").await?.is_none());
    assert!(
        adapter
            .find_record("passkey", "cred-1", now)
            .await?
            .is_none()
    );
    assert!(
        adapter
            .find_record("api-key", "key-1", now)
            .await?
            .is_none()
    );
    assert!(adapter.list_sessions(&ada.id).await?.is_empty());
    let session = json(&session_with_cookie(&auth, &grace).await);
    assert_eq!(session["user"]["email"], "grace@example.com", "others stay");
    let heard = deleted.lock().map(|e| e.clone()).unwrap_or_default();
    assert!(
        matches!(heard.as_slice(), [Event::UserDeleted { user }] if user.id == ada.id),
        "Event::UserDeleted with the user"
    );
    let sign_in_again = sign_in(&auth, "ada@example.com", PASSWORD).await;
    assert_eq!(sign_in_again.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn deletion_is_refused_without_a_fresh_session_or_the_right_password() -> TestResult {
    let (auth, _, clock) = setup();
    let cookie = member(&auth, "ada@example.com").await;
    let body = serde_json::json!({ "password": PASSWORD }).to_string();

    let anonymous = auth.handler(post("/api/auth/delete-user", &body)).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    for (body, status, code) in [
        (
            r#"{"password":"wrong password!"}"#,
            StatusCode::BAD_REQUEST,
            "INVALID_PASSWORD",
        ),
        (r#"{}"#, StatusCode::BAD_REQUEST, "PASSWORD_REQUIRED"),
        (r#"{"password":7}"#, StatusCode::BAD_REQUEST, "INVALID_BODY"),
        (r#"nope"#, StatusCode::BAD_REQUEST, "INVALID_JSON"),
    ] {
        let response = post_as(&auth, &cookie, "/api/auth/delete-user", body).await;
        assert_eq!(
            (response.status(), error_code(&response).as_str()),
            (status, code),
            "{body}"
        );
    }
    assert!(user_of(&auth, "ada@example.com").await.is_some());

    clock.advance(FRESH_AGE + 1);
    let stale = post_as(&auth, &cookie, "/api/auth/delete-user", &body).await;
    assert_eq!(stale.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&stale), "SESSION_NOT_FRESH");
    assert!(
        user_of(&auth, "ada@example.com").await.is_some(),
        "ada stays"
    );
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_count_toward_the_lockout() -> TestResult {
    let outbox = Outbox::default();
    let auth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(TestClock::at(1_700_000_000))
        .offload(ThreadOffload)
        .plugin(fast_plugin())
        .plugin(Account::new(outbox))
        .build()?;
    let response = sign_up(&auth, "ada@example.com", PASSWORD).await;
    let cookie = cookie(&response);
    // No `ClientAddr`: the per-client route limit does not count, and the
    // lockout counts this client ("-") on this account alone.
    let wrong = r#"{"password":"wrong password!"}"#;
    for attempt in 0..10 {
        let response = post_as(&auth, &cookie, "/api/auth/delete-user", wrong).await;
        assert_eq!(
            error_code(&response),
            "INVALID_PASSWORD",
            "attempt {attempt}"
        );
    }
    let right = serde_json::json!({ "password": PASSWORD }).to_string();
    for body in [wrong, right.as_str()] {
        let response = post_as(&auth, &cookie, "/api/auth/delete-user", body).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
    assert!(user_of(&auth, "ada@example.com").await.is_some());
    let sign_in = sign_in(&auth, "ada@example.com", PASSWORD).await;
    assert_eq!(
        sign_in.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the lockout is the one sign-in uses"
    );
    Ok(())
}

#[tokio::test]
async fn an_account_without_a_password_is_deleted_by_a_mailed_link() -> TestResult {
    let (auth, outbox, _) = setup();
    // A passwordless user (a magic-link or social account), signed in.
    let user = Member {
        id: "u-link".into(),
        email: "nopass@example.com".into(),
        name: "No Pass".into(),
        role: "member".into(),
    };
    auth.adapter().create_user(&user).await?;
    let now = auth.now();
    auth.adapter()
        .insert_record(
            &PluginRecord::new("passkey", "cred-2", "{}").owned_by("u-link"),
            now,
        )
        .await?;
    let signed_in = auth
        .create_session(
            user.clone(),
            nanoauth::ClientInfo::default(),
            nanoauth::SignInMethod::new("test"),
        )
        .await?
        .signed_in()
        .ok_or("no challenge")?;
    let cookie = format!("nanoauth.session_token={}", signed_in.token.expose_secret());

    let response = post_as(
        &auth,
        &cookie,
        "/api/auth/delete-user",
        r#"{"callbackURL":"/goodbye"}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response), serde_json::json!({ "deleted": false }));
    assert!(
        auth.adapter().get_user("u-link").await?.is_some(),
        "not yet"
    );

    let link = outbox.link_to("nopass@example.com");
    assert!(link.contains("/api/auth/delete-user/confirm?"), "{link}");
    let page = auth.handler(get(&path_of(&link))).await;
    assert_eq!(page.status(), StatusCode::OK, "the GET is a page");
    assert!(
        auth.adapter().get_user("u-link").await?.is_some(),
        "a GET deletes nothing"
    );
    let form = PageForm::of(&page).ok_or("a form")?;
    let followed = auth
        .handler(with_header(form.post(), "cookie", &cookie))
        .await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    let location = followed
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(location, "/goodbye?deleted=true");
    assert!(auth.adapter().get_user("u-link").await?.is_none());
    assert!(
        auth.adapter()
            .find_record("passkey", "cred-2", now)
            .await?
            .is_none()
    );
    let session = json(&session_with_cookie(&auth, &cookie).await);
    assert!(session["session"].is_null(), "the session is gone");
    Ok(())
}

#[tokio::test]
async fn an_application_hook_can_refuse_a_deletion() -> TestResult {
    let (auth, _, _) = setup();
    // The application's rule: owners of something must hand it over first.
    auth.before(
        nanoauth::Matcher::any().path("/delete-user"),
        |request: nanoauth::EndpointRequest<Member, MemoryAdapter<Member>>| async move {
            let session = request.require_session().await?;
            if session.user.email.starts_with("owner") {
                return Err(nanoauth::Error::plugin(
                    StatusCode::CONFLICT,
                    "STILL_AN_OWNER",
                    "Hand your organisation over first.",
                ));
            }
            Ok(request)
        },
    );
    let cookie = member(&auth, "owner@example.com").await;
    let body = serde_json::json!({ "password": PASSWORD }).to_string();
    let refused = post_as(&auth, &cookie, "/api/auth/delete-user", &body).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(&refused), "STILL_AN_OWNER");
    assert!(
        user_of(&auth, "owner@example.com").await.is_some(),
        "not deleted"
    );

    let other = member(&auth, "member@example.com").await;
    let deleted = post_as(&auth, &other, "/api/auth/delete-user", &body).await;
    assert_eq!(json(&deleted), serde_json::json!({ "deleted": true }));
    Ok(())
}

#[tokio::test]
async fn code_following_a_link_gets_json_answers() -> TestResult {
    let (auth, outbox, _) = setup();
    let cookie = member(&auth, "ada@example.com").await;
    let token_to = |to: &str| {
        let link = outbox.link_to(to);
        link.split("token=").nth(1).unwrap_or_default().to_owned()
    };
    let verify = |token: String| {
        let auth = auth.clone();
        async move {
            let body = serde_json::json!({ "token": token }).to_string();
            auth.handler(post("/api/auth/change-email/verify", &body))
                .await
        }
    };

    post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"raced@example.com"}"#,
    )
    .await;
    let raced = token_to("raced@example.com");
    member(&auth, "raced@example.com").await;
    let conflict = verify(raced).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(&conflict), "CONFLICT");

    post_as(
        &auth,
        &cookie,
        "/api/auth/change-email",
        r#"{"newEmail":"json@example.com"}"#,
    )
    .await;
    let moved = verify(token_to("json@example.com")).await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(json(&moved)["user"]["email"], "json@example.com");
    let garbage = verify("not-a-token".to_owned()).await;
    assert_eq!(error_code(&garbage), "INVALID_TOKEN");
    Ok(())
}
