//! The conformance cases. Each takes the adapter and a function that builds
//! a user of the adapter's type from an id and an email, and panics with a
//! message naming the broken expectation. Each is bounded on exactly the
//! capabilities it uses; the cases that need a user already in the store
//! (and whose capabilities cannot create one) also take a `store`: an async
//! function `(&A, &U) -> Result<(), AdapterError>`, such as those in
//! [`store`](crate::store).
//!
//! The groups, as [`conformance!`](crate::conformance) runs them:
//!
//! | group | needs | cases |
//! |---|---|---|
//! | base | `Adapter` (+ `store`) | [`users_round_trip`], [`custom_fields_round_trip`], [`hostile_values_stay_data`], [`sessions_lifecycle`], [`session_attributes_are_stored`], [`session_with_user_in_one_lookup`], [`sessions_refresh_only_while_stored`], [`refresh_never_resurrects_a_revoked_session`], [`expired_sessions_are_never_extended`], [`expired_sessions_are_purged`] |
//! | `password` | `PasswordAdapter` | [`password_credentials_round_trip`], [`duplicate_email_is_a_conflict`], [`passwords_can_be_replaced`], [`concurrent_sign_ups_one_wins`], [`works_behind_auth`] |
//! | `create_user` | `CreateUserAdapter` | [`users_without_password`] |
//! | `verification` | `VerificationAdapter` | [`verification_tokens_are_single_use`], [`verification_consumed_once_under_concurrency`], [`expired_verifications_are_purged`] |
//! | `email_verification` | `EmailVerificationAdapter` (+ `store`) | [`email_verification_is_remembered`], [`claims_are_won_once`] |
//! | `accounts` | `AccountAdapter` (+ `store`) | [`accounts_link_find_unlink`], [`user_with_account_is_atomic`], [`concurrent_first_sign_ins_one_wins`] |
//! | `records` | `RecordAdapter` (+ `store`) | [`records_insert_and_find`], [`records_conflict_while_live`], [`expired_records_are_absent`], [`record_updates_compare_and_swap`], [`record_deletes_win_once`], [`records_by_user_within_namespace`], [`expired_records_are_purged`], [`record_names_are_checked`], [`record_data_round_trips`] |
//! | `user_records` | `UserRecordsAdapter` | [`user_with_records_is_atomic`] |
//! | `update_user` | `UpdateUserAdapter` (+ `store`) | [`users_are_updated_in_place`], [`email_changes_are_unique_and_verified`], [`concurrent_email_changes_one_wins`] |
//! | `delete_user` | `DeleteUserAdapter` (+ `store`) | [`deleted_users_lose_their_sessions`] |
//! | `list_users` | `ListUsersAdapter` (+ `store`) | [`users_are_listed_in_pages`] |
//! | `password` + `create_user` | both | [`passwordless_users_have_no_password`] |
//! | `password` + `accounts` | both | [`social_users_have_no_password`] |
//! | `password` + `accounts` + `email_verification` | all three | [`unclaimed_accounts_are_taken_over_cleanly`] |
//! | `delete_user` + `password` + `accounts` + `email_verification` + `records` | all five | [`deleted_users_take_what_they_own`] |

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::{TokenHash, random_id, random_token};
use nanoauth::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, Auth, AuthUser, ClientInfo,
    CreateUserAdapter, DeleteUserAdapter, Email, EmailVerificationAdapter, ListUsersAdapter,
    PasswordAdapter, RecordAdapter, SessionAttributes, SessionRecord, UpdateUserAdapter,
    UserRecordsAdapter, VerificationAdapter, VerificationRecord,
};

use crate::paused::{Gate, Paused};

mod account;
mod list_users;
mod records;

pub use account::{
    concurrent_email_changes_one_wins, deleted_users_lose_their_sessions,
    deleted_users_take_what_they_own, email_changes_are_unique_and_verified,
    users_are_updated_in_place,
};
pub use list_users::users_are_listed_in_pages;
pub use records::{
    expired_records_are_absent, expired_records_are_purged, record_data_round_trips,
    record_deletes_win_once, record_names_are_checked, record_updates_compare_and_swap,
    records_by_user_within_namespace, records_conflict_while_live, records_insert_and_find,
    user_with_records_is_atomic,
};

/// Every capability of the shipped plugins: what
/// [`adapter_conformance!`](crate::adapter_conformance) asks of an adapter.
/// (Each case asks only for what it uses.)
pub trait FullAdapter<U: AuthUser>:
    PasswordAdapter<U>
    + CreateUserAdapter<U>
    + VerificationAdapter<U>
    + EmailVerificationAdapter<U>
    + AccountAdapter<U>
    + RecordAdapter<U>
    + UserRecordsAdapter<U>
    + UpdateUserAdapter<U>
    + DeleteUserAdapter<U>
    + ListUsersAdapter<U>
{
}
impl<U, A> FullAdapter<U> for A
where
    U: AuthUser,
    A: PasswordAdapter<U>
        + CreateUserAdapter<U>
        + VerificationAdapter<U>
        + EmailVerificationAdapter<U>
        + AccountAdapter<U>
        + RecordAdapter<U>
        + UserRecordsAdapter<U>
        + UpdateUserAdapter<U>
        + DeleteUserAdapter<U>
        + ListUsersAdapter<U>,
{
}

/// A user type the cases can compare.
pub trait TestableUser: AuthUser + PartialEq + Debug {}
impl<U: AuthUser + PartialEq + Debug> TestableUser for U {}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A unique, valid email for this run.
fn fresh_email(label: &str) -> Email {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let unique = random_id()
        .expect("randomness")
        .to_lowercase()
        .replace(['-', '_'], "x");
    Email::parse(&format!("{label}.{n}.{unique}@conformance.example")).expect("valid email")
}

fn fresh_id() -> String {
    random_id().expect("randomness")
}

/// A PHC string; its content does not matter to storage.
pub(crate) const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

fn session_for(user_id: &str, created_at: u64) -> SessionRecord {
    let secret = random_token().expect("randomness");
    SessionRecord::new(
        fresh_id(),
        TokenHash::of(&secret),
        user_id.to_owned(),
        created_at,
        created_at,
        created_at + 3600,
        Some("203.0.113.7".into()),
        Some("Mozilla/5.0 (conformance) \"quoted\" 'agent'".into()),
    )
}

