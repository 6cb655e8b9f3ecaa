//! Magic links, password reset and password change, through
//! `Auth::handler`, with mail caught by an in-memory outbox. (Delivery over
//! real SMTP is tested in `nanoauth-email`.)

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use http::StatusCode;
use nanoauth::adapter::VerificationRecord;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::plugins::password_reset::PasswordReset;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::token::TokenHash;
use nanoauth::utils::url;
use nanoauth::{Auth, BoxFuture, Event, EventKind, ThreadOffload};

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
    fn count(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or_default()
    }

    /// The link in the last message.
    fn last_link(&self) -> String {
        let messages = self.0.lock().map(|m| m.clone()).unwrap_or_default();
        let text = messages.last().map(|m| m.text.clone()).unwrap_or_default();
        text.split_whitespace()
            .find(|word| word.starts_with("http"))
            .unwrap_or_default()
            .to_owned()
    }
}

fn flows(clock: TestClock, limits: RateLimit) -> (TestAuth, Outbox) {
    with_mail(|builder, outbox| {
        builder
            .clock(clock)
            .rate_limit(limits)
            .plugin(MagicLink::new(outbox.clone()))
            .plugin(PasswordReset::new(outbox.clone()))
    })
}

fn setup() -> (TestAuth, Outbox, TestClock) {
    let clock = TestClock::at(1_700_000_000);
    let (auth, outbox) = flows(clock.clone(), RateLimit::danger_disabled());
    (auth, outbox, clock)
}

const PASSWORD: &str = "correct horse battery";

fn location(response: &http::Response<bytes::Bytes>) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn request_link(auth: &TestAuth, email: &str) -> http::Response<bytes::Bytes> {
    let body = serde_json::json!({ "email": email, "callbackURL": "/account" }).to_string();
    auth.handler(post("/api/auth/signin/magic-link", &body))
        .await
}

#[tokio::test]
async fn a_magic_link_signs_in_once() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "link@example.com", PASSWORD).await;
    let methods: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let heard = std::sync::Arc::clone(&methods);
    auth.on(EventKind::AfterSignIn, move |event, _| {
        let heard = std::sync::Arc::clone(&heard);
        async move {
            if let Event::SignedIn { method, .. } = event {
                heard.lock().map(|mut m| m.push(method.to_string())).ok();
            }
        }
    });

    let response = request_link(&auth, "Link@Example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(outbox.count(), 1);
    let link = outbox.last_link();
    assert!(
        link.starts_with("http://localhost:3000/api/auth/magic/verify?token="),
        "{link}"
    );

    let followed = follow(&auth, &link).await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&followed), "/account");
    let cookie = cookie(&followed);
    assert!(!cookie.is_empty(), "the session cookie is set");
    let session = json(&session_with_cookie(&auth, &cookie).await);
    assert_eq!(session["user"]["email"], "link@example.com");
    assert_eq!(
        methods.lock().map(|m| m.clone()).unwrap_or_default(),
        ["magic-link"],
        "the sign-in event says how"
    );

    // The same link again: refused, back to the callback with a code.
    let again = follow(&auth, &link).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/account?error=INVALID_TOKEN");
    assert!(again.headers().get("set-cookie").is_none());
    Ok(())
}

#[tokio::test]
async fn expired_links_and_decoys_are_purged() -> TestResult {
    let (auth, outbox, clock) = setup();
    sign_up(&auth, "kept@example.com", PASSWORD).await;
    request_link(&auth, "kept@example.com").await;
    // An unknown address gets no mail, but a decoy token for no one, so
    // that its answer costs what a known one costs.
    request_link(&auth, "nobody@example.com").await;
    assert_eq!(outbox.count(), 1);
    assert_eq!(auth.adapter().verification_count(), 2);

    let purged = auth.purge_expired().await?;
    assert_eq!((purged.sessions, purged.verifications), (0, 0));
    clock.advance(5 * 60); // the links' lifetime: expired at exactly this second
    let purged = auth.purge_expired().await?;
    assert_eq!(
        (purged.sessions, purged.verifications),
        (0, 2),
        "the unfollowed link and the decoy go; the session lives on"
    );
    assert_eq!(auth.adapter().verification_count(), 0);

    clock.advance(7 * 24 * 60 * 60); // the session's lifetime
    assert_eq!(auth.purge_expired().await?.sessions, 1);
    assert_eq!(auth.adapter().session_count(), 0);
    Ok(())
}

