//! `nanoauth`: the operator's tool for a NanoAuth deployment.
//!
//! - `migrate`: apply (or `--print`) the SQL migrations;
//! - `secret generate` / `secret rotate`: a new secret, and how to rotate;
//! - `purge`: delete expired sessions, tokens and plugin records;
//! - `user list|create|set-role`: the first administrator, emergencies;
//! - `doctor`: check a running deployment over HTTP(S);
//! - `import better-auth`: users, password hashes and provider accounts
//!   from a better-auth database.
//!
//! Exit codes: 0 success; 1 the operation failed or a check did not pass;
//! 2 bad usage or input (clap's own, a malformed URL); 3 the database or
//! server could not be reached.

mod database;
mod doctor;
mod error;
mod import;
mod migrate;
mod purge;
mod secret;
mod user;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Operate a NanoAuth deployment: migrations, secrets, purges, users, checks.
#[derive(Debug, Parser)]
#[command(name = "nanoauth", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply NanoAuth's SQL migrations (recorded in `nanoauth_migrations`), or print them.
    Migrate(migrate::MigrateArgs),
    /// Generate a new secret, or show how to rotate one.
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// Delete expired sessions, verification tokens and plugin records.
    Purge(DatabaseArgs),
    /// List, create and change users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Check a running deployment over HTTP(S): reachability, cookies,
    /// origin check, rate limits, clock.
    Doctor(doctor::DoctorArgs),
    /// Import users from another system's database (better-auth).
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// Where the database is.
#[derive(Debug, Args)]
struct DatabaseArgs {
    /// The database: sqlite://path/to/auth.db, postgres://user@host/db,
    /// mysql://user@host/db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Migrate(args) => migrate::run(args).await,
            Command::Secret(command) => secret::run(&command),
            Command::Purge(args) => purge::run(&args.database_url).await,
            Command::User(command) => user::run(command).await,
            Command::Doctor(args) => doctor::run(args).await,
            Command::Import(command) => import::run(command).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
