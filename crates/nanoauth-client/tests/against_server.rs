//! The client against a real NanoAuth server (axum, in-memory adapter) on a
//! free loopback port, over real HTTP.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, AuthBuilder, BasicUser, Clock, SystemClock};
use nanoauth_axum::AuthRouterExt;
use nanoauth_client::{AuthClient, AuthState, ClientError, Mode, SessionToken, StatusCode};
use serde::Deserialize;
use serde_json::json;

/// The client's view of the server's `BasicUser`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
struct User {
    id: String,
    email: String,
    name: String,
}

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";

type Builder = AuthBuilder<BasicUser, MemoryAdapter<BasicUser>>;

/// Starts a server on 127.0.0.1:0 whose base URL is its own address;
/// returns that URL. `configure` adjusts the `Auth` (clock, lifetimes).
async fn server_with(configure: impl FnOnce(Builder) -> Builder) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let builder = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("client test secret, thirty-two bytes or more")
        .base_url(&url)
        // Cheap Argon2: the tests exercise the wire, not the hash.
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()));
    let auth = configure(builder).build().unwrap();
    let app = Router::new().nanoauth(auth);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    url
}

async fn server() -> String {
    server_with(|builder| builder).await
}

fn client(url: &str, mode: Mode) -> AuthClient<User> {
    AuthClient::builder(url).mode(mode).build().unwrap()
}

/// Records every state the store's subscribers are told about.
fn record(client: &AuthClient<User>) -> Arc<Mutex<Vec<AuthState<User>>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    client
        .store()
        .subscribe(move |state: &AuthState<User>| sink.lock().unwrap().push(state.clone()))
        .detach();
    seen
}

