//! Account management: a signed-in user edits their own fields, moves to a
//! new email address, and deletes their account.
//!
//! | Method | Path | Body / query | Answer |
//! |---|---|---|---|
//! | POST | `/update-user` | the user type's [`AuthUser::Update`] fields | `{"user": ...}` (signed in) |
//! | POST | `/change-email` | `{newEmail, callbackURL?}` | `{"success":true}`, whether or not the address is taken (signed in) |
//! | GET | `/change-email/verify` | `?token=&callbackURL=` | a page that posts the link back |
//! | POST | `/change-email/verify` | form or JSON `{token, callbackURL?}` | `303` to `callbackURL?emailChanged=true` (or `?error=CODE`); JSON `{"user": ...}` without `callbackURL` |
//! | POST | `/delete-user` | `{password?, callbackURL?}` | `{"deleted":true}` and the cookie cleared; `{"deleted":false}` when a link was mailed instead (fresh session) |
//! | GET | `/delete-user/confirm` | `?token=&callbackURL=` | a page that posts the link back |
//! | POST | `/delete-user/confirm` | form or JSON `{token, callbackURL?}` | `303` to `callbackURL?deleted=true` (or `?error=CODE`); JSON `{"deleted":true}` without `callbackURL` |
//!
//! - **Editing** writes only what [`AuthUser::Update`] declares, through
//!   [`AuthUser::apply_update`]: other fields in the body (`role`, `email`,
//!   `id`) are ignored, and an update that would change the id or address
//!   is refused. The session cache forgets the user's sessions before and
//!   after the write, so this process never serves the old user again;
//!   another process with a session cache may, until its entry's time to
//!   live ends ([`AuthBuilder::session_cache`](crate::AuthBuilder::session_cache)).
//! - **A new address** must be proven: `/change-email` mails a link to the
//!   new address (and a notice to the current one) and changes nothing;
//!   following the link moves the account (recorded as verified, since the
//!   link proved it) and revokes every other session. A taken address is
//!   answered exactly like a free one, after the same work, and gets no
//!   mail; if it was taken between the request and the link, the link
//!   answers `409 CONFLICT` (the store's unique index decides).
//! - **Deleting** needs a fresh session and, for an account with a
//!   password, the password (wrong: `400 INVALID_PASSWORD`, counted toward
//!   the `"password"` [`Lockout`](crate::rate_limit::Lockout) that sign-in
//!   uses; missing: `400 PASSWORD_REQUIRED`). An account without one gets a
//!   link at its address, and following it deletes. The user, sessions,
//!   password, linked accounts and plugin records (passkeys, two-factor,
//!   API keys) go in one transaction ([`DeleteUserAdapter`]);
//!   [`Event::UserDeleted`](crate::Event::UserDeleted) tells the
//!   application to delete its own rows. To refuse a deletion (an owner of
//!   an organization, say), add a before hook on `/delete-user` and
//!   `/delete-user/confirm` ([`Auth::before`](crate::Auth::before)).
//!
//! Needs an adapter with [`UpdateUserAdapter`], [`DeleteUserAdapter`],
//! [`VerificationAdapter`] (the links) and [`PasswordAdapter`] (is there a
//! password to ask for?), and the email/password plugin to check
//! passwords; every adapter NanoAuth ships has them. It is not added by
//! default, because an application's own adapter may lack those
//! capabilities:
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::email::DangerConsoleSender;
//! use nanoauth::plugins::account::Account;
//! use nanoauth::plugins::email_password::EmailPassword;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .plugin(Account::new(DangerConsoleSender))
//!     .build();
//! assert!(auth.is_ok());
//! ```

mod api;
mod endpoints;

use std::sync::Arc;

pub use api::{AccountApi, Deletion};

use crate::Plugin;
use crate::adapter::{DeleteUserAdapter, PasswordAdapter, UpdateUserAdapter, VerificationAdapter};
use crate::email::{EmailSender, OutgoingEmail};
use crate::plugins::link_mail::LinkMail;
use crate::rate_limit::Limit;
use crate::{AuthUser, Email};
use crate::{Endpoint, PluginEndpoints};

/// The account-management plugin and its options.
#[derive(Clone)]
pub struct Account {
    /// The link to a new address.
    change_mail: LinkMail,
    /// The link that confirms a deletion without a password.
    delete_mail: LinkMail,
    /// The notice to the current address that a change was asked for.
    notices: Arc<dyn EmailSender>,
    render_notice: RenderNotice,
}

/// How the notice to the current address reads: `(current, new)`.
type RenderNotice = Arc<dyn Fn(&Email, &Email) -> OutgoingEmail + Send + Sync>;

impl Account {
    /// Mails through `sender`; links valid one hour.
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth::plugins::account::Account;
    ///
    /// let plugin = Account::new(DangerConsoleSender).expires_in(30 * 60);
    /// ```
    pub fn new(sender: impl EmailSender) -> Self {
        let sender: Arc<dyn EmailSender> = Arc::new(sender);
        Self {
            change_mail: LinkMail::new(
                Arc::clone(&sender),
                60 * 60,
                Arc::new(default_change_email),
            ),
            delete_mail: LinkMail::new(
                Arc::clone(&sender),
                60 * 60,
                Arc::new(default_delete_email),
            ),
            notices: sender,
            render_notice: Arc::new(default_notice),
        }
    }

