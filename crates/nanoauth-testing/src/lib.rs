//! # The NanoAuth adapter conformance suite
//!
//! The same behavioural tests for every adapter: users and their custom
//! fields, unique emails under concurrent sign-ups, sessions (save, validate,
//! refresh, list, revoke; a refresh racing a revocation never brings the
//! session back; expired ones purged), single-use tokens (consumed exactly
//! once under concurrency, purged once expired), linked provider accounts
//! (unique, created with their user atomically), email ownership claims,
//! plugin records (inserted once, compare-and-swap updates, deleted once,
//! absent once expired), hostile values that must stay data, and a full
//! sign-up and sign-in through `Auth::handler`.
//!
//! The cases are grouped by the capabilities they need, and an adapter runs
//! the groups its capabilities allow. Name the capabilities your adapter
//! has, besides [`Adapter`](nanoauth::Adapter) itself, in a test file:
//!
//! ```
//! use nanoauth::adapter::memory::MemoryAdapter;
//! use nanoauth_testing::{ConformanceUser, conformance};
//!
//! conformance!(
//!     setup: async { Some(MemoryAdapter::<ConformanceUser>::new()) },
//!     capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
//! );
//! # fn main() {}
//! ```
//!
//! | capability | trait |
//! |---|---|
//! | (always) | [`Adapter`](nanoauth::Adapter): users by id and email, sessions |
//! | `password` | [`PasswordAdapter`](nanoauth::PasswordAdapter) |
//! | `create_user` | [`CreateUserAdapter`](nanoauth::CreateUserAdapter) |
//! | `verification` | [`VerificationAdapter`](nanoauth::VerificationAdapter) |
//! | `email_verification` | [`EmailVerificationAdapter`](nanoauth::EmailVerificationAdapter) |
//! | `accounts` | [`AccountAdapter`](nanoauth::AccountAdapter) |
//! | `records` | [`RecordAdapter`](nanoauth::RecordAdapter) |
//! | `user_records` | [`UserRecordsAdapter`](nanoauth::UserRecordsAdapter): a user and their first records in one transaction |
//! | `update_user` | [`UpdateUserAdapter`](nanoauth::UpdateUserAdapter): a user's fields written back; a new address, unique and verified (the user type must also be `Deserialize`) |
//! | `delete_user` | [`DeleteUserAdapter`](nanoauth::DeleteUserAdapter): a user deleted with everything they own |
//! | `list_users` | [`ListUsersAdapter`](nanoauth::ListUsersAdapter): users a page at a time, searched by address or name (the user type must also be `Deserialize`) |
//!
//! That expands to a module `conformance` with one module per group whose
//! capabilities are all listed (`base` always; `password`,
//! `password_create_user`, ...; the table in [`cases`] lists them) and one
//! `#[tokio::test]` per case. A group that needs a capability you did not
//! list is not generated, so its trait need not be implemented.
//!
//! `setup` is an async expression giving `Some(adapter)`, a fresh or shared
//! store (every case uses its own random ids and emails), or `None` to skip
//! with a message when a database server is not available. Optional
//! arguments, in this order:
//! - `user: |id, email| -> U`, to test with your own user type (the default
//!   is [`ConformanceUser`]);
//! - `store_user:` how the cases put a user in the store, an async function
//!   `(&A, &U) -> Result<(), AdapterError>` (see [`store`]). `Adapter` itself
//!   cannot create users; the default, [`store::create_user`], needs
//!   [`CreateUserAdapter`](nanoauth::CreateUserAdapter). An adapter without
//!   it says how its users get in:
//!
//! ```
//! # use nanoauth::adapter::memory::MemoryAdapter;
//! # use nanoauth::{Adapter, AdapterError, Email, SessionRecord};
//! # use nanoauth::utils::token::TokenHash;
//! use nanoauth_testing::{ConformanceUser, conformance};
//!
//! /// Sessions only; the application writes its users itself.
//! struct SessionStore(MemoryAdapter<ConformanceUser>);
//! # impl Adapter<ConformanceUser> for SessionStore {
//! #     async fn get_user(&self, id: &str) -> Result<Option<ConformanceUser>, AdapterError> { self.0.get_user(id).await }
//! #     async fn find_user_by_email(&self, email: &Email) -> Result<Option<ConformanceUser>, AdapterError> { self.0.find_user_by_email(email).await }
//! #     async fn save_session(&self, s: &SessionRecord) -> Result<(), AdapterError> { self.0.save_session(s).await }
//! #     async fn refresh_session(&self, s: &SessionRecord) -> Result<bool, AdapterError> { self.0.refresh_session(s).await }
//! #     async fn validate_token(&self, h: &TokenHash) -> Result<Option<SessionRecord>, AdapterError> { self.0.validate_token(h).await }
//! #     async fn delete_session(&self, h: &TokenHash) -> Result<bool, AdapterError> { self.0.delete_session(h).await }
//! #     async fn list_sessions(&self, id: &str) -> Result<Vec<SessionRecord>, AdapterError> { self.0.list_sessions(id).await }
//! #     async fn delete_user_sessions(&self, id: &str, keep: Option<&TokenHash>) -> Result<u64, AdapterError> { self.0.delete_user_sessions(id, keep).await }
//! #     async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> { self.0.purge_expired_sessions(now).await }
//! # }
//!
//! impl SessionStore {
//!     async fn insert_user(&self, user: &ConformanceUser) -> Result<(), AdapterError> {
//!         // What the application does; here, the wrapped store's own way.
//!         nanoauth::CreateUserAdapter::create_user(&self.0, user).await
//!     }
//! }
//!
//! conformance!(
//!     setup: async { Some(SessionStore(MemoryAdapter::new())) },
//!     capabilities: [],
//!     store_user: async |store: &SessionStore, user: &ConformanceUser| {
//!         store.insert_user(user).await
//!     },
//! );
//! # fn main() {}
//! ```
//!
//! - `teardown: |adapter| async {..}`, to drop what `setup` created.
//!
//! [`adapter_conformance!`] is the whole suite, every capability, with the
//! same `setup`, `user` and `teardown` arguments. Each case is also a public
//! function in [`cases`], bounded on exactly what it uses.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test support: failing is panicking
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "authenticator")]
#[cfg_attr(docsrs, doc(cfg(feature = "authenticator")))]
pub mod authenticator;
pub mod cases;
#[cfg(feature = "databases")]
#[cfg_attr(docsrs, doc(cfg(feature = "databases")))]
pub mod databases;
mod paused;
pub mod servers;
pub mod store;
mod user;