fn api_error(result: Result<impl std::fmt::Debug, ClientError>) -> (StatusCode, String) {
    match result {
        Err(ClientError::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Sign up, read the session, sign out, sign in again: in `mode`.
async fn full_flow(mode: Mode) {
    let url = server().await;
    let client = client(&url, mode);
    let seen = record(&client);

    let session = client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    assert_eq!(session.user.email, EMAIL);
    assert_eq!(session.user.name, "Ada");
    assert_eq!(session.session.user_id, session.user.id);
    assert!(session.session.expires_at > session.session.created_at);
    assert_eq!(session.session.ip_address.as_deref(), Some("127.0.0.1"));
    assert!(
        session
            .session
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("nanoauth-client/")
    );

    // The store has the user, and its subscribers saw loading, then it.
    let state = client.store().get();
    assert_eq!(state.session.as_ref().unwrap().user, session.user);
    assert!(!state.is_loading && state.error.is_none());
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen[0].is_loading && seen[0].session.is_none());
        assert_eq!(seen[1].session.as_ref().unwrap().user.name, "Ada");
    }
    match mode {
        Mode::Bearer => assert!(client.token().is_some()),
        _ => assert!(client.token().is_none()),
    }

    // Refetch.
    let again = client.session().await.unwrap().unwrap();
    assert_eq!(again.user, session.user);
    assert_eq!(again.session.id, session.session.id);
    assert_eq!(seen.lock().unwrap().len(), 4);

    // Sign out: the store is cleared, and the server agrees.
    client.sign_out().await.unwrap();
    let state = client.store().get();
    assert!(state.session.is_none() && !state.is_loading && state.error.is_none());
    assert!(client.token().is_none());
    assert_eq!(seen.lock().unwrap().len(), 6);
    assert!(client.session().await.unwrap().is_none());

    // And back in.
    let session = client
        .sign_in_email(EMAIL, PASSWORD)
        .await
        .unwrap()
        .session()
        .unwrap();
    assert_eq!(session.user.name, "Ada");
    assert_eq!(
        client.store().get().session.unwrap().session.id,
        session.session.id
    );
}

#[tokio::test]
async fn cookie_mode_signs_up_reads_the_session_and_signs_out() {
    full_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_signs_up_reads_the_session_and_signs_out() {
    full_flow(Mode::Bearer).await;
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials_401() {
    let url = server().await;
    client(&url, Mode::Cookie)
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();

    let client = client(&url, Mode::Cookie);
    // As an app does at start-up: not signed in.
    assert!(client.session().await.unwrap().is_none());
    let result = client.sign_in_email(EMAIL, "not the password").await;
    assert_eq!(
        api_error(result),
        (StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS".to_owned())
    );
    // The store keeps the error for the UI, and no session.
    let state = client.store().get();
    assert!(state.session.is_none() && !state.is_loading);
    let error = state.error.unwrap();
    assert_eq!(error.code(), Some("INVALID_CREDENTIALS"));
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));

    // An unknown account gets the same answer.
    let result = client.sign_in_email("nobody@example.com", PASSWORD).await;
    assert_eq!(
        api_error(result),
        (StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS".to_owned())
    );
}

#[tokio::test]
async fn a_taken_email_is_user_already_exists_409() {
    let url = server().await;
    for mode in [Mode::Cookie, Mode::Bearer] {
        let client = client(&url, mode);
        let result = client.sign_up_email(EMAIL, PASSWORD, ()).await;
        if mode == Mode::Cookie {
            result.unwrap();
            continue;
        }
        assert_eq!(
            api_error(result),
            (StatusCode::CONFLICT, "USER_ALREADY_EXISTS".to_owned())
        );
        assert!(client.token().is_none());
        assert!(client.store().get().session.is_none());
    }
}

#[tokio::test]
async fn validation_errors_carry_the_servers_message() {
    let url = server().await;
    let client = client(&url, Mode::Cookie);
    match client.sign_up_email(EMAIL, "short", ()).await {
        Err(ClientError::Api {
            status,
            code,
            message,
        }) => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(code, "PASSWORD_TOO_SHORT");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn cookie_mode_sends_the_configured_origin() {
    let url = server().await;
    // An origin the server does not trust is refused by its CSRF check:
    // proof that the client sends `Origin` on POSTs.
    let client = AuthClient::<User>::builder(&url)
        .origin("https://evil.example")
        .build()
        .unwrap();
    let result = client.sign_up_email(EMAIL, PASSWORD, ()).await;
    assert_eq!(
        api_error(result),
        (StatusCode::FORBIDDEN, "INVALID_ORIGIN".to_owned())
    );
}

#[tokio::test]
async fn a_saved_bearer_token_restores_the_session_until_sign_out() {
    let url = server().await;
    let first = client(&url, Mode::Bearer);
    let signed_in = first.sign_up_email(EMAIL, PASSWORD, ()).await.unwrap();
    let saved = first.token().unwrap().expose_secret().to_owned();

    // A later run of the app, with the saved token.
    let restored = AuthClient::<User>::builder(&url)
        .mode(Mode::Bearer)
        .token(SessionToken::new(saved.clone()))
        .build()
        .unwrap();
    let session = restored.session().await.unwrap().unwrap();
    assert_eq!(session.session.id, signed_in.session.id);

    // A cookie-mode client has no cookie, so no session.
    assert!(
        client(&url, Mode::Cookie)
            .session()
            .await
            .unwrap()
            .is_none()
    );

    // Signing out ends the session on the server: the saved token is
    // refused, and the client forgets it.
    first.sign_out().await.unwrap();
    assert!(restored.session().await.unwrap().is_none());
    assert!(restored.token().is_none());
}

/// A clock the test moves; starts at the real time.
#[derive(Debug, Clone)]
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn new() -> Self {
        Self(Arc::new(AtomicU64::new(SystemClock.now())))
    }

    fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A session lives 100 s and slides on every use. Used at +60 s, it is
/// renewed; at +120 s only the renewed cookie or token still works.
async fn sliding_expiry(mode: Mode) {
    let clock = TestClock::new();
    let server_clock = clock.clone();
    let url = server_with(move |builder| {
        builder
            .clock(server_clock)
            .session_expires_in(100)
            .session_update_age(0)
    })
    .await;
    let client = client(&url, mode);
    let first = client.sign_up_email(EMAIL, PASSWORD, ()).await.unwrap();

    clock.advance(60);
    let renewed = client.session().await.unwrap().unwrap();
    assert_eq!(renewed.session.expires_at, first.session.expires_at + 60);

    clock.advance(60);
    let still = client.session().await.unwrap();
    assert_eq!(still.unwrap().session.id, first.session.id, "{mode:?}");
}

#[tokio::test]
async fn cookie_mode_keeps_the_renewed_cookie() {
    sliding_expiry(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_keeps_the_renewed_token() {
    sliding_expiry(Mode::Bearer).await;
}

#[tokio::test]
async fn a_user_type_that_does_not_fit_is_a_decode_error() {
    #[derive(Clone, Debug, Deserialize)]
    #[allow(dead_code)]
    struct Numbered {
        id: u64,
    }
    let url = server().await;
    let client = AuthClient::<Numbered>::new(&url).unwrap();
    match client.sign_up_email(EMAIL, PASSWORD, ()).await {
        Err(ClientError::Decode(error)) => assert_eq!(error.status(), Some(StatusCode::OK)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_is_down_is_a_network_error() {
    // A port that was free a moment ago: nothing listens there now.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    for mode in [Mode::Cookie, Mode::Bearer] {
        let client = client(&url, mode);
        let seen = record(&client);
        match client.sign_in_email(EMAIL, PASSWORD).await {
            Err(ClientError::Network(error)) => assert!(error.is_connect(), "{error}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            client.session().await,
            Err(ClientError::Network(_))
        ));
        assert!(matches!(
            client.sign_out().await,
            Err(ClientError::Network(_))
        ));

        let state = client.store().get();
        assert!(!state.is_loading && state.session.is_none());
        assert!(matches!(state.error, Some(ClientError::Network(_))));
        assert_eq!(seen.lock().unwrap().len(), 6);
    }
}

#[tokio::test]
async fn clones_share_the_session_and_the_store() {
    let url = server().await;
    let client = client(&url, Mode::Cookie);
    let clone = client.clone();
    client.sign_up_email(EMAIL, PASSWORD, ()).await.unwrap();
    assert!(clone.store().get().session.is_some());
    assert!(clone.session().await.unwrap().is_some());
    // A call on a spawned task: the futures are `Send`.
    let task = tokio::spawn(async move { clone.sign_out().await });
    task.await.unwrap().unwrap();
    assert!(client.store().get().session.is_none());
}

// ---------------------------------------------------------------------------
// Two-factor: enable, confirm, a sign-in's challenge answered with a code,
// a backup code (once), a trusted device, and turning it off.

/// A server with the two-factor plugin, on `clock`, without rate limits
/// (the tests sign in more often than a person would).
async fn two_factor_server(clock: TestClock) -> String {
    server_with(move |builder| {
        builder
            .clock(clock)
            .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
            .plugin(nanoauth_two_factor::TwoFactor::new("Client Test"))
    })
    .await
}

/// The authenticator app's code at `at` for the enrolment's URI.
fn totp_code(uri: &str, at: u64) -> String {
    let parsed = nanoauth_two_factor::uri::parse_otpauth_uri(uri).unwrap();
    parsed.totp.generate(&parsed.secret, at)
}

/// Signs up and turns two-factor on; returns the URI and backup codes.
async fn enrolled(client: &AuthClient<User>, clock: &TestClock) -> (String, Vec<String>) {
    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let two_factor = client.two_factor();
    assert!(!two_factor.status().await.unwrap().enabled);

    let wrong = two_factor.enable("not the password").await;
    assert_eq!(
        api_error(wrong),
        (StatusCode::BAD_REQUEST, "INVALID_PASSWORD".to_owned())
    );
    let enrolment = two_factor.enable(PASSWORD).await.unwrap();
    let uri = enrolment.totp_uri().to_owned();
    assert!(uri.starts_with("otpauth://totp/Client%20Test:"), "{uri}");
    assert_eq!(enrolment.backup_codes().len(), 10);
    assert!(!format!("{enrolment:?}").contains("secret="));
    let status = two_factor.status().await.unwrap();
    assert!(status.pending && !status.enabled);

    // A code from an hour ago confirms nothing.
    let stale = two_factor
        .verify_totp(&totp_code(&uri, clock.now() - 3600), false)
        .await;
    assert_eq!(
        api_error(stale),
        (StatusCode::UNAUTHORIZED, "INVALID_CODE".to_owned())
    );
    let confirmed = two_factor
        .verify_totp(&totp_code(&uri, clock.now()), false)
        .await
        .unwrap();
    assert_eq!(confirmed, nanoauth_client::TotpVerified::Enabled);
    // Confirming changed nothing about the session.
    let state = client.store().get();
    assert!(state.session.is_some() && !state.is_loading);
    let status = two_factor.status().await.unwrap();
    assert!(status.enabled && !status.pending);
    assert_eq!(status.backup_codes_left, 10);
    (uri, enrolment.backup_codes().to_vec())
}

async fn two_factor_flow(mode: Mode) {
    let clock = TestClock::new();
    let url = two_factor_server(clock.clone()).await;
    let client = client(&url, mode);
    let (uri, backup_codes) = enrolled(&client, &clock).await;
    let two_factor = client.two_factor();

    // The password alone: no session, and the store says signed out.
    client.sign_out().await.unwrap();
    let outcome = client.sign_in_email(EMAIL, PASSWORD).await.unwrap();
    assert!(outcome.is_two_factor_required(), "{outcome:?}");
    let state = client.store().get();
    assert!(state.session.is_none() && !state.is_loading && state.error.is_none());
    assert!(client.token().is_none());
    assert!(client.session().await.unwrap().is_none());

    // A wrong code is refused; the next step's code signs in (the one that
    // confirmed the enrolment cannot be used again).
    let wrong = two_factor.verify_totp("000000", false).await;
    assert_eq!(
        api_error(wrong),
        (StatusCode::UNAUTHORIZED, "INVALID_CODE".to_owned())
    );
    clock.advance(30);
    let session = two_factor
        .verify_totp(&totp_code(&uri, clock.now()), false)
        .await
        .unwrap()
        .session()
        .unwrap();
    assert_eq!(session.user.email, EMAIL);
    assert_eq!(
        client.store().get().session.unwrap().session.id,
        session.session.id
    );
    assert_eq!(client.token().is_some(), mode == Mode::Bearer);

    // A backup code signs in once, and this time the device is trusted.
    client.sign_out().await.unwrap();
    assert!(
        client
            .sign_in_email(EMAIL, PASSWORD)
            .await
            .unwrap()
            .is_two_factor_required()
    );
    let session = two_factor
        .verify_backup_code(&backup_codes[0], true)
        .await
        .unwrap();
    assert_eq!(session.user.email, EMAIL);
    let status = two_factor.status().await.unwrap();
    assert_eq!(status.backup_codes_left, 9);
    assert_eq!(status.trusted_devices.len(), 1);
    let device = status.trusted_devices[0].clone();
    assert!(
        device
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("nanoauth-client/")
    );

    // The trusted device skips the challenge...
    client.sign_out().await.unwrap();
    let outcome = client.sign_in_email(EMAIL, PASSWORD).await.unwrap();
    assert!(outcome.session().is_some(), "a trusted device");

    // ...until it is revoked; and a used backup code stays used.
    two_factor.revoke_trusted_device(&device.id).await.unwrap();
    assert_eq!(
        api_error(two_factor.revoke_trusted_device(&device.id).await),
        (StatusCode::NOT_FOUND, "DEVICE_NOT_FOUND".to_owned())
    );
    client.sign_out().await.unwrap();
    assert!(
        client
            .sign_in_email(EMAIL, PASSWORD)
            .await
            .unwrap()
            .is_two_factor_required()
    );
    let replayed = two_factor.verify_backup_code(&backup_codes[0], false).await;
    assert_eq!(
        api_error(replayed),
        (StatusCode::UNAUTHORIZED, "INVALID_CODE".to_owned())
    );
    assert!(client.store().get().session.is_none());
    let session = two_factor
        .verify_backup_code(&backup_codes[1], false)
        .await
        .unwrap();
    assert_eq!(session.user.email, EMAIL);

    // New backup codes void the old ones; turning it off signs in with the
    // password alone again.
    let fresh = two_factor.generate_backup_codes(PASSWORD).await.unwrap();
    assert_eq!(fresh.len(), 10);
    assert!(!fresh.contains(&backup_codes[2]));
    assert_eq!(two_factor.status().await.unwrap().backup_codes_left, 10);
    assert_eq!(
        api_error(two_factor.disable("not the password").await),
        (StatusCode::BAD_REQUEST, "INVALID_PASSWORD".to_owned())
    );
    two_factor.disable(PASSWORD).await.unwrap();
    assert!(!two_factor.status().await.unwrap().enabled);
    client.sign_out().await.unwrap();
    assert!(
        client
            .sign_in_email(EMAIL, PASSWORD)
            .await
            .unwrap()
            .session()
            .is_some()
    );
}

#[tokio::test]
async fn cookie_mode_signs_in_with_a_second_factor() {
    two_factor_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_signs_in_with_a_second_factor() {
    two_factor_flow(Mode::Bearer).await;
}

#[tokio::test]
async fn a_challenge_needs_the_client_that_started_it() {
    let clock = TestClock::new();
    let url = two_factor_server(clock.clone()).await;
    let first = client(&url, Mode::Cookie);
    let (uri, _) = enrolled(&first, &clock).await;
    first.sign_out().await.unwrap();
    assert!(
        first
            .sign_in_email(EMAIL, PASSWORD)
            .await
            .unwrap()
            .is_two_factor_required()
    );

    // Another client has no challenge: a right code is not enough.
    clock.advance(30);
    let other = client(&url, Mode::Cookie);
    let result = other
        .two_factor()
        .verify_totp(&totp_code(&uri, clock.now()), false)
        .await;
    assert_eq!(
        api_error(result),
        (StatusCode::UNAUTHORIZED, "INVALID_CHALLENGE".to_owned())
    );
    assert!(other.store().get().session.is_none());
    // The challenge waits for its own client.
    let verified = first
        .two_factor()
        .verify_totp(&totp_code(&uri, clock.now()), false)
        .await
        .unwrap();
    assert!(verified.session().is_some());
}

/// A server with the passkey, API key and JWT plugins, named `localhost`
/// (browsers, and so the passkey plugin, refuse IP addresses as RP ids);
/// it still listens on 127.0.0.1.
async fn plugins_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("http://localhost:{port}");
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("client test secret, thirty-two bytes or more")
        .base_url(&url)
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .plugin(nanoauth_passkey::Passkeys::new("Client Test"))
        .plugin(nanoauth_passkey::PasskeySignUp::new())
        .plugin(nanoauth_api_key::ApiKeys::new())
        .plugin(nanoauth_jwt::Jwt::new())
        .build()
        .unwrap();
    let app = Router::new().nanoauth(auth);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    url
}

/// Create, list, disable, enable, delete; the key acts as its owner in
/// `x-api-key` until disabled or deleted, and cannot manage keys itself.
async fn api_key_flow(mode: Mode) {
    use nanoauth_client::{ApiKeyChange, NewApiKey};

    let url = plugins_server().await;
    let client = client(&url, mode);
    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let created = client
        .api_keys()
        .create(&NewApiKey::named("ci").expires_in(3600))
        .await
        .unwrap();
    assert!(created.key().starts_with("na_v1_"));
    assert!(!format!("{created:?}").contains(created.key()));
    let listed = client.api_keys().list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(&listed[0], created.api_key());
    assert!(listed[0].expires_at.is_some() && listed[0].enabled);

    let http = reqwest::Client::new();
    let with_key = || async {
        http.get(format!("{url}/api/auth/session"))
            .header("x-api-key", created.key())
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let session = with_key().await;
    assert_eq!(session["user"]["email"], EMAIL);
    assert_eq!(session["session"]["kind"], "api-key");

    let id = &created.api_key().id;
    let updated = client
        .api_keys()
        .update(id, &ApiKeyChange::new().enabled(false).name("ci (off)"))
        .await
        .unwrap();
    assert!(!updated.enabled);
    assert_eq!(updated.name, "ci (off)");
    assert_eq!(with_key().await, serde_json::Value::Null);
    client
        .api_keys()
        .update(id, &ApiKeyChange::new().enabled(true))
        .await
        .unwrap();
    assert_eq!(with_key().await["user"]["email"], EMAIL);

    // A key's session may not make keys (a leaked key must not mint more).
    let minted = http
        .post(format!("{url}/api/auth/api-key/create"))
        .header("x-api-key", created.key())
        .header("origin", &url)
        .json(&json!({"name": "more"}))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), StatusCode::FORBIDDEN);

    client.api_keys().delete(id).await.unwrap();
    assert_eq!(with_key().await, serde_json::Value::Null);
    assert!(client.api_keys().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn cookie_mode_manages_api_keys() {
    api_key_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_manages_api_keys() {
    api_key_flow(Mode::Bearer).await;
}

/// The passkey JSON endpoints a client drives around an authenticator:
/// options for registering (a fresh session), signing in and
/// re-authenticating; the list, and rename/delete of a passkey the user
/// does not have. (Whole ceremonies are the plugin's tests, with a software
/// authenticator, and the demo's browser test.)
async fn passkey_flow(mode: Mode) {
    let url = plugins_server().await;
    let client = client(&url, mode);
    let options = client.passkeys().sign_in_options().await.unwrap();
    assert_eq!(options["publicKey"]["rpId"], "localhost");
    assert!(options["publicKey"]["challenge"].is_string());
    let refused = client.passkeys().registration_options().await;
    assert_eq!(api_error(refused).0, StatusCode::UNAUTHORIZED);

    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let options = client.passkeys().registration_options().await.unwrap();
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert!(public_key["user"]["id"].is_string());
    assert!(public_key["challenge"].is_string());
    let reauth = client.passkeys().reauthentication_options().await;
    // No passkey to re-authenticate with yet: refused, or options that
    // allow none; either way the call reaches the plugin.
    if let Ok(options) = reauth {
        assert!(options["publicKey"].is_object());
    }
    assert!(client.passkeys().list().await.unwrap().is_empty());
    let (status, code) = api_error(client.passkeys().rename("AQID", "Laptop").await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "PASSKEY_NOT_FOUND")
    );
    let (status, code) = api_error(client.passkeys().delete("AQID").await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "PASSKEY_NOT_FOUND")
    );
    // An answer that is no authenticator's is refused, and the session stays.
    let refused = client
        .passkeys()
        .register(
            json!({"id": "AQID", "rawId": "AQID", "type": "public-key", "response": {}}),
            None,
        )
        .await;
    assert!(api_error(refused).0.is_client_error());
    assert!(client.session().await.unwrap().is_some());
}

#[tokio::test]
async fn cookie_mode_reaches_the_passkey_endpoints() {
    passkey_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_reaches_the_passkey_endpoints() {
    passkey_flow(Mode::Bearer).await;
}

/// Whole ceremonies over HTTP, with a software authenticator outside the
/// server (passkey-rs, through `nanoauth_testing::authenticator`) and only
/// the wire contract between them: sign up with a passkey alone, sign out,
/// sign in with no address, register a second passkey, re-authenticate,
/// rename, delete, and the deleted passkey refused.
async fn passkey_ceremonies(mode: Mode) {
    use nanoauth_testing::authenticator::Device;

    let url = plugins_server().await;
    let client = client(&url, mode);
    let mut phone = Device::synced();
    let options = client
        .passkeys()
        .sign_up_options("grace@example.com", json!({"name": "Grace"}))
        .await
        .unwrap();
    let credential = phone.create(&url, options).await;
    let session = client
        .passkeys()
        .sign_up(credential, Some("Phone"))
        .await
        .unwrap();
    assert_eq!(session.user.email, "grace@example.com");
    assert_eq!(session.user.name, "Grace");

    client.sign_out().await.unwrap();
    assert!(client.session().await.unwrap().is_none());
    let options = client.passkeys().sign_in_options().await.unwrap();
    let assertion = phone.get(&url, options).await;
    let session = client
        .passkeys()
        .sign_in(assertion)
        .await
        .unwrap()
        .session()
        .expect("a passkey is both factors");
    assert_eq!(session.user.email, "grace@example.com");

    // A second passkey, on a security key; the session is fresh.
    let mut key = Device::counting();
    let options = client.passkeys().registration_options().await.unwrap();
    let credential = key.create(&url, options).await;
    let registered = client
        .passkeys()
        .register(credential, Some("Security key"))
        .await
        .unwrap();
    assert_eq!(registered.name, "Security key");
    let options = client.passkeys().reauthentication_options().await.unwrap();
    let assertion = key.get(&url, options).await;
    let confirmed = client.passkeys().reauthenticate(assertion).await.unwrap();
    assert_eq!(confirmed.passkey_id, registered.id);

    let listed = client.passkeys().list().await.unwrap();
    let mut names: Vec<_> = listed.iter().map(|passkey| passkey.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Phone", "Security key"]);
    let phone_id = listed
        .iter()
        .find(|passkey| passkey.name == "Phone")
        .unwrap()
        .id
        .clone();
    client
        .passkeys()
        .rename(&phone_id, "Old phone")
        .await
        .unwrap();
    client.passkeys().delete(&phone_id).await.unwrap();
    assert_eq!(client.passkeys().list().await.unwrap().len(), 1);

    let stranger = self::client(&url, mode);
    let options = stranger.passkeys().sign_in_options().await.unwrap();
    let assertion = phone.get(&url, options).await;
    let (status, code) = api_error(stranger.passkeys().sign_in(assertion).await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "INVALID_PASSKEY")
    );
}

#[tokio::test]
async fn cookie_mode_runs_whole_passkey_ceremonies() {
    passkey_ceremonies(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_runs_whole_passkey_ceremonies() {
    passkey_ceremonies(Mode::Bearer).await;
}

#[tokio::test]
async fn a_jwt_for_the_signed_in_user() {
    let url = plugins_server().await;
    let client = client(&url, Mode::Cookie);
    assert_eq!(api_error(client.jwt().await).0, StatusCode::UNAUTHORIZED);
    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let token = client.jwt().await.unwrap();
    assert_eq!(token.split('.').count(), 3, "{token}");
    let jwks: serde_json::Value = reqwest::get(format!("{url}/api/auth/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
}

#[tokio::test]
async fn the_jwks_are_the_servers_public_keys() {
    let url = plugins_server().await;
    let jwks = client(&url, Mode::Cookie).jwks().await.unwrap();
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    assert!(jwks["keys"][0]["kid"].is_string());
    assert!(jwks["keys"][0].get("d").is_none(), "no private part");
}

/// Two clients of one user: the list marks each one's own session;
/// revoking the other's signs it out, revoking its own signs it out too.
async fn sessions_flow(mode: Mode) {
    let url = server().await;
    let first = client(&url, mode);
    let second = client(&url, mode);
    let mine = first
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let theirs = second.sign_in_email(EMAIL, PASSWORD).await.unwrap();
    let theirs = theirs.session().unwrap();

    let listed = first.list_sessions().await.unwrap();
    assert_eq!(listed.len(), 2);
    let current: Vec<_> = listed.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].session.id, mine.session.id);

    first.revoke_session(&theirs.session.id).await.unwrap();
    assert!(second.session().await.unwrap().is_none());
    assert!(first.store().get().session.is_some(), "another's session");
    assert_eq!(first.list_sessions().await.unwrap().len(), 1);
    let (status, code) = api_error(first.revoke_session("no-such-session").await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "SESSION_NOT_FOUND")
    );

    // Two more elsewhere, then all but this one.
    for _ in 0..2 {
        client(&url, mode)
            .sign_in_email(EMAIL, PASSWORD)
            .await
            .unwrap();
    }
    assert_eq!(first.revoke_other_sessions().await.unwrap(), 2);
    assert_eq!(first.list_sessions().await.unwrap().len(), 1);

    // Its own: signed out, here and on the server.
    first.revoke_session(&mine.session.id).await.unwrap();
    assert!(first.store().get().session.is_none());
    assert!(first.token().is_none());
    assert!(first.session().await.unwrap().is_none());
    assert_eq!(
        api_error(first.list_sessions().await).0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn cookie_mode_lists_and_revokes_sessions() {
    sessions_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_lists_and_revokes_sessions() {
    sessions_flow(Mode::Bearer).await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let url = server().await;
    let client_a = client(&url, Mode::Cookie);
    let client_b = client(&url, Mode::Cookie);
    client_a
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    client_b.sign_in_email(EMAIL, PASSWORD).await.unwrap();

    let (status, code) = api_error(
        client_a
            .change_password("wrong one", "new horse battery", true)
            .await,
    );
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "INVALID_PASSWORD")
    );
    let (_, code) = api_error(client_a.change_password(PASSWORD, "short", true).await);
    assert_eq!(code, "PASSWORD_TOO_SHORT");

    client_a
        .change_password(PASSWORD, "new horse battery", true)
        .await
        .unwrap();
    assert!(
        client_a.session().await.unwrap().is_some(),
        "this session stays"
    );
    assert!(
        client_b.session().await.unwrap().is_none(),
        "the other ended"
    );
    let old = client(&url, Mode::Cookie)
        .sign_in_email(EMAIL, PASSWORD)
        .await;
    assert_eq!(api_error(old).1, "INVALID_CREDENTIALS");
    client(&url, Mode::Cookie)
        .sign_in_email(EMAIL, "new horse battery")
        .await
        .unwrap();
}

/// The mails the email-link plugins sent, for the links' tokens.
type Outbox = Arc<Mutex<Vec<nanoauth::email::OutgoingEmail>>>;

/// A server with magic links, password reset and email verification,
/// whose mails land in the returned outbox.
async fn email_server() -> (String, Outbox) {
    use nanoauth::email::{OutgoingEmail, send_with};
    use nanoauth::plugins::email_verification::EmailVerification;
    use nanoauth::plugins::magic_link::MagicLink;
    use nanoauth::plugins::password_reset::PasswordReset;

    let outbox: Outbox = Arc::default();
    let sender = || {
        let outbox = Arc::clone(&outbox);
        send_with(move |message: OutgoingEmail| {
            let outbox = Arc::clone(&outbox);
            async move {
                outbox.lock().unwrap().push(message);
                Ok(())
            }
        })
    };
    let (magic, reset, verify) = (
        MagicLink::new(sender()).sign_up_on_first_use(),
        PasswordReset::new(sender()),
        EmailVerification::new(sender()).without_sending_on_sign_up(),
    );
    let url = server_with(move |builder| builder.plugin(magic).plugin(reset).plugin(verify)).await;
    (url, outbox)
}

/// The `token` query parameter of the link in the last mail to `to`.
fn last_token(outbox: &Outbox, to: &str) -> String {
    let mails = outbox.lock().unwrap();
    let mail = mails
        .iter()
        .rev()
        .find(|mail| mail.to.as_str() == to)
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let at = mail.text.find("token=").expect("a link with a token") + "token=".len();
    mail.text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn email_links_are_asked_for_and_used() {
    let (url, outbox) = email_server().await;
    let client = client(&url, Mode::Bearer);
    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();

    // A magic link: sent (the link itself is followed in a browser), with
    // the callback in it; a callback on another site is refused.
    client
        .send_magic_link(EMAIL, Some("/welcome"), ())
        .await
        .unwrap();
    assert!(!last_token(&outbox, EMAIL).is_empty());
    assert!(
        outbox
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .text
            .contains("welcome")
    );
    let (_, code) = api_error(
        client
            .send_magic_link(EMAIL, Some("https://elsewhere.example/"), ())
            .await,
    );
    assert_eq!(code, "INVALID_REDIRECT");
    assert!(matches!(
        client.send_magic_link(EMAIL, None, [1, 2]).await,
        Err(ClientError::Config(_))
    ));

    // Email verification: the link's token verifies once.
    client.send_verification_email(EMAIL, None).await.unwrap();
    let token = last_token(&outbox, EMAIL);
    client.verify_email(&token).await.unwrap();
    assert!(client.store().get().session.is_some(), "still signed in");
    assert_eq!(
        api_error(client.verify_email(&token).await).1,
        "INVALID_TOKEN"
    );

    // Password reset: the same answer for an unknown address (no mail).
    let sent = outbox.lock().unwrap().len();
    client
        .request_password_reset("nobody@example.com", "/reset")
        .await
        .unwrap();
    assert_eq!(outbox.lock().unwrap().len(), sent);
    client
        .request_password_reset(EMAIL, "/reset")
        .await
        .unwrap();
    let token = last_token(&outbox, EMAIL);
    client
        .reset_password(&token, "reset horse battery")
        .await
        .unwrap();
    // Every session of the user ended, this one too: the store knows.
    assert!(client.store().get().session.is_none());
    assert!(client.token().is_none());
    assert_eq!(
        api_error(client.reset_password(&token, "again horse battery").await).1,
        "INVALID_TOKEN"
    );
    client
        .sign_in_email(EMAIL, "reset horse battery")
        .await
        .unwrap();
}

#[tokio::test]
async fn social_calls_reach_the_oauth_plugin() {
    use nanoauth::BasicSignUp;
    use nanoauth_oauth::OAuth;

    let url = server_with(|builder| {
        builder.plugin(
            OAuth::<BasicUser>::new(|_| BasicSignUp::default()).provider(
                nanoauth_oauth::providers::github("client-id", "client-secret"),
            ),
        )
    })
    .await;
    let client = client(&url, Mode::Cookie);
    // Signing in starts at the provider: its URL comes back.
    let to = client
        .sign_in_social("github", "/account", Some("/sign-in"))
        .await
        .unwrap();
    assert!(
        to.starts_with("https://github.com/login/oauth/authorize?"),
        "{to}"
    );
    assert!(to.contains("client_id=client-id"), "{to}");
    let (status, code) = api_error(client.sign_in_social("gitlab", "/", None).await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "PROVIDER_NOT_FOUND")
    );
    assert!(matches!(
        client.sign_in_social("../signout", "/", None).await,
        Err(ClientError::Config(_))
    ));

    // Signed in with a password: no accounts linked yet; linking goes to
    // the provider too.
    assert_eq!(
        api_error(client.list_accounts().await).0,
        StatusCode::UNAUTHORIZED
    );
    client
        .sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    assert_eq!(client.list_accounts().await.unwrap(), vec![]);
    let to = client
        .link_social("github", "/account", None)
        .await
        .unwrap();
    assert!(
        to.starts_with("https://github.com/login/oauth/authorize?"),
        "{to}"
    );
    let (status, code) = api_error(client.unlink_account("github").await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "ACCOUNT_NOT_FOUND")
    );
}

/// A server with the account plugin (sessions fresh for `fresh_age`
/// seconds), whose mails land in the returned outbox.
async fn account_server(fresh_age: u64) -> (String, Outbox) {
    use nanoauth::email::{OutgoingEmail, send_with};
    use nanoauth::plugins::account::Account;

    let outbox: Outbox = Arc::default();
    let sink = Arc::clone(&outbox);
    let sender = send_with(move |message: OutgoingEmail| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock().unwrap().push(message);
            Ok(())
        }
    });
    let url = server_with(move |builder| {
        builder
            .session_fresh_age(fresh_age)
            .plugin(Account::new(sender))
    })
    .await;
    (url, outbox)
}

/// Posts a mailed link's token as JSON, as code following it would.
async fn follow_link(url: &str, path: &str, token: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/api/auth{path}"))
        .header("origin", url)
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn account_flow(mode: Mode) {
    let (url, outbox) = account_server(300).await;
    let ada = client(&url, mode);
    let other = client(&url, mode);
    ada.sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    other.sign_in_email(EMAIL, PASSWORD).await.unwrap();

    // Edit: the answer and the store hold the new name; `email` is ignored.
    let user = ada
        .update_user(json!({"name": "Ada L.", "email": "mallory@example.com"}))
        .await
        .unwrap();
    assert_eq!((user.name.as_str(), user.email.as_str()), ("Ada L.", EMAIL));
    let stored = ada.store().get().session.unwrap();
    assert_eq!(stored.user.name, "Ada L.");
    let (_, code) = api_error(ada.update_user(json!({"name": 42})).await);
    assert_eq!(code, "INVALID_BODY");
    assert!(
        matches!(
            ada.update_user(json!(["name"])).await,
            Err(ClientError::Config(_))
        ),
        "fields that are no object are refused before sending"
    );

    // A new address: nothing until the link is followed.
    ada.change_email("ada@new.example", Some("/account"))
        .await
        .unwrap();
    assert_eq!(
        ada.session().await.unwrap().unwrap().user.email,
        EMAIL,
        "not moved yet"
    );
    let token = last_token(&outbox, "ada@new.example");
    assert_eq!(
        follow_link(&url, "/change-email/verify", &token).await,
        reqwest::StatusCode::OK
    );
    assert!(
        ada.session().await.unwrap().is_none(),
        "followed from elsewhere: every session of the user ends"
    );
    assert!(other.session().await.unwrap().is_none());

    // Delete: signed in again at the new address.
    ada.sign_in_email("ada@new.example", PASSWORD)
        .await
        .unwrap();
    let (status, code) = api_error(ada.delete_user(Some("wrong one!"), None).await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "INVALID_PASSWORD")
    );
    let (_, code) = api_error(ada.delete_user(None, None).await);
    assert_eq!(code, "PASSWORD_REQUIRED");
    assert_eq!(
        ada.delete_user(Some(PASSWORD), None).await.unwrap(),
        nanoauth_client::Deletion::Deleted
    );
    assert!(ada.store().get().session.is_none(), "signed out");
    let gone = client(&url, mode)
        .sign_in_email("ada@new.example", PASSWORD)
        .await;
    assert_eq!(api_error(gone).1, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn cookie_mode_edits_moves_and_deletes_the_account() {
    account_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_edits_moves_and_deletes_the_account() {
    account_flow(Mode::Bearer).await;
}

#[tokio::test]
async fn deleting_needs_a_fresh_session() {
    // Fresh for no second at all: every session is stale at once.
    let (url, _) = account_server(0).await;
    let ada = client(&url, Mode::Cookie);
    ada.sign_up_email(EMAIL, PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap();
    let (status, code) = api_error(ada.delete_user(Some(PASSWORD), None).await);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "SESSION_NOT_FRESH")
    );
    assert!(ada.session().await.unwrap().is_some(), "still signed in");
}
