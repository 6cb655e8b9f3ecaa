//! Interoperability with another JOSE implementation: Python's PyJWT
//! (`pip install PyJWT cryptography`; `.ci/run` installs them) fetches the
//! JWKS of a real server with `PyJWKClient` and verifies our tokens, for
//! each algorithm, and old and new tokens after a key rotation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Stdio};

use nanoauth_jwt::{Algorithm, Jwt};
use serde_json::Value;

use common::{TestClock, auth_at, header, hour_start, listener, serve, sign_up, token};

const HOUR: u64 = 3600;

/// What PyJWT makes of each token: `{kid, alg, claims}` or `{error}`; or
/// `None` (after saying so) when PyJWT is not installed.
fn pyjwt(jwks_url: &str, issuer: &str, audience: &str, tokens: &[&str]) -> Option<Vec<Value>> {
    let installed = Command::new("python3")
        .args(["-c", "import jwt, cryptography"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        println!("skipping: PyJWT is not installed (pip install PyJWT cryptography)");
        return None;
    }
    let script = r#"
import json, sys, jwt
url, issuer, audience = sys.argv[1:4]
client = jwt.PyJWKClient(url)
for token in sys.argv[4:]:
    try:
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name],
                            audience=audience, issuer=issuer,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        print(json.dumps({"kid": key.key_id, "alg": key.algorithm_name, "claims": claims}))
    except Exception as error:
        print(json.dumps({"error": type(error).__name__}))
"#;
    let output = Command::new("python3")
        .args(["-c", script, jwks_url, issuer, audience])
        .args(tokens)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "PyJWT failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyjwt_verifies_tokens_of_every_algorithm_across_a_rotation() {
    for algorithm in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256] {
        let boundary = hour_start();
        // Signed just before the hour began, verified now by PyJWT's real
        // clock: two-hour tokens are live, none was issued in the future.
        let clock = TestClock::at(boundary - 10);
        let (listener, url) = listener().await;
        let jwt = Jwt::new()
            .algorithm(algorithm)
            .rotate_every(HOUR)
            .token_lifetime(2 * HOUR)
            .audience("https://api.example.com");
        let auth = auth_at(&url, &clock, jwt);
        serve(listener, auth.clone()).await;

        let (user_id, bearer) = sign_up(&auth, "py@example.com").await;
        let old = token(&auth, "authorization", &bearer).await;
        clock.set(boundary);
        let new = token(&auth, "authorization", &bearer).await;
        assert_ne!(header(&old)["kid"], header(&new)["kid"], "{algorithm}");
        let (input, signature) = new.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let tampered = format!("{input}.{flipped}{}", &signature[1..]);

        let Some(results) = pyjwt(
            &format!("{url}/api/auth/jwks"),
            &url,
            "https://api.example.com",
            &[&old, &new, &tampered],
        ) else {
            return;
        };
        for (result, token) in results.iter().zip([&old, &new]) {
            assert!(result.get("error").is_none(), "{algorithm}: {result}");
            assert_eq!(result["alg"], algorithm.name());
            assert_eq!(result["kid"], header(token)["kid"]);
            assert_eq!(result["claims"]["sub"], user_id.as_str());
            assert_eq!(result["claims"]["iss"], url.as_str());
        }
        assert_eq!(results[2]["error"], "InvalidSignatureError", "{algorithm}");
    }
}
