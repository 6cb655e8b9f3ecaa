//! Sessions that carry plugin attributes, sessions issued without the
//! guards, fixed lifetimes, and attribute changes that the session cache
//! and revocations respect.

mod common;

use common::*;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{
    Adapter, Auth, ClientInfo, Email, Error, NewSession, Plugin, SessionGuard, SignInMethod,
};
use serde_json::json;
use std::sync::Arc;

const DAY: u64 = 24 * 3600;

/// Refuses every sign-in: what a ban or a missing second factor looks like
/// to `create_session`.
struct NobodyGetsIn;

impl Plugin<Member, MemoryAdapter<Member>> for NobodyGetsIn {
    fn name(&self) -> &'static str {
        "nobody-gets-in"
    }

    fn session_guards(self: Arc<Self>) -> Vec<SessionGuard<Member, MemoryAdapter<Member>>> {
        vec![SessionGuard::new(|_, _| async {
            Err(Error::InvalidCredentials)
        })]
    }
}

fn configured(clock: TestClock, cache: bool, guard: bool) -> TestAuth {
    let mut builder = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(clock)
        .rate_limit(RateLimit::danger_disabled())
        .session_update_age(DAY)
        .plugin(fast_plugin());
    if cache {
        builder = builder.session_cache(60);
    }
    if guard {
        builder = builder.plugin(NobodyGetsIn);
    }
    builder
        .build()
        .unwrap_or_else(|e| unreachable!("test config is valid: {e}"))
}

async fn member(auth: &TestAuth, email: &str) -> Member {
    sign_up(auth, email, "correct horse battery").await;
    let email = Email::parse(email).unwrap_or_else(|| unreachable!());
    auth.adapter()
        .find_user_by_email(&email)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| unreachable!("signed up"))
}

fn cookie_max_age(response: &http::Response<bytes::Bytes>) -> Option<u64> {
    let header = response.headers().get("set-cookie")?.to_str().ok()?;
    header
        .split("; ")
        .find_map(|part| part.strip_prefix("Max-Age="))?
        .parse()
        .ok()
}

#[tokio::test]
async fn issued_sessions_skip_the_guards_and_carry_their_attributes() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let guarded = configured(clock.clone(), false, true);
    // Sign-up stores the user, then the guard refuses its session.
    let ada = member(&guarded, "ada@example.com").await;

    let refused = guarded
        .create_session_with(
            ada.clone(),
            ClientInfo::default(),
            SignInMethod::new("test"),
            NewSession::default(),
        )
        .await;
    assert!(matches!(refused, Err(Error::InvalidCredentials)));

    let options = NewSession::default()
        .attribute("impersonatedBy", json!("admin-1"))
        .lifetime(3600)
        .not_renewable();
    let signed_in = guarded
        .issue_session(
            ada.clone(),
            ClientInfo::default(),
            SignInMethod::new("impersonation"),
            options,
        )
        .await?;
    assert_eq!(
        signed_in.session.expires_at,
        1_700_000_000 + 3600,
        "the shorter lifetime"
    );
    assert!(!signed_in.session.renewable);

    let cookie = format!("nanoauth.session_token={}", signed_in.token.expose_secret());
    let body = json(&session_with_cookie(&guarded, &cookie).await);
    assert_eq!(body["session"]["impersonatedBy"], "admin-1", "{body}");
    assert_eq!(body["session"]["userId"], ada.id.as_str());
    assert!(
        body["session"].get("renewable").is_none(),
        "storage detail, not on the wire"
    );

    let listed = json(
        &guarded
            .handler(with_header(
                get("/api/auth/sessions"),
                "cookie",
                cookie.as_str(),
            ))
            .await,
    );
    let marked: Vec<&serde_json::Value> = listed
        .as_array()
        .map(|sessions| {
            sessions
                .iter()
                .filter(|s| s["impersonatedBy"] == "admin-1")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(marked.len(), 1, "the session list shows it: {listed}");
    Ok(())
}

#[tokio::test]
async fn a_lifetime_never_exceeds_the_configured_one() -> TestResult {
    let auth = configured(TestClock::at(1_700_000_000), false, false);
    let ada = member(&auth, "ada@example.com").await;
    let signed_in = auth
        .issue_session(
            ada,
            ClientInfo::default(),
            SignInMethod::new("test"),
            NewSession::default().lifetime(u64::MAX),
        )
        .await?;
    let configured_expiry = 1_700_000_000 + 7 * DAY;
    assert_eq!(signed_in.session.expires_at, configured_expiry);
    Ok(())
}

#[tokio::test]
async fn non_renewable_sessions_end_at_their_first_expiry() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let auth = configured(clock.clone(), false, false);
    let ada = member(&auth, "ada@example.com").await;
    let fixed = auth
        .issue_session(
            ada.clone(),
            ClientInfo::default(),
            SignInMethod::new("test"),
            NewSession::default().lifetime(2 * DAY).not_renewable(),
        )
        .await?;
    let cookie = format!("nanoauth.session_token={}", fixed.token.expose_secret());

    // Past the update age an ordinary session would slide; this one keeps
    // its expiry and renews no cookie.
    clock.advance(DAY + 1);
    let response = session_with_cookie(&auth, &cookie).await;
    assert_eq!(
        json(&response)["session"]["expiresAt"],
        1_700_000_000 + 2 * DAY
    );
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no refreshed token"
    );
    clock.advance(DAY);
    assert!(json(&session_with_cookie(&auth, &cookie).await).is_null());
    Ok(())
}

