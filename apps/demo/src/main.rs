//! The NanoAuth demo: `cargo run -p nanoauth-demo`, then open the URL it
//! prints. SQLite in a local file by default, migrated on start; with
//! `--redis-url`, sessions, tokens and rate-limit counts in Redis, so that
//! several instances over one database and one Redis behave as one.

mod admin;
mod app;
mod better_auth;
mod device;
mod logging;
mod loopback;
mod notices;
mod options;
mod organizations;
mod pages;
mod redis_nodes;
mod secret;
mod social;
mod storage;
mod store;
mod two_factor;
mod user;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use nanoauth::Auth;
use nanoauth::email::DangerConsoleSender;
use nanoauth::plugins::account::Account;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::plugins::password_reset::PasswordReset;
use nanoauth::rate_limit::RateLimit;
use nanoauth_api_key::ApiKeys;
use nanoauth_jwt::Jwt;
use nanoauth_passkey::{PasskeySignUp, Passkeys, PasskeysExt as _};
use nanoauth_redis::{RedisCounters, RedisSessions, follow_revocations};
use nanoauth_sqlx::{Dialect, SqlAdapter};

use crate::app::DemoAuth;
use crate::options::Options;
use crate::store::DemoStore;

use crate::user::DemoUser;

type BoxError = Box<dyn std::error::Error>;

/// How often expired sessions and unused links are deleted.
const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let Some(options) = options::parse(std::env::args().skip(1), |name| std::env::var(name).ok())?
    else {
        println!("{}\n{}", options::USAGE, social::ENV_HELP);
        return Ok(());
    };
    logging::init(options.log_format)?;
    storage::create_data_dir(&options.data_dir)?;

    // The demo's own SQLite file is made private before SQLite opens it; a
    // database the user names is theirs to protect.
    let (database_url, own_database) = match &options.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let path = storage::prepare_database(&options.data_dir)?;
            (format!("sqlite://{}", path.display()), Some(path))
        }
    };
    let adapter = SqlAdapter::<DemoUser>::connect(&database_url).await?;
    adapter.migrate().await?;
    add_role_column(&adapter).await?;
    if let Some(email) = &options.admin {
        admin::promote_existing(&adapter, email).await;
    }
    if let Some(path) = &own_database {
        storage::tighten_companions(path)?;
    }

    let secret = secret::load_or_create(std::env::var("AUTH_SECRET").ok(), &options.data_dir)?;
    let mut rate_limit = if options.danger_no_rate_limit {
        tracing::warn!("rate limits are off (--danger-no-rate-limit): benchmarks only");
        RateLimit::danger_disabled()
    } else {
        RateLimit::default()
    };
    // Behind a load balancer every connection comes from it: the client is
    // the address it saw, which only a trusted proxy is believed about.
    for proxy in &options.trusted_proxies {
        rate_limit = rate_limit.trusted_proxy(*proxy);
    }
    let dialect = match Dialect::from_url(&database_url) {
        Some(Dialect::Sqlite) => "SQLite",
        Some(Dialect::Postgres) => "PostgreSQL",
        _ => "MySQL",
    };
    let Some(redis_url) = &options.redis_url else {
        let auth = build(adapter, &options, secret, rate_limit)?;
        return serve(auth, &options, dialect).await;
    };
    // Several instances as one: users in the database, sessions, tokens and
    // rate-limit counts in Redis, shared by every instance.
    // One server's URL, or a Redis Cluster's nodes, comma-separated.
    let mut redis = redis_nodes::redis_builder(redis_url);
    if let Some(prefix) = &options.redis_prefix {
        redis = redis.prefix(prefix.clone());
    }
    let store = redis.connect().await?;
    let rate_limit = rate_limit.store(RedisCounters::new(store.clone()));
    let auth = build(
        RedisSessions::new(adapter, store.clone()),
        &options,
        secret,
        rate_limit,
    )?;
    // A session revoked on any instance leaves this one's session cache at
    // once, not when its entry expires.
    let _follower = follow_revocations(&store, auth.clone());
    serve(auth, &options, &format!("{dialect}, sessions in Redis")).await
}

