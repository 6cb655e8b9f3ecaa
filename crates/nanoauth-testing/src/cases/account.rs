//! Account management: users updated in place, moved to a new address
//! (unique, verified in the same step), and deleted with everything they
//! own.

use std::sync::Arc;

use futures_util::future::join_all;
use nanoauth::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, AuthUser, DeleteUserAdapter, Email,
    EmailVerificationAdapter, PasswordAdapter, PluginRecord, RecordAdapter, UpdateUserAdapter,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{HASH, TestableUser, fresh_email, fresh_id, now, session_for, stored};

/// `user` with every custom field changed, through its JSON form (the
/// cases know nothing else of the user type): text gets a suffix, numbers
/// move, booleans flip, and an optional field that holds a value loses it.
/// The id stays; the email changes too, which `update_user` must ignore.
fn changed<U: AuthUser + DeserializeOwned>(user: &U) -> U {
    let original = serde_json::to_value(user).expect("the user serializes");
    let mut value = original.clone();
    let object = value.as_object_mut().expect("the user is an object");
    let fields: Vec<String> = object.keys().cloned().collect();
    for field in fields {
        if field == "id" {
            continue;
        }
        if field == "email" {
            object.insert(field, Value::from(fresh_email("ignored").as_str()));
            continue;
        }
        // An `Option` field accepts null: try that first.
        let mut emptied = object.clone();
        emptied.insert(field.clone(), Value::Null);
        if !object[&field].is_null() && serde_json::from_value::<U>(Value::Object(emptied)).is_ok()
        {
            object.insert(field, Value::Null);
            continue;
        }
        let next = match &object[&field] {
            Value::String(text) => Value::from(format!("{text} (updated)")),
            Value::Bool(flag) => Value::from(!flag),
            Value::Number(n) if n.is_i64() => Value::from(n.as_i64().unwrap_or(0) + 1),
            Value::Number(n) => Value::from(n.as_f64().unwrap_or(0.0) * 2.0 + 1.0),
            other => other.clone(),
        };
        object.insert(field, next);
    }
    serde_json::from_value(value).expect("the changed user deserializes")
}

/// `user` with `email`, through its JSON form.
fn with_email<U: AuthUser + DeserializeOwned>(user: &U, email: &Email) -> U {
    let mut value = serde_json::to_value(user).expect("the user serializes");
    value["email"] = Value::from(email.as_str());
    serde_json::from_value(value).expect("the user deserializes")
}

/// `update_user` writes every field but id and email (a field emptied is
/// stored empty), answers `false` for an unknown user, and leaves other
/// users alone.
pub async fn users_are_updated_in_place<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser + DeserializeOwned,
    A: UpdateUserAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let email = fresh_email("updated");
    let user = make(fresh_id(), email.clone());
    stored(store, adapter.as_ref(), &user).await;
    let bystander = make(fresh_id(), fresh_email("bystander"));
    stored(store, adapter.as_ref(), &bystander).await;

    let update = changed(&user);
    assert!(
        adapter.update_user(&update).await.expect("update_user"),
        "update_user answers true for a stored user"
    );
    let expected = with_email(&update, &email);
    assert_ne!(expected, user, "the case changed some field");
    assert_eq!(
        adapter.get_user(user.id()).await.expect("get_user"),
        Some(expected.clone()),
        "every field but the email is written"
    );
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(expected),
        "the address is the same: update_user never moves it"
    );
    assert_eq!(
        adapter.get_user(bystander.id()).await.expect("get_user"),
        Some(bystander),
        "another user is untouched"
    );

    let unknown = make(fresh_id(), fresh_email("unknown"));
    assert!(
        !adapter.update_user(&unknown).await.expect("update_user"),
        "update_user answers false for an unknown user"
    );
    assert!(
        adapter
            .get_user(unknown.id())
            .await
            .expect("get_user")
            .is_none(),
        "and creates none"
    );
}

