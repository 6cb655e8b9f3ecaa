//! Listing users a page at a time: ordered by address, searched by a prefix
//! of the address or the name, wildcards taken literally.

use std::sync::Arc;

use nanoauth::adapter::{ListUsersAdapter, UserQuery};
use nanoauth::{AdapterError, AuthUser, Email};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{TestableUser, fresh_id, stored};

/// `user` with its `name` field set to `name`, when its type has one.
fn named<U: AuthUser + DeserializeOwned>(user: U, name: &str) -> (U, bool) {
    let mut value = serde_json::to_value(&user).expect("the user serializes");
    let Some(object) = value.as_object_mut() else {
        return (user, false);
    };
    if !object.get("name").is_some_and(Value::is_string) {
        return (user, false);
    }
    object.insert("name".into(), Value::from(name));
    match serde_json::from_value(value) {
        Ok(renamed) => (renamed, true),
        Err(_) => (user, false),
    }
}

/// Users come back ordered by address, a page at a time with the last
/// address as the cursor, searched by a prefix of the address or of the
/// name (either case), with `%` and `_` matching only themselves.
pub async fn users_are_listed_in_pages<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser + DeserializeOwned,
    A: ListUsersAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    // A tag of this run: the store may hold other cases' users.
    let tag: String = fresh_id()
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let tag = format!("l{tag}");
    let email = |local: String| Email::parse(&format!("{local}@list.example")).expect("email");
    let mut expected = Vec::new();
    for suffix in ["c", "a", "b"] {
        let user = make(fresh_id(), email(format!("{tag}-{suffix}")));
        stored(store, adapter.as_ref(), &user).await;
        expected.push(user.email().to_owned());
    }
    expected.sort();
    // Found by its name alone, where the user type has one.
    let (by_name, has_name) = named(
        make(fresh_id(), email(format!("zz-{tag}"))),
        &format!("{} Person", tag.to_uppercase()),
    );
    stored(store, adapter.as_ref(), &by_name).await;

    let emails = |users: Vec<U>| -> Vec<String> {
        users.iter().map(|user| user.email().to_owned()).collect()
    };
    let mut everyone = expected.clone();
    if has_name {
        everyone.push(by_name.email().to_owned());
    }
    let found = adapter
        .search_users(&UserQuery::new(10).search(&tag))
        .await
        .expect("search_users");
    assert_eq!(
        emails(found),
        everyone,
        "a search matches address and name prefixes, ordered by address"
    );

    let first = adapter
        .search_users(&UserQuery::new(2).search(format!("{tag}-")))
        .await
        .expect("search_users");
    assert_eq!(emails(first), expected[..2], "a page holds `limit` users");
    let next = adapter
        .search_users(
            &UserQuery::new(2)
                .search(format!("{tag}-"))
                .after(expected[1].clone()),
        )
        .await
        .expect("search_users");
    assert_eq!(
        emails(next),
        expected[2..],
        "the next page starts after the cursor"
    );

    let upper = adapter
        .search_users(&UserQuery::new(10).search(tag.to_uppercase() + "-A"))
        .await
        .expect("search_users");
    assert_eq!(emails(upper), expected[..1], "searches ignore case");

    for wildcard in [format!("{tag}%"), format!("{tag}_a")] {
        let found = adapter
            .search_users(&UserQuery::new(10).search(&wildcard))
            .await
            .expect("search_users");
        assert!(
            found.is_empty(),
            "{wildcard:?} matches only itself, found {:?}",
            emails(found)
        );
    }

    let unsearched = adapter
        .search_users(&UserQuery::new(1000))
        .await
        .expect("search_users");
    let all = emails(unsearched);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "an unsearched page is ordered by address too");
}
