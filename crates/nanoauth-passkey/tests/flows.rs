//! Passkey ceremonies through `Auth::handler`, as a browser drives them,
//! with a software authenticator that signs with real P-256 keys:
//! register, sign in without an address, manage, re-authenticate, and
//! every way an answer can be wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

// Each case runs on every adapter that stores passkeys: `memory::…`,
// `sqlite::…`, `postgres::…`, `mysql::…`.
on_every_adapter!(
    register_then_sign_in_without_an_address,
    stored_facts_and_the_sign_in_method,
    a_response_signed_for_another_origin_is_refused,
    a_trusted_origin_within_the_rp_id_is_accepted_and_others_are_not,
    a_response_for_another_rp_id_is_refused,
    a_challenge_is_used_once,
    a_challenge_expires_after_five_minutes,
    abandoned_ceremonies_are_purged,
    a_counter_that_goes_back_is_refused_and_reported,
    a_counter_of_zero_means_none_and_is_accepted,
    a_tampered_signature_or_client_data_is_refused,
    another_users_passkey_or_a_deleted_one_is_refused,
    list_rename_and_delete,
    the_options_exclude_registered_passkeys,
    none_attestation_is_accepted,
    two_verifications_racing_with_one_challenge_give_one_session,
    a_ceremony_is_bound_to_its_kind_and_user,
    bodies_are_checked,
    a_credential_registered_already_is_a_conflict,
);

use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{BasicUser, Clock};
use nanoauth_passkey::{Passkeys, PasskeysExt, events};
use serde_json::json;

use common::{Browser, Device, ORIGIN, SESSION, TestAdapter, world, world_with};

const SIGNIN_COOKIE: &str = "nanoauth.passkey_signin";

async fn register_then_sign_in_without_an_address<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "ada@example.com").await;
    let mut device = Device::synced();

    // The options ask for a discoverable credential and user verification.
    let (status, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(
        public_key["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(public_key["attestation"], "none");
    assert!(browser.has("nanoauth.passkey_registration"));
    let credential = device.create(ORIGIN, options).await;
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "name": "Laptop", "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["passkey"]["name"], "Laptop");
    assert_eq!(body["passkey"]["id"], credential["id"]);
    assert_eq!(body["passkey"]["createdAt"], common::T0);
    assert_eq!(body["passkey"].as_object().unwrap().len(), 3, "{body}");
    assert!(!browser.has("nanoauth.passkey_registration"), "used up");
    assert_eq!(world.events_named(events::REGISTERED).len(), 1);

    // Another browser, no address typed: the device offers its passkey.
    let mut other = Browser::default();
    let (status, body) = other.sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["token"].is_string());
    assert!(other.has(SESSION));
    assert!(!other.has(SIGNIN_COOKIE), "the ceremony cookie is cleared");
    assert_eq!(
        other.signed_in_as(auth).await.as_deref(),
        Some("ada@example.com")
    );

    let (_, listed) = other.get(auth, "/passkeys").await;
    assert_eq!(
        listed,
        json!([{
            "id": credential["id"],
            "name": "Laptop",
            "createdAt": common::T0,
            "lastUsedAt": common::T0,
        }])
    );
}

async fn stored_facts_and_the_sign_in_method<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let signed_in = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&signed_in);
    auth.on(nanoauth::EventKind::AfterSignIn, move |event, _| {
        let seen = std::sync::Arc::clone(&seen);
        async move {
            if let nanoauth::Event::SignedIn { method, .. } = event {
                seen.lock().unwrap().push(method.to_string());
            }
        }
    });
    let mut browser = Browser::default();
    browser.sign_up(auth, "facts@example.com").await;
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;
    browser.sign_out(auth).await;
    let (status, _) = browser.sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        signed_in.lock().unwrap().last().map(String::as_str),
        Some("passkey+user-verification")
    );

    let user = auth
        .adapter()
        .find_user_by_email(&nanoauth::Email::parse("facts@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let passkeys = auth.passkeys().list(&user).await.unwrap();
    assert_eq!(passkeys.len(), 1);
    let passkey = &passkeys[0];
    assert_eq!(passkey.name, "Passkey", "the default name");
    assert_eq!(passkey.aaguid, "00000000-0000-0000-0000-000000000000");
    assert_eq!(passkey.transports, ["internal", "hybrid"]);
    assert_eq!(passkey.last_used_at, Some(common::T0));
}

async fn a_response_signed_for_another_origin_is_refused<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "origin@example.com").await;
    let mut device = Device::synced();

    // Registration from a page on another origin (same RP id, other port).
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let credential = device.create("http://localhost:4000", options).await;
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "PASSKEY_REGISTRATION_FAILED");

    browser.register(auth, &mut device, None).await;
    let (_, options) = browser
        .post(auth, "/passkey/signin/options", json!({}))
        .await;
    let credential = device.get("http://localhost:4000", options).await;
    let (status, body) = browser
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}

