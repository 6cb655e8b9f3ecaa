//! [`SmtpSender`]: an [`EmailSender`] that speaks SMTP through lettre.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::{Address, AsyncTransport, Message, Tokio1Executor};
use nanoauth::BoxFuture;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};

/// How long one connection, command or reply may take unless
/// [`SmtpSenderBuilder::timeout`] says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends each message over its own SMTP connection (lettre, tokio, rustls).
///
/// Build one with [`SmtpSender::builder`], then share it (it is cheap to
/// clone). Sending needs a tokio runtime with its timer enabled (as
/// `#[tokio::main]` makes).
///
/// ```no_run
/// use nanoauth_email::{SmtpSender, Tls};
///
/// # fn run() -> Result<(), nanoauth_email::SmtpConfigError> {
/// let sender = SmtpSender::builder("smtp.example.com", "auth@example.com")
///     .tls(Tls::Implicit) // port 465
///     .credentials("auth@example.com", "app password")
///     .build()?;
/// # Ok(())
/// # }
/// ```
///
/// # Security
/// The password never shows in `Debug`, and bodies are never logged: they
/// carry sign-in links.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
    tls: Tls,
    timeout: Duration,
    user: Option<String>,
}

impl SmtpSender {
    /// Starts a sender for the SMTP server at `host`, sending as `from`
    /// (`auth@example.com` or `Example <auth@example.com>`).
    ///
    /// The defaults: [`Tls::StartTlsRequired`], port 587 (465 with
    /// [`Tls::Implicit`], 25 with [`Tls::danger_none`]), no credentials, a
    /// 30-second timeout.
    pub fn builder(host: impl Into<String>, from: impl Into<String>) -> SmtpSenderBuilder {
        SmtpSenderBuilder {
            host: host.into(),
            from: from.into(),
            port: None,
            credentials: None,
            tls: Tls::StartTlsRequired,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The address messages are sent from.
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    /// Builds the MIME message: `text/plain`, or `multipart/alternative`
    /// (plain text first, as RFC 2046 section 5.1.4 wants the simplest
    /// part first) when there is HTML.
    fn message(&self, email: &OutgoingEmail) -> Result<Message, EmailError> {
        let to: Address = email.to.as_ref().parse().map_err(EmailError::new)?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(one_line(&email.subject));
        let message = match &email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(SinglePart::plain(email.text.clone())),
        };
        message.map_err(EmailError::new)
    }
}

impl EmailSender for SmtpSender {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async move {
            let message = self.message(message)?;
            // lettre's async transport bounds only the TCP connect by its
            // timeout; a server that accepts and then stays silent would hold
            // the flow (and the user's request) forever, so bound it all.
            match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
                // The server's reply is not needed: a rejection is an `Err`.
                Ok(sent) => sent.map(drop).map_err(EmailError::new),
                Err(_) => Err(EmailError::new(format!(
                    "the SMTP server did not finish within {:?}",
                    self.timeout
                ))),
            }
        })
    }
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .field("from", &self.from.to_string())
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Configures an [`SmtpSender`]; made by [`SmtpSender::builder`].
#[derive(Clone)]
#[must_use = "call .build() to get the sender"]
pub struct SmtpSenderBuilder {
    host: String,
    from: String,
    port: Option<u16>,
    credentials: Option<(String, String)>,
    tls: Tls,
    timeout: Duration,
}

impl SmtpSenderBuilder {
    /// The server's port. Without it: 587 for [`Tls::StartTlsRequired`], 465
    /// for [`Tls::Implicit`], 25 for [`Tls::danger_none`].
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Signs in with `user` and `password` (SMTP AUTH PLAIN or LOGIN).
    ///
    /// # Security
    /// With [`Tls::danger_none`] the password crosses the network in the
    /// clear. `Debug` never shows it.
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// How the connection is encrypted; [`Tls::StartTlsRequired`] unless set.
    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = tls;
        self
    }

    /// How long sending one message may take, from connecting to the
    /// server's last reply, before it fails (30 seconds unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks the configuration and makes the sender. Nothing connects yet.
    ///
    /// # Errors
    /// 1. [`SmtpConfigError::InvalidFrom`] when `from` is not a mailbox.
    /// 2. [`SmtpConfigError::Tls`] when the TLS settings cannot be made for
    ///    `host`.
    pub fn build(self) -> Result<SmtpSender, SmtpConfigError> {
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|e| SmtpConfigError::InvalidFrom(Box::new(e)))?;
        let (tls, default_port) = match self.tls {
            Tls::StartTlsRequired => (LettreTls::Required(self.tls_parameters()?), 587),
            Tls::Implicit => (LettreTls::Wrapper(self.tls_parameters()?), 465),
            Tls::DangerNone(_) => (LettreTls::None, 25),
        };
        let port = self.port.unwrap_or(default_port);
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(port)
            .tls(tls)
            .timeout(Some(self.timeout));
        let user = self.credentials.as_ref().map(|(user, _)| user.clone());
        if let Some((user, password)) = self.credentials {
            transport = transport.credentials(Credentials::new(user, password));
        }
        Ok(SmtpSender {
            transport: transport.build(),
            from,
            host: self.host,
            port,
            tls: self.tls,
            timeout: self.timeout,
            user,
        })
    }

    /// Certificates are checked against the Mozilla roots and `host`.
    fn tls_parameters(&self) -> Result<TlsParameters, SmtpConfigError> {
        TlsParameters::new(self.host.clone()).map_err(|e| SmtpConfigError::Tls(Box::new(e)))
    }
}

