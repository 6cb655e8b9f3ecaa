//! `nanoauth doctor`: checks a running deployment from outside, over HTTP(S),
//! as a browser and an attacker would see it. Each check prints ✓, ✗ or –
//! (skipped); any ✗ makes the exit code 1.
//!
//! Gentle on purpose: a handful of requests, a bounded number of sign-in
//! attempts for the rate-limit check, against an address that cannot exist.

use std::time::{Duration, SystemTime};

use clap::Args;
use reqwest::header::{DATE, HeaderMap, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode, Url};

use crate::error::CliError;
use crate::user::read_password;

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The deployment's public URL, as in `AuthBuilder::base_url`
    /// (`https://example.com`).
    #[arg(long)]
    base_url: String,
    /// Where NanoAuth's routes are mounted.
    #[arg(long, default_value = "/api/auth")]
    base_path: String,
    /// An account to sign in with, to check the session cookie's attributes
    /// (with --password-stdin); without it that check is skipped.
    #[arg(long, requires = "password_stdin")]
    email: Option<String>,
    /// Read that account's password from stdin (no echo on a terminal).
    #[arg(long, requires = "email")]
    password_stdin: bool,
    /// How many sign-in attempts the rate-limit check may make before it
    /// concludes there is no limit.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=50))]
    rate_limit_attempts: u32,
    /// The largest clock difference with the server that passes, in seconds.
    #[arg(long, default_value_t = 30)]
    max_clock_skew: u64,
}

/// The outcome of one check.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Pass(String),
    Fail(String),
    Skipped(String),
}

struct Doctor {
    client: Client,
    base: Url,
    /// `{base}{base_path}`, without a trailing slash.
    api: String,
    /// The base URL's origin, as a browser on the site sends it.
    origin: String,
}

pub(crate) async fn run(args: DoctorArgs) -> Result<(), CliError> {
    let base = Url::parse(&args.base_url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| {
            CliError::usage(format!(
                "{:?} is not an http(s) URL (https://example.com)",
                args.base_url
            ))
        })?;
    let password = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let client = Client::builder()
        // A redirect is an answer to report, not to follow.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("nanoauth-doctor/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| CliError::failed(format!("cannot make an HTTP client: {error}")))?;
    let doctor = Doctor {
        api: format!(
            "{}{}",
            base.as_str().trim_end_matches('/'),
            args.base_path.trim_end_matches('/')
        ),
        origin: base.origin().ascii_serialization(),
        base,
        client,
    };

    let mut failures = 0;
    let mut report = |name: &str, outcome: Outcome| {
        let (mark, detail) = match outcome {
            Outcome::Pass(detail) => ("✓", detail),
            Outcome::Fail(detail) => {
                failures += 1;
                ("✗", detail)
            }
            Outcome::Skipped(detail) => ("–", detail),
        };
        println!("{mark} {name}: {detail}");
    };

    // Reachability first: if nothing answers, the other checks mean nothing.
    let session = doctor
        .client
        .get(format!("{}/session", doctor.api))
        .send()
        .await
        .map_err(|error| {
            CliError::Unreachable(format!("{} cannot be reached: {error}", doctor.base))
        })?;
    let headers = session.headers().clone();
    report("reachable", doctor.reachable(session.status()));
    report("https", doctor.https());
    report(
        "clock",
        clock(&headers, SystemTime::now(), args.max_clock_skew),
    );
    report("origin check", doctor.origin_check().await);
    // Before the rate-limit check, which leaves this client limited for a while.
    match (&args.email, &password) {
        (Some(email), Some(password)) => {
            report(
                "session cookie",
                doctor.session_cookie(email, password).await,
            );
        }
        _ => report(
            "session cookie",
            Outcome::Skipped("give --email and --password-stdin of a test account".into()),
        ),
    }
    report(
        "rate limit",
        doctor.rate_limit(args.rate_limit_attempts).await,
    );

    if failures > 0 {
        return Err(CliError::failed(format!("{failures} check(s) failed")));
    }
    Ok(())
}

