//! The test world: an `Auth` with email/password sign-in and the admin
//! plugin over one adapter, a clock the test moves, the plugin's events,
//! and browsers with cookie jars.

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
    Auth, AuthBuilder, AuthUser, Clock, Event, EventKind, NewUser, NoFields, PluginEvent,
};
use nanoauth_admin::{Admin, AdminStore, AdminUser, events};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const ORIGIN: &str = "http://localhost:3000";
pub const PASSWORD: &str = "correct horse battery";
pub const T0: u64 = 1_700_000_000;
pub const SESSION: &str = "nanoauth.session_token";
pub const ADMIN_COOKIE: &str = "nanoauth.admin_session";

/// The application's user: roles as comma-separated text in one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Deserialize)]
pub struct PersonSignUp {
    #[serde(default)]
    pub name: String,
}

impl AuthUser for Person {
    type SignUp = PersonSignUp;
    type Update = NoFields;

    fn id(&self) -> &str {
        &self.id
    }

    fn email(&self) -> &str {
        &self.email
    }

    fn from_sign_up(new: NewUser<PersonSignUp>) -> Self {
        Self {
            id: new.id,
            email: new.email.into(),
            name: new.fields.name,
            role: "user".into(),
        }
    }

    fn apply_update(&mut self, _: NoFields) {}
}

impl AdminUser for Person {
    fn roles(&self) -> Vec<String> {
        self.role
            .split(',')
            .filter(|role| !role.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn set_roles(&mut self, roles: &[String]) {
        self.role = roles.join(",");
    }
}

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

/// What a test needs from storage: the plugin's, and passwords.
pub trait TestAdapter: AdminStore<Person> {}
impl<A: AdminStore<Person>> TestAdapter for A {}

pub struct World<A: TestAdapter> {
    pub auth: Auth<Person, A>,
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

    /// A user signed up with the password, with `role`, signed in in a
    /// browser of their own.
    pub async fn person(&self, email: &str, role: &str) -> (Person, Browser) {
        let mut browser = Browser::default();
        let (status, body) = browser
            .post(
                &self.auth,
                "/signup/email",
                json!({ "email": email, "password": PASSWORD, "name": email.split('@').next() }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let email = nanoauth::Email::parse(email).unwrap();
        let mut user = self
            .auth
            .adapter()
            .find_user_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        if role != "user" {
            user.role = role.into();
            assert!(self.auth.adapter().update_user(&user).await.unwrap());
        }
        (user, browser)
    }
}

/// The usual world over `adapter`.
pub fn world<A: TestAdapter>(adapter: A) -> World<A> {
    world_with(adapter, Admin::new().roles(["user", "support", "admin"]))
}

pub fn world_with<A: TestAdapter>(adapter: A, admin: Admin) -> World<A> {
    world_with_more(adapter, admin, |builder| builder)
}

/// A world with whatever `more` adds to the builder (another plugin).
pub fn world_with_more<A: TestAdapter>(
    adapter: A,
    admin: Admin,
    more: impl FnOnce(AuthBuilder<Person, A>) -> AuthBuilder<Person, A>,
) -> World<A> {
    let clock = TestClock(Arc::new(AtomicU64::new(T0)));
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let builder = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        // Revocations must reach the cache too: every test runs with one.
        .session_cache(30)
        .plugin(admin);
    let auth = more(builder).build().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    for name in [
        events::USER_CREATED,
        events::ROLE_SET,
        events::USER_BANNED,
        events::USER_UNBANNED,
        events::PASSWORD_SET,
        events::USER_REMOVED,
        events::SESSIONS_REVOKED,
        events::IMPERSONATION_STARTED,
        events::IMPERSONATION_STOPPED,
        events::IMPERSONATED_REQUEST,
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

/// A browser: a cookie jar in front of `Auth::handler`.
#[derive(Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
    /// `Max-Age` of the cookies last set.
    pub max_age: HashMap<String, u64>,
}

impl Browser {
    pub async fn send<A: TestAdapter>(
        &mut self,
        auth: &Auth<Person, A>,
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
                self.max_age.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
                let age = attributes
                    .split(';')
                    .find_map(|a| a.trim().strip_prefix("Max-Age="))
                    .and_then(|a| a.parse().ok());
                if let Some(age) = age {
                    self.max_age.insert(name.to_owned(), age);
                }
            }
        }
        response
    }

    pub async fn post<A: TestAdapter>(
        &mut self,
        auth: &Auth<Person, A>,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let request = Request::post(format!("/api/auth{path}"))
            .header("content-type", "application/json")
            .header("origin", ORIGIN)
            .body(body.to_string())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json_of(&response))
    }

    pub async fn get<A: TestAdapter>(
        &mut self,
        auth: &Auth<Person, A>,
        path: &str,
    ) -> (StatusCode, Value) {
        let request = Request::get(format!("/api/auth{path}"))
            .body(String::new())
            .unwrap();
        let response = self.send(auth, request).await;
        (response.status(), json_of(&response))
    }

    pub async fn signed_in_as<A: TestAdapter>(&mut self, auth: &Auth<Person, A>) -> Option<String> {
        let (_, body) = self.get(auth, "/session").await;
        body["user"]["email"].as_str().map(str::to_owned)
    }

    pub async fn sign_in<A: TestAdapter>(
        &mut self,
        auth: &Auth<Person, A>,
        email: &str,
    ) -> (StatusCode, Value) {
        self.post(
            auth,
            "/signin/email",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await
    }
}

pub fn json_of(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

/// The error code of an answer.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}