async fn create<U: TestableUser, A: PasswordAdapter<U>>(adapter: &A, user: &U) {
    adapter
        .create_user_with_password(user, HASH)
        .await
        .unwrap_or_else(|e| panic!("create_user_with_password({:?}) failed: {e}", user.email()));
}

/// Puts `user` in the store the way the caller said.
async fn stored<U, A, S>(store: &S, adapter: &A, user: &U)
where
    U: TestableUser,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    store(adapter, user)
        .await
        .unwrap_or_else(|e| panic!("storing the user {:?} failed: {e}", user.email()));
}

/// Create, then find by id and by email; unknown ids and emails are `None`.
pub async fn users_round_trip<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let email = fresh_email("round-trip");
    let user = make(fresh_id(), email.clone());
    stored(store, adapter.as_ref(), &user).await;

    let by_id = adapter.get_user(user.id()).await.expect("get_user");
    assert_eq!(
        by_id.as_ref(),
        Some(&user),
        "get_user returns the stored user"
    );
    let by_email = adapter
        .find_user_by_email(&email)
        .await
        .expect("find_user_by_email");
    assert_eq!(
        by_email.as_ref(),
        Some(&user),
        "find_user_by_email returns the stored user"
    );

    assert!(
        adapter
            .get_user(&fresh_id())
            .await
            .expect("get_user")
            .is_none()
    );
    let unknown = fresh_email("unknown");
    assert!(
        adapter
            .find_user_by_email(&unknown)
            .await
            .expect("find")
            .is_none()
    );
}

/// A user created with a password comes back with it: the credential holds
/// the stored user and the hash verbatim; an unknown email has none.
pub async fn password_credentials_round_trip<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("credential");
    let user = make(fresh_id(), email.clone());
    create(adapter, &user).await;
    let credential = adapter
        .find_password_credential(&email)
        .await
        .expect("find_password_credential")
        .expect("the credential exists");
    assert_eq!(
        credential.user, user,
        "the credential holds the stored user"
    );
    assert_eq!(
        credential.password_hash, HASH,
        "the hash is stored verbatim"
    );
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(user),
        "a password user is a user like any other"
    );
    assert!(
        adapter
            .find_password_credential(&fresh_email("unknown"))
            .await
            .expect("find")
            .is_none()
    );
}

/// Every custom field of the user type comes back as it went in, including
/// after a second, independent read.
pub async fn custom_fields_round_trip<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let users: Vec<U> = (0..3)
        .map(|_| make(fresh_id(), fresh_email("custom")))
        .collect();
    for user in &users {
        stored(store, adapter.as_ref(), user).await;
    }
    for user in &users {
        let stored = adapter.get_user(user.id()).await.expect("get_user");
        assert_eq!(stored.as_ref(), Some(user), "custom fields survive storage");
        let json_in = serde_json::to_value(user).expect("serialize");
        let json_out = serde_json::to_value(stored.as_ref()).expect("serialize");
        assert_eq!(json_in, json_out, "the serialized forms are identical");
    }
}

/// A second user with the same email is refused with `Conflict`, and nothing
/// of it is written.
pub async fn duplicate_email_is_a_conflict<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("dup");
    let first = make(fresh_id(), email.clone());
    create(adapter, &first).await;

    let second = make(fresh_id(), email.clone());
    let result = adapter
        .create_user_with_password(&second, "$argon2id$other")
        .await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a taken email is a Conflict, got {result:?}"
    );
    assert!(
        adapter
            .get_user(second.id())
            .await
            .expect("get_user")
            .is_none(),
        "the refused user was not written"
    );
    let credential = adapter
        .find_password_credential(&email)
        .await
        .expect("find");
    assert_eq!(
        credential.map(|c| (c.user, c.password_hash)),
        Some((first, HASH.to_owned())),
        "the first user's password is untouched"
    );
}

/// A user can be created without a password (a magic link's first use): it
/// is found by id and email, and a second one with its email is a
/// `Conflict`.
pub async fn users_without_password<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: CreateUserAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("nopassword");
    let user = make(fresh_id(), email.clone());
    adapter
        .create_user(&user)
        .await
        .unwrap_or_else(|e| panic!("create_user({:?}) failed: {e}", user.email()));
    assert_eq!(
        adapter.get_user(user.id()).await.expect("get_user"),
        Some(user.clone()),
        "found by id"
    );
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(user.clone()),
        "found by email"
    );

    let twin = make(fresh_id(), email.clone());
    let again = adapter.create_user(&twin).await;
    assert!(
        matches!(again, Err(AdapterError::Conflict)),
        "a second passwordless user with the email is a Conflict, got {again:?}"
    );
    assert!(
        adapter
            .get_user(twin.id())
            .await
            .expect("get_user")
            .is_none(),
        "the refused user was not written"
    );
}

/// Users created with and without a password share one email index, and a
/// user created without a password has no password credential.
pub async fn passwordless_users_have_no_password<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U> + CreateUserAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("passwordless");
    let user = make(fresh_id(), email.clone());
    adapter
        .create_user(&user)
        .await
        .unwrap_or_else(|e| panic!("create_user({:?}) failed: {e}", user.email()));
    let credential = adapter
        .find_password_credential(&email)
        .await
        .expect("find_password_credential");
    assert!(
        credential.is_none(),
        "a user created without a password has none"
    );
    let with_password = adapter
        .create_user_with_password(&make(fresh_id(), email.clone()), HASH)
        .await;
    assert!(
        matches!(with_password, Err(AdapterError::Conflict)),
        "a password sign-up with the email is a Conflict, got {with_password:?}"
    );

    let taken = fresh_email("taken");
    create(adapter, &make(fresh_id(), taken.clone())).await;
    let over_password_user = adapter.create_user(&make(fresh_id(), taken)).await;
    assert!(
        matches!(over_password_user, Err(AdapterError::Conflict)),
        "a passwordless user cannot take a password user's email, got {over_password_user:?}"
    );
}

/// A password can be replaced (reset, change); a user that does not exist
/// gets none.
pub async fn passwords_can_be_replaced<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("new-password");
    let user = make(fresh_id(), email.clone());
    create(adapter, &user).await;
    adapter
        .set_password_hash(user.id(), "$argon2id$replaced")
        .await
        .expect("set_password_hash");
    let credential = adapter
        .find_password_credential(&email)
        .await
        .expect("find");
    assert_eq!(
        credential.map(|c| c.password_hash),
        Some("$argon2id$replaced".to_owned()),
        "the new hash replaces the old one"
    );
    assert!(
        adapter.set_password_hash(&fresh_id(), HASH).await.is_err(),
        "no password for a user that does not exist"
    );
}