/// `change_email` moves a user to a free address and marks it verified,
/// frees the old one, refuses a taken one with `Conflict` (changing
/// nothing), and answers `false` for an unknown user.
pub async fn email_changes_are_unique_and_verified<U, A, F, S>(
    adapter: &Arc<A>,
    make: &F,
    store: &S,
) where
    U: TestableUser + DeserializeOwned,
    A: UpdateUserAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let (old, new) = (fresh_email("moving"), fresh_email("moved"));
    let user = make(fresh_id(), old.clone());
    stored(store, adapter.as_ref(), &user).await;
    let other = make(fresh_id(), fresh_email("owner"));
    stored(store, adapter.as_ref(), &other).await;

    let taken = Email::parse(other.email()).expect("stored emails parse");
    assert!(
        matches!(
            adapter.change_email(user.id(), &taken).await,
            Err(AdapterError::Conflict)
        ),
        "a taken address is a Conflict"
    );
    assert_eq!(
        adapter.get_user(user.id()).await.expect("get_user"),
        Some(user.clone()),
        "a refused change writes nothing"
    );
    assert!(
        !adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified"),
        "nor the verified mark"
    );

    assert!(
        adapter
            .change_email(user.id(), &new)
            .await
            .expect("change_email"),
        "a free address is taken"
    );
    let moved = with_email(&user, &new);
    assert_eq!(
        adapter.find_user_by_email(&new).await.expect("find"),
        Some(moved.clone()),
        "the user is found at the new address, every other field kept"
    );
    assert!(
        adapter
            .find_user_by_email(&old)
            .await
            .expect("find")
            .is_none(),
        "and no longer at the old one"
    );
    assert!(
        adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified"),
        "the new address counts as verified"
    );
    assert!(
        adapter
            .change_email(other.id(), &old)
            .await
            .expect("change_email"),
        "the old address is free for another user"
    );
    assert!(
        adapter
            .change_email(user.id(), &new)
            .await
            .expect("change_email"),
        "moving to the address one has is no conflict"
    );
    assert!(
        !adapter
            .change_email(&fresh_id(), &fresh_email("nobody"))
            .await
            .expect("change_email"),
        "an unknown user is not moved"
    );
}

/// Eight users racing to one free address: one gets it, the others get
/// `Conflict` and keep theirs.
pub async fn concurrent_email_changes_one_wins<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser + DeserializeOwned,
    A: UpdateUserAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let mut users = Vec::new();
    for _ in 0..8 {
        let user = make(fresh_id(), fresh_email("racer"));
        stored(store, adapter.as_ref(), &user).await;
        users.push(user);
    }
    let target = fresh_email("prize");
    let results = join_all(users.iter().map(|user| {
        let adapter = Arc::clone(adapter);
        let target = target.clone();
        let id = user.id().to_owned();
        async move { adapter.change_email(&id, &target).await }
    }))
    .await;
    let mut won = 0;
    for result in results {
        match result {
            Ok(true) => won += 1,
            Err(AdapterError::Conflict) => {}
            other => panic!("a racing change answers true or Conflict, not {other:?}"),
        }
    }
    assert_eq!(won, 1, "one of eight racing changes wins");
    let winner = adapter
        .find_user_by_email(&target)
        .await
        .expect("find")
        .expect("the winner is at the address");
    for user in users.iter().filter(|user| user.id() != winner.id()) {
        assert_eq!(
            adapter.get_user(user.id()).await.expect("get_user"),
            Some(user.clone()),
            "a loser keeps their address"
        );
    }
}

