//! Command-line flags, with environment variables as fallbacks.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::logging::LogFormat;

pub(crate) const USAGE: &str = "\
nanoauth-demo: the NanoAuth demo app

USAGE: cargo run -p nanoauth-demo -- [OPTIONS]

OPTIONS (environment variable in brackets):
  --port <PORT>          port on 127.0.0.1 [PORT] (default 3000)
  --database-url <URL>   sqlite://... or postgres://... [DATABASE_URL]
                         (default: sqlite file in the data dir)
  --redis-url <URL>      redis://...: sessions, single-use tokens and rate-limit
                         counts in Redis, users in the database, revocations
                         followed by every instance [REDIS_URL] (default:
                         all in the database, counts in memory); several
                         URLs, comma-separated: the nodes of a Redis Cluster
  --redis-prefix <P>     the prefix of the demo's Redis keys [REDIS_PREFIX]
                         (default nanoauth:)
  --trusted-proxy <IP>   a load balancer or proxy whose X-Forwarded-For is
                         believed, for the per-client rate limits; repeat for
                         several [TRUSTED_PROXIES, comma-separated]
  --base-url <URL>       the public URL of the app [BASE_URL] (default
                         http://localhost:<PORT>: passkeys need a domain,
                         and pages asked for on 127.0.0.1 are sent there)
  --data-dir <DIR>       where the SQLite file and the development secret
                         live [NANOAUTH_DEMO_DATA_DIR] (default ./nanoauth-demo-data)
  --danger-no-rate-limit turn off the per-IP and per-account rate limits on
                         credential endpoints [NANOAUTH_DEMO_NO_RATE_LIMIT=1];
                         for load benchmarks on loopback only: without them
                         passwords can be guessed as fast as the server hashes
  --session-cache <SECS> serve sessions the database (or Redis) confirmed from
                         memory for up to SECS seconds; with --redis-url a
                         revocation on any instance drops them at once
                         [NANOAUTH_DEMO_SESSION_CACHE] (default 0: every
                         check asks the store)
  --log-format <FORMAT>  text (one line per event, coloured on a terminal),
                         pretty (several lines per event) or json (one JSON
                         object per line) [LOG_FORMAT] (default text); levels
                         from RUST_LOG (default info: a line per request)
  --admin <EMAIL>        the address whose account is the administrator (the
                         Admin page: users, bans, impersonation) [NANOAUTH_DEMO_ADMIN]
                         (default: the first account signed up)
  --better-auth-compat   also serve better-auth's client (better-auth/client's
                         createAuthClient): its routes and shapes under
                         /api/auth beside NanoAuth's, its cookie name
                         (better-auth.session_token), and better-auth's
                         password hashes accepted (imported users)
  -h, --help             this text

The session secret comes from AUTH_SECRET, or is generated once and kept in
the data dir (development only).

Besides the pages: GET /api/auth/token (a 15-minute EdDSA JWT for the
signed-in user, or for an x-api-key) and GET /api/auth/jwks (its public keys),
for other services.";

/// The demo's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) port: u16,
    pub(crate) database_url: Option<String>,
    pub(crate) base_url: Option<String>,
    /// Sessions, tokens and rate-limit counts in this Redis.
    pub(crate) redis_url: Option<String>,
    /// The prefix of the Redis keys (`None`: the store's default).
    pub(crate) redis_prefix: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub(crate) trusted_proxies: Vec<IpAddr>,
    pub(crate) data_dir: PathBuf,
    /// No rate limits (`RateLimit::danger_disabled`): load benchmarks only.
    pub(crate) danger_no_rate_limit: bool,
    /// The session cache's time to live in seconds (`0`: off).
    pub(crate) session_cache: u64,
    /// How log lines look.
    pub(crate) log_format: LogFormat,
    /// The administrator's address (`None`: the first user).
    pub(crate) admin: Option<nanoauth::Email>,
    /// better-auth's client served too (`better_auth.rs`).
    pub(crate) better_auth_compat: bool,
}

