//! `auth.account()`: edit a user, move them to a new address, delete them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Auth;
use crate::Error;
use crate::plugins::email_password::EmailPassword;
use crate::plugins::link_mail::LinkRequest;
use crate::utils::token::TokenHash;
use crate::utils::url;
use crate::{AuthUser, CachedSessions, Email, Event};

use super::{Account, AccountStore};

/// The purpose of the link to a new address.
const CHANGE_EMAIL: &str = "change-email";
/// The purpose of the link that confirms a deletion.
const DELETE_ACCOUNT: &str = "delete-account";

/// What the link to a new address keeps with its token.
#[derive(Serialize, Deserialize)]
struct EmailChange {
    /// The new address.
    email: String,
    /// The address when the change was asked for: a link issued before
    /// another change is refused rather than undoing it.
    previous: String,
}

/// How [`AccountApi::delete_user`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deletion {
    /// The account is gone.
    Deleted,
    /// The account has no password to ask for: a link went to its address,
    /// and following it deletes.
    LinkSent,
}

impl<U: AuthUser, A: AccountStore<U>> Auth<U, A> {
    /// The account-management plugin's exports.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUpdate, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth::plugins::account::Account;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .plugin(Account::new(DangerConsoleSender))
    ///     .build()?;
    /// # let user = BasicUser { id: "u1".into(), email: "ada@example.com".into(), name: String::new() };
    /// # nanoauth::CreateUserAdapter::create_user(auth.adapter(), &user).await?;
    /// let update = BasicUpdate { name: Some("Ada".into()) };
    /// let user = auth.account().update_user("u1", update).await?;
    /// assert_eq!(user.name, "Ada");
    /// # Ok(()) }
    /// ```
    pub fn account(&self) -> AccountApi<'_, U, A> {
        AccountApi {
            auth: self,
            plugin: self.plugin::<Account>(),
        }
    }
}

/// The exports of [`Account`], from [`Auth::account`].
#[derive(Debug)]
pub struct AccountApi<'a, U: AuthUser, A: AccountStore<U>> {
    auth: &'a Auth<U, A>,
    /// Looked up once, when the exports are asked for; endpoints pass
    /// their own.
    plugin: Option<Arc<Account>>,
}

impl<'a, U: AuthUser, A: AccountStore<U>> AccountApi<'a, U, A> {
    /// The exports bound to `plugin`: what its endpoints use.
    pub(super) fn bound(auth: &'a Auth<U, A>, plugin: Arc<Account>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn options(&self) -> Result<&Account, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("account"))
    }

    /// Applies `changes` to the stored user `user_id` and saves it; emits
    /// [`Event::UserUpdated`]. The user is read again from the store (not
    /// taken from a session, which the cache may have kept), so an update
    /// never writes back fields older than the store's.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the user no longer exists;
    /// [`Error::Internal`] when [`AuthUser::apply_update`] changed the id
    /// or email (the application's bug, never written); adapter failures.
    pub async fn update_user(&self, user_id: &str, changes: U::Update) -> Result<U, Error> {
        self.options()?;
        let adapter = self.auth.adapter();
        let mut user = adapter
            .get_user(user_id)
            .await?
            .ok_or(Error::Unauthorized)?;
        let email = user.email().to_owned();
        user.apply_update(changes);
        if user.id() != user_id || user.email() != email {
            return Err(Error::Internal(
                "AuthUser::apply_update changed the user's id or email".into(),
            ));
        }
        // Forgotten before and after the write (as revocations are), so a
        // lookup racing the write cannot cache the old user behind it.
        self.auth.forget_cached(CachedSessions::OfUser(user_id));
        let updated = adapter.update_user(&user).await?;
        self.auth.forget_cached(CachedSessions::OfUser(user_id));
        if !updated {
            return Err(Error::Unauthorized);
        }
        self.auth
            .emit(Event::UserUpdated { user: user.clone() })
            .await;
        Ok(user)
    }

