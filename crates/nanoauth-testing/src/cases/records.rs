//! The `records` group: [`RecordAdapter`], the storage plugins build their
//! own state on. Every case names its own namespace (random), so cases can
//! share a store; times are relative to the real clock but passed in, as
//! the trait asks, so that "expired" is decided by the caller's `now`.

use std::sync::Arc;

use futures_util::future::join_all;
use nanoauth::adapter::{MAX_NAMESPACE_LEN, MAX_RECORD_KEY_LEN};
use nanoauth::{AdapterError, Email, PluginRecord, RecordAdapter, UserRecordsAdapter};

use super::{TestableUser, fresh_email, fresh_id, now, stored};

/// A namespace no other case (or run) uses.
fn fresh_namespace(label: &str) -> String {
    format!("conformance.{label}.{}", fresh_id())
}

async fn insert<U: TestableUser, A: RecordAdapter<U>>(
    adapter: &A,
    record: &PluginRecord,
    now: u64,
) {
    adapter
        .insert_record(record, now)
        .await
        .unwrap_or_else(|e| panic!("insert_record({record:?}) failed: {e}"));
}

async fn find<U: TestableUser, A: RecordAdapter<U>>(
    adapter: &A,
    namespace: &str,
    key: &str,
    now: u64,
) -> Option<PluginRecord> {
    adapter
        .find_record(namespace, key, now)
        .await
        .unwrap_or_else(|e| panic!("find_record({namespace:?}, {key:?}) failed: {e}"))
}

/// `record` as the store gives it back after `updates` updates.
fn as_stored(record: &PluginRecord, updates: u64) -> PluginRecord {
    let mut stored = record.clone();
    stored.version = 1 + updates;
    stored
}

fn sorted(mut records: Vec<PluginRecord>) -> Vec<PluginRecord> {
    records.sort_by(|a, b| a.key.cmp(&b.key));
    records
}

/// An inserted record comes back field for field with version 1, owned or
/// not, expiring or not; other keys and other namespaces find nothing.
pub async fn records_insert_and_find<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("records"));
    stored(store, adapter.as_ref(), &user).await;
    let t = now();
    let namespace = fresh_namespace("insert");
    let owned = PluginRecord::new(
        &namespace,
        format!("user-{}", user.id()),
        r#"{"enabled":true}"#,
    )
    .owned_by(user.id())
    .expiring_at(t + 3600);
    let unowned = PluginRecord::new(&namespace, fresh_id(), r#"{"challenge":"x"}"#);

    for record in [&owned, &unowned] {
        assert!(
            find(adapter.as_ref(), &namespace, &record.key, t)
                .await
                .is_none(),
            "nothing is stored yet"
        );
        insert(adapter.as_ref(), record, t).await;
        let back = find(adapter.as_ref(), &namespace, &record.key, t).await;
        assert_eq!(
            back,
            Some(as_stored(record, 0)),
            "the record comes back field for field, with version 1"
        );
    }
    assert!(
        find(adapter.as_ref(), &namespace, &fresh_id(), t)
            .await
            .is_none(),
        "another key finds nothing"
    );
    assert!(
        find(adapter.as_ref(), &fresh_namespace("other"), &owned.key, t)
            .await
            .is_none(),
        "another namespace finds nothing under the same key"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &owned.key.to_uppercase(), t)
            .await
            .is_none(),
        "keys compare exactly"
    );

    // A version set by the caller is ignored: the store decides.
    let mut preset = PluginRecord::new(&namespace, fresh_id(), "{}");
    preset.version = 41;
    insert(adapter.as_ref(), &preset, t).await;
    assert_eq!(
        find(adapter.as_ref(), &namespace, &preset.key, t)
            .await
            .map(|record| record.version),
        Some(1),
        "an inserted record has version 1, whatever the caller set"
    );

    let orphan = PluginRecord::new(&namespace, fresh_id(), "{}").owned_by(fresh_id());
    assert!(
        adapter.insert_record(&orphan, t).await.is_err(),
        "no record for a user that does not exist"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &orphan.key, t)
            .await
            .is_none(),
        "the refused record was not written"
    );
}

