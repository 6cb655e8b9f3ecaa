//! `nanoauth import better-auth`, run as the built binary on a better-auth
//! database made by better-auth 1.7.25 itself
//! (`tests/fixtures/better-auth/better-auth.db`, from `make-database.mjs`),
//! into fresh SQLite and PostgreSQL NanoAuth databases; then the imported
//! users sign in through `Auth::handler` with their original passwords.

#![allow(clippy::expect_used, clippy::panic)]

mod support;

use bytes::Bytes;
use http::{Request, StatusCode};
use nanoauth::adapter::{AccountAdapter, PasswordAdapter};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Adapter, Auth, BasicUser, Email, EmailVerificationAdapter};
use nanoauth_sqlx::SqlAdapter;
use support::{Run, nanoauth, postgres_url, sqlite_url};

const ORIGIN: &str = "http://localhost:3000";

/// The fixture's users, as `make-database.mjs` signed them up.
const ADA: (&str, &str) = ("ada@example.com", "correct horse battery staple");
/// Bob's password as better-auth was given it ("ﬁ" ligature, combining
/// accent); he signs in with the composed spelling, which NFKC makes equal.
const BOB: (&str, &str) = ("bob@example.com", "fianc\u{e9} p\u{e4}ssw\u{f6}rd");
const CAROL: &str = "carol@example.com";

fn fixture_url() -> String {
    format!(
        "sqlite://{}/tests/fixtures/better-auth/better-auth.db",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{run:?}");
}

fn import(from: &str, db: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "import",
        "better-auth",
        "--from",
        from,
        "--database-url",
        db,
    ];
    args.extend_from_slice(extra);
    let run = nanoauth(&args, "");
    ok(&run);
    run
}

fn line<'a>(run: &'a Run, label: &str) -> &'a str {
    run.stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line: {run:?}"))
        .trim()
}

async fn sign_in(
    auth: &Auth<BasicUser, SqlAdapter<BasicUser>>,
    email: &str,
    password: &str,
) -> StatusCode {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let request = Request::post(format!("{ORIGIN}/api/auth/signin/email"))
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(body)
        .expect("request");
    let response: http::Response<Bytes> = auth.handler(request).await;
    response.status()
}

async fn stored_hash(adapter: &SqlAdapter<BasicUser>, email: &str) -> String {
    adapter
        .find_password_credential(&Email::parse(email).expect("email"))
        .await
        .expect("read")
        .expect("a password")
        .password_hash
}