async fn a_trusted_origin_within_the_rp_id_is_accepted_and_others_are_not<
    A: TestAdapter + 'static,
>(
    adapter: A,
) {
    // `app.localhost` is trusted by the `Auth` and within the RP id;
    // `web.localhost` is within the RP id but not trusted.
    let world = world_with(adapter, Passkeys::new("NanoAuth Test"), |builder| {
        builder.trusted_origin("http://app.localhost:3000")
    });
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "trusted@example.com").await;
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;

    let mut app = Browser {
        origin: "http://app.localhost:3000".to_owned(),
        ..Browser::default()
    };
    let (status, body) = app.sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut web = Browser::default();
    let (_, options) = web.post(auth, "/passkey/signin/options", json!({})).await;
    let credential = device.get("http://web.localhost:3000", options).await;
    let (status, body) = web
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");

    let rp = auth.passkeys().relying_party().unwrap();
    assert_eq!(rp.id, "localhost");
    assert_eq!(rp.origins, [ORIGIN]);
}

async fn a_response_for_another_rp_id_is_refused<A: TestAdapter + 'static>(adapter: A) {
    // The site is app.example.com with RP id app.example.com; a page there
    // may use the parent domain as RP id, and the authenticator then signs
    // for example.com: not ours.
    let world = world_with(adapter, Passkeys::new("NanoAuth Test"), |builder| {
        builder.base_url("https://app.example.com")
    });
    let auth = &world.auth;
    let origin = "https://app.example.com";
    let mut browser = Browser {
        origin: origin.to_owned(),
        ..Browser::default()
    };
    browser.sign_up(auth, "rp@example.com").await;
    let cookie = |browser: &Browser| browser.cookies.keys().any(|name| name.contains("session"));
    assert!(cookie(&browser));
    let mut device = Device::synced();

    let (_, mut options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    options["publicKey"]["rp"]["id"] = json!("example.com");
    let credential = device.create(origin, options).await;
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "PASSKEY_REGISTRATION_FAILED");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("RP id"),
        "{body}"
    );

    // A registered passkey, moved to the parent domain by a cloned
    // authenticator: its signature is for the wrong RP id.
    let (status, body) = browser.register(auth, &mut device, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for key in device.keys.0.lock().unwrap().iter_mut() {
        key.rp_id = "example.com".to_owned();
    }
    let (_, mut options) = browser
        .post(auth, "/passkey/signin/options", json!({}))
        .await;
    options["publicKey"]["rpId"] = json!("example.com");
    let credential = device.get(origin, options).await;
    let (status, body) = browser
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}

async fn a_challenge_is_used_once<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "replay@example.com").await;
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;
    browser.sign_out(auth).await;

    let credential = browser.sign_in_assertion(auth, &mut device).await;
    let jar = browser.cookies.clone();
    let (status, _) = browser
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The same answer with the same cookie, replayed.
    let mut replay = Browser {
        cookies: jar,
        ..Browser::default()
    };
    replay.cookies.remove(SESSION);
    let (status, body) = replay
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");

    // With a new ceremony's cookie, the old answer signs the wrong
    // challenge.
    let mut fresh = Browser::default();
    fresh.post(auth, "/passkey/signin/options", json!({})).await;
    let (status, body) = fresh
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");

    // Without any cookie.
    let (status, body) = Browser::default()
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");
}

async fn a_challenge_expires_after_five_minutes<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "expiry@example.com").await;
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;

    let mut late = Browser::default();
    let credential = late.sign_in_assertion(auth, &mut device).await;
    world.clock.advance(5 * 60);
    let (status, body) = late
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");

    // Just in time works.
    let mut timely = Browser::default();
    let credential = timely.sign_in_assertion(auth, &mut device).await;
    world.clock.advance(5 * 60 - 1);
    let (status, body) = timely
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An expired registration too; the purge removes abandoned ones.
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    world.clock.advance(301);
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");
}

