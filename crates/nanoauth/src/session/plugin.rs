//! Sessions over HTTP: read the current session, sign out, list and revoke.
//!
//! Always present: [`AuthBuilder::build`](crate::AuthBuilder::build) adds it
//! unless the application did (`.plugin(Sessions::new())`, as the design's
//! examples write it, is accepted and changes nothing).
//! The session mechanism itself (tokens, storage, sliding expiry) is the
//! core's, in `Auth::get_session` and `Auth::create_session`; this plugin
//! only exposes it.
//!
//! | Method | Path | Answer |
//! |---|---|---|
//! | GET | `/session` | `{user, session}` or `null` |
//! | POST | `/signout` | `{"success":true}`, cookie cleared |
//! | GET | `/sessions` | the user's sessions, each with `current` |
//! | POST | `/sessions/revoke` | `{id}` → `{"success":true}` |
//! | POST | `/sessions/revoke-others` | `{"revoked": n}` |

use super::endpoints;

use std::sync::Arc;

use crate::adapter::Adapter;
use crate::pipeline::endpoint::Endpoint;
use crate::plugin::Plugin;
use crate::user::AuthUser;

/// The session endpoints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sessions;

/// The sessions plugin's name.
pub(crate) const SESSIONS: &str = "sessions";

impl Sessions {
    /// The session endpoints (always served; see the module docs).
    pub const fn new() -> Self {
        Self
    }
}

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Sessions {
    fn name(&self) -> &'static str {
        SESSIONS
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let routes = vec![
            // Reads (a sliding refresh aside): `HEAD` may run them.
            Endpoint::get("/session", endpoints::session).safe(),
            Endpoint::post("/signout", endpoints::sign_out),
            Endpoint::get("/sessions", endpoints::list).safe(),
            Endpoint::post("/sessions/revoke", endpoints::revoke),
            Endpoint::post("/sessions/revoke-others", endpoints::revoke_others),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }
}
