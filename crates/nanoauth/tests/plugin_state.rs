//! What a plugin outside the core keeps per browser and per session: its
//! own short-lived cookie (set, read back, cleared, with the session
//! cookie's attributes) and the fresh-session requirement of sensitive
//! changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{
    Adapter, Auth, AuthUser, BasicSignUp, BasicUser, ClientInfo, Clock, Endpoint, EndpointRequest,
    Error, Plugin, Reply,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;
type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

#[derive(Debug, Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// `POST /flow/start` sets its cookie, `POST /flow/finish` reads and
/// clears it, `POST /flow/sensitive` needs a fresh session.
#[derive(Debug)]
struct Flow;

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Flow {
    fn name(&self) -> &'static str {
        "flow"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![
            Endpoint::post("/flow/start", |_: EndpointRequest<U, A>| async {
                Reply::success().with_cookie("flow", "s3cret-value", 300)
            }),
            Endpoint::post(
                "/flow/finish",
                |request: EndpointRequest<U, A>| async move {
                    let seen = request.cookie("flow").map(str::to_owned);
                    Ok(Reply::json(&json!({ "seen": seen }))?.clearing_cookie("flow"))
                },
            ),
            Endpoint::post(
                "/flow/sensitive",
                |request: EndpointRequest<U, A>| async move {
                    request.require_fresh_session().await?;
                    Ok(Reply::success())
                },
            ),
        ]
    }
}

fn auth(base_url: &str, clock: TestClock) -> Result<TestAuth, nanoauth::ConfigError> {
    Auth::builder(MemoryAdapter::new())
        .secret("plugin state test secret, thirty-two bytes")
        .base_url(base_url)
        .clock(clock)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new())
        .plugin(Flow)
        .build()
}

async fn post(auth: &TestAuth, path: &str, cookie: Option<&str>) -> Response<Bytes> {
    let origin = auth.base_origin().to_owned();
    let mut request = Request::post(path).header("origin", origin);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    auth.handler(request.body(String::new()).unwrap_or_default())
        .await
}

fn set_cookies(response: &Response<Bytes>) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect()
}

fn body(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_plugin_cookie_is_set_read_back_and_cleared() -> TestResult {
    let clock = TestClock(Arc::new(AtomicU64::new(1_700_000_000)));
    let auth = auth("https://example.com", clock)?;
    let started = post(&auth, "/api/auth/flow/start", None).await;
    assert_eq!(
        set_cookies(&started),
        ["__Host-nanoauth.flow=s3cret-value; Path=/; HttpOnly; SameSite=Lax; Max-Age=300; Secure"]
    );

    let finished = post(
        &auth,
        "/api/auth/flow/finish",
        Some("other=1; __Host-nanoauth.flow=s3cret-value"),
    )
    .await;
    assert_eq!(body(&finished)["seen"], "s3cret-value");
    assert_eq!(
        set_cookies(&finished),
        ["__Host-nanoauth.flow=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"]
    );
    // Without the prefix (a cookie a sibling subdomain could plant), it is
    // not this plugin's cookie.
    let planted = post(&auth, "/api/auth/flow/finish", Some("nanoauth.flow=x")).await;
    assert_eq!(body(&planted)["seen"], Value::Null);
    Ok(())
}

#[test]
fn a_plugin_cookie_must_be_plain() {
    assert!(Reply::success().with_cookie("flow", "a;b", 60).is_err());
    assert!(Reply::success().with_cookie("a=b", "v", 60).is_err());
    assert!(
        Reply::success()
            .with_cookie("flow", "AZaz09-._~", 60)
            .is_ok()
    );
}

#[tokio::test]
async fn sensitive_changes_need_a_session_signed_in_within_the_fresh_age() -> TestResult {
    let time = Arc::new(AtomicU64::new(1_700_000_000));
    let auth = auth("http://localhost:3000", TestClock(Arc::clone(&time)))?;
    let signed_in = auth
        .email_password()
        .sign_up(
            "ada@example.com",
            "correct horse battery",
            BasicSignUp::default(),
            ClientInfo::default(),
        )
        .await?
        .signed_in()
        .ok_or("a second factor was asked for")?;
    let cookie = format!("{}={}", auth.cookie_name(), signed_in.token.expose_secret());

    let fresh = post(&auth, "/api/auth/flow/sensitive", Some(&cookie)).await;
    assert_eq!(fresh.status(), 200);

    // Ten minutes (the default) later, and the session was used (and even
    // refreshed) in between: no longer fresh.
    time.fetch_add(10 * 60, Ordering::SeqCst);
    let stale = post(&auth, "/api/auth/flow/sensitive", Some(&cookie)).await;
    assert_eq!(
        (stale.status().as_u16(), &body(&stale)["error"]["code"]),
        (403, &json!("SESSION_NOT_FRESH"))
    );
    // The session itself still works.
    let session = auth
        .get_session_from_headers(&{
            let mut headers = http::HeaderMap::new();
            headers.insert("cookie", cookie.parse()?);
            headers
        })
        .await?;
    let session = session.ok_or(Error::Unauthorized)?;
    assert!(!auth.is_fresh(&session));
    // It also gives the token the request presented.
    assert_eq!(
        session.token().expose_secret(),
        signed_in.token.expose_secret()
    );

    // Signed out: unauthorized, not "not fresh".
    let anonymous = post(&auth, "/api/auth/flow/sensitive", None).await;
    assert_eq!(anonymous.status(), 401);
    Ok(())
}
