//! # A NanoAuth plugin from outside the core
//!
//! [`SimpleMagicLink`] signs users in by a link sent by email. It is the
//! design's own plugin example (`auth.magic_link().verify(token)`) written
//! as a third party would write it: a separate crate that uses only the
//! public API of `nanoauth`. It has every part of the plugin contract:
//!
//! - a **name**: `"simple-magic-link"` ([`NAME`]);
//! - **endpoints** (under the base path, `/api/auth` by default):
//!
//!   | Method | Path | Body | Answer |
//!   |---|---|---|---|
//!   | POST | `/signin/simple-magic-link` | `{email}` | `{"success":true}`, whether or not the address has an account |
//!   | POST | `/simple-magic-link/verify` | JSON or form `{token}` | `{user, token}` and the session cookie |
//!
//! - a **hook**: a listener on [`EventKind::AfterSignIn`] that counts the
//!   sign-ins made with this plugin ([`SimpleMagicLinkApi::sign_ins`]);
//! - **exports**: [`SimpleMagicLinkExt::simple_magic_link`] on `Auth`, whose
//!   [`verify`](SimpleMagicLinkApi::verify) returns the signed-in user and
//!   session token ([`SignInOutcome`]: a session, or a second factor to ask for).
//!
//! The link in the email opens a page of the application
//! ([`SimpleMagicLink::link_page`], `/magic-link?token=...` by default),
//! which posts the token to `/simple-magic-link/verify`. Signing in on the
//! link's `GET` itself would let mail scanners, which fetch every link in a
//! message, use it up (or sign in).
//!
//! Only existing accounts get a link; the answer and the work done before
//! it are the same for an unknown address, so the endpoint reveals no
//! accounts. Needs an adapter with [`VerificationAdapter`] (single-use
//! tokens) and [`EmailVerificationAdapter`] (following a link proves the
//! address).
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::email::DangerConsoleSender;
//! use custom_plugin::SimpleMagicLink;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(SimpleMagicLink::new(DangerConsoleSender).expires_in(10 * 60))
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! See the package's README for the contract step by step and for mounting
//! it in axum.

mod api;
mod endpoints;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nanoauth::adapter::{EmailVerificationAdapter, VerificationAdapter};
use nanoauth::email::{EmailSender, OutgoingEmail};
use nanoauth::plugins::link_mail::{LinkMail, LinkRequest};
use nanoauth::utils::url;
use nanoauth::{
    Auth, AuthUser, ClientInfo, Email, EmailProof, Endpoint, Error, Event, EventKind, Hook, Plugin,
    PluginEndpoints, SignInMethod, SignInOutcome,
};

pub use api::{SimpleMagicLinkApi, SimpleMagicLinkExt};

/// The plugin's name: unique among an `Auth`'s plugins.
pub const NAME: &str = "simple-magic-link";

/// How its sessions are labelled in [`Event::SignedIn`].
pub const METHOD: SignInMethod = SignInMethod::new(NAME);

/// The purpose its tokens are stored under: a token is only ever consumed
/// for its own purpose, so the built-in magic link's tokens (`"magic-link"`)
/// and this plugin's are not interchangeable.
const PURPOSE: &str = "simple-magic-link";

/// Sign-in by a link sent by email: the plugin and its configuration.
///
/// The value is kept by the `Auth` for its whole life; endpoints and hooks
/// receive it as `Arc<Self>`, exports find it with `Auth::plugin`.
#[derive(Debug)]
pub struct SimpleMagicLink {
    /// Where mail goes, how long a link lives, how the email reads.
    mail: LinkMail,
    /// The application's page the link opens (a path on the base origin).
    link_page: String,
    /// Sign-ins made with this plugin, counted by its hook.
    sign_ins: AtomicU64,
}

impl SimpleMagicLink {
    /// Sends links through `sender`, valid 5 minutes, opening
    /// `/magic-link?token=...` on the base URL's origin.
    pub fn new(sender: impl EmailSender) -> Self {
        Self {
            mail: LinkMail::new(sender, 5 * 60, Arc::new(default_email)),
            link_page: "/magic-link".to_owned(),
            sign_ins: AtomicU64::new(0),
        }
    }