#[tokio::test]
async fn the_cookie_lives_as_long_as_its_token() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let auth = configured(clock.clone(), false, false);
    let response = sign_up(&auth, "ada@example.com", "correct horse battery").await;
    assert_eq!(cookie_max_age(&response), Some(7 * DAY));

    // A refresh a day later: a new token for a full lifetime from now.
    let cookie = cookie(&response);
    clock.advance(DAY + 5);
    let refreshed = session_with_cookie(&auth, &cookie).await;
    assert_eq!(cookie_max_age(&refreshed), Some(7 * DAY));
    Ok(())
}

#[tokio::test]
async fn attribute_changes_reach_the_next_lookup_through_the_cache() -> TestResult {
    let auth = configured(TestClock::at(1_700_000_000), true, false);
    let response = sign_up(&auth, "ada@example.com", "correct horse battery").await;
    let cookie = cookie(&response);
    let first = json(&session_with_cookie(&auth, &cookie).await);
    assert!(first["session"].get("activeOrganizationId").is_none());

    let session = auth
        .get_session(&with_header(get("/"), "cookie", &cookie))
        .await?
        .ok_or("signed in")?;
    let updated = auth
        .update_session_attributes(&session.session.token_hash, |attributes| {
            attributes.insert("activeOrganizationId", json!("org_1"));
        })
        .await?
        .ok_or("still stored")?;
    assert_eq!(
        updated.attributes.get_str("activeOrganizationId"),
        Some("org_1")
    );
    let after = json(&session_with_cookie(&auth, &cookie).await);
    assert_eq!(
        after["session"]["activeOrganizationId"], "org_1",
        "not the cached copy: {after}"
    );

    // Null removes it.
    auth.update_session_attributes(&session.session.token_hash, |attributes| {
        attributes.insert("activeOrganizationId", serde_json::Value::Null);
    })
    .await?;
    let cleared = json(&session_with_cookie(&auth, &cookie).await);
    assert!(cleared["session"].get("activeOrganizationId").is_none());
    Ok(())
}

#[tokio::test]
async fn a_revoked_session_gets_no_attributes_and_stays_revoked() -> TestResult {
    let auth = configured(TestClock::at(1_700_000_000), true, false);
    let response = sign_up(&auth, "ada@example.com", "correct horse battery").await;
    let cookie = cookie(&response);
    let session = auth
        .get_session(&with_header(get("/"), "cookie", &cookie))
        .await?
        .ok_or("signed in")?;
    auth.revoke_session(&session.session.token_hash).await?;
    let updated = auth
        .update_session_attributes(&session.session.token_hash, |attributes| {
            attributes.insert("activeOrganizationId", json!("org_1"));
        })
        .await?;
    assert!(updated.is_none());
    assert!(json(&session_with_cookie(&auth, &cookie).await).is_null());
    assert_eq!(auth.adapter().session_count(), 0);
    Ok(())
}

#[tokio::test]
async fn guards_still_run_for_create_session_with() -> TestResult {
    let auth = configured(TestClock::at(1_700_000_000), false, true);
    // Sign-up itself signs in, which the guard refuses; store a user directly.
    let ada = member(&auth, "ada@example.com").await;
    let outcome = auth
        .create_session_with(
            ada,
            ClientInfo::default(),
            SignInMethod::new("test"),
            NewSession::default().attribute("x", json!(1)),
        )
        .await;
    assert!(matches!(outcome, Err(Error::InvalidCredentials)));
    Ok(())
}
