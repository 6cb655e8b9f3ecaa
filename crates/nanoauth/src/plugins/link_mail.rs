//! What the plugins that email a link share: where mail goes, how long a
//! link lives, how the email reads, and sending one without the answer
//! revealing whether the address has an account. Public, so a plugin
//! outside the core mails its links exactly as the built-in ones do.

use std::sync::Arc;

use crate::Auth;
use crate::Event;
use crate::adapter::VerificationAdapter;
use crate::email::{EmailSender, RenderLink};
use crate::{AuthUser, Email};

/// The link-mailing part of a plugin's options.
///
/// ```
/// use std::sync::Arc;
/// use nanoauth::email::{DangerConsoleSender, OutgoingEmail};
/// use nanoauth::plugins::link_mail::LinkMail;
///
/// let mail = LinkMail::new(DangerConsoleSender, 15 * 60, Arc::new(|to, url, minutes| {
///     OutgoingEmail::new(to.clone(), "Your link", format!("{url} (valid {minutes} minutes)"))
/// }));
/// assert_eq!(mail.expires_in(), 900);
/// ```
#[derive(Clone)]
pub struct LinkMail {
    sender: Arc<dyn EmailSender>,
    expires_in: u64,
    render: RenderLink,
}

impl LinkMail {
    /// Mails through `sender` links valid `expires_in` seconds, written by
    /// `render`.
    pub fn new(sender: impl EmailSender, expires_in: u64, render: RenderLink) -> Self {
        Self {
            sender: Arc::new(sender),
            expires_in,
            render,
        }
    }

    /// How long a link stays valid, in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Sets how long a link stays valid, in seconds.
    pub fn set_expires_in(&mut self, seconds: u64) {
        self.expires_in = seconds;
    }

    /// Replaces how the email reads.
    pub fn set_render(&mut self, render: RenderLink) {
        self.render = render;
    }

    /// Issues a token for `purpose` and `identifier` (keeping `data` with
    /// it), turns it into a link with `link`, and mails the link to `to`.
    ///
    /// All of that happens in the background where the host can spawn
    /// tasks (see [`Offload::spawn`](crate::Offload::spawn)), and a failure
    /// is reported as [`Event::EmailNotSent`], never in the answer: awaiting
    /// a database write and a mail server, or failing when they fail, would
    /// let the answer say whether an account exists. [`pretend`] is the
    /// same for an address that gets no mail.
    ///
    /// [`pretend`]: Self::pretend
    pub async fn send<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        mail: LinkRequest,
        link: impl FnOnce(&str) -> String + Send + 'static,
    ) {
        let to = mail.to.clone();
        self.send_if(auth, to, mail.purpose, async { Ok(Some(mail)) }, link)
            .await;
    }

    /// [`send`](Self::send) or [`pretend`](Self::pretend), as `decide`
    /// says, and deciding is part of the background work too: for flows
    /// whose choice costs a read of the store (is the address verified
    /// already?), which the answer must not wait for, since only a known
    /// address needs it. `decide` answers the mail to send, or `None` for
    /// none; its failure is reported as [`Event::EmailNotSent`] to `to`.
    pub async fn send_if<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        to: Email,
        purpose: &'static str,
        decide: impl std::future::Future<Output = Result<Option<LinkRequest>, String>> + Send + 'static,
        link: impl FnOnce(&str) -> String + Send + 'static,
    ) {
        let (sender, render, expires_in) = (
            Arc::clone(&self.sender),
            Arc::clone(&self.render),
            self.expires_in,
        );
        let reporter = auth.clone();
        run_in_background(auth, async move {
            let sent = async {
                let Some(mail) = decide.await? else {
                    // No mail after all: the work of one all the same, a
                    // token for no one and a message nobody gets.
                    let token = reporter.issue_token(purpose, "", expires_in).await;
                    let _ = render(
                        &to,
                        &link(&token.unwrap_or_default()),
                        expires_in.div_ceil(60),
                    );
                    return Ok(());
                };
                let token = reporter
                    .issue_token_with_data(
                        mail.purpose,
                        &mail.identifier,
                        mail.data.as_deref(),
                        expires_in,
                    )
                    .await
                    .map_err(|error| error.to_string())?;
                let message = render(&mail.to, &link(&token), expires_in.div_ceil(60));
                sender
                    .send(&message)
                    .await
                    .map_err(|error| error.to_string())
            };
            if let Err(error) = sent.await {
                let purpose = purpose.to_owned();
                reporter
                    .emit(Event::EmailNotSent { to, purpose, error })
                    .await;
            }
        })
        .await;
    }

    /// The work of [`send`](Self::send) for an address that gets no mail:
    /// a token for no one, which nobody can ever present. It makes the
    /// answer for an unknown address cost what a known one costs.
    pub async fn pretend<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        purpose: &'static str,
    ) {
        let (worker, expires_in) = (auth.clone(), self.expires_in);
        run_in_background(auth, async move {
            let _ = worker.issue_token(purpose, "", expires_in).await;
        })
        .await;
    }
}

/// What a link is for and whom it goes to.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    /// The token's purpose.
    pub purpose: &'static str,
    /// Whom the token is for: a user id or an address, as the flow decides.
    pub identifier: String,
    /// What the flow keeps with the token.
    pub data: Option<String>,
    /// The recipient.
    pub to: Email,
}

/// Spawns `task`, or runs it now where the host cannot spawn.
async fn run_in_background<U: AuthUser, A: VerificationAdapter<U>>(
    auth: &Auth<U, A>,
    task: impl std::future::Future<Output = ()> + Send + 'static,
) {
    if let Err(task) = auth.offload().spawn(Box::pin(task)) {
        task.await;
    }
}

impl std::fmt::Debug for LinkMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkMail")
            .field("sender", &self.sender)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}
