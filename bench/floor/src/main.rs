//! The floor that `bench/compare.sh` holds NanoAuth's session check up
//! against: a bare axum server whose `GET /api/auth/session` does only what
//! no session check can skip, and nothing else:
//!
//! 1. read the session cookie from the `Cookie` header,
//! 2. verify the token's HS256 signature,
//! 3. parse its claims (and refuse an expired token),
//! 4. answer a fixed JSON body.
//!
//! No storage, no session cache, no routing table beyond one route, no
//! middleware. It verifies the tokens the demo issues: it derives the same
//! signing key from the same `AUTH_SECRET` (HKDF-SHA-256, as
//! `crates/nanoauth/src/session/keys.rs` does, once at start-up) and reads
//! the same cookie, so one cookie from a sign-in on the demo serves both.
//!
//! ```text
//! AUTH_SECRET="..." cargo run --release -p nanoauth-bench-floor -- --port 3403
//! ```
//!
//! The code is deliberately the plain way to write it (decode each segment
//! into a `Vec`, parse the claims into owned strings): the bar is what a
//! hand-written check costs, not the fastest one imaginable. The criterion
//! benchmark `floor/cookie_verify_parse` (crates/nanoauth/benches/auth.rs)
//! runs the same steps in process.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The demo's session cookie (NanoAuth's default name over http).
const COOKIE: &str = "nanoauth.session_token";

/// The HKDF label NanoAuth derives its session-token key with.
const SESSION_KEY_INFO: &[u8] = b"nanoauth session token v1";

/// What the floor answers for a valid token: fixed, and about the size of
/// the demo's answer (a user and a session), so that both send as many
/// bytes.
const BODY: &str = r#"{"user":{"id":"mkJZ3mVxq8Gk2w5rTt0aBQ","email":"bench@example.com","name":"Bench","role":"member"},"session":{"id":"Ck0yYj2cS1mPq3b9vX4ZlA","userId":"mkJZ3mVxq8Gk2w5rTt0aBQ","createdAt":1800000000,"updatedAt":1800000000,"expiresAt":1800604800,"ipAddress":"127.0.0.1","userAgent":"curl/7.88.1","kind":"session"}}"#;

/// The session token's claims.
#[derive(Deserialize)]
struct Claims {
    #[allow(dead_code)] // parsed, as a session check must, but not used
    sid: String,
    #[allow(dead_code)]
    sub: String,
    exp: u64,
}

/// The signing key, keyed once.
struct Floor {
    mac: Hmac<Sha256>,
}

impl Floor {
    fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA-256's output limit: cannot fail.
        let _ = Hkdf::<Sha256>::new(None, secret).expand(SESSION_KEY_INFO, &mut key);
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        Self { mac }
    }

    /// Steps 1 to 3: the claims of a valid, unexpired session cookie.
    fn check(&self, headers: &HeaderMap) -> Option<Claims> {
        let token = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value)?;
        let (signed, signature) = token.rsplit_once('.')?;
        let (_header, payload) = signed.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature).ok()?;
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        (claims.exp > now).then_some(claims)
    }
}

/// Step 4.
async fn session(State(floor): State<Arc<Floor>>, headers: HeaderMap) -> Response {
    match floor.check(&headers) {
        Some(_) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            BODY,
        )
            .into_response(),
        None => (StatusCode::UNAUTHORIZED, "null").into_response(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut port = 3403;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (
            arg.as_str(),
            args.next().and_then(|value| value.parse().ok()),
        ) {
            ("--port", Some(value)) => port = value,
            _ => {
                eprintln!(
                    "usage: nanoauth-bench-floor [--port N]  (AUTH_SECRET in the environment)"
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let Some(secret) = std::env::var_os("AUTH_SECRET") else {
        eprintln!("AUTH_SECRET is not set: the floor verifies the demo's tokens with its secret");
        return ExitCode::FAILURE;
    };
    let floor = Arc::new(Floor::new(secret.as_encoded_bytes()));
    let app = Router::new()
        .route("/api/auth/session", get(session))
        .with_state(floor);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("floor listening on http://{address}/api/auth/session");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token as NanoAuth signs it (header, claims, HMAC over both).
    fn token(floor: &Floor, exp: u64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = format!(r#"{{"sid":"s","sub":"u","iat":0,"exp":{exp}}}"#);
        let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
        let mut mac = floor.mac.clone();
        mac.update(signed.as_bytes());
        format!(
            "{signed}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn cookie(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(header::COOKIE, value);
        }
        headers
    }

    #[test]
    fn accepts_a_valid_token_and_refuses_the_rest() {
        let floor = Floor::new(b"benchmark secret, thirty-two bytes or more");
        let good = token(&floor, u64::MAX);
        assert!(
            floor
                .check(&cookie(&format!("a=1; {COOKIE}={good}")))
                .is_some()
        );
        assert!(
            floor
                .check(&cookie(&format!("{COOKIE}={}", token(&floor, 1))))
                .is_none(),
            "expired"
        );
        let other = Floor::new(b"another secret, thirty-two bytes or more");
        assert!(
            floor
                .check(&cookie(&format!("{COOKIE}={}", token(&other, u64::MAX))))
                .is_none(),
            "forged"
        );
        assert!(floor.check(&cookie("a=1")).is_none(), "no cookie");
        assert!(
            floor
                .check(&cookie(&format!("{COOKIE}=not.a.token")))
                .is_none()
        );
    }
}
