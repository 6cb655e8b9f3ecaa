//! The one door every session goes through: how a user signed in, the
//! guards that may refuse or challenge the sign-in, and what comes out.
//!
//! Every plugin that signs users in calls
//! [`Auth::create_session`](crate::Auth::create_session). The guards of all
//! plugins run there, whichever plugin asked, so a second factor or a
//! required email verification cannot be skipped by signing in some other
//! way. A guard that wants one more step answers with a
//! [`SignInChallenge`]; the sign-in then ends without a session, and the
//! plugin that issued the challenge finishes it later (calling
//! `create_session` again, with the step it verified recorded on the
//! [`SignInMethod`]).

use std::borrow::Cow;
use std::sync::Arc;

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::pipeline::endpoint::Reply;
use crate::session::{ClientInfo, SignedIn};
use crate::user::AuthUser;
use crate::utils::url;

/// How a user signed in: the plugin's name, and which of its ways where
/// it has several (`"email-password"`, `"magic-link"`, `"oauth:github"`),
/// plus the second factor when one was verified. Carried by
/// [`Event::SignedIn`](crate::Event::SignedIn), so a listener can tell a
/// password sign-in from a link or a provider.
///
/// ```
/// use nanoauth::SignInMethod;
/// assert_eq!(SignInMethod::new("magic-link").as_str(), "magic-link");
/// assert_eq!(SignInMethod::with_detail("oauth", "github").as_str(), "oauth:github");
///
/// let method = SignInMethod::new("email-password").with_second_factor("totp");
/// assert_eq!(method.second_factor(), Some("totp"));
/// assert_eq!(method.to_string(), "email-password+totp");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignInMethod {
    name: Cow<'static, str>,
    second_factor: Option<Cow<'static, str>>,
}

impl SignInMethod {
    /// A plugin's one way of signing in.
    pub const fn new(plugin: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(plugin),
            second_factor: None,
        }
    }

    /// A method by its text, as [`as_str`](Self::as_str) gave it (a plugin
    /// that finishes a sign-in another began keeps the first factor's
    /// method this way).
    pub fn named(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            second_factor: None,
        }
    }

    /// One of a plugin's ways: `plugin:detail`.
    pub fn with_detail(plugin: &str, detail: &str) -> Self {
        Self {
            name: Cow::Owned(format!("{plugin}:{detail}")),
            second_factor: None,
        }
    }

    /// The same first factor, with a verified second one (`"totp"`,
    /// `"backup-code"`; a passkey with user verification names its own).
    /// Guards that demand a second factor let such a sign-in through.
    #[must_use]
    pub fn with_second_factor(mut self, factor: impl Into<Cow<'static, str>>) -> Self {
        self.second_factor = Some(factor.into());
        self
    }

    /// The first factor as text (`"email-password"`, `"oauth:github"`).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The verified second factor, if any.
    pub fn second_factor(&self) -> Option<&str> {
        self.second_factor.as_deref()
    }
}

impl std::fmt::Display for SignInMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(factor) = &self.second_factor {
            write!(f, "+{factor}")?;
        }
        Ok(())
    }
}

/// A sign-in about to become a session, as guards see it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInAttempt<U> {
    /// Who is signing in.
    pub user: U,
    /// How.
    pub method: SignInMethod,
    /// From where, with the request's cookies (see [`ClientInfo::cookie`]).
    pub client: ClientInfo,
}

impl<U> SignInAttempt<U> {
    /// An attempt by `user`, as `create_session` builds it; plugins build
    /// one to ask [`Auth::check_session_guards`] whether a user *would* be
    /// let in.
    pub fn new(user: U, method: SignInMethod, client: ClientInfo) -> Self {
        Self {
            user,
            method,
            client,
        }
    }
}

/// A guard's answer to a sign-in it does not refuse.
#[derive(Debug)]
pub enum GuardVerdict {
    /// Let it through.
    Allow,
    /// One more step first: no session now, answer with the challenge.
    Challenge(SignInChallenge),
}

/// The answer to a sign-in that needs one more step before a session exists
/// (a second factor): what to send back instead of `{user, token}`.
///
/// JSON endpoints answer with [`reply`](Self::into_reply) (the issuing
/// plugin's body and cookies, e.g. `{"twoFactorRequired": true}` with a
/// challenge cookie). Sign-ins that end in a browser redirect (a magic link,
/// a social provider's callback) go to the challenge's page instead of
/// their callback URL, carrying the callback along
/// ([`into_redirect`](Self::into_redirect)).
///
/// ```
/// use nanoauth::{Reply, SignInChallenge};
/// let reply = Reply::json(&serde_json::json!({ "twoFactorRequired": true }))?
///     .with_cookie("two_factor", "abc", 300)?;
/// let challenge = SignInChallenge::new(reply).with_page("/two-factor");
/// let redirect = challenge.into_redirect("/dashboard")?;
/// # Ok::<(), nanoauth::Error>(())
/// ```
#[derive(Debug)]
pub struct SignInChallenge {
    reply: Reply,
    page: Option<String>,
}

