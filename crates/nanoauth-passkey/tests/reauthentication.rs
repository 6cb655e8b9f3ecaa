//! Assert-only re-authentication (better-auth #5099): a signed-in user
//! confirms it is them with a passkey, and no new session is made; the
//! freshness it gives, with the session cache on (better-auth #1297).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{Adapter, AuthUser, BasicUser, Endpoint, EndpointRequest, Plugin, Reply};
use nanoauth_passkey::{Passkeys, PasskeysExt};
use serde_json::json;

use common::{Browser, Device, ORIGIN, SESSION, T0, World, world_with};

const ELEVEN_MINUTES: u64 = 11 * 60;

fn cached_world() -> World<MemoryAdapter<BasicUser>> {
    world_with(
        MemoryAdapter::new(),
        Passkeys::new("NanoAuth Test"),
        |builder| builder.session_cache(60),
    )
}

async fn reauthenticate(
    browser: &mut Browser,
    world: &World<MemoryAdapter<BasicUser>>,
    device: &mut Device,
) -> (StatusCode, serde_json::Value) {
    let auth = &world.auth;
    let (status, options) = browser
        .post(auth, "/passkey/verify/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let credential = device.get(ORIGIN, options).await;
    browser
        .post(auth, "/passkey/verify", json!({ "credential": credential }))
        .await
}

#[tokio::test]
async fn a_passkey_makes_an_old_session_fresh_without_a_new_one() {
    let world = cached_world();
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "fresh@example.com").await;
    let mut device = Device::synced();

    // Just signed in (and the session cached): fresh, registering works.
    assert_eq!(
        browser.signed_in_as(auth).await.as_deref(),
        Some("fresh@example.com")
    );
    let (status, body) = browser.register(auth, &mut device, Some("Phone")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Eleven minutes on, the session is no longer fresh.
    world.clock.advance(ELEVEN_MINUTES);
    let (status, body) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "SESSION_NOT_FRESH");

    // The passkey confirms it is them; the session stays the same.
    let token_before = browser.cookies[SESSION].clone();
    let (status, options) = browser
        .post(auth, "/passkey/verify/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let allowed = options["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1, "the user's own passkeys: {options}");
    let credential = device.get(ORIGIN, options).await;
    let (status, body) = browser
        .post(auth, "/passkey/verify", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["verifiedAt"], T0 + ELEVEN_MINUTES);
    assert_eq!(body["passkey"]["name"], "Phone");
    assert_eq!(browser.cookies[SESSION], token_before, "no new session");
    let (_, sessions) = browser.get(auth, "/sessions").await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");

    // Fresh again, for registering and through the export.
    let (status, body) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = http::Request::get("/")
        .header("cookie", format!("{SESSION}={token_before}"))
        .body(())
        .unwrap();
    let session = auth.get_session(&request).await.unwrap().unwrap();
    assert_eq!(
        auth.passkeys().reauthenticated_at(&session).await.unwrap(),
        Some(T0 + ELEVEN_MINUTES)
    );
    assert!(auth.passkeys().is_fresh(&session).await.unwrap());
    assert!(!auth.is_fresh(&session), "the core's own rule is unchanged");

    // For the fresh age only.
    world.clock.advance(ELEVEN_MINUTES);
    assert!(!auth.passkeys().is_fresh(&session).await.unwrap());
    let (status, _) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reauthentication_is_bound_to_its_session_and_user() {
    let world = cached_world();
    let auth = &world.auth;
    let mut ada = Browser::default();
    ada.sign_up(auth, "ada@example.com").await;
    let mut adas_device = Device::synced();
    ada.register(auth, &mut adas_device, None).await;

    // Ada's answer, presented in her other session: refused (the ceremony
    // belongs to the session that started it).
    let (_, options) = ada.post(auth, "/passkey/verify/options", json!({})).await;
    let credential = adas_device.get(ORIGIN, options).await;
    let mut elsewhere = Browser::default();
    elsewhere
        .post(
            auth,
            "/signin/email",
            json!({ "email": "ada@example.com", "password": common::PASSWORD }),
        )
        .await;
    elsewhere.cookies.insert(
        "nanoauth.passkey_reauth".to_owned(),
        ada.cookies["nanoauth.passkey_reauth"].clone(),
    );
    let (status, body) = elsewhere
        .post(auth, "/passkey/verify", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");

    // Bob's passkey does not confirm Ada: her options list only hers, and
    // Bob's credential answering them is refused.
    let mut bob = Browser::default();
    bob.sign_up(auth, "bob@example.com").await;
    let mut bobs_device = Device::synced();
    bob.register(auth, &mut bobs_device, None).await;
    let (_, options) = ada.post(auth, "/passkey/verify/options", json!({})).await;
    assert!(bobs_device.try_get(ORIGIN, options.clone()).await.is_err());
    let mut bobs_answer = {
        let (_, own) = bob.post(auth, "/passkey/verify/options", json!({})).await;
        bobs_device.get(ORIGIN, own).await
    };
    // Put Bob's assertion into Ada's ceremony (it signs Bob's challenge, and
    // names Bob's credential): refused.
    bobs_answer["response"]["userHandle"] = serde_json::Value::Null;
    let (status, body) = ada
        .post(
            auth,
            "/passkey/verify",
            json!({ "credential": bobs_answer }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");

    // A passkey deleted between options and answer is refused.
    let (_, listed) = ada.get(auth, "/passkeys").await;
    let (_, options) = ada.post(auth, "/passkey/verify/options", json!({})).await;
    let credential = adas_device.get(ORIGIN, options).await;
    ada.post(auth, "/passkey/delete", json!({ "id": listed[0]["id"] }))
        .await;
    let (status, body) = ada
        .post(auth, "/passkey/verify", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");

    // Without passkeys there is nothing to verify with.
    let (status, body) = ada.post(auth, "/passkey/verify/options", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "NO_PASSKEYS");
    // Signed out: nothing to confirm.
    let (status, _) = Browser::default()
        .post(auth, "/passkey/verify/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_second_reauthentication_moves_the_time_on() {
    let world = cached_world();
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "again@example.com").await;
    let mut device = Device::counting();
    browser.register(auth, &mut device, None).await;
    let (status, first) = reauthenticate(&mut browser, &world, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    world.clock.advance(120);
    let (status, second) = reauthenticate(&mut browser, &world, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["verifiedAt"], T0 + 120);
    let (_, listed) = browser.get(auth, "/passkeys").await;
    assert_eq!(listed[0]["lastUsedAt"], T0 + 120);
}

/// A sensitive route of another plugin, guarded by the core's own
/// freshness rule (`require_fresh_session`), as linking a provider is.
#[derive(Debug)]
struct Sensitive;

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Sensitive {
    fn name(&self) -> &'static str {
        "sensitive"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![Endpoint::post(
            "/sensitive",
            |request: EndpointRequest<U, A>| async move {
                request.require_fresh_session().await?;
                Ok(Reply::success())
            },
        )]
    }
}

#[tokio::test]
async fn the_cores_fresh_session_rule_takes_a_passkey_reauthentication() {
    let world = world_with(
        MemoryAdapter::new(),
        Passkeys::new("NanoAuth Test"),
        |builder| builder.session_cache(60).plugin(Sensitive),
    );
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "core@example.com").await;
    let mut device = Device::synced();
    let (status, body) = browser.register(auth, &mut device, Some("Phone")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        browser.post(auth, "/sensitive", json!({})).await.0,
        StatusCode::OK
    );

    world.clock.advance(ELEVEN_MINUTES);
    let (status, body) = browser.post(auth, "/sensitive", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "SESSION_NOT_FRESH");

    let (status, body) = reauthenticate(&mut browser, &world, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        browser.post(auth, "/sensitive", json!({})).await.0,
        StatusCode::OK
    );

    // The re-authentication ages like a sign-in.
    world.clock.advance(ELEVEN_MINUTES);
    assert_eq!(
        browser.post(auth, "/sensitive", json!({})).await.0,
        StatusCode::FORBIDDEN
    );
}
