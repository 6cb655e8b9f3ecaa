//! What the JWT tests share: an `Auth` over a store several `Auth`s can
//! share (servers of one deployment), a clock the test moves, requests
//! through `Auth::handler`, and verification by the `jsonwebtoken` crate
//! from the served JWKS.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use nanoauth::adapter::PasswordAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Adapter, Auth, BasicUser, Clock, RecordAdapter};
use nanoauth_api_key::ApiKeys;
use nanoauth_jwt::Jwt;
use serde_json::{Map, Value};

pub const ORIGIN: &str = "http://localhost:3000";
pub const SECRET: &str = "jwt test secret, at least thirty-two bytes";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone)]
pub struct TestClock(Arc<AtomicU64>);

impl TestClock {
    pub fn at(now: u64) -> Self {
        Self(Arc::new(AtomicU64::new(now)))
    }

    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// An `Auth` over `store` with `secrets` (newest first), email and
/// password sign-in, API keys and `jwt`.
pub fn auth<A>(
    store: A,
    clock: &TestClock,
    secrets: &[&str],
    jwt: Jwt<BasicUser>,
) -> Auth<BasicUser, A>
where
    A: RecordAdapter<BasicUser> + PasswordAdapter<BasicUser>,
{
    let mut builder = Auth::builder(store)
        .base_url(ORIGIN)
        .clock(clock.clone())
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .plugin(ApiKeys::new())
        .plugin(jwt);
    for secret in secrets {
        builder = builder.secret(*secret);
    }
    builder.build().unwrap()
}

pub fn json(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

pub async fn get<A: Adapter<BasicUser>>(
    auth: &Auth<BasicUser, A>,
    path: &str,
    headers: &[(&str, &str)],
) -> Response<Bytes> {
    let mut request = Request::get(format!("/api/auth{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    auth.handler(request.body(String::new()).unwrap()).await
}

pub async fn post<A: Adapter<BasicUser>>(
    auth: &Auth<BasicUser, A>,
    path: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> Response<Bytes> {
    let mut request = Request::post(format!("/api/auth{path}"))
        .header("content-type", "application/json")
        .header("origin", auth.base_origin());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    auth.handler(request.body(body.to_string()).unwrap()).await
}

/// Signs a user up: their id and the `authorization` header of their
/// session.
pub async fn sign_up<A: Adapter<BasicUser>>(
    auth: &Auth<BasicUser, A>,
    email: &str,
) -> (String, String) {
    let response = post(
        auth,
        "/signup/email",
        &[],
        serde_json::json!({ "email": email, "password": PASSWORD, "name": "Ada" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{}", json(&response));
    let body = json(&response);
    (
        body["user"]["id"].as_str().unwrap().to_owned(),
        format!("Bearer {}", body["token"].as_str().unwrap()),
    )
}

/// `GET /token` with `credential` as the header `name`.
pub async fn token<A: Adapter<BasicUser>>(
    auth: &Auth<BasicUser, A>,
    name: &str,
    credential: &str,
) -> String {
    let response = get(auth, "/token", &[(name, credential)]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", json(&response));
    json(&response)["token"].as_str().unwrap().to_owned()
}

pub async fn jwks<A: Adapter<BasicUser>>(auth: &Auth<BasicUser, A>) -> Value {
    let response = get(auth, "/jwks", &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", json(&response));
    json(&response)
}

/// The `kid`s of a JWK Set, in order.
pub fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The header, unverified, to look at.
pub fn header(token: &str) -> Value {
    segment(token, 0)
}

/// The claims, unverified, to look at.
pub fn payload(token: &str) -> Value {
    segment(token, 1)
}

/// Verifies `token` with the `jsonwebtoken` crate against `jwks`, as a
/// service would: the key by `kid`, the algorithm from the key, `iss` and
/// `aud`; `exp` against `now` (the test's clock, not the system's).
pub fn verify_with_jsonwebtoken(
    jwks: &Value,
    token: &str,
    issuer: &str,
    audience: &str,
    now: u64,
) -> Result<Map<String, Value>, String> {
    let set: JwkSet = serde_json::from_value(jwks.clone()).map_err(|e| e.to_string())?;
    let kid = jsonwebtoken::decode_header(token)
        .map_err(|e| e.to_string())?
        .kid
        .ok_or("no kid")?;
    let jwk = set.find(&kid).ok_or("unknown kid")?;
    let algorithm = jwk.common.key_algorithm.ok_or("no alg on the key")?;
    let algorithm = Algorithm::from_str(&algorithm.to_string()).map_err(|e| e.to_string())?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    let exp = claims["exp"].as_u64().ok_or("exp")?;
    if exp <= now {
        return Err("expired".into());
    }
    Ok(claims)
}

/// Serves `auth` over real HTTP on a free loopback port (axum, as an
/// application would mount it).
pub async fn serve<A: Adapter<BasicUser>>(
    listener: tokio::net::TcpListener,
    auth: Auth<BasicUser, A>,
) {
    use nanoauth_axum::AuthRouterExt as _;
    let app = axum::Router::new().nanoauth(auth);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
}

/// A loopback listener and the URL it answers at.
pub async fn listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// The start of the current hour by the system clock: tests that verify
/// with the real clock sign a little before it and rotate at it, so no
/// token is ever issued in the future.
pub fn hour_start() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    now / 3600 * 3600
}

/// An `Auth` at `url` (its own base URL) with email and password sign-in
/// and `jwt`.
pub fn auth_at(
    url: &str,
    clock: &TestClock,
    jwt: Jwt<BasicUser>,
) -> Auth<BasicUser, Arc<nanoauth::adapter::memory::MemoryAdapter<BasicUser>>> {
    Auth::builder(Arc::new(nanoauth::adapter::memory::MemoryAdapter::new()))
        .secret(SECRET)
        .base_url(url)
        .clock(clock.clone())
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .plugin(jwt)
        .build()
        .unwrap()
}
