//! The test world: an `Auth` with passkeys (over the memory adapter, or
//! SQLite), a clock the test moves, a browser with a cookie jar, and a
//! software authenticator (`nanoauth_testing::authenticator`, on
//! 1Password's passkey-rs: real P-256 keys) that the tests can also tamper
//! with, as an attacker would.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod adapters;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{
    Auth, AuthBuilder, BasicUser, Clock, EmailVerificationAdapter, Event, EventKind,
    PasswordAdapter, PluginEvent, UserRecordsAdapter, VerificationAdapter,
};
use nanoauth_passkey::{Passkeys, events};
use serde_json::{Value, json};

pub use nanoauth_testing::authenticator::Device;

pub const ORIGIN: &str = "http://localhost:3000";
pub const PASSWORD: &str = "correct horse battery";
pub const T0: u64 = 1_700_000_000;
pub const SESSION: &str = "nanoauth.session_token";

#[derive(Debug, Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What a test needs from storage: records for passkeys, passwords for
/// the accounts they belong to, users made with a passkey, and tokens and
/// verified addresses (for the email-verification plugin, and so that
/// everything can be purged).
pub trait TestAdapter:
    UserRecordsAdapter<BasicUser>
    + PasswordAdapter<BasicUser>
    + VerificationAdapter<BasicUser>
    + EmailVerificationAdapter<BasicUser>
{
}
impl<A> TestAdapter for A where
    A: UserRecordsAdapter<BasicUser>
        + PasswordAdapter<BasicUser>
        + VerificationAdapter<BasicUser>
        + EmailVerificationAdapter<BasicUser>
{
}

pub struct World<A: TestAdapter> {
    pub auth: Auth<BasicUser, A>,
    pub clock: TestClock,
    /// The plugin's events, in order.
    pub events: Arc<Mutex<Vec<PluginEvent>>>,
}

impl<A: TestAdapter> World<A> {
    pub fn events_named(&self, name: &str) -> Vec<PluginEvent> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|event| event.name == name)
            .cloned()
            .collect()
    }
}

/// The usual world over `adapter`.
pub fn world<A: TestAdapter>(adapter: A) -> World<A> {
    world_with(adapter, Passkeys::new("NanoAuth Test"), |b| b)
}

/// A world over `adapter`, with `passkeys` and whatever `more` adds to the
/// builder (another plugin, a trusted origin).
pub fn world_with<A: TestAdapter>(
    adapter: A,
    passkeys: Passkeys,
    more: impl FnOnce(AuthBuilder<BasicUser, A>) -> AuthBuilder<BasicUser, A>,
) -> World<A> {
    let clock = TestClock(Arc::new(AtomicU64::new(T0)));
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let builder = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(passkeys);
    let auth = more(builder).build().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    for name in [
        events::REGISTERED,
        events::DELETED,
        events::COUNTER_REGRESSED,
    ] {
        let seen = Arc::clone(&events);
        auth.on(EventKind::Plugin(name), move |event, _| {
            let seen = Arc::clone(&seen);
            async move {
                if let Event::Plugin(event) = event {
                    seen.lock().unwrap().push(event);
                }
            }
        });
    }
    World {
        auth,
        clock,
        events,
    }
}

/// A browser: a cookie jar in front of `Auth::handler`, on a page of
/// `origin` (its requests' `Origin` header).
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub origin: String,
}

impl Default for Browser {
    fn default() -> Self {
        Self {
            cookies: HashMap::new(),
            origin: ORIGIN.to_owned(),
        }
    }
}

impl Browser {
    pub async fn send<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        mut request: Request<String>,
    ) -> Response<Bytes> {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request
                .headers_mut()
                .insert("cookie", jar.join("; ").parse().unwrap());
        }
        let response = auth.handler(request).await;
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    pub async fn post<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let request = Request::post(format!("/api/auth{path}"))
            .header("content-type", "application/json")
            .header("origin", &self.origin)
            .body(body.to_string())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json_of(&response))
    }

    pub async fn get<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        path: &str,
    ) -> (StatusCode, Value) {
        let request = Request::get(format!("/api/auth{path}"))
            .body(String::new())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json_of(&response))
    }

    pub fn has(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    pub async fn signed_in_as<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
    ) -> Option<String> {
        let (_, body) = self.get(auth, "/session").await;
        body["user"]["email"].as_str().map(str::to_owned)
    }

    pub async fn sign_up<A: TestAdapter>(&mut self, auth: &Auth<BasicUser, A>, email: &str) {
        let (status, body) = self
            .post(
                auth,
                "/signup/email",
                json!({ "email": email, "password": PASSWORD, "name": "Ada" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    pub async fn sign_out<A: TestAdapter>(&mut self, auth: &Auth<BasicUser, A>) {
        self.post(auth, "/signout", json!({})).await;
        assert_eq!(self.signed_in_as(auth).await, None);
    }

    /// Registers a passkey of `device` for the signed-in user: options,
    /// the ceremony, verification.
    pub async fn register<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        device: &mut Device,
        name: Option<&str>,
    ) -> (StatusCode, Value) {
        let (status, options) = self
            .post(auth, "/passkey/register/options", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{options}");
        let credential = device.create(&self.origin.clone(), options).await;
        let mut body = json!({ "credential": credential });
        if let Some(name) = name {
            body["name"] = json!(name);
        }
        self.post(auth, "/passkey/register/verify", body).await
    }

    /// Options for a usernameless sign-in, and the device's answer.
    pub async fn sign_in_assertion<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        device: &mut Device,
    ) -> Value {
        let (status, options) = self.post(auth, "/passkey/signin/options", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{options}");
        assert!(
            options["publicKey"]
                .get("allowCredentials")
                .is_none_or(|list| list.as_array().is_some_and(Vec::is_empty)),
            "usernameless: no credentials listed: {options}"
        );
        device.get(&self.origin.clone(), options).await
    }

    /// A whole usernameless sign-in.
    pub async fn sign_in_with<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        device: &mut Device,
    ) -> (StatusCode, Value) {
        let credential = self.sign_in_assertion(auth, device).await;
        self.post(auth, "/signin/passkey", json!({ "credential": credential }))
            .await
    }
}

pub fn json_of(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}
