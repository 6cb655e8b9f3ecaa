//! better-auth's password hashes, as better-auth 1.7 itself writes them
//! (`tests/fixtures/better-auth/hashes.json`, made by `make-hashes.mjs` with
//! the pinned `bench/peers/better-auth` install): they verify only when the
//! application opts in, and the first sign-in replaces them with Argon2id.

mod common;

use std::path::PathBuf;

use common::*;
use http::StatusCode;
use nanoauth::adapter::PasswordAdapter;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, Email};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    generator: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    password: String,
    hash: String,
}

fn fixture() -> Result<Fixture, Box<dyn std::error::Error>> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "better-auth",
        "hashes.json",
    ]
    .iter()
    .collect();
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

#[test]
fn better_auths_own_hashes_verify_with_the_opt_in_only() -> TestResult {
    let fixture = fixture()?;
    assert!(fixture.generator.starts_with("better-auth 1.7"));
    assert_eq!(fixture.cases.len(), 4);
    let hasher = PasswordHasher::owasp().accept_better_auth_scrypt();
    for case in &fixture.cases {
        assert!(hasher.verify(&case.password, &case.hash)?, "{}", case.hash);
        assert!(!hasher.verify("not the password", &case.hash)?);
        assert!(hasher.needs_rehash(&case.hash));
        // Without the opt-in the string is no password hash at all.
        assert!(
            PasswordHasher::owasp()
                .verify(&case.password, &case.hash)
                .is_err()
        );
    }
    Ok(())
}

#[test]
fn both_sides_normalise_non_ascii_passwords_with_nfkc() -> TestResult {
    let fixture = fixture()?;
    let case = fixture
        .cases
        .iter()
        .find(|case| !case.password.is_ascii())
        .ok_or("the fixture has a non-ASCII password")?;
    // better-auth hashed "ﬁ" (one ligature code point) and "e" + combining
    // acute; typed composed, the password still matches.
    assert!(case.password.starts_with('\u{fb01}'));
    let hasher = PasswordHasher::owasp().accept_better_auth_scrypt();
    assert!(hasher.verify("fianc\u{e9} p\u{e4}ssw\u{f6}rd", &case.hash)?);
    assert!(!hasher.verify("fiance p\u{e4}ssw\u{f6}rd", &case.hash)?);
    Ok(())
}

fn auth_accepting_better_auth(adapter: MemoryAdapter<Member>) -> TestAuth {
    Auth::builder(adapter)
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(fast_plugin().accept_better_auth_hashes())
        .build()
        .unwrap_or_else(|error| unreachable!("test config is valid: {error}"))
}

async fn stored_hash(auth: &TestAuth, email: &str) -> Result<String, Box<dyn std::error::Error>> {
    let email = Email::parse(email).ok_or("valid email")?;
    let credential = auth
        .adapter()
        .find_password_credential(&email)
        .await?
        .ok_or("a password credential")?;
    Ok(credential.password_hash)
}

#[tokio::test]
async fn the_first_sign_in_replaces_an_imported_hash_with_argon2id() -> TestResult {
    let fixture = fixture()?;
    let case = &fixture.cases[0];
    let adapter = MemoryAdapter::new();
    let user = Member {
        id: "ba-user-1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
        role: "member".into(),
    };
    adapter.create_user_with_password(&user, &case.hash).await?;
    let auth = auth_accepting_better_auth(adapter);

    // A wrong password changes nothing.
    let wrong = sign_in(&auth, "ada@example.com", "not the password").await;
    assert_eq!(error_code(&wrong), "INVALID_CREDENTIALS");
    assert_eq!(stored_hash(&auth, "ada@example.com").await?, case.hash);

    let first = sign_in(&auth, "ada@example.com", &case.password).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(json(&first)["user"]["id"], "ba-user-1");
    let rehashed = stored_hash(&auth, "ada@example.com").await?;
    assert!(rehashed.starts_with("$argon2id$"), "{rehashed}");

    // The second sign-in verifies the new hash, and leaves it as it is.
    let second = sign_in(&auth, "ada@example.com", &case.password).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(stored_hash(&auth, "ada@example.com").await?, rehashed);
    Ok(())
}

#[tokio::test]
async fn without_the_opt_in_an_imported_hash_never_signs_in() -> TestResult {
    let fixture = fixture()?;
    let case = &fixture.cases[0];
    let adapter = MemoryAdapter::new();
    let user = Member {
        id: "ba-user-1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
        role: "member".into(),
    };
    adapter.create_user_with_password(&user, &case.hash).await?;
    let auth = Auth::builder(adapter)
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(fast_plugin())
        .build()?;
    let response = sign_in(&auth, "ada@example.com", &case.password).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert_eq!(stored_hash(&auth, "ada@example.com").await?, case.hash);
    Ok(())
}

#[tokio::test]
async fn the_opt_in_survives_a_hasher_set_after_it() -> TestResult {
    let fixture = fixture()?;
    let case = &fixture.cases[1];
    let adapter = MemoryAdapter::new();
    let user = Member {
        id: "ba-user-2".into(),
        email: "bob@example.com".into(),
        name: "Bob".into(),
        role: "member".into(),
    };
    adapter.create_user_with_password(&user, &case.hash).await?;
    let plugin = EmailPassword::new()
        .accept_better_auth_hashes()
        .hasher(PasswordHasher::with_params(64, 1, 1)?);
    let auth = Auth::builder(adapter)
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(plugin)
        .build()?;
    let response = sign_in(&auth, "bob@example.com", &case.password).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The rehash used the hasher set last (m=64), not the default.
    let rehashed = stored_hash(&auth, "bob@example.com").await?;
    assert!(
        rehashed.starts_with("$argon2id$v=19$m=64,t=1,p=1$"),
        "{rehashed}"
    );
    Ok(())
}
