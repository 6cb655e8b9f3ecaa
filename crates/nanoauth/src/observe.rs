//! Observability: the `tracing` spans and events of the core, all of them.
//!
//! Every place in the core that reports something calls a function of this
//! module, with what it has at hand; this module alone decides what is
//! recorded and how, so there is one place to read to know what the logs
//! can contain. With the `tracing` feature off, each function is an empty
//! `#[inline]` body and [`RequestSpan`] is a unit: nothing is compiled in,
//! and minimal or wasm builds do not link `tracing` at all. That is why the
//! `#[cfg]`s live here rather than at the call sites.
//!
//! What is never recorded, whatever the level: passwords, session tokens
//! (raw or as the cookie), single-use tokens and links, secrets, request
//! bodies and the messages of client errors (a JSON parser's message can
//! quote the body). Email addresses are recorded only where they are the
//! subject (mail that failed, a taken address), and then as `a***@domain`;
//! client IP addresses only with the rate-limit hits. Both in full only
//! with [`AuthBuilder::trace_personal_data`](crate::AuthBuilder::trace_personal_data).
//! Free text from outside (a driver's or a mail server's error) has the
//! addresses in it masked the same way. `tests/observability.rs` checks
//! this against the captured output of a whole session's life.
//!
//! Targets, for filters: `nanoauth::request` (the span and the answer),
//! `nanoauth::sign_in`, `nanoauth::rate_limit`, `nanoauth::adapter`,
//! `nanoauth::email`, `nanoauth::event` (the other lifecycle events),
//! `nanoauth::internal`.

#[cfg(feature = "tracing")]
mod imp;
#[cfg(not(feature = "tracing"))]
mod imp {
    //! Without the `tracing` feature: the same functions, doing nothing.

    use std::sync::Arc;

    use http::{Method, StatusCode};

    use crate::error::Error;
    use crate::plugin::events::Event;
    use crate::user::AuthUser;

    /// Stands for the span of one request; nothing without the feature.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct RequestSpan;

    impl RequestSpan {
        #[inline]
        pub(crate) fn start(_method: &Method) -> Self {
            Self
        }

        #[inline]
        pub(crate) fn instrument<F: Future>(&self, future: F) -> F {
            future
        }

        #[inline]
        pub(crate) fn route(&self, _pattern: &Arc<str>, _plugin: &str) {}

        #[inline]
        pub(crate) fn finish(&self, _status: StatusCode, _error: Option<&Error>) {}
    }

    #[inline]
    pub(crate) fn rate_limited(
        _key: super::LimitKey<'_>,
        _route: Option<&str>,
        _client: Option<&str>,
    ) {
    }

    #[inline]
    pub(crate) fn lifecycle<U: AuthUser>(_event: &Event<U>, _personal: bool) {}
}

pub(crate) use imp::{RequestSpan, lifecycle, rate_limited};

/// What a refused rate-limit count was keyed on (never the key itself,
/// which holds the client's address or the account's).
#[derive(Debug, Clone, Copy)]
// Read by the `tracing` implementation only.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) enum LimitKey<'a> {
    /// The client's address, per route (`RateLimit::ip_limit`).
    Client,
    /// The account (the body's `email`), per route.
    Account,
    /// A [`Lockout`](crate::rate_limit::Lockout): this client's failures of
    /// this check (`"password"`) on one account.
    Failures(&'a str),
    /// [`Auth::count_use`](crate::Auth::count_use) of this bucket.
    Use(&'a str),
}
