//! What the plugins that email a link share: where mail goes, how long a
//! link lives, how the email reads, and sending one.

use std::sync::Arc;

use crate::adapter::VerificationAdapter;
use crate::auth::Auth;
use crate::email::{EmailSender, RenderLink};
use crate::error::Error;
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

    /// Issues a token for `purpose` and `user_id`, turns it into a link with
    /// `link`, and mails the link to `to`.
    pub(crate) async fn send<U: AuthUser, A: VerificationAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        purpose: &str,
        user_id: &str,
        to: &Email,
        link: impl FnOnce(&str) -> String,
    ) -> Result<(), Error> {
        let token = auth.issue_token(purpose, user_id, self.expires_in).await?;
        let message = (self.render)(to, &link(&token), self.expires_in.div_ceil(60));
        self.sender.send(&message).await.map_err(Error::internal)
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
