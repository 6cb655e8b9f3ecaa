//! `SessionSource`: what the framework integrations see of an `Auth`,
//! through the trait object they hold.

mod common;

use std::sync::Arc;

use common::*;
use nanoauth::SessionSource;

const DAY: u64 = 24 * 60 * 60;

fn cookie_headers(cookie: &str) -> Result<http::HeaderMap, Box<dyn std::error::Error>> {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, cookie.parse()?);
    Ok(headers)
}

#[tokio::test]
async fn the_trait_object_reads_sessions_like_auth_does() -> TestResult {
    let auth = auth();
    let source: Arc<dyn SessionSource<Member>> = Arc::new(auth.clone());
    let cookie = cookie(&sign_up(&auth, "ada@example.com", "correct horse battery").await);

    assert!(source.get_session(&http::HeaderMap::new()).await?.is_none());
    let forged = cookie_headers("nanoauth.session_token=not-a-token")?;
    assert!(source.get_session(&forged).await?.is_none());

    let headers = cookie_headers(&cookie)?;
    let session = source.get_session(&headers).await?.ok_or("signed in")?;
    let direct = auth
        .get_session_from_headers(&headers)
        .await?
        .ok_or("signed in")?;
    assert_eq!(session.user, direct.user);
    assert_eq!(session.session.id, direct.session.id);
    assert_eq!(source.refreshed_cookie(&session)?, None);

    // The cookie it writes is `Auth`'s own.
    assert_eq!(
        source.session_cookie(session.token())?,
        auth.session_cookie(session.token())?
    );
    Ok(())
}

#[tokio::test]
async fn a_refreshing_lookup_gives_the_renewed_cookie() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let auth = auth_with_clock(clock.clone());
    let source: Arc<dyn SessionSource<Member>> = Arc::new(auth.clone());
    let cookie = cookie(&sign_up(&auth, "ada@example.com", "correct horse battery").await);

    // Past `session_update_age` (a day), the lookup slides the expiry.
    clock.advance(DAY + 1);
    let session = source
        .get_session(&cookie_headers(&cookie)?)
        .await?
        .ok_or("still signed in")?;
    let token = session.refreshed_token().ok_or("refreshed")?;
    let renewed = source.refreshed_cookie(&session)?.ok_or("a cookie")?;
    assert_eq!(renewed, auth.session_cookie(token)?);

    // The renewed cookie is a working session of the same user.
    let renewed_pair = renewed.to_str()?.split(';').next().unwrap_or_default();
    let again = source
        .get_session(&cookie_headers(renewed_pair)?)
        .await?
        .ok_or("renewed cookie signs in")?;
    assert_eq!(again.user, session.user);
    assert_eq!(source.refreshed_cookie(&again)?, None);
    Ok(())
}
