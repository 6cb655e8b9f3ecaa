//! Email delivery for NanoAuth: an SMTP [`EmailSender`] and the messages the
//! email flows send.
//!
//! - [`SmtpSender`] hands each [`OutgoingEmail`] to an SMTP server over
//!   [lettre](https://docs.rs/lettre) (tokio, rustls). It requires STARTTLS
//!   by default; [`Tls::Implicit`] speaks TLS from the first byte (port 465),
//!   and only [`Tls::danger_none`] sends in the clear.
//! - [`EmailTemplates`] renders the magic-link, email-verification and
//!   password-reset messages (subject, plain text and HTML). Each default is
//!   short and plain, and any of them can be replaced with a closure.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use nanoauth::Email;
//! use nanoauth::email::EmailSender;
//! use nanoauth_email::{EmailTemplates, MagicLink, SmtpSender, Tls};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sender = SmtpSender::builder("smtp.example.com", "Example <auth@example.com>")
//!     .port(587)
//!     .credentials("auth@example.com", std::env::var("SMTP_PASSWORD")?)
//!     .tls(Tls::StartTlsRequired) // the default
//!     .timeout(Duration::from_secs(10))
//!     .build()?;
//!
//! let templates = EmailTemplates::new();
//! let to = Email::parse("ada@example.com").ok_or("not an email address")?;
//! let link = MagicLink::new("https://example.com/api/auth/magic-link/verify?token=abc", 10);
//! sender.send(&templates.magic_link(&link).to(to)).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Replacing one template keeps the other two:
//!
//! ```
//! use nanoauth_email::{EmailTemplates, PasswordReset, RenderedEmail, escape_html};
//!
//! let templates = EmailTemplates::new().with_password_reset(|reset: &PasswordReset<'_>| {
//!     RenderedEmail::new(
//!         "Reset your Acme password",
//!         format!("Reset it here: {}\n", reset.url),
//!         format!(r#"<p><a href="{}">Reset your password</a></p>"#, escape_html(reset.url)),
//!     )
//! });
//! let reset = templates.password_reset(&PasswordReset::new("https://acme.test/reset?t=1&u=2", 30));
//! assert_eq!(reset.subject, "Reset your Acme password");
//! assert!(reset.html.contains(r#"href="https://acme.test/reset?t=1&amp;u=2""#));
//! ```
//!
//! # Security
//! Messages carry sign-in links: nothing in this crate logs a body, and
//! errors never include one.
//!
//! # Features
//! TLS is rustls with the Mozilla root certificates (`webpki-roots`); no
//! OpenSSL. Its crypto provider is a feature:
//! - `aws-lc-rs` (default): the provider reqwest (OAuth, JWKS) and
//!   `nanoauth-jwt` already use, so a default build compiles one;
//! - `ring`: with `default-features = false`, for builds that avoid
//!   aws-lc's C and CMake build. One of the two is needed.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod smtp;
mod templates;

pub use smtp::{DangerNoTls, SmtpConfigError, SmtpSender, SmtpSenderBuilder, Tls};
pub use templates::{
    EmailTemplates, EmailVerification, MagicLink, PasswordReset, RenderedEmail, escape_html,
};

pub use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