#[tokio::test]
async fn unknown_emails_get_the_same_answer_and_no_mail() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "known@example.com", PASSWORD).await;
    let known = request_link(&auth, "known@example.com").await;
    let unknown = request_link(&auth, "unknown@example.com").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.body(), unknown.body());
    assert_eq!(outbox.count(), 1);

    let reset = |email: &str| {
        post(
            "/api/auth/request-password-reset",
            &serde_json::json!({ "email": email, "redirectTo": "/reset" }).to_string(),
        )
    };
    let known = auth.handler(reset("known@example.com")).await;
    let unknown = auth.handler(reset("nobody@example.com")).await;
    assert_eq!(
        (known.status(), known.body()),
        (unknown.status(), unknown.body())
    );
    assert_eq!(outbox.count(), 2);
    Ok(())
}

#[tokio::test]
async fn expired_and_wrong_purpose_tokens_are_refused() -> TestResult {
    let (auth, outbox, clock) = setup();
    sign_up(&auth, "late@example.com", PASSWORD).await;
    request_link(&auth, "late@example.com").await;
    let link = outbox.last_link();
    clock.advance(5 * 60 + 1);
    let late = follow(&auth, &link).await;
    assert_eq!(location(&late), "/account?error=TOKEN_EXPIRED");

    // A reset token is no sign-in link.
    let body = r#"{"email":"late@example.com","redirectTo":"/reset"}"#;
    auth.handler(post("/api/auth/request-password-reset", body))
        .await;
    let reset_link = outbox.last_link();
    let token = reset_link.split("token=").nth(1).unwrap_or_default();
    let misuse = follow(
        &auth,
        &format!("/api/auth/magic/verify?token={token}&callbackURL=%2F"),
    )
    .await;
    assert_eq!(location(&misuse), "/?error=INVALID_TOKEN");
    Ok(())
}

#[tokio::test]
async fn one_link_followed_concurrently_gives_one_session() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "race@example.com", PASSWORD).await;
    let sessions_before = auth.adapter().session_count();
    request_link(&auth, "race@example.com").await;
    let link = outbox.last_link();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let auth = auth.clone();
        let link = link.clone();
        tasks.push(tokio::spawn(async move { follow(&auth, &link).await }));
    }
    let mut signed_in = 0;
    for task in tasks {
        if task.await?.headers().get("set-cookie").is_some() {
            signed_in += 1;
        }
    }
    assert_eq!(signed_in, 1);
    // The link took the never-proven account over: the sign-up's session
    // went, the link's one session is all there is.
    assert_eq!(sessions_before, 1);
    assert_eq!(auth.adapter().session_count(), 1);
    Ok(())
}

#[tokio::test]
async fn callback_urls_must_stay_on_trusted_origins() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "cb@example.com", PASSWORD).await;
    for hostile in [
        "//evil.com",
        "/\\evil.com",
        "/%5C/evil.com",
        "javascript:alert(1)",
        "https://localhost:3000@evil.com",
        "https://evil.com/x",
    ] {
        let body =
            serde_json::json!({ "email": "cb@example.com", "callbackURL": hostile }).to_string();
        let response = auth
            .handler(post("/api/auth/signin/magic-link", &body))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{hostile}");
        assert_eq!(error_code(&response), "INVALID_REDIRECT");
        let reset =
            serde_json::json!({ "email": "cb@example.com", "redirectTo": hostile }).to_string();
        let response = auth
            .handler(post("/api/auth/request-password-reset", &reset))
            .await;
        assert_eq!(error_code(&response), "INVALID_REDIRECT", "{hostile}");
    }
    assert_eq!(outbox.count(), 0);

    // A tampered callback in a real link is refused too, and the token is
    // not spent.
    request_link(&auth, "cb@example.com").await;
    let link = outbox.last_link();
    let tampered = link.replace(
        "callbackURL=%2Faccount",
        "callbackURL=https%3A%2F%2Fevil.com",
    );
    let response = auth.handler(get(&path_of(&tampered))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "no page");
    assert_eq!(error_code(&response), "INVALID_REDIRECT");
    // The page's form is the client's too: a tampered post is refused.
    let page = auth.handler(get(&path_of(&link))).await;
    let mut form = PageForm::of(&page).ok_or("the link's page has a form")?;
    let honest = form.clone();
    for field in &mut form.fields {
        if field.0 == "callbackURL" {
            field.1 = "https://evil.com".into();
        }
    }
    let response = auth.handler(form.post()).await;
    assert_eq!(error_code(&response), "INVALID_REDIRECT");
    let followed = auth.handler(honest.post()).await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&followed), "/account");
    Ok(())
}