/// Email verification is remembered per user, idempotently; unknown users
/// are not verified and cannot be.
pub async fn email_verification_is_remembered<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: EmailVerificationAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("verified"));
    let other = make(fresh_id(), fresh_email("unverified"));
    stored(store, adapter.as_ref(), &user).await;
    stored(store, adapter.as_ref(), &other).await;
    assert!(
        !adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified")
    );
    adapter
        .set_email_verified(user.id())
        .await
        .expect("set_email_verified");
    adapter
        .set_email_verified(user.id())
        .await
        .expect("set_email_verified twice");
    assert!(
        adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified")
    );
    assert!(
        !adapter
            .is_email_verified(other.id())
            .await
            .expect("is_email_verified")
    );
    let unknown = fresh_id();
    assert!(
        !adapter
            .is_email_verified(&unknown)
            .await
            .expect("is_email_verified")
    );
    assert!(adapter.set_email_verified(&unknown).await.is_err());
}

/// `claim_email` takes an unverified address over once: the first claim
/// answers `true` and verifies it, later ones answer `false`; of concurrent
/// claims exactly one wins; an unknown user is an error. (What a claim
/// removes is checked where the adapter stores passwords and accounts:
/// [`unclaimed_accounts_are_taken_over_cleanly`].)
pub async fn claims_are_won_once<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: EmailVerificationAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("claimed"));
    stored(store, adapter.as_ref(), &user).await;
    assert!(
        adapter.claim_email(user.id()).await.expect("claim_email"),
        "the first claim of an unverified address wins"
    );
    assert!(
        adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified"),
        "a claim verifies the address"
    );
    assert!(
        !adapter.claim_email(user.id()).await.expect("claim_email"),
        "a verified address is not claimed again"
    );
    assert_eq!(
        adapter.get_user(user.id()).await.expect("get_user"),
        Some(user),
        "the user stays"
    );

    let verified = make(fresh_id(), fresh_email("confirmed-first"));
    stored(store, adapter.as_ref(), &verified).await;
    adapter
        .set_email_verified(verified.id())
        .await
        .expect("set_email_verified");
    assert!(
        !adapter
            .claim_email(verified.id())
            .await
            .expect("claim_email"),
        "an address verified by a confirmation is not claimed"
    );

    let raced = make(fresh_id(), fresh_email("claim-race"));
    stored(store, adapter.as_ref(), &raced).await;
    let claims = join_all((0..8).map(|_| adapter.claim_email(raced.id()))).await;
    let won = claims
        .into_iter()
        .map(|c| c.expect("claim_email"))
        .filter(|won| *won)
        .count();
    assert_eq!(won, 1, "one claim of concurrent claims wins");

    assert!(
        adapter.claim_email(&fresh_id()).await.is_err(),
        "no claim for a user that does not exist"
    );
}

/// Sixteen concurrent sign-ups with one email: exactly one succeeds.
pub async fn concurrent_sign_ups_one_wins<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("race");
    let attempts = (0..16).map(|_| {
        let adapter = Arc::clone(adapter);
        let user = make(fresh_id(), email.clone());
        tokio::spawn(async move { adapter.create_user_with_password(&user, HASH).await })
    });
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    let won = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(AdapterError::Conflict)))
        .count();
    assert_eq!(won, 1, "exactly one concurrent sign-up wins: {results:?}");
    assert_eq!(conflicts, 15, "the others are conflicts: {results:?}");
}

/// Quotes, `%`, `_`, backslashes, long and non-ASCII strings are stored and
/// matched as data: never SQL, never a pattern.
pub async fn hostile_values_stay_data<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let tag = random_id().expect("randomness").to_lowercase();
    let hostile = [
        format!("o'brien.{tag}@example.com"),
        format!("a%b_{tag}@example.com"),
        format!("x--y/*z*/{tag}@example.com"),
        format!("ünïcødé.{tag}@例え.jp"),
        format!("{}{tag}@example.com", "l".repeat(200)),
    ];
    for raw in &hostile {
        let email = Email::parse(raw).unwrap_or_else(|| panic!("{raw} is a valid email"));
        let user = make(format!("id'\"%_{}", fresh_id()), email.clone());
        stored(store, adapter.as_ref(), &user).await;
        let found = adapter.find_user_by_email(&email).await.expect("find");
        assert_eq!(found.as_ref(), Some(&user), "{raw} is found exactly");
        let by_id = adapter.get_user(user.id()).await.expect("get_user");
        assert_eq!(by_id.as_ref(), Some(&user), "the hostile id round-trips");
    }
    // Wildcards are not patterns.
    let pattern = Email::parse(&format!("a%b_{tag}@example.co%")).expect("valid");
    assert!(
        adapter
            .find_user_by_email(&pattern)
            .await
            .expect("find")
            .is_none()
    );
    let underscore = Email::parse(&format!("a_b_{tag}@example.com")).expect("valid");
    assert!(
        adapter
            .find_user_by_email(&underscore)
            .await
            .expect("find")
            .is_none()
    );
}

