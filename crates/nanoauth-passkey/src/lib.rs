//! Passkeys (WebAuthn) for NanoAuth: register a passkey, sign in with it
//! without a password or an address, confirm a sensitive action with it
//! without a new session, and manage them, as a plugin ([`Passkeys`]) on
//! the public plugin contract, with its state in the core's plugin records
//! ([`RecordAdapter`](nanoauth::RecordAdapter)): every adapter with records
//! stores passkeys, with no table of their own.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth_passkey::Passkeys;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     // RP id `localhost`: browsers treat http://localhost as secure, and
//!     // refuse IP addresses as RP ids.
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .plugin(Passkeys::new("ACME"))
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! The ceremonies are [webauthn-rs](https://docs.rs/webauthn-rs)'s (0.6,
//! pure Rust: no OpenSSL); this crate keeps their state, applies the
//! counter rule, names the passkeys and signs people in through
//! [`Auth::create_session`](nanoauth::Auth::create_session). It is a crate
//! of its own so the core stays free of the WebAuthn stack (and builds for
//! wasm32, where webauthn-rs does not run).
//!
//! | Module | Job |
//! |---|---|
//! | [`Passkeys`] | The plugin, its options and endpoints |
//! | [`PasskeySignUp`] | Signing up with a passkey alone (a plugin of its own: it needs [`UserRecordsAdapter`](nanoauth::UserRecordsAdapter)) |
//! | [`PasskeysExt`] | `auth.passkeys()`: the same from Rust |
//! | [`RelyingParty`] | The RP id and origins in force |
//! | [`events`] | What the plugin tells listeners (a counter that went back) |
//!
//! A browser's sign-in, in order:
//! 1. `POST /api/auth/passkey/signin/options` `{}` answers
//!    `{"publicKey": ...}` and a five-minute cookie for this ceremony;
//! 2. the page calls `navigator.credentials.get({publicKey:
//!    PublicKeyCredential.parseRequestOptionsFromJSON(publicKey)})`;
//! 3. `POST /api/auth/signin/passkey` `{"credential": credential.toJSON()}`
//!    answers `{user, token}` with the session cookie, or `401
//!    INVALID_PASSKEY`.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod ceremony;
mod endpoints;
pub mod events;
#[cfg(feature = "openapi")]
mod openapi;
mod plugin;
mod refusal;
mod relying_party;
mod sign_up;
mod store;

pub use api::{
    CeremonyStart, PasskeyInfo, PasskeysApi, PasskeysExt, Reauthenticated, SIGN_IN_METHOD,
    USER_VERIFICATION,
};
pub use plugin::Passkeys;
pub use relying_party::RelyingParty;
pub use sign_up::PasskeySignUp;
/// The WebAuthn JSON types the exports take and give (webauthn-rs's), so
/// that callers need no direct dependency on it.
pub mod webauthn {
    pub use webauthn_rs::prelude::{
        CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
        RequestChallengeResponse,
    };
}

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
