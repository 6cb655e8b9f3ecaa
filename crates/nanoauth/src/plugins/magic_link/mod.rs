//! Sign-in by a link sent by email.
//!
//! | Method | Path | Body / query | Answer |
//! |---|---|---|---|
//! | POST | `/signin/magic-link` | `{email, callbackURL?, ...signUpFields}` | `{"success":true}`, whether or not the account exists |
//! | GET | `/magic/verify` | `?token=&callbackURL=` | an HTML page that posts the link back (below) |
//! | POST | `/magic/verify` | form or JSON `{token, callbackURL?}` | `303` to `callbackURL` with the session cookie, or to `callbackURL?error=CODE` |
//!
//! Following a link takes a `POST`, so a mail scanner that fetches it does
//! not use it up: the `GET` answers a small page whose script (or, without
//! scripts, button) posts it, and `HEAD` never runs anything. With
//! [`LinkConfirmation::Get`] (for API-only applications) the `GET` signs
//! in at once with a `302`, as a plain link would.
//!
//! Links are single-use tokens (see `Auth::issue_token`) valid 5 minutes by
//! default. By default only existing accounts get one; with
//! [`MagicLink::sign_up_on_first_use`] an unknown address gets a link that
//! creates its account when followed, with the request's other body fields
//! as the user type's `SignUp` fields (checked when the link is requested,
//! kept with the token until then). Following a link proves the address
//! ([`Auth::prove_email`](crate::Auth::prove_email), `EmailProof::SignIn`):
//! it is recorded as verified, and an account someone set up with it
//! without proving it is taken over cleanly first.
//! `callbackURL` must be a path on this site or a URL on a trusted origin.
//! Needs an adapter with [`VerificationAdapter`], [`CreateUserAdapter`] and
//! [`EmailVerificationAdapter`].
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::email::DangerConsoleSender;
//! use nanoauth::plugins::magic_link::MagicLink;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(MagicLink::new(DangerConsoleSender))
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```

mod api;
mod endpoints;

use std::sync::Arc;

pub use api::MagicLinkApi;

use crate::Plugin;
use crate::adapter::{CreateUserAdapter, EmailVerificationAdapter, VerificationAdapter};
use crate::email::{EmailSender, OutgoingEmail};
use crate::plugins::link_mail::LinkMail;
use crate::plugins::link_page::LinkConfirmation;
use crate::{AuthUser, Email};
use crate::{Endpoint, PluginEndpoints};

/// The magic-link plugin and its options.
#[derive(Clone, Debug)]
pub struct MagicLink {
    pub(crate) mail: LinkMail,
    pub(crate) sign_up: bool,
    confirmation: LinkConfirmation,
}

impl MagicLink {
    /// Sends links through `sender`, valid 5 minutes.
    pub fn new(sender: impl EmailSender) -> Self {
        Self {
            mail: LinkMail::new(sender, 5 * 60, Arc::new(default_email)),
            sign_up: false,
            confirmation: LinkConfirmation::Post,
        }
    }

    /// Lets a link create the account of an address that has none, when it
    /// is followed (not when it is requested: an address nobody reads gets
    /// no account).
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth::plugins::magic_link::MagicLink;
    ///
    /// let plugin = MagicLink::new(DangerConsoleSender).sign_up_on_first_use();
    /// ```
    pub fn sign_up_on_first_use(mut self) -> Self {
        self.sign_up = true;
        self
    }

    /// How a followed link is confirmed: [`LinkConfirmation::Post`] (the
    /// default: a page that posts it, so mail scanners leave it whole) or
    /// [`LinkConfirmation::Get`] (the `GET` signs in, for API-only apps).
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth::plugins::LinkConfirmation;
    /// use nanoauth::plugins::magic_link::MagicLink;
    ///
    /// let plugin = MagicLink::new(DangerConsoleSender).link_confirmation(LinkConfirmation::Get);
    /// ```
    pub fn link_confirmation(mut self, confirmation: LinkConfirmation) -> Self {
        self.confirmation = confirmation;
        self
    }

    /// How long a link stays valid, in seconds.
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.mail.set_expires_in(seconds);
        self
    }

    /// Replaces the email (see [`RenderLink`](crate::email::RenderLink)).
    pub fn render(
        mut self,
        render: impl Fn(&Email, &str, u64) -> OutgoingEmail + Send + Sync + 'static,
    ) -> Self {
        self.mail.set_render(Arc::new(render));
        self
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

impl<U: AuthUser, A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>>
    Plugin<U, A> for MagicLink
{
    fn name(&self) -> &'static str {
        "magic-link"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let follow = match self.confirmation {
            LinkConfirmation::Post => on.get("/magic/verify", endpoints::page).safe(),
            LinkConfirmation::Get => on.get("/magic/verify", endpoints::verify_on_get),
        };
        let routes = vec![
            on.post("/signin/magic-link", endpoints::send),
            follow,
            on.post("/magic/verify", endpoints::verify)
                .accepting_forms(),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }
}