/// A session's attributes and renewal flag are stored with it, come back
/// from every read, and change only through `refresh_session`, which never
/// brings back a session deleted in between.
pub async fn session_attributes_are_stored<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let ada = make(fresh_id(), fresh_email("ada"));
    stored(store, adapter.as_ref(), &ada).await;
    let t = now();
    let mut attributes = SessionAttributes::default();
    attributes.insert(
        "impersonatedBy",
        serde_json::json!("admin 'quoted' \"ünï\""),
    );
    attributes.insert("limits", serde_json::json!({"n": 3, "tags": ["a", null]}));
    let marked = session_for(ada.id(), t)
        .with_attributes(attributes)
        .with_renewable(false);
    let plain = session_for(ada.id(), t);
    for session in [&marked, &plain] {
        adapter.save_session(session).await.expect("save_session");
    }

    let found = adapter
        .validate_token(&marked.token_hash)
        .await
        .expect("validate_token");
    assert_eq!(
        found.as_ref(),
        Some(&marked),
        "attributes and renewable come back as saved"
    );
    let found = adapter
        .validate_token(&plain.token_hash)
        .await
        .expect("validate_token")
        .expect("stored");
    assert!(found.renewable, "an ordinary session is renewable");
    assert!(found.attributes.is_empty(), "an ordinary session has none");
    let (with_user, _) = adapter
        .validate_token_with_user(&marked.token_hash)
        .await
        .expect("validate_token_with_user")
        .expect("stored");
    assert_eq!(
        with_user, marked,
        "the joined lookup reads the attributes too"
    );
    let listed = adapter
        .list_sessions(ada.id())
        .await
        .expect("list_sessions");
    assert!(
        listed.contains(&marked) && listed.contains(&plain),
        "the session list carries the attributes"
    );

    // refresh_session writes the attributes with the expiry.
    let mut changed = marked.clone();
    changed
        .attributes
        .insert("activeOrganizationId", serde_json::json!("org_1"));
    changed.attributes.remove("limits");
    changed.updated_at = t + 10;
    assert!(
        adapter
            .refresh_session(&changed)
            .await
            .expect("refresh_session"),
        "a stored session is refreshed"
    );
    let found = adapter
        .validate_token(&marked.token_hash)
        .await
        .expect("validate_token");
    assert_eq!(
        found.as_ref(),
        Some(&changed),
        "refresh_session writes the attributes"
    );

    // ...but never onto a session deleted in between.
    assert!(
        adapter
            .delete_session(&marked.token_hash)
            .await
            .expect("delete")
    );
    assert!(
        !adapter
            .refresh_session(&changed)
            .await
            .expect("refresh_session"),
        "a deleted session stays deleted"
    );
    assert!(
        adapter
            .validate_token(&marked.token_hash)
            .await
            .expect("validate_token")
            .is_none()
    );
}

/// Save, validate, refresh, list, revoke one, revoke all others.
pub async fn sessions_lifecycle<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let alice = make(fresh_id(), fresh_email("alice"));
    let bob = make(fresh_id(), fresh_email("bob"));
    stored(store, adapter.as_ref(), &alice).await;
    stored(store, adapter.as_ref(), &bob).await;
    let t = now();
    let laptop = session_for(alice.id(), t);
    let phone = session_for(alice.id(), t + 1);
    let bobs = session_for(bob.id(), t);
    for session in [&laptop, &phone, &bobs] {
        adapter.save_session(session).await.expect("save_session");
    }

    let found = adapter
        .validate_token(&laptop.token_hash)
        .await
        .expect("validate_token");
    assert_eq!(
        found.as_ref(),
        Some(&laptop),
        "the session comes back field for field"
    );
    let unknown = TokenHash::of("never issued");
    assert!(
        adapter
            .validate_token(&unknown)
            .await
            .expect("validate")
            .is_none()
    );

    // Sliding refresh: saving again replaces.
    let mut refreshed = laptop.clone();
    refreshed.updated_at = t + 100;
    refreshed.expires_at = t + 100 + 7200;
    adapter
        .save_session(&refreshed)
        .await
        .expect("save_session again");
    let found = adapter
        .validate_token(&laptop.token_hash)
        .await
        .expect("validate");
    assert_eq!(
        found.as_ref(),
        Some(&refreshed),
        "saving again replaces the record"
    );

    let mut listed = adapter
        .list_sessions(alice.id())
        .await
        .expect("list_sessions");
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![refreshed.clone(), phone.clone()];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        listed, expected,
        "list_sessions returns exactly the user's sessions"
    );

    // Revoke all of Alice's others: the phone goes, Bob is untouched.
    let revoked = adapter
        .delete_user_sessions(alice.id(), Some(&laptop.token_hash))
        .await
        .expect("delete_user_sessions");
    assert_eq!(revoked, 1);
    assert!(
        adapter
            .validate_token(&phone.token_hash)
            .await
            .expect("v")
            .is_none()
    );
    assert!(
        adapter
            .validate_token(&laptop.token_hash)
            .await
            .expect("v")
            .is_some()
    );
    assert!(
        adapter
            .validate_token(&bobs.token_hash)
            .await
            .expect("v")
            .is_some()
    );

    assert!(
        adapter
            .delete_session(&laptop.token_hash)
            .await
            .expect("delete")
    );
    assert!(
        !adapter
            .delete_session(&laptop.token_hash)
            .await
            .expect("delete again")
    );
    assert!(
        adapter
            .list_sessions(alice.id())
            .await
            .expect("list")
            .is_empty()
    );

    // Revoke all, keeping none.
    let revoked = adapter
        .delete_user_sessions(bob.id(), None)
        .await
        .expect("delete all");
    assert_eq!(revoked, 1);
    assert!(
        adapter
            .validate_token(&bobs.token_hash)
            .await
            .expect("v")
            .is_none()
    );
}

/// A refresh slides the expiry of a stored session and of nothing else: a
/// session never saved, deleted, or someone else's is not written.
pub async fn sessions_refresh_only_while_stored<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("refresh"));
    stored(store, adapter.as_ref(), &user).await;
    let t = now();
    let session = session_for(user.id(), t);
    adapter.save_session(&session).await.expect("save_session");

    let mut refreshed = session.clone();
    refreshed.updated_at = t + 60;
    refreshed.expires_at = t + 60 + 7200;
    assert!(
        adapter
            .refresh_session(&refreshed)
            .await
            .expect("refresh_session"),
        "a stored session is refreshed"
    );
    assert_eq!(
        adapter
            .validate_token(&session.token_hash)
            .await
            .expect("validate_token"),
        Some(refreshed.clone()),
        "the new expiry is stored, every other field unchanged"
    );
    assert!(
        adapter
            .refresh_session(&refreshed)
            .await
            .expect("refresh_session again"),
        "a refresh that writes the same values still finds the session \
         (count rows matched, not rows changed)"
    );

    let mut someone_elses = refreshed.clone();
    someone_elses.user_id = fresh_id();
    someone_elses.expires_at += 3600;
    assert!(
        !adapter
            .refresh_session(&someone_elses)
            .await
            .expect("refresh_session"),
        "a refresh naming another owner finds no session"
    );
    assert_eq!(
        adapter
            .validate_token(&session.token_hash)
            .await
            .expect("validate_token"),
        Some(refreshed.clone()),
        "and writes nothing"
    );
    assert!(
        adapter
            .list_sessions(&someone_elses.user_id)
            .await
            .expect("list_sessions")
            .is_empty()
    );

    let never_saved = session_for(user.id(), t);
    assert!(
        !adapter
            .refresh_session(&never_saved)
            .await
            .expect("refresh_session"),
        "a session never saved is not refreshed"
    );
    assert!(
        adapter
            .validate_token(&never_saved.token_hash)
            .await
            .expect("validate_token")
            .is_none(),
        "nor created by the refresh"
    );

    adapter
        .delete_session(&session.token_hash)
        .await
        .expect("delete_session");
    assert!(
        !adapter
            .refresh_session(&refreshed)
            .await
            .expect("refresh_session"),
        "a deleted session is not refreshed"
    );
    assert!(
        adapter
            .validate_token(&session.token_hash)
            .await
            .expect("validate_token")
            .is_none(),
        "a refresh never brings a deleted session back"
    );
    assert!(
        adapter
            .list_sessions(user.id())
            .await
            .expect("list_sessions")
            .is_empty(),
        "nor lists it again"
    );
}

