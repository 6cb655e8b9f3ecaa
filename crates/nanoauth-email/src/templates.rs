//! [`EmailTemplates`]: the messages the email flows send, each replaceable.

use std::sync::Arc;

use nanoauth::Email;
use nanoauth::email::OutgoingEmail;

/// A rendered message: a subject, a plain-text body and an HTML body.
///
/// Its `Debug` leaves the bodies out: they carry the link's secret token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderedEmail {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body. Escape whatever it interpolates with [`escape_html`].
    pub html: String,
}

impl RenderedEmail {
    /// A message from its three parts.
    pub fn new(
        subject: impl Into<String>,
        text: impl Into<String>,
        html: impl Into<String>,
    ) -> Self {
        Self {
            subject: subject.into(),
            text: text.into(),
            html: html.into(),
        }
    }

    /// The message addressed to `to`, ready for an
    /// [`EmailSender`](nanoauth::email::EmailSender).
    pub fn to(self, to: Email) -> OutgoingEmail {
        OutgoingEmail::new(to, self.subject, self.text).with_html(self.html)
    }
}

/// What the magic-link message says: the sign-in link and its lifetime.
/// Its `Debug` leaves the link out.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MagicLink<'a> {
    /// The absolute sign-in URL (secret: it signs the reader in).
    pub url: &'a str,
    /// How long the link works, in minutes.
    pub expires_in_minutes: u32,
}

impl<'a> MagicLink<'a> {
    /// The message for `url`, valid for `expires_in_minutes`.
    pub fn new(url: &'a str, expires_in_minutes: u32) -> Self {
        Self {
            url,
            expires_in_minutes,
        }
    }
}

/// What the email-verification message says: the confirmation link.
/// Its `Debug` leaves the link out.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmailVerification<'a> {
    /// The absolute URL that confirms the address.
    pub url: &'a str,
}

impl<'a> EmailVerification<'a> {
    /// The message for `url`.
    pub fn new(url: &'a str) -> Self {
        Self { url }
    }
}

/// What the password-reset message says: the reset link and its lifetime.
/// Its `Debug` leaves the link out.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordReset<'a> {
    /// The absolute URL of the reset page (secret: it lets the reader set
    /// a new password).
    pub url: &'a str,
    /// How long the link works, in minutes.
    pub expires_in_minutes: u32,
}

impl<'a> PasswordReset<'a> {
    /// The message for `url`, valid for `expires_in_minutes`.
    pub fn new(url: &'a str, expires_in_minutes: u32) -> Self {
        Self {
            url,
            expires_in_minutes,
        }
    }
}