/// A live record's key is taken: a second insert is a `Conflict` and
/// changes nothing. Of eight concurrent inserts of a new key exactly one
/// succeeds and the others are conflicts, and the same over an expired
/// record.
pub async fn records_conflict_while_live<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let t = now();
    let namespace = fresh_namespace("conflict");
    let first = PluginRecord::new(&namespace, fresh_id(), r#"{"n":1}"#).expiring_at(t + 60);
    insert(adapter.as_ref(), &first, t).await;
    let mut second = first.clone();
    second.data = r#"{"n":2}"#.into();
    let result = adapter.insert_record(&second, t).await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a live key is a Conflict, got {result:?}"
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &first.key, t).await,
        Some(as_stored(&first, 0)),
        "the first record stands"
    );

    let race = async |key: String, now: u64| {
        let attempts = (0..8).map(|n| {
            let adapter = Arc::clone(adapter);
            let record = PluginRecord::new(&namespace, &key, format!(r#"{{"n":{n}}}"#));
            tokio::spawn(async move { adapter.insert_record(&record, now).await })
        });
        let results: Vec<_> = join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.expect("task"))
            .collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "exactly one concurrent insert wins: {results:?}");
        assert!(
            results
                .iter()
                .all(|r| r.is_ok() || matches!(r, Err(AdapterError::Conflict))),
            "the others are conflicts: {results:?}"
        );
    };
    race(fresh_id(), t).await;
    // Over an expired record: replacing it is as contested as a new key.
    race(first.key.clone(), t + 60).await;
    assert_eq!(
        find(adapter.as_ref(), &namespace, &first.key, t + 60)
            .await
            .map(|record| (record.version, record.expires_at)),
        Some((1, None)),
        "the winner replaced the expired record"
    );
}

/// A record is gone at its `expires_at` for every method, whether or not it
/// was purged: not found, not listed, not updated, not deleted (`false`),
/// and its key can be inserted again (version 1).
pub async fn expired_records_are_absent<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let user = make(fresh_id(), fresh_email("records-expiry"));
    stored(store, adapter.as_ref(), &user).await;
    let t = now();
    let end = t + 10;
    let namespace = fresh_namespace("expiry");
    let record = PluginRecord::new(&namespace, fresh_id(), r#"{"code":"123456"}"#)
        .owned_by(user.id())
        .expiring_at(end);
    insert(adapter.as_ref(), &record, t).await;

    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, end - 1).await,
        Some(as_stored(&record, 0)),
        "live until its expires_at"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &record.key, end)
            .await
            .is_none(),
        "expired at its expires_at (expired means expires_at <= now)"
    );
    assert!(
        adapter
            .list_user_records(&namespace, user.id(), end)
            .await
            .expect("list_user_records")
            .is_empty(),
        "an expired record is not listed"
    );
    let mut update = as_stored(&record, 0);
    update.expires_at = Some(end + 3600);
    assert!(
        !adapter
            .update_record(&update, end)
            .await
            .expect("update_record"),
        "an expired record cannot be updated, not even to extend it"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &record.key, end - 1)
            .await
            .is_none_or(|stored| stored == as_stored(&record, 0)),
        "the refused update changed nothing"
    );
    assert!(
        !adapter
            .delete_record(&namespace, &record.key, end)
            .await
            .expect("delete_record"),
        "deleting an expired record answers false"
    );

    let again = PluginRecord::new(&namespace, &record.key, r#"{"code":"654321"}"#)
        .owned_by(user.id())
        .expiring_at(end + 10);
    insert(adapter.as_ref(), &again, end).await;
    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, end).await,
        Some(as_stored(&again, 0)),
        "a new record replaces the expired one, with version 1"
    );
    assert_eq!(
        adapter
            .list_user_records(&namespace, user.id(), end)
            .await
            .expect("list_user_records"),
        vec![as_stored(&again, 0)],
        "and is the only one listed"
    );
}

