//! Plugin records on SQL, beyond the conformance suite: what only a SQL
//! database shows (foreign keys, the migration, configured names, column
//! ranges and sizes), on every database.

mod support;

use nanoauth::{AdapterError, CreateUserAdapter, Email, PluginRecord, RecordAdapter};
use nanoauth_testing::ConformanceUser;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const NOW: u64 = 1_700_000_000;

fn user(id: &str) -> ConformanceUser {
    ConformanceUser::sample(
        id.into(),
        Email::parse(&format!("{id}@example.com")).unwrap_or_else(|| unreachable!()),
    )
}

/// Deleting a user deletes their records (the foreign key cascades), in
/// every namespace, and nobody else's.
#[tokio::test]
async fn records_go_with_their_user() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        adapter.create_user(&user("leaving")).await?;
        adapter.create_user(&user("staying")).await?;
        let records = [
            PluginRecord::new("two-factor", "leaving", "{}").owned_by("leaving"),
            PluginRecord::new("two-factor.device", "d1", "{}").owned_by("leaving"),
            PluginRecord::new("two-factor", "staying", "{}").owned_by("staying"),
            PluginRecord::new("two-factor.challenge", "c1", "{}"),
        ];
        for record in &records {
            adapter.insert_record(record, NOW).await?;
        }
        adapter
            .execute_unprepared("DELETE FROM users WHERE id = 'leaving'")
            .await?;
        for record in &records {
            let found = adapter
                .find_record(&record.namespace, &record.key, NOW)
                .await?;
            let owned_by_leaver = record.user_id.as_deref() == Some("leaving");
            assert_eq!(found.is_none(), owned_by_leaver, "{dialect:?}: {record:?}");
        }
    }
    Ok(())
}

/// A record for a user that does not exist is refused by the foreign key:
/// an error, but not a `Conflict` (nothing else holds the key), and
/// nothing is written. An update cannot hand a record to one either.
#[tokio::test]
async fn unknown_owners_are_refused() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        let orphan = PluginRecord::new("two-factor", "k", "{}").owned_by("nobody");
        let result = adapter.insert_record(&orphan, NOW).await;
        assert!(
            matches!(result, Err(AdapterError::Other(_))),
            "{dialect:?}: {result:?}"
        );
        assert!(adapter.find_record("two-factor", "k", NOW).await?.is_none());

        adapter
            .insert_record(&PluginRecord::new("two-factor", "k", "{}"), NOW)
            .await?;
        let mut stored = adapter
            .find_record("two-factor", "k", NOW)
            .await?
            .ok_or("stored")?;
        stored.user_id = Some("nobody".into());
        let result = adapter.update_record(&stored, NOW).await;
        assert!(
            matches!(result, Err(AdapterError::Other(_))),
            "{dialect:?}: {result:?}"
        );
        assert_eq!(
            adapter
                .find_record("two-factor", "k", NOW)
                .await?
                .map(|record| (record.version, record.user_id)),
            Some((1, None)),
            "{dialect:?}: the refused update changed nothing"
        );
    }
    Ok(())
}

/// A database migrated before plugin records existed (and before the
/// migrations table) gets their table on the next `migrate()`.
#[tokio::test]
async fn migrate_adds_the_records_table_to_older_databases() -> TestResult {
    for adapter in support::every_database().await {
        adapter
            .execute_unprepared("DROP TABLE plugin_records")
            .await?;
        adapter
            .execute_unprepared("DROP TABLE nanoauth_migrations")
            .await?;
        adapter.migrate().await?;
        adapter.migrate().await?;
        let record = PluginRecord::new("two-factor", "k", r#"{"on":true}"#);
        adapter.insert_record(&record, NOW).await?;
        assert_eq!(
            adapter
                .find_record("two-factor", "k", NOW)
                .await?
                .map(|record| record.data),
            Some(record.data),
            "{:?}",
            adapter.dialect()
        );
    }
    Ok(())
}

/// `Schema::records_table` names the table that is created and used (the
/// conformance suite runs its records group on this adapter too).
#[tokio::test]
async fn the_records_table_takes_its_configured_name() -> TestResult {
    let Some(adapter) = support::sqlite_mapped().await else {
        return Ok(());
    };
    assert!(
        adapter
            .execute_unprepared("SELECT 1 FROM plugin_records")
            .await
            .is_err(),
        "no table under the default name"
    );
    adapter
        .insert_record(&PluginRecord::new("two-factor", "k", "{}"), NOW)
        .await?;
    adapter
        .execute_unprepared("DELETE FROM app_records WHERE namespace = 'two-factor'")
        .await?;
    assert!(
        adapter.find_record("two-factor", "k", NOW).await?.is_none(),
        "the record was in app_records"
    );
    Ok(())
}

/// Versions are `u64` in Rust and `BIGINT` in SQL: one the column cannot
/// hold is refused as input, and a negative one in the database (written
/// by hand) is an error when read, not a panic or a wrapped number.
#[tokio::test]
async fn versions_outside_the_columns_range_are_errors() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        adapter
            .insert_record(&PluginRecord::new("two-factor", "k", "{}"), NOW)
            .await?;
        let mut stored = adapter
            .find_record("two-factor", "k", NOW)
            .await?
            .ok_or("stored")?;
        stored.version = u64::MAX;
        let result = adapter.update_record(&stored, NOW).await;
        assert!(
            matches!(result, Err(AdapterError::InvalidInput(_))),
            "{dialect:?}: {result:?}"
        );

        adapter
            .execute_unprepared("UPDATE plugin_records SET version = -1")
            .await?;
        let read = adapter.find_record("two-factor", "k", NOW).await;
        assert!(
            matches!(read, Err(AdapterError::Other(_))),
            "{dialect:?}: {read:?}"
        );
    }
    Ok(())
}

/// Data longer than the column holds (MySQL's `TEXT`: 64 KiB) is refused as
/// `InvalidInput` (400), never an internal error, and nothing is written;
/// elsewhere it is stored whole.
#[tokio::test]
async fn overlong_record_data_is_invalid_input_or_stored() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        let data = format!(r#"{{"blob":"{}"}}"#, "ü".repeat(40_000));
        let record = PluginRecord::new("two-factor", "big", data.as_str());
        match adapter.insert_record(&record, NOW).await {
            Ok(()) => assert_eq!(
                adapter
                    .find_record("two-factor", "big", NOW)
                    .await?
                    .map(|record| record.data.len()),
                Some(data.len()),
                "{dialect:?}"
            ),
            Err(AdapterError::InvalidInput(_)) => assert!(
                adapter
                    .find_record("two-factor", "big", NOW)
                    .await?
                    .is_none(),
                "{dialect:?}"
            ),
            Err(other) => return Err(format!("{dialect:?}: {other:?}").into()),
        }
    }
    Ok(())
}
