//! What the plugins and listeners of an `Auth` make up: the plugins, the
//! route table built from their endpoints (each route with the request
//! hooks that match it), the event listeners and the session guards.
//!
//! It is swapped whole, never edited in place: adding a plugin or a
//! listener at run time builds a new registry and publishes it with one
//! atomic pointer swap, so every copy of the `Auth` (including the ones
//! already mounted in a framework) sees it from the next request on, and a
//! request in flight keeps the registry it started with. Readers take no
//! lock; writers take a mutex among themselves so that two additions at
//! once cannot lose one.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::adapter::Adapter;
use crate::auth::ConfigError;
use crate::pipeline::request_hooks::RequestHook;
use crate::pipeline::router::Router;
use crate::plugin::Plugin;
use crate::plugin::events::Hook;
use crate::session::sweeper::Purge;
use crate::session::{CredentialResolver, Reauthentication, SessionGuard};
use crate::user::AuthUser;

/// One published set of plugins, routes, listeners and guards.
pub(crate) struct Registry<U: AuthUser, A: Adapter<U>> {
    plugins: Vec<RegisteredPlugin<U, A>>,
    /// Built from `plugins` when the registry is built; never per request.
    pub(crate) router: Router<U, A>,
    pub(crate) hooks: Vec<Hook<U, A>>,
    pub(crate) guards: Vec<SessionGuard<U, A>>,
    /// The plugins' purges of their own expired state.
    pub(crate) purges: Vec<Purge<U, A>>,
    /// The plugins' resolvers of non-session credentials, in order.
    pub(crate) credentials: Vec<CredentialResolver<U, A>>,
    /// The plugins' sources of re-authentication times.
    pub(crate) reauthentications: Vec<Reauthentication<U, A>>,
    /// Kept to build the next registry from; the router holds each
    /// route's own selection.
    request_hooks: RequestHooks<U, A>,
    /// Every route, with what its plugin says about it, for the API
    /// description; and the description itself, made on first request.
    #[cfg(feature = "openapi")]
    pub(crate) operations: Vec<crate::openapi::document::Operation>,
    #[cfg(feature = "openapi")]
    pub(crate) description: std::sync::OnceLock<serde_json::Value>,
}

/// Request hooks by origin: the plugins' run before the application's.
struct RequestHooks<U: AuthUser, A: Adapter<U>> {
    plugins: Vec<RequestHook<U, A>>,
    app: Vec<RequestHook<U, A>>,
}

impl<U: AuthUser, A: Adapter<U>> Clone for RequestHooks<U, A> {
    fn clone(&self) -> Self {
        Self {
            plugins: self.plugins.clone(),
            app: self.app.clone(),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> RequestHooks<U, A> {
    /// In running order: the plugins' (in the order the plugins were
    /// added), then the application's, each in registration order.
    fn in_order(&self) -> Vec<RequestHook<U, A>> {
        self.plugins.iter().chain(&self.app).cloned().collect()
    }
}

struct RegisteredPlugin<U: AuthUser, A: Adapter<U>> {
    name: &'static str,
    type_id: TypeId,
    plugin: Arc<dyn Plugin<U, A>>,
    dependencies: &'static [&'static str],
    /// The same value, for typed lookup by exports.
    any: Arc<dyn Any + Send + Sync>,
}

impl<U: AuthUser, A: Adapter<U>> Clone for RegisteredPlugin<U, A> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            type_id: self.type_id,
            plugin: Arc::clone(&self.plugin),
            dependencies: self.dependencies,
            any: Arc::clone(&self.any),
        }
    }
}

/// A registry being put together (at build time, or to publish a change).
pub(crate) struct Draft<U: AuthUser, A: Adapter<U>> {
    plugins: Vec<RegisteredPlugin<U, A>>,
    hooks: Vec<Hook<U, A>>,
    guards: Vec<SessionGuard<U, A>>,
    purges: Vec<Purge<U, A>>,
    credentials: Vec<CredentialResolver<U, A>>,
    reauthentications: Vec<Reauthentication<U, A>>,
    request_hooks: RequestHooks<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Draft<U, A> {
    pub(crate) fn new(hooks: Vec<Hook<U, A>>, request_hooks: Vec<RequestHook<U, A>>) -> Self {
        Self {
            plugins: Vec::new(),
            hooks,
            guards: Vec::new(),
            purges: Vec::new(),
            credentials: Vec::new(),
            reauthentications: Vec::new(),
            request_hooks: RequestHooks {
                plugins: Vec::new(),
                app: request_hooks,
            },
        }
    }

    /// `true` when a plugin called `name` is in.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.plugins
            .iter()
            .any(|registered| registered.name == name)
    }

