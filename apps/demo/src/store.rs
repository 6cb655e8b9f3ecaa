//! What the demo needs of its storage, in one name: SQL alone, or users in
//! SQL and sessions in Redis (`--redis-url`). The pages and routes are
//! written against [`DemoStore`], and `main` picks the adapter at start-up.

use nanoauth::{
    AccountAdapter, CreateUserAdapter, DeleteUserAdapter, EmailVerificationAdapter,
    ListUsersAdapter, PasswordAdapter, RecordAdapter, UpdateUserAdapter, UserRecordsAdapter,
    VerificationAdapter,
};

use crate::user::DemoUser;

/// The capabilities the demo's plugins ask of the adapter: passwords
/// (email and password, two-factor), single-use tokens (links), linked
/// accounts (social sign-in), plugin records (two-factor, passkeys, API
/// keys, JWT keys), users made with records (passkey sign-up), edits and
/// deletion (account), users listed (admin).
pub(crate) trait DemoStore:
    PasswordAdapter<DemoUser>
    + CreateUserAdapter<DemoUser>
    + VerificationAdapter<DemoUser>
    + AccountAdapter<DemoUser>
    + RecordAdapter<DemoUser>
    + UserRecordsAdapter<DemoUser>
    + UpdateUserAdapter<DemoUser>
    + DeleteUserAdapter<DemoUser>
    + ListUsersAdapter<DemoUser>
    + EmailVerificationAdapter<DemoUser>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<A> DemoStore for A where
    A: PasswordAdapter<DemoUser>
        + CreateUserAdapter<DemoUser>
        + VerificationAdapter<DemoUser>
        + AccountAdapter<DemoUser>
        + RecordAdapter<DemoUser>
        + UserRecordsAdapter<DemoUser>
        + UpdateUserAdapter<DemoUser>
        + DeleteUserAdapter<DemoUser>
        + ListUsersAdapter<DemoUser>
        + EmailVerificationAdapter<DemoUser>
        + Clone
        + Send
        + Sync
        + 'static
{
}
