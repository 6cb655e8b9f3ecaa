//! The two-factor flows through `Auth::handler`, as a browser drives them:
//! enrol, confirm, sign in through the challenge, replay, attempt limits,
//! account lockout, backup codes, emailed codes, trusted devices, and the
//! other first factors stopping at the same door.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::Ordering;

use http::StatusCode;
use nanoauth::{Adapter, ClientInfo, Clock, RecordAdapter, SignInMethod, SignInOutcome};
use nanoauth_two_factor::TwoFactorExt;

use common::{
    Authenticator, Browser, CHALLENGE, DEVICE, PASSWORD, SESSION, enrolled, signed_up_by_link,
    world,
};

#[tokio::test]
async fn password_sign_in_stops_at_the_challenge_until_a_code_is_given() {
    let world = world();
    let auth = &world.auth;
    let (mut browser, app, _) = enrolled(&world, "ada@example.com").await;
    browser.post(auth, "/signout", serde_json::json!({})).await;
    assert!(!browser.signed_in(auth).await);

    let (status, body) = browser.sign_in(auth, "ada@example.com").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            serde_json::json!({ "twoFactorRequired": true })
        )
    );
    assert!(browser.has(CHALLENGE));
    assert!(
        !browser.has(SESSION),
        "no session cookie before the second factor"
    );
    assert!(!browser.signed_in(auth).await);

    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": "000000" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CODE");
    assert_eq!(world.failures.load(Ordering::SeqCst), 1);

    world.clock.advance(30);
    let code = app.code();
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["token"].is_string());
    assert!(browser.has(SESSION));
    assert!(!browser.has(CHALLENGE), "the challenge is used up");
    assert!(browser.signed_in(auth).await);

    // The same code in a new challenge is refused: it was used.
    let mut other = Browser::default();
    other.sign_in(auth, "ada@example.com").await;
    let (status, body) = other
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_CODE");
}

#[tokio::test]
async fn codes_one_step_off_are_accepted_two_are_not() {
    let world = world();
    let auth = &world.auth;
    let (_, app, _) = enrolled(&world, "drift@example.com").await;
    world.clock.advance(300);
    for (offset, accepted) in [(-60, false), (60, false), (-30, true), (30, true)] {
        let mut browser = Browser::default();
        browser.sign_in(auth, "drift@example.com").await;
        let (status, _) = browser
            .post(
                auth,
                "/two-factor/verify-totp",
                serde_json::json!({ "code": app.code_at_offset(offset) }),
            )
            .await;
        assert_eq!(status == StatusCode::OK, accepted, "offset {offset}s");
        // Each accepted code moves the last used step on: go past it.
        world.clock.advance(90);
    }
}

#[tokio::test]
async fn five_wrong_codes_end_the_challenge() {
    let world = world();
    let auth = &world.auth;
    let (_, app, _) = enrolled(&world, "five@example.com").await;
    world.clock.advance(60);
    let mut browser = Browser::default();
    browser.sign_in(auth, "five@example.com").await;
    for _ in 0..5 {
        let (status, body) = browser
            .post(
                auth,
                "/two-factor/verify-totp",
                serde_json::json!({ "code": "123456" }),
            )
            .await;
        assert_eq!(body["error"]["code"], "INVALID_CODE", "{status}");
    }
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CHALLENGE");
    assert!(!browser.signed_in(auth).await);
}