    /// How long a link stays valid, in seconds.
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.mail.set_expires_in(seconds);
        self
    }

    /// The path of the application's page that the link opens, on the base
    /// URL's origin; the token is added as `?token=`. The page posts it to
    /// `{base_path}/simple-magic-link/verify` (a plain HTML form will do).
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use custom_plugin::SimpleMagicLink;
    ///
    /// let plugin = SimpleMagicLink::new(DangerConsoleSender).link_page("/welcome/link");
    /// ```
    pub fn link_page(mut self, path: impl Into<String>) -> Self {
        self.link_page = path.into();
        self
    }

    /// Mails a link to `email` if it has an account, and does the same work
    /// for nothing otherwise (see [`LinkMail::send_if`]): deciding, issuing
    /// the token and sending happen in the background, so the answer waits
    /// for none of them and reveals nothing.
    async fn send_link<U, A>(&self, auth: &Auth<U, A>, email: &str) -> Result<(), Error>
    where
        U: AuthUser,
        A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
    {
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let page = format!("{}{}", auth.base_origin(), self.link_page);
        let lookup = auth.clone();
        let to = email.clone();
        let decide = async move {
            match lookup.adapter().find_user_by_email(&to).await {
                Ok(Some(_)) => Ok(Some(LinkRequest {
                    purpose: PURPOSE,
                    // The link proves the address it was sent to.
                    identifier: to.as_str().to_owned(),
                    data: None,
                    to,
                })),
                Ok(None) => Ok(None),
                Err(error) => Err(error.to_string()),
            }
        };
        let link = move |token: &str| format!("{page}?token={}", url::encode(token));
        self.mail.send_if(auth, email, PURPOSE, decide, link).await;
        Ok(())
    }

    /// Consumes a link's token and signs in the account that holds the
    /// address it was sent to.
    async fn sign_in<U, A>(
        &self,
        auth: &Auth<U, A>,
        token: &str,
        client: ClientInfo,
    ) -> Result<SignInOutcome<U>, Error>
    where
        U: AuthUser,
        A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
    {
        // Single use, whatever happens next.
        let record = auth.consume_token(token, PURPOSE).await?;
        let email = Email::parse(&record.identifier).ok_or(Error::InvalidToken)?;
        let user = auth
            .adapter()
            .find_user_by_email(&email)
            .await?
            .ok_or(Error::InvalidToken)?;
        // Following the link proves the address: the core's ownership
        // policy takes over an account someone else set up with it, before
        // the new session exists, so that session is the only one left.
        auth.prove_email(&user, EmailProof::SignIn).await?;
        // The core creates the session (fresh secret, session guards,
        // `Event::SignedIn` with our method); the caller hands the result
        // to `Reply::signed_in`, and the core alone writes the cookie.
        auth.create_session(user, client, METHOD).await
    }

    fn sign_in_count(&self) -> u64 {
        self.sign_ins.load(Ordering::Relaxed)
    }
}

fn default_email(to: &Email, url: &str, minutes: u64) -> OutgoingEmail {
    OutgoingEmail::new(
        to.clone(),
        "Your sign-in link",
        format!(
            "Sign in by opening this link:\n\n{url}\n\nIt works once, within {minutes} minutes.\n\
             If you did not ask to sign in, ignore this email."
        ),
    )
}

/// The plugin contract. `A` is bounded by the capabilities the plugin
/// needs, so adding it to an `Auth` whose adapter lacks them does not
/// compile.
impl<U, A> Plugin<U, A> for SimpleMagicLink
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    fn name(&self) -> &'static str {
        NAME
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        // Handlers receive `Arc<Self>`: the configuration reaches them
        // directly, with no lookup on the request path.
        let on = PluginEndpoints::of(&self);
        vec![
            // Under `/signin/*`, so the default per-client rate limit of
            // sign-ins applies (see the README for the per-address one).
            on.post("/signin/simple-magic-link", endpoints::send),
            // A POST, never a GET: see the crate docs. Accepts forms, so
            // the link's page can be a plain HTML form.
            on.post("/simple-magic-link/verify", endpoints::verify)
                .accepting_forms(),
        ]
    }

    fn hooks(self: Arc<Self>) -> Vec<Hook<U, A>> {
        vec![Hook::new(
            EventKind::AfterSignIn,
            move |event: Event<U>, _auth: Auth<U, A>| {
                let plugin = Arc::clone(&self);
                async move {
                    // Every sign-in is heard here; `method` tells ours apart.
                    if let Event::SignedIn { method, .. } = event
                        && method == METHOD
                    {
                        plugin.sign_ins.fetch_add(1, Ordering::Relaxed);
                    }
                }
            },
        )]
    }
}

// The README's axum example is compiled here (its excerpts of this crate
// are marked `ignore`), so it stays true with the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
