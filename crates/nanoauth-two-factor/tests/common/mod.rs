//! The test world shared by the flow tests: an `Auth` with two-factor
//! over the memory adapter, a clock the test moves, a browser with a cookie
//! jar, and an authenticator app.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{OutgoingEmail, send_with};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser, Clock, EventKind};
use nanoauth_two_factor::totp::Totp;
use nanoauth_two_factor::uri::parse_otpauth_uri;
use nanoauth_two_factor::{TwoFactor, events};

pub const ORIGIN: &str = "http://localhost:3000";
pub const PASSWORD: &str = "correct horse battery";
pub const T0: u64 = 1_700_000_000;

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

pub type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

pub struct World {
    pub auth: TestAuth,
    pub clock: TestClock,
    pub mail: Arc<Mutex<Vec<OutgoingEmail>>>,
    pub failures: Arc<AtomicU64>,
}

pub fn world() -> World {
    let clock = TestClock(Arc::new(AtomicU64::new(T0)));
    let mail = Arc::new(Mutex::new(Vec::new()));
    let outbox = Arc::clone(&mail);
    let sender = Arc::new(send_with(move |message: OutgoingEmail| {
        let outbox = Arc::clone(&outbox);
        async move {
            outbox.lock().unwrap().push(message);
            Ok(())
        }
    }));
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let auth = Auth::builder(MemoryAdapter::new())
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(MagicLink::new(Arc::clone(&sender)).sign_up_on_first_use())
        .plugin(
            TwoFactor::new("NanoAuth Test")
                .challenge_page("/two-factor")
                .email_otp(sender),
        )
        .build()
        .unwrap();
    let failures = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&failures);
    auth.on(EventKind::Plugin(events::CHALLENGE_FAILED), move |_, _| {
        let counted = Arc::clone(&counted);
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    World {
        auth,
        clock,
        mail,
        failures,
    }
}

/// A browser: a cookie jar in front of `Auth::handler`.
#[derive(Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub async fn send(&mut self, auth: &TestAuth, mut request: Request<String>) -> Response<Bytes> {
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

    pub async fn post(
        &mut self,
        auth: &TestAuth,
        path: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let request = Request::post(format!("/api/auth{path}"))
            .header("content-type", "application/json")
            .header("origin", ORIGIN)
            .body(body.to_string())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json(&response))
    }

    /// A form POST, as a link page's button sends it.
    pub async fn post_form(&mut self, auth: &TestAuth, path: &str, form: &str) -> Response<Bytes> {
        let request = Request::post(format!("/api/auth{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .body(form.to_owned())
            .unwrap();
        self.send(auth, request).await
    }

    pub async fn get(&mut self, auth: &TestAuth, path: &str) -> (StatusCode, serde_json::Value) {
        let request = Request::get(format!("/api/auth{path}"))
            .body(String::new())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json(&response))
    }

    pub fn has(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    pub async fn signed_in(&mut self, auth: &TestAuth) -> bool {
        !self.get(auth, "/session").await.1.is_null()
    }

    pub async fn sign_in(
        &mut self,
        auth: &TestAuth,
        email: &str,
    ) -> (StatusCode, serde_json::Value) {
        self.post(
            auth,
            "/signin/email",
            serde_json::json!({ "email": email, "password": PASSWORD }),
        )
        .await
    }
}

pub fn json(response: &Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null)
}

pub const SESSION: &str = "nanoauth.session_token";
pub const CHALLENGE: &str = "nanoauth.two_factor";
pub const DEVICE: &str = "nanoauth.two_factor_device";

/// Signs up `email` and turns two-factor on; returns the browser (signed
/// in), the authenticator and the backup codes.
pub async fn enrolled(world: &World, email: &str) -> (Browser, Authenticator, Vec<String>) {
    let auth = &world.auth;
    let mut browser = Browser::default();
    let (status, _) = browser
        .post(
            auth,
            "/signup/email",
            serde_json::json!({ "email": email, "password": PASSWORD, "name": "Ada" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/enable",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let uri = body["totpURI"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/NanoAuth%20Test:"), "{uri}");
    let backup: Vec<String> = serde_json::from_value(body["backupCodes"].clone()).unwrap();
    assert_eq!(backup.len(), 10);
    let app = Authenticator::from_uri(uri, world.clock.clone());

    // Pending: sign-in does not ask for it yet.
    let (_, status) = browser.get(auth, "/two-factor/status").await;
    assert_eq!(status["enabled"], false);
    assert_eq!(status["pending"], true);

    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": app.code() }),
        )
        .await;
    assert_eq!(
        (status, body.clone()),
        (StatusCode::OK, serde_json::json!({ "enabled": true }))
    );
    (browser, app, backup)
}

/// Signs `email` up by magic link (an account without a password); the
/// browser is signed in.
pub async fn signed_up_by_link(world: &World, email: &str) -> Browser {
    let auth = &world.auth;
    let mut browser = Browser::default();
    let before = world.mail.lock().unwrap().len();
    let (status, _) = browser
        .post(
            auth,
            "/signin/magic-link",
            serde_json::json!({ "email": email }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut text = None;
    for _ in 0..200 {
        text = world
            .mail
            .lock()
            .unwrap()
            .get(before)
            .map(|mail| mail.text.clone());
        if text.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let text = text.expect("the link was mailed");
    let token = text
        .split("token=")
        .nth(1)
        .unwrap()
        .split(|c: char| c == '&' || c.is_whitespace())
        .next()
        .unwrap()
        .to_owned();
    let response = browser
        .post_form(auth, "/magic/verify", &format!("token={token}"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(browser.signed_in(auth).await);
    browser
}

/// An authenticator app holding the secret of a `totpURI`.
pub struct Authenticator {
    pub secret: nanoauth_two_factor::secret::TotpSecret,
    pub totp: Totp,
    pub clock: TestClock,
}

impl Authenticator {
    pub fn from_uri(uri: &str, clock: TestClock) -> Self {
        let parsed = parse_otpauth_uri(uri).unwrap();
        Self {
            secret: parsed.secret,
            totp: parsed.totp,
            clock,
        }
    }

    pub fn code(&self) -> String {
        self.totp.generate(&self.secret, self.clock.now())
    }

    pub fn code_at_offset(&self, seconds: i64) -> String {
        let at = self.clock.now().saturating_add_signed(seconds);
        self.totp.generate(&self.secret, at)
    }
}