async fn abandoned_ceremonies_are_purged<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    for _ in 0..3 {
        Browser::default()
            .post(auth, "/passkey/signin/options", json!({}))
            .await;
    }
    world.clock.advance(299);
    let purged = auth.purge_expired().await.unwrap();
    assert_eq!(purged.plugins, 0, "{purged:?}");
    world.clock.advance(1);
    let purged = auth.purge_expired().await.unwrap();
    assert!(purged.plugins >= 3, "{purged:?}");
}

async fn a_counter_that_goes_back_is_refused_and_reported<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "clone@example.com").await;
    let mut device = Device::counting();
    browser.register(auth, &mut device, None).await;

    // Counters 1 and 2: accepted.
    for _ in 0..2 {
        let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A clone of the authenticator taken at counter 1 signs with 2 again.
    device.set_counter(Some(1));
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
    let reported = world.events_named(events::COUNTER_REGRESSED);
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0].data["stored"], 2);
    assert_eq!(reported[0].data["received"], 2);

    // The real one goes on from 3.
    device.set_counter(Some(2));
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_counter_of_zero_means_none_and_is_accepted<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "synced@example.com").await;
    // Synced passkeys keep no counter: always 0.
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;
    for _ in 0..3 {
        let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A counting authenticator that starts reporting 0 (its key synced)
    // is accepted too.
    let mut counting = Device::counting();
    let mut other = Browser::default();
    other.sign_up(auth, "counting@example.com").await;
    other.register(auth, &mut counting, None).await;
    for _ in 0..2 {
        let (status, _) = Browser::default().sign_in_with(auth, &mut counting).await;
        assert_eq!(status, StatusCode::OK);
    }
    counting.set_counter(None);
    let (status, body) = Browser::default().sign_in_with(auth, &mut counting).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(world.events_named(events::COUNTER_REGRESSED).is_empty());
}

async fn a_tampered_signature_or_client_data_is_refused<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "tamper@example.com").await;
    let mut device = Device::synced();
    browser.register(auth, &mut device, None).await;

    let mut attacker = Browser::default();
    let mut credential = attacker.sign_in_assertion(auth, &mut device).await;
    let signature = credential["response"]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    // Flip one bit of the DER signature's last byte (decoded and encoded
    // again: editing the text could make base64 the parser refuses, a 400).
    let mut tampered = base64_decode(&signature);
    *tampered.last_mut().unwrap() ^= 1;
    credential["response"]["signature"] = json!(base64_encode(&tampered));
    let (status, body) = attacker
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
    assert_eq!(attacker.signed_in_as(auth).await, None);

    // Client data rewritten to claim another challenge's ceremony.
    let mut credential = attacker.sign_in_assertion(auth, &mut device).await;
    let client_data = credential["response"]["clientDataJSON"].as_str().unwrap();
    let decoded = base64_decode(client_data);
    let text = String::from_utf8(decoded)
        .unwrap()
        .replace("webauthn.get", "webauthn.create");
    credential["response"]["clientDataJSON"] = json!(base64_encode(text.as_bytes()));
    let (status, body) = attacker
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}

