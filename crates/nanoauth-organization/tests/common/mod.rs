//! The test world: an `Auth` with organizations over the adapter under
//! test, a clock the test moves, an outbox instead of a mail server, the
//! plugin's events, and browsers with cookie jars.

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
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{
    Auth, BasicUser, BoxFuture, Clock, EmailVerificationAdapter, Event, EventKind, InlineOffload,
    PasswordAdapter, PluginEvent, RecordAdapter, VerificationAdapter,
};
use nanoauth_organization::access::{AccessControl, Role};
use nanoauth_organization::{Organizations, events};
use serde_json::{Value, json};

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

/// Mail that would have been sent.
#[derive(Debug, Default, Clone)]
pub struct Outbox(pub Arc<Mutex<Vec<OutgoingEmail>>>);

impl EmailSender for Outbox {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async move {
            self.0.lock().unwrap().push(message.clone());
            Ok(())
        })
    }
}

impl Outbox {
    /// The last mail to `to`.
    pub fn last_to(&self, to: &str) -> Option<OutgoingEmail> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|mail| mail.to.as_str() == to)
            .cloned()
    }

    /// The `token` of the last invitation link mailed to `to`.
    pub fn token_for(&self, to: &str) -> String {
        let mail = self.last_to(to).expect("an invitation mail");
        let url = mail
            .text
            .split_whitespace()
            .find(|word| word.contains("token="))
            .expect("a link");
        url.split("token=").nth(1).unwrap().to_owned()
    }
}

pub trait TestAdapter:
    RecordAdapter<BasicUser>
    + PasswordAdapter<BasicUser>
    + VerificationAdapter<BasicUser>
    + EmailVerificationAdapter<BasicUser>
{
}
impl<A> TestAdapter for A where
    A: RecordAdapter<BasicUser>
        + PasswordAdapter<BasicUser>
        + VerificationAdapter<BasicUser>
        + EmailVerificationAdapter<BasicUser>
{
}

pub struct World<A: TestAdapter> {
    pub auth: Auth<BasicUser, A>,
    pub clock: TestClock,
    pub outbox: Outbox,
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

    /// A new browser signed up as `email`, with its user id.
    pub async fn user(&self, email: &str) -> (Browser, String) {
        let mut browser = Browser::default();
        let (status, body) = browser
            .post(
                &self.auth,
                "/signup/email",
                json!({ "email": email, "password": PASSWORD, "name": "Test" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = body["user"]["id"].as_str().unwrap().to_owned();
        (browser, id)
    }

    /// As `user`, with the address verified.
    pub async fn verified_user(&self, email: &str) -> (Browser, String) {
        let (browser, id) = self.user(email).await;
        self.auth.adapter().set_email_verified(&id).await.unwrap();
        (browser, id)
    }
}

/// The access control of the tests: a `project` resource.
pub fn access() -> AccessControl {
    AccessControl::new()
        .resource("project", ["create", "read", "update", "delete"])
        .role(Role::member().allow("project", ["read"]))
        .role(Role::new("editor").allow("project", ["read", "create", "update"]))
        .build()
        .unwrap()
}

/// The usual world over `adapter`.
pub fn world<A: TestAdapter>(adapter: A) -> World<A> {
    world_with(adapter, |plugin| plugin)
}

/// A world whose plugin `configure` adjusts.
pub fn world_with<A: TestAdapter>(
    adapter: A,
    configure: impl FnOnce(Organizations) -> Organizations,
) -> World<A> {
    let clock = TestClock(Arc::new(AtomicU64::new(T0)));
    let outbox = Outbox::default();
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let plugin = configure(Organizations::new(outbox.clone()).access(access()));
    let auth = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        // Mail is sent before the answer, so the outbox has it.
        .offload(InlineOffload)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(plugin)
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    for name in events::ALL {
        let seen = Arc::clone(&seen);
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
        outbox,
        events: seen,
    }
}

/// A browser: a cookie jar in front of `Auth::handler`.
#[derive(Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
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
            .header("origin", ORIGIN)
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

    /// `POST /organization/create`, expecting 200; the organization.
    pub async fn create_org<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        name: &str,
        slug: &str,
    ) -> Value {
        let (status, body) = self
            .post(
                auth,
                "/organization/create",
                json!({ "name": name, "slug": slug }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["organization"].clone()
    }

    /// The members of `org` as `(email, role)`, sorted.
    pub async fn members<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        org: &str,
    ) -> Vec<(String, String)> {
        let (status, body) = self
            .get(auth, &format!("/organization/full?organizationId={org}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut out: Vec<(String, String)> = body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["user"]["email"].as_str().unwrap().to_owned(),
                    m["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// The member id of `email` in `org`.
    pub async fn member_id<A: TestAdapter>(
        &mut self,
        auth: &Auth<BasicUser, A>,
        org: &str,
        email: &str,
    ) -> String {
        let (_, body) = self
            .get(auth, &format!("/organization/full?organizationId={org}"))
            .await;
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user"]["email"] == email)
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .expect("a member")
    }
}

pub fn json_of(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}