    /// How long the links stay valid, in seconds.
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.change_mail.set_expires_in(seconds);
        self.delete_mail.set_expires_in(seconds);
        self
    }

    /// Replaces the email with the link to a new address `(to, url,
    /// minutes)`.
    ///
    /// ```
    /// use nanoauth::email::{DangerConsoleSender, OutgoingEmail};
    /// use nanoauth::plugins::account::Account;
    ///
    /// let plugin = Account::new(DangerConsoleSender).render_change_email(|to, url, minutes| {
    ///     OutgoingEmail::new(to.clone(), "Confirm", format!("{url} ({minutes} min)"))
    /// });
    /// ```
    pub fn render_change_email(
        mut self,
        render: impl Fn(&Email, &str, u64) -> OutgoingEmail + Send + Sync + 'static,
    ) -> Self {
        self.change_mail.set_render(Arc::new(render));
        self
    }

    /// Replaces the email with the link that confirms a deletion `(to, url,
    /// minutes)`.
    ///
    /// ```
    /// use nanoauth::email::{DangerConsoleSender, OutgoingEmail};
    /// use nanoauth::plugins::account::Account;
    ///
    /// let plugin = Account::new(DangerConsoleSender).render_delete_email(|to, url, _| {
    ///     OutgoingEmail::new(to.clone(), "Delete your account?", url.to_owned())
    /// });
    /// ```
    pub fn render_delete_email(
        mut self,
        render: impl Fn(&Email, &str, u64) -> OutgoingEmail + Send + Sync + 'static,
    ) -> Self {
        self.delete_mail.set_render(Arc::new(render));
        self
    }

    /// Replaces the notice to the current address `(current, new)`. It
    /// holds no link: the person who asked has the link at the new
    /// address, and the notice is for the owner who did not.
    ///
    /// ```
    /// use nanoauth::email::{DangerConsoleSender, OutgoingEmail};
    /// use nanoauth::plugins::account::Account;
    ///
    /// let plugin = Account::new(DangerConsoleSender).render_notice(|current, new| {
    ///     OutgoingEmail::new(current.clone(), "Address change", format!("to {new}"))
    /// });
    /// ```
    pub fn render_notice(
        mut self,
        render: impl Fn(&Email, &Email) -> OutgoingEmail + Send + Sync + 'static,
    ) -> Self {
        self.render_notice = Arc::new(render);
        self
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("change_mail", &self.change_mail)
            .field("delete_mail", &self.delete_mail)
            .finish_non_exhaustive()
    }
}

fn default_change_email(to: &Email, url: &str, minutes: u64) -> OutgoingEmail {
    OutgoingEmail::new(
        to.clone(),
        "Confirm your new email address",
        format!(
            "Someone asked to move their account to this address. If it was you, \
             confirm by opening this link:\n\n{url}\n\n\
             It works once, within {minutes} minutes. If it was not you, ignore this email."
        ),
    )
}

fn default_delete_email(to: &Email, url: &str, minutes: u64) -> OutgoingEmail {
    OutgoingEmail::new(
        to.clone(),
        "Confirm deleting your account",
        format!(
            "You asked to delete your account. Opening this link deletes it, \
             with everything stored for it; this cannot be undone:\n\n{url}\n\n\
             It works once, within {minutes} minutes. If you did not ask, ignore this email."
        ),
    )
}

fn default_notice(current: &Email, new: &Email) -> OutgoingEmail {
    OutgoingEmail::new(
        current.clone(),
        "Your email address is about to change",
        format!(
            "Someone signed in to your account asked to move it to {new}. \
             It moves only when a link sent there is opened. If this was not you, \
             change your password and sign out your other sessions."
        ),
    )
}

/// What every route of the plugin needs from storage.
pub trait AccountStore<U: AuthUser>:
    UpdateUserAdapter<U> + DeleteUserAdapter<U> + VerificationAdapter<U> + PasswordAdapter<U>
{
}

impl<U, A> AccountStore<U> for A
where
    U: AuthUser,
    A: UpdateUserAdapter<U> + DeleteUserAdapter<U> + VerificationAdapter<U> + PasswordAdapter<U>,
{
}

impl<U: AuthUser, A: AccountStore<U>> Plugin<U, A> for Account {
    fn name(&self) -> &'static str {
        "account"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.post("/update-user", endpoints::update_user),
            // Each request mails a link: as tight as the other mail routes.
            on.post("/change-email", endpoints::change_email)
                .rate_limited(Limit::new(3, 60)),
            on.get("/change-email/verify", endpoints::change_email_page)
                .safe(),
            on.post("/change-email/verify", endpoints::confirm_change_email)
                .accepting_forms(),
            // A password check: as tight as the password routes.
            on.post("/delete-user", endpoints::delete_user)
                .rate_limited(Limit::new(3, 10)),
            on.get("/delete-user/confirm", endpoints::delete_page)
                .safe(),
            on.post("/delete-user/confirm", endpoints::confirm_delete)
                .accepting_forms(),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }
}
