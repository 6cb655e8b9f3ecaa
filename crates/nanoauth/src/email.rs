//! Sending email: the `EmailSender` trait the email flows (magic links,
//! verification, password reset) use, and two small senders.
//!
//! SMTP lives in the `nanoauth-email` crate; an application can also pass a
//! closure, like a `sendEmail` callback.

use std::future::Future;
use std::sync::Arc;

use crate::runtime::BoxFuture;
use crate::user::Email;

/// One message to one recipient, with a plain-text body and optionally an
/// HTML alternative.
///
/// Its `Debug` leaves the bodies out: they carry the link, whose token signs
/// the reader in (or lets them reset the password) until it is used.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutgoingEmail {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body (always sent).
    pub text: String,
    /// The HTML body, sent as an alternative when present.
    pub html: Option<String>,
}

impl std::fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text", &REDACTED)
            .field("html", &self.html.as_ref().map(|_| REDACTED))
            .finish()
    }
}

/// What `Debug` shows in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

impl OutgoingEmail {
    /// A plain-text message.
    pub fn new(to: Email, subject: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            to,
            subject: subject.into(),
            text: text.into(),
            html: None,
        }
    }

    /// Adds an HTML alternative.
    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }
}

/// The message could not be handed to the mail system.
#[derive(Debug)]
pub struct EmailError(Box<dyn std::error::Error + Send + Sync>);

impl EmailError {
    /// Wraps the transport's error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl std::fmt::Display for EmailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "email not sent: {}", self.0)
    }
}

impl std::error::Error for EmailError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// Delivers messages. Implementations must not log message bodies: they
/// carry sign-in links.
///
/// ```
/// use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
/// use nanoauth::BoxFuture;
///
/// /// Keeps messages in memory (a test double).
/// #[derive(Debug, Default)]
/// struct Outbox(std::sync::Mutex<Vec<OutgoingEmail>>);
///
/// impl EmailSender for Outbox {
///     fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
///         Box::pin(async move {
///             self.0.lock().map_err(|e| EmailError::new(e.to_string()))?.push(message.clone());
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait EmailSender: Send + Sync + std::fmt::Debug + 'static {
    /// Hands `message` to the mail system.
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>>;
}

impl<S: EmailSender + ?Sized> EmailSender for Arc<S> {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        (**self).send(message)
    }
}

/// An [`EmailSender`] from an async closure, like a `sendEmail` callback.
///
/// ```
/// use nanoauth::email::{OutgoingEmail, send_with};
///
/// let sender = send_with(|message: OutgoingEmail| async move {
///     println!("would send {:?} to {}", message.subject, message.to);
///     Ok(())
/// });
/// ```
pub fn send_with<F, Fut>(send: F) -> SendWith<F>
where
    F: Fn(OutgoingEmail) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), EmailError>> + Send + 'static,
{
    SendWith(send)
}

/// The sender [`send_with`] makes.
pub struct SendWith<F>(F);

impl<F> std::fmt::Debug for SendWith<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SendWith(..)")
    }
}

impl<F, Fut> EmailSender for SendWith<F>
where
    F: Fn(OutgoingEmail) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), EmailError>> + Send + 'static,
{
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin((self.0)(message.clone()))
    }
}

/// Builds the email that carries a link: recipient, the link, and how many
/// minutes it stays valid. The email-link plugins take one to replace their
/// wording (for instance with `nanoauth-email`'s HTML templates).
pub type RenderLink = Arc<dyn Fn(&Email, &str, u64) -> OutgoingEmail + Send + Sync>;

/// Prints messages to standard output instead of sending them.
///
/// # Security
/// Sign-in links end up in the process's output. For development only (the
/// demo uses it when no SMTP server is configured).
#[derive(Debug, Clone, Copy, Default)]
pub struct DangerConsoleSender;

impl EmailSender for DangerConsoleSender {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        println!(
            "---- email to {} ----\nSubject: {}\n\n{}\n---- end of email ----",
            message.to, message.subject, message.text
        );
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closures_are_senders() -> Result<(), EmailError> {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let sender = send_with(move |message: OutgoingEmail| {
            let sink = Arc::clone(&sink);
            async move {
                if let Ok(mut sink) = sink.lock() {
                    sink.push(message.subject);
                }
                Ok(())
            }
        });
        let to = Email::parse("a@example.com").ok_or_else(|| EmailError::new("email"))?;
        sender.send(&OutgoingEmail::new(to, "Hi", "Body")).await?;
        assert_eq!(
            seen.lock().map(|s| s.clone()).unwrap_or_default(),
            vec!["Hi".to_owned()]
        );
        Ok(())
    }
}
