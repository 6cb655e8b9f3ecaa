//! # The NanoAuth adapter conformance suite
//!
//! The same behavioural tests for every adapter: users and their custom
//! fields, unique emails under concurrent sign-ups, sessions (save, validate,
//! refresh, list, revoke; a refresh racing a revocation never brings the
//! session back; expired ones purged), single-use tokens (consumed exactly
//! once under concurrency, purged once expired), linked provider accounts
//! (unique, created with their user atomically), hostile values that must
//! stay data, and a full sign-up and sign-in through `Auth::handler`.
//!
//! Run it against your own adapter in one line, in a test file:
//!
//! ```
//! use nanoauth::adapter::memory::MemoryAdapter;
//! use nanoauth_testing::{adapter_conformance, ConformanceUser};
//!
//! adapter_conformance!(setup: async { Some(MemoryAdapter::<ConformanceUser>::new()) });
//! # fn main() {}
//! ```
//!
//! That expands to one `#[tokio::test]` per case in a module named
//! `conformance`. `setup` is an async expression giving `Some(adapter)`, a
//! fresh or shared store (every case uses its own random ids and emails), or
//! `None` to skip with a message when a database server is not available.
//! Optional arguments: `user: |id, email| -> U` to test with your own user
//! type (the default is [`ConformanceUser`]), and `teardown: |adapter| async
//! {..}` to drop what `setup` created.
//!
//! Each case is also a public function in [`cases`], for adapters that only
//! implement some capabilities.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test support: failing is panicking

pub mod cases;
mod paused;
mod user;

pub use user::ConformanceUser;

/// Expands to the conformance suite as one test per case. See the crate
/// documentation.
#[macro_export]
macro_rules! adapter_conformance {
    (setup: $setup:expr $(,)?) => {
        $crate::adapter_conformance!(
            setup: $setup,
            user: $crate::ConformanceUser::sample,
            teardown: |_adapter| async {}
        );
    };
    (setup: $setup:expr, user: $user:expr $(,)?) => {
        $crate::adapter_conformance!(setup: $setup, user: $user, teardown: |_adapter| async {});
    };
    (setup: $setup:expr, teardown: $teardown:expr $(,)?) => {
        $crate::adapter_conformance!(
            setup: $setup,
            user: $crate::ConformanceUser::sample,
            teardown: $teardown
        );
    };
    (setup: $setup:expr, user: $user:expr, teardown: $teardown:expr $(,)?) => {
        mod conformance {
            #[allow(unused_imports)]
            use super::*;

            $crate::__conformance_case!($setup, $user, $teardown, users_round_trip);
            $crate::__conformance_case!($setup, $user, $teardown, custom_fields_round_trip);
            $crate::__conformance_case!($setup, $user, $teardown, duplicate_email_is_a_conflict);
            $crate::__conformance_case!($setup, $user, $teardown, users_without_password);
            $crate::__conformance_case!($setup, $user, $teardown, passwords_can_be_replaced);
            $crate::__conformance_case!($setup, $user, $teardown, email_verification_is_remembered);
            $crate::__conformance_case!($setup, $user, $teardown, concurrent_sign_ups_one_wins);
            $crate::__conformance_case!($setup, $user, $teardown, hostile_values_stay_data);
            $crate::__conformance_case!($setup, $user, $teardown, sessions_lifecycle);
            $crate::__conformance_case!($setup, $user, $teardown, session_with_user_in_one_lookup);
            $crate::__conformance_case!($setup, $user, $teardown, sessions_refresh_only_while_stored);
            $crate::__conformance_case!($setup, $user, $teardown, refresh_never_resurrects_a_revoked_session);
            $crate::__conformance_case!($setup, $user, $teardown, expired_sessions_are_never_extended);
            $crate::__conformance_case!($setup, $user, $teardown, expired_sessions_are_purged);
            $crate::__conformance_case!($setup, $user, $teardown, verification_tokens_are_single_use);
            $crate::__conformance_case!($setup, $user, $teardown, verification_consumed_once_under_concurrency);
            $crate::__conformance_case!($setup, $user, $teardown, expired_verifications_are_purged);
            $crate::__conformance_case!($setup, $user, $teardown, accounts_link_find_unlink);
            $crate::__conformance_case!($setup, $user, $teardown, user_with_account_is_atomic);
            $crate::__conformance_case!($setup, $user, $teardown, concurrent_first_sign_ins_one_wins);
            $crate::__conformance_case!($setup, $user, $teardown, works_behind_auth);
            $crate::__conformance_case!($setup, $user, $teardown, unclaimed_accounts_are_taken_over_cleanly);
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_case {
    ($setup:expr, $user:expr, $teardown:expr, $case:ident) => {
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
            $crate::cases::$case(&adapter, &$user).await;
            let adapter = ::std::sync::Arc::into_inner(adapter)
                .expect("the case kept no reference to the adapter");
            ($teardown)(adapter).await;
        }
    };
}
