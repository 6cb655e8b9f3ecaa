//! Lifecycle events and the listeners that hear them.

use std::future::Future;
use std::sync::Arc;

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::runtime::BoxFuture;
use crate::session::{SessionRecord, SignInMethod};
use crate::user::{AuthUser, Email};

/// Something that happened, as listeners receive it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event<U> {
    /// A user account was created.
    SignedUp {
        /// The new user.
        user: U,
    },
    /// A session was created for a user.
    SignedIn {
        /// The user who signed in.
        user: U,
        /// The new session.
        session: SessionRecord,
        /// How: the plugin, and which of its ways.
        method: SignInMethod,
    },
    /// A session was ended by its user.
    SignedOut {
        /// The user whose session ended.
        user_id: String,
        /// The public id of the ended session.
        session_id: String,
    },
    /// A user showed that they receive mail at their address: they followed
    /// a magic link, a reset link or a verification link, or a social
    /// provider vouched for the address. It is recorded as verified (see
    /// [`Auth::prove_email`](crate::Auth::prove_email)).
    EmailProven {
        /// The user whose address it is.
        user: U,
    },
    /// The first proof of an address took an unclaimed account over: every
    /// session was revoked, the password set before the proof removed and
    /// the provider accounts linked before it unlinked (see
    /// [`Auth::prove_email`](crate::Auth::prove_email)). Worth a security
    /// notification to the address.
    AccountClaimed {
        /// The account, now its address's owner's.
        user: U,
    },
    /// A signed-in user changed their password (knowing the current one).
    /// Worth a security notification to the address: "if this was not you,
    /// reset your password".
    PasswordChanged {
        /// The user whose password changed.
        user: U,
    },
    /// A password was set with a reset link. Worth a security notification
    /// to the address.
    PasswordReset {
        /// The user whose password was reset.
        user: U,
    },
    /// A provider account (social sign-in) was linked to an existing user,
    /// who can now sign in with it: by the signed-in user, or by a provider
    /// that vouched for the address. Worth a security notification. (An
    /// account created by a social sign-in is [`Event::SignedUp`] instead.)
    AccountLinked {
        /// The user it was linked to.
        user_id: String,
        /// The provider's id in this application (`"google"`, `"github"`).
        provider: String,
        /// The user's id at the provider.
        account_id: String,
    },
    /// A provider account was unlinked from a user, who can no longer sign
    /// in with it. Worth a security notification.
    AccountUnlinked {
        /// The user it was unlinked from.
        user_id: String,
        /// The provider's id in this application.
        provider: String,
    },
    /// A sign-up asked for an address that has an account, and was answered
    /// as if it had not (new accounts must verify their address before
    /// signing in, so the answer could hide it). The email-verification
    /// plugin sends the owner a verification link if the address is not
    /// verified yet; tell the owner otherwise if you like.
    EmailTaken {
        /// The address.
        email: Email,
    },
    /// Mail that was sent in the background failed. The request that sent
    /// it was already answered (with the same answer as if no mail had been
    /// due, so that answers reveal no accounts): log it here.
    EmailNotSent {
        /// The recipient.
        to: Email,
        /// The flow: `"magic-link"`, `"verify-email"`, `"reset-password"`.
        purpose: String,
        /// What the sender reported.
        error: String,
    },
    /// A request reached `Auth::handler` with rate limits on but without a
    /// [`ClientAddr`](crate::ClientAddr): the integration does not pass
    /// the connection's peer address, so per-client limits cannot apply
    /// (see [`RateLimit`](crate::rate_limit::RateLimit#the-client)).
    /// Emitted once per `Auth`, for the first such request; the request is
    /// answered as usual.
    ClientAddrMissing {
        /// The path of that first request.
        path: String,
    },
    /// The background sweeper (`Auth::spawn_sweeper`) could not purge
    /// expired sessions or tokens; it tries again at its next run. Log it.
    PurgeFailed {
        /// What the store reported.
        error: String,
    },
    /// The signed-in user ended all their other sessions ("sign out
    /// everywhere else"). Plugins that remember browsers (trusted devices)
    /// forget them here too.
    SessionsRevoked {
        /// The user.
        user_id: String,
        /// How many sessions ended.
        revoked: u64,
    },
    /// A signed-in user changed their own fields (`POST /update-user`).
    UserUpdated {
        /// The user as stored now.
        user: U,
    },
    /// A user moved to a new address by following the link sent there
    /// (`POST /change-email`); their other sessions were revoked. Worth a
    /// security notification to the old address.
    EmailChanged {
        /// The user, with the new address.
        user: U,
        /// The address they left.
        previous: Email,
    },
    /// A user was deleted (`POST /delete-user`), with their sessions,
    /// password, linked accounts and plugin records. Delete the
    /// application's own rows of this user here.
    UserDeleted {
        /// The user as they were.
        user: U,
    },
    /// Something a plugin outside the core reports (two-factor turned on,
    /// a failed second factor); see [`PluginEvent`].
    Plugin(PluginEvent),
    /// A request through `Auth::handler` was answered with an error.
    Error {
        /// The error's stable code.
        code: &'static str,
        /// The HTTP status answered.
        status: u16,
        /// The request path.
        path: String,
    },
}

