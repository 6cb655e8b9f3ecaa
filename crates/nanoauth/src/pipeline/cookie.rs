//! Reading the session cookie and writing `Set-Cookie` values.
//!
//! Only what NanoAuth needs: one cookie, whose values are JWTs (base64url
//! and dots), so no escaping is ever required.

use http::{HeaderMap, HeaderValue, header};

use crate::error::Error;

/// Cookie headers longer than this are ignored rather than scanned: browsers
/// cap a cookie at 4 KiB and a header at a few times that.
const MAX_COOKIE_HEADER_LEN: usize = 16 * 1024;

/// The value of the first cookie called `name` across all `Cookie` headers.
pub(crate) fn read<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter(|value| value.len() <= MAX_COOKIE_HEADER_LEN)
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| find(value, name))
}

/// The value of the first cookie called `name` in one `Cookie` header.
/// `to_str` has let only visible ASCII and tabs through, so trimming ASCII
/// whitespace is the same as trimming any; and a pair whose name is not
/// `name` is skipped by comparing bytes, before splitting it any further.
fn find<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    // A pair's name ends at its first `=`: a name with one never matches.
    if name.contains('=') {
        return None;
    }
    header.split(';').find_map(|pair| {
        let pair = pair.trim_ascii();
        let value = pair.strip_prefix(name)?.strip_prefix('=')?;
        Some(value.trim_matches('"'))
    })
}

/// `true` when the request carries any cookie at all: browsers attach them
/// to cross-site requests, which is what makes CSRF possible.
pub(crate) fn any(headers: &HeaderMap) -> bool {
    headers.contains_key(header::COOKIE)
}

/// A `Set-Cookie` value for the session token: HttpOnly (no script access),
/// SameSite=Lax (not sent on cross-site subrequests), Path=/, and Secure
/// when the site is served over https.
pub(crate) fn set(
    name: &str,
    value: &str,
    max_age: u64,
    secure: bool,
) -> Result<HeaderValue, Error> {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    let mut header = HeaderValue::from_str(&text).map_err(Error::internal)?;
    // It holds the session token: its `Debug` then prints `Sensitive`, and
    // HTTP/2 encoders keep it out of their compression tables.
    header.set_sensitive(true);
    Ok(header)
}

/// A `Set-Cookie` value that removes the session cookie.
pub(crate) fn clear(name: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    // The name is validated when `Auth` is built, so the value is visible ASCII.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Cookie names are RFC 6265 tokens.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'(' | b')'
                        | b'<'
                        | b'>'
                        | b'@'
                        | b','
                        | b';'
                        | b':'
                        | b'\\'
                        | b'"'
                        | b'/'
                        | b'['
                        | b']'
                        | b'?'
                        | b'='
                        | b'{'
                        | b'}'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(header::COOKIE, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn reads_the_named_cookie_across_headers() {
        let map = headers(&["a=1; b=2", "sid=xyz"]);
        assert_eq!(read(&map, "b"), Some("2"));
        assert_eq!(read(&map, "sid"), Some("xyz"));
        assert_eq!(read(&map, "c"), None);
        // A name that is a prefix of another does not match it.
        assert_eq!(read(&headers(&["bb=1"]), "b"), None);
        // The first of duplicates wins.
        assert_eq!(read(&headers(&["a=1; a=2"]), "a"), Some("1"));
        // Garbage is skipped, not a panic.
        assert_eq!(read(&headers(&[";;;=;a"]), "a"), None);
        // Blanks around a pair, not inside it; quotes around the value.
        assert_eq!(read(&headers(&["x=1;\t b=\"2\" "]), "b"), Some("2"));
        assert_eq!(read(&headers(&["b =2"]), "b"), None);
        assert_eq!(read(&headers(&["a=b=c"]), "a=b"), None);
        assert_eq!(read(&headers(&["a=b=c"]), "a"), Some("b=c"));
    }

    #[test]
    fn set_cookie_has_the_security_attributes() -> Result<(), Error> {
        let value = set("__Host-s", "t", 60, true)?;
        assert_eq!(
            value.to_str().unwrap_or_default(),
            "__Host-s=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        Ok(())
    }

    #[test]
    fn cookie_names_are_tokens() {
        assert!(is_valid_name("nanoauth.session_token"));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("a=b"));
        assert!(!is_valid_name(""));
    }
}
