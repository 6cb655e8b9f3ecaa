//! Creating a user with no password: the storage capability of flows that
//! prove an email address some other way (magic links on first use).

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// Stores new users that have no password.
///
/// Flows that create a user together with something else (a password, a
/// linked provider account) have their own capability that does both in one
/// transaction; this one is for users that are only an email address and the
/// application's fields.
pub trait CreateUserAdapter<U: AuthUser>: Adapter<U> {
    /// Inserts `user`.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] when its email address (or id) is taken,
    /// so two concurrent first uses of one address create one user.
    fn create_user(&self, user: &U) -> impl Future<Output = Result<(), AdapterError>> + Send;
}

impl<U: AuthUser, A: CreateUserAdapter<U>> CreateUserAdapter<U> for std::sync::Arc<A> {
    fn create_user(&self, user: &U) -> impl Future<Output = Result<(), AdapterError>> + Send {
        A::create_user(self, user)
    }
}