impl Doctor {
    fn is_https(&self) -> bool {
        self.base.scheme() == "https"
    }

    fn reachable(&self, status: StatusCode) -> Outcome {
        if status == StatusCode::OK {
            Outcome::Pass(format!("GET {}/session answered {status}", self.api))
        } else {
            Outcome::Fail(format!(
                "GET {}/session answered {status} (expected 200: is --base-path right?)",
                self.api
            ))
        }
    }

    fn https(&self) -> Outcome {
        let host = self.base.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match (self.is_https(), loopback) {
            (true, _) => Outcome::Pass("served over https".into()),
            (false, true) => Outcome::Skipped("plain http on loopback (development)".into()),
            (false, false) => Outcome::Fail(
                "served over plain http: cookies and passwords cross the network in clear".into(),
            ),
        }
    }

    /// A state-changing request from a foreign origin must be refused
    /// before anything runs (NanoAuth answers 403 `INVALID_ORIGIN`).
    async fn origin_check(&self) -> Outcome {
        let answer = self
            .client
            .post(format!("{}/signin/email", self.api))
            .header(ORIGIN, "https://nanoauth-doctor.invalid")
            .header("content-type", "application/json")
            .body(r#"{"email":"doctor@nanoauth-doctor.invalid","password":"not-a-password"}"#)
            .send()
            .await;
        match answer {
            Ok(answer) if answer.status() == StatusCode::FORBIDDEN => {
                Outcome::Pass("a POST from a foreign origin is refused (403)".into())
            }
            Ok(answer) => Outcome::Fail(format!(
                "a POST from https://nanoauth-doctor.invalid answered {} instead of 403",
                answer.status()
            )),
            Err(error) => Outcome::Fail(format!("the request failed: {error}")),
        }
    }

    /// Signs in, reads the session cookie's attributes, signs out again.
    async fn session_cookie(&self, email: &str, password: &str) -> Outcome {
        let body = serde_json::json!({ "email": email, "password": password }).to_string();
        let answer = self
            .client
            .post(format!("{}/signin/email", self.api))
            .header(ORIGIN, &self.origin)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let answer = match answer {
            Ok(answer) if answer.status() == StatusCode::OK => answer,
            Ok(answer) => {
                return Outcome::Fail(format!(
                    "signing in as {email} answered {} (is the account there, the password right?)",
                    answer.status()
                ));
            }
            Err(error) => return Outcome::Fail(format!("signing in failed: {error}")),
        };
        let Some(cookie) = session_cookie(answer.headers()) else {
            return Outcome::Fail("signing in set no session cookie".into());
        };
        // Leave no session behind.
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        let _ = self
            .client
            .post(format!("{}/signout", self.api))
            .header(ORIGIN, &self.origin)
            .header("cookie", pair)
            .send()
            .await;
        cookie_verdict(&cookie, self.is_https())
    }

    /// Sign-in attempts for an address that cannot exist, until one is
    /// refused with 429 or the attempts run out.
    async fn rate_limit(&self, attempts: u32) -> Outcome {
        let body =
            r#"{"email":"rate-limit-check@nanoauth-doctor.invalid","password":"not-a-password"}"#;
        for attempt in 1..=attempts {
            let answer = self
                .client
                .post(format!("{}/signin/email", self.api))
                .header(ORIGIN, &self.origin)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            match answer {
                Ok(answer) if answer.status() == StatusCode::TOO_MANY_REQUESTS => {
                    return Outcome::Pass(format!(
                        "sign-in attempt {attempt} was refused with 429 (this client stays \
                         limited for the rule's window)"
                    ));
                }
                Ok(_) => {}
                Err(error) => return Outcome::Fail(format!("attempt {attempt} failed: {error}")),
            }
        }
        Outcome::Fail(format!(
            "{attempts} sign-in attempts in a row were all answered; none was refused with 429 \
             (rate limits off, or the client address not reaching NanoAuth: behind a proxy, \
             configure its trusted proxies)"
        ))
    }
}

/// The session cookie among a response's `Set-Cookie` headers.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|cookie| {
            let name = cookie.split('=').next().unwrap_or_default();
            name.ends_with("session_token")
        })
        .map(str::to_owned)
}

