//! Origins: parsing them, and the cross-site request check.

use http::{HeaderMap, Method, Uri, header};

use crate::error::Error;
use crate::pipeline::cookie;

/// The ASCII serialisation of an origin (RFC 6454 §6.2): lowercase scheme and
/// host, the port only when it is not the scheme's default. `None` for
/// anything that is not an absolute http(s) URL.
///
/// ```
/// # use nanoauth::origin_of;
/// assert_eq!(origin_of("HTTPS://Example.com:443/path?q").as_deref(), Some("https://example.com"));
/// assert_eq!(origin_of("http://localhost:3000").as_deref(), Some("http://localhost:3000"));
/// assert_eq!(origin_of("null"), None);
/// assert_eq!(origin_of("javascript:alert(1)"), None);
/// ```
pub fn origin_of(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    // Userinfo (`https://trusted@evil`) has no place in an origin.
    if authority.as_str().contains('@') {
        return None;
    }
    let host = authority.host().to_ascii_lowercase();
    if !is_host(&host) {
        return None;
    }
    Some(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// A DNS name (ASCII letters, digits, `-`, `.`; IDNs arrive as punycode),
/// an IPv4 address, or a bracketed IPv6 address. `http::Uri` is lenient
/// about hosts; an origin must not be.
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !host.starts_with('.')
        && !host.contains("..")
}

/// Refuses state-changing requests that a browser may have sent on another
/// site's behalf.
///
/// - Safe methods (`GET`, `HEAD`, `OPTIONS`) pass: they change nothing.
/// - An `Origin` header must be a trusted origin; `Origin: null` (sandboxed
///   frames, some redirects) never is, with one exception: a browser that
///   also says `Sec-Fetch-Site: same-origin`. That is a form posted from
///   one of this server's own pages under `Referrer-Policy: no-referrer`
///   (the link pages), for which browsers send `null`; a sandboxed frame
///   or a cross-site redirect is `cross-site`, and no page can set `Sec-`
///   headers.
/// - Without `Origin`, `Sec-Fetch-Site: cross-site` is refused.
/// - Without `Origin`, a request that carries cookies must have a trusted
///   `Referer`; a request without cookies (a server, a CLI, a bearer-token
///   client) is not a CSRF vector and passes.
pub(crate) fn check(method: &Method, headers: &HeaderMap, trusted: &[String]) -> Result<(), Error> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let is_trusted = |value: &str| origin_of(value).is_some_and(|origin| trusted.contains(&origin));
    let fetch_site = |site: &[u8]| {
        headers
            .get("sec-fetch-site")
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(site))
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| Error::InvalidOrigin)?;
        return if is_trusted(origin) || (origin == "null" && fetch_site(b"same-origin")) {
            Ok(())
        } else {
            Err(Error::InvalidOrigin)
        };
    }
    // No Origin, yet the browser says the request comes from another site
    // (a cross-site form navigation in an older or unusual client): refuse.
    if fetch_site(b"cross-site") {
        return Err(Error::InvalidOrigin);
    }
    if !cookie::any(headers) {
        return Ok(());
    }
    match headers.get(header::REFERER).map(|value| value.to_str()) {
        Some(Ok(referer)) if is_trusted(referer) => Ok(()),
        _ => Err(Error::InvalidOrigin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn trusted() -> Vec<String> {
        vec!["https://app.example".to_owned()]
    }

    fn check_with(pairs: &[(header::HeaderName, &'static str)]) -> Result<(), Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name.clone(), HeaderValue::from_static(value));
        }
        check(&Method::POST, &headers, &trusted())
    }

    #[test]
    fn origin_rules() {
        assert!(check_with(&[(header::ORIGIN, "https://app.example")]).is_ok());
        assert!(check_with(&[(header::ORIGIN, "https://APP.example:443")]).is_ok());
        assert!(check_with(&[(header::ORIGIN, "https://evil.example")]).is_err());
        assert!(check_with(&[(header::ORIGIN, "null")]).is_err());
        assert!(check_with(&[(header::ORIGIN, "http://app.example")]).is_err());
        // `null` from one of our own pages under `no-referrer`, as the
        // browser attests; never from another site, nor unattested.
        let site = header::HeaderName::from_static("sec-fetch-site");
        let null_from = |value| check_with(&[(header::ORIGIN, "null"), (site.clone(), value)]);
        assert!(null_from("same-origin").is_ok());
        assert!(null_from("cross-site").is_err());
        assert!(null_from("same-site").is_err());
        assert!(null_from("none").is_err());
        // No cookies, no origin: not a browser acting for another site.
        assert!(check_with(&[]).is_ok());
        assert!(
            check_with(&[(
                header::HeaderName::from_static("sec-fetch-site"),
                "cross-site"
            )])
            .is_err()
        );
        assert!(
            check_with(&[(
                header::HeaderName::from_static("sec-fetch-site"),
                "same-origin"
            )])
            .is_ok()
        );
        // Cookies without any origin information are refused...
        assert!(check_with(&[(header::COOKIE, "a=b")]).is_err());
        // ...unless the Referer is trusted.
        assert!(
            check_with(&[
                (header::COOKIE, "a=b"),
                (header::REFERER, "https://app.example/login")
            ])
            .is_ok()
        );
        assert!(
            check_with(&[
                (header::COOKIE, "a=b"),
                (header::REFERER, "https://app.example.evil.example/")
            ])
            .is_err()
        );
    }

    #[test]
    fn hosts_are_checked() {
        // Found by the `origin` fuzz target: `http::Uri` accepts this host.
        assert_eq!(origin_of("http://h[:]*:/tt*p://[]*"), None);
        assert_eq!(
            origin_of("http://[::1]:8080").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(origin_of("http://[zz]"), None);
        assert_eq!(origin_of("http://a..b"), None);
        assert_eq!(
            origin_of("http://xn--bcher-kva.example").as_deref(),
            Some("http://xn--bcher-kva.example")
        );
    }

    #[test]
    fn userinfo_is_not_an_origin() {
        assert_eq!(origin_of("https://app.example@evil.example"), None);
    }
}