/// Updates are compare-and-swap on the version: the version read wins once
/// and bumps the version; a stale one changes nothing; of two (and of
/// eight) concurrent updates from the same read exactly one wins. An
/// update replaces data, owner and expiry; a missing record is `false`.
pub async fn record_updates_compare_and_swap<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let alice = make(fresh_id(), fresh_email("records-cas"));
    let bob = make(fresh_id(), fresh_email("records-cas-other"));
    stored(store, adapter.as_ref(), &alice).await;
    stored(store, adapter.as_ref(), &bob).await;
    let t = now();
    let namespace = fresh_namespace("cas");
    let record = PluginRecord::new(&namespace, fresh_id(), r#"{"counter":0}"#)
        .owned_by(alice.id())
        .expiring_at(t + 600);
    insert(adapter.as_ref(), &record, t).await;

    let read = find(adapter.as_ref(), &namespace, &record.key, t)
        .await
        .expect("the record is there");
    let mut next = read.clone();
    next.data = r#"{"counter":1}"#.into();
    next.user_id = Some(bob.id().to_owned());
    next.expires_at = None;
    assert!(
        adapter
            .update_record(&next, t)
            .await
            .expect("update_record"),
        "an update with the version read succeeds"
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, t).await,
        Some(as_stored(&next, 1)),
        "data, owner and expiry are replaced and the version is 2"
    );
    assert!(
        adapter
            .list_user_records(&namespace, alice.id(), t)
            .await
            .expect("list")
            .is_empty(),
        "the record moved to its new owner"
    );
    assert_eq!(
        adapter
            .list_user_records(&namespace, bob.id(), t)
            .await
            .expect("list"),
        vec![as_stored(&next, 1)]
    );

    let mut stale = read.clone();
    stale.data = r#"{"counter":"stale"}"#.into();
    assert!(
        !adapter
            .update_record(&stale, t)
            .await
            .expect("update_record"),
        "an update with a stale version fails"
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, t).await,
        Some(as_stored(&next, 1)),
        "and changes nothing"
    );

    // Two updaters that read the same version, at the same time.
    let current = as_stored(&next, 1);
    let (mut left, mut right) = (current.clone(), current.clone());
    left.data = r#"{"counter":"left"}"#.into();
    right.data = r#"{"counter":"right"}"#.into();
    let (left_won, right_won) = tokio::join!(
        adapter.update_record(&left, t),
        adapter.update_record(&right, t)
    );
    let (left_won, right_won) = (
        left_won.expect("update_record"),
        right_won.expect("update_record"),
    );
    assert!(
        left_won != right_won,
        "exactly one of two racing updates wins (left {left_won}, right {right_won})"
    );
    let winner = if left_won { &left } else { &right };
    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, t).await,
        Some(as_stored(winner, 2)),
        "the winner's write is stored, version 3"
    );

    // Eight, on as many tasks.
    let current = as_stored(winner, 2);
    let attempts = (0..8).map(|n| {
        let adapter = Arc::clone(adapter);
        let mut attempt = current.clone();
        attempt.data = format!(r#"{{"counter":{n}}}"#);
        tokio::spawn(async move {
            let won = adapter.update_record(&attempt, t).await;
            (attempt, won)
        })
    });
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, won)| matches!(won, Ok(true)))
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one of eight racing updates wins: {results:?}"
    );
    assert!(
        results.iter().all(|(_, won)| won.is_ok()),
        "the losers answer false, not an error: {results:?}"
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &record.key, t).await,
        Some(as_stored(&winners[0].0, 3)),
        "the winner's write is stored, version 4"
    );

    let missing = as_stored(&PluginRecord::new(&namespace, fresh_id(), "{}"), 0);
    assert!(
        !adapter
            .update_record(&missing, t)
            .await
            .expect("update_record"),
        "updating a record that is not there answers false"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &missing.key, t)
            .await
            .is_none(),
        "and does not create it"
    );
}

