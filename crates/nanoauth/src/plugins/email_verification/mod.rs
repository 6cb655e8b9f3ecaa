//! Email verification: a link sent on sign-up (and on request) proves the
//! user owns their address; optionally, sign-in waits for it.
//!
//! | Method | Path | Body / query | Answer |
//! |---|---|---|---|
//! | GET | `/verify-email` | `?token=&callbackURL=` | an HTML page that posts the link back (below) |
//! | POST | `/verify-email` | form or JSON `{token, callbackURL?}` | `303` to `callbackURL?verified=true`, or `?error=CODE`; JSON without `callbackURL` |
//! | POST | `/send-verification-email` | `{email, callbackURL?}` | `{"success":true}`, whether or not the account exists |
//!
//! Following a link takes a `POST`, so a mail scanner that fetches it does
//! not use it up: the `GET` answers a small page whose script (or, without
//! scripts, button) posts it, and `HEAD` never runs anything. With
//! [`LinkConfirmation::Get`] (for API-only applications) the `GET`
//! verifies at once, with a `302` (JSON without `callbackURL`).
//!
//! With [`EmailVerification::require_verified_sign_in`], every sign-in of
//! an unverified user is refused with `403 EMAIL_NOT_VERIFIED` (a session
//! guard, so it holds for every sign-in plugin), and sign-up answers
//! `{user, token: null}` without a cookie. Needs an adapter with
//! [`VerificationAdapter`] and [`EmailVerificationAdapter`].

mod api;
mod endpoints;

use std::sync::Arc;

pub use api::EmailVerificationApi;

use crate::Auth;
use crate::Error;
use crate::Plugin;
use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::email::{EmailSender, OutgoingEmail};
use crate::plugins::link_mail::LinkMail;
use crate::plugins::link_page::LinkConfirmation;
use crate::{AuthUser, Email};
use crate::{Endpoint, PluginEndpoints};
use crate::{Event, EventKind, Hook};
use crate::{GuardVerdict, SessionGuard, SignInAttempt};

/// The email-verification plugin and its options.
#[derive(Clone, Debug)]
pub struct EmailVerification {
    pub(crate) mail: LinkMail,
    send_on_sign_up: bool,
    require_verified: bool,
    confirmation: LinkConfirmation,
}

impl EmailVerification {
    /// Sends verification links through `sender` on sign-up, valid one hour.
    pub fn new(sender: impl EmailSender) -> Self {
        Self {
            mail: LinkMail::new(sender, 60 * 60, Arc::new(default_email)),
            send_on_sign_up: true,
            require_verified: false,
            confirmation: LinkConfirmation::Post,
        }
    }

    /// Refuses sign-in until the email is verified (`EMAIL_NOT_VERIFIED`).
    pub fn require_verified_sign_in(mut self) -> Self {
        self.require_verified = true;
        self
    }

    /// Sends no link on sign-up (only on request).
    pub fn without_sending_on_sign_up(mut self) -> Self {
        self.send_on_sign_up = false;
        self
    }

    /// How a followed link is confirmed: [`LinkConfirmation::Post`] (the
    /// default: a page that posts it, so mail scanners leave it whole) or
    /// [`LinkConfirmation::Get`] (the `GET` verifies, for API-only apps).
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth::plugins::LinkConfirmation;
    /// use nanoauth::plugins::email_verification::EmailVerification;
    ///
    /// let plugin =
    ///     EmailVerification::new(DangerConsoleSender).link_confirmation(LinkConfirmation::Get);
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
        "Verify your email address",
        format!(
            "Confirm that this is your address by opening this link:\n\n{url}\n\n\
             It works once, within {minutes} minutes. If you did not sign up, ignore this email."
        ),
    )
}

impl<U, A> Plugin<U, A> for EmailVerification
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    fn name(&self) -> &'static str {
        "email-verification"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let follow = match self.confirmation {
            LinkConfirmation::Post => on.get("/verify-email", endpoints::page).safe(),
            LinkConfirmation::Get => on.get("/verify-email", endpoints::verify_on_get),
        };
        let routes = vec![
            follow,
            on.post("/verify-email", endpoints::verify)
                .accepting_forms(),
            on.post("/send-verification-email", endpoints::send),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }

    fn hooks(self: Arc<Self>) -> Vec<Hook<U, A>> {
        let mut hooks = Vec::new();
        if self.send_on_sign_up {
            // A sign-up for a taken address was answered like a new
            // account's, which gets a link: the owner gets one too (if still
            // unverified), and the same work is done either way, so the
            // timing tells nothing either.
            let plugin = Arc::clone(&self);
            hooks.push(Hook::new(
                EventKind::OnEmailTaken,
                move |event: Event<U>, auth: Auth<U, A>| {
                    let plugin = Arc::clone(&plugin);
                    async move {
                        if let Event::EmailTaken { email } = event {
                            let exports = EmailVerificationApi::bound(&auth, plugin);
                            let _ = exports.send(email.as_str(), "/").await;
                        }
                    }
                },
            ));
            let plugin = Arc::clone(&self);
            hooks.push(Hook::new(
                EventKind::AfterSignUp,
                move |event: Event<U>, auth: Auth<U, A>| {
                    let plugin = Arc::clone(&plugin);
                    async move {
                        if let Event::SignedUp { user } = event {
                            // A listener cannot fail the sign-up; the user can
                            // ask for another link with /send-verification-email.
                            let exports = EmailVerificationApi::bound(&auth, plugin);
                            let _ = exports.send_to_user(&user, "/").await;
                        }
                    }
                },
            ));
        }
        hooks
    }

    fn session_guards(self: Arc<Self>) -> Vec<SessionGuard<U, A>> {
        if !self.require_verified {
            return Vec::new();
        }
        vec![SessionGuard::new(
            |attempt: SignInAttempt<U>, auth: Auth<U, A>| async move {
                if auth.adapter().is_email_verified(attempt.user.id()).await? {
                    Ok(GuardVerdict::Allow)
                } else {
                    Err(Error::EmailNotVerified)
                }
            },
        )]
    }
}
