//! CORS for the trusted origins: preflights answered, credentials allowed,
//! and nothing at all for any other origin.
//!
//! The trusted origins are the ones the CSRF check trusts (the base URL's
//! origin and each `trusted_origin`). A browser sends `Origin` as the
//! origin's exact ASCII serialisation and compares
//! `Access-Control-Allow-Origin` with it byte for byte, so the header is
//! compared with the trusted list byte for byte too (no parsing, no
//! allocation) and echoed as it came; `*` is never sent, since it cannot
//! go with credentials.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, header};

use crate::auth::ConfigError;
use crate::error::Error;

/// Request headers a preflight may always ask for: a JSON body, and a
/// bearer token.
const ALWAYS_ALLOWED: [&str; 2] = ["content-type", "authorization"];

/// Response headers a client script may always read: when to retry after
/// `429 RATE_LIMITED`.
const ALWAYS_EXPOSED: [&str; 1] = ["retry-after"];

/// Default `Access-Control-Max-Age`, in seconds.
pub(crate) const DEFAULT_MAX_AGE: u64 = 600;

/// The CORS answer headers, built once when the `Auth` is built.
#[derive(Debug)]
pub(crate) struct Cors {
    allow_headers: HeaderValue,
    expose_headers: HeaderValue,
    max_age: HeaderValue,
}

impl Cors {
    /// Validates the application's extra headers and builds the values.
    pub(crate) fn build(
        allowed: &[String],
        exposed: &[String],
        max_age: u64,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            allow_headers: list(&ALWAYS_ALLOWED, allowed)?,
            expose_headers: list(&ALWAYS_EXPOSED, exposed)?,
            max_age: HeaderValue::from(max_age),
        })
    }

    /// The answer to a preflight at a path whose endpoints accept
    /// `methods` (a ready `Access-Control-Allow-Methods` value): `204` with
    /// the CORS headers for a trusted origin; `403 INVALID_ORIGIN`, with no
    /// CORS header, for any other. [`Cors::finish`] adds the
    /// `Access-Control-Allow-Origin` and `-Credentials` headers.
    pub(crate) fn preflight(
        &self,
        headers: &HeaderMap,
        methods: &HeaderValue,
        trusted: &[String],
    ) -> Result<Response<Bytes>, Error> {
        if trusted_origin(headers.get(header::ORIGIN), trusted).is_none() {
            return Err(Error::InvalidOrigin);
        }
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let answer = response.headers_mut();
        answer.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
        answer.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            self.allow_headers.clone(),
        );
        answer.insert(header::ACCESS_CONTROL_MAX_AGE, self.max_age.clone());
        Ok(response)
    }

    /// Adds the CORS headers to any answer (success or error) to a request
    /// whose `Origin` was `origin`: the origin and credentials for a
    /// trusted origin (and, outside preflights, the headers its script may
    /// read), and `Vary` always, since every answer here depends on
    /// `Origin` (a shared cache must not hand one origin's answer to
    /// another).
    pub(crate) fn add_headers(
        &self,
        response: &mut Response<Bytes>,
        origin: Option<&HeaderValue>,
        preflight: bool,
        trusted: &[String],
    ) {
        let headers = response.headers_mut();
        if let Some(origin) = trusted_origin(origin, trusted) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            if !preflight {
                headers.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    self.expose_headers.clone(),
                );
            }
        }
        let vary = if preflight {
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        } else {
            "Origin"
        };
        headers.append(header::VARY, HeaderValue::from_static(vary));
    }
}

/// A CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`. Any other `OPTIONS` is an ordinary
/// request (answered `405`, as no endpoint takes `OPTIONS`).
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// `origin` when it is exactly one of the trusted origins.
fn trusted_origin<'a>(
    origin: Option<&'a HeaderValue>,
    trusted: &[String],
) -> Option<&'a HeaderValue> {
    origin.filter(|origin| {
        trusted
            .iter()
            .any(|trusted| trusted.as_bytes() == origin.as_bytes())
    })
}

/// `always` and `extra` as one comma-separated list of lowercase header
/// names, without repeats.
fn list(always: &[&str], extra: &[String]) -> Result<HeaderValue, ConfigError> {
    let mut names: Vec<String> = always.iter().map(|name| (*name).to_owned()).collect();
    for name in extra {
        let parsed = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| ConfigError::InvalidHeaderName(name.clone()))?;
        let parsed = parsed.as_str().to_owned();
        if !names.contains(&parsed) {
            names.push(parsed);
        }
    }
    HeaderValue::from_str(&names.join(", "))
        .map_err(|_| ConfigError::InvalidHeaderName(names.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_exactly() {
        let trusted = vec!["https://app.example".to_owned()];
        let exact = HeaderValue::from_static("https://app.example");
        assert!(trusted_origin(Some(&exact), &trusted).is_some());
        for other in [
            "https://APP.example",
            "https://app.example:443",
            "https://app.example/",
            "https://app.example.evil.example",
            "null",
        ] {
            let value = HeaderValue::from_static(other);
            assert!(trusted_origin(Some(&value), &trusted).is_none(), "{other}");
        }
        assert!(trusted_origin(None, &trusted).is_none());
    }

    #[test]
    fn header_lists_are_lowercase_without_repeats() -> Result<(), ConfigError> {
        let value = list(
            &ALWAYS_ALLOWED,
            &["X-Captcha".to_owned(), "Content-Type".to_owned()],
        )?;
        assert_eq!(value, "content-type, authorization, x-captcha");
        assert_eq!(
            list(&ALWAYS_ALLOWED, &["not a header".to_owned()]),
            Err(ConfigError::InvalidHeaderName("not a header".to_owned()))
        );
        Ok(())
    }
}
