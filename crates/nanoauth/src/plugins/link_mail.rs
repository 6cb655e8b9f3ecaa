//! What the plugins that email a link share: where mail goes, how long a
//! link lives, how the email reads, and sending one.

use std::sync::Arc;

use crate::adapter::VerificationAdapter;
use crate::auth::Auth;
use crate::email::{EmailSender, RenderLink};
use crate::error::Error;
use crate::events::Event;
use crate::user::{AuthUser, Email};

/// The link-mailing part of a plugin's options.
#[derive(Clone)]
pub(crate) struct LinkMail {
    pub(crate) sender: Arc<dyn EmailSender>,
    pub(crate) expires_in: u64,
    pub(crate) render: RenderLink,
}

impl LinkMail {
    pub(crate) fn new(sender: impl EmailSender, expires_in: u64, render: RenderLink) -> Self {
        Self {
            sender: Arc::new(sender),
            expires_in,
            render,
        }
    }

    /// Issues a token for `purpose` and `identifier` (keeping `data` with
    /// it), turns it into a link with `link`, and mails the link to `to`.
    ///
    /// The mail goes out in the background where the host can spawn tasks
    /// (see [`Offload::spawn`](crate::Offload::spawn)); a failure is then
    /// reported as [`Event::EmailNotSent`], never in the answer: awaiting a
    /// mail server, or failing when it fails, would let the answer say
    /// whether an account exists.
    pub(crate) async fn send<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        purpose: &str,
        identifier: &str,
        data: Option<&str>,
        to: &Email,
        link: impl FnOnce(&str) -> String,
    ) -> Result<(), Error> {
        let token = auth
            .issue_token_with_data(purpose, identifier, data, self.expires_in)
            .await?;
        let message = (self.render)(to, &link(&token), self.expires_in.div_ceil(60));
        let sender = Arc::clone(&self.sender);
        let (reporter, purpose) = (auth.clone(), purpose.to_owned());
        let task = Box::pin(async move {
            if let Err(error) = sender.send(&message).await {
                let to = message.to.clone();
                let error = error.to_string();
                reporter
                    .emit(Event::EmailNotSent { to, purpose, error })
                    .await;
            }
        });
        if let Err(task) = auth.offload().spawn(task) {
            // This host runs no background tasks: send before answering.
            task.await;
        }
        Ok(())
    }

    /// The storage work of [`send`](Self::send), for an address that gets
    /// no mail: a token for no one, which nobody can ever present. It makes
    /// the answer for an unknown address cost what a known one costs.
    pub(crate) async fn pretend<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        purpose: &str,
    ) -> Result<(), Error> {
        auth.issue_token(purpose, "", self.expires_in).await?;
        Ok(())
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