impl<U> Event<U> {
    /// Which kind of event this is.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::SignedUp { .. } => EventKind::AfterSignUp,
            Self::SignedIn { .. } => EventKind::AfterSignIn,
            Self::SignedOut { .. } => EventKind::AfterSignOut,
            Self::EmailProven { .. } => EventKind::AfterEmailProven,
            Self::AccountClaimed { .. } => EventKind::AfterAccountClaimed,
            Self::PasswordChanged { .. } => EventKind::AfterPasswordChanged,
            Self::PasswordReset { .. } => EventKind::AfterPasswordReset,
            Self::AccountLinked { .. } => EventKind::AfterAccountLinked,
            Self::AccountUnlinked { .. } => EventKind::AfterAccountUnlinked,
            Self::EmailTaken { .. } => EventKind::OnEmailTaken,
            Self::SessionsRevoked { .. } => EventKind::AfterSessionsRevoked,
            Self::UserUpdated { .. } => EventKind::AfterUserUpdated,
            Self::EmailChanged { .. } => EventKind::AfterEmailChanged,
            Self::UserDeleted { .. } => EventKind::AfterUserDeleted,
            Self::Plugin(event) => EventKind::Plugin(event.name),
            Self::Error { .. }
            | Self::EmailNotSent { .. }
            | Self::ClientAddrMissing { .. }
            | Self::PurgeFailed { .. } => EventKind::OnError,
        }
    }
}

/// The kinds of [`Event`] a listener can subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// After a user account is created.
    AfterSignUp,
    /// After a session is created.
    AfterSignIn,
    /// After a session is ended by sign-out.
    AfterSignOut,
    /// After a user followed an emailed link.
    AfterEmailProven,
    /// After the first proof of an address took an unclaimed account over.
    AfterAccountClaimed,
    /// After a signed-in user changed their password.
    AfterPasswordChanged,
    /// After a password was set with a reset link.
    AfterPasswordReset,
    /// After a provider account was linked to an existing user.
    AfterAccountLinked,
    /// After a provider account was unlinked from a user.
    AfterAccountUnlinked,
    /// When a sign-up for a taken address was answered as if it were free.
    OnEmailTaken,
    /// After a user ended all their other sessions.
    AfterSessionsRevoked,
    /// After a user changed their own fields.
    AfterUserUpdated,
    /// After a user moved to a new address.
    AfterEmailChanged,
    /// After a user was deleted.
    AfterUserDeleted,
    /// A plugin's own event, by its name (see [`PluginEvent::name`]).
    Plugin(&'static str),
    /// After a handled request failed, background work (mail, purging)
    /// did not get done, or the integration passed no client address.
    OnError,
}

/// An event a plugin outside the core emits, with
/// [`Auth::emit`](crate::Auth::emit)`(Event::Plugin(..))`. Listeners
/// subscribe with [`EventKind::Plugin`] and the event's name; the plugin
/// documents its names (as constants) and what `data` holds.
///
/// ```
/// use nanoauth::{Event, EventKind, PluginEvent};
/// let event = PluginEvent::new("two-factor.enabled", "u_1", serde_json::json!({}));
/// let event: Event<nanoauth::BasicUser> = Event::Plugin(event);
/// assert_eq!(event.kind(), EventKind::Plugin("two-factor.enabled"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PluginEvent {
    /// `plugin.what`, stable: `"two-factor.enabled"`.
    pub name: &'static str,
    /// The user it concerns.
    pub user_id: String,
    /// Details, as the plugin documents them. Never secrets.
    pub data: serde_json::Value,
}

impl PluginEvent {
    /// An event `name` about `user_id`.
    pub fn new(name: &'static str, user_id: impl Into<String>, data: serde_json::Value) -> Self {
        Self {
            name,
            user_id: user_id.into(),
            data,
        }
    }
}

pub(crate) type Listener<U, A> =
    Arc<dyn Fn(Event<U>, Auth<U, A>) -> BoxFuture<'static, ()> + Send + Sync>;

/// A listener bound to one kind of event, as plugins return from
/// [`Plugin::hooks`](crate::Plugin::hooks) and `Auth::on` registers.
///
/// Listeners run in registration order and are awaited before the request
/// that caused the event is answered; spawn a task for slow work. They get
/// the `Auth` itself, so the application's own adapter methods are in reach:
///
/// ```
/// use nanoauth::{Auth, Event, EventKind, Hook};
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::BasicUser;
///
/// let hook = Hook::new(EventKind::AfterSignUp, |event: Event<BasicUser>, auth: Auth<BasicUser, MemoryAdapter<BasicUser>>| async move {
///     if let Event::SignedUp { user } = event {
///         let _stored = auth.adapter().user_count();
///         println!("welcome, {}", user.email);
///     }
/// });
/// ```
pub struct Hook<U: AuthUser, A: Adapter<U>> {
    pub(crate) kind: EventKind,
    pub(crate) listener: Listener<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Hook<U, A> {
    /// A listener for events of `kind`.
    pub fn new<F, Fut>(kind: EventKind, listener: F) -> Self
    where
        F: Fn(Event<U>, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            kind,
            listener: Arc::new(move |event, auth| Box::pin(listener(event, auth))),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for Hook<U, A> {
    fn clone(&self) -> Self {
        Self {
            kind: self.kind,
            listener: Arc::clone(&self.listener),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for Hook<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hook")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
