//! `nanoauth migrate`: apply the migrations, or print them for review.

use clap::{Args, ValueEnum};
use nanoauth_sqlx::{Dialect, Schema, migration_sql};

use crate::database::{connect, dialect_of};
use crate::error::CliError;

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    /// The database: sqlite://path/to/auth.db (created if missing),
    /// postgres://user@host/db, mysql://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        required_unless_present = "dialect"
    )]
    database_url: Option<String>,
    /// Print the SQL of every step instead of applying it; connects to nothing.
    #[arg(long)]
    print: bool,
    /// The SQL dialect to print (else taken from the URL's scheme).
    #[arg(long, value_enum, requires = "print")]
    dialect: Option<DialectArg>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DialectArg {
    Sqlite,
    Postgres,
    Mysql,
}

impl From<DialectArg> for Dialect {
    fn from(dialect: DialectArg) -> Self {
        match dialect {
            DialectArg::Sqlite => Dialect::Sqlite,
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Mysql => Dialect::MySql,
        }
    }
}

pub(crate) async fn run(args: MigrateArgs) -> Result<(), CliError> {
    if args.print {
        let dialect = match (args.dialect, &args.database_url) {
            (Some(dialect), _) => dialect.into(),
            (None, Some(url)) => dialect_of(url)?,
            (None, None) => {
                return Err(CliError::usage("--print needs --dialect or --database-url"));
            }
        };
        println!(
            "-- NanoAuth's schema for {dialect:?}, step by step. `nanoauth migrate` runs each\n\
             -- step a database lacks and records it in nanoauth_migrations; a database\n\
             -- set up from this script by hand is recognised and recorded on its first run.\n"
        );
        print!("{}", migration_sql(dialect, &Schema::default()));
        return Ok(());
    }
    let Some(url) = args.database_url else {
        return Err(CliError::usage(
            "--database-url is needed to apply the migrations",
        ));
    };
    let adapter = connect(&url, true).await?;
    let report = adapter
        .migrate()
        .await
        .map_err(|error| CliError::database("migrating", &error))?;
    for step in adapter.migrations() {
        let what = if report.applied.contains(&step.version()) {
            "applied"
        } else if report.recognised.contains(&step.version()) {
            "recognised (already in the database, now recorded)"
        } else {
            "up to date"
        };
        println!("{:>3} {:<22} {what}", step.version(), step.name());
    }
    if report.is_no_op() {
        println!("nothing to do: the database is up to date");
    }
    Ok(())
}