pub use user::ConformanceUser;

/// Expands to the conformance cases of the listed capabilities, one test per
/// case. See the crate documentation.
#[macro_export]
macro_rules! conformance {
    (
        setup: $setup:expr,
        capabilities: [$($capability:ident),* $(,)?]
        $(, user: $user:expr)?
        $(, store_user: $store:expr)?
        $(, teardown: $teardown:expr)?
        $(,)?
    ) => {
        $crate::__conformance_flags!(
            [no no no no no no no no no no]
            [$($capability)*]
            (
                $setup,
                $crate::__conformance_or!([$($user)?] $crate::ConformanceUser::sample),
                $crate::__conformance_or!([$($store)?] $crate::store::create_user),
                $crate::__conformance_or!([$($teardown)?] |_adapter| async {})
            )
        );
    };
}

/// Expands to the whole conformance suite (every capability) as one test
/// per case: `conformance!` with all ten capabilities listed. See the crate
/// documentation.
#[macro_export]
macro_rules! adapter_conformance {
    (setup: $setup:expr $(, user: $user:expr)? $(, teardown: $teardown:expr)? $(,)?) => {
        $crate::conformance!(
            setup: $setup,
            capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users]
            $(, user: $user)?
            $(, teardown: $teardown)?
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_or {
    ([$given:expr] $default:expr) => {
        $given
    };
    ([] $default:expr) => {
        $default
    };
}

/// Turns the capability list into ten flags (password, create_user,
/// verification, email_verification, accounts, records, user_records,
/// update_user, delete_user, list_users), then expands the groups.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_flags {
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [password $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([yes $cu $ve $ev $ac $re $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [create_user $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw yes $ve $ev $ac $re $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [verification $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu yes $ev $ac $re $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [email_verification $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve yes $ac $re $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [accounts $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev yes $re $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [records $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev $ac yes $ur $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [user_records $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev $ac $re yes $uu $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [update_user $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev $ac $re $ur yes $du $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [delete_user $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev $ac $re $ur $uu yes $lu] [$($rest)*] $args);
    };
    ([$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident] [list_users $($rest:ident)*] $args:tt) => {
        $crate::__conformance_flags!([$pw $cu $ve $ev $ac $re $ur $uu $du yes] [$($rest)*] $args);
    };
    ([$($flag:ident)*] [$unknown:ident $($rest:ident)*] $args:tt) => {
        ::core::compile_error!(::core::concat!(
            "unknown capability `",
            ::core::stringify!($unknown),
            "`: expected password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user or list_users"
        ));
    };
    (
        [$pw:ident $cu:ident $ve:ident $ev:ident $ac:ident $re:ident $ur:ident $uu:ident $du:ident $lu:ident]
        []
        ($setup:expr, $user:expr, $store:expr, $teardown:expr)
    ) => {
        mod conformance {
            #[allow(unused_imports)]
            use super::*;

            $crate::__conformance_group!(base [yes] ($setup, $user, $store, $teardown) [
                stored users_round_trip,
                stored custom_fields_round_trip,
                stored hostile_values_stay_data,
                stored sessions_lifecycle,
                stored session_attributes_are_stored,
                stored session_with_user_in_one_lookup,
                stored sessions_refresh_only_while_stored,
                stored refresh_never_resurrects_a_revoked_session,
                stored expired_sessions_are_never_extended,
                stored expired_sessions_are_purged,
            ]);
            $crate::__conformance_group!(password [$pw] ($setup, $user, $store, $teardown) [
                plain password_credentials_round_trip,
                plain duplicate_email_is_a_conflict,
                plain passwords_can_be_replaced,
                plain concurrent_sign_ups_one_wins,
                plain works_behind_auth,
            ]);
            $crate::__conformance_group!(create_user [$cu] ($setup, $user, $store, $teardown) [
                plain users_without_password,
            ]);
            $crate::__conformance_group!(verification [$ve] ($setup, $user, $store, $teardown) [
                plain verification_tokens_are_single_use,
                plain verification_consumed_once_under_concurrency,
                plain expired_verifications_are_purged,
            ]);
            $crate::__conformance_group!(email_verification [$ev] ($setup, $user, $store, $teardown) [
                stored email_verification_is_remembered,
                stored claims_are_won_once,
            ]);
            $crate::__conformance_group!(accounts [$ac] ($setup, $user, $store, $teardown) [
                stored accounts_link_find_unlink,
                plain user_with_account_is_atomic,
                plain concurrent_first_sign_ins_one_wins,
            ]);
            $crate::__conformance_group!(records [$re] ($setup, $user, $store, $teardown) [
                stored records_insert_and_find,
                plain records_conflict_while_live,
                stored expired_records_are_absent,
                stored record_updates_compare_and_swap,
                plain record_deletes_win_once,
                stored records_by_user_within_namespace,
                plain expired_records_are_purged,
                plain record_names_are_checked,
                plain record_data_round_trips,
            ]);
            $crate::__conformance_group!(user_records [$ur] ($setup, $user, $store, $teardown) [
                plain user_with_records_is_atomic,
            ]);
            $crate::__conformance_group!(update_user [$uu] ($setup, $user, $store, $teardown) [
                stored users_are_updated_in_place,
                stored email_changes_are_unique_and_verified,
                stored concurrent_email_changes_one_wins,
            ]);
            $crate::__conformance_group!(delete_user [$du] ($setup, $user, $store, $teardown) [
                stored deleted_users_lose_their_sessions,
            ]);
            $crate::__conformance_group!(list_users [$lu] ($setup, $user, $store, $teardown) [
                stored users_are_listed_in_pages,
            ]);
            $crate::__conformance_group!(password_create_user [$pw $cu] ($setup, $user, $store, $teardown) [
                plain passwordless_users_have_no_password,
            ]);
            $crate::__conformance_group!(password_accounts [$pw $ac] ($setup, $user, $store, $teardown) [
                plain social_users_have_no_password,
            ]);
            $crate::__conformance_group!(
                password_accounts_email_verification [$pw $ac $ev] ($setup, $user, $store, $teardown) [
                plain unclaimed_accounts_are_taken_over_cleanly,
            ]);
            $crate::__conformance_group!(
                delete_user_owned [$du $pw $ac $ev $re] ($setup, $user, $store, $teardown) [
                plain deleted_users_take_what_they_own,
            ]);
        }
    };
}

/// A module of cases when every flag is `yes`; nothing otherwise.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_group {
    (
        $module:ident [$(yes)*] ($setup:expr, $user:expr, $store:expr, $teardown:expr)
        [$($kind:ident $case:ident),* $(,)?]
    ) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            $($crate::__conformance_case!($kind, $setup, $user, $store, $teardown, $case);)*
        }
    };
    ($module:ident [$($flag:ident)*] $args:tt [$($cases:tt)*]) => {};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_case {
    (plain, $setup:expr, $user:expr, $store:expr, $teardown:expr, $case:ident) => {
        $crate::__conformance_case!(@test $setup, $teardown, $case, |adapter| {
            $crate::cases::$case(adapter, &$user)
        });
    };
    (stored, $setup:expr, $user:expr, $store:expr, $teardown:expr, $case:ident) => {
        $crate::__conformance_case!(@test $setup, $teardown, $case, |adapter| {
            $crate::cases::$case(adapter, &$user, &$store)
        });
    };
    (@test $setup:expr, $teardown:expr, $case:ident, |$adapter:ident| $run:block) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let Some(adapter) = $setup.await else {
                eprintln!(
                    "skipped {}: setup found no adapter (is the database server running?)",
                    stringify!($case)
                );
                return;
            };
            let adapter = ::std::sync::Arc::new(adapter);
            {
                let $adapter = &adapter;
                $run.await;
            }
            let adapter = ::std::sync::Arc::into_inner(adapter)
                .expect("the case kept no reference to the adapter");
            ($teardown)(adapter).await;
        }
    };
}

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
