//! Who may manage keys beyond their own: the application's administrators
//! (a check the application hands over, such as the admin plugin's
//! `Admin::is_admin`) and, for an organization's keys, its members whose
//! roles allow `apiKey:<action>` (the organization plugin, feature
//! `organization`).
//!
//! Neither plugin is a dependency of the other's contract: the admin
//! check is a closure over the application's user type (this plugin
//! is not generic, so it keeps it type-erased and asks with the session's
//! user), and the organization check is `nanoauth_organization::member_permits`,
//! which needs plugin records only, as this plugin does.

use std::any::Any;
use std::sync::Arc;

use nanoauth::{Auth, AuthUser, Error, RecordAdapter};

/// The application's "is this user an administrator", type-erased.
pub(crate) type AdminCheck = Arc<dyn Fn(&dyn Any) -> bool + Send + Sync>;

/// `check` over the user type `U`, asked with any user: another type is
/// no administrator.
pub(crate) fn admin_check<U, F>(check: F) -> AdminCheck
where
    U: 'static,
    F: Fn(&U) -> bool + Send + Sync + 'static,
{
    Arc::new(move |user: &dyn Any| user.downcast_ref::<U>().is_some_and(&check))
}

/// What is done with keys, as the organization's `apiKey` actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAction {
    Create,
    Read,
    Update,
    Delete,
}

impl KeyAction {
    /// The action's name in the organization's access control.
    #[cfg_attr(not(feature = "organization"), allow(dead_code))]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// Whether the user `user_id` may do `action` with the keys of
/// `organization_id`; `None` for an organization key's *use*, which needs
/// the member to be one still (any role).
///
/// # Errors
/// `400 ORGANIZATION_KEYS_UNAVAILABLE` without the organization plugin
/// (or this crate's `organization` feature); the organization's refusals
/// (`403 FORBIDDEN` for a non-member, `404 ORGANIZATION_NOT_FOUND`);
/// adapter failures.
#[cfg(feature = "organization")]
pub(crate) async fn organization_allows<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    organization_id: &str,
    user_id: &str,
    action: Option<KeyAction>,
) -> Result<bool, Error> {
    let permissions: Vec<nanoauth_organization::access::Permission> = action
        .map(|action| ("apiKey", action.name()).into())
        .into_iter()
        .collect();
    match nanoauth_organization::member_permits(auth, organization_id, user_id, &permissions).await
    {
        Err(Error::PluginNotEnabled(_)) => Err(organization_keys_unavailable()),
        answer => answer,
    }
}

/// Without the `organization` feature there are no organization keys.
#[cfg(not(feature = "organization"))]
pub(crate) async fn organization_allows<U: AuthUser, A: RecordAdapter<U>>(
    _auth: &Auth<U, A>,
    _organization_id: &str,
    _user_id: &str,
    _action: Option<KeyAction>,
) -> Result<bool, Error> {
    Err(organization_keys_unavailable())
}

/// `400 ORGANIZATION_KEYS_UNAVAILABLE`: no organization plugin to ask.
pub(crate) fn organization_keys_unavailable() -> Error {
    Error::plugin(
        http::StatusCode::BAD_REQUEST,
        "ORGANIZATION_KEYS_UNAVAILABLE",
        "Organization keys need the organization plugin.",
    )
}

/// `403 FORBIDDEN`: not this caller's keys to manage.
pub(crate) fn forbidden() -> Error {
    Error::plugin(
        http::StatusCode::FORBIDDEN,
        "FORBIDDEN",
        "You may not manage these API keys.",
    )
}
