//! Two-factor authentication for NanoAuth: authenticator apps (TOTP),
//! backup codes, emailed one-time codes and trusted devices, as a plugin
//! ([`TwoFactor`]) on the public plugin contract, with its state in the
//! core's plugin records ([`RecordAdapter`](nanoauth::RecordAdapter)).
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth_two_factor::TwoFactor;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .plugin(TwoFactor::new("ACME"))
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! The plugin is built from pure building blocks, usable on their own:
//!
//! | Module | Job |
//! |---|---|
//! | [`otp`] | HOTP (RFC 4226) and the [`Algorithm`](otp::Algorithm) under it |
//! | [`totp`] | TOTP (RFC 6238): generate, and verify with skew and replay refusal |
//! | [`secret`] | [`TotpSecret`](secret::TotpSecret): random seeds, base32 |
//! | [`uri`] | `otpauth://totp/` URIs for authenticator apps |
//! | [`qr`] | The URI as an inline SVG QR code |
//! | [`codes`] | Backup and email codes, and their keyed hashes |
//! | [`error`] | [`PrimitiveError`](error::PrimitiveError) |
//!
//! Enrolling an authenticator app and checking its first code:
//!
//! ```
//! use nanoauth::utils::sealed::SealingKeys;
//! use nanoauth_two_factor::{qr, secret::TotpSecret, totp::Totp, uri};
//!
//! let totp = Totp::default();
//! let secret = TotpSecret::generate()?;
//! let svg = qr::qr_svg(&uri::otpauth_uri(&secret, "ACME", "jane@example.com", &totp))?;
//! assert!(svg.starts_with("<svg"));
//!
//! // Only the sealed seed is stored, bound to its user.
//! let keys = SealingKeys::new(vec![[7u8; 32]])?;
//! let stored = keys.seal(secret.as_bytes(), b"user:42|totp:v1")?;
//!
//! // Later: the code from the app, checked against the unsealed seed.
//! let now = 1_700_000_000;
//! let code = totp.generate(&secret, now);
//! let seed = keys.open(&stored, b"user:42|totp:v1").unwrap();
//! let step = totp.verify(&TotpSecret::from_bytes(&seed), &code, now, 1, None);
//! assert_eq!(step, Some(totp.step(now)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
pub mod codes;
mod endpoints;
pub mod error;
pub mod events;
mod guard;
#[cfg(feature = "openapi")]
mod openapi;
pub mod otp;
mod plugin;
pub mod qr;
mod random;
mod refusal;
pub mod secret;
mod store;
pub mod totp;
pub mod uri;

pub use api::{Enrolment, Factor, Status, TrustedDevice, TwoFactorApi, TwoFactorExt, Verified};
pub use plugin::{TwoFactor, TwoFactorAdapter};

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