    /// Starts moving `user` to `new_email`: mails a link to the new
    /// address and a notice to the current one, both in the background.
    /// Nothing changes until the link is followed
    /// ([`confirm_email_change`](Self::confirm_email_change)).
    ///
    /// A taken address (the user's own included) gets no mail, and the
    /// answer and its timing are the same as for a free one: one lookup by
    /// address before answering, a token for no one written after it.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`], adapter
    /// failures of the lookup. Sending failures are
    /// [`Event::EmailNotSent`] events.
    pub async fn request_email_change(
        &self,
        user: &U,
        new_email: &str,
        callback_url: &str,
    ) -> Result<(), Error> {
        let options = self.options()?;
        let new_email = Email::parse(new_email).ok_or(Error::InvalidEmail)?;
        let current = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        let callback = self.auth.check_redirect(callback_url)?;
        let taken = self
            .auth
            .adapter()
            .find_user_by_email(&new_email)
            .await?
            .is_some();
        // The owner hears of every request, taken address or not: the
        // person asking is signed in as them, and tells themselves nothing.
        self.notify(options, &current, &new_email).await;
        if taken {
            options.change_mail.pretend(self.auth, CHANGE_EMAIL).await;
            return Ok(());
        }
        let data = serde_json::to_string(&EmailChange {
            email: new_email.as_str().to_owned(),
            previous: current.as_str().to_owned(),
        })
        .map_err(Error::internal)?;
        let mail = LinkRequest {
            purpose: CHANGE_EMAIL,
            identifier: user.id().to_owned(),
            data: Some(data),
            to: new_email,
        };
        let link = self.link("/change-email/verify", &callback);
        options
            .change_mail
            .send(self.auth, mail, move |token| format!("{link}{token}"))
            .await;
        Ok(())
    }

    /// Follows a link to a new address: moves its user there (recorded as
    /// verified), revokes their sessions but `keep` (the session of the
    /// request that followed it, when it is theirs), and emits
    /// [`Event::EmailChanged`]. Answers the moved user.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for an unknown or used link, or one issued
    /// before the address last changed; [`Error::TokenExpired`];
    /// `409 CONFLICT` when the address was taken since the link was sent;
    /// adapter failures.
    pub async fn confirm_email_change(
        &self,
        token: &str,
        keep: Option<&TokenHash>,
    ) -> Result<U, Error> {
        self.options()?;
        let record = self.auth.consume_token(token, CHANGE_EMAIL).await?;
        let change: EmailChange = record
            .data
            .as_deref()
            .and_then(|data| serde_json::from_str(data).ok())
            .ok_or(Error::InvalidToken)?;
        let new_email = Email::parse(&change.email).ok_or(Error::InvalidToken)?;
        let adapter = self.auth.adapter();
        let user_id = record.identifier.as_str();
        let user = adapter
            .get_user(user_id)
            .await?
            .ok_or(Error::InvalidToken)?;
        if user.email() != change.previous {
            return Err(Error::InvalidToken);
        }
        let previous = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        self.auth.forget_cached(CachedSessions::OfUser(user_id));
        if !adapter.change_email(user_id, &new_email).await? {
            return Err(Error::InvalidToken);
        }
        // Whoever held a session on the old address keeps none: the
        // address was the way back into the account.
        self.auth.revoke_user_sessions(user_id, keep).await?;
        // The kept session's cached user still has the old address.
        self.auth.forget_cached(CachedSessions::OfUser(user_id));
        let user = adapter
            .get_user(user_id)
            .await?
            .ok_or(Error::InvalidToken)?;
        self.auth
            .emit(Event::EmailChanged {
                user: user.clone(),
                previous,
            })
            .await;
        Ok(user)
    }