/// Deleting answers `true` once: a second delete finds nothing, and of
/// eight concurrent deletes exactly one sees `true` (consuming a
/// single-use record is deleting it).
pub async fn record_deletes_win_once<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let t = now();
    let namespace = fresh_namespace("delete");
    let record =
        PluginRecord::new(&namespace, fresh_id(), r#"{"challenge":"abc"}"#).expiring_at(t + 300);
    let kept = PluginRecord::new(&namespace, fresh_id(), "{}");
    insert(adapter.as_ref(), &record, t).await;
    insert(adapter.as_ref(), &kept, t).await;
    assert!(
        adapter
            .delete_record(&namespace, &record.key, t)
            .await
            .expect("delete_record"),
        "deleting a live record answers true"
    );
    assert!(
        find(adapter.as_ref(), &namespace, &record.key, t)
            .await
            .is_none()
    );
    assert!(
        !adapter
            .delete_record(&namespace, &record.key, t)
            .await
            .expect("delete_record"),
        "the second delete answers false"
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &kept.key, t).await,
        Some(as_stored(&kept, 0)),
        "another key is untouched"
    );

    let contested = PluginRecord::new(&namespace, fresh_id(), "{}").expiring_at(t + 300);
    insert(adapter.as_ref(), &contested, t).await;
    let attempts = (0..8).map(|_| {
        let adapter = Arc::clone(adapter);
        let (namespace, key) = (namespace.clone(), contested.key.clone());
        tokio::spawn(async move { adapter.delete_record(&namespace, &key, t).await })
    });
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("delete_record"))
        .collect();
    assert_eq!(
        results.iter().filter(|deleted| **deleted).count(),
        1,
        "exactly one of eight concurrent deletes answers true: {results:?}"
    );
}

/// Records are listed and deleted per user within one namespace: other
/// namespaces, other users and unowned records are untouched; expired
/// records are not listed.
pub async fn records_by_user_within_namespace<U, A, F, S>(adapter: &Arc<A>, make: &F, store: &S)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
    S: AsyncFn(&A, &U) -> Result<(), AdapterError>,
{
    let alice = make(fresh_id(), fresh_email("records-alice"));
    let bob = make(fresh_id(), fresh_email("records-bob"));
    stored(store, adapter.as_ref(), &alice).await;
    stored(store, adapter.as_ref(), &bob).await;
    let t = now();
    let (devices, other) = (fresh_namespace("devices"), fresh_namespace("settings"));
    let device = |n: u32| {
        PluginRecord::new(
            &devices,
            format!("device-{n}-{}", fresh_id()),
            format!("{{\"n\":{n}}}"),
        )
    };
    let alice_live = [
        device(1).owned_by(alice.id()),
        device(2).owned_by(alice.id()).expiring_at(t + 3600),
    ];
    let alice_expired = device(3).owned_by(alice.id()).expiring_at(t + 5);
    let bob_device = device(4).owned_by(bob.id());
    let unowned = device(5);
    let alice_elsewhere = PluginRecord::new(&other, alice.id(), "{}").owned_by(alice.id());
    for record in alice_live
        .iter()
        .chain([&alice_expired, &bob_device, &unowned, &alice_elsewhere])
    {
        insert(adapter.as_ref(), record, t).await;
    }
    let later = t + 5;

    assert_eq!(
        sorted(
            adapter
                .list_user_records(&devices, alice.id(), later)
                .await
                .expect("list_user_records")
        ),
        sorted(alice_live.iter().map(|r| as_stored(r, 0)).collect()),
        "a user's live records in the namespace, and nothing else"
    );
    assert!(
        adapter
            .list_user_records(&fresh_namespace("empty"), alice.id(), later)
            .await
            .expect("list_user_records")
            .is_empty(),
        "another namespace lists nothing"
    );

    let deleted = adapter
        .delete_user_records(&devices, alice.id())
        .await
        .expect("delete_user_records");
    assert!(
        (2..=3).contains(&deleted),
        "the user's records in the namespace are deleted and counted \
         (an expired one may be), got {deleted}"
    );
    assert!(
        adapter
            .list_user_records(&devices, alice.id(), t)
            .await
            .expect("list_user_records")
            .is_empty(),
        "none is left, not even the expired one"
    );
    assert_eq!(
        adapter
            .list_user_records(&devices, bob.id(), later)
            .await
            .expect("list_user_records"),
        vec![as_stored(&bob_device, 0)],
        "another user's records are untouched"
    );
    assert_eq!(
        find(adapter.as_ref(), &devices, &unowned.key, later).await,
        Some(as_stored(&unowned, 0)),
        "unowned records are untouched"
    );
    assert_eq!(
        adapter
            .list_user_records(&other, alice.id(), later)
            .await
            .expect("list_user_records"),
        vec![as_stored(&alice_elsewhere, 0)],
        "the user's records in another namespace are untouched"
    );
    assert_eq!(
        adapter
            .delete_user_records(&devices, alice.id())
            .await
            .expect("delete_user_records"),
        0,
        "a second delete finds nothing"
    );
}

