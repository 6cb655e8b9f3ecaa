//! The `Auth` behind a request, without its adapter type in sight.
//!
//! Extractors name only the user type (`Session<MyUser>`), so the `Auth<U,
//! A>` travels in the request extensions as the core's
//! [`SessionSource`] trait object over `U`.

use std::sync::Arc;

use nanoauth::SessionSource;

/// The request extension the extractors look for.
pub(crate) struct SessionHandle<U>(pub(crate) Arc<dyn SessionSource<U>>);

impl<U> Clone for SessionHandle<U> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}
