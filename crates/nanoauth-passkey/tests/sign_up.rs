//! Passkey-first sign-up (`PasskeySignUp`): a new person creates an account
//! with a passkey alone, in one transaction with the passkey, and is signed
//! in; a taken address, a replayed ceremony and bad input write nothing.
//! Every case runs on every adapter that stores passkeys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::{BasicUser, BoxFuture, Email, Event, EventKind};
use nanoauth_passkey::{PasskeySignUp, Passkeys, PasskeysExt, events};
use serde_json::{Value, json};

use common::{Browser, Device, ORIGIN, SESSION, TestAdapter, World, world_with};

on_every_adapter!(
    a_new_person_signs_up_with_a_passkey_alone,
    a_taken_address_is_refused_and_nothing_is_written,
    with_verification_required_a_taken_address_answers_like_a_new_one,
    the_ceremony_is_used_once_and_only_for_sign_up,
    bad_input_is_refused_before_any_ceremony,
);

const SIGNUP_COOKIE: &str = "nanoauth.passkey_signup";

/// Mail kept in memory.
#[derive(Debug, Default, Clone)]
struct Outbox(Arc<Mutex<Vec<OutgoingEmail>>>);

impl EmailSender for Outbox {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async move {
            self.0.lock().unwrap().push(message.clone());
            Ok(())
        })
    }
}

impl Outbox {
    /// The messages to `to`, waiting a little for mail sent in the
    /// background.
    async fn to(&self, to: &str, expected: usize) -> Vec<OutgoingEmail> {
        for _ in 0..100 {
            let found: Vec<_> = self
                .0
                .lock()
                .unwrap()
                .iter()
                .filter(|mail| mail.to.as_str() == to)
                .cloned()
                .collect();
            if found.len() >= expected {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("fewer than {expected} mails to {to}");
    }
}

fn sign_up_world<A: TestAdapter>(adapter: A, outbox: &Outbox, required: bool) -> World<A> {
    let mut verification = EmailVerification::new(outbox.clone());
    if required {
        verification = verification.require_verified_sign_in();
    }
    world_with(adapter, Passkeys::new("NanoAuth Test"), |builder| {
        builder.plugin(verification).plugin(PasskeySignUp::new())
    })
}

/// Options for `email` (and `fields`), the device's answer, and the
/// verification; the browser keeps the cookies.
async fn sign_up_with<A: TestAdapter>(
    browser: &mut Browser,
    world: &World<A>,
    device: &mut Device,
    mut body: Value,
) -> (StatusCode, Value) {
    let (status, options) = browser
        .post(&world.auth, "/passkey/signup/options", body.take())
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert!(browser.has(SIGNUP_COOKIE));
    let credential = device.create(ORIGIN, options).await;
    browser
        .post(
            &world.auth,
            "/signup/passkey",
            json!({ "name": "Phone", "credential": credential }),
        )
        .await
}

async fn user<A: TestAdapter>(world: &World<A>, email: &str) -> Option<BasicUser> {
    world
        .auth
        .adapter()
        .find_user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
}

async fn a_new_person_signs_up_with_a_passkey_alone<A: TestAdapter + 'static>(adapter: A) {
    let outbox = Outbox::default();
    let world = sign_up_world(adapter, &outbox, false);
    let auth = &world.auth;
    let signed_up = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&signed_up);
    auth.on(EventKind::AfterSignUp, move |event, _| {
        let seen = Arc::clone(&seen);
        async move {
            if let Event::SignedUp { user } = event {
                seen.lock().unwrap().push(user.email);
            }
        }
    });
    let mut browser = Browser::default();
    let mut device = Device::synced();

