//! Where a flow may send the browser afterwards (`callbackURL`,
//! `redirectTo`): a path on this site, or a URL on a trusted origin.
//! Anything else is an open redirect and refused.
//!
//! ```
//! use nanoauth::utils::redirect::safe_redirect;
//!
//! let trusted = vec!["https://app.example".to_owned()];
//! assert_eq!(safe_redirect("/account", &trusted).as_deref(), Ok("/account"));
//! assert!(safe_redirect("https://app.example/welcome", &trusted).is_ok());
//! for hostile in ["//evil.com", "/\\evil.com", "/%5C/evil.com", "javascript:alert(1)",
//!                 "https://app.example@evil.com", "https://evil.com"] {
//!     assert!(safe_redirect(hostile, &trusted).is_err(), "{hostile}");
//! }
//! ```

use crate::pipeline::origin::origin_of;

/// Targets longer than this are refused: no legitimate callback needs more.
const MAX_LEN: usize = 2048;

/// The redirect target is not a path on this site nor a URL on a trusted
/// origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsafeRedirect;

impl std::fmt::Display for UnsafeRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the redirect target is not on a trusted origin")
    }
}

impl std::error::Error for UnsafeRedirect {}

/// Returns `target` if a browser sent there stays on this site or a trusted
/// origin.
///
/// Accepted: an absolute path (`/account?tab=1`) that cannot be read as a
/// network path, even after one round of percent-decoding (no `//`, no
/// backslash, no control characters); or an absolute `http(s)` URL whose
/// origin is in `trusted_origins` (as [`origin_of`] serialises them) and
/// which has no user-info.
///
/// # Errors
/// [`UnsafeRedirect`] for everything else: other schemes (`javascript:`,
/// `data:`), other origins, protocol-relative and backslash tricks,
/// user-info (`https://trusted@evil`), whitespace, control characters
/// (CR/LF header injection), over-long targets.
pub fn safe_redirect(target: &str, trusted_origins: &[String]) -> Result<String, UnsafeRedirect> {
    if target.is_empty() || target.len() > MAX_LEN {
        return Err(UnsafeRedirect);
    }
    // Browsers strip or reinterpret these before resolving a URL; a safe
    // target never needs them raw.
    if target
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err(UnsafeRedirect);
    }
    if target.starts_with('/') {
        return if is_local_path(target) {
            Ok(target.to_owned())
        } else {
            Err(UnsafeRedirect)
        };
    }
    let origin = origin_of(target).ok_or(UnsafeRedirect)?;
    let after_scheme = target.split_once("://").map_or("", |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    if authority.contains('@') || !trusted_origins.contains(&origin) {
        return Err(UnsafeRedirect);
    }
    Ok(target.to_owned())
}

/// An absolute path that no reading turns into a network path.
fn is_local_path(path: &str) -> bool {
    let decoded = super::url::decode(path);
    let looks_local = |p: &str| {
        p.starts_with('/')
            && !p.starts_with("//")
            && !p.contains('\\')
            && !p.chars().any(char::is_control)
    };
    looks_local(path) && decoded.as_deref().is_some_and(looks_local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> Vec<String> {
        vec![
            "http://localhost:3000".to_owned(),
            "https://app.example".to_owned(),
        ]
    }

    #[test]
    fn the_open_redirect_table() {
        let allowed = [
            "/",
            "/account",
            "/account?tab=sessions#top",
            "/a/b%20c",
            "http://localhost:3000/welcome",
            "https://app.example",
            "HTTPS://APP.EXAMPLE/x",
            "https://app.example:443/x?y=1",
        ];
        for target in allowed {
            assert_eq!(
                safe_redirect(target, &trusted()).as_deref(),
                Ok(target),
                "{target}"
            );
        }
        let refused = [
            "",
            "//evil.com",
            "///evil.com",
            "/\\evil.com",
            "\\\\evil.com",
            "/%5C/evil.com",
            "/%5c/evil.com",
            "/%2F/evil.com",
            "/%2f%2fevil.com",
            "/%0d%0aSet-Cookie:x=1",
            "/x\r\nSet-Cookie: x=1",
            "/x\ty",
            " /account",
            "/%zz",
            "/%ff",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://app.example@evil.com",
            "https://app.example:443@evil.com/",
            "https://user:pass@app.example/",
            "https://evil.com",
            "https://app.example.evil.com",
            "http://localhost:3000.evil.com/",
            "http://app.example/",
            "ftp://app.example/",
            "account",
            "evil.com",
            "%2F%2Fevil.com",
        ];
        for target in refused {
            assert_eq!(
                safe_redirect(target, &trusted()),
                Err(UnsafeRedirect),
                "{target:?}"
            );
        }
        assert!(safe_redirect(&format!("/{}", "a".repeat(3000)), &trusted()).is_err());
    }
}
