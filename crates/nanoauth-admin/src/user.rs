//! What the plugin needs of the application's user type: its roles.

use nanoauth::AuthUser;

/// A user type with roles: who is an administrator, what
/// `POST /admin/set-role` changes, and what the user list filters on.
///
/// A user may hold several roles; how they are stored is the
/// application's (one column, a list, comma-separated text). The plugin
/// reads them with [`roles`](Self::roles), writes them with
/// [`set_roles`](Self::set_roles), and saves the user through the
/// adapter's [`UpdateUserAdapter`](nanoauth::UpdateUserAdapter), so the
/// field needs a column where the user type is stored.
///
/// ```
/// use nanoauth::{AuthUser, NewUser, NoFields};
/// use nanoauth_admin::AdminUser;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Clone, Serialize, Deserialize)]
/// struct MyUser {
///     id: String,
///     email: String,
///     name: String,
///     /// Comma-separated: "admin,support".
///     role: String,
/// }
///
/// impl AuthUser for MyUser {
///     type SignUp = NoFields;
///     type Update = NoFields;
///     fn id(&self) -> &str { &self.id }
///     fn email(&self) -> &str { &self.email }
///     fn from_sign_up(new: NewUser<NoFields>) -> Self {
///         MyUser { id: new.id, email: new.email.into(), name: String::new(), role: "user".into() }
///     }
///     fn apply_update(&mut self, _: NoFields) {}
/// }
///
/// impl AdminUser for MyUser {
///     fn roles(&self) -> Vec<String> {
///         self.role.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect()
///     }
///     fn set_roles(&mut self, roles: &[String]) {
///         self.role = roles.join(",");
///     }
/// }
/// ```
pub trait AdminUser: AuthUser {
    /// The roles the user holds (any order; empty for none).
    fn roles(&self) -> Vec<String>;

    /// Replaces the user's roles with `roles` (validated against the
    /// plugin's [`roles`](crate::Admin::roles), at least one).
    fn set_roles(&mut self, roles: &[String]);
}
