//! `nanoauth import better-auth`: users, password hashes, provider
//! accounts and email-verified state from a better-auth database into
//! NanoAuth's tables.
//!
//! The reading side is here (better_auth.rs): it knows better-auth's
//! tables, which are no business of the adapter crate. The writing side is
//! `SqlAdapter::import_users` in nanoauth-sqlx, which knows NanoAuth's
//! tables and writes each batch in one transaction. Sessions are not
//! carried over: users sign in once more (better-auth's session tokens are
//! stored in clear and signed with its secret; honouring them is not
//! attempted).

mod better_auth;

use std::io::{IsTerminal as _, Write as _};
use std::time::Instant;

use clap::{Args, Subcommand};
use nanoauth_sqlx::ImportOutcome;

use crate::database::connect;
use crate::error::CliError;
use better_auth::{LeftOut, Names, Source};

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// Import better-auth's users (1.x; SQLite or PostgreSQL; renamed
    /// tables and columns with --rename). Password hashes are kept: turn on
    /// `EmailPassword::accept_better_auth_hashes()` so they verify, and each
    /// is replaced by Argon2id at the user's first sign-in.
    BetterAuth(BetterAuthArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BetterAuthArgs {
    /// better-auth's database: sqlite://path/to/better-auth.db or
    /// postgres://user@host/db (opened read-only where the driver allows).
    #[arg(long)]
    from: String,
    /// NanoAuth's database (migrated: run `nanoauth migrate` first).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// Read and check everything, write nothing: each batch's transaction
    /// is rolled back, so the counts are what an import would do.
    #[arg(long)]
    dry_run: bool,
    /// Users per transaction.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch_size: u32,
    /// A table or column better-auth's options renamed, as DEFAULT=NAME:
    /// `user=users`, `user.emailVerified=email_verified` (the tables user,
    /// account, session, verification; the columns read: user.id, .email,
    /// .name, .emailVerified; account.userId, .providerId, .accountId,
    /// .password; session.id, .userId; verification.id, .identifier).
    /// Repeat for each.
    #[arg(long = "rename", value_name = "DEFAULT=NAME")]
    renames: Vec<String>,
}

pub(crate) async fn run(command: ImportCommand) -> Result<(), CliError> {
    match command {
        ImportCommand::BetterAuth(args) => better_auth(args).await,
    }
}

async fn better_auth(args: BetterAuthArgs) -> Result<(), CliError> {
    let names = Names::parse(&args.renames)?;
    let source = Source::open(&args.from).await?;
    source.check_schema(&names).await?;
    let totals = source.totals(&names).await?;
    let target = connect(&args.database_url, false).await?;

    let mut progress = Progress::new(totals.users);
    let mut outcome = ImportOutcome::default();
    let mut left_out: Vec<LeftOut> = Vec::new();
    let mut after = String::new();
    loop {
        let batch = source.batch(&names, &after, args.batch_size).await?;
        let Some(last_id) = batch.last_id else { break };
        let written = target
            .import_users(&batch.users, args.dry_run)
            .await
            .map_err(|error| CliError::database("writing users", &error))?;
        outcome.add(written);
        left_out.extend(batch.left_out);
        progress.advance(batch.rows);
        after = last_id;
    }
    progress.finish();

    let mode = if args.dry_run {
        "dry run, nothing written"
    } else {
        "imported"
    };
    println!("better-auth import ({mode}):");
    println!("  users read: {}", progress.done);
    println!("  users imported: {}", outcome.users);
    println!(
        "  users already present (same id, left as they are): {}",
        outcome.already_present
    );
    println!("  password hashes: {}", outcome.passwords);
    println!("  provider accounts: {}", outcome.accounts);
    println!("  verified addresses: {}", outcome.verified);
    println!(
        "  not carried over: {} sessions (users sign in again), {} verification rows \
         (pending links and codes), any other table",
        totals.sessions, totals.verifications
    );
    let problems = left_out.len() + outcome.skipped.len();
    println!("  left out: {problems}");
    for item in &left_out {
        println!("    user {}: {}", item.id, item.reason);
    }
    for skip in &outcome.skipped {
        println!("    {skip}");
    }
    Ok(())
}

/// Progress on stderr: one line rewritten in place on a terminal, with
/// rate and ETA; a plain line per batch otherwise (CI logs, redirects).
struct Progress {
    total: u64,
    done: u64,
    started: Instant,
    terminal: bool,
}

impl Progress {
    fn new(total: u64) -> Self {
        Self {
            total,
            done: 0,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn advance(&mut self, rows: u64) {
        self.done += rows;
        let elapsed = self.started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)] // a rate for people to read
        let rate = if elapsed > 0.0 {
            self.done as f64 / elapsed
        } else {
            0.0
        };
        let left = self.total.saturating_sub(self.done);
        #[allow(clippy::cast_precision_loss)]
        let eta = if rate > 0.0 { left as f64 / rate } else { 0.0 };
        let line = format!(
            "{}/{} users read ({rate:.0}/s, about {eta:.0} s left)",
            self.done, self.total
        );
        let mut stderr = std::io::stderr().lock();
        // Progress is a courtesy: a closed stderr must not fail the import.
        let _ = if self.terminal {
            write!(stderr, "\r\x1b[2K{line}")
        } else {
            writeln!(stderr, "{line}")
        };
    }

    fn finish(&self) {
        if self.terminal && self.done > 0 {
            eprintln!();
        }
    }
}
