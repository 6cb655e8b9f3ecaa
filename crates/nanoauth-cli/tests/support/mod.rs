//! Running the built `nanoauth` binary, and fresh databases for it: a new
//! SQLite file, or a new PostgreSQL schema (leftovers of runs that died,
//! `nanoauth_t_*` older than an hour, are dropped first).

#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use nanoauth_testing::databases;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `nanoauth args...`, with `stdin` on its standard input, and
/// `DATABASE_URL` unset so that only the arguments count.
pub fn nanoauth(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nanoauth"))
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        // A command that does not read stdin may have exited already.
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("the binary ends");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the binary off the async runtime (it may call a server the test
/// runs on that runtime).
pub async fn nanoauth_async(args: Vec<String>, stdin: String) -> Run {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nanoauth(&args, &stdin)
    })
    .await
    .expect("the run finished")
}

/// A SQLite URL for a file that does not exist yet.
pub fn sqlite_url() -> String {
    databases::sqlite_url(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-cli"))
}

/// A new, empty PostgreSQL schema (the URL selects it), or `None` when no
/// PostgreSQL is there (`nanoauth_testing::servers` says so).
pub async fn postgres_url() -> Option<String> {
    databases::postgres_url().await
}

/// Drops the schema a [`postgres_url`] made.
pub async fn drop_postgres(url: &str) {
    databases::drop_postgres(url).await;
}