/// HttpOnly (no script can read it), SameSite (not sent on cross-site
/// subrequests), Secure over https (never sent in clear).
fn cookie_verdict(cookie: &str, https: bool) -> Outcome {
    let attributes: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|attribute| attribute.trim().to_ascii_lowercase())
        .collect();
    let has = |name: &str| {
        attributes
            .iter()
            .any(|a| a == name || a.starts_with(&format!("{name}=")))
    };
    let same_site = attributes
        .iter()
        .find_map(|a| a.strip_prefix("samesite="))
        .unwrap_or("");
    let mut missing = Vec::new();
    if !has("httponly") {
        missing.push("HttpOnly");
    }
    if !matches!(same_site, "lax" | "strict") {
        missing.push("SameSite=Lax or Strict");
    }
    if https && !has("secure") {
        missing.push("Secure");
    }
    let name = cookie.split('=').next().unwrap_or_default();
    if missing.is_empty() {
        Outcome::Pass(format!(
            "{name}: HttpOnly, SameSite={same_site}{}",
            if has("secure") { ", Secure" } else { "" }
        ))
    } else {
        Outcome::Fail(format!("{name} lacks {}", missing.join(", ")))
    }
}

/// The server's `Date` against this machine's clock: expiry times are
/// absolute, so a server clock that is off ends sessions and links early or
/// late.
fn clock(headers: &HeaderMap, now: SystemTime, max_skew: u64) -> Outcome {
    let Some(date) = headers
        .get(DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| httpdate::parse_http_date(text).ok())
    else {
        return Outcome::Skipped("the answer had no Date header to compare".into());
    };
    let (skew, behind) = match now.duration_since(date) {
        Ok(ahead_of_server) => (ahead_of_server.as_secs(), true),
        Err(error) => (error.duration().as_secs(), false),
    };
    let direction = if behind { "behind" } else { "ahead of" };
    if skew <= max_skew {
        Outcome::Pass(format!(
            "the server's clock is within {max_skew} s of this machine's ({skew} s)"
        ))
    } else {
        Outcome::Fail(format!(
            "the server's clock is {skew} s {direction} this machine's (more than {max_skew} s)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn cookies_need_httponly_samesite_and_secure_over_https() {
        let good =
            "__Host-nanoauth.session_token=x; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure";
        assert!(matches!(cookie_verdict(good, true), Outcome::Pass(_)));
        let plain = "nanoauth.session_token=x; Path=/; HttpOnly; SameSite=Lax";
        assert!(matches!(cookie_verdict(plain, false), Outcome::Pass(_)));
        assert_eq!(
            cookie_verdict(plain, true),
            Outcome::Fail("nanoauth.session_token lacks Secure".into())
        );
        assert_eq!(
            cookie_verdict("s=x; SameSite=None; Secure", true),
            Outcome::Fail("s lacks HttpOnly, SameSite=Lax or Strict".into())
        );
    }

    #[test]
    fn a_server_clock_off_by_minutes_fails() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        let date = httpdate::fmt_http_date(now - Duration::from_secs(300));
        headers.insert(
            DATE,
            HeaderValue::from_str(&date).unwrap_or(HeaderValue::from_static("")),
        );
        assert_eq!(
            clock(&headers, now, 30),
            Outcome::Fail(
                "the server's clock is 300 s behind this machine's (more than 30 s)".into()
            )
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(2));
        headers.insert(
            DATE,
            HeaderValue::from_str(&date).unwrap_or(HeaderValue::from_static("")),
        );
        assert!(matches!(clock(&headers, now, 30), Outcome::Pass(_)));
        assert!(matches!(
            clock(&HeaderMap::new(), now, 30),
            Outcome::Skipped(_)
        ));
    }
}
