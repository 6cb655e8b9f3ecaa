//! A passkey sign-in of a user with two-factor on: a passkey with user
//! verification is multi-factor by itself, so the two-factor guard lets it
//! through; with `counts_as_second_factor(false)` it is a first factor
//! and the user is asked for their code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{BasicUser, Clock};
use nanoauth_passkey::Passkeys;
use nanoauth_two_factor::TwoFactor;
use nanoauth_two_factor::uri::parse_otpauth_uri;
use serde_json::json;

use common::{Browser, Device, PASSWORD, SESSION, World, world_with};

/// A user with a passkey and an authenticator app confirmed; returns the
/// app's secret and TOTP settings.
async fn enrolled(
    world: &World<MemoryAdapter<BasicUser>>,
    device: &mut Device,
) -> nanoauth_two_factor::uri::OtpauthUri {
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "mfa@example.com").await;
    let (status, body) = browser.register(auth, device, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = browser
        .post(auth, "/two-factor/enable", json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let app = parse_otpauth_uri(body["totpURI"].as_str().unwrap()).unwrap();
    let code = app.totp.generate(&app.secret, world.clock.now());
    let (status, body) = browser
        .post(auth, "/two-factor/verify-totp", json!({ "code": code }))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "enabled": true })));

    // The password alone is not enough any more.
    let mut other = Browser::default();
    let (_, body) = other
        .post(
            auth,
            "/signin/email",
            json!({ "email": "mfa@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(body, json!({ "twoFactorRequired": true }));
    app
}

fn two_factor_world(passkeys: Passkeys) -> World<MemoryAdapter<BasicUser>> {
    world_with(MemoryAdapter::new(), passkeys, |builder| {
        builder.plugin(TwoFactor::new("NanoAuth Test"))
    })
}

#[tokio::test]
async fn a_passkey_with_user_verification_is_the_second_factor() {
    let world = two_factor_world(Passkeys::new("NanoAuth Test"));
    let auth = &world.auth;
    let mut device = Device::synced();
    enrolled(&world, &mut device).await;

    let mut browser = Browser::default();
    let (status, body) = browser.sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "mfa@example.com");
    assert!(browser.has(SESSION));
    assert!(!browser.has("nanoauth.two_factor"), "no challenge");
}

#[tokio::test]
async fn when_it_does_not_count_the_user_is_challenged() {
    let world = two_factor_world(Passkeys::new("NanoAuth Test").counts_as_second_factor(false));
    let auth = &world.auth;
    let mut device = Device::synced();
    let app = enrolled(&world, &mut device).await;

    let mut browser = Browser::default();
    let (status, body) = browser.sign_in_with(auth, &mut device).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "twoFactorRequired": true }))
    );
    assert!(!browser.has(SESSION), "no session before the code");
    assert!(browser.has("nanoauth.two_factor"));
    assert_eq!(browser.signed_in_as(auth).await, None);

    // The code finishes the passkey's sign-in.
    world.clock.advance(30);
    let code = app.totp.generate(&app.secret, world.clock.now());
    let (status, body) = browser
        .post(auth, "/two-factor/verify-totp", json!({ "code": code }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        browser.signed_in_as(auth).await.as_deref(),
        Some("mfa@example.com")
    );
}
