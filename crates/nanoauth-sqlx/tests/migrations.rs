//! The migrations table on every database: an empty database gets the
//! schema the adapter needs, a second run does nothing, a database made
//! before the migrations table is brought forward, two migrators at once
//! both succeed, and an edited step is refused.
#![allow(clippy::expect_used, clippy::panic)]

mod support;

use nanoauth::adapter::PasswordAdapter;
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, BasicUser, Email, PluginRecord,
    RecordAdapter, SessionRecord, VerificationAdapter, VerificationRecord,
};
use nanoauth_sqlx::{Dialect, MigrationError, Schema, SqlAdapter};
use sqlx::Row as _;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Basic = SqlAdapter<BasicUser>;

const ALL: [u32; 6] = [1, 2, 3, 4, 5, 6];

/// A fresh, empty database on each server there is.
async fn empty_databases() -> Vec<String> {
    [
        Some(support::sqlite_url()),
        support::postgres_url().await,
        support::mysql_url().await,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Everything the adapter stores, written and read back once.
async fn round_trip(adapter: &Basic) -> TestResult {
    let dialect = adapter.dialect();
    let user = BasicUser {
        id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    };
    adapter
        .create_user_with_password(&user, "$argon2id$hash")
        .await?;
    let found = adapter
        .find_password_credential(&Email::parse("ada@example.com").ok_or("email")?)
        .await?;
    assert_eq!(found.map(|c| c.user), Some(user.clone()), "{dialect:?}");
    let session = SessionRecord::new(
        "s1".into(),
        TokenHash::of("token"),
        "u1".into(),
        1,
        1,
        u64::MAX / 4,
        None,
        None,
    );
    adapter.save_session(&session).await?;
    assert!(
        adapter
            .validate_token(&TokenHash::of("token"))
            .await?
            .is_some(),
        "{dialect:?}"
    );
    let token = VerificationRecord::new(TokenHash::of("v"), "magic-link", "ada@example.com", 99)
        .with_data("{}");
    adapter.save_verification(&token).await?;
    assert_eq!(
        adapter
            .consume_verification(&token.token_hash, "magic-link")
            .await?,
        Some(token),
        "{dialect:?}"
    );
    adapter
        .link_account(&AccountRecord::new("github", "42", "u1", 1))
        .await?;
    adapter
        .insert_record(&PluginRecord::new("two-factor", "k", "{}"), 1)
        .await?;
    assert!(
        adapter.find_record("two-factor", "k", 1).await?.is_some(),
        "{dialect:?}"
    );
    Ok(())
}

/// The versions in the migrations table, read with a connection of the
/// test's own: the table is not part of the adapter's API.
async fn recorded_versions(url: &str) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let sql = "SELECT version FROM nanoauth_migrations ORDER BY version";
    Ok(match Dialect::from_url(url) {
        Some(Dialect::Postgres) => {
            let pool = sqlx::PgPool::connect(url).await?;
            let rows = sqlx::query(sql).fetch_all(&pool).await?;
            rows.iter().map(|row| row.get::<i64, _>(0)).collect()
        }
        Some(Dialect::MySql) => {
            let pool = sqlx::MySqlPool::connect(url).await?;
            let rows = sqlx::query(sql).fetch_all(&pool).await?;
            rows.iter().map(|row| row.get::<i64, _>(0)).collect()
        }
        _ => {
            let pool = sqlx::SqlitePool::connect(url).await?;
            let rows = sqlx::query(sql).fetch_all(&pool).await?;
            rows.iter().map(|row| row.get::<i64, _>(0)).collect()
        }
    })
}

async fn connect(url: &str) -> Result<Basic, AdapterError> {
    Basic::connect(url).await
}

#[tokio::test(flavor = "current_thread")]
async fn an_empty_database_gets_every_step_and_a_second_run_does_nothing() -> TestResult {
    for url in empty_databases().await {
        let adapter = connect(&url).await?;
        let dialect = adapter.dialect();
        let first = adapter.migrate().await?;
        assert_eq!(first.applied, ALL, "{dialect:?}");
        assert!(first.recognised.is_empty(), "{dialect:?}");
        let second = adapter.migrate().await?;
        assert!(second.is_no_op(), "{dialect:?}: {second:?}");
        assert_eq!(second.up_to_date, ALL, "{dialect:?}");
        assert_eq!(recorded_versions(&url).await?, [1, 2, 3, 4, 5, 6]);
        round_trip(&adapter).await?;
    }
    Ok(())
}

/// The tables as NanoAuth made them before tokens kept data and before
/// plugin records (steps 1, 2 and 4, run by hand), with a user in them and
/// no migrations table: the steps there are recognised, the others applied,
/// and the user is still there.
#[tokio::test(flavor = "current_thread")]
async fn a_database_from_before_the_migrations_table_is_brought_forward() -> TestResult {
    for url in empty_databases().await {
        let adapter = connect(&url).await?;
        let dialect = adapter.dialect();
        for step in adapter.migrations() {
            if [1, 2, 4].contains(&step.version()) {
                for statement in step.sql().split(";\n").filter(|s| !s.trim().is_empty()) {
                    adapter.execute_unprepared(statement).await?;
                }
            }
        }
        adapter
            .execute_unprepared(
                "INSERT INTO users (id, email, name) VALUES ('old', 'old@example.com', 'Old')",
            )
            .await?;
        // A session from before step 6: no attributes, renewable.
        let old_session = TokenHash::of("old session secret");
        adapter
            .execute_unprepared(&format!(
                "INSERT INTO sessions (token_hash, id, user_id, created_at, updated_at, expires_at) \
                 VALUES ('{}', 'old-session', 'old', 1, 1, 4102444800)",
                old_session.to_hex()
            ))
            .await?;
        let report = adapter.migrate().await?;
        assert_eq!(report.recognised, [1, 2, 4], "{dialect:?}");
        assert_eq!(report.applied, [3, 5, 6], "{dialect:?}");
        assert!(adapter.migrate().await?.is_no_op(), "{dialect:?}");
        assert_eq!(recorded_versions(&url).await?, [1, 2, 3, 4, 5, 6]);
        assert!(adapter.get_user("old").await?.is_some(), "{dialect:?}");
        let session = adapter
            .validate_token(&old_session)
            .await?
            .expect("the old session is still there");
        assert!(session.renewable, "{dialect:?}");
        assert!(session.attributes.is_empty(), "{dialect:?}");
        round_trip(&adapter).await?;
    }
    Ok(())
}

/// The tables as the last release before the migrations table made them
/// (every step's, with `migration_sql` as it then was: all five, by hand)
/// and no migrations table: every step is recognised, none is run.
#[tokio::test(flavor = "current_thread")]
async fn a_database_of_the_last_release_is_recognised_whole() -> TestResult {
    for url in empty_databases().await {
        let adapter = connect(&url).await?;
        let dialect = adapter.dialect();
        for step in adapter.migrations() {
            for statement in step.sql().split(";\n").filter(|s| !s.trim().is_empty()) {
                adapter.execute_unprepared(statement).await?;
            }
        }
        let report = adapter.migrate().await?;
        assert_eq!(report.recognised, ALL, "{dialect:?}");
        assert!(report.applied.is_empty(), "{dialect:?}");
        assert_eq!(recorded_versions(&url).await?, [1, 2, 3, 4, 5, 6]);
        round_trip(&adapter).await?;
    }
    Ok(())
}

/// Two instances starting at once over one empty database: both succeed,
/// each step is applied once, and the schema works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_migrators_at_once_both_succeed() -> TestResult {
    for url in empty_databases().await {
        let (a, b) = (Basic::connect(&url).await?, Basic::connect(&url).await?);
        let dialect = a.dialect();
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.migrate().await }),
            tokio::spawn(async move { b.migrate().await })
        );
        let (ra, rb) = (ra??, rb??);
        let mut applied = [ra.applied.clone(), rb.applied.clone()].concat();
        applied.sort_unstable();
        assert_eq!(applied, ALL, "{dialect:?}: {ra:?} {rb:?}");
        assert!(
            ra.recognised.is_empty() && rb.recognised.is_empty(),
            "{dialect:?}"
        );
        let adapter = connect(&url).await?;
        assert_eq!(recorded_versions(&url).await?, [1, 2, 3, 4, 5, 6]);
        round_trip(&adapter).await?;
    }
    Ok(())
}