/// A lookup reads a session, then refreshes it; a revocation that lands in
/// between wins. Through a real `Auth` that refreshes on every lookup (and
/// caches sessions), a lookup is held between the read and the write while
/// the session is signed out, and then while every session of the user is
/// deleted straight in the store (another process): each time the held
/// lookup finds no session, and the token stays dead.
pub async fn refresh_never_resurrects_a_revoked_session<U, A, F, S>(
    adapter: &Arc<A>,
    make: &F,
    store: &S,
) where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("resurrect"));
    stored(store, adapter.as_ref(), &user).await;
    let gate = Arc::new(Gate::default());
    let auth = Auth::builder(Paused::new(Arc::clone(adapter), Arc::clone(&gate)))
        .secret("conformance secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .session_update_age(0)
        .session_cache(60)
        .build()
        .expect("config");
    let sign_in = || async {
        let signed_in = auth
            .create_session(
                user.clone(),
                ClientInfo::default(),
                nanoauth::SignInMethod::new("test"),
            )
            .await
            .expect("create_session")
            .signed_in()
            .expect("no challenge");
        let mut headers = http::HeaderMap::new();
        let bearer = format!("Bearer {}", signed_in.token.expose_secret());
        headers.insert(
            http::header::AUTHORIZATION,
            bearer.parse().expect("header value"),
        );
        (signed_in.session, headers)
    };
    let held_lookup = |headers: http::HeaderMap| {
        gate.arm();
        let auth = auth.clone();
        tokio::spawn(async move { auth.get_session_from_headers(&headers).await })
    };

    // Signed out while a lookup is between reading and refreshing.
    let (session, headers) = sign_in().await;
    let lookup = held_lookup(headers.clone());
    assert!(
        gate.reached().await,
        "with session_update_age(0) every lookup writes the session"
    );
    assert!(auth.sign_out(&headers).await.expect("sign_out"));
    gate.release();
    let answer = lookup.await.expect("task").expect("get_session");
    assert!(
        answer.is_none(),
        "the lookup that lost the race to the sign-out finds no session"
    );
    assert_revoked(adapter.as_ref(), &auth, &session, &headers).await;

    // Revoked in the store by someone else while a lookup is held.
    let (session, headers) = sign_in().await;
    let lookup = held_lookup(headers.clone());
    assert!(gate.reached().await, "the lookup writes the session");
    adapter
        .delete_user_sessions(user.id(), None)
        .await
        .expect("delete_user_sessions");
    gate.release();
    let answer = lookup.await.expect("task").expect("get_session");
    assert!(
        answer.is_none(),
        "the lookup that lost the race to the revocation finds no session"
    );
    assert_revoked(adapter.as_ref(), &auth, &session, &headers).await;
}

async fn assert_revoked<U, A, P>(
    adapter: &A,
    auth: &Auth<U, P>,
    session: &SessionRecord,
    headers: &http::HeaderMap,
) where
    U: TestableUser,
    A: Adapter<U>,
    P: Adapter<U>,
{
    assert!(
        adapter
            .validate_token(&session.token_hash)
            .await
            .expect("validate_token")
            .is_none(),
        "the revoked session was not stored again"
    );
    assert!(
        !adapter
            .list_sessions(&session.user_id)
            .await
            .expect("list_sessions")
            .iter()
            .any(|listed| listed.id == session.id),
        "nor listed"
    );
    for attempt in ["first", "second (the cache's turn)"] {
        assert!(
            auth.get_session_from_headers(headers)
                .await
                .expect("get_session")
                .is_none(),
            "the {attempt} lookup after the revocation finds no session"
        );
    }
}

/// A store may drop an expired session, but must never hand it back with a
/// different expiry (the core checks `expires_at`).
pub async fn expired_sessions_are_never_extended<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("expired"));
    stored(store, adapter.as_ref(), &user).await;
    let t = now();
    let mut expired = session_for(user.id(), t - 7200);
    expired.expires_at = t - 10;
    adapter.save_session(&expired).await.expect("save_session");
    match adapter
        .validate_token(&expired.token_hash)
        .await
        .expect("validate")
    {
        None => {}
        Some(found) => assert_eq!(found, expired, "an expired session comes back unchanged"),
    }
    for listed in adapter.list_sessions(user.id()).await.expect("list") {
        assert_eq!(
            listed, expired,
            "an expired session is listed unchanged, if at all"
        );
    }
}

