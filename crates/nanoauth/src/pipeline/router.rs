//! The route table, built once from the plugins' endpoints.

use std::sync::Arc;

use http::{HeaderValue, Method};

use crate::adapter::Adapter;
use crate::auth::ConfigError;
use crate::pipeline::endpoint::{Endpoint, EndpointHandler, ErrorBody};
use crate::pipeline::request_hooks::{RequestHook, RouteHooks};
use crate::rate_limit::Limit;
use crate::user::AuthUser;

/// The endpoints of one path, per method.
type MethodHandlers<U, A> = Vec<(Method, Routed<U, A>)>;

/// What the pipeline needs of a matched endpoint.
pub(crate) struct Routed<U: AuthUser, A: Adapter<U>> {
    pub(crate) handler: EndpointHandler<U, A>,
    /// `HEAD` may run the handler (see `Endpoint::safe`).
    safe: bool,
    /// Form bodies are accepted as well as JSON.
    pub(crate) accepts_forms: bool,
    /// The plugin's own per-client limit (see `Endpoint::rate_limited`).
    pub(crate) client_limit: Option<Limit>,
    /// Answers are public documents (see `Endpoint::cached_publicly`).
    pub(crate) public_max_age: Option<u64>,
    /// The route's own error bodies (see `Endpoint::error_body`).
    pub(crate) error_body: Option<ErrorBody>,
    /// The declared path, and the plugin that owns it.
    pub(crate) pattern: Arc<str>,
    pub(crate) plugin: &'static str,
    /// The request hooks matching this endpoint, in running order.
    pub(crate) hooks: RouteHooks<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Clone for Routed<U, A> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            safe: self.safe,
            accepts_forms: self.accepts_forms,
            client_limit: self.client_limit,
            public_max_age: self.public_max_age,
            error_body: self.error_body,
            pattern: Arc::clone(&self.pattern),
            plugin: self.plugin,
            hooks: self.hooks.clone(),
        }
    }
}

/// One path's endpoints, and the methods they take as an
/// `Access-Control-Allow-Methods` value (for CORS preflights).
struct PathEntry<U: AuthUser, A: Adapter<U>> {
    methods: MethodHandlers<U, A>,
    allow: HeaderValue,
}

/// Paths (relative to the base path) to the handlers per method.
pub(crate) struct Router<U: AuthUser, A: Adapter<U>> {
    routes: matchit::Router<PathEntry<U, A>>,
}

/// What a path resolved to.
pub(crate) enum Route<U: AuthUser, A: Adapter<U>> {
    /// The endpoint, and the path's parameters.
    Found(Routed<U, A>, Vec<(String, String)>),
    /// The path exists for other methods only.
    WrongMethod,
    /// No endpoint at this path.
    Missing,
}

impl<U: AuthUser, A: Adapter<U>> Router<U, A> {
    /// Builds the table, each endpoint with the `hooks` that match it; two
    /// endpoints on the same method and path, or paths matchit cannot tell
    /// apart, are a configuration error.
    pub(crate) fn build(
        endpoints: Vec<(&'static str, Endpoint<U, A>)>,
        hooks: &[RequestHook<U, A>],
    ) -> Result<Self, ConfigError> {
        let mut grouped: Vec<(String, MethodHandlers<U, A>)> = Vec::new();
        for (plugin, endpoint) in endpoints {
            if !endpoint.path.starts_with('/') {
                return Err(ConfigError::Route(format!(
                    "plugin {plugin}: path {:?} must start with '/'",
                    endpoint.path
                )));
            }
            let methods = match grouped.iter_mut().find(|(path, _)| *path == endpoint.path) {
                Some((_, methods)) => methods,
                None => {
                    grouped.push((endpoint.path.clone(), Vec::new()));
                    let last = grouped.len() - 1;
                    &mut grouped[last].1
                }
            };
            if methods.iter().any(|(method, _)| *method == endpoint.method) {
                return Err(ConfigError::Route(format!(
                    "plugin {plugin}: {} {} is already taken",
                    endpoint.method, endpoint.path
                )));
            }
            let hooks = RouteHooks::select(hooks, &endpoint.method, &endpoint.path, plugin);
            methods.push((
                endpoint.method,
                Routed {
                    handler: endpoint.handler,
                    safe: endpoint.safe,
                    accepts_forms: endpoint.accepts_forms,
                    client_limit: endpoint.client_limit,
                    public_max_age: endpoint.public_max_age,
                    error_body: endpoint.error_body,
                    pattern: Arc::from(endpoint.path.as_str()),
                    plugin,
                    hooks,
                },
            ));
        }
        let mut routes = matchit::Router::new();
        for (path, methods) in grouped {
            let allow = allow_methods(&methods)
                .map_err(|error| ConfigError::Route(format!("{path}: {error}")))?;
            routes
                .insert(path.clone(), PathEntry { methods, allow })
                .map_err(|error| ConfigError::Route(format!("{path}: {error}")))?;
        }
        Ok(Self { routes })
    }

    /// Resolves `path` (relative to the base path) for `method`.
    ///
    /// `HEAD` is served by the `GET` handler only if that endpoint is
    /// declared safe; on any other it is a wrong method, and no handler
    /// runs. Mail scanners and link checkers send `HEAD` for the links in a
    /// message: one rule here keeps every plugin's single-use links whole.
    pub(crate) fn route(&self, method: &Method, path: &str) -> Route<U, A> {
        let Ok(matched) = self.routes.at(path) else {
            return Route::Missing;
        };
        let is_head = *method == Method::HEAD;
        let wanted = if is_head { &Method::GET } else { method };
        match matched
            .value
            .methods
            .iter()
            .find(|(candidate, routed)| candidate == wanted && (!is_head || routed.safe))
        {
            Some((_, routed)) => {
                let params = matched
                    .params
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_owned()))
                    .collect();
                Route::Found(routed.clone(), params)
            }
            None => Route::WrongMethod,
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Router<U, A> {
    /// The methods the endpoints at `path` take, as an
    /// `Access-Control-Allow-Methods` value; `None` when no endpoint is
    /// there.
    pub(crate) fn allowed_methods(&self, path: &str) -> Option<&HeaderValue> {
        self.routes
            .at(path)
            .ok()
            .map(|matched| &matched.value.allow)
    }
}

/// `GET, POST`, with `HEAD` after a `GET` declared safe.
fn allow_methods<U: AuthUser, A: Adapter<U>>(
    methods: &MethodHandlers<U, A>,
) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
    let mut names: Vec<&str> = Vec::new();
    for (method, routed) in methods {
        names.push(method.as_str());
        if *method == Method::GET && routed.safe {
            names.push("HEAD");
        }
    }
    HeaderValue::from_str(&names.join(", "))
}