type RenderMagicLink = Arc<dyn Fn(&MagicLink<'_>) -> RenderedEmail + Send + Sync>;
type RenderEmailVerification = Arc<dyn Fn(&EmailVerification<'_>) -> RenderedEmail + Send + Sync>;
type RenderPasswordReset = Arc<dyn Fn(&PasswordReset<'_>) -> RenderedEmail + Send + Sync>;

/// The three messages the email flows send. Each starts as a short, plain
/// default and can be replaced with a closure (`with_*`).
///
/// ```
/// use nanoauth_email::{EmailTemplates, EmailVerification, RenderedEmail, escape_html};
///
/// let app = "Acme";
/// let templates = EmailTemplates::new().with_email_verification(move |v: &EmailVerification<'_>| {
///     RenderedEmail::new(
///         format!("Confirm your {app} account"),
///         format!("Confirm: {}\n", v.url),
///         format!(r#"<a href="{}">Confirm</a>"#, escape_html(v.url)),
///     )
/// });
/// let message = templates.email_verification(&EmailVerification::new("https://acme.test/v?t=1"));
/// assert_eq!(message.subject, "Confirm your Acme account");
/// ```
#[derive(Clone)]
pub struct EmailTemplates {
    magic_link: RenderMagicLink,
    email_verification: RenderEmailVerification,
    password_reset: RenderPasswordReset,
}

impl EmailTemplates {
    /// The default templates.
    pub fn new() -> Self {
        Self {
            magic_link: Arc::new(default_magic_link),
            email_verification: Arc::new(default_email_verification),
            password_reset: Arc::new(default_password_reset),
        }
    }

    /// Replaces the magic-link message.
    #[must_use]
    pub fn with_magic_link(
        mut self,
        render: impl Fn(&MagicLink<'_>) -> RenderedEmail + Send + Sync + 'static,
    ) -> Self {
        self.magic_link = Arc::new(render);
        self
    }

    /// Replaces the email-verification message.
    #[must_use]
    pub fn with_email_verification(
        mut self,
        render: impl Fn(&EmailVerification<'_>) -> RenderedEmail + Send + Sync + 'static,
    ) -> Self {
        self.email_verification = Arc::new(render);
        self
    }

    /// Replaces the password-reset message.
    #[must_use]
    pub fn with_password_reset(
        mut self,
        render: impl Fn(&PasswordReset<'_>) -> RenderedEmail + Send + Sync + 'static,
    ) -> Self {
        self.password_reset = Arc::new(render);
        self
    }

    /// Renders the magic-link message.
    pub fn magic_link(&self, link: &MagicLink<'_>) -> RenderedEmail {
        (self.magic_link)(link)
    }

    /// Renders the email-verification message.
    pub fn email_verification(&self, verification: &EmailVerification<'_>) -> RenderedEmail {
        (self.email_verification)(verification)
    }

    /// Renders the password-reset message.
    pub fn password_reset(&self, reset: &PasswordReset<'_>) -> RenderedEmail {
        (self.password_reset)(reset)
    }
}

impl Default for EmailTemplates {
    fn default() -> Self {
        Self::new()
    }
}

/// What `Debug` shows in place of a link or a body that carries one.
const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for RenderedEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedEmail")
            .field("subject", &self.subject)
            .field("text", &REDACTED)
            .field("html", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for MagicLink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MagicLink")
            .field("url", &REDACTED)
            .field("expires_in_minutes", &self.expires_in_minutes)
            .finish()
    }
}

impl std::fmt::Debug for EmailVerification<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailVerification")
            .field("url", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for PasswordReset<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordReset")
            .field("url", &REDACTED)
            .field("expires_in_minutes", &self.expires_in_minutes)
            .finish()
    }
}

impl std::fmt::Debug for EmailTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailTemplates").finish_non_exhaustive()
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` so that `raw` is inert both in HTML
/// text and inside a quoted attribute such as `href="..."`.
///
/// ```
/// assert_eq!(
///     nanoauth_email::escape_html(r#"<a href="x">'&'</a>"#),
///     "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;",
/// );
/// ```
///
/// # Security
/// Escaping does not make a URL safe to link to: a `javascript:` URL stays
/// one. The flows put only absolute `http(s)` URLs they built themselves in
/// these messages.
pub fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// "in 1 minute", "in 15 minutes".
fn minutes(n: u32) -> String {
    if n == 1 {
        "1 minute".to_owned()
    } else {
        format!("{n} minutes")
    }
}

/// One button-like link and the same URL as text, for clients that strip
/// links; every interpolation is escaped.
fn html_body(intro: &str, url: &str, action: &str, outro: &str) -> String {
    let url = escape_html(url);
    format!(
        "<!DOCTYPE html>\n<html><body>\n<p>{intro}</p>\n<p><a href=\"{url}\">{action}</a></p>\n\
         <p>Or paste this link into your browser:<br>{url}</p>\n<p>{outro}</p>\n</body></html>\n",
        intro = escape_html(intro),
        action = escape_html(action),
        outro = escape_html(outro),
    )
}

fn default_magic_link(link: &MagicLink<'_>) -> RenderedEmail {
    let expiry = format!(
        "The link works once, for {}. If you did not ask to sign in, ignore this email.",
        minutes(link.expires_in_minutes)
    );
    RenderedEmail::new(
        "Your sign-in link",
        format!("Sign in with this link:\n\n{}\n\n{expiry}\n", link.url),
        html_body("Sign in with this link:", link.url, "Sign in", &expiry),
    )
}

fn default_email_verification(verification: &EmailVerification<'_>) -> RenderedEmail {
    let outro = "If you did not create an account, ignore this email.";
    RenderedEmail::new(
        "Confirm your email address",
        format!(
            "Confirm your email address with this link:\n\n{}\n\n{outro}\n",
            verification.url
        ),
        html_body(
            "Confirm your email address with this link:",
            verification.url,
            "Confirm email address",
            outro,
        ),
    )
}

fn default_password_reset(reset: &PasswordReset<'_>) -> RenderedEmail {
    let expiry = format!(
        "The link works once, for {}. If you did not ask to reset your password, ignore this \
         email: your password has not changed.",
        minutes(reset.expires_in_minutes)
    );
    RenderedEmail::new(
        "Reset your password",
        format!(
            "Choose a new password with this link:\n\n{}\n\n{expiry}\n",
            reset.url
        ),
        html_body(
            "Choose a new password with this link:",
            reset.url,
            "Reset password",
            &expiry,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://app.test/verify?token=a<b>&next=\"/x'y\"";
    const ESCAPED: &str = "https://app.test/verify?token=a&lt;b&gt;&amp;next=&quot;/x&#x27;y&quot;";

    #[test]
    fn escapes_the_five_characters_and_nothing_else() {
        assert_eq!(escape_html(URL), ESCAPED);
        assert_eq!(escape_html("plain ünïcödé text"), "plain ünïcödé text");
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn magic_link_has_the_url_and_expiry() {
        let message = EmailTemplates::new().magic_link(&MagicLink::new(URL, 15));
        assert_eq!(message.subject, "Your sign-in link");
        assert!(message.text.contains(URL), "text is not escaped");
        assert!(message.text.contains("15 minutes"));
        assert!(message.html.contains(&format!("href=\"{ESCAPED}\"")));
        assert!(message.html.contains("15 minutes"));
        assert!(!message.html.contains("<b>"));
        assert!(!message.html.contains("next=\""));
    }

    #[test]
    fn one_minute_is_singular() {
        let message = EmailTemplates::new().magic_link(&MagicLink::new("https://a.test/", 1));
        assert!(message.text.contains("for 1 minute."));
    }

    #[test]
    fn verification_has_the_url() {
        let message = EmailTemplates::new().email_verification(&EmailVerification::new(URL));
        assert_eq!(message.subject, "Confirm your email address");
        assert!(message.text.contains(URL));
        assert!(message.html.contains(&format!("href=\"{ESCAPED}\"")));
        assert!(!message.html.contains(URL));
    }

    #[test]
    fn password_reset_has_the_url_and_expiry() {
        let message = EmailTemplates::new().password_reset(&PasswordReset::new(URL, 60));
        assert_eq!(message.subject, "Reset your password");
        assert!(message.text.contains(URL));
        assert!(message.text.contains("60 minutes"));
        assert!(message.html.contains(&format!("href=\"{ESCAPED}\"")));
        assert!(message.html.contains("has not changed"));
    }

    #[test]
    fn replacing_one_template_keeps_the_others() {
        let templates = EmailTemplates::new()
            .with_magic_link(|link: &MagicLink<'_>| RenderedEmail::new("Custom", link.url, ""));
        let link = templates.magic_link(&MagicLink::new("https://a.test/m", 5));
        assert_eq!(link, RenderedEmail::new("Custom", "https://a.test/m", ""));
        let reset = templates.password_reset(&PasswordReset::new("https://a.test/r", 5));
        assert_eq!(reset.subject, "Reset your password");
        // Templates are cheap to clone and shareable across tasks.
        fn shareable<T: Send + Sync + Clone + 'static>(_: &T) {}
        shareable(&templates);
    }

    #[test]
    fn debug_output_never_shows_the_link() {
        const SECRET: &str = "https://a.test/r?token=s3cr3t-t0ken";
        let templates = EmailTemplates::new();
        let shown = [
            format!("{:?}", MagicLink::new(SECRET, 5)),
            format!("{:?}", EmailVerification::new(SECRET)),
            format!("{:?}", PasswordReset::new(SECRET, 5)),
            format!("{:?}", templates.magic_link(&MagicLink::new(SECRET, 5))),
            format!(
                "{:?}",
                templates.password_reset(&PasswordReset::new(SECRET, 5))
            ),
        ];
        for text in shown {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        let rendered = format!(
            "{:?}",
            templates.password_reset(&PasswordReset::new(SECRET, 5))
        );
        assert!(rendered.contains("Reset your password"), "{rendered}");
        assert!(format!("{:?}", MagicLink::new(SECRET, 5)).contains("expires_in_minutes: 5"));
    }

    #[test]
    fn rendered_emails_become_outgoing_emails_with_html() {
        let to = Email::parse("ada@example.com");
        assert!(to.is_some());
        if let Some(to) = to {
            let message = EmailTemplates::new()
                .email_verification(&EmailVerification::new("https://a.test/v"))
                .to(to.clone());
            assert_eq!(message.to, to);
            assert_eq!(message.subject, "Confirm your email address");
            assert!(
                message
                    .html
                    .is_some_and(|html| html.contains("https://a.test/v"))
            );
        }
    }
}
