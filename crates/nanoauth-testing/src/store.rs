//! Ways for the cases to put a user in the store.
//!
//! [`Adapter`](nanoauth::Adapter) has no method that creates a user (an
//! application may create its users elsewhere), so the cases that need a
//! stored user are told how: `store_user:` in
//! [`conformance!`](crate::conformance). Any async function or closure
//! `(&A, &U) -> Result<(), AdapterError>` will do, such as
//! `async |adapter: &MyAdapter, user: &ConformanceUser| adapter.insert(user).await`.

use nanoauth::{AdapterError, AuthUser, CreateUserAdapter, PasswordAdapter};

/// Through [`CreateUserAdapter::create_user`]: the default.
///
/// # Errors
/// The adapter's.
pub async fn create_user<U: AuthUser, A: CreateUserAdapter<U>>(
    adapter: &A,
    user: &U,
) -> Result<(), AdapterError> {
    adapter.create_user(user).await
}

/// Through [`PasswordAdapter::create_user_with_password`], with a fixed
/// hash, for adapters that can only create users with a password.
///
/// # Errors
/// The adapter's.
pub async fn with_password<U: AuthUser, A: PasswordAdapter<U>>(
    adapter: &A,
    user: &U,
) -> Result<(), AdapterError> {
    adapter
        .create_user_with_password(user, crate::cases::HASH)
        .await
}
