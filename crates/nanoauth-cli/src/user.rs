//! `nanoauth user`: list users, create one (the first administrator), set
//! a role, ban and unban.

use std::io::{BufRead as _, IsTerminal as _};

use clap::{Args, Subcommand};
use nanoauth::adapter::PasswordAdapter;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::random_id;
use nanoauth::{Adapter, CreateUserAdapter, Email};
use nanoauth_admin::Ban;
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
    /// Ban a user: every sign-in refused (`403 BANNED`) while the admin
    /// plugin runs, and their sessions deleted now.
    Ban(BanArgs),
    /// Lift a user's ban.
    Unban(UnbanArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BanArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The user's email address.
    email: String,
    /// Why: shown to the user when they try to sign in.
    #[arg(long)]
    reason: Option<String>,
    /// Lift the ban by itself after this long: seconds, or a number with
    /// s, m, h or d (`90m`, `7d`). Without it the ban lasts until lifted.
    #[arg(long)]
    expires_in: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct UnbanArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The user's email address.
    email: String,
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
        UserCommand::Ban(args) => ban(args).await,
        UserCommand::Unban(args) => unban(args).await,
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

/// `90`, `90s`, `15m`, `12h`, `7d` in seconds; `None` for anything else
/// (zero included: a ban that ends at once is no ban).
fn duration_secs(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (at, 's') => (&text[..at], 1),
        (at, 'm') => (&text[..at], 60),
        (at, 'h') => (&text[..at], 3600),
        (at, 'd') => (&text[..at], 86_400),
        _ => (text, 1),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|secs| *secs > 0)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

async fn ban(args: BanArgs) -> Result<(), CliError> {
    let email = Email::parse(&args.email)
        .ok_or_else(|| CliError::usage(format!("{:?} is not an email address", args.email)))?;
    let expires_in = match &args.expires_in {
        Some(text) => Some(duration_secs(text).ok_or_else(|| {
            CliError::usage(format!(
                "--expires-in {text:?}: give seconds, or a number with s, m, h or d (7d)"
            ))
        })?),
        None => None,
    };
    let reason = args
        .reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    if reason
        .as_ref()
        .is_some_and(|reason| reason.chars().count() > 500 || reason.chars().any(char::is_control))
    {
        return Err(CliError::usage(
            "--reason: at most 500 characters, without control characters",
        ));
    }
    let adapter = connect(&args.database.database_url, false).await?;
    let user = adapter
        .find_user_by_email(&email)
        .await
        .map_err(|error| CliError::database("finding the user", &error))?
        .ok_or_else(|| CliError::failed(format!("no user has the email {email}")))?;
    let now = now();
    let ban = Ban {
        reason,
        banned_by: "cli".into(),
        banned_at: now,
        expires_at: expires_in.map(|secs| now.saturating_add(secs)),
    };
    nanoauth_admin::put_ban(&adapter, &user.id, &ban, now)
        .await
        .map_err(|error| CliError::failed(format!("writing the ban: {error}")))?;
    // After the ban is written: a sign-in racing this command either made
    // its session before (deleted here) or meets the ban.
    let deleted = adapter
        .delete_user_sessions(&user.id, None)
        .await
        .map_err(|error| CliError::database("deleting the sessions", &error))?;
    match ban.expires_at {
        Some(at) => {
            println!("{email}: banned until {at} (Unix time); {deleted} session(s) deleted")
        }
        None => println!("{email}: banned; {deleted} session(s) deleted"),
    }
    eprintln!(
        "note: app instances with a session cache may accept a deleted session until it \
         leaves their cache (its time to live)"
    );
    Ok(())
}

async fn unban(args: UnbanArgs) -> Result<(), CliError> {
    let email = Email::parse(&args.email)
        .ok_or_else(|| CliError::usage(format!("{:?} is not an email address", args.email)))?;
    let adapter = connect(&args.database.database_url, false).await?;
    let user = adapter
        .find_user_by_email(&email)
        .await
        .map_err(|error| CliError::database("finding the user", &error))?
        .ok_or_else(|| CliError::failed(format!("no user has the email {email}")))?;
    let lifted = nanoauth_admin::lift_ban(&adapter, &user.id, now())
        .await
        .map_err(|error| CliError::failed(format!("lifting the ban: {error}")))?;
    if lifted {
        println!("{email}: ban lifted");
    } else {
        println!("{email}: was not banned");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::duration_secs;

    #[test]
    fn durations_read_with_units() {
        assert_eq!(duration_secs("90"), Some(90));
        assert_eq!(duration_secs("90s"), Some(90));
        assert_eq!(duration_secs("15m"), Some(900));
        assert_eq!(duration_secs("12h"), Some(43_200));
        assert_eq!(duration_secs("7d"), Some(604_800));
        assert_eq!(duration_secs("0"), None);
        assert_eq!(duration_secs("-1"), None);
        assert_eq!(duration_secs("d"), None);
        assert_eq!(duration_secs("1w"), None);
        assert_eq!(duration_secs(&format!("{}d", u64::MAX)), None);
    }
}