/// Purging deletes the records expired at its `now`, in every namespace,
/// and only those: one expiring exactly then goes, one expiring a second
/// later and one that never expires stay.
pub async fn expired_records_are_purged<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    // A cut in the past, so that other cases' records (expiring after the
    // real now) are safe from this purge in a shared store.
    let t = now();
    let cut = t - 60;
    let long_ago = t - 3600;
    let (first, second) = (fresh_namespace("purge"), fresh_namespace("purge"));
    let expired = [
        PluginRecord::new(&first, fresh_id(), "{}").expiring_at(cut),
        PluginRecord::new(&second, fresh_id(), "{}").expiring_at(cut - 1),
    ];
    let after_cut = PluginRecord::new(&first, fresh_id(), "{}").expiring_at(cut + 1);
    let forever = PluginRecord::new(&first, fresh_id(), "{}");
    for record in expired.iter().chain([&after_cut, &forever]) {
        insert(adapter.as_ref(), record, long_ago).await;
    }

    let purged = adapter
        .purge_expired_records(cut)
        .await
        .expect("purge_expired_records");
    assert!(
        purged >= 2,
        "the purge counts what it deleted, got {purged}"
    );
    for record in &expired {
        // Asked as of long ago, when it was live: only a record that is
        // really gone is absent then.
        assert!(
            find(adapter.as_ref(), &record.namespace, &record.key, long_ago)
                .await
                .is_none(),
            "a record expired at the purge's time is deleted, in every namespace"
        );
    }
    for record in [&after_cut, &forever] {
        assert_eq!(
            find(adapter.as_ref(), &record.namespace, &record.key, long_ago).await,
            Some(as_stored(record, 0)),
            "a record expiring after the purge's time, or never, is kept"
        );
    }
}