    let (status, options) = browser
        .post(
            auth,
            "/passkey/signup/options",
            json!({ "email": "new@example.com", "name": "Grace" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let public_key = &options["publicKey"];
    assert_eq!(public_key["user"]["name"], "new@example.com");
    assert_eq!(
        public_key["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert!(
        user(&world, "new@example.com").await.is_none(),
        "nothing but the ceremony before the answer"
    );
    let credential = device.create(ORIGIN, options).await;
    let (status, body) = browser
        .post(
            auth,
            "/signup/passkey",
            json!({ "name": "Phone", "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "new@example.com");
    assert_eq!(body["user"]["name"], "Grace");
    assert!(body["token"].is_string());
    assert!(browser.has(SESSION));
    assert!(
        !browser.has(SIGNUP_COOKIE),
        "the ceremony cookie is cleared"
    );
    assert_eq!(
        browser.signed_in_as(auth).await.as_deref(),
        Some("new@example.com")
    );
    assert_eq!(*signed_up.lock().unwrap(), ["new@example.com"]);
    assert_eq!(world.events_named(events::REGISTERED).len(), 1);

    // The account has the passkey and no password; its address is not
    // verified yet, and the verification link is on its way.
    let created = user(&world, "new@example.com").await.unwrap();
    let passkeys = auth.passkeys().list(&created).await.unwrap();
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0].name, "Phone");
    assert_eq!(passkeys[0].id, credential["id"]);
    assert!(
        auth.adapter()
            .find_password_credential(&Email::parse("new@example.com").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(!auth.adapter().is_email_verified(&created.id).await.unwrap());
    assert_eq!(outbox.to("new@example.com", 1).await.len(), 1);

    // Signed out, the passkey signs them in again, with no address typed.
    browser.sign_out(auth).await;
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], created.id.as_str());
}

async fn a_taken_address_is_refused_and_nothing_is_written<A: TestAdapter + 'static>(adapter: A) {
    let outbox = Outbox::default();
    let world = sign_up_world(adapter, &outbox, false);
    let auth = &world.auth;
    Browser::default().sign_up(auth, "taken@example.com").await;
    let owner = user(&world, "taken@example.com").await.unwrap();

    let mut browser = Browser::default();
    let mut device = Device::synced();
    let (status, body) = sign_up_with(
        &mut browser,
        &world,
        &mut device,
        json!({ "email": "Taken@Example.com" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "USER_ALREADY_EXISTS");
    assert!(!browser.has(SESSION));
    assert!(world.events_named(events::REGISTERED).is_empty());
    assert!(auth.passkeys().list(&owner).await.unwrap().is_empty());
    // The device's new credential was not stored for anyone.
    let (status, body) = Browser::default().sign_in_with(auth, &mut device).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY");
}

async fn with_verification_required_a_taken_address_answers_like_a_new_one<
    A: TestAdapter + 'static,
>(
    adapter: A,
) {
    let outbox = Outbox::default();
    let world = sign_up_world(adapter, &outbox, true);
    let auth = &world.auth;
    let taken = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&taken);
    auth.on(EventKind::OnEmailTaken, move |event, _| {
        let seen = Arc::clone(&seen);
        async move {
            if let Event::EmailTaken { email } = event {
                seen.lock().unwrap().push(email.as_str().to_owned());
            }
        }
    });
    // The owner of `taken@` signed up with a password (and, required to
    // verify, has no session).
    Browser::default()
        .post(
            auth,
            "/signup/email",
            json!({ "email": "taken@example.com", "password": common::PASSWORD }),
        )
        .await;

    let (fresh_status, fresh) = sign_up_with(
        &mut Browser::default(),
        &world,
        &mut Device::synced(),
        json!({ "email": "fresh@example.com" }),
    )
    .await;
    let mut browser = Browser::default();
    let (taken_status, answer) = sign_up_with(
        &mut browser,
        &world,
        &mut Device::synced(),
        json!({ "email": "taken@example.com" }),
    )
    .await;
    assert_eq!(fresh_status, StatusCode::OK, "{fresh}");
    assert_eq!(taken_status, fresh_status);
    assert_eq!(fresh, json!({ "user": null, "token": null }));
    assert_eq!(answer, fresh, "the answers are the same");
    assert!(!browser.has(SESSION));
    assert_eq!(*taken.lock().unwrap(), ["taken@example.com"]);

    // The new account exists with its passkey, waiting for its link.
    let created = user(&world, "fresh@example.com").await.unwrap();
    assert_eq!(auth.passkeys().list(&created).await.unwrap().len(), 1);
    assert_eq!(outbox.to("fresh@example.com", 1).await.len(), 1);
    let owner = user(&world, "taken@example.com").await.unwrap();
    assert!(auth.passkeys().list(&owner).await.unwrap().is_empty());
}

async fn the_ceremony_is_used_once_and_only_for_sign_up<A: TestAdapter + 'static>(adapter: A) {
    let outbox = Outbox::default();
    let world = sign_up_world(adapter, &outbox, false);
    let auth = &world.auth;
    let mut device = Device::synced();

    // Two verifications racing with one ceremony: one account, one refusal.
    let mut starter = Browser::default();
    let (_, options) = starter
        .post(
            auth,
            "/passkey/signup/options",
            json!({ "email": "race@example.com" }),
        )
        .await;
    let credential = device.create(ORIGIN, options).await;
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let auth = auth.clone();
            let mut racer = Browser {
                cookies: starter.cookies.clone(),
                ..Browser::default()
            };
            let credential = credential.clone();
            tokio::spawn(async move {
                let (status, body) = racer
                    .post(
                        &auth,
                        "/signup/passkey",
                        json!({ "credential": credential }),
                    )
                    .await;
                (status, body["error"]["code"].clone())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(
        answers,
        [
            (StatusCode::OK, Value::Null),
            (StatusCode::UNAUTHORIZED, json!("INVALID_PASSKEY_CHALLENGE"))
        ]
    );

    // A sign-up ceremony does not finish a registration of a signed-in
    // user, nor does a registration's cookie finish a sign-up.
    let mut browser = Browser::default();
    browser.sign_up(auth, "member@example.com").await;
    let (_, options) = browser
        .post(
            auth,
            "/passkey/signup/options",
            json!({ "email": "other@example.com" }),
        )
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    let signup = browser.cookies.remove(SIGNUP_COOKIE).unwrap();
    browser
        .cookies
        .insert("nanoauth.passkey_registration".to_owned(), signup);
    let (status, body) = browser
        .post(
            auth,
            "/passkey/register/verify",
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");
    let (_, options) = browser
        .post(auth, "/passkey/register/options", json!({}))
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    let registration = browser
        .cookies
        .remove("nanoauth.passkey_registration")
        .unwrap();
    browser
        .cookies
        .insert(SIGNUP_COOKIE.to_owned(), registration);
    let (status, body) = browser
        .post(auth, "/signup/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_CHALLENGE");
    assert!(user(&world, "other@example.com").await.is_none());

    // Expired after five minutes.
    let mut late = Browser::default();
    let (_, options) = late
        .post(
            auth,
            "/passkey/signup/options",
            json!({ "email": "late@example.com" }),
        )
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    world.clock.advance(5 * 60 + 1);
    let (status, body) = late
        .post(auth, "/signup/passkey", json!({ "credential": credential }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(user(&world, "late@example.com").await.is_none());
}

async fn bad_input_is_refused_before_any_ceremony<A: TestAdapter + 'static>(adapter: A) {
    let outbox = Outbox::default();
    let world = sign_up_world(adapter, &outbox, false);
    let auth = &world.auth;
    let mut browser = Browser::default();
    for (body, code) in [
        (json!({ "email": "not an address" }), "INVALID_EMAIL"),
        (json!({}), "INVALID_BODY"),
        (json!({ "email": 5 }), "INVALID_BODY"),
        // BasicUser's sign-up field `name` is a string.
        (
            json!({ "email": "typed@example.com", "name": 5 }),
            "INVALID_BODY",
        ),
    ] {
        let (status, answer) = browser
            .post(auth, "/passkey/signup/options", body.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], code, "{body} → {answer}");
        assert!(!browser.has(SIGNUP_COOKIE));
    }
    // A verification without a ceremony, or without a credential.
    let (status, body) = browser
        .post(auth, "/signup/passkey", json!({ "credential": {} }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, options) = browser
        .post(
            auth,
            "/passkey/signup/options",
            json!({ "email": "typed@example.com" }),
        )
        .await;
    let credential = Device::synced().create(ORIGIN, options).await;
    let (status, body) = browser
        .post(
            auth,
            "/signup/passkey",
            json!({ "name": "", "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PASSKEY_NAME");
    assert!(user(&world, "typed@example.com").await.is_none());
}

#[tokio::test]
async fn without_the_plugin_there_is_no_sign_up_route() {
    let world = common::world(MemoryAdapter::<BasicUser>::new());
    let (status, _) = Browser::default()
        .post(
            &world.auth,
            "/passkey/signup/options",
            json!({ "email": "nobody@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn the_sign_up_plugin_needs_the_passkey_plugin() {
    let built = nanoauth::Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .plugin(PasskeySignUp::new())
        .build();
    assert!(built.is_err());
}