async fn another_users_passkey_or_a_deleted_one_is_refused<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut ada = Browser::default();
    ada.sign_up(auth, "ada@example.com").await;
    let mut adas_device = Device::synced();
    ada.register(auth, &mut adas_device, Some("Ada's phone"))
        .await;
    let mut bob = Browser::default();
    bob.sign_up(auth, "bob@example.com").await;
    let mut bobs_device = Device::synced();
    bob.register(auth, &mut bobs_device, None).await;

    // Bob's assertion, for this very ceremony, claiming Ada's user handle:
    // the credential is not hers.
    let adas_handle = Browser::default()
        .sign_in_assertion(auth, &mut adas_device)
        .await["response"]["userHandle"]
        .clone();
    let mut attacker = Browser::default();
    let mut credential = attacker.sign_in_assertion(auth, &mut bobs_device).await;
    assert_ne!(credential["response"]["userHandle"], adas_handle);
    credential["response"]["userHandle"] = adas_handle;
    let (status, body) = attacker
        .post(auth, "/signin/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
    assert_eq!(attacker.signed_in_as(auth).await, None);

    // Bob cannot rename or delete Ada's passkey.
    let (_, adas) = ada.get(auth, "/passkeys").await;
    let adas_id = adas[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = bob
        .post(
            auth,
            "/passkey/rename",
            json!({ "id": adas_id, "name": "mine now" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "PASSKEY_NOT_FOUND");
    let (status, _) = bob
        .post(auth, "/passkey/delete", json!({ "id": adas_id }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, adas) = ada.get(auth, "/passkeys").await;
    assert_eq!(adas[0]["name"], "Ada's phone");

    // Ada deletes her passkey: the device still offers it; it is refused.
    let (status, body) = ada
        .post(auth, "/passkey/delete", json!({ "id": adas_id }))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    assert_eq!(world.events_named(events::DELETED).len(), 1);
    assert_eq!(adas_device.key_count(), 1);
    let (status, body) = Browser::default()
        .sign_in_with(auth, &mut adas_device)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}

async fn list_rename_and_delete<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "owner@example.com").await;
    let mut phone = Device::synced();
    let mut key = Device::counting();
    let (status, first) = browser.register(auth, &mut phone, Some("Phone")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    world.clock.advance(10);
    let (status, second) = browser.register(auth, &mut key, Some("  Key  ")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["passkey"]["name"], "Key", "trimmed");

    let (status, listed) = browser.get(auth, "/passkeys").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|passkey| passkey["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Phone", "Key"], "oldest first");
    assert!(listed[0]["lastUsedAt"].is_null());

    let id = first["passkey"]["id"].as_str().unwrap();
    let (status, body) = browser
        .post(
            auth,
            "/passkey/rename",
            json!({ "id": id, "name": "Old phone" }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    for name in ["", "   ", &"x".repeat(65)] {
        let (status, body) = browser
            .post(auth, "/passkey/rename", json!({ "id": id, "name": name }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name:?}");
        assert_eq!(body["error"]["code"], "INVALID_PASSKEY_NAME");
    }
    let (status, _) = browser
        .post(
            auth,
            "/passkey/rename",
            json!({ "id": "nope", "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = browser
        .post(auth, "/passkey/delete", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = browser
        .post(auth, "/passkey/delete", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleted once: {body}");
    let (_, listed) = browser.get(auth, "/passkeys").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "Key");

    // Signed out: none of it.
    browser.sign_out(auth).await;
    let (status, body) = browser.get(auth, "/passkeys").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_options_exclude_registered_passkeys<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "twice@example.com").await;
    let mut device = Device::synced();
    let (_, registered) = browser.register(auth, &mut device, None).await;

    // The options list it, so that an authenticator holding it makes no
    // second one for this account (CTAP2 `excludeList`), and with the same
    // user handle, so that one holding an older key replaces it.
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let excluded = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["id"], registered["passkey"]["id"]);
    let (_, first) = browser
        .post(auth, "/passkey/signin/options", json!({}))
        .await;
    let handle = device.get(ORIGIN, first).await["response"]["userHandle"].clone();
    assert_eq!(options["publicKey"]["user"]["id"], handle);
}

async fn none_attestation_is_accepted<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "none@example.com").await;
    let mut device = Device::synced();
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let credential = device.create(ORIGIN, options).await;
    // The authenticator's attestation statement format is "none".
    let object = base64_decode(
        credential["response"]["attestationObject"]
            .as_str()
            .unwrap(),
    );
    let needle = b"fmt";
    assert!(object.windows(needle.len()).any(|w| w == needle));
    assert!(object.windows(4).any(|w| w == b"none"), "fmt none");
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn two_verifications_racing_with_one_challenge_give_one_session<A: TestAdapter + 'static>(
    adapter: A,
) {
    // The memory store answers without yielding, so these tasks may well
    // run one after the other; the interleaving itself (both read the
    // ceremony, one delete wins) is exercised over SQLite, in
    // `tests/sql.rs`, where taking the ceremony without its delete's
    // answer fails the test.
    let world = world(adapter);
    let auth = world.auth.clone();
    let mut browser = Browser::default();
    browser.sign_up(&auth, "race@example.com").await;
    let mut device = Device::synced();
    browser.register(&auth, &mut device, None).await;

    for _ in 0..10 {
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
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().0);
        }
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::UNAUTHORIZED],
            "exactly one wins"
        );
    }

    // And for registration: one ceremony, two verifications, one passkey.
    let (_, options) = browser
        .post(&auth, "/passkey/register/options", json!({}))
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let auth = auth.clone();
            let mut racer = Browser {
                cookies: browser.cookies.clone(),
                ..Browser::default()
            };
            let credential = credential.clone();
            tokio::spawn(async move {
                racer
                    .post(
                        &auth,
                        "/passkey/register/verify",
                        json!({ "credential": credential }),
                    )
                    .await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().0);
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED]);
    let (_, listed) = browser.get(&auth, "/passkeys").await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

async fn a_ceremony_is_bound_to_its_kind_and_user<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut ada = Browser::default();
    ada.sign_up(auth, "ada@example.com").await;
    let mut device = Device::synced();
    ada.register(auth, &mut device, None).await;

    // Ada's registration ceremony, finished in Bob's session.
    let (_, options) = ada.post(auth, "/passkey/register/options", json!({})).await;
    let credential = Device::synced().create(ORIGIN, options).await;
    let mut bob = Browser::default();
    bob.sign_up(auth, "bob@example.com").await;
    let registration = ada.cookies["nanoauth.passkey_registration"].clone();
    bob.cookies
        .insert("nanoauth.passkey_registration".to_owned(), registration);
    let (status, body) = bob
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");

    // A sign-in ceremony's cookie under the registration's name.
    let mut mixed = Browser::default();
    let assertion = mixed.sign_in_assertion(auth, &mut device).await;
    let value = mixed.cookies.remove(SIGNIN_COOKIE).unwrap();
    ada.cookies
        .insert("nanoauth.passkey_registration".to_owned(), value);
    let (status, body) = ada
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": assertion }),
        )
        .await;
    assert!(status.is_client_error(), "{status} {body}");
}

