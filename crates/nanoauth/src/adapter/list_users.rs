//! Listing and searching users a page at a time: the storage capability of
//! administrators' user lists (the admin plugin's `GET /admin/users`).

use std::future::Future;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// The most users one page may hold; larger limits are cut to it.
pub const MAX_USER_PAGE: u32 = 1000;

/// Which users [`ListUsersAdapter::search_users`] returns: those whose
/// email address, or `name` field, starts with [`search`](Self::search),
/// ordered by email address, after the address [`after`](Self::after), at
/// most [`limit`](Self::limit) of them.
///
/// ```
/// use nanoauth::adapter::UserQuery;
/// let first = UserQuery::new(50).search("ada");
/// let next = first.clone().after("ada@example.com");
/// assert_eq!(next.after.as_deref(), Some("ada@example.com"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserQuery {
    /// A prefix of the email address or of the `name` field, compared in
    /// lower case (stored addresses are lower case already); `None` for
    /// every user. Wildcard characters (`%`, `_`) match only themselves.
    pub search: Option<String>,
    /// The cursor: only users whose address sorts after this one (the last
    /// address of the previous page).
    pub after: Option<String>,
    /// At most this many users (at most [`MAX_USER_PAGE`]).
    pub limit: u32,
}

impl UserQuery {
    /// The first `limit` users, by address.
    pub fn new(limit: u32) -> Self {
        Self {
            search: None,
            after: None,
            limit: limit.min(MAX_USER_PAGE),
        }
    }

    /// Only users whose address or name starts with `prefix` (lowered here).
    #[must_use]
    pub fn search(mut self, prefix: impl AsRef<str>) -> Self {
        let prefix = prefix.as_ref().trim().to_lowercase();
        self.search = (!prefix.is_empty()).then_some(prefix);
        self
    }

    /// Only users whose address sorts after `email`.
    #[must_use]
    pub fn after(mut self, email: impl Into<String>) -> Self {
        self.after = Some(email.into());
        self
    }

    /// Whether `user` (with its `name`, if the type has one) is one this
    /// query asks for, cursor included: what an adapter that filters in
    /// process (the memory adapter) applies.
    pub fn matches(&self, email: &str, name: Option<&str>) -> bool {
        if self.after.as_deref().is_some_and(|after| email <= after) {
            return false;
        }
        match &self.search {
            None => true,
            Some(prefix) => {
                email.starts_with(prefix.as_str())
                    || name.is_some_and(|name| name.to_lowercase().starts_with(prefix.as_str()))
            }
        }
    }
}

/// Lists users a page at a time, ordered by email address (unique, so the
/// last address of a page is the cursor of the next), optionally searched
/// by a prefix of the address or of the user type's `name` field.
///
/// ```
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::adapter::{ListUsersAdapter, UserQuery};
/// use nanoauth::{BasicUser, CreateUserAdapter};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::AdapterError> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// for (id, email, name) in [("1", "bob@example.com", "Bob"), ("2", "ada@example.com", "Ada")] {
///     adapter.create_user(&BasicUser { id: id.into(), email: email.into(), name: name.into() }).await?;
/// }
/// let page = adapter.search_users(&UserQuery::new(1)).await?;
/// assert_eq!(page[0].email, "ada@example.com");
/// let next = adapter.search_users(&UserQuery::new(1).after("ada@example.com")).await?;
/// assert_eq!(next[0].email, "bob@example.com");
/// assert_eq!(adapter.search_users(&UserQuery::new(10).search("BO")).await?.len(), 1);
/// # Ok(())
/// # }
/// ```
pub trait ListUsersAdapter<U: AuthUser>: Adapter<U> {
    /// The users `query` asks for, ordered by email address.
    ///
    /// # Errors
    /// Store failures.
    fn search_users(
        &self,
        query: &UserQuery,
    ) -> impl Future<Output = Result<Vec<U>, AdapterError>> + Send;
}

impl<U: AuthUser, A: ListUsersAdapter<U>> ListUsersAdapter<U> for std::sync::Arc<A> {
    fn search_users(
        &self,
        query: &UserQuery,
    ) -> impl Future<Output = Result<Vec<U>, AdapterError>> + Send {
        A::search_users(self, query)
    }
}
