//! The route table, built once from the plugins' endpoints.

use http::Method;

use crate::adapter::Adapter;
use crate::auth::ConfigError;
use crate::endpoint::{Endpoint, EndpointHandler};
use crate::user::AuthUser;

/// The handlers of one path, per method.
type MethodHandlers<U, A> = Vec<(Method, EndpointHandler<U, A>)>;

/// Paths (relative to the base path) to the handlers per method.
pub(crate) struct Router<U: AuthUser, A: Adapter<U>> {
    routes: matchit::Router<MethodHandlers<U, A>>,
}

/// What a path resolved to.
pub(crate) enum Route<U: AuthUser, A: Adapter<U>> {
    /// The handler, and the path's parameters.
    Found(EndpointHandler<U, A>, Vec<(String, String)>),
    /// The path exists for other methods only.
    WrongMethod,
    /// No endpoint at this path.
    Missing,
}

impl<U: AuthUser, A: Adapter<U>> Router<U, A> {
    /// Builds the table; two endpoints on the same method and path, or paths
    /// matchit cannot tell apart, are a configuration error.
    pub(crate) fn build(
        endpoints: Vec<(&'static str, Endpoint<U, A>)>,
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
            methods.push((endpoint.method, endpoint.handler));
        }
        let mut routes = matchit::Router::new();
        for (path, methods) in grouped {
            routes
                .insert(path.clone(), methods)
                .map_err(|error| ConfigError::Route(format!("{path}: {error}")))?;
        }
        Ok(Self { routes })
    }

    /// Resolves `path` (relative to the base path) for `method`. `HEAD` is
    /// served by `GET` handlers.
    pub(crate) fn route(&self, method: &Method, path: &str) -> Route<U, A> {
        let Ok(matched) = self.routes.at(path) else {
            return Route::Missing;
        };
        let wanted = if *method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        match matched
            .value
            .iter()
            .find(|(candidate, _)| candidate == wanted)
        {
            Some((_, handler)) => {
                let params = matched
                    .params
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_owned()))
                    .collect();
                Route::Found(handler.clone(), params)
            }
            None => Route::WrongMethod,
        }
    }
}