/// Namespaces and keys are checked before anything is stored: empty or
/// longer than [`MAX_NAMESPACE_LEN`] / [`MAX_RECORD_KEY_LEN`] bytes is
/// `InvalidInput`, for inserts and updates; the longest allowed (in bytes,
/// multi-byte characters included) are stored and found.
pub async fn record_names_are_checked<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let t = now();
    let namespace = fresh_namespace("names");
    let long_namespace = format!("{namespace}{}", "n".repeat(MAX_NAMESPACE_LEN));
    let long_key = "k".repeat(MAX_RECORD_KEY_LEN + 1);
    for (namespace, key) in [
        (long_namespace.as_str(), "key"),
        (namespace.as_str(), long_key.as_str()),
        ("", "key"),
        (namespace.as_str(), ""),
    ] {
        let record = PluginRecord::new(namespace, key, "{}");
        let inserted = adapter.insert_record(&record, t).await;
        assert!(
            matches!(inserted, Err(AdapterError::InvalidInput(_))),
            "insert: namespace of {} bytes, key of {} bytes is InvalidInput, got {inserted:?}",
            namespace.len(),
            key.len()
        );
        let updated = adapter.update_record(&as_stored(&record, 0), t).await;
        assert!(
            matches!(updated, Err(AdapterError::InvalidInput(_))),
            "update: namespace of {} bytes, key of {} bytes is InvalidInput, got {updated:?}",
            namespace.len(),
            key.len()
        );
    }

    // The longest allowed, counted in bytes: two-byte characters fill a
    // 64-byte namespace with 32 characters.
    let tag: String = fresh_id()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    let widest_namespace = format!("{tag}{}", "é".repeat((MAX_NAMESPACE_LEN - tag.len()) / 2));
    let widest_namespace = format!(
        "{widest_namespace}{}",
        "n".repeat(MAX_NAMESPACE_LEN - widest_namespace.len())
    );
    let widest_key = format!("{tag}{}", "🔑".repeat((MAX_RECORD_KEY_LEN - tag.len()) / 4));
    let widest_key = format!(
        "{widest_key}{}",
        "k".repeat(MAX_RECORD_KEY_LEN - widest_key.len())
    );
    assert_eq!(
        (widest_namespace.len(), widest_key.len()),
        (MAX_NAMESPACE_LEN, MAX_RECORD_KEY_LEN)
    );
    let widest = PluginRecord::new(&widest_namespace, &widest_key, "{}");
    insert(adapter.as_ref(), &widest, t).await;
    assert_eq!(
        find(adapter.as_ref(), &widest_namespace, &widest_key, t).await,
        Some(as_stored(&widest, 0)),
        "the longest namespace and key are stored whole"
    );
    assert!(
        adapter
            .delete_record(&widest_namespace, &widest_key, t)
            .await
            .expect("delete_record")
    );
}

/// A record's data comes back byte for byte: non-ASCII text of every
/// width, quotes, backslashes, newlines and SQL-looking text, and a few
/// kilobytes; keys are text too, compared exactly.
pub async fn record_data_round_trips<U, A, F>(adapter: &Arc<A>, _make: &F)
where
    U: TestableUser,
    A: RecordAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let t = now();
    let namespace = fresh_namespace("data");
    let text =
        "é ß 認証 שלום 🔐 e\u{301} 'single' \"double\" \\back\\slash\n\ttab; DROP TABLE users; --";
    let small = serde_json::json!({ "text": text, "raw": "\u{7f}\u{1}" }).to_string();
    let devices: Vec<_> = (0..64)
        .map(|n| serde_json::json!({ "id": n, "name": format!("Device {n} — {text}") }))
        .collect();
    let large = serde_json::json!({ "devices": devices }).to_string();
    assert!(large.len() > 4096, "a few kilobytes: {}", large.len());

    let key = format!("{}'\"; -- ü", fresh_id());
    for (key, data) in [
        (key.clone(), small.clone()),
        (key.to_uppercase(), large.clone()),
        (format!("{} ", fresh_id()), text.to_owned()),
    ] {
        let record = PluginRecord::new(&namespace, &key, &data);
        insert(adapter.as_ref(), &record, t).await;
        let back = find(adapter.as_ref(), &namespace, &key, t)
            .await
            .expect("the record is found by its key");
        assert_eq!(back.key, key, "the key comes back as it went in");
        assert!(
            back.data == data,
            "the data comes back byte for byte ({} bytes in, {} out)",
            data.len(),
            back.data.len()
        );
    }
    assert_eq!(
        find(adapter.as_ref(), &namespace, &key, t)
            .await
            .map(|record| record.data),
        Some(small),
        "keys differing only in case are different keys"
    );

    let mut update = find(adapter.as_ref(), &namespace, &key, t)
        .await
        .expect("the record is there");
    update.data = large.clone();
    assert!(
        adapter
            .update_record(&update, t)
            .await
            .expect("update_record")
    );
    assert_eq!(
        find(adapter.as_ref(), &namespace, &key, t)
            .await
            .map(|record| record.data),
        Some(large),
        "updated data comes back byte for byte"
    );
}

