//! The plugin from outside the core, mounted in axum: signing in through
//! it, adding it after the router was built, and revoking with the session
//! cache on. Through a `Router` with `tower::ServiceExt::oneshot`, no
//! network.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use custom_plugin::{METHOD, SimpleMagicLink, SimpleMagicLinkExt};
use http_body_util::BodyExt as _;
use nanoauth::adapter::CreateUserAdapter;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{OutgoingEmail, send_with};
use nanoauth::rate_limit::{Limit, RateLimit};
use nanoauth::{Adapter, Auth, AuthBuilder, BasicUser, ClientInfo, Error, SignInMethod};
use nanoauth_axum::{AuthRouterExt, Session};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tower::ServiceExt as _;

const ORIGIN: &str = "http://localhost:3000";
const SEND: &str = "/api/auth/signin/simple-magic-link";
const VERIFY: &str = "/api/auth/simple-magic-link/verify";

type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

/// The plugin, with an `EmailSender` that hands every message to the test.
fn plugin() -> (SimpleMagicLink, UnboundedReceiver<OutgoingEmail>) {
    let (outbox, inbox) = unbounded_channel();
    let sender = send_with(move |message: OutgoingEmail| {
        let outbox = outbox.clone();
        async move {
            outbox.send(message).expect("the test is listening");
            Ok(())
        }
    });
    (SimpleMagicLink::new(sender), inbox)
}

/// An `Auth` as an application configures one, with Ada's account.
async fn builder() -> AuthBuilder<BasicUser, MemoryAdapter<BasicUser>> {
    let adapter = MemoryAdapter::<BasicUser>::new();
    adapter
        .create_user(&BasicUser {
            id: "ada".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
        })
        .await
        .unwrap();
    Auth::builder(adapter)
        .secret("custom plugin test secret, thirty-two bytes or more")
        .base_url(ORIGIN)
        // Plugins cannot declare rate-limit rules: the application limits
        // the mail a plugin sends per address itself.
        .rate_limit(
            RateLimit::default().account_limit("/signin/simple-magic-link", Limit::new(3, 600)),
        )
}

/// The application: its own route, then NanoAuth mounted last.
fn app(auth: TestAuth) -> Router {
    Router::new()
        .route(
            "/me",
            get(|Session(session): Session<BasicUser>| async move { session.user.email }),
        )
        .nanoauth(auth)
}

async fn send(app: &Router, request: Request<Body>) -> Response {
    app.clone().oneshot(request).await.unwrap()
}

fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get_with(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap()
}

async fn body_json(response: Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// The next mail (links go out in the background), and its link's token.
async fn next_link(inbox: &mut UnboundedReceiver<OutgoingEmail>) -> (OutgoingEmail, String) {
    let mail = tokio::time::timeout(Duration::from_secs(5), inbox.recv())
        .await
        .expect("a link was mailed")
        .unwrap();
    let prefix = format!("{ORIGIN}/magic-link?token=");
    let token = mail
        .text
        .split_whitespace()
        .find_map(|word| word.strip_prefix(&prefix))
        .expect("the mail holds the link")
        .to_owned();
    (mail, token)
}

/// Asks for a link over HTTP and follows it as the link's page does: the
/// session cookie.
async fn sign_in_over_http(app: &Router, inbox: &mut UnboundedReceiver<OutgoingEmail>) -> String {
    let asked = send(app, post_json(SEND, &json!({ "email": "Ada@Example.com" }))).await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert_eq!(body_json(asked).await, json!({ "success": true }));
    let (mail, token) = next_link(inbox).await;
    assert_eq!(mail.to.as_str(), "ada@example.com");

    let followed = send(app, post_json(VERIFY, &json!({ "token": token }))).await;
    assert_eq!(followed.status(), StatusCode::OK);
    let cookie = followed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "the core's cookie: {cookie}");
    let body = body_json(followed).await;
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["token"].is_string());
    cookie.split(';').next().unwrap().to_owned()
}