#[tokio::test]
async fn failures_count_per_account_across_challenges_and_lock_it() {
    let world = world();
    let auth = &world.auth;
    let (_, app, _) = enrolled(&world, "lock@example.com").await;
    world.clock.advance(60);
    // Ten failures spread over five sign-ins: a new challenge does not
    // reset the budget.
    for _ in 0..5 {
        let mut browser = Browser::default();
        browser.sign_in(auth, "lock@example.com").await;
        for _ in 0..2 {
            browser
                .post(
                    auth,
                    "/two-factor/verify-backup-code",
                    serde_json::json!({ "code": "nope-nope-nope" }),
                )
                .await;
        }
    }
    assert_eq!(world.failures.load(Ordering::SeqCst), 10);
    let mut browser = Browser::default();
    browser.sign_in(auth, "lock@example.com").await;
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    // After the lockout window the right code works again.
    world.clock.advance(15 * 60);
    let mut browser = Browser::default();
    browser.sign_in(auth, "lock@example.com").await;
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_backup_code_works_once() {
    let world = world();
    let auth = &world.auth;
    let (_, _, backup) = enrolled(&world, "backup@example.com").await;
    let code = backup[3].to_uppercase();

    let mut browser = Browser::default();
    browser.sign_in(auth, "backup@example.com").await;
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-backup-code",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, status) = browser.get(auth, "/two-factor/status").await;
    assert_eq!(status["backupCodesLeft"], 9);

    let mut again = Browser::default();
    again.sign_in(auth, "backup@example.com").await;
    let (status, body) = again
        .post(
            auth,
            "/two-factor/verify-backup-code",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CODE");

    // Regenerating voids the old set.
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/backup-codes",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["backupCodes"].as_array().map(Vec::len), Some(10));
    let (status, _) = again
        .post(
            auth,
            "/two-factor/verify-backup-code",
            serde_json::json!({ "code": backup[4] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_emailed_code_signs_in_once() {
    let world = world();
    let auth = &world.auth;
    enrolled(&world, "mail@example.com").await;
    let mut browser = Browser::default();
    browser.sign_in(auth, "mail@example.com").await;
    let (status, body) = browser
        .post(auth, "/two-factor/send-otp", serde_json::json!({}))
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, serde_json::json!({ "success": true }))
    );
    let text = world.mail.lock().unwrap().last().unwrap().text.clone();
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();

    let (status, _) = browser
        .post(
            auth,
            "/two-factor/verify-otp",
            serde_json::json!({ "code": "999999" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-otp",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Expired codes are refused.
    let mut late = Browser::default();
    late.sign_in(auth, "mail@example.com").await;
    late.post(auth, "/two-factor/send-otp", serde_json::json!({}))
        .await;
    let text = world.mail.lock().unwrap().last().unwrap().text.clone();
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    world.clock.advance(4 * 60 + 59);
    world.clock.advance(2);
    let (status, body) = late
        .post(
            auth,
            "/two-factor/verify-otp",
            serde_json::json!({ "code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_trusted_device_skips_the_challenge_until_it_expires_or_is_revoked() {
    let world = world();
    let auth = &world.auth;
    let (_, app, _) = enrolled(&world, "trust@example.com").await;
    world.clock.advance(60);
    let mut laptop = Browser::default();
    laptop.sign_in(auth, "trust@example.com").await;
    let (status, _) = laptop
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code(), "trustDevice": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(laptop.has(DEVICE));
    let (_, status) = laptop.get(auth, "/two-factor/status").await;
    assert_eq!(status["trustedDevices"].as_array().map(Vec::len), Some(1));

    laptop.post(auth, "/signout", serde_json::json!({})).await;
    let (status, body) = laptop.sign_in(auth, "trust@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["token"].is_string(), "trusted: no challenge ({body})");

    // 29 days on it still skips; after 30 it does not.
    world.clock.advance(29 * 24 * 3600);
    laptop.post(auth, "/signout", serde_json::json!({})).await;
    let (_, body) = laptop.sign_in(auth, "trust@example.com").await;
    assert!(body["token"].is_string());
    world.clock.advance(24 * 3600);
    laptop.post(auth, "/signout", serde_json::json!({})).await;
    let (_, body) = laptop.sign_in(auth, "trust@example.com").await;
    assert_eq!(body, serde_json::json!({ "twoFactorRequired": true }));

    // Trust again, then change the password: the device is forgotten.
    let (status, _) = laptop
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code(), "trustDevice": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = laptop
        .post(
            auth,
            "/change-password",
            serde_json::json!({ "currentPassword": PASSWORD, "newPassword": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    laptop.post(auth, "/signout", serde_json::json!({})).await;
    let (_, body) = laptop.sign_in(auth, "trust@example.com").await;
    assert_eq!(body, serde_json::json!({ "twoFactorRequired": true }));
}

#[tokio::test]
async fn signing_out_everywhere_forgets_trusted_devices() {
    let world = world();
    let auth = &world.auth;
    let (mut phone, app, _) = enrolled(&world, "everywhere@example.com").await;
    world.clock.advance(60);
    let mut laptop = Browser::default();
    laptop.sign_in(auth, "everywhere@example.com").await;
    laptop
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code(), "trustDevice": true }),
        )
        .await;
    assert!(laptop.has(DEVICE));
    let (status, _) = phone
        .post(auth, "/sessions/revoke-others", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = laptop.sign_in(auth, "everywhere@example.com").await;
    assert_eq!(body, serde_json::json!({ "twoFactorRequired": true }));
}

#[tokio::test]
async fn signing_out_drops_the_challenge_cookie() {
    let world = world();
    let auth = &world.auth;
    enrolled(&world, "drop@example.com").await;
    let mut browser = Browser::default();
    browser.sign_in(auth, "drop@example.com").await;
    assert!(browser.has(CHALLENGE));
    browser.post(auth, "/signout", serde_json::json!({})).await;
    assert!(!browser.has(CHALLENGE));
}

#[tokio::test]
async fn every_first_factor_stops_at_the_same_door() {
    let world = world();
    let auth = &world.auth;
    enrolled(&world, "door@example.com").await;
    let user = auth
        .adapter()
        .find_user_by_email(&nanoauth::Email::parse("door@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    // Any plugin's sign-in (a magic link here) is challenged...
    let outcome = auth
        .create_session(
            user.clone(),
            ClientInfo::default(),
            SignInMethod::new("magic-link"),
        )
        .await
        .unwrap();
    let SignInOutcome::Challenge(challenge) = outcome else {
        panic!("a magic-link sign-in skipped the second factor");
    };
    // ...and a browser flow is sent to the challenge page, keeping where
    // it was going.
    let redirect = challenge.into_redirect("/dashboard").unwrap();
    assert_eq!(redirect.status(), StatusCode::FOUND);
    // A sign-in that carries its own second factor is let through.
    let outcome = auth
        .create_session(
            user,
            ClientInfo::default(),
            SignInMethod::new("passkey").with_second_factor("user-verification"),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, SignInOutcome::SignedIn(_)));
}

#[tokio::test]
async fn enabling_again_keeps_the_confirmed_secret_until_the_new_one_is_confirmed() {
    let world = world();
    let auth = &world.auth;
    let (mut browser, old_app, _) = enrolled(&world, "again@example.com").await;
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/enable",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let new_app = Authenticator::from_uri(body["totpURI"].as_str().unwrap(), world.clock.clone());
    world.clock.advance(60);

    // Still the old secret at sign-in.
    let mut other = Browser::default();
    other.sign_in(auth, "again@example.com").await;
    let (status, _) = other
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": new_app.code() }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an unconfirmed secret is not in force"
    );
    let (status, _) = other
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": old_app.code() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn disabling_needs_the_password_and_turns_the_challenge_off() {
    let world = world();
    let auth = &world.auth;
    let (mut browser, _, _) = enrolled(&world, "off@example.com").await;
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/disable",
            serde_json::json!({ "password": "wrong password" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "INVALID_PASSWORD");
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/disable",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, serde_json::json!({ "enabled": false }))
    );
    browser.post(auth, "/signout", serde_json::json!({})).await;
    let (_, body) = browser.sign_in(auth, "off@example.com").await;
    assert!(body["token"].is_string());
}

#[tokio::test]
async fn the_stored_secret_is_sealed_not_the_base32_seed() {
    let world = world();
    let auth = &world.auth;
    let (_, app, backup) = enrolled(&world, "sealed@example.com").await;
    let user = auth
        .adapter()
        .find_user_by_email(&nanoauth::Email::parse("sealed@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let record = auth
        .adapter()
        .find_record("two-factor", &user.id, world.clock.now())
        .await
        .unwrap()
        .unwrap();
    let seed = app.secret.to_base32();
    assert!(
        !record.data.contains(seed.as_str()),
        "the seed is stored in clear"
    );
    assert!(!record.data.to_lowercase().contains(&seed.to_lowercase()));
    for code in &backup {
        assert!(
            !record.data.contains(code.as_str()),
            "a backup code is stored in clear"
        );
    }
    let status = auth.two_factor().status(&user).await.unwrap();
    assert!(status.enabled);
}

#[tokio::test]
async fn enabling_needs_a_session() {
    let world = world();
    let mut browser = Browser::default();
    let (status, body) = browser
        .post(
            &world.auth,
            "/two-factor/enable",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    let (status, body) = browser
        .post(
            &world.auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": "123456" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CHALLENGE");
    let (status, _) = browser
        .post(
            &world.auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": 123456 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_magic_link_lands_on_the_challenge_page_without_a_session() {
    let world = world();
    let auth = &world.auth;
    enrolled(&world, "link@example.com").await;
    let mut browser = Browser::default();
    let (status, _) = browser
        .post(
            auth,
            "/signin/magic-link",
            serde_json::json!({ "email": "link@example.com", "callbackURL": "/dashboard" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Links are mailed in the background, after the answer.
    let mut text = None;
    for _ in 0..200 {
        text = world
            .mail
            .lock()
            .unwrap()
            .last()
            .map(|mail| mail.text.clone());
        if text.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let text = text.expect("the link was mailed");
    let link = text
        .split_whitespace()
        .find(|word| word.contains("token="))
        .unwrap()
        .to_owned();
    let token = link
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    let response = browser
        .post_form(
            auth,
            "/magic/verify",
            &format!("token={token}&callbackURL=%2Fdashboard"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, "/two-factor?callbackURL=%2Fdashboard");
    assert!(browser.has(CHALLENGE));
    assert!(!browser.has(SESSION));
    assert!(!browser.signed_in(auth).await);
}

#[tokio::test]
async fn the_sweeper_purges_abandoned_challenges() {
    let world = world();
    let auth = &world.auth;
    enrolled(&world, "abandon@example.com").await;
    let mut browser = Browser::default();
    browser.sign_in(auth, "abandon@example.com").await;
    assert_eq!(auth.purge_expired().await.unwrap().plugins, 0);
    world.clock.advance(5 * 60);
    assert_eq!(auth.purge_expired().await.unwrap().plugins, 1);
}

#[tokio::test]
async fn an_account_without_a_password_uses_a_fresh_session_or_a_code() {
    let world = world();
    let auth = &world.auth;
    let mut browser = signed_up_by_link(&world, "nopass@example.com").await;
    // Freshly signed in: enabling needs no password.
    let (status, body) = browser
        .post(auth, "/two-factor/enable", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = Authenticator::from_uri(body["totpURI"].as_str().unwrap(), world.clock.clone());
    let (status, _) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // An hour later the session is not fresh: disabling needs a code.
    world.clock.advance(3600);
    let (status, body) = browser
        .post(auth, "/two-factor/disable", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "SESSION_NOT_FRESH");
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/disable",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, serde_json::json!({ "enabled": false }))
    );
    // And a stale session cannot turn it on again without signing in.
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/enable",
            serde_json::json!({ "code": "123456" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