    /// Deletes `user` now when `password` is theirs, or mails a link to
    /// their address when they have no password; the caller has checked
    /// that the session asking is fresh. Does not count failures: the
    /// endpoint wraps it in the `"password"` lockout.
    ///
    /// # Errors
    /// [`Error::InvalidPassword`] for a wrong password; `400
    /// PASSWORD_REQUIRED` when the user has one and none was given;
    /// [`Error::InvalidRedirect`]; adapter failures.
    pub async fn delete_user(
        &self,
        user: &U,
        password: Option<&str>,
        callback_url: &str,
    ) -> Result<Deletion, Error> {
        let options = self.options()?;
        let callback = self.auth.check_redirect(callback_url)?;
        let email = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        // Without the email/password plugin no password can be checked (or
        // set): every account is one without a password.
        let has_password = self.auth.plugin::<EmailPassword>().is_some()
            && self
                .auth
                .adapter()
                .find_password_credential(&email)
                .await?
                .is_some_and(|credential| credential.user.id() == user.id());
        if !has_password {
            let mail = LinkRequest {
                purpose: DELETE_ACCOUNT,
                identifier: user.id().to_owned(),
                data: Some(user.email().to_owned()),
                to: email,
            };
            let link = self.link("/delete-user/confirm", &callback);
            options
                .delete_mail
                .send(self.auth, mail, move |token| format!("{link}{token}"))
                .await;
            return Ok(Deletion::LinkSent);
        }
        let password = password.ok_or_else(password_required)?;
        match self
            .auth
            .email_password()
            .check_password(user, password)
            .await?
        {
            Some(true) => {
                self.delete_now(user).await?;
                Ok(Deletion::Deleted)
            }
            _ => Err(Error::InvalidPassword),
        }
    }

    /// Follows a deletion link: deletes its user. Answers the deleted user.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for an unknown or used link, one for a user
    /// gone already, or one sent to an address the user has left;
    /// [`Error::TokenExpired`]; adapter failures.
    pub async fn confirm_deletion(&self, token: &str) -> Result<U, Error> {
        self.options()?;
        let record = self.auth.consume_token(token, DELETE_ACCOUNT).await?;
        let user = self
            .auth
            .adapter()
            .get_user(&record.identifier)
            .await?
            .ok_or(Error::InvalidToken)?;
        // The link proved the address it went to, not the one now.
        if record.data.as_deref() != Some(user.email()) {
            return Err(Error::InvalidToken);
        }
        if !self.delete_now(&user).await? {
            return Err(Error::InvalidToken);
        }
        Ok(user)
    }

    /// Deletes `user` with everything they own, at once, with no check:
    /// for the application's own flows (an administrator, say). Revokes
    /// their sessions in the session cache too, and emits
    /// [`Event::UserDeleted`]. `false` when the user was gone already.
    ///
    /// # Errors
    /// Adapter failures, with nothing deleted.
    pub async fn delete_now(&self, user: &U) -> Result<bool, Error> {
        let id = user.id();
        self.auth.forget_cached(CachedSessions::OfUser(id));
        let deleted = self.auth.adapter().delete_user(id).await?;
        // The adapter deleted the sessions with the user; this forgets
        // them in the cache again, after the delete (a lookup racing it
        // must not cache a session behind it), and deletes any that a
        // store keeping sessions apart from users still has.
        self.auth.revoke_user_sessions(id, None).await?;
        if deleted {
            self.auth
                .emit(Event::UserDeleted { user: user.clone() })
                .await;
        }
        Ok(deleted)
    }

    /// The link to `path` with its callback, to which the token is
    /// appended.
    fn link(&self, path: &str, callback: &str) -> String {
        format!(
            "{}{}{path}?callbackURL={}&token=",
            self.auth.base_origin(),
            self.auth.base_path(),
            url::encode(callback)
        )
    }

    /// Mails `current` the notice of a change to `new`, in the background.
    async fn notify(&self, options: &Account, current: &Email, new: &Email) {
        let message = (options.render_notice)(current, new);
        let sender = Arc::clone(&options.notices);
        let reporter = self.auth.clone();
        let task = Box::pin(async move {
            if let Err(error) = sender.send(&message).await {
                reporter
                    .emit(Event::EmailNotSent {
                        to: message.to.clone(),
                        purpose: "change-email-notice".to_owned(),
                        error: error.to_string(),
                    })
                    .await;
            }
        });
        if let Err(task) = self.auth.offload().spawn(task) {
            task.await;
        }
    }
}

/// `400 PASSWORD_REQUIRED`: deleting an account with a password asks for it.
pub(super) fn password_required() -> Error {
    Error::plugin(
        http::StatusCode::BAD_REQUEST,
        "PASSWORD_REQUIRED",
        "Enter your password to delete your account.",
    )
}
