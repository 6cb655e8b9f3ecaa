//! The little URL handling links need: percent-encoding a query value,
//! reading one back, and adding a parameter to a URL.
//!
//! ```
//! use nanoauth::utils::url;
//!
//! let back = url::with_param("/account?tab=1#top", "error", "ACCESS_DENIED");
//! assert_eq!(back, "/account?tab=1&error=ACCESS_DENIED#top");
//! assert_eq!(url::query_param(Some("a=1&b=x%20y"), "b").as_deref(), Some("x y"));
//! ```

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One round of percent-decoding; `None` for malformed escapes or bytes
/// that are not UTF-8 (refused, not guessed at).
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The first value of `name` in a query string (`a=1&b=2`), decoded (`+` is
/// a space, as forms send it).
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| decode(&value.replace('+', " ")))
}

/// `url` with `name=value` added to its query (before any fragment).
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}{name}={}", encode(value));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let value = "/a b?c=d&e=ü#f";
        assert_eq!(decode(&encode(value)).as_deref(), Some(value));
        assert_eq!(
            query_param(Some("x=1&token=a%2Bb&y"), "token").as_deref(),
            Some("a+b")
        );
        assert_eq!(query_param(Some("q=a+b"), "q").as_deref(), Some("a b"));
        assert_eq!(query_param(Some("y"), "y").as_deref(), Some(""));
        assert_eq!(query_param(None, "token"), None);
        assert_eq!(with_param("/x", "error", "A B"), "/x?error=A%20B");
        assert_eq!(with_param("/x?a=1#top", "t", "v"), "/x?a=1&t=v#top");
        assert_eq!(decode("%zz"), None);
    }
}