async fn import_and_sign_in(from: &str, db: &str) {
    ok(&nanoauth(&["migrate", "--database-url", db], ""));

    // A dry run counts and writes nothing.
    let dry = import(from, db, &["--dry-run"]);
    assert!(dry.stdout.contains("dry run, nothing written"), "{dry:?}");
    assert_eq!(line(&dry, "users imported:"), "3", "{dry:?}");
    let adapter = SqlAdapter::<BasicUser>::connect(db).await.expect("connect");
    assert!(
        adapter
            .find_user_by_email(&Email::parse(ADA.0).expect("email"))
            .await
            .expect("read")
            .is_none(),
        "the dry run wrote"
    );

    // Batches of two: three transactions, each read after the last id.
    let first = import(from, db, &["--batch-size", "2"]);
    assert_eq!(line(&first, "users read:"), "5", "{first:?}");
    assert_eq!(line(&first, "users imported:"), "3", "{first:?}");
    assert_eq!(line(&first, "password hashes:"), "2", "{first:?}");
    assert_eq!(line(&first, "provider accounts:"), "1", "{first:?}");
    assert_eq!(line(&first, "verified addresses:"), "1", "{first:?}");
    assert!(
        line(&first, "not carried over:").starts_with("2 sessions"),
        "{first:?}"
    );
    // The two rows better-auth's API would not have written.
    assert_eq!(line(&first, "left out:"), "2", "{first:?}");
    assert!(
        first
            .stdout
            .contains("user hand-edited-invalid: \"not-an-email\" is not a valid email address"),
        "{first:?}"
    );
    assert!(
        first.stdout.contains(
            "user hand-edited-duplicate: another user has the address ada@example.com already"
        ),
        "{first:?}"
    );
    // Progress went to stderr, one plain line per batch (not a terminal).
    for done in ["2/5", "4/5", "5/5"] {
        assert!(
            first.stderr.contains(&format!("{done} users read")),
            "{first:?}"
        );
    }

    // Twice: nothing imported twice.
    let second = import(from, db, &[]);
    assert_eq!(line(&second, "users imported:"), "0", "{second:?}");
    assert_eq!(
        line(
            &second,
            "users already present (same id, left as they are):"
        ),
        "3",
        "{second:?}"
    );
    assert_eq!(line(&second, "password hashes:"), "0", "{second:?}");
    assert_eq!(line(&second, "provider accounts:"), "0", "{second:?}");

    // What came over, as NanoAuth reads it.
    let ada = adapter
        .find_user_by_email(&Email::parse(ADA.0).expect("email"))
        .await
        .expect("read")
        .expect("Ada is there");
    assert_eq!(ada.name, "Ada Lovelace");
    assert!(!adapter.is_email_verified(&ada.id).await.expect("read"));
    let carol = adapter
        .find_user_by_email(&Email::parse(CAROL).expect("email"))
        .await
        .expect("read")
        .expect("Carol is there");
    assert!(adapter.is_email_verified(&carol.id).await.expect("read"));
    let github = adapter
        .find_account("github", "583231")
        .await
        .expect("read")
        .expect("Carol's GitHub account is linked");
    assert_eq!(github.user_id, carol.id, "the better-auth user id is kept");
    assert!(
        adapter
            .find_password_credential(&Email::parse(CAROL).expect("email"))
            .await
            .expect("read")
            .is_none(),
        "a social-only user has no password"
    );

    // Each email/password user signs in with the original password; the
    // better-auth hash is then Argon2id, and the next sign-in uses it.
    let auth = Auth::builder(adapter.clone())
        .secret("a secret for the import tests, 32+ bytes")
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(
            EmailPassword::new()
                .hasher(PasswordHasher::with_params(64, 1, 1).expect("params"))
                .accept_better_auth_hashes(),
        )
        .build()
        .expect("auth");
    for (email, password) in [ADA, BOB] {
        let imported = stored_hash(&adapter, email).await;
        assert!(
            PasswordHasher::is_better_auth_scrypt(&imported),
            "{imported}"
        );
        assert_eq!(
            sign_in(&auth, email, "not the password").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(stored_hash(&adapter, email).await, imported);
        assert_eq!(sign_in(&auth, email, password).await, StatusCode::OK);
        let rehashed = stored_hash(&adapter, email).await;
        assert!(rehashed.starts_with("$argon2id$"), "{email}: {rehashed}");
        assert_eq!(sign_in(&auth, email, password).await, StatusCode::OK);
        assert_eq!(stored_hash(&adapter, email).await, rehashed);
    }
}

#[tokio::test]
async fn better_auth_users_import_into_sqlite_and_sign_in() {
    import_and_sign_in(&fixture_url(), &sqlite_url()).await;
}

#[tokio::test]
async fn better_auth_users_import_into_postgres_and_sign_in() {
    let Some(url) = postgres_url().await else {
        return;
    };
    import_and_sign_in(&fixture_url(), &url).await;
    support::drop_postgres(&url).await;
}

/// A better-auth PostgreSQL database: better-auth's own PostgreSQL tables
/// (`postgres-schema.sql`, compiled by its `getMigrations`) holding the
/// SQLite fixture's rows, in a fresh schema.
async fn better_auth_on_postgres() -> Option<String> {
    let url = postgres_url().await?;
    let pg = sqlx::PgPool::connect(&url).await.expect("connect");
    let schema = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/better-auth/postgres-schema.sql"
    ))
    .expect("the schema file");
    sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
        .execute(&pg)
        .await
        .expect("better-auth's tables");
    let lite = sqlx::SqlitePool::connect(&format!("{}?mode=ro", fixture_url()))
        .await
        .expect("the fixture");
    let users: Vec<(String, String, String, i64, String)> =
        sqlx::query_as(r#"SELECT id, name, email, "emailVerified", "createdAt" FROM "user""#)
            .fetch_all(&lite)
            .await
            .expect("users");
    for (id, name, email, verified, created) in users {
        sqlx::query(
            r#"INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
               VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz)"#,
        )
        .bind(id)
        .bind(name)
        .bind(email)
        .bind(verified != 0)
        .bind(created)
        .execute(&pg)
        .await
        .expect("a user");
    }
    type Account = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let accounts: Vec<Account> = sqlx::query_as(
        r#"SELECT id, "accountId", "providerId", "userId", password, "accessToken" FROM account"#,
    )
    .fetch_all(&lite)
    .await
    .expect("accounts");
    for (id, account_id, provider, user_id, password, token) in accounts {
        sqlx::query(
            r#"INSERT INTO account (id, "accountId", "providerId", "userId", password, "accessToken", "updatedAt")
               VALUES ($1, $2, $3, $4, $5, $6, now())"#,
        )
        .bind(id)
        .bind(account_id)
        .bind(provider)
        .bind(user_id)
        .bind(password)
        .bind(token)
        .execute(&pg)
        .await
        .expect("an account");
    }
    let sessions: Vec<(String, String, String)> =
        sqlx::query_as(r#"SELECT id, token, "userId" FROM session"#)
            .fetch_all(&lite)
            .await
            .expect("sessions");
    for (id, token, user_id) in sessions {
        sqlx::query(
            r#"INSERT INTO session (id, token, "userId", "expiresAt", "updatedAt")
               VALUES ($1, $2, $3, now() + interval '7 days', now())"#,
        )
        .bind(id)
        .bind(token)
        .bind(user_id)
        .execute(&pg)
        .await
        .expect("a session");
    }
    pg.close().await;
    lite.close().await;
    Some(url)
}