/// Purging deletes the sessions that expired at or before the given time
/// (by that time, not the store's clock) and nothing else. Stores that
/// expire sessions by themselves may refuse to store an expired one in the
/// first place; the count is checked only where one was stored.
pub async fn expired_sessions_are_purged<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("purge"));
    stored(store, adapter.as_ref(), &user).await;
    let t = now();
    let cut = t - 5;
    let mut expired = session_for(user.id(), t - 7200);
    expired.expires_at = cut;
    let mut after_cut = session_for(user.id(), t - 7200);
    after_cut.expires_at = cut + 1;
    let live = session_for(user.id(), t);
    for session in [&expired, &after_cut, &live] {
        adapter.save_session(session).await.expect("save_session");
    }
    let stored = |session: &SessionRecord| {
        let hash = session.token_hash;
        async move {
            adapter
                .validate_token(&hash)
                .await
                .expect("validate_token")
                .is_some()
        }
    };
    let (expired_stored, after_cut_stored) = (stored(&expired).await, stored(&after_cut).await);

    let purged = adapter
        .purge_expired_sessions(cut)
        .await
        .expect("purge_expired_sessions");
    if expired_stored {
        assert!(
            purged >= 1,
            "the purge counts what it deleted, got {purged}"
        );
    }
    assert!(
        !stored(&expired).await,
        "a session expiring at the purge's time is purged (expired means expires_at <= now)"
    );
    if after_cut_stored {
        assert_eq!(
            adapter
                .validate_token(&after_cut.token_hash)
                .await
                .expect("validate_token"),
            Some(after_cut.clone()),
            "a session expiring after the purge's time is kept, whatever the store's clock says"
        );
    }
    assert_eq!(
        adapter
            .validate_token(&live.token_hash)
            .await
            .expect("validate_token"),
        Some(live.clone()),
        "a live session is untouched"
    );

    adapter
        .purge_expired_sessions(now())
        .await
        .expect("purge_expired_sessions");
    assert!(!stored(&after_cut).await, "purged once its time has come");
    assert_eq!(
        adapter.list_sessions(user.id()).await.expect("list"),
        vec![live.clone()],
        "only the live session is left, and listed"
    );
    assert!(
        !adapter
            .refresh_session(&expired)
            .await
            .expect("refresh_session"),
        "a purged session cannot be refreshed back"
    );
}

/// Purging deletes the single-use tokens that expired, whatever their
/// purpose: links nobody followed, decoys written for unknown addresses
/// (no identifier), abandoned OAuth states (with data). A live token is
/// untouched and can still be consumed once.
pub async fn expired_verifications_are_purged<U, A, F>(adapter: &A, _make: &F)
where
    U: TestableUser,
    A: VerificationAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let t = now();
    let cut = t - 5;
    let record = |purpose: &str, identifier: &str, expires_at: u64| {
        let token = random_token().expect("randomness");
        VerificationRecord::new(TokenHash::of(&token), purpose, identifier, expires_at)
    };
    let expired = [
        record("magic-link", fresh_email("unfollowed").as_str(), cut),
        record("reset-password", "", cut - 60),
        record("oauth-state", "github", cut - 600).with_data(r#"{"p":"github"}"#),
    ];
    let live = record("verify-email", fresh_email("live").as_str(), t + 3600);
    for token in expired.iter().chain([&live]) {
        adapter
            .save_verification(token)
            .await
            .expect("save_verification");
    }

    adapter
        .purge_expired_verifications(cut)
        .await
        .expect("purge_expired_verifications");
    for token in &expired {
        assert!(
            adapter
                .consume_verification(&token.token_hash, &token.purpose)
                .await
                .expect("consume_verification")
                .is_none(),
            "an expired {:?} token is purged",
            token.purpose
        );
    }
    assert_eq!(
        adapter
            .consume_verification(&live.token_hash, "verify-email")
            .await
            .expect("consume_verification"),
        Some(live),
        "a live token is untouched"
    );
}

/// The session-and-user lookup every session check makes answers what the
/// two separate lookups answer (adapters may join them in one query).
pub async fn session_with_user_in_one_lookup<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: Adapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("joined"));
    stored(store, adapter.as_ref(), &user).await;
    let session = session_for(user.id(), now());
    adapter.save_session(&session).await.expect("save_session");
    let found = adapter
        .validate_token_with_user(&session.token_hash)
        .await
        .expect("validate_token_with_user");
    assert_eq!(
        found,
        Some((session.clone(), user.clone())),
        "the session and its user, field for field"
    );
    let unknown = TokenHash::of(&random_token().expect("randomness"));
    assert!(
        adapter
            .validate_token_with_user(&unknown)
            .await
            .expect("validate_token_with_user")
            .is_none(),
        "an unknown token hash finds nothing"
    );
    adapter
        .delete_session(&session.token_hash)
        .await
        .expect("delete_session");
    assert!(
        adapter
            .validate_token_with_user(&session.token_hash)
            .await
            .expect("validate_token_with_user")
            .is_none(),
        "a deleted session finds nothing"
    );
}

/// A token is consumed once, only for its purpose.
pub async fn verification_tokens_are_single_use<U, A, F>(adapter: &A, _make: &F)
where
    U: TestableUser,
    A: VerificationAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let token = random_token().expect("randomness");
    let record = VerificationRecord::new(
        TokenHash::of(&token),
        "verify-email",
        fresh_email("verify").as_str(),
        now() + 3600,
    );
    adapter
        .save_verification(&record)
        .await
        .expect("save_verification");

    let wrong_purpose = adapter
        .consume_verification(&record.token_hash, "reset-password")
        .await
        .expect("consume");
    assert!(
        wrong_purpose.is_none(),
        "a token is not consumed for another purpose"
    );
    let consumed = adapter
        .consume_verification(&record.token_hash, "verify-email")
        .await
        .expect("consume");
    assert_eq!(
        consumed,
        Some(record.clone()),
        "the record comes back field for field"
    );
    let again = adapter
        .consume_verification(&record.token_hash, "verify-email")
        .await
        .expect("consume again");
    assert!(again.is_none(), "a token is consumed only once");
    // What a flow keeps with its token comes back byte for byte.
    let data = r#"{"name":"Zoë \"quoted\" ' ; DROP TABLE x; --","n":1}"#;
    let token = random_token().expect("randomness");
    let record = VerificationRecord::new(
        TokenHash::of(&token),
        "magic-link",
        fresh_email("data").as_str(),
        now() + 3600,
    )
    .with_data(data);
    adapter
        .save_verification(&record)
        .await
        .expect("save_verification with data");
    let consumed = adapter
        .consume_verification(&record.token_hash, "magic-link")
        .await
        .expect("consume");
    assert_eq!(
        consumed.and_then(|r| r.data),
        Some(data.to_owned()),
        "the token's data comes back"
    );
}

/// Thirty-two concurrent consumptions of one token: exactly one succeeds.
pub async fn verification_consumed_once_under_concurrency<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: VerificationAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let token = random_token().expect("randomness");
    let record =
        VerificationRecord::new(TokenHash::of(&token), "magic-link", "someone", now() + 300);
    adapter
        .save_verification(&record)
        .await
        .expect("save_verification");
    let attempts = (0..32).map(|_| {
        let adapter = Arc::clone(adapter);
        let hash = record.token_hash;
        tokio::spawn(async move { adapter.consume_verification(&hash, "magic-link").await })
    });
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("consume"))
        .collect();
    assert_eq!(
        results.iter().filter(|r| r.is_some()).count(),
        1,
        "exactly one concurrent consumption wins"
    );
}