    /// Adds `plugin` with its listeners and guards.
    pub(crate) fn register<P: Plugin<U, A>>(&mut self, plugin: P) -> Result<(), ConfigError> {
        let name = plugin.name();
        let dependencies = plugin.dependencies();
        if self.has(name) {
            return Err(ConfigError::DuplicatePlugin(name));
        }
        let plugin = Arc::new(plugin);
        self.hooks.extend(Arc::clone(&plugin).hooks());
        self.guards.extend(Arc::clone(&plugin).session_guards());
        self.purges.extend(Arc::clone(&plugin).purges());
        self.credentials.extend(Arc::clone(&plugin).credentials());
        self.reauthentications
            .extend(Arc::clone(&plugin).reauthentications());
        self.request_hooks
            .plugins
            .extend(Arc::clone(&plugin).request_hooks());
        self.plugins.push(RegisteredPlugin {
            name,
            type_id: TypeId::of::<P>(),
            plugin: Arc::clone(&plugin) as Arc<dyn Plugin<U, A>>,
            dependencies,
            any: plugin,
        });
        Ok(())
    }

    /// Adds an application listener.
    pub(crate) fn listen(&mut self, hook: Hook<U, A>) {
        self.hooks.push(hook);
    }

    /// Adds an application request hook (after every earlier one).
    pub(crate) fn hook_requests(&mut self, hook: RequestHook<U, A>) {
        self.request_hooks.app.push(hook);
    }

    /// Checks that every plugin's dependencies are in and builds the route
    /// table: the registry is ready to publish.
    pub(crate) fn into_registry(self) -> Result<Registry<U, A>, ConfigError> {
        for registered in &self.plugins {
            if let Some(missing) = registered
                .dependencies
                .iter()
                .find(|needed| !self.has(needed))
            {
                return Err(ConfigError::MissingDependency {
                    plugin: registered.name,
                    needs: missing,
                });
            }
        }
        let endpoints: Vec<_> = self
            .plugins
            .iter()
            .flat_map(|registered| {
                Arc::clone(&registered.plugin)
                    .endpoints()
                    .into_iter()
                    .map(move |endpoint| (registered.name, endpoint))
            })
            .collect();
        #[cfg(feature = "openapi")]
        let operations = endpoints
            .iter()
            .map(|(plugin, endpoint)| crate::openapi::document::Operation {
                plugin,
                method: endpoint.method.clone(),
                path: endpoint.path.clone(),
                accepts_forms: endpoint.accepts_forms,
                doc: endpoint.doc.clone(),
            })
            .collect();
        Ok(Registry {
            #[cfg(feature = "openapi")]
            operations,
            #[cfg(feature = "openapi")]
            description: std::sync::OnceLock::new(),
            router: Router::build(endpoints, &self.request_hooks.in_order())?,
            plugins: self.plugins,
            hooks: self.hooks,
            guards: self.guards,
            purges: self.purges,
            credentials: self.credentials,
            reauthentications: self.reauthentications,
            request_hooks: self.request_hooks,
        })
    }
}

impl<U: AuthUser, A: Adapter<U>> Registry<U, A> {
    /// The plugin of type `P`, if it is in.
    pub(crate) fn plugin<P: Send + Sync + 'static>(&self) -> Option<Arc<P>> {
        self.plugins
            .iter()
            .find(|registered| registered.type_id == TypeId::of::<P>())
            .and_then(|registered| Arc::clone(&registered.any).downcast::<P>().ok())
    }

    /// The plugins' names, in the order they were added.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.plugins
            .iter()
            .map(|registered| registered.name)
            .collect()
    }

    /// A draft holding everything this registry holds, to change.
    fn draft(&self) -> Draft<U, A> {
        Draft {
            plugins: self.plugins.clone(),
            hooks: self.hooks.clone(),
            guards: self.guards.clone(),
            purges: self.purges.clone(),
            credentials: self.credentials.clone(),
            reauthentications: self.reauthentications.clone(),
            request_hooks: self.request_hooks.clone(),
        }
    }
}

/// The published registry, shared by every copy of an `Auth`.
pub(crate) struct Published<U: AuthUser, A: Adapter<U>> {
    current: ArcSwap<Registry<U, A>>,
    writer: Mutex<()>,
}

impl<U: AuthUser, A: Adapter<U>> Published<U, A> {
    pub(crate) fn new(registry: Registry<U, A>) -> Self {
        Self {
            current: ArcSwap::from_pointee(registry),
            writer: Mutex::new(()),
        }
    }

    /// The current registry (lock-free; hold it briefly, or clone the
    /// `Arc` with [`Published::load_full`] to keep it across awaits).
    pub(crate) fn load(&self) -> arc_swap::Guard<Arc<Registry<U, A>>> {
        self.current.load()
    }

    pub(crate) fn load_full(&self) -> Arc<Registry<U, A>> {
        self.current.load_full()
    }

    /// Changes a copy of the current registry with `change` and publishes
    /// it; on error nothing changes.
    pub(crate) fn update(
        &self,
        change: impl FnOnce(&mut Draft<U, A>) -> Result<(), ConfigError>,
    ) -> Result<(), ConfigError> {
        // A poisoned lock only means another writer panicked; the registry
        // it guards was never half-written (changes are built aside).
        let _writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut draft = self.current.load().draft();
        change(&mut draft)?;
        self.current.store(Arc::new(draft.into_registry()?));
        Ok(())
    }
}
