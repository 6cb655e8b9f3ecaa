//! Password reset by a link sent by email.
//!
//! | Method | Path | Body | Answer |
//! |---|---|---|---|
//! | POST | `/request-password-reset` | `{email, redirectTo}` | `{"success":true}`, whether or not the account exists |
//! | POST | `/reset-password` | `{token, newPassword}` | `{"success":true}`; the user's sessions are ended; no sign-in |
//!
//! The email links to `redirectTo?token=...` (a page of the application that
//! asks for the new password and posts it to `/reset-password`). Tokens are
//! single-use and valid one hour by default, and a link stops working once
//! the account's password changes (a reset with another link, a password
//! change, a take-over that removed it): it keeps a fingerprint of the
//! stored hash, checked when it is used. Needs the
//! [`EmailPassword`](crate::plugins::email_password::EmailPassword) plugin
//! (its password rules and hasher) and an adapter with
//! [`VerificationAdapter`].

mod api;
mod endpoints;

use std::sync::Arc;

pub use api::PasswordResetApi;

use crate::Plugin;
use crate::adapter::{EmailVerificationAdapter, PasswordAdapter, VerificationAdapter};
use crate::email::{EmailSender, OutgoingEmail};
use crate::plugins::link_mail::LinkMail;
use crate::{AuthUser, Email};
use crate::{Endpoint, PluginEndpoints};

/// The password-reset plugin and its options.
#[derive(Clone, Debug)]
pub struct PasswordReset {
    pub(crate) mail: LinkMail,
    pub(crate) keep_sessions: bool,
}

impl PasswordReset {
    /// Sends reset links through `sender`, valid one hour; a reset ends all
    /// of the user's sessions.
    pub fn new(sender: impl EmailSender) -> Self {
        Self {
            mail: LinkMail::new(sender, 60 * 60, Arc::new(default_email)),
            keep_sessions: false,
        }
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

    /// Keeps the user's sessions after a reset.
    ///
    /// # Security
    /// Whoever took over an account keeps it after the owner resets the
    /// password.
    pub fn danger_keep_sessions(mut self) -> Self {
        self.keep_sessions = true;
        self
    }
}

fn default_email(to: &Email, url: &str, minutes: u64) -> OutgoingEmail {
    OutgoingEmail::new(
        to.clone(),
        "Reset your password",
        format!(
            "Choose a new password by opening this link:\n\n{url}\n\nIt works once, within {minutes} minutes.\n\
             If you did not ask for this, ignore this email: your password stays as it is."
        ),
    )
}

impl<U: AuthUser, A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>>
    Plugin<U, A> for PasswordReset
{
    fn name(&self) -> &'static str {
        "password-reset"
    }

    fn dependencies(&self) -> &'static [&'static str] {
        &["email-password"]
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.post("/request-password-reset", endpoints::request),
            on.post("/reset-password", endpoints::reset),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }
}
