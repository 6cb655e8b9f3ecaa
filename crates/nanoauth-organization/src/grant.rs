//! The permission check for other plugins: what
//! [`OrganizationsApi::has_permission`](crate::OrganizationsApi::has_permission)
//! answers for a user, needing only plugin records of the adapter.

use nanoauth::{Auth, AuthUser, Error, RecordAdapter};

use crate::access::Permission;
use crate::plugin::Organizations;
use crate::{errors, store};

/// Whether the user `user_id` may do every one of `permissions` in the
/// organization `organization_id`: the union of their roles, or yes for
/// the plugin's [`admin_user`](Organizations::admin_user) ids. The same
/// rule as [`OrganizationsApi::has_permission`](crate::OrganizationsApi::has_permission),
/// for a plugin whose storage bound is [`RecordAdapter`] alone (the
/// api-key plugin's organization keys), which cannot name
/// [`OrganizationsExt`](crate::OrganizationsExt).
///
/// ```
/// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_organization::member_permits;
/// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) -> Result<(), nanoauth::Error> {
/// if member_permits(&auth, "org_1", "u_1", &[("apiKey", "create").into()]).await? {
///     // create the organization's key
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::PluginNotEnabled`] without the [`Organizations`] plugin;
/// `403 FORBIDDEN` for a non-member, `404 ORGANIZATION_NOT_FOUND`,
/// `400 UNKNOWN_PERMISSION`; adapter failures.
pub async fn member_permits<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    organization_id: &str,
    user_id: &str,
    permissions: &[Permission],
) -> Result<bool, Error> {
    let plugin = auth
        .plugin::<Organizations>()
        .ok_or(Error::PluginNotEnabled("organization"))?;
    let doc = store::require(auth.adapter(), organization_id, auth.now())
        .await?
        .value;
    let admin = plugin.admins.iter().any(|admin| admin == user_id);
    let Some(member) = doc.member_of_user(user_id) else {
        return if admin {
            Ok(true)
        } else {
            Err(errors::not_a_member())
        };
    };
    let allowed = plugin
        .access
        .permits(&member.role, permissions)
        .map_err(errors::access)?;
    Ok(allowed || admin)
}