/// (a) Through the plugin's routes in axum: a link is mailed, following it
/// signs in, the core's session endpoint and the app's extractor see the
/// user, the hook counted the sign-in, and the export signs in too.
#[tokio::test]
async fn signs_in_through_the_plugin() {
    let (plugin, mut inbox) = plugin();
    let auth = builder().await.plugin(plugin).build().unwrap();
    let app = app(auth.clone());

    // An unknown address gets the same answer, and no mail.
    let unknown = send(
        &app,
        post_json(SEND, &json!({ "email": "bob@example.com" })),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(body_json(unknown).await, json!({ "success": true }));

    let cookie = sign_in_over_http(&app, &mut inbox).await;
    // The unknown address's (earlier) background work sent nothing.
    assert!(inbox.try_recv().is_err());

    let session = body_json(send(&app, get_with("/api/auth/session", &cookie)).await).await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    let me = send(&app, get_with("/me", &cookie)).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        &me.into_body().collect().await.unwrap().to_bytes()[..],
        b"ada@example.com"
    );

    // The hook heard the sign-in and knew it for the plugin's.
    assert_eq!(auth.simple_magic_link().sign_ins().unwrap(), 1);
    // Another method's sign-in is heard and not counted.
    let ada = auth.adapter().get_user("ada").await.unwrap().unwrap();
    auth.create_session(ada, ClientInfo::default(), SignInMethod::new("elsewhere"))
        .await
        .unwrap();
    assert_eq!(auth.simple_magic_link().sign_ins().unwrap(), 1);

    // A link works once.
    auth.simple_magic_link()
        .send("ada@example.com")
        .await
        .unwrap();
    let (_, token) = next_link(&mut inbox).await;
    let signed_in = auth
        .simple_magic_link()
        .verify(&token, ClientInfo::default())
        .await
        .unwrap()
        .signed_in()
        .expect("no second factor here");
    assert_eq!(signed_in.user.id, "ada");
    assert_eq!(auth.simple_magic_link().sign_ins().unwrap(), 2);
    let again = send(&app, post_json(VERIFY, &json!({ "token": token }))).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(again).await["error"]["code"], "INVALID_TOKEN");

    // The export's token is a session like the cookie's.
    let bearer = Request::get("/api/auth/session")
        .header(
            "authorization",
            format!("Bearer {}", signed_in.token.expose_secret()),
        )
        .body(Body::empty())
        .unwrap();
    let session = body_json(send(&app, bearer).await).await;
    assert_eq!(session["user"]["id"], "ada");
    assert_eq!(session["session"]["id"], signed_in.session.id.as_str());
}

/// (b) `use_plugin` after the router was built: the router already holds
/// a copy of the `Auth`, and serves the plugin's routes from then on.
#[tokio::test]
async fn added_after_the_router_was_built() {
    let auth = builder().await.build().unwrap();
    let app = app(auth.clone());
    let before = send(
        &app,
        post_json(SEND, &json!({ "email": "ada@example.com" })),
    )
    .await;
    assert_eq!(before.status(), StatusCode::NOT_FOUND);
    // Without the plugin, its exports say so.
    assert!(matches!(
        auth.simple_magic_link().sign_ins(),
        Err(Error::PluginNotEnabled("simple-magic-link"))
    ));

    let (plugin, mut inbox) = plugin();
    auth.clone().use_plugin(plugin).unwrap();

    let cookie = sign_in_over_http(&app, &mut inbox).await;
    let session = body_json(send(&app, get_with("/api/auth/session", &cookie)).await).await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    // Its hook came with it, and the export finds it.
    assert_eq!(auth.simple_magic_link().sign_ins().unwrap(), 1);
}

/// (c) With the session cache on, a session revoked through the public API
/// is refused at once, while one deleted behind the `Auth`'s back (in the
/// adapter alone) lives on in the cache: plugins must revoke through `Auth`.
#[tokio::test]
async fn revoked_sessions_die_at_once_with_the_cache_on() {
    let (plugin, mut inbox) = plugin();
    let auth = builder()
        .await
        .plugin(plugin)
        .session_cache(60)
        .build()
        .unwrap();
    let app = app(auth.clone());
    let is_signed_in = |cookie: String| {
        let app = app.clone();
        async move {
            let answer = body_json(send(&app, get_with("/api/auth/session", &cookie)).await).await;
            !answer.is_null()
        }
    };

    // One session, checked twice: the second check is served by the cache.
    let cookie = sign_in_over_http(&app, &mut inbox).await;
    assert!(is_signed_in(cookie.clone()).await);
    assert!(is_signed_in(cookie.clone()).await);
    let headers = get_with("/", &cookie).into_parts().0.headers;
    let session = auth
        .get_session_from_headers(&headers)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        session.token().expose_secret(),
        cookie.split_once('=').unwrap().1
    );

    assert!(
        auth.revoke_session(&session.session.token_hash)
            .await
            .unwrap()
    );
    assert!(!is_signed_in(cookie.clone()).await);
    assert!(
        auth.get_session_from_headers(&headers)
            .await
            .unwrap()
            .is_none()
    );
    let me = send(&app, get_with("/me", &cookie)).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    // The contrast: deleted in the adapter alone, a cached session is
    // still served (within the cache's time to live).
    let cookie = sign_in_over_http(&app, &mut inbox).await;
    assert!(is_signed_in(cookie.clone()).await);
    let headers = get_with("/", &cookie).into_parts().0.headers;
    let session = auth
        .get_session_from_headers(&headers)
        .await
        .unwrap()
        .unwrap();
    assert!(
        auth.adapter()
            .delete_session(&session.session.token_hash)
            .await
            .unwrap()
    );
    assert!(
        is_signed_in(cookie.clone()).await,
        "the cache still serves it"
    );

    // Every session of the user, through the public API: dead at once,
    // the one only the cache still held included.
    let other = sign_in_over_http(&app, &mut inbox).await;
    assert!(is_signed_in(other.clone()).await);
    auth.revoke_user_sessions("ada", None).await.unwrap();
    assert!(!is_signed_in(other).await);
    assert!(!is_signed_in(cookie).await);
    assert_eq!(auth.adapter().session_count(), 0);
    assert_eq!(auth.simple_magic_link().sign_ins().unwrap(), 3);
    assert_eq!(METHOD.as_str(), "simple-magic-link");
}
