//! Plugins: the unit that carries auth logic.

pub(crate) mod events;

use std::sync::Arc;

use crate::adapter::Adapter;
use crate::pipeline::endpoint::Endpoint;
use crate::pipeline::request_hooks::RequestHook;
use crate::plugin::events::Hook;
use crate::session::sweeper::Purge;
use crate::session::{CredentialResolver, Reauthentication, SessionGuard};
use crate::user::AuthUser;

/// A plugin: a name, HTTP endpoints, lifecycle hooks, and (as inherent or
/// extension methods on `Auth`) typed exports.
///
/// A plugin that needs more from storage than [`Adapter`] bounds `A` by its
/// own capability trait in its `impl Plugin`; adding it to an `Auth` whose
/// adapter lacks the capability is then a compile error.
///
/// The plugin value is kept for the life of the `Auth`; endpoint handlers get
/// it as `Arc<Self>`, so configuration lives in the plugin struct. Exports
/// find it again with [`Auth::plugin`](crate::Auth::plugin).
///
/// ```
/// use std::sync::Arc;
/// use nanoauth::{Adapter, AuthUser, Endpoint, EndpointRequest, Error, Plugin, Reply};
///
/// /// Answers `GET /api/auth/ping` with `{"pong": true}`.
/// #[derive(Debug)]
/// struct Ping;
///
/// impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Ping {
///     fn name(&self) -> &'static str { "ping" }
///
///     fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
///         vec![Endpoint::get("/ping", |_request: EndpointRequest<U, A>| async {
///             Reply::json(&serde_json::json!({ "pong": true }))
///         })]
///     }
/// }
/// ```
pub trait Plugin<U: AuthUser, A: Adapter<U>>: Send + Sync + 'static {
    /// A unique, stable name (`"email-password"`, `"magic-link"`).
    fn name(&self) -> &'static str;

    /// The names of the plugins this one builds on (password reset uses the
    /// password rules of `"email-password"`). An `Auth` without them is
    /// refused when it is built ([`ConfigError::MissingDependency`]), so a
    /// plugin's routes always find what they need.
    ///
    /// [`ConfigError::MissingDependency`]: crate::ConfigError::MissingDependency
    fn dependencies(&self) -> &'static [&'static str] {
        &[]
    }

    /// The plugin's endpoints, mounted under the base path. Called once when
    /// the router is built, never per request.
    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        Vec::new()
    }

    /// The plugin's lifecycle listeners.
    fn hooks(self: Arc<Self>) -> Vec<Hook<U, A>> {
        Vec::new()
    }

    /// The plugin's before and after hooks on requests (its own routes or
    /// any other plugin's, as their [`Matcher`](crate::Matcher)s say). They
    /// run before the application's; see [`RequestHook`].
    fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
        Vec::new()
    }

    /// Checks every new session must pass, whichever plugin signs the user
    /// in (a required email verification, say).
    fn session_guards(self: Arc<Self>) -> Vec<SessionGuard<U, A>> {
        Vec::new()
    }

    /// How the plugin deletes its own expired state (challenges, records
    /// kept in its own tables); run by
    /// [`Auth::purge_expired`](crate::Auth::purge_expired) and so by the
    /// sweeper, after the sessions and tokens.
    fn purges(self: Arc<Self>) -> Vec<Purge<U, A>> {
        Vec::new()
    }

    /// How the plugin turns other credentials (an `x-api-key` header) into
    /// sessions, for requests without a session token; see
    /// [`CredentialResolver`].
    fn credentials(self: Arc<Self>) -> Vec<CredentialResolver<U, A>> {
        Vec::new()
    }

    /// How the plugin reports that a session's user proved who they are
    /// again (a passkey assertion): sensitive changes then take the
    /// session as fresh; see [`Reauthentication`].
    fn reauthentications(self: Arc<Self>) -> Vec<Reauthentication<U, A>> {
        Vec::new()
    }
}