/// The adapter behind a real `Auth`: sign in over HTTP, read the session,
/// sign out, and the token is dead.
pub async fn works_behind_auth<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let hasher = PasswordHasher::with_params(64, 1, 1).expect("params");
    let password = "correct horse battery staple";
    let email = fresh_email("auth");
    let user = make(fresh_id(), email.clone());
    let hash = hasher.hash(password).expect("hash");
    adapter
        .create_user_with_password(&user, &hash)
        .await
        .expect("create");

    let auth = Auth::builder(Arc::clone(adapter))
        .secret("conformance secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new().hasher(hasher))
        .build()
        .expect("config");
    let body = serde_json::json!({ "email": email.as_str(), "password": password }).to_string();
    let request = http::Request::post("/api/auth/signin/email")
        .header("content-type", "application/json")
        .body(body)
        .expect("request");
    let response = auth.handler(request).await;
    assert_eq!(response.status(), 200, "sign-in: {:?}", response.body());
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();

    let page = http::Request::get("/")
        .header("cookie", &cookie)
        .body(())
        .expect("request");
    let session = auth
        .get_session(&page)
        .await
        .expect("get_session")
        .expect("signed in");
    assert_eq!(
        session.user, user,
        "get_session returns the application's user"
    );

    let sign_out = http::Request::post("/api/auth/signout")
        .header("cookie", &cookie)
        .header("origin", "http://localhost:3000")
        .body(String::new())
        .expect("request");
    assert_eq!(auth.handler(sign_out).await.status(), 200);
    assert!(
        auth.get_session(&page)
            .await
            .expect("get_session")
            .is_none(),
        "signed out"
    );
}

fn sorted_accounts(mut accounts: Vec<AccountRecord>) -> Vec<AccountRecord> {
    accounts.sort_by(|a, b| (&a.provider, &a.account_id).cmp(&(&b.provider, &b.account_id)));
    accounts
}

/// Link, find, list and unlink provider accounts; one provider account
/// belongs to one user only.
pub async fn accounts_link_find_unlink<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: AccountAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let alice = make(fresh_id(), fresh_email("linked"));
    let bob = make(fresh_id(), fresh_email("other"));
    stored(store, adapter.as_ref(), &alice).await;
    stored(store, adapter.as_ref(), &bob).await;
    // Provider ids are opaque text: quotes and non-ASCII stay data.
    let sub = format!("{}'\"; -- ü", fresh_id());
    let t = now();
    let github = AccountRecord::new("github", sub.clone(), alice.id(), t);
    let google = AccountRecord::new("google", sub.clone(), alice.id(), t + 1);

    assert!(
        adapter
            .find_account("github", &sub)
            .await
            .expect("find_account")
            .is_none(),
        "nothing is linked yet"
    );
    adapter.link_account(&github).await.expect("link_account");
    adapter
        .link_account(&google)
        .await
        .expect("link a second provider");
    assert_eq!(
        adapter
            .find_account("github", &sub)
            .await
            .expect("find_account"),
        Some(github.clone()),
        "the account comes back field for field"
    );
    assert!(
        adapter
            .find_account("github", &sub.to_uppercase())
            .await
            .expect("find_account")
            .is_none(),
        "account ids compare exactly"
    );

    let taken = AccountRecord::new("github", sub.clone(), bob.id(), t);
    let result = adapter.link_account(&taken).await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a provider account linked already is a Conflict, got {result:?}"
    );
    assert_eq!(
        adapter
            .find_account("github", &sub)
            .await
            .expect("find_account")
            .map(|account| account.user_id),
        Some(alice.id().to_owned()),
        "the first link stands"
    );
    let orphan = AccountRecord::new("github", fresh_id(), fresh_id(), t);
    assert!(
        adapter.link_account(&orphan).await.is_err(),
        "no account for a user that does not exist"
    );

    assert_eq!(
        sorted_accounts(adapter.list_accounts(alice.id()).await.expect("list")),
        vec![github.clone(), google.clone()]
    );
    assert!(
        adapter
            .list_accounts(bob.id())
            .await
            .expect("list")
            .is_empty()
    );

    assert!(
        !adapter
            .unlink_account(bob.id(), "github")
            .await
            .expect("unlink"),
        "unlinking someone else's account does nothing"
    );
    assert!(
        adapter
            .unlink_account(alice.id(), "github")
            .await
            .expect("unlink")
    );
    assert!(
        !adapter
            .unlink_account(alice.id(), "github")
            .await
            .expect("unlink twice"),
        "the second unlink finds nothing"
    );
    assert!(
        adapter
            .find_account("github", &sub)
            .await
            .expect("find_account")
            .is_none()
    );
    assert_eq!(
        adapter.list_accounts(alice.id()).await.expect("list"),
        vec![google],
        "the other provider stays linked"
    );
    adapter
        .link_account(&taken)
        .await
        .expect("an unlinked account can be linked again");
}

/// A new user and their first account are written together or not at all.
pub async fn user_with_account_is_atomic<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: AccountAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("social");
    let user = make(fresh_id(), email.clone());
    let sub = fresh_id();
    let account = AccountRecord::new("oidc", sub.clone(), user.id(), now());
    adapter
        .create_user_with_account(&user, &account)
        .await
        .expect("create_user_with_account");
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(user.clone())
    );
    assert_eq!(
        adapter.find_account("oidc", &sub).await.expect("find"),
        Some(account)
    );

    // The email is taken: neither the user nor the account is written.
    let twin = make(fresh_id(), email.clone());
    let other_sub = fresh_id();
    let result = adapter
        .create_user_with_account(
            &twin,
            &AccountRecord::new("oidc", other_sub.clone(), twin.id(), now()),
        )
        .await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a taken email is a Conflict, got {result:?}"
    );
    assert!(adapter.get_user(twin.id()).await.expect("get").is_none());
    assert!(
        adapter
            .find_account("oidc", &other_sub)
            .await
            .expect("find")
            .is_none(),
        "the refused account was not written"
    );

    // The provider account is taken: the new user is not written.
    let email = fresh_email("social-taken");
    let late = make(fresh_id(), email.clone());
    let result = adapter
        .create_user_with_account(
            &late,
            &AccountRecord::new("oidc", sub.clone(), late.id(), now()),
        )
        .await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a linked provider account is a Conflict, got {result:?}"
    );
    assert!(
        adapter
            .find_user_by_email(&email)
            .await
            .expect("find")
            .is_none(),
        "the refused user was not written"
    );
}

