//! `GET /token` and `GET /jwks` through `Auth::handler`, over the memory
//! adapter, with a clock the tests move: claims, expiry, rotation, one key
//! under concurrency, secret rotation, and tokens that are never sessions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use http::{HeaderValue, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{Adapter, BasicUser, Error, RecordAdapter};
use nanoauth_jwt::{Algorithm, Claims, Expected, Jwt, JwtExt, PublicKeys, VerifyError};
use serde_json::json;

use common::{
    ORIGIN, SECRET, TestClock, auth, get, header, json, jwks, kids, payload, post, sign_up, token,
    verify_with_jsonwebtoken,
};

type Store = Arc<MemoryAdapter<BasicUser>>;

const START: u64 = 1_700_000_000;
const HOUR: u64 = 3600;
/// The first rotation after `START` with `rotate_every(HOUR)`.
const BOUNDARY: u64 = (START / HOUR + 1) * HOUR;

fn store() -> Store {
    Arc::new(MemoryAdapter::new())
}

#[tokio::test]
async fn a_token_carries_the_registered_claims_and_the_applications() {
    let clock = TestClock::at(START);
    let jwt = Jwt::new()
        .audience("https://api.example.com")
        .claims(|user: &BasicUser| {
            let mut claims = serde_json::Map::new();
            claims.insert("email".into(), user.email.clone().into());
            // None of these may replace NanoAuth's.
            for name in ["sub", "iss", "aud", "exp", "iat", "jti", "credential"] {
                claims.insert(name.into(), "forged".into());
            }
            claims
        });
    let auth = auth(store(), &clock, &[SECRET], jwt);
    let (user_id, bearer) = sign_up(&auth, "ada@example.com").await;
    let first = token(&auth, "authorization", &bearer).await;
    let second = token(&auth, "authorization", &bearer).await;

    let set = jwks(&auth).await;
    assert_eq!(kids(&set).len(), 1);
    let head = header(&first);
    assert_eq!(head["alg"], "EdDSA");
    assert_eq!(head["typ"], "JWT");
    assert_eq!(head["kid"].as_str(), Some(kids(&set)[0].as_str()));

    let claims =
        verify_with_jsonwebtoken(&set, &first, ORIGIN, "https://api.example.com", START).unwrap();
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["iss"], ORIGIN);
    assert_eq!(claims["aud"], "https://api.example.com");
    assert_eq!(claims["iat"], START);
    assert_eq!(claims["exp"], START + 900, "15 minutes by default");
    assert_eq!(claims["email"], "ada@example.com");
    assert!(claims.get("credential").is_none(), "a signed-in user");
    assert!(claims["jti"].as_str().is_some_and(|jti| jti.len() >= 16));
    assert_ne!(
        claims["jti"],
        payload(&second)["jti"],
        "every token its own id"
    );

    // Our own verifier agrees, and refuses it at `exp` (no leeway).
    let keys = PublicKeys::from_jwks(set.to_string().as_bytes()).unwrap();
    let expected = Expected::new(ORIGIN, "https://api.example.com").leeway(0);
    let typed: Claims = keys.verify(&first, &expected, START + 899).unwrap();
    assert_eq!(typed.sub, user_id);
    assert_eq!(typed.extra["email"], "ada@example.com");
    assert_eq!(
        keys.verify::<Claims>(&first, &expected, START + 900),
        Err(VerifyError::Expired)
    );
    let elsewhere = Expected::new(ORIGIN, "https://other.example.com");
    assert_eq!(
        keys.verify::<Claims>(&first, &elsewhere, START),
        Err(VerifyError::Audience)
    );
}