/// `delete_user` removes the user and their sessions (another user's
/// stay), frees the address, and answers `true` once.
pub async fn deleted_users_lose_their_sessions<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: DeleteUserAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let email = fresh_email("deleted");
    let user = make(fresh_id(), email.clone());
    stored(store, adapter.as_ref(), &user).await;
    let other = make(fresh_id(), fresh_email("stays"));
    stored(store, adapter.as_ref(), &other).await;
    let at = now();
    let sessions = [session_for(user.id(), at), session_for(user.id(), at)];
    for session in &sessions {
        adapter.save_session(session).await.expect("save_session");
    }
    let kept = session_for(other.id(), at);
    adapter.save_session(&kept).await.expect("save_session");

    assert!(
        adapter.delete_user(user.id()).await.expect("delete_user"),
        "deleting a stored user answers true"
    );
    assert!(
        adapter.get_user(user.id()).await.expect("get").is_none(),
        "the user is gone by id"
    );
    assert!(
        adapter
            .find_user_by_email(&email)
            .await
            .expect("find")
            .is_none(),
        "and by email"
    );
    for session in &sessions {
        assert!(
            adapter
                .validate_token(&session.token_hash)
                .await
                .expect("validate_token")
                .is_none(),
            "their sessions are gone"
        );
    }
    assert!(
        adapter
            .list_sessions(user.id())
            .await
            .expect("list_sessions")
            .is_empty(),
        "and not listed"
    );
    assert!(
        adapter
            .validate_token(&kept.token_hash)
            .await
            .expect("validate_token")
            .is_some(),
        "another user's session stays"
    );
    assert!(
        !adapter.delete_user(user.id()).await.expect("delete_user"),
        "a second deletion answers false"
    );
    let again = make(fresh_id(), email.clone());
    stored(store, adapter.as_ref(), &again).await;
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(again),
        "the address is free for a new account"
    );
}

/// `delete_user` takes the password, the verified mark, linked accounts
/// and owned plugin records with the user; records of no one and of other
/// users stay.
pub async fn deleted_users_take_what_they_own<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: DeleteUserAdapter<U>
        + PasswordAdapter<U>
        + AccountAdapter<U>
        + EmailVerificationAdapter<U>
        + RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let email = fresh_email("owner");
    let user = make(fresh_id(), email.clone());
    adapter
        .create_user_with_password(&user, HASH)
        .await
        .expect("create_user_with_password");
    let other = make(fresh_id(), fresh_email("neighbour"));
    adapter
        .create_user_with_password(&other, HASH)
        .await
        .expect("create_user_with_password");
    adapter
        .set_email_verified(user.id())
        .await
        .expect("set_email_verified");
    let account_id = fresh_id();
    adapter
        .link_account(&AccountRecord::new("github", &account_id, user.id(), now()))
        .await
        .expect("link_account");
    let at = now();
    let (owned, theirs, nobodys) = (fresh_id(), fresh_id(), fresh_id());
    for record in [
        PluginRecord::new("passkey", &owned, "{}").owned_by(user.id()),
        PluginRecord::new("api-key", &theirs, "{}").owned_by(other.id()),
        PluginRecord::new("jwt.key", &nobodys, "{}"),
    ] {
        adapter
            .insert_record(&record, at)
            .await
            .expect("insert_record");
    }

    assert!(adapter.delete_user(user.id()).await.expect("delete_user"));
    assert!(
        adapter
            .find_password_credential(&email)
            .await
            .expect("find_password_credential")
            .is_none(),
        "the password is gone"
    );
    assert!(
        !adapter
            .is_email_verified(user.id())
            .await
            .expect("is_email_verified"),
        "the verified mark is gone"
    );
    assert!(
        adapter
            .find_account("github", &account_id)
            .await
            .expect("find_account")
            .is_none(),
        "the linked account is gone"
    );
    assert!(
        adapter
            .find_record("passkey", &owned, at)
            .await
            .expect("find_record")
            .is_none(),
        "their plugin record is gone"
    );
    assert!(
        adapter
            .find_record("api-key", &theirs, at)
            .await
            .expect("find_record")
            .is_some(),
        "another user's record stays"
    );
    assert!(
        adapter
            .find_record("jwt.key", &nobodys, at)
            .await
            .expect("find_record")
            .is_some(),
        "a record of no one stays"
    );
    let other_email = Email::parse(other.email()).expect("stored emails parse");
    assert!(
        adapter
            .find_password_credential(&other_email)
            .await
            .expect("find_password_credential")
            .is_some(),
        "another user's password stays"
    );
    // The address and the provider account are free again.
    let again = make(fresh_id(), email);
    adapter
        .create_user_with_account(
            &again,
            &AccountRecord::new("github", &account_id, again.id(), now()),
        )
        .await
        .expect("the address and the provider account are free again");
}