/// A user created with their first provider account has no password.
pub async fn social_users_have_no_password<U, A, F>(adapter: &A, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U> + AccountAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("social-nopassword");
    let user = make(fresh_id(), email.clone());
    let account = AccountRecord::new("oidc", fresh_id(), user.id(), now());
    adapter
        .create_user_with_account(&user, &account)
        .await
        .expect("create_user_with_account");
    assert!(
        adapter
            .find_password_credential(&email)
            .await
            .expect("find")
            .is_none(),
        "a social user has no password"
    );
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(user),
        "and is found like any user"
    );
}

/// Eight concurrent first sign-ins with one provider account (a double
/// click on the consent screen): exactly one user is created.
pub async fn concurrent_first_sign_ins_one_wins<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: AccountAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let sub = fresh_id();
    let attempts = (0..8).map(|_| {
        let adapter = Arc::clone(adapter);
        let user = make(fresh_id(), fresh_email("social-race"));
        let account = AccountRecord::new("oidc", sub.clone(), user.id(), now());
        tokio::spawn(async move { adapter.create_user_with_account(&user, &account).await })
    });
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "exactly one first sign-in wins: {results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(AdapterError::Conflict))),
        "the others are conflicts: {results:?}"
    );
}

/// The account-ownership policy on this adapter: the first proof of an
/// address by a sign-in route takes an unclaimed account over (sessions
/// revoked, password removed, provider accounts unlinked, address
/// verified) in one step; later proofs, and a confirmation, keep the
/// account as it is; of concurrent claims exactly one takes it over.
pub async fn unclaimed_accounts_are_taken_over_cleanly<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: PasswordAdapter<U> + AccountAdapter<U> + EmailVerificationAdapter<U>,
    F: Fn(String, Email) -> U,
{
    use nanoauth::{ClientInfo, EmailProof};

    let hasher = PasswordHasher::with_params(64, 1, 1).expect("params");
    let password = "correct horse battery staple";
    let auth = Auth::builder(Arc::clone(adapter))
        .secret("conformance secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new().hasher(hasher.clone()))
        .build()
        .expect("config");
    let session_works = |token: nanoauth::SessionToken| {
        let auth = auth.clone();
        async move {
            let cookie = auth.session_cookie(&token).expect("cookie");
            let cookie = cookie
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .map(str::to_owned);
            let page = http::Request::get("/")
                .header("cookie", cookie.unwrap_or_default())
                .body(())
                .expect("request");
            auth.get_session(&page)
                .await
                .expect("get_session")
                .is_some()
        }
    };

    // Someone signs up with an address they do not hold, sets a password,
    // links a provider account and signs in.
    let email = fresh_email("unclaimed");
    let user = make(fresh_id(), email.clone());
    let hash = hasher.hash(password).expect("hash");
    adapter
        .create_user_with_password(&user, &hash)
        .await
        .expect("create");
    let account = AccountRecord::new("conformance", random_id().expect("id"), user.id(), now());
    adapter.link_account(&account).await.expect("link");
    let hijacker = auth
        .email_password()
        .sign_in(email.as_str(), password, ClientInfo::default())
        .await
        .expect("sign in")
        .signed_in()
        .expect("no challenge");
    assert!(session_works(hijacker.token.clone()).await);

    // The address's owner proves it by a sign-in route.
    assert!(
        auth.prove_email(&user, EmailProof::SignIn)
            .await
            .expect("prove"),
        "an unclaimed account is taken over"
    );
    assert!(
        !session_works(hijacker.token).await,
        "every session is revoked"
    );
    assert!(
        adapter
            .find_password_credential(&email)
            .await
            .expect("find_password_credential")
            .is_none(),
        "the password set before the proof is removed"
    );
    assert!(
        adapter
            .list_accounts(user.id())
            .await
            .expect("list")
            .is_empty(),
        "provider accounts linked before the proof are unlinked"
    );
    assert!(
        adapter
            .is_email_verified(user.id())
            .await
            .expect("verified")
    );
    assert!(
        adapter.get_user(user.id()).await.expect("get").is_some(),
        "the user stays"
    );

    // Claimed now: a new password and a new session survive later proofs.
    adapter
        .set_password_hash(user.id(), &hash)
        .await
        .expect("set password");
    let owner = auth
        .email_password()
        .sign_in(email.as_str(), password, ClientInfo::default())
        .await
        .expect("sign in")
        .signed_in()
        .expect("no challenge");
    assert!(
        !auth
            .prove_email(&user, EmailProof::SignIn)
            .await
            .expect("prove again")
    );
    assert!(
        session_works(owner.token).await,
        "a claimed account keeps its sessions"
    );

    // A confirmation (the sign-up's verification link) keeps everything.
    let confirmed = make(fresh_id(), fresh_email("confirmed"));
    adapter
        .create_user_with_password(&confirmed, &hash)
        .await
        .expect("create");
    let signed_in = auth
        .email_password()
        .sign_in(confirmed.email(), password, ClientInfo::default())
        .await
        .expect("sign in")
        .signed_in()
        .expect("no challenge");
    assert!(
        !auth
            .prove_email(&confirmed, EmailProof::Confirmation)
            .await
            .expect("confirm")
    );
    assert!(session_works(signed_in.token).await);
    assert!(
        adapter
            .is_email_verified(confirmed.id())
            .await
            .expect("verified")
    );

    // Concurrent claims: exactly one takes the account over.
    let raced = make(fresh_id(), fresh_email("raced"));
    adapter
        .create_user_with_password(&raced, &hash)
        .await
        .expect("create");
    let claims = join_all((0..8).map(|_| adapter.claim_email(raced.id()))).await;
    let won = claims
        .into_iter()
        .map(|c| c.expect("claim_email"))
        .filter(|won| *won)
        .count();
    assert_eq!(won, 1, "one claim of concurrent claims wins");
}