/// Parses `args` (without the program name) over `env`.
pub(crate) fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Options>, String> {
    let mut options = Options {
        port: 3000,
        database_url: env("DATABASE_URL"),
        base_url: env("BASE_URL"),
        redis_url: env("REDIS_URL").filter(|url| !url.is_empty()),
        redis_prefix: env("REDIS_PREFIX").filter(|prefix| !prefix.is_empty()),
        trusted_proxies: Vec::new(),
        data_dir: env("NANOAUTH_DEMO_DATA_DIR")
            .map_or_else(|| PathBuf::from("nanoauth-demo-data"), PathBuf::from),
        danger_no_rate_limit: env("NANOAUTH_DEMO_NO_RATE_LIMIT").is_some_and(|v| v == "1"),
        session_cache: 0,
        log_format: LogFormat::default(),
        admin: None,
        better_auth_compat: false,
    };
    if let Some(email) = env("NANOAUTH_DEMO_ADMIN").filter(|e| !e.is_empty()) {
        options.admin = Some(
            nanoauth::Email::parse(&email)
                .ok_or_else(|| format!("NANOAUTH_DEMO_ADMIN={email:?} is not an email address"))?,
        );
    }
    if let Some(name) = env("LOG_FORMAT") {
        options.log_format = LogFormat::parse(&name)
            .ok_or_else(|| format!("LOG_FORMAT={name:?} is not text, pretty or json"))?;
    }
    if let Some(seconds) = env("NANOAUTH_DEMO_SESSION_CACHE") {
        options.session_cache = seconds.parse().map_err(|_| {
            format!("NANOAUTH_DEMO_SESSION_CACHE={seconds:?} is not a number of seconds")
        })?;
    }
    if let Some(list) = env("TRUSTED_PROXIES") {
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            options.trusted_proxies.push(
                entry
                    .parse()
                    .map_err(|_| format!("TRUSTED_PROXIES: {entry:?} is not an IP address"))?,
            );
        }
    }
    if let Some(port) = env("PORT") {
        options.port = port
            .parse()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?;
    }
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let port = value()?;
                options.port = port
                    .parse()
                    .map_err(|_| format!("--port {port:?} is not a port number"))?;
            }
            "--database-url" => options.database_url = Some(value()?),
            "--base-url" => options.base_url = Some(value()?),
            "--redis-url" => options.redis_url = Some(value()?),
            "--redis-prefix" => options.redis_prefix = Some(value()?),
            "--trusted-proxy" => {
                let ip = value()?;
                options.trusted_proxies.push(
                    ip.parse()
                        .map_err(|_| format!("--trusted-proxy {ip:?} is not an IP address"))?,
                );
            }
            "--data-dir" => options.data_dir = PathBuf::from(value()?),
            "--danger-no-rate-limit" => options.danger_no_rate_limit = true,
            "--better-auth-compat" => options.better_auth_compat = true,
            "--session-cache" => {
                let seconds = value()?;
                options.session_cache = seconds.parse().map_err(|_| {
                    format!("--session-cache {seconds:?} is not a number of seconds")
                })?;
            }
            "--log-format" => {
                let name = value()?;
                options.log_format = LogFormat::parse(&name)
                    .ok_or_else(|| format!("--log-format {name:?} is not text, pretty or json"))?;
            }
            "--admin" => {
                let email = value()?;
                options.admin = Some(
                    nanoauth::Email::parse(&email)
                        .ok_or_else(|| format!("--admin {email:?} is not an email address"))?,
                );
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    Ok(Some(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_override_the_environment() {
        let env = |name: &str| (name == "PORT").then(|| "4000".to_owned());
        let parsed = parse(args(&["--port", "5000", "--data-dir", "/tmp/x"]), env);
        let options = parsed.ok().flatten().unwrap_or_else(|| unreachable!());
        assert_eq!(options.port, 5000);
        assert_eq!(options.data_dir, PathBuf::from("/tmp/x"));
        let from_env = parse(args(&[]), env).ok().flatten().map(|o| o.port);
        assert_eq!(from_env, Some(4000));
    }

    #[test]
    fn the_administrator_is_an_address() {
        let admin = |parsed: Result<Option<Options>, String>| {
            parsed.map(|o| o.and_then(|o| o.admin).map(|e| e.as_str().to_owned()))
        };
        assert_eq!(admin(parse(args(&[]), |_| None)), Ok(None));
        assert_eq!(
            admin(parse(args(&["--admin", "Admin@Example.com"]), |_| None)),
            Ok(Some("admin@example.com".to_owned()))
        );
        assert!(parse(args(&["--admin", "nobody"]), |_| None).is_err());
    }

    #[test]
    fn rate_limits_stay_on_unless_turned_off() {
        let limited = |parsed: Result<Option<Options>, String>| {
            parsed.ok().flatten().map(|o| !o.danger_no_rate_limit)
        };
        assert_eq!(limited(parse(args(&[]), |_| None)), Some(true));
        let flag = parse(args(&["--danger-no-rate-limit"]), |_| None);
        assert_eq!(limited(flag), Some(false));
        let env = |name: &str| (name == "NANOAUTH_DEMO_NO_RATE_LIMIT").then(|| "1".to_owned());
        assert_eq!(limited(parse(args(&[]), env)), Some(false));
        let zero = |name: &str| (name == "NANOAUTH_DEMO_NO_RATE_LIMIT").then(|| "0".to_owned());
        assert_eq!(limited(parse(args(&[]), zero)), Some(true));
    }

    #[test]
    fn the_session_cache_is_off_unless_asked_for() {
        let ttl = |parsed: Result<Option<Options>, String>| {
            parsed.ok().flatten().map(|o| o.session_cache)
        };
        assert_eq!(ttl(parse(args(&[]), |_| None)), Some(0));
        assert_eq!(
            ttl(parse(args(&["--session-cache", "30"]), |_| None)),
            Some(30)
        );
        let env = |name: &str| (name == "NANOAUTH_DEMO_SESSION_CACHE").then(|| "5".to_owned());
        assert_eq!(ttl(parse(args(&[]), env)), Some(5));
        assert!(parse(args(&["--session-cache", "soon"]), |_| None).is_err());
    }

    #[test]
    fn logs_are_text_unless_json_is_asked_for() {
        let format =
            |parsed: Result<Option<Options>, String>| parsed.ok().flatten().map(|o| o.log_format);
        assert_eq!(format(parse(args(&[]), |_| None)), Some(LogFormat::Text));
        assert_eq!(
            format(parse(args(&["--log-format", "json"]), |_| None)),
            Some(LogFormat::Json)
        );
        let env = |name: &str| (name == "LOG_FORMAT").then(|| "json".to_owned());
        assert_eq!(format(parse(args(&[]), env)), Some(LogFormat::Json));
        assert_eq!(
            format(parse(args(&["--log-format", "pretty"]), env)),
            Some(LogFormat::Pretty),
            "the flag wins over the variable"
        );
        assert!(parse(args(&["--log-format", "xml"]), |_| None).is_err());
        assert!(parse(args(&["--log-format"]), |_| None).is_err());
        let bad = |name: &str| (name == "LOG_FORMAT").then(|| "yaml".to_owned());
        assert!(parse(args(&[]), bad).is_err());
    }

    #[test]
    fn redis_is_off_unless_named() {
        let parsed = |args_: &[&str], env: &dyn Fn(&str) -> Option<String>| {
            parse(args(args_), env)
                .ok()
                .flatten()
                .map(|o| (o.redis_url, o.redis_prefix))
        };
        assert_eq!(parsed(&[], &|_| None), Some((None, None)));
        assert_eq!(
            parsed(
                &[
                    "--redis-url",
                    "redis://127.0.0.1:6379",
                    "--redis-prefix",
                    "a:"
                ],
                &|_| None
            ),
            Some((Some("redis://127.0.0.1:6379".into()), Some("a:".into())))
        );
        let env = |name: &str| match name {
            "REDIS_URL" => Some("redis://cache:6379/1".to_owned()),
            "REDIS_PREFIX" => Some("demo:".to_owned()),
            _ => None,
        };
        assert_eq!(
            parsed(&[], &env),
            Some((Some("redis://cache:6379/1".into()), Some("demo:".into())))
        );
        assert_eq!(
            parsed(&["--redis-url", "redis://other"], &env),
            Some((Some("redis://other".into()), Some("demo:".into()))),
            "the flag wins over the variable"
        );
        let empty = |name: &str| (name == "REDIS_URL").then(String::new);
        assert_eq!(parsed(&[], &empty), Some((None, None)), "empty is unset");
        assert!(parse(args(&["--redis-url"]), |_| None).is_err());
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let proxies = |parsed: Result<Option<Options>, String>| {
            parsed.ok().flatten().map(|o| o.trusted_proxies)
        };
        let ip = |text: &str| text.parse::<IpAddr>().unwrap_or_else(|_| unreachable!());
        assert_eq!(proxies(parse(args(&[]), |_| None)), Some(Vec::new()));
        assert_eq!(
            proxies(parse(
                args(&["--trusted-proxy", "10.0.0.1", "--trusted-proxy", "::1"]),
                |_| None
            )),
            Some(vec![ip("10.0.0.1"), ip("::1")])
        );
        let env = |name: &str| (name == "TRUSTED_PROXIES").then(|| "10.0.0.1, 10.0.0.2".to_owned());
        assert_eq!(
            proxies(parse(args(&[]), env)),
            Some(vec![ip("10.0.0.1"), ip("10.0.0.2")])
        );
        assert!(parse(args(&["--trusted-proxy", "10.0.0.1:80"]), |_| None).is_err());
        let bad = |name: &str| (name == "TRUSTED_PROXIES").then(|| "lb.internal".to_owned());
        assert!(parse(args(&[]), bad).is_err());
    }

    #[test]
    fn bad_flags_are_explained() {
        assert!(parse(args(&["--port", "x"]), |_| None).is_err());
        assert!(parse(args(&["--port"]), |_| None).is_err());
        assert!(parse(args(&["--wat"]), |_| None).is_err());
        assert_eq!(parse(args(&["--help"]), |_| None), Ok(None));
    }
}