#[tokio::test]
async fn better_auth_users_import_from_postgres_into_sqlite_and_postgres() {
    let Some(from) = better_auth_on_postgres().await else {
        return;
    };
    import_and_sign_in(&from, &sqlite_url()).await;
    if let Some(db) = postgres_url().await {
        import_and_sign_in(&from, &db).await;
        support::drop_postgres(&db).await;
    }
    support::drop_postgres(&from).await;
}

#[test]
fn a_database_that_is_not_better_auths_is_refused_by_name() {
    let db = sqlite_url();
    ok(&nanoauth(&["migrate", "--database-url", &db], ""));
    // NanoAuth's own database: no "user" table.
    let run = nanoauth(
        &[
            "import",
            "better-auth",
            "--from",
            &db,
            "--database-url",
            &db,
        ],
        "",
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "this is not a better-auth database (better-auth 1.x's default names; --rename for \
             renamed ones): it has no table \"user\""
        ),
        "{run:?}"
    );
    let missing = nanoauth(
        &[
            "import",
            "better-auth",
            "--from",
            "sqlite:///nonexistent/better-auth.db",
            "--database-url",
            &db,
        ],
        "",
    );
    assert_eq!(missing.code, 3, "{missing:?}");
}

#[tokio::test]
async fn a_better_auth_database_without_a_column_read_is_refused_by_name() {
    // A copy of the fixture whose `account` table lost its `password`
    // column (a schema this command does not know).
    let copy = sqlite_url();
    let path = copy.trim_start_matches("sqlite://").to_owned();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/better-auth/better-auth.db"
        ),
        &path,
    )
    .expect("copy the fixture");
    let lite = sqlx::SqlitePool::connect(&copy).await.expect("the copy");
    sqlx::query(r#"ALTER TABLE account DROP COLUMN password"#)
        .execute(&lite)
        .await
        .expect("drop the column");
    lite.close().await;

    let db = sqlite_url();
    ok(&nanoauth(&["migrate", "--database-url", &db], ""));
    let run = nanoauth(
        &[
            "import",
            "better-auth",
            "--from",
            &copy,
            "--database-url",
            &db,
        ],
        "",
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("unknown better-auth schema: table \"account\" has no column \"password\""),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "nothing imported: {run:?}");
}

#[tokio::test]
async fn renamed_tables_and_columns_import_with_rename() {
    // A copy of the fixture as an application with better-auth's
    // `modelName`/`fields` options would have it: `users`, snake_case
    // columns.
    let copy = sqlite_url();
    let path = copy.trim_start_matches("sqlite://").to_owned();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/better-auth/better-auth.db"
        ),
        &path,
    )
    .expect("copy the fixture");
    let lite = sqlx::SqlitePool::connect(&copy).await.expect("the copy");
    for statement in [
        r#"ALTER TABLE "user" RENAME TO "users""#,
        r#"ALTER TABLE "users" RENAME COLUMN "emailVerified" TO "email_verified""#,
        r#"ALTER TABLE "account" RENAME TO "accounts""#,
        r#"ALTER TABLE "accounts" RENAME COLUMN "userId" TO "user_id""#,
        r#"ALTER TABLE "accounts" RENAME COLUMN "providerId" TO "provider_id""#,
    ] {
        sqlx::query(statement).execute(&lite).await.expect("rename");
    }
    lite.close().await;

    let db = sqlite_url();
    ok(&nanoauth(&["migrate", "--database-url", &db], ""));
    // Without the renames: refused, by name.
    let refused = nanoauth(
        &[
            "import",
            "better-auth",
            "--from",
            &copy,
            "--database-url",
            &db,
        ],
        "",
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("no table \"user\""), "{refused:?}");
    // A rename of something the command does not read: a usage error.
    let unknown = nanoauth(
        &[
            "import",
            "better-auth",
            "--from",
            &copy,
            "--database-url",
            &db,
            "--rename",
            "user.role=role",
        ],
        "",
    );
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("user.role"), "{unknown:?}");

    let run = import(
        &copy,
        &db,
        &[
            "--rename",
            "user=users",
            "--rename",
            "user.emailVerified=email_verified",
            "--rename",
            "account=accounts",
            "--rename",
            "account.userId=user_id",
            "--rename",
            "account.providerId=provider_id",
        ],
    );
    assert_eq!(line(&run, "users imported:"), "3", "{run:?}");
    assert_eq!(line(&run, "password hashes:"), "2", "{run:?}");
    assert_eq!(line(&run, "provider accounts:"), "1", "{run:?}");
    assert_eq!(line(&run, "verified addresses:"), "1", "{run:?}");

    // Ada signs in with her better-auth password.
    let adapter = SqlAdapter::<BasicUser>::connect(&db)
        .await
        .expect("connect");
    let auth = Auth::builder(adapter)
        .secret("a secret of at least thirty-two bytes!!")
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new().accept_better_auth_hashes())
        .build()
        .expect("auth");
    assert_eq!(sign_in(&auth, ADA.0, ADA.1).await, StatusCode::OK);
}