impl std::fmt::Debug for SmtpSenderBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSenderBuilder")
            .field("host", &self.host)
            .field("from", &self.from)
            .field("port", &self.port)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(user, _)| Redacted(user)),
            )
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Shows a user name next to a hidden password.
struct Redacted<'a>(&'a str);

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({:?}, [redacted])", self.0)
    }
}

/// How the connection to the SMTP server is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Tls {
    /// Connect in the clear, then upgrade with STARTTLS (RFC 3207), and fail
    /// if the server does not offer it. Usually port 587. The default.
    #[default]
    StartTlsRequired,
    /// TLS from the first byte (RFC 8314 "implicit TLS"), usually port 465.
    Implicit,
    /// No encryption at all; made only by [`Tls::danger_none`].
    DangerNone(DangerNoTls),
}

impl Tls {
    /// No encryption: messages (with their sign-in links) and the password
    /// cross the network in the clear.
    ///
    /// # Security
    /// Only for a server on the same machine: a test server on loopback, or
    /// a local relay that itself forwards with TLS.
    pub fn danger_none() -> Self {
        Self::DangerNone(DangerNoTls(()))
    }
}

/// Marks [`Tls::DangerNone`]; only [`Tls::danger_none`] makes one, so that
/// turning encryption off always says "danger".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DangerNoTls(());

/// [`SmtpSenderBuilder::build`] was given settings it cannot use.
#[derive(Debug)]
#[non_exhaustive]
pub enum SmtpConfigError {
    /// The sender address is not a mailbox (`a@b.example` or
    /// `Name <a@b.example>`).
    InvalidFrom(Box<dyn std::error::Error + Send + Sync>),
    /// The TLS settings could not be made.
    Tls(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for SmtpConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidFrom(_) => f.write_str("the SMTP sender address is not a mailbox"),
            Self::Tls(_) => f.write_str("the SMTP TLS settings could not be made"),
        }
    }
}

impl std::error::Error for SmtpConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidFrom(e) | Self::Tls(e) => Some(e.as_ref()),
        }
    }
}

/// Turns line breaks and other control characters into spaces, so a
/// subject can never end the header early (header injection).
fn one_line(subject: &str) -> String {
    subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() -> Result<(), SmtpConfigError> {
        let builder = SmtpSender::builder("smtp.example.com", "a@example.com")
            .credentials("user@example.com", "hunter2-secret");
        let shown = format!("{builder:?}");
        assert!(shown.contains("user@example.com"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let shown = format!("{:?}", builder.build()?);
        assert!(shown.contains("user@example.com"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        Ok(())
    }

    #[test]
    fn defaults_require_starttls_on_587() -> Result<(), SmtpConfigError> {
        let sender = SmtpSender::builder("smtp.example.com", "Example <a@example.com>").build()?;
        assert_eq!((sender.tls, sender.port), (Tls::StartTlsRequired, 587));
        assert_eq!(sender.from(), "Example <a@example.com>");
        let implicit = SmtpSender::builder("smtp.example.com", "a@example.com")
            .tls(Tls::Implicit)
            .build()?;
        assert_eq!(implicit.port, 465);
        let plain = SmtpSender::builder("127.0.0.1", "a@example.com")
            .tls(Tls::danger_none())
            .port(2525)
            .build()?;
        assert_eq!((plain.tls, plain.port), (Tls::danger_none(), 2525));
        Ok(())
    }

    #[test]
    fn a_bad_sender_address_is_a_config_error() {
        let result = SmtpSender::builder("smtp.example.com", "not an address").build();
        assert!(matches!(result, Err(SmtpConfigError::InvalidFrom(_))));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        assert_eq!(
            one_line("Hi\r\nBcc: x@evil.test\t!"),
            "Hi  Bcc: x@evil.test !"
        );
    }
}