async fn bodies_are_checked<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    let (status, body) = browser
        .post(
            auth,
            "/passkey/signin/options",
            json!({ "email": "x@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = browser
        .post(
            auth,
            "/signin/passkey",
            json!({ "credential": { "id": "x" } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_BODY");
    // No body at all is `{}`.
    let request = http::Request::post("/api/auth/passkey/signin/options")
        .header("origin", ORIGIN)
        .body(String::new())
        .unwrap();
    let response = browser.send(auth, request).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_ip_address_base_url_is_a_clear_configuration_error() {
    let world = world_with(
        MemoryAdapter::<BasicUser>::new(),
        Passkeys::new("NanoAuth Test"),
        |builder| builder.base_url("http://127.0.0.1:3000"),
    );
    let error = world.auth.passkeys().relying_party().unwrap_err();
    let detail = std::error::Error::source(&error).unwrap().to_string();
    assert!(detail.contains("localhost"), "{detail}");
    let mut browser = Browser {
        origin: "http://127.0.0.1:3000".to_owned(),
        ..Browser::default()
    };
    let (status, _) = browser
        .post(&world.auth, "/passkey/signin/options", json!({}))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);

    // An RP id that does not contain the host is refused the same way.
    let world = world_with(
        MemoryAdapter::<BasicUser>::new(),
        Passkeys::new("NanoAuth Test").rp_id("example.com"),
        |builder| builder,
    );
    assert!(world.auth.passkeys().relying_party().is_err());
    let _ = world.clock.now();
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn a_credential_registered_already_is_a_conflict<A: TestAdapter + 'static>(adapter: A) {
    let world = world(adapter);
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser.sign_up(auth, "conflict@example.com").await;
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    // The same credential id, already stored (another account registered
    // it first): the store's unique key decides.
    let id = credential["id"].as_str().unwrap();
    let mut other = Browser::default();
    other.sign_up(auth, "first@example.com").await;
    let first = auth
        .adapter()
        .find_user_by_email(&nanoauth::Email::parse("first@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let taken = nanoauth::PluginRecord::new("passkey", id, "{}").owned_by(first.id);
    nanoauth::RecordAdapter::insert_record(auth.adapter(), &taken, auth.now())
        .await
        .unwrap();
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "PASSKEY_ALREADY_REGISTERED");
    assert!(world.events_named(events::REGISTERED).is_empty());
}
