//! Credentials other than a session token (an API key): plugins resolve
//! them to a [`Session`] of the kind they name, through the same
//! `get_session` every caller already uses.

use std::sync::Arc;

use http::HeaderName;

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::session::{Session, SessionRecord, SessionToken};
use crate::user::AuthUser;

/// What a non-session credential is: its kind (`"api-key"`), its id, and
/// what it may do. Carried by the [`Session`] it resolves to
/// ([`Session::credential`]) and serialized into `GET /session`'s
/// `session` as `kind` and `permissions`.
///
/// ```
/// use nanoauth::Credential;
/// let key = Credential::new("api-key", "key_123").with_permissions(["projects:read"]);
/// assert_eq!(key.kind(), "api-key");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    kind: &'static str,
    id: String,
    permissions: Vec<String>,
}

impl Credential {
    /// A credential of `kind` with the public `id`.
    pub fn new(kind: &'static str, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            permissions: Vec::new(),
        }
    }

    /// What it may do (scopes or permission statements, as the plugin
    /// defines them).
    #[must_use]
    pub fn with_permissions<I, S>(mut self, permissions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permissions = permissions.into_iter().map(Into::into).collect();
        self
    }

    /// Its kind, e.g. `"api-key"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Its public id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What it may do.
    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }
}

impl<U> Session<U> {
    /// A session-like value for a credential a plugin verified: `record`
    /// describes it as a session (its id, owner, times), `presented` is
    /// what the request carried. It is never fresh
    /// ([`Auth::is_fresh`]), so what needs a recent sign-in refuses it.
    pub fn from_credential(
        user: U,
        record: SessionRecord,
        credential: Credential,
        presented: &str,
    ) -> Self {
        Self {
            user,
            token: SessionToken::new(presented.to_owned(), record.expires_at, record.updated_at),
            session: record,
            refreshed_token: None,
            credential: Some(credential),
        }
    }

    /// The credential this session came from, when it is not a session
    /// token (an API key); `None` for a signed-in browser or bearer token.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }
}

pub(crate) type ResolveFn<U, A> = Arc<
    dyn Fn(
            String,
            Auth<U, A>,
        ) -> crate::runtime::BoxFuture<'static, Result<Option<Session<U>>, Error>>
        + Send
        + Sync,
>;

/// How a plugin turns a request header into a session, from
/// [`Plugin::credentials`](crate::Plugin::credentials). `get_session` asks
/// resolvers only when the request carries no session token (cookie or
/// bearer), in the plugins' order, each for the value of its header; the
/// first `Some` wins. `Err` (a store failure, a per-key rate limit) fails
/// the lookup.
///
/// ```
/// use nanoauth::{Auth, BasicUser, CredentialResolver};
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// type A = MemoryAdapter<BasicUser>;
/// let resolver = CredentialResolver::header("x-api-key", |_key: String, _auth: Auth<BasicUser, A>| async move {
///     Ok(None) // look the key up, and answer its user's session
/// });
/// ```
pub struct CredentialResolver<U: AuthUser, A: Adapter<U>> {
    pub(crate) header: HeaderName,
    pub(crate) resolve: ResolveFn<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> CredentialResolver<U, A> {
    /// A resolver of the header `name` (lower case; an invalid name, a
    /// programming error, never matches).
    pub fn header<F, Fut>(name: &'static str, resolve: F) -> Self
    where
        F: Fn(String, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Option<Session<U>>, Error>> + Send + 'static,
    {
        let header = HeaderName::from_lowercase(name.as_bytes())
            .unwrap_or_else(|_| HeaderName::from_static("x-nanoauth-invalid-header-name"));
        Self {
            header,
            resolve: Arc::new(move |value, auth| Box::pin(resolve(value, auth))),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for CredentialResolver<U, A> {
    fn clone(&self) -> Self {
        Self {
            header: self.header.clone(),
            resolve: Arc::clone(&self.resolve),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for CredentialResolver<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialResolver")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

pub(crate) type ReauthFn<U, A> = Arc<
    dyn Fn(Session<U>, Auth<U, A>) -> crate::runtime::BoxFuture<'static, Result<Option<u64>, Error>>
        + Send
        + Sync,
>;

/// How a plugin tells the core that a session's user proved who they are
/// again after signing in (a passkey assertion, say), from
/// [`Plugin::reauthentications`](crate::Plugin::reauthentications): given
/// the session, the time of its latest such proof, if any.
/// [`Auth::is_recently_authenticated`] (and so
/// [`require_fresh_session`](crate::EndpointRequest::require_fresh_session))
/// counts it like a sign-in.
///
/// ```
/// use nanoauth::{Auth, BasicUser, Reauthentication, Session};
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// type A = MemoryAdapter<BasicUser>;
/// let source = Reauthentication::new(|_session: Session<BasicUser>, _auth: Auth<BasicUser, A>| async move {
///     Ok(None) // look up when this session was last re-authenticated
/// });
/// ```
pub struct Reauthentication<U: AuthUser, A: Adapter<U>> {
    pub(crate) latest: ReauthFn<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Reauthentication<U, A> {
    /// A source from an async lookup of a session's latest
    /// re-authentication (Unix seconds).
    pub fn new<F, Fut>(latest: F) -> Self
    where
        F: Fn(Session<U>, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Option<u64>, Error>> + Send + 'static,
    {
        Self {
            latest: Arc::new(move |session, auth| Box::pin(latest(session, auth))),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for Reauthentication<U, A> {
    fn clone(&self) -> Self {
        Self {
            latest: Arc::clone(&self.latest),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for Reauthentication<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reauthentication(..)")
    }
}