impl SignInChallenge {
    /// A challenge answered with `reply` (its status, body and cookies).
    pub fn new(reply: Reply) -> Self {
        Self { reply, page: None }
    }

    /// The page (a path or URL) where browser flows continue.
    #[must_use]
    pub fn with_page(mut self, page: impl Into<String>) -> Self {
        self.page = Some(page.into());
        self
    }

    /// The reply for JSON endpoints.
    pub fn into_reply(self) -> Reply {
        self.reply
    }

    /// A `302` for browser flows, keeping the challenge's cookies: to the
    /// challenge's page with `callbackURL` set to `callback` (where the page
    /// sends the user once the step is done), or to `callback` itself when
    /// the challenge has no page.
    ///
    /// # Errors
    /// [`Error::InvalidRedirect`] if the location cannot be a header value.
    pub fn into_redirect(self, callback: &str) -> Result<Reply, Error> {
        let location = match &self.page {
            Some(page) => url::with_param(page, "callbackURL", callback),
            None => callback.to_owned(),
        };
        let mut reply = Reply::redirect(&location)?;
        reply.cookies = self.reply.cookies;
        Ok(reply)
    }
}

/// What a sign-in produced: a session, or a challenge to answer first.
///
/// ```
/// use nanoauth::{BasicUser, SignInOutcome};
/// fn describe(outcome: &SignInOutcome<BasicUser>) -> &'static str {
///     match outcome {
///         SignInOutcome::SignedIn(_) => "signed in",
///         SignInOutcome::Challenge(_) => "one more step",
///     }
/// }
/// ```
#[derive(Debug)]
pub enum SignInOutcome<U> {
    /// A session exists.
    SignedIn(SignedIn<U>),
    /// No session yet: answer with the challenge.
    Challenge(SignInChallenge),
}

impl<U> SignInOutcome<U> {
    /// The session, when the sign-in completed.
    pub fn signed_in(self) -> Option<SignedIn<U>> {
        match self {
            Self::SignedIn(signed_in) => Some(signed_in),
            Self::Challenge(_) => None,
        }
    }
}

impl<U> From<SignedIn<U>> for SignInOutcome<U> {
    fn from(signed_in: SignedIn<U>) -> Self {
        Self::SignedIn(signed_in)
    }
}

pub(crate) type GuardFn<U, A> = Arc<
    dyn Fn(
            SignInAttempt<U>,
            Auth<U, A>,
        ) -> crate::runtime::BoxFuture<'static, Result<GuardVerdict, Error>>
        + Send
        + Sync,
>;

/// A check every new session must pass, from
/// [`Plugin::session_guards`](crate::Plugin::session_guards): `Err` refuses
/// the sign-in with that error, [`GuardVerdict::Challenge`] asks for one more
/// step first.
///
/// ```
/// use nanoauth::{Auth, AuthUser, BasicUser, Error, GuardVerdict, SessionGuard, SignInAttempt};
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// type A = MemoryAdapter<BasicUser>;
/// // Nobody signs in by magic link here.
/// let guard = SessionGuard::new(|attempt: SignInAttempt<BasicUser>, _auth: Auth<BasicUser, A>| async move {
///     if attempt.method.as_str() == "magic-link" {
///         return Err(Error::InvalidCredentials);
///     }
///     Ok(GuardVerdict::Allow)
/// });
/// ```
pub struct SessionGuard<U: AuthUser, A: Adapter<U>> {
    pub(crate) check: GuardFn<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> SessionGuard<U, A> {
    /// A guard from an async check of the sign-in about to happen.
    pub fn new<F, Fut>(check: F) -> Self
    where
        F: Fn(SignInAttempt<U>, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<GuardVerdict, Error>> + Send + 'static,
    {
        Self {
            check: Arc::new(move |attempt, auth| Box::pin(check(attempt, auth))),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for SessionGuard<U, A> {
    fn clone(&self) -> Self {
        Self {
            check: Arc::clone(&self.check),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for SessionGuard<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionGuard(..)")
    }
}
