//! The database commands, run as the built binary against SQLite and
//! PostgreSQL: migrate (and --print), purge, user list/create/set-role/ban/unban, and
//! their errors and exit codes.

#![allow(clippy::expect_used, clippy::panic)]

mod support;

use nanoauth::adapter::PasswordAdapter;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, BasicUser, Email, SessionRecord};
use nanoauth_sqlx::SqlAdapter;
use support::{Run, nanoauth, postgres_url, sqlite_url};

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{run:?}");
}

/// Everything a fresh database goes through, on the database at `url`.
async fn the_whole_tour(url: &str) {
    let db = url;
    // migrate: every step, then nothing.
    let first = nanoauth(&["migrate", "--database-url", db], "");
    ok(&first);
    assert_eq!(first.stdout.matches(" applied").count(), 6, "{first:?}");
    assert!(first.stdout.contains("  1 core_tables"), "{first:?}");
    let second = nanoauth(&["migrate", "--database-url", db], "");
    ok(&second);
    assert!(second.stdout.contains("nothing to do"), "{second:?}");
    assert_eq!(second.stdout.matches("up to date").count(), 7, "{second:?}");

    // user create, with the password on stdin: it never shows.
    let created = nanoauth(
        &[
            "user",
            "create",
            "--database-url",
            db,
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    ok(&created);
    assert!(!created.stdout.contains("correct horse"), "{created:?}");
    assert!(!created.stderr.contains("correct horse"), "{created:?}");
    let id = created.stdout.trim().to_owned();
    assert!(!id.is_empty(), "{created:?}");
    // The hash is the core's: the email/password plugin verifies it.
    let adapter = SqlAdapter::<BasicUser>::connect(url)
        .await
        .expect("connect");
    let credential = adapter
        .find_password_credential(&Email::parse("ada@example.com").expect("email"))
        .await
        .expect("lookup")
        .expect("the user has a password");
    assert_eq!(credential.user.id, id);
    assert_eq!(credential.user.name, "Ada");
    assert!(
        PasswordHasher::owasp()
            .verify("correct horse battery", &credential.password_hash)
            .expect("a PHC string")
    );
    // Without a password; and the same email again is refused.
    ok(&nanoauth(
        &[
            "user",
            "create",
            "--database-url",
            db,
            "--email",
            "bob@example.com",
        ],
        "",
    ));
    let again = nanoauth(
        &[
            "user",
            "create",
            "--database-url",
            db,
            "--email",
            "bob@example.com",
        ],
        "",
    );
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.stderr.contains("exists already"), "{again:?}");
    let short = nanoauth(
        &[
            "user",
            "create",
            "--database-url",
            db,
            "--email",
            "c@example.com",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(short.code, 2, "{short:?}");
    assert!(!short.stderr.contains("short\n"), "{short:?}");

    // user list, with a prefix and a limit.
    let listed = nanoauth(&["user", "list", "--database-url", db], "");
    ok(&listed);
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(lines[0], "id\temail\tname", "{listed:?}");
    assert!(lines[1].contains("ada@example.com\tAda"), "{listed:?}");
    assert!(lines[2].contains("bob@example.com"), "{listed:?}");
    let prefixed = nanoauth(
        &["user", "list", "--database-url", db, "--email-prefix", "BO"],
        "",
    );
    ok(&prefixed);
    assert_eq!(prefixed.stdout.lines().count(), 2, "{prefixed:?}");
    assert!(prefixed.stdout.contains("bob@example.com"), "{prefixed:?}");
    let limited = nanoauth(&["user", "list", "--database-url", db, "--limit", "1"], "");
    assert_eq!(limited.stdout.lines().count(), 2, "{limited:?}");

    // set-role: refused without a role column, done with one.
    let refused = nanoauth(
        &[
            "user",
            "set-role",
            "--database-url",
            db,
            "--email",
            "ada@example.com",
            "--role",
            "admin",
        ],
        "",
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("no `role` column"), "{refused:?}");
    adapter
        .execute_unprepared(
            "ALTER TABLE users ADD COLUMN role VARCHAR(32) NOT NULL DEFAULT 'member'",
        )
        .await
        .expect("the application's own migration");
    ok(&nanoauth(
        &[
            "user",
            "set-role",
            "--database-url",
            db,
            "--email",
            "ada@example.com",
            "--role",
            "admin",
        ],
        "",
    ));
    let nobody = nanoauth(
        &[
            "user",
            "set-role",
            "--database-url",
            db,
            "--email",
            "eve@example.com",
            "--role",
            "admin",
        ],
        "",
    );
    assert_eq!(nobody.code, 1, "{nobody:?}");
    let listed = nanoauth(&["user", "list", "--database-url", db], "");
    assert!(
        listed.stdout.contains("ada@example.com\tAda\tadmin"),
        "{listed:?}"
    );
    assert!(
        listed.stdout.contains("bob@example.com\t\tmember"),
        "{listed:?}"
    );

    // purge: the expired session goes, the live one stays.
    for (token, expires_at) in [("old", 1), ("live", u64::MAX / 4)] {
        let session = SessionRecord::new(
            token.into(),
            TokenHash::of(token),
            id.clone(),
            1,
            1,
            expires_at,
            None,
            None,
        );
        adapter.save_session(&session).await.expect("session");
    }
    let purged = nanoauth(&["purge", "--database-url", db], "");
    ok(&purged);
    assert!(
        purged.stdout.contains("expired sessions deleted: 1"),
        "{purged:?}"
    );
    assert!(
        purged
            .stdout
            .contains("expired verification tokens deleted: 0"),
        "{purged:?}"
    );
    assert!(
        purged.stdout.contains("expired plugin records deleted: 0"),
        "{purged:?}"
    );
    assert!(
        adapter
            .validate_token(&TokenHash::of("live"))
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn the_database_commands_on_sqlite() {
    the_whole_tour(&sqlite_url()).await;
}

#[tokio::test]
async fn the_database_commands_on_postgres() {
    let Some(url) = postgres_url().await else {
        return;
    };
    the_whole_tour(&url).await;
    support::drop_postgres(&url).await;
}

/// `user ban` writes the admin plugin's ban record and deletes the
/// user's sessions; `user unban` lifts it; mistakes are refused.
async fn bans_from_the_command_line(url: &str) {
    let db = url;
    ok(&nanoauth(&["migrate", "--database-url", db], ""));
    let created = nanoauth(
        &[
            "user",
            "create",
            "--database-url",
            db,
            "--email",
            "eve@example.com",
        ],
        "",
    );
    ok(&created);
    let id = created.stdout.trim().to_owned();
    let adapter = SqlAdapter::<BasicUser>::connect(url)
        .await
        .expect("connect");
    let session = SessionRecord::new(
        "s1".into(),
        TokenHash::of("eve-session"),
        id.clone(),
        1,
        1,
        u64::MAX / 4,
        None,
        None,
    );
    adapter.save_session(&session).await.expect("session");

    let banned = nanoauth(
        &[
            "user",
            "ban",
            "--database-url",
            db,
            "EVE@example.com",
            "--reason",
            "Chargeback fraud",
            "--expires-in",
            "7d",
        ],
        "",
    );
    ok(&banned);
    assert!(banned.stdout.contains("1 session(s) deleted"), "{banned:?}");
    assert!(
        adapter
            .validate_token(&TokenHash::of("eve-session"))
            .await
            .expect("read")
            .is_none()
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let ban = nanoauth_admin::ban_of(&adapter, &id, now)
        .await
        .expect("read")
        .expect("the plugin sees the ban");
    assert_eq!(ban.reason.as_deref(), Some("Chargeback fraud"));
    assert_eq!(ban.banned_by, "cli");
    let until = ban.expires_at.expect("an end");
    assert!((now + 604_790..=now + 604_810).contains(&until), "{ban:?}");
    assert!(
        nanoauth_admin::ban_of(&adapter, &id, until)
            .await
            .expect("read")
            .is_none(),
        "lifted at its end"
    );

    // Banning again replaces the ban: now without an end.
    ok(&nanoauth(
        &["user", "ban", "--database-url", db, "eve@example.com"],
        "",
    ));
    let ban = nanoauth_admin::ban_of(&adapter, &id, now)
        .await
        .expect("read")
        .expect("banned");
    assert_eq!((ban.reason, ban.expires_at), (None, None));

    for (args, code) in [
        (
            &["user", "ban", "--database-url", db, "nobody@example.com"][..],
            1,
        ),
        (
            &["user", "ban", "--database-url", db, "not-an-address"][..],
            2,
        ),
        (
            &[
                "user",
                "ban",
                "--database-url",
                db,
                "eve@example.com",
                "--expires-in",
                "soon",
            ][..],
            2,
        ),
        (
            &["user", "unban", "--database-url", db, "nobody@example.com"][..],
            1,
        ),
    ] {
        let run = nanoauth(args, "");
        assert_eq!(run.code, code, "{args:?}: {run:?}");
    }

    let lifted = nanoauth(
        &["user", "unban", "--database-url", db, "eve@example.com"],
        "",
    );
    ok(&lifted);
    assert!(lifted.stdout.contains("ban lifted"), "{lifted:?}");
    assert!(
        nanoauth_admin::ban_of(&adapter, &id, now)
            .await
            .expect("read")
            .is_none()
    );
    let again = nanoauth(
        &["user", "unban", "--database-url", db, "eve@example.com"],
        "",
    );
    ok(&again);
    assert!(again.stdout.contains("was not banned"), "{again:?}");
}

#[tokio::test]
async fn bans_from_the_command_line_on_sqlite() {
    bans_from_the_command_line(&sqlite_url()).await;
}

#[tokio::test]
async fn bans_from_the_command_line_on_postgres() {
    let Some(url) = postgres_url().await else {
        return;
    };
    bans_from_the_command_line(&url).await;
    support::drop_postgres(&url).await;
}

#[test]
fn print_shows_the_sql_per_dialect_without_connecting() {
    let postgres = nanoauth(&["migrate", "--print", "--dialect", "postgres"], "");
    ok(&postgres);
    assert!(
        postgres
            .stdout
            .contains("CREATE TABLE IF NOT EXISTS \"sessions\""),
        "{postgres:?}"
    );
    assert!(
        postgres
            .stdout
            .contains("-- nanoauth migration 5: plugin_records"),
        "{postgres:?}"
    );
    // From the URL's scheme; nothing listens there, and nothing is tried.
    let mysql = nanoauth(
        &[
            "migrate",
            "--print",
            "--database-url",
            "mysql://root@127.0.0.1:1/x",
        ],
        "",
    );
    ok(&mysql);
    assert!(mysql.stdout.contains("ENGINE=InnoDB"), "{mysql:?}");
    let sqlite = nanoauth(&["migrate", "--print", "--dialect", "sqlite"], "");
    assert!(
        sqlite
            .stdout
            .contains("CREATE TABLE IF NOT EXISTS `sessions`"),
        "{sqlite:?}"
    );
    let neither = nanoauth(&["migrate", "--print"], "");
    assert_eq!(neither.code, 2, "{neither:?}");
}

#[test]
fn bad_urls_are_usage_errors_and_say_why() {
    for args in [
        &["migrate", "--database-url", "redis://u:hunter2@localhost"][..],
        &["purge", "--database-url", "not a url"][..],
        &["user", "list", "--database-url", "http://example.com"][..],
    ] {
        let run = nanoauth(args, "");
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("is not a database URL"), "{run:?}");
        assert!(
            !run.stderr.contains("hunter2"),
            "the password stays out of errors: {run:?}"
        );
    }
}

#[test]
fn an_unreachable_database_is_exit_code_3() {
    // Port 1 on loopback: refused at once.
    let run = nanoauth(
        &[
            "migrate",
            "--database-url",
            "postgres://app:hunter2@127.0.0.1:1/app",
        ],
        "",
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("cannot be reached"), "{run:?}");
    assert!(
        run.stderr.contains("postgres://app:***@127.0.0.1:1/app"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("hunter2"), "{run:?}");
    // A SQLite file that is not there is not created by purge or user.
    let missing = sqlite_url();
    let run = nanoauth(&["purge", "--database-url", &missing], "");
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("run `nanoauth migrate`"), "{run:?}");
    let path = missing.trim_start_matches("sqlite://");
    assert!(!std::path::Path::new(path).exists());
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["migrate", "--help"][..],
        &["secret", "--help"][..],
        &["secret", "generate", "--help"][..],
        &["secret", "rotate", "--help"][..],
        &["purge", "--help"][..],
        &["user", "--help"][..],
        &["user", "list", "--help"][..],
        &["user", "create", "--help"][..],
        &["user", "set-role", "--help"][..],
        &["user", "ban", "--help"][..],
        &["user", "unban", "--help"][..],
        &["doctor", "--help"][..],
        &["import", "--help"][..],
        &["import", "better-auth", "--help"][..],
    ] {
        let run = nanoauth(args, "");
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(run.stdout.contains("Usage: nanoauth"), "{args:?}: {run:?}");
    }
    let unknown = nanoauth(&["frobnicate"], "");
    assert_eq!(unknown.code, 2, "{unknown:?}");
    let missing = nanoauth(&["purge"], "");
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("--database-url"), "{missing:?}");
}

#[test]
fn secrets_are_new_each_time_and_long_enough() {
    let a = nanoauth(&["secret", "generate"], "");
    let b = nanoauth(&["secret", "generate"], "");
    ok(&a);
    let (a, b) = (a.stdout.trim().to_owned(), b.stdout.trim().to_owned());
    assert_eq!(a.len(), 43, "{a}");
    assert!(
        a.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{a}"
    );
    assert_ne!(a, b);
    // The core accepts it as a secret.
    let auth =
        nanoauth::Auth::<BasicUser, _>::builder(nanoauth::adapter::memory::MemoryAdapter::new())
            .secret(&a)
            .base_url("https://example.com")
            .build();
    assert!(auth.is_ok());
    let rotate = nanoauth(&["secret", "rotate"], "");
    ok(&rotate);
    assert!(rotate.stdout.contains("AUTH_SECRET_PREVIOUS"), "{rotate:?}");
}

/// Two `nanoauth migrate` processes at once over one empty database: both
/// succeed, and between them every step is applied exactly once.
async fn two_processes_migrate_at_once(url: &str) {
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| nanoauth(&["migrate", "--database-url", url], "")))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("the run finished"))
            .collect()
    });
    for run in &runs {
        ok(run);
    }
    let applied: usize = runs
        .iter()
        .map(|run| run.stdout.matches(" applied").count())
        .sum();
    assert_eq!(applied, 6, "{runs:?}");
    let again = nanoauth(&["migrate", "--database-url", url], "");
    assert!(again.stdout.contains("nothing to do"), "{again:?}");
}

#[tokio::test]
async fn two_processes_migrate_at_once_on_sqlite_and_postgres() {
    two_processes_migrate_at_once(&sqlite_url()).await;
    if let Some(url) = postgres_url().await {
        two_processes_migrate_at_once(&url).await;
        support::drop_postgres(&url).await;
    }
}