/// A user created with their first records: all of it is stored, or, when
/// the email address or a record's key is taken, none of it.
pub async fn user_with_records_is_atomic<U, A, F>(adapter: &Arc<A>, make: &F)
where
    U: TestableUser,
    A: UserRecordsAdapter<U>,
    F: Fn(String, Email) -> U,
{
    let namespace = fresh_namespace("user-records");
    let now = now();
    let email = fresh_email("records");
    let user = make(fresh_id(), email.clone());
    let first = PluginRecord::new(&namespace, fresh_id(), r#"{"n":1}"#).owned_by(user.id());
    let second = PluginRecord::new(&namespace, fresh_id(), r#"{"n":2}"#)
        .owned_by(user.id())
        .expiring_at(now + 600);
    adapter
        .create_user_with_records(&user, &[first.clone(), second.clone()], now)
        .await
        .unwrap_or_else(|e| panic!("create_user_with_records failed: {e}"));
    assert_eq!(
        adapter.find_user_by_email(&email).await.expect("find"),
        Some(user.clone()),
        "the user was stored"
    );
    assert_eq!(
        find(&**adapter, &namespace, &first.key, now).await,
        Some(as_stored(&first, 0))
    );
    assert_eq!(
        find(&**adapter, &namespace, &second.key, now).await,
        Some(as_stored(&second, 0))
    );

    // The address is taken: the new records are not written.
    let twin = make(fresh_id(), email.clone());
    let orphan = PluginRecord::new(&namespace, fresh_id(), "{}").owned_by(twin.id());
    let result = adapter
        .create_user_with_records(&twin, std::slice::from_ref(&orphan), now)
        .await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a taken email is a Conflict, got {result:?}"
    );
    assert_eq!(find(&**adapter, &namespace, &orphan.key, now).await, None);
    assert!(adapter.get_user(twin.id()).await.expect("get").is_none());

    // A record's key is live already: the new user is not written, nor is
    // the other record.
    let late_email = fresh_email("records-taken");
    let late = make(fresh_id(), late_email.clone());
    let fresh = PluginRecord::new(&namespace, fresh_id(), "{}").owned_by(late.id());
    let taken = PluginRecord::new(&namespace, first.key.clone(), "{}").owned_by(late.id());
    let result = adapter
        .create_user_with_records(&late, &[fresh.clone(), taken], now)
        .await;
    assert!(
        matches!(result, Err(AdapterError::Conflict)),
        "a live record key is a Conflict, got {result:?}"
    );
    assert!(
        adapter
            .find_user_by_email(&late_email)
            .await
            .expect("find")
            .is_none(),
        "the refused user was not written"
    );
    assert_eq!(find(&**adapter, &namespace, &fresh.key, now).await, None);
    assert_eq!(
        find(&**adapter, &namespace, &first.key, now).await,
        Some(as_stored(&first, 0)),
        "the taken record is untouched"
    );

    // An expired record's key is free again, as for `insert_record`.
    let expiring = PluginRecord::new(&namespace, fresh_id(), "{}").expiring_at(now + 1);
    insert(&**adapter, &expiring, now).await;
    let heir = make(fresh_id(), fresh_email("records-heir"));
    let reuse =
        PluginRecord::new(&namespace, expiring.key.clone(), r#"{"heir":true}"#).owned_by(heir.id());
    adapter
        .create_user_with_records(&heir, std::slice::from_ref(&reuse), now + 1)
        .await
        .unwrap_or_else(|e| panic!("over an expired record: {e}"));
    assert_eq!(
        find(&**adapter, &namespace, &reuse.key, now + 1).await,
        Some(as_stored(&reuse, 0))
    );

    // A record of another user is refused, nothing written.
    let stranger = make(fresh_id(), fresh_email("records-stranger"));
    let foreign = PluginRecord::new(&namespace, fresh_id(), "{}").owned_by(user.id());
    assert!(
        adapter
            .create_user_with_records(&stranger, std::slice::from_ref(&foreign), now)
            .await
            .is_err()
    );
    assert!(
        adapter
            .get_user(stranger.id())
            .await
            .expect("get")
            .is_none()
    );
    assert_eq!(find(&**adapter, &namespace, &foreign.key, now).await, None);
}