#[tokio::test]
async fn issuer_audience_and_lifetime_are_configurable_and_default_to_the_origin() {
    let clock = TestClock::at(START);
    let auth_default = auth(store(), &clock, &[SECRET], Jwt::new());
    let (_, bearer) = sign_up(&auth_default, "d@example.com").await;
    let claims = payload(&token(&auth_default, "authorization", &bearer).await);
    assert_eq!(claims["iss"], ORIGIN);
    assert_eq!(claims["aud"], ORIGIN);

    let custom = Jwt::new()
        .issuer("https://auth.example.com")
        .audience("svc")
        .token_lifetime(60);
    let auth_custom = auth(store(), &clock, &[SECRET], custom);
    let (_, bearer) = sign_up(&auth_custom, "c@example.com").await;
    let claims = payload(&token(&auth_custom, "authorization", &bearer).await);
    assert_eq!(claims["iss"], "https://auth.example.com");
    assert_eq!(claims["aud"], "svc");
    assert_eq!(claims["exp"], START + 60);
}

#[tokio::test]
async fn a_token_needs_a_session() {
    let clock = TestClock::at(START);
    let auth = auth(store(), &clock, &[SECRET], Jwt::new());
    let response = get(&auth, "/token", &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(&response)["error"]["code"], "UNAUTHORIZED");
    let response = get(&auth, "/token", &[("authorization", "Bearer nonsense")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_are_never_sessions() {
    let clock = TestClock::at(START);
    let auth = auth(store(), &clock, &[SECRET], Jwt::new());
    let (_, bearer) = sign_up(&auth, "never@example.com").await;
    let jwt = token(&auth, "authorization", &bearer).await;

    for (name, value) in [
        ("authorization", format!("Bearer {jwt}")),
        ("x-api-key", jwt.clone()),
        ("cookie", format!("{}={jwt}", auth.cookie_name())),
    ] {
        let response = get(&auth, "/session", &[(name, &value)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert!(json(&response).is_null(), "{name}: {}", json(&response));
        // Nor does it mint another token.
        let response = get(&auth, "/token", &[(name, &value)]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn a_token_from_an_api_key_says_so_with_its_permissions() {
    let clock = TestClock::at(START);
    let auth = auth(store(), &clock, &[SECRET], Jwt::new());
    let (user_id, bearer) = sign_up(&auth, "svc@example.com").await;
    let response = post(
        &auth,
        "/api-key/create",
        &[("authorization", &bearer)],
        json!({ "name": "deploy", "permissions": ["projects:read"] }),
    )
    .await;
    let created = json(&response);
    let key = created["key"].as_str().unwrap();

    let jwt = token(&auth, "x-api-key", key).await;
    let set = jwks(&auth).await;
    let claims = verify_with_jsonwebtoken(&set, &jwt, ORIGIN, ORIGIN, START).unwrap();
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(
        claims["credential"],
        json!({ "kind": "api-key", "id": created["apiKey"]["id"], "permissions": ["projects:read"] })
    );
    assert!(!jwt.contains(key) && !claims.values().any(|v| v.to_string().contains(key)));
    let typed: Claims = PublicKeys::from_jwks(set.to_string().as_bytes())
        .unwrap()
        .verify(&jwt, &Expected::new(ORIGIN, ORIGIN), START)
        .unwrap();
    let credential = typed.credential.unwrap();
    assert_eq!(credential.kind, "api-key");
    assert_eq!(credential.permissions, ["projects:read"]);
}

#[tokio::test]
async fn the_jwks_is_public_and_lists_public_keys_only() {
    let clock = TestClock::at(START);
    let auth = auth(store(), &clock, &[SECRET], Jwt::new());
    // Before any token: the current key is made, so the set is never empty.
    let set = jwks(&auth).await;
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = keys[0].as_object().unwrap();
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"].as_str().map(str::len), Some(43));
    let mut members: Vec<&str> = key.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["alg", "crv", "kid", "kty", "use", "x"], "no `d`");

    // `HEAD` runs it too (a safe endpoint); the key stays the same.
    let head = nanoauth_head(&auth).await;
    assert_eq!(head, StatusCode::OK);
    assert_eq!(kids(&jwks(&auth).await), kids(&set));
}

async fn nanoauth_head(auth: &nanoauth::Auth<BasicUser, Store>) -> StatusCode {
    let request = http::Request::head("/api/auth/jwks")
        .body(String::new())
        .unwrap();
    auth.handler(request).await.status()
}

/// The JWKS may be cached for less than a token lifetime (a third of it,
/// at most five minutes), publicly: it is the same for everyone. Every
/// other answer stays `no-store`.
#[tokio::test]
async fn the_jwks_may_be_cached_for_less_than_a_token_lifetime() {
    let clock = TestClock::at(START);
    for (lifetime, max_age) in [(900, "public, max-age=300"), (120, "public, max-age=40")] {
        let auth = auth(
            store(),
            &clock,
            &[SECRET],
            Jwt::new().token_lifetime(lifetime),
        );
        let response = auth
            .handler(
                http::Request::get("/api/auth/jwks")
                    .body(String::new())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers().get("cache-control"),
            Some(&HeaderValue::from_static(max_age))
        );
        let session = auth
            .handler(
                http::Request::get("/api/auth/session")
                    .body(String::new())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            session.headers().get("cache-control"),
            Some(&HeaderValue::from_static("no-store"))
        );
    }
}

#[tokio::test]
async fn es256_and_rs256_keys_sign_tokens_jsonwebtoken_verifies() {
    for (algorithm, kty) in [(Algorithm::Es256, "EC"), (Algorithm::Rs256, "RSA")] {
        let clock = TestClock::at(START);
        let auth = auth(store(), &clock, &[SECRET], Jwt::new().algorithm(algorithm));
        let (user_id, bearer) = sign_up(&auth, "alg@example.com").await;
        let jwt = token(&auth, "authorization", &bearer).await;
        assert_eq!(header(&jwt)["alg"], algorithm.name());
        let set = jwks(&auth).await;
        assert_eq!(set["keys"][0]["kty"], kty);
        assert_eq!(set["keys"][0]["alg"], algorithm.name());
        assert!(set["keys"][0].get("d").is_none() && set["keys"][0].get("p").is_none());
        let claims = verify_with_jsonwebtoken(&set, &jwt, ORIGIN, ORIGIN, START).unwrap();
        assert_eq!(claims["sub"], user_id.as_str());
        let keys = PublicKeys::from_jwks(set.to_string().as_bytes()).unwrap();
        assert!(
            keys.verify::<Claims>(&jwt, &Expected::new(ORIGIN, ORIGIN), START)
                .is_ok()
        );
    }
}

/// After a rotation the new key signs; tokens of the old key verify until
/// they expire, and the old key leaves the JWKS (and storage) once its last
/// token has expired, plus two minutes of leeway.
#[tokio::test]
async fn after_a_rotation_old_and_new_tokens_verify_until_the_old_expire() {
    let clock = TestClock::at(BOUNDARY - 10);
    let store = store();
    let auth = auth(
        Arc::clone(&store),
        &clock,
        &[SECRET],
        Jwt::new().rotate_every(HOUR),
    );
    let (_, bearer) = sign_up(&auth, "rot@example.com").await;
    let old = token(&auth, "authorization", &bearer).await;
    let old_kid = header(&old)["kid"].as_str().unwrap().to_owned();
    assert_eq!(kids(&jwks(&auth).await), std::slice::from_ref(&old_kid));
    // Until the period ends the same key signs (from the plugin's cache).
    clock.set(BOUNDARY - 1);
    assert_eq!(
        header(&token(&auth, "authorization", &bearer).await)["kid"],
        old_kid.as_str()
    );

    clock.set(BOUNDARY);
    let new = token(&auth, "authorization", &bearer).await;
    let new_kid = header(&new)["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid, "a new key signs after the rotation");
    let set = jwks(&auth).await;
    assert_eq!(
        kids(&set),
        [new_kid.clone(), old_kid.clone()],
        "newest first"
    );
    for jwt in [&old, &new] {
        verify_with_jsonwebtoken(&set, jwt, ORIGIN, ORIGIN, BOUNDARY + 100).unwrap();
    }

    // The old token expires at BOUNDARY - 10 + 900; its key stays published
    // until every token it signed has expired (BOUNDARY + 900) plus leeway.
    let old_exp = payload(&old)["exp"].as_u64().unwrap();
    assert_eq!(old_exp, BOUNDARY + 890);
    clock.set(old_exp - 1);
    let set = jwks(&auth).await;
    verify_with_jsonwebtoken(&set, &old, ORIGIN, ORIGIN, old_exp - 1).unwrap();
    clock.set(BOUNDARY + 900 + 120 - 1);
    assert_eq!(kids(&jwks(&auth).await), [new_kid.clone(), old_kid.clone()]);
    clock.set(BOUNDARY + 900 + 120);
    let set = jwks(&auth).await;
    assert_eq!(kids(&set), std::slice::from_ref(&new_kid));
    verify_with_jsonwebtoken(&set, &new, ORIGIN, ORIGIN, BOUNDARY + 899).unwrap();
    assert_eq!(
        verify_with_jsonwebtoken(&set, &old, ORIGIN, ORIGIN, BOUNDARY).unwrap_err(),
        "unknown kid"
    );

    // Its record has expired with it, and the purge removes it.
    let purged = auth.purge_expired().await.unwrap();
    assert!(purged.plugins >= 1, "{purged:?}");

    // A whole period later, another key.
    clock.set(BOUNDARY + HOUR);
    let third = token(&auth, "authorization", &bearer).await;
    assert!(![old_kid, new_kid].contains(&header(&third)["kid"].as_str().unwrap().to_owned()));
}

/// Many first requests at once on one server make one key, and once it is
/// loaded, signing reads no storage: the key is served from the plugin's
/// cache (here, even with its records deleted behind its back) until its
/// period ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_server_makes_one_key_and_signs_from_its_cache() {
    let clock = TestClock::at(START);
    let store = store();
    let server = Arc::new(auth(
        Arc::clone(&store),
        &clock,
        &[SECRET],
        Jwt::new().rotate_every(HOUR),
    ));
    let (_, bearer) = sign_up(&server, "one@example.com").await;
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let server = Arc::clone(&server);
            let bearer = bearer.clone();
            tokio::spawn(async move { token(&server, "authorization", &bearer).await })
        })
        .collect();
    let mut kids_seen = Vec::new();
    for task in tasks {
        kids_seen.push(
            header(&task.await.unwrap())["kid"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    kids_seen.dedup();
    assert_eq!(kids_seen.len(), 1, "{kids_seen:?}");
    assert_eq!(kids(&jwks(&server).await), kids_seen);

    // At rest: the public key in clear, the private key sealed.
    let period = format!("EdDSA.{HOUR}.{}", START / HOUR);
    let record = store
        .find_record("jwt.key", &period, START)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.expires_at, Some(BOUNDARY + 900 + 120));
    let stored: serde_json::Value = serde_json::from_str(&record.data).unwrap();
    assert_eq!(stored["jwk"]["kid"], kids_seen[0].as_str());
    assert!(stored["jwk"].get("d").is_none());
    assert!(stored["private"].as_str().unwrap().starts_with("v1."));
    assert!(
        store
            .delete_record("jwt.key", &period, START)
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_record("jwt.jwks", "published", START)
            .await
            .unwrap()
    );
    clock.set(BOUNDARY - 1);
    let cached = token(&server, "authorization", &bearer).await;
    assert_eq!(header(&cached)["kid"], kids_seen[0].as_str());

    // Never past its period.
    clock.set(BOUNDARY);
    let next = token(&server, "authorization", &bearer).await;
    assert_ne!(header(&next)["kid"], kids_seen[0].as_str());
}

/// Servers of one deployment (here four `Auth`s, each with its own cache,
/// over one store) meeting a new period at the same moment make one key:
/// the store's uniqueness constraint decides, the others read the winner's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_requests_make_one_key() {
    let clock = TestClock::at(START);
    let store = store();
    let servers: Vec<_> = (0..4)
        .map(|_| {
            Arc::new(auth(
                Arc::clone(&store),
                &clock,
                &[SECRET],
                Jwt::new().rotate_every(HOUR),
            ))
        })
        .collect();
    let (_, bearer) = sign_up(&servers[0], "many@example.com").await;

    for moment in [START, BOUNDARY] {
        clock.set(moment);
        let mut tasks = Vec::new();
        for round in 0..16 {
            let server = Arc::clone(&servers[round % servers.len()]);
            let bearer = bearer.clone();
            tasks.push(tokio::spawn(async move {
                token(&server, "authorization", &bearer).await
            }));
        }
        let mut kids_seen = Vec::new();
        for task in tasks {
            kids_seen.push(
                header(&task.await.unwrap())["kid"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        kids_seen.dedup();
        assert_eq!(kids_seen.len(), 1, "one key at {moment}: {kids_seen:?}");
        let published = kids(&jwks(&servers[3]).await);
        assert_eq!(published[0], kids_seen[0]);
        let expected_count = if moment == START { 1 } else { 2 };
        assert_eq!(published.len(), expected_count, "{published:?}");
    }
}

/// The application secret is rotated (the new one first, the old one
/// kept): the signing key still opens and keeps signing. Dropping the old
/// secret later does not lock anyone out either: a new key takes over and
/// tokens of the old one still verify until they expire.
#[tokio::test]
async fn rotating_the_app_secret_never_locks_anyone_out() {
    const NEW_SECRET: &str = "the new secret, also thirty-two bytes or more";
    let clock = TestClock::at(START);
    let store = store();
    let before = auth(Arc::clone(&store), &clock, &[SECRET], Jwt::new());
    let (user_id, bearer) = sign_up(&before, "sec@example.com").await;
    let first = token(&before, "authorization", &bearer).await;
    let kid = header(&first)["kid"].as_str().unwrap().to_owned();
    let user = store.get_user(&user_id).await.unwrap().unwrap();

    // A restarted server with the new secret first, the old one kept.
    let rotated = auth(
        Arc::clone(&store),
        &clock,
        &[NEW_SECRET, SECRET],
        Jwt::new(),
    );
    let response = get(&rotated, "/token", &[("authorization", &bearer)]).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", json(&response));
    let second = json(&response)["token"].as_str().unwrap().to_owned();
    assert_eq!(header(&second)["kid"], kid.as_str(), "the same key opens");
    assert_eq!(kids(&jwks(&rotated).await), std::slice::from_ref(&kid));

    // Later the old secret is dropped: nothing opens the stored key.
    clock.advance(60);
    let dropped = auth(Arc::clone(&store), &clock, &[NEW_SECRET], Jwt::new());
    let third = dropped.jwt().token_for(&user).await.unwrap();
    let new_kid = header(&third)["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, kid, "a new key replaced the one nobody can open");
    let set = jwks(&dropped).await;
    assert_eq!(kids(&set), [new_kid.clone(), kid.clone()]);
    for jwt in [&first, &second, &third] {
        verify_with_jsonwebtoken(&set, jwt, ORIGIN, ORIGIN, START + 60).unwrap();
    }
    // And the server still holding the old secret keeps signing with the
    // key it has, which stays published.
    let fourth = before.jwt().token_for(&user).await.unwrap();
    verify_with_jsonwebtoken(&jwks(&dropped).await, &fourth, ORIGIN, ORIGIN, START + 60).unwrap();
}

#[tokio::test]
async fn the_exports_need_the_plugin() {
    let clock = TestClock::at(START);
    let auth = nanoauth::Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(clock)
        .build()
        .unwrap();
    let user = BasicUser {
        id: "u".into(),
        email: "u@example.com".into(),
        name: String::new(),
    };
    assert!(matches!(
        auth.jwt().token_for(&user).await,
        Err(Error::PluginNotEnabled("jwt"))
    ));
}
