//! `nanoauth user`: list users, create one (the first administrator), set
//! a role.

use std::io::{BufRead as _, IsTerminal as _};

use clap::{Args, Subcommand};
use nanoauth::adapter::PasswordAdapter;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::random_id;
use nanoauth::{Adapter, CreateUserAdapter, Email};
use serde_json::{Map, Value};

use crate::DatabaseArgs;
use crate::database::{CliUser, connect};
use crate::error::CliError;

/// The shortest password `user create` accepts: the email/password
/// plugin's default minimum.
const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// List users by email, with every column of the users table.
    List(ListArgs),
    /// Create a user, with a password read from stdin or without one.
    Create(CreateArgs),
    /// Set a user's role (the users table needs a `role` column).
    SetRole(SetRoleArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Only emails that start with this.
    #[arg(long)]
    email_prefix: Option<String>,
    /// At most this many users.
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The new user's email address.
    #[arg(long)]
    email: String,
    /// The display name.
    #[arg(long, default_value = "")]
    name: String,
    /// Read the password from stdin (first line; typed without echo on a
    /// terminal). Without it the user has no password and signs in another
    /// way (magic link, social sign-in, password reset).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SetRoleArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The user's email address.
    #[arg(long)]
    email: String,
    /// The role to set (stored as is in the `role` column).
    #[arg(long)]
    role: String,
}

pub(crate) async fn run(command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::List(args) => list(args).await,
        UserCommand::Create(args) => create(args).await,
        UserCommand::SetRole(args) => set_role(args).await,
    }
}

async fn list(args: ListArgs) -> Result<(), CliError> {
    let adapter = connect(&args.database.database_url, false).await?;
    // Stored emails are normalised (lower case); so is the prefix.
    let prefix = args.email_prefix.map(|prefix| prefix.to_lowercase());
    let users = adapter
        .list_users(prefix.as_deref(), args.limit)
        .await
        .map_err(|error| CliError::database("listing users", &error))?;
    let mut extra: Vec<&String> = users.iter().flat_map(|user| user.columns.keys()).collect();
    extra.sort();
    extra.dedup();
    let header: Vec<&str> = ["id", "email"]
        .into_iter()
        .chain(extra.iter().map(|c| c.as_str()))
        .collect();
    println!("{}", header.join("\t"));
    for user in &users {
        let cells: Vec<String> = [user.id.clone(), user.email.clone()]
            .into_iter()
            .chain(extra.iter().map(|column| cell(user.columns.get(*column))))
            .collect();
        println!("{}", cells.join("\t"));
    }
    eprintln!("{} user(s)", users.len());
    Ok(())
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

async fn create(args: CreateArgs) -> Result<(), CliError> {
    let email = Email::parse(&args.email)
        .ok_or_else(|| CliError::usage(format!("{:?} is not an email address", args.email)))?;
    // Read before connecting: a prompt should not wait on the database.
    let password = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let adapter = connect(&args.database.database_url, false).await?;
    let id = random_id().map_err(|error| CliError::failed(error.to_string()))?;
    let mut columns = Map::new();
    columns.insert("name".into(), Value::String(args.name));
    let user = CliUser {
        id,
        email: email.as_str().to_owned(),
        columns,
    };
    let created = match password {
        Some(password) => {
            // Argon2id with the core's parameters: the same hash sign-in verifies.
            let hash = PasswordHasher::owasp()
                .hash(&password)
                .map_err(|error| CliError::failed(format!("hashing the password: {error}")))?;
            adapter.create_user_with_password(&user, &hash).await
        }
        None => adapter.create_user(&user).await,
    };
    created.map_err(|error| match error {
        nanoauth::AdapterError::Conflict => {
            CliError::failed(format!("a user with the email {email} exists already"))
        }
        error => CliError::database("creating the user", &error),
    })?;
    println!("{}", user.id);
    Ok(())
}

/// The password from stdin: without echo on a terminal, else its first
/// line. Never printed, logged or put in an error message.
pub(crate) fn read_password() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Password: ")
            .map_err(|error| CliError::failed(format!("reading the password: {error}")))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|error| CliError::failed(format!("reading the password: {error}")))?;
        line
    };
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CliError::usage(format!(
            "the password on stdin must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(password)
}

async fn set_role(args: SetRoleArgs) -> Result<(), CliError> {
    let email = Email::parse(&args.email)
        .ok_or_else(|| CliError::usage(format!("{:?} is not an email address", args.email)))?;
    let adapter = connect(&args.database.database_url, false).await?;
    let has_role = adapter
        .has_user_column("role")
        .await
        .map_err(|error| CliError::database("reading the users table", &error))?;
    if !has_role {
        return Err(CliError::failed(
            "the users table has no `role` column: roles are the application's own \
             (add the column with your migration, as the demo does)",
        ));
    }
    let user = adapter
        .find_user_by_email(&email)
        .await
        .map_err(|error| CliError::database("finding the user", &error))?
        .ok_or_else(|| CliError::failed(format!("no user has the email {email}")))?;
    let changed = adapter
        .set_user_field(&user.id, "role", &Value::String(args.role.clone()))
        .await
        .map_err(|error| CliError::database("setting the role", &error))?;
    if !changed {
        return Err(CliError::failed(format!("no user has the email {email}")));
    }
    println!("{email}: role {}", args.role);
    Ok(())
}
