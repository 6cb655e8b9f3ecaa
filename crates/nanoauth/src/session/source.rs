//! `SessionSource`: the object-safe view of an [`Auth`] that framework
//! integrations hold.

use http::{HeaderMap, HeaderValue};

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::runtime::BoxFuture;
use crate::session::{Session, SessionToken};
use crate::user::AuthUser;

/// What a framework integration needs of an [`Auth`] outside the auth
/// routes, without its adapter type: the session a request presents, and
/// the cookie that renews it.
///
/// Handlers name only the user type (`Session<MyUser>` in `nanoauth-axum`
/// and `nanoauth-actix`), so the integrations keep the `Auth<U, A>` as an
/// `Arc<dyn SessionSource<U>>` (a request extension, app data, a Worker's
/// environment) and their extractors call it. It is implemented for every
/// `Auth<U, A>`; applications normally never implement or call it
/// themselves.
///
/// On an `Auth` itself, prefer its inherent methods:
/// [`Auth::get_session`] takes a whole request and wins method resolution
/// over [`SessionSource::get_session`], which takes headers (the same as
/// [`Auth::get_session_from_headers`]).
///
/// ```
/// use std::sync::Arc;
///
/// use nanoauth::plugins::email_password::EmailPassword;
/// use nanoauth::{Auth, AuthUser, BasicUser, Error, SessionSource, adapter::memory::MemoryAdapter};
///
/// /// An integration's extractor: knows the user type, not the adapter.
/// async fn user_name<U: AuthUser>(
///     source: Arc<dyn SessionSource<U>>,
///     headers: &http::HeaderMap,
/// ) -> Result<Option<(String, Option<http::HeaderValue>)>, Error> {
///     let Some(session) = source.get_session(headers).await? else {
///         return Ok(None); // no or a bad token: a visitor
///     };
///     // Some when this lookup slid the session's expiry: send it back.
///     let renewed = source.refreshed_cookie(&session)?;
///     Ok(Some((session.user.email().to_owned(), renewed)))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(EmailPassword::new())
///     .build()?;
/// let source: Arc<dyn SessionSource<BasicUser>> = Arc::new(auth.clone());
///
/// let sign_up = http::Request::post("/api/auth/signup/email")
///     .header("content-type", "application/json")
///     .body(r#"{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}"#.to_owned())?;
/// let response = auth.handler(sign_up).await;
/// let cookie = response.headers()["set-cookie"].to_str()?.split(';').next().unwrap_or_default();
///
/// let mut headers = http::HeaderMap::new();
/// assert_eq!(user_name(Arc::clone(&source), &headers).await?, None);
/// headers.insert("cookie", cookie.parse()?);
/// let (email, renewed) = user_name(source, &headers).await?.expect("signed in");
/// assert_eq!(email, "ada@example.com");
/// assert_eq!(renewed, None); // a fresh session needs no renewal
/// # Ok(()) }
/// ```
pub trait SessionSource<U>: Send + Sync + 'static {
    /// The session presented in `headers` (`Authorization: Bearer`, else
    /// the session cookie), as [`Auth::get_session_from_headers`] finds it.
    ///
    /// # Errors
    /// Only adapter failures; no, a bad, an expired or a revoked token is
    /// `Ok(None)`.
    fn get_session<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>>;

    /// The `Set-Cookie` value carrying `token`, as [`Auth::session_cookie`]
    /// writes it.
    ///
    /// # Errors
    /// Never for tokens NanoAuth issued.
    fn session_cookie(&self, token: &SessionToken) -> Result<HeaderValue, Error>;

    /// The `Set-Cookie` value to send with the response when looking
    /// `session` up slid its expiry forward ([`Session::refreshed_token`]);
    /// `None` when it did not. The auth routes send it themselves; an
    /// integration answering any other route should append it, or the
    /// client keeps the old token, which expires on its own schedule.
    ///
    /// # Errors
    /// Never for sessions NanoAuth looked up.
    fn refreshed_cookie(&self, session: &Session<U>) -> Result<Option<HeaderValue>, Error> {
        session
            .refreshed_token()
            .map(|token| self.session_cookie(token))
            .transpose()
    }
}

impl<U: AuthUser, A: Adapter<U>> SessionSource<U> for Auth<U, A> {
    fn get_session<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>> {
        Box::pin(self.get_session_from_headers(headers))
    }

    fn session_cookie(&self, token: &SessionToken) -> Result<HeaderValue, Error> {
        Auth::session_cookie(self, token)
    }
}