/// A recorded step whose checksum is not this NanoAuth's is refused,
/// naming the step, and nothing is applied.
#[tokio::test(flavor = "current_thread")]
async fn an_edited_step_is_a_clear_error() -> TestResult {
    for url in empty_databases().await {
        let adapter = connect(&url).await?;
        let dialect = adapter.dialect();
        adapter.migrate().await?;
        adapter
            .execute_unprepared(
                "UPDATE nanoauth_migrations SET checksum = 'edited' WHERE version = 2",
            )
            .await?;
        adapter
            .execute_unprepared("DELETE FROM nanoauth_migrations WHERE version = 5")
            .await?;
        let error = adapter.migrate().await.expect_err("refused");
        let AdapterError::Other(source) = &error else {
            panic!("{dialect:?}: {error:?}");
        };
        match source.downcast_ref::<MigrationError>() {
            Some(MigrationError::ChecksumMismatch {
                version: 2,
                name: "email_verifications",
                recorded,
                ..
            }) => assert_eq!(recorded, "edited"),
            other => panic!("{dialect:?}: {other:?}"),
        }
        assert_eq!(
            recorded_versions(&url).await?,
            [1, 2, 3, 4, 6],
            "{dialect:?}: step 5 was not recorded again"
        );
    }
    Ok(())
}

/// Own table names, the migrations table's included: the steps create
/// them, and a second set of tables in the same database migrates apart.
#[tokio::test(flavor = "current_thread")]
async fn own_table_names_migrate_apart() -> TestResult {
    let url = support::sqlite_url();
    let default = connect(&url).await?;
    default.migrate().await?;
    let own = Basic::builder(url.as_str())
        .schema(
            Schema::default()
                .users_table("app_users")
                .sessions_table("app_sessions")
                .verifications_table("app_verifications")
                .passwords_table("app_passwords")
                .accounts_table("app_accounts")
                .email_verifications_table("app_email_verifications")
                .records_table("app_records")
                .migrations_table("app_migrations"),
        )
        .connect()
        .await?;
    let report = own.migrate().await?;
    assert_eq!(report.applied, ALL, "nothing taken from the default set");
    round_trip(&own).await?;
    round_trip(&default).await?;
    Ok(())
}
