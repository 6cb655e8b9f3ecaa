//! The page a mailed link opens: it confirms the link with a `POST`, so a
//! mail scanner that fetches the link (`GET`) does not use it up before
//! the person it was sent to does.
//!
//! The page is self-contained (no external assets), posts a form back to
//! the endpoint it came from, submits it by script at once, and shows the
//! form's button for browsers without scripts. Its headers:
//! `Content-Security-Policy` allowing only its own inline script and style
//! (by hash), form posts to this origin and the callback's, no framing;
//! `Referrer-Policy: no-referrer`, so the token in its URL is never sent as
//! a `Referer`; and `Cache-Control: no-store` (set by the core for every
//! answer). Under `no-referrer` browsers post the form with `Origin: null`
//! and `Sec-Fetch-Site: same-origin`, which the core's origin check
//! accepts (see `origin::check`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderName, HeaderValue, header};
use sha2::{Digest as _, Sha256};

use crate::AuthUser;
use crate::Error;
use crate::adapter::Adapter;
use crate::origin_of;
use crate::utils::html::escape;
use crate::{EndpointRequest, Reply};

/// How the link endpoints of a plugin answer a `GET` of the link.
///
/// Either way a `HEAD` never uses a link up: the core runs a `GET` handler
/// for `HEAD` only on endpoints declared
/// [`safe`](crate::Endpoint::safe), and a `GET` that consumes is not.
///
/// ```
/// use nanoauth::email::DangerConsoleSender;
/// use nanoauth::plugins::LinkConfirmation;
/// use nanoauth::plugins::magic_link::MagicLink;
///
/// // An API-only application whose links are followed by its own code:
/// let plugin = MagicLink::new(DangerConsoleSender).link_confirmation(LinkConfirmation::Get);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkConfirmation {
    /// The `GET` answers a small page that posts the token back to the same
    /// endpoint (by script at once, or by its button without scripts); the
    /// `POST` uses the link up and redirects (`303`). Mail scanners fetch
    /// links but do not post forms, so the link is left for the person.
    #[default]
    Post,
    /// The `GET` uses the link up and redirects (`302`), as a plain link
    /// would; the `POST` works too. For API-only applications: a scanner
    /// that fetches the link uses it up.
    Get,
}

/// The words on a link's confirmation page.
#[derive(Debug, Clone, Copy)]
pub struct PageText {
    /// The page's title and heading.
    pub title: &'static str,
    /// The line under the heading.
    pub lead: &'static str,
    /// The button's label (for browsers without scripts).
    pub button: &'static str,
}

/// The magic link's page.
pub const SIGN_IN: PageText = PageText {
    title: "Sign in",
    lead: "Signing you in\u{2026} If nothing happens, press the button.",
    button: "Sign in",
};

/// The email verification link's page.
pub const VERIFY_EMAIL: PageText = PageText {
    title: "Verify your email address",
    lead: "Verifying your address\u{2026} If nothing happens, press the button.",
    button: "Verify my address",
};

/// Submits the form at once; disables the button so a click during the
/// submission does not post a used token a second time.
const SCRIPT: &str = "var form = document.getElementById(\"confirm\");\
form.querySelector(\"button\").disabled = true;\
form.submit();";

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:4rem 1rem;\
color:#1b1b1b;background:#f6f6f4}main{max-width:28rem;margin:0 auto}\
button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:.375rem;\
background:#1b1b1b;color:#fff;cursor:pointer}";

/// The confirmation page for `request`'s link: a form posting `fields` to
/// the request's own path. `callback` (checked) is where the `POST` will
/// redirect, so the policy lets the form go there. For a plugin's own
/// single-use links: serve this on `GET` (declared
/// [`safe`](crate::Endpoint::safe)) and use the link up on the `POST`
/// (declared [`accepting_forms`](crate::Endpoint::accepting_forms)).
///
/// # Errors
/// [`Error::Internal`] if a header cannot be built (a programming error).
pub fn confirm<U: AuthUser, A: Adapter<U>>(
    request: &EndpointRequest<U, A>,
    fields: &[(&str, &str)],
    callback: Option<&str>,
    text: &PageText,
) -> Result<Reply, Error> {
    let action = request.parts().uri.path();
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{lead}</p>\n\
         <form id=\"confirm\" method=\"post\" action=\"{action}\">{inputs}\
         <button type=\"submit\">{button}</button></form>\n</main>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        title = escape(text.title),
        lead = escape(text.lead),
        button = escape(text.button),
        action = escape(action),
    );
    Ok(Reply::html(page, headers(callback)?))
}

/// The page's security headers.
fn headers(callback: Option<&str>) -> Result<[(HeaderName, HeaderValue); 4], Error> {
    // A form's redirect is held to `form-action` too: a callback on another
    // trusted origin must be allowed, or the browser stops after the POST.
    let callback_origin = callback
        .and_then(origin_of)
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; \
         form-action 'self'{callback_origin}; frame-ancestors 'none'; base-uri 'none'",
        source_hash(SCRIPT),
        source_hash(STYLE),
    );
    let policy = HeaderValue::from_str(&policy).map_err(|_| Error::InvalidRedirect)?;
    Ok([
        (header::CONTENT_SECURITY_POLICY, policy),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ])
}

/// A CSP hash source for an inline element's text.
fn source_hash(text: &str) -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_callbacks_origin_for_the_form() {
        let with = |callback| {
            headers(callback)
                .map(|h| h[0].1.to_str().unwrap_or_default().to_owned())
                .unwrap_or_default()
        };
        assert!(with(Some("/account")).contains("form-action 'self';"));
        assert!(with(None).contains("form-action 'self';"));
        assert!(
            with(Some("https://app.example/done?x=1"))
                .contains("form-action 'self' https://app.example;")
        );
    }
}