/// The demo's `Auth` over `adapter`: its plugins, limits and URLs.
fn build<A: DemoStore>(
    adapter: A,
    options: &Options,
    secret: String,
    rate_limit: RateLimit,
) -> Result<DemoAuth<A>, BoxError> {
    let port = options.port;
    // No mail server in the demo: links are printed here, in the console.
    let mut builder = Auth::builder(adapter)
        .secret(secret)
        .plugin(better_auth::email_password(options))
        // "Send me a link" also signs new addresses up.
        .plugin(MagicLink::new(DangerConsoleSender).sign_up_on_first_use())
        .plugin(PasswordReset::new(DangerConsoleSender))
        // Edit the name, change the address (the link is printed here),
        // delete the account.
        .plugin(Account::new(DangerConsoleSender))
        // Authenticator apps, backup codes, and codes by email (printed
        // here too); sign-ins stop at /two-factor for the code.
        .plugin(two_factor::plugin())
        // A passkey sign-in with the device's screen lock counts as both
        // factors (the plugin's default).
        .plugin(Passkeys::new("NanoAuth Demo"))
        // "Sign up with a passkey": an account with no password at all.
        .plugin(PasskeySignUp::new())
        // Keys for scripts: `x-api-key` on any route acts as their owner
        // (a user, an organization's member, or a service identity the
        // administrators manage).
        .plugin(ApiKeys::new().administrators({
            let admin = admin::plugin();
            move |user: &DemoUser| admin.is_admin(user)
        }))
        // `/api/auth/token` and `/api/auth/jwks`, for other services (EdDSA).
        .plugin(Jwt::new())
        // The Admin page: users, bans, impersonation (`--admin EMAIL`, or
        // the first account).
        .plugin(admin::plugin())
        // Organizations, roles and invitations (/organizations; the
        // invitation links are printed here).
        .plugin(organizations::plugin())
        // Failed purges, unsent mail and the like are logged by NanoAuth
        // itself (its `tracing` feature).
        .session_cache(options.session_cache)
        .rate_limit(rate_limit)
        // `/api/auth/openapi.json` and `/api/auth/reference` describe the
        // user with its own fields (the type derives `JsonSchema`).
        .api_info("NanoAuth demo", env!("CARGO_PKG_VERSION"))
        .user_schema()
        .sign_up_schema()
        .update_schema();
    builder = notices::print_security_events(builder);
    builder = admin::promote_on_sign_up(builder, options.admin.clone());
    builder = better_auth::compat(builder, options);
    let providers = social::providers_from_env(|name| std::env::var(name).ok());
    if !providers.is_empty() {
        builder = builder.plugin(social::plugin(providers));
    }
    builder = match &options.base_url {
        Some(url) => builder.base_url(url),
        // Browsers refuse IP addresses as passkeys' RP id, so the app's own
        // name is `localhost` (a secure context in every browser, even over
        // http); pages asked for on 127.0.0.1 are sent there, and the API
        // still answers scripts that use the address.
        None => builder
            .base_url(format!("http://localhost:{port}"))
            .trusted_origin(format!("http://127.0.0.1:{port}")),
    };
    Ok(builder.build()?)
}

/// Serves `auth`'s pages and API on 127.0.0.1 until Ctrl-C; `storage`
/// says where things are kept, for the start-up line.
async fn serve<A: DemoStore>(
    auth: DemoAuth<A>,
    options: &Options,
    storage: &str,
) -> Result<(), BoxError> {
    let port = options.port;
    // A base URL browsers would refuse for passkeys (an IP address) fails
    // here, at start-up, rather than at the first passkey.
    let relying_party = auth.passkeys().relying_party()?;
    // Expired sessions and links (including decoys and abandoned social
    // sign-ins) are refused anyway; this keeps the tables from growing.
    let _sweeper = auth.spawn_sweeper(SWEEP_EVERY)?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let base = auth.base_origin().to_owned();
    let mut router = app::app(auth);
    if options.base_url.is_none() {
        router = loopback::send_to_localhost(router, port);
    }
    tracing::info!(
        url = %base,
        "NanoAuth demo listening on {base} ({storage}; passkeys for {}; Ctrl-C to stop)",
        relying_party.id
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM from a process manager.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The demo's own migration: its user type has a `role` column.
async fn add_role_column(adapter: &SqlAdapter<DemoUser>) -> Result<(), BoxError> {
    let statement = match adapter.dialect() {
        Dialect::Postgres => {
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS role VARCHAR(32) NOT NULL DEFAULT 'member'"
        }
        _ => "ALTER TABLE users ADD COLUMN role VARCHAR(32) NOT NULL DEFAULT 'member'",
    };
    match adapter.execute_unprepared(statement).await {
        Ok(()) => Ok(()),
        // SQLite and MySQL have no IF NOT EXISTS here: a second start finds
        // the column already there.
        Err(error)
            if format!("{error:?}")
                .to_lowercase()
                .contains("duplicate column") =>
        {
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}