#[tokio::test]
async fn password_reset_replaces_the_password_and_ends_sessions() -> TestResult {
    let (auth, outbox, _) = setup();
    let old_cookie = cookie(&sign_up(&auth, "reset@example.com", PASSWORD).await);
    let body = r#"{"email":"reset@example.com","redirectTo":"/reset-page"}"#;
    let response = auth
        .handler(post("/api/auth/request-password-reset", body))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let link = outbox.last_link();
    assert!(
        link.starts_with("http://localhost:3000/reset-page?token="),
        "{link}"
    );
    let token = link.split("token=").nth(1).unwrap_or_default().to_owned();

    // Too short: refused, and the token stays usable.
    let short = serde_json::json!({ "token": token, "newPassword": "short" }).to_string();
    let response = auth.handler(post("/api/auth/reset-password", &short)).await;
    assert_eq!(error_code(&response), "PASSWORD_TOO_SHORT");

    let good =
        serde_json::json!({ "token": token, "newPassword": "a brand new passphrase" }).to_string();
    let response = auth.handler(post("/api/auth/reset-password", &good)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no sign-in after a reset"
    );

    assert_eq!(
        session_with_cookie(&auth, &old_cookie)
            .await
            .body()
            .as_ref(),
        b"null",
        "sessions ended"
    );
    assert_eq!(
        sign_in(&auth, "reset@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&auth, "reset@example.com", "a brand new passphrase")
            .await
            .status(),
        StatusCode::OK
    );

    let again = auth.handler(post("/api/auth/reset-password", &good)).await;
    assert_eq!(error_code(&again), "INVALID_TOKEN");
    Ok(())
}

/// A reset token from the mail about `email`.
async fn reset_token(auth: &TestAuth, outbox: &Outbox, email: &str) -> String {
    let body = serde_json::json!({ "email": email, "redirectTo": "/reset-page" }).to_string();
    auth.handler(post("/api/auth/request-password-reset", &body))
        .await;
    outbox
        .last_link()
        .split("token=")
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

async fn reset_with(auth: &TestAuth, token: &str, password: &str) -> http::Response<bytes::Bytes> {
    let body = serde_json::json!({ "token": token, "newPassword": password }).to_string();
    auth.handler(post("/api/auth/reset-password", &body)).await
}

#[tokio::test]
async fn a_password_reset_ends_the_other_reset_links() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "twice@example.com", PASSWORD).await;
    let first = reset_token(&auth, &outbox, "twice@example.com").await;
    let second = reset_token(&auth, &outbox, "twice@example.com").await;
    assert_ne!(first, second);

    let used = reset_with(&auth, &second, "the second passphrase").await;
    assert_eq!(used.status(), StatusCode::OK);
    // The other link dies, answered like an unknown token; the password
    // set with the link that was used stays.
    let stale = reset_with(&auth, &first, "the first passphrase").await;
    assert_eq!(stale.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        stale.body(),
        reset_with(&auth, "no-such-token", "x".repeat(12).as_str())
            .await
            .body()
    );
    assert_eq!(error_code(&stale), "INVALID_TOKEN");
    let signed_in = sign_in(&auth, "twice@example.com", "the second passphrase").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(
        sign_in(&auth, "twice@example.com", "the first passphrase")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn a_password_change_ends_outstanding_reset_links() -> TestResult {
    let (auth, outbox, _) = setup();
    let here = cookie(&sign_up(&auth, "changed@example.com", PASSWORD).await);
    let token = reset_token(&auth, &outbox, "changed@example.com").await;
    let body =
        serde_json::json!({ "currentPassword": PASSWORD, "newPassword": "a changed passphrase" });
    let changed = auth
        .handler(with_header(
            post("/api/auth/change-password", &body.to_string()),
            "cookie",
            &here,
        ))
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let stale = reset_with(&auth, &token, "the attacker's passphrase").await;
    assert_eq!(error_code(&stale), "INVALID_TOKEN");
    assert_eq!(
        sign_in(&auth, "changed@example.com", "a changed passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    // A link asked for after the change works.
    let fresh = reset_token(&auth, &outbox, "changed@example.com").await;
    assert_eq!(
        reset_with(&auth, &fresh, "a fresh passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() -> TestResult {
    let (auth, _, _) = setup();
    let here = cookie(&sign_up(&auth, "change@example.com", PASSWORD).await);
    let elsewhere = cookie(&sign_in(&auth, "change@example.com", PASSWORD).await);
    let change = |current: &str, new: &str| {
        with_header(
            post(
                "/api/auth/change-password",
                &serde_json::json!({ "currentPassword": current, "newPassword": new }).to_string(),
            ),
            "cookie",
            &here,
        )
    };
    let wrong = auth
        .handler(change("not my password", "another good password"))
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&wrong), "INVALID_PASSWORD");
    let short = auth.handler(change(PASSWORD, "short")).await;
    assert_eq!(error_code(&short), "PASSWORD_TOO_SHORT");

    let ok = auth
        .handler(change(PASSWORD, "another good password"))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_ne!(
        session_with_cookie(&auth, &here).await.body().as_ref(),
        b"null",
        "this session stays"
    );
    assert_eq!(
        session_with_cookie(&auth, &elsewhere).await.body().as_ref(),
        b"null",
        "others end"
    );
    assert_eq!(
        sign_in(&auth, "change@example.com", "another good password")
            .await
            .status(),
        StatusCode::OK
    );

    let anonymous = auth
        .handler(post(
            "/api/auth/change-password",
            r#"{"currentPassword":"x","newPassword":"yyyyyyyy"}"#,
        ))
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn sending_links_is_rate_limited_per_address() -> TestResult {
    let (auth, outbox) = flows(TestClock::at(1_000), RateLimit::default());
    sign_up(&auth, "bomb@example.com", PASSWORD).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        // From a different address each time: the per-account limit holds.
        let mut request = post(
            "/api/auth/signin/magic-link",
            r#"{"email":"bomb@example.com"}"#,
        );
        request
            .extensions_mut()
            .insert(nanoauth::ClientAddr(format!("198.51.100.{i}:1").parse()?));
        statuses.push(auth.handler(request).await.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    assert_eq!(outbox.count(), 3);
    Ok(())
}

/// An `Auth` with email/password, rate limits off and mail sent before the
/// answer (no background task: the tests read the outbox right after a
/// request), plus what `plugins` adds.
fn with_mail(plugins: impl FnOnce(TestBuilder, &Outbox) -> TestBuilder) -> (TestAuth, Outbox) {
    let outbox = Outbox::default();
    let builder = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(TestClock::at(1_700_000_000))
        .rate_limit(RateLimit::danger_disabled())
        .offload(ThreadOffload)
        .plugin(fast_plugin());
    let auth = plugins(builder, &outbox)
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    (auth, outbox)
}

type TestBuilder = nanoauth::AuthBuilder<Member, MemoryAdapter<Member>>;

fn verifying(require: bool) -> (TestAuth, Outbox) {
    with_mail(|builder, outbox| {
        let mut verification = EmailVerification::new(outbox.clone());
        if require {
            verification = verification.require_verified_sign_in();
        }
        builder
            .plugin(MagicLink::new(outbox.clone()).sign_up_on_first_use())
            .plugin(verification)
    })
}

#[tokio::test]
async fn sign_up_sends_a_verification_link_and_sign_in_waits_for_it() -> TestResult {
    let (auth, outbox) = verifying(true);
    let response = sign_up(&auth, "verify@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session before verification"
    );
    let body = json(&response);
    assert_eq!(body, serde_json::json!({ "user": null, "token": null }));
    assert_eq!(outbox.count(), 1, "the link was sent on sign-up");

    let refused = sign_in(&auth, "verify@example.com", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&refused), "EMAIL_NOT_VERIFIED");
    // (A magic link would let them in: following it proves the address,
    // see `following_a_magic_link_verifies_the_address`.)

    // The verification mail was the first one.
    let verification_link = {
        let messages = outbox.0.lock().map(|m| m.clone()).unwrap_or_default();
        messages[0]
            .text
            .split_whitespace()
            .find(|w| w.starts_with("http"))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        verification_link.contains("/api/auth/verify-email?token="),
        "{verification_link}"
    );
    let followed = follow(&auth, &verification_link).await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&followed), "/?verified=true");

    assert_eq!(
        sign_in(&auth, "verify@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let again = follow(&auth, &verification_link).await;
    assert_eq!(location(&again), "/?error=INVALID_TOKEN");
    Ok(())
}

#[tokio::test]
async fn resending_the_verification_link_reveals_nothing() -> TestResult {
    let (auth, outbox) = verifying(false);
    let signed_up = sign_up(&auth, "resend@example.com", PASSWORD).await;
    assert!(
        signed_up.headers().get("set-cookie").is_some(),
        "optional verification: signed in"
    );
    assert_eq!(outbox.count(), 1);
    let resend = |email: &str| {
        post(
            "/api/auth/send-verification-email",
            &serde_json::json!({ "email": email }).to_string(),
        )
    };
    let known = auth.handler(resend("resend@example.com")).await;
    let unknown = auth.handler(resend("ghost@example.com")).await;
    assert_eq!(
        (known.status(), known.body()),
        (unknown.status(), unknown.body())
    );
    assert_eq!(
        outbox.count(),
        2,
        "a new link for the unverified account only"
    );

    // Posted without a callback (an API call), the link answers JSON; once
    // verified, no more mail.
    let link = outbox.last_link();
    let token = url::query_param(link.split_once('?').map(|(_, q)| q), "token");
    let body = serde_json::json!({ "token": token }).to_string();
    let verified = auth.handler(post("/api/auth/verify-email", &body)).await;
    assert_eq!(verified.status(), StatusCode::OK);
    assert_eq!(json(&verified)["success"], true);
    auth.handler(resend("resend@example.com")).await;
    assert_eq!(outbox.count(), 2);
    Ok(())
}

fn signing_up_by_link() -> (TestAuth, Outbox) {
    with_mail(|builder, outbox| {
        builder.plugin(MagicLink::new(outbox.clone()).sign_up_on_first_use())
    })
}

async fn request_sign_up_link(
    auth: &TestAuth,
    body: serde_json::Value,
) -> http::Response<bytes::Bytes> {
    auth.handler(post("/api/auth/signin/magic-link", &body.to_string()))
        .await
}

#[tokio::test]
async fn a_magic_link_creates_the_account_on_first_use_when_allowed() -> TestResult {
    let (auth, outbox) = signing_up_by_link();
    let body = serde_json::json!({
        "email": "New@Example.com", "callbackURL": "/welcome", "name": "Ada", "role": "admin"
    });
    let response = request_sign_up_link(&auth, body.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(outbox.count(), 1, "an unknown address gets a link");
    assert_eq!(
        auth.adapter().user_count(),
        0,
        "no account until the link is followed"
    );

    let followed = follow(&auth, &outbox.last_link()).await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&followed), "/welcome");
    let session = json(&session_with_cookie(&auth, &cookie(&followed)).await);
    assert_eq!(session["user"]["email"], "new@example.com");
    assert_eq!(
        session["user"]["name"], "Ada",
        "the sign-up fields were kept"
    );
    assert_eq!(
        session["user"]["role"], "member",
        "privileged fields are the app's"
    );
    assert_eq!(auth.adapter().user_count(), 1);

    // The next link signs in to the same account.
    request_sign_up_link(&auth, body).await;
    let again = follow(&auth, &outbox.last_link()).await;
    let session_again = json(&session_with_cookie(&auth, &cookie(&again)).await);
    assert_eq!(session_again["user"]["id"], session["user"]["id"]);
    assert_eq!(auth.adapter().user_count(), 1);
    Ok(())
}

#[tokio::test]
async fn with_sign_up_on_a_request_without_fields_still_signs_in() -> TestResult {
    let (auth, outbox) = signing_up_by_link();
    sign_up(&auth, "member@example.com", PASSWORD).await;
    // The sign-in form sends only the address.
    let known = request_link(&auth, "member@example.com").await;
    let unknown = request_link(&auth, "nobody@example.com").await;
    assert_eq!(
        (known.status(), known.body()),
        (unknown.status(), unknown.body())
    );
    assert_eq!(
        outbox.count(),
        1,
        "no fields, no sign-up: only the member gets a link"
    );
    let followed = follow(&auth, &outbox.last_link()).await;
    assert!(!cookie(&followed).is_empty());
    Ok(())
}

#[tokio::test]
async fn without_sign_up_an_unknown_address_gets_no_account() -> TestResult {
    let (auth, outbox, _) = setup();
    let response = request_link(&auth, "stranger@example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(outbox.count(), 0);
    assert_eq!(auth.adapter().user_count(), 0);
    Ok(())
}

#[tokio::test]
async fn first_use_fields_are_checked_for_every_address_alike() -> TestResult {
    let (auth, outbox) = signing_up_by_link();
    sign_up(&auth, "known@example.com", PASSWORD).await;
    let bad = |email: &str| serde_json::json!({ "email": email, "name": 42 });
    let known = request_sign_up_link(&auth, bad("known@example.com")).await;
    let unknown = request_sign_up_link(&auth, bad("unknown@example.com")).await;
    assert_eq!(known.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        (known.status(), known.body()),
        (unknown.status(), unknown.body()),
        "invalid fields are refused before the address is looked up"
    );
    let huge = "x".repeat(5000);
    let long = request_sign_up_link(
        &auth,
        serde_json::json!({ "email": "unknown@example.com", "name": huge }),
    )
    .await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    assert_eq!(outbox.count(), 0);
    Ok(())
}

#[tokio::test]
async fn two_first_use_links_followed_at_once_make_one_account() -> TestResult {
    let (auth, outbox) = signing_up_by_link();
    let body = serde_json::json!({ "email": "twice@example.com", "name": "Twice" });
    request_sign_up_link(&auth, body.clone()).await;
    let first = outbox.last_link();
    request_sign_up_link(&auth, body).await;
    let second = outbox.last_link();
    let (a, b) = tokio::join!(
        tokio::spawn({
            let auth = auth.clone();
            async move { follow(&auth, &first).await }
        }),
        tokio::spawn({
            let auth = auth.clone();
            async move { follow(&auth, &second).await }
        })
    );
    let (a, b) = (a?, b?);
    assert!(
        !cookie(&a).is_empty() && !cookie(&b).is_empty(),
        "both signed in"
    );
    assert_eq!(auth.adapter().user_count(), 1);
    let (a, b) = (
        json(&session_with_cookie(&auth, &cookie(&a)).await),
        json(&session_with_cookie(&auth, &cookie(&b)).await),
    );
    assert_eq!(a["user"]["id"], b["user"]["id"]);
    Ok(())
}

#[tokio::test]
async fn following_a_magic_link_verifies_the_address() -> TestResult {
    // Sign-in requires a verified address; a magic link proves it.
    let (auth, outbox) = verifying(true);
    let response = request_sign_up_link(
        &auth,
        serde_json::json!({ "email": "linked@example.com", "name": "Lin" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let followed = follow(&auth, &outbox.last_link()).await;
    assert!(
        !cookie(&followed).is_empty(),
        "the new account is signed in"
    );

    // A password account that never verified: the magic link verifies it
    // and takes it over, so the password set before (by whoever signed up)
    // no longer signs in; the owner may set one.
    let signed_up = sign_up(&auth, "unverified@example.com", PASSWORD).await;
    assert!(signed_up.headers().get("set-cookie").is_none());
    let refused = sign_in(&auth, "unverified@example.com", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    request_sign_up_link(
        &auth,
        serde_json::json!({ "email": "unverified@example.com", "name": "U" }),
    )
    .await;
    let followed = follow(&auth, &outbox.last_link()).await;
    assert!(!cookie(&followed).is_empty());
    let removed = sign_in(&auth, "unverified@example.com", PASSWORD).await;
    assert_eq!(removed.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

/// Refuses every message.
#[derive(Debug, Clone)]
struct BrokenMailServer;

impl EmailSender for BrokenMailServer {
    fn send<'a>(&'a self, _: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async { Err(EmailError::new("550 mailbox unavailable")) })
    }
}

#[tokio::test]
async fn mail_goes_out_after_the_answer_and_failures_are_events() -> TestResult {
    let failures = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&failures);
    // The default offload (tokio) sends in the background.
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(fast_plugin())
        .plugin(MagicLink::new(BrokenMailServer))
        .on(EventKind::OnError, move |event: Event<Member>, _| {
            let heard = Arc::clone(&heard);
            async move {
                if let (Event::EmailNotSent { to, purpose, error }, Ok(mut heard)) =
                    (event, heard.lock())
                {
                    heard.push((to.as_str().to_owned(), purpose, error));
                }
            }
        })
        .build()?;
    sign_up(&auth, "known@example.com", PASSWORD).await;
    let known = request_link(&auth, "known@example.com").await;
    let unknown = request_link(&auth, "unknown@example.com").await;
    assert_eq!(
        (known.status(), known.body()),
        (unknown.status(), unknown.body()),
        "a failing mail server does not show in the answer"
    );
    assert_eq!(known.status(), StatusCode::OK);
    let mut waited = 0;
    while failures.lock().map(|f| f.is_empty()).unwrap_or(true) && waited < 500 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        waited += 1;
    }
    let failures = failures.lock().map(|f| f.clone()).unwrap_or_default();
    assert_eq!(failures.len(), 1, "one failure, for the known address");
    let (to, purpose, error) = &failures[0];
    assert_eq!(
        (to.as_str(), purpose.as_str()),
        ("known@example.com", "magic-link")
    );
    assert!(error.contains("550 mailbox unavailable"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_taken_address_signs_up_like_a_free_one_when_verification_is_required() -> TestResult {
    let (auth, outbox) = verifying(true);
    let first = sign_up(&auth, "owner@example.com", PASSWORD).await;
    let taken = sign_up(&auth, "owner@example.com", "another password").await;
    let free = sign_up(&auth, "someone@example.com", PASSWORD).await;
    assert_eq!(taken.status(), StatusCode::OK);
    assert_eq!((taken.status(), taken.body()), (free.status(), free.body()));
    assert_eq!((first.status(), first.body()), (free.status(), free.body()));
    assert!(taken.headers().get("set-cookie").is_none());
    assert_eq!(
        auth.adapter().user_count(),
        2,
        "the taken address got no second account"
    );
    // Each address got a verification link; the owner's second one is
    // because someone (probably they) signed up again.
    let recipients: Vec<String> = outbox
        .0
        .lock()
        .map(|m| m.iter().map(|m| m.to.as_str().to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(
        recipients,
        [
            "owner@example.com",
            "owner@example.com",
            "someone@example.com"
        ]
    );
    // The first password is still the one.
    let signed_in = sign_in(&auth, "owner@example.com", "another password").await;
    assert_eq!(error_code(&signed_in), "INVALID_CREDENTIALS");
    Ok(())
}

#[tokio::test]
async fn without_required_verification_a_taken_address_is_a_conflict() -> TestResult {
    let (auth, _outbox) = verifying(false);
    sign_up(&auth, "owner@example.com", PASSWORD).await;
    let taken = sign_up(&auth, "owner@example.com", PASSWORD).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(&taken), "USER_ALREADY_EXISTS");
    Ok(())
}

/// Pre-account hijacking, the magic-link path: someone signs up with an
/// address they do not hold and a password of their own; the address's
/// owner later signs in with a magic link. The account is theirs alone:
/// the first session is revoked and the first password no longer signs in
/// (SECURITY.md, account ownership).
#[tokio::test]
async fn a_magic_link_takes_a_pre_hijacked_account_over() -> TestResult {
    let (auth, outbox, _) = setup();
    let hijacker = cookie(&sign_up(&auth, "victim@example.com", PASSWORD).await);
    assert_eq!(
        json(&session_with_cookie(&auth, &hijacker).await)["user"]["email"],
        "victim@example.com"
    );

    request_link(&auth, "victim@example.com").await;
    let followed = follow(&auth, &outbox.last_link()).await;
    let owner = cookie(&followed);
    assert!(!owner.is_empty(), "the owner is signed in");

    assert_eq!(
        session_with_cookie(&auth, &hijacker).await.body().as_ref(),
        b"null",
        "the hijacker's session is revoked"
    );
    assert_eq!(
        sign_in(&auth, "victim@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the hijacker's password no longer signs in"
    );
    assert_eq!(
        json(&session_with_cookie(&auth, &owner).await)["user"]["email"],
        "victim@example.com",
        "the owner's new session is the one left"
    );

    // The account is claimed now: a second link keeps the owner's session.
    request_link(&auth, "victim@example.com").await;
    let second = cookie(&follow(&auth, &outbox.last_link()).await);
    assert!(!second.is_empty());
    assert_eq!(
        json(&session_with_cookie(&auth, &owner).await)["user"]["email"],
        "victim@example.com",
        "later proofs take nothing over"
    );
    Ok(())
}

/// Pre-account hijacking, the password-reset path: a reset of an account
/// whose address nobody proved ends every session even when the plugin is
/// set to keep them, and only the new password signs in.
#[tokio::test]
async fn a_password_reset_takes_a_pre_hijacked_account_over() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let (auth, outbox) = with_mail(|builder, outbox| {
        builder
            .clock(clock)
            .rate_limit(RateLimit::danger_disabled())
            .plugin(PasswordReset::new(outbox.clone()).danger_keep_sessions())
    });
    let hijacker = cookie(&sign_up(&auth, "victim@example.com", PASSWORD).await);
    let body = r#"{"email":"victim@example.com","redirectTo":"/reset-page"}"#;
    auth.handler(post("/api/auth/request-password-reset", body))
        .await;
    let token = outbox
        .last_link()
        .split("token=")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let reset =
        serde_json::json!({ "token": token, "newPassword": "the owner's passphrase" }).to_string();
    let response = auth.handler(post("/api/auth/reset-password", &reset)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        session_with_cookie(&auth, &hijacker).await.body().as_ref(),
        b"null",
        "the hijacker's session is revoked despite danger_keep_sessions"
    );
    assert_eq!(
        sign_in(&auth, "victim@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&auth, "victim@example.com", "the owner's passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    Ok(())
}

/// The verification link sent at sign-up confirms that sign-up: it keeps
/// the account's password and sessions (its mail says "if this wasn't you,
/// ignore this email").
#[tokio::test]
async fn the_sign_up_verification_link_keeps_the_account() -> TestResult {
    let (auth, outbox) = with_mail(|builder, outbox| {
        builder
            .rate_limit(RateLimit::danger_disabled())
            .plugin(EmailVerification::new(outbox.clone()))
    });
    let session = cookie(&sign_up(&auth, "confirm@example.com", PASSWORD).await);
    let link = outbox.last_link();
    assert!(link.contains("/verify-email?token="), "{link}");
    let text = outbox
        .0
        .lock()
        .map(|m| m.last().map(|m| m.text.clone()).unwrap_or_default())
        .unwrap_or_default();
    assert!(
        text.contains("If you did not sign up, ignore this email"),
        "{text}"
    );
    follow(&auth, &link).await;
    assert_eq!(
        json(&session_with_cookie(&auth, &session).await)["user"]["email"],
        "confirm@example.com",
        "the session is kept"
    );
    assert_eq!(
        sign_in(&auth, "confirm@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK,
        "the password is kept"
    );
    Ok(())
}

#[tokio::test]
async fn secrets_never_reach_debug_output() -> TestResult {
    let (auth, outbox, _) = setup();
    sign_up(&auth, "debug@example.com", PASSWORD).await;
    // A sign-in's result (before the link below takes the account over).
    let signed_in = auth
        .email_password()
        .sign_in("debug@example.com", PASSWORD, Default::default())
        .await?
        .signed_in()
        .ok_or("a second factor was asked for")?;
    let shown = format!("{signed_in:?}");
    assert!(!shown.contains(signed_in.token.expose_secret()), "{shown}");
    assert!(
        !shown.contains(&signed_in.session.token_hash.to_hex()),
        "{shown}"
    );

    request_link(&auth, "debug@example.com").await;
    let link = outbox.last_link();
    let token = link.split("token=").nth(1).unwrap_or_default().to_owned();
    assert!(token.len() > 20, "{link}");

    // The mail: recipient and subject, never the link.
    let message = outbox.0.lock().map(|m| m.last().cloned()).ok().flatten();
    let shown = format!("{message:?}");
    assert!(!shown.contains(&token), "{shown}");
    assert!(shown.contains("debug@example.com") && shown.contains("<redacted>"));

    // The answer that signs in: its `Set-Cookie` holds the session token.
    let followed = follow(&auth, &link).await;
    let session_cookie = cookie(&followed);
    let session_token = session_cookie.split_once('=').map_or("", |(_, v)| v);
    assert!(session_token.len() > 20, "{session_cookie}");
    let shown = format!("{followed:?}");
    assert!(!shown.contains(session_token), "{shown}");

    // What a flow keeps with its token (an OAuth state's PKCE verifier and
    // nonce): whether there is data shows, the data does not.
    let record = VerificationRecord::new(TokenHash::of("t"), "oauth-state", "", 1)
        .with_data(r#"{"verifier":"pkce-verifier-text","nonce":"nonce-text"}"#);
    let shown = format!("{record:?}");
    assert!(shown.contains(r#"data: Some("<redacted>")"#), "{shown}");
    assert!(shown.contains("oauth-state"), "{shown}");
    assert!(!shown.contains("pkce-verifier-text") && !shown.contains("nonce-text"));
    Ok(())
}

#[tokio::test]
async fn password_changes_and_resets_are_security_events() -> TestResult {
    let (auth, outbox, _) = setup();
    let heard = Arc::new(Mutex::new(Vec::new()));
    for kind in [
        EventKind::AfterPasswordChanged,
        EventKind::AfterPasswordReset,
    ] {
        let heard = Arc::clone(&heard);
        auth.on(kind, move |event: Event<Member>, _| {
            let heard = Arc::clone(&heard);
            async move {
                let seen = match event {
                    Event::PasswordChanged { user } => format!("changed {}", user.email),
                    Event::PasswordReset { user } => format!("reset {}", user.email),
                    _ => "another event".to_owned(),
                };
                if let Ok(mut heard) = heard.lock() {
                    heard.push(seen);
                }
            }
        });
    }
    let here = cookie(&sign_up(&auth, "events@example.com", PASSWORD).await);
    let body =
        serde_json::json!({ "currentPassword": PASSWORD, "newPassword": "a changed passphrase" });
    let change = || {
        with_header(
            post("/api/auth/change-password", &body.to_string()),
            "cookie",
            &here,
        )
    };
    assert_eq!(auth.handler(change()).await.status(), StatusCode::OK);
    // A refused change is no event.
    assert_eq!(
        auth.handler(change()).await.status(),
        StatusCode::BAD_REQUEST
    );
    let token = reset_token(&auth, &outbox, "events@example.com").await;
    assert_eq!(
        reset_with(&auth, &token, "a reset passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    // A refused reset is no event either.
    reset_with(&auth, &token, "a reset passphrase").await;
    let heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
    assert_eq!(
        heard,
        vec!["changed events@example.com", "reset events@example.com"]
    );
    Ok(())
}
