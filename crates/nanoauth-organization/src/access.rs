//! Access control: the resources and actions an application declares, and
//! roles as sets of them. Public and free of any organization detail, so
//! that another plugin (an admin plugin, the application itself) can use the
//! same vocabulary.
//!
//! Declared in Rust, checked in Rust; the strings (`"project"`,
//! `"create"`) are only the stable names on the wire and in storage. An
//! application may declare its actions as an enum ([`Action`]) and check
//! with the enum's values, or with `("project", "create")` pairs.
//!
//! ```
//! use nanoauth_organization::access::{AccessControl, Role, ADMIN, MEMBER, OWNER};
//!
//! let access = AccessControl::new()
//!     .resource("project", ["create", "read", "update", "delete"])
//!     .role(Role::member().allow("project", ["read"]))
//!     .role(Role::new("editor").allow("project", ["read", "update"]))
//!     .build()?;
//!
//! let can = |roles: &[&str], resource, action| {
//!     let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
//!     access.permits(&roles, &[(resource, action)]).unwrap()
//! };
//! assert!(can(&[OWNER], "project", "delete"));
//! assert!(can(&[ADMIN], "project", "delete"));
//! assert!(!can(&[MEMBER], "project", "update"));
//! // Several roles: the union of what each allows.
//! assert!(can(&[MEMBER, "editor"], "project", "update"));
//! # Ok::<(), nanoauth_organization::access::AccessError>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The built-in role that may do everything, and the only one that may
/// delete the organization; an organization always keeps one.
pub const OWNER: &str = "owner";
/// The built-in role that manages members, invitations and teams, and
/// everything the application declares, but cannot delete the organization
/// nor touch owners.
pub const ADMIN: &str = "admin";
/// The built-in role of everyone else: nothing of the built-in resources.
pub const MEMBER: &str = "member";

/// The rank of [`OWNER`]: the highest.
pub const OWNER_RANK: u16 = 300;
/// The rank of [`ADMIN`].
pub const ADMIN_RANK: u16 = 200;
/// The rank of [`MEMBER`], and of a custom role unless it says otherwise.
pub const MEMBER_RANK: u16 = 100;

/// The resources every organization has, with their actions: what the
/// plugin's own checks ask for.
pub const BUILT_IN: &[(&str, &[&str])] = &[
    ("organization", &["update", "delete"]),
    ("member", &["create", "update", "delete"]),
    ("invitation", &["create", "cancel"]),
    ("team", &["create", "update", "delete"]),
    // The organization's API keys (the api-key plugin's organization keys).
    ("apiKey", &["create", "read", "update", "delete"]),
];

/// One permission: an action on a resource, by their stable names.
///
/// ```
/// use nanoauth_organization::access::Permission;
/// let p: Permission = ("project", "create").into();
/// assert_eq!(p.to_string(), "project:create");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    /// The resource (`"project"`).
    pub resource: Cow<'static, str>,
    /// The action (`"create"`).
    pub action: Cow<'static, str>,
}

impl Permission {
    /// An action on a resource.
    ///
    /// ```
    /// use nanoauth_organization::access::Permission;
    /// let p = Permission::new("project", String::from("read"));
    /// assert_eq!(p.action, "read");
    /// ```
    pub fn new(
        resource: impl Into<Cow<'static, str>>,
        action: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            resource: resource.into(),
            action: action.into(),
        }
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)
    }
}

impl From<(&'static str, &'static str)> for Permission {
    fn from((resource, action): (&'static str, &'static str)) -> Self {
        Self::new(resource, action)
    }
}

/// An application's actions on one resource, as a Rust enum: declared with
/// [`AccessControl::resource_of`], granted with [`Role::allow_actions`],
/// checked as [`Permission`]s (`Project::Create.into()`).
///
/// ```
/// use nanoauth_organization::access::{AccessControl, Action, Permission, Role};
///
/// #[derive(Clone, Copy)]
/// enum Project { Create, Read }
///
/// impl Action for Project {
///     const RESOURCE: &'static str = "project";
///     const ALL: &'static [Self] = &[Project::Create, Project::Read];
///     fn name(self) -> &'static str {
///         match self { Project::Create => "create", Project::Read => "read" }
///     }
/// }
///
/// let access = AccessControl::new()
///     .resource_of::<Project>()
///     .role(Role::member().allow_actions([Project::Read]))
///     .build()?;
/// let member = vec!["member".to_owned()];
/// assert!(access.permits(&member, &[Project::Read])?);
/// assert!(!access.permits(&member, &[Project::Create])?);
/// # Ok::<(), nanoauth_organization::access::AccessError>(())
/// ```
pub trait Action: Copy + Send + Sync + 'static {
    /// The resource's stable name.
    const RESOURCE: &'static str;
    /// Every action of the resource.
    const ALL: &'static [Self];
    /// The action's stable name.
    fn name(self) -> &'static str;
}

impl<T: Action> From<T> for Permission {
    fn from(action: T) -> Self {
        Self::new(T::RESOURCE, action.name())
    }
}

/// What a role grants.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Grants {
    /// Every declared action but these.
    Everything { except: BTreeSet<Permission> },
    /// These actions only.
    Listed(BTreeSet<Permission>),
}

/// A role: a name, a rank (who may grant it to whom), and the actions it
/// allows.
///
/// ```
/// use nanoauth_organization::access::{Role, ADMIN_RANK};
/// let auditor = Role::new("auditor").allow("project", ["read"]).rank(ADMIN_RANK - 1);
/// assert_eq!(auditor.name(), "auditor");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    name: Cow<'static, str>,
    rank: u16,
    grants: Grants,
}

impl Role {
    /// A role allowing nothing yet, at [`MEMBER_RANK`].
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// let viewer = Role::new("viewer");
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            rank: MEMBER_RANK,
            grants: Grants::Listed(BTreeSet::new()),
        }
    }

    /// The built-in `owner`: every declared action.
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// assert_eq!(Role::owner().name(), "owner");
    /// ```
    pub fn owner() -> Self {
        Self {
            name: Cow::Borrowed(OWNER),
            rank: OWNER_RANK,
            grants: Grants::Everything {
                except: BTreeSet::new(),
            },
        }
    }

    /// The built-in `admin`: every declared action but deleting the
    /// organization.
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// assert_eq!(Role::admin().name(), "admin");
    /// ```
    pub fn admin() -> Self {
        Self {
            name: Cow::Borrowed(ADMIN),
            rank: ADMIN_RANK,
            grants: Grants::Everything {
                except: BTreeSet::from([Permission::new("organization", "delete")]),
            },
        }
    }

    /// The built-in `member`: nothing of the built-in resources; add the
    /// application's own with [`allow`](Self::allow).
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// let member = Role::member().allow("project", ["read"]);
    /// ```
    pub fn member() -> Self {
        Self::new(MEMBER)
    }

    /// Also allows `actions` on `resource`. On a role that allows
    /// everything, lifts an exception instead.
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// let editor = Role::new("editor").allow("project", ["read", "update"]);
    /// ```
    #[must_use]
    pub fn allow<I>(mut self, resource: &'static str, actions: I) -> Self
    where
        I: IntoIterator<Item = &'static str>,
    {
        for action in actions {
            self.grant(Permission::new(resource, action));
        }
        self
    }

    /// Also allows these typed actions (see [`Action`]).
    ///
    /// ```
    /// # use nanoauth_organization::access::{Action, Role};
    /// # #[derive(Clone, Copy)] enum Project { Read }
    /// # impl Action for Project {
    /// #     const RESOURCE: &'static str = "project";
    /// #     const ALL: &'static [Self] = &[Project::Read];
    /// #     fn name(self) -> &'static str { "read" }
    /// # }
    /// let viewer = Role::new("viewer").allow_actions([Project::Read]);
    /// ```
    #[must_use]
    pub fn allow_actions<T: Action>(mut self, actions: impl IntoIterator<Item = T>) -> Self {
        for action in actions {
            self.grant(action.into());
        }
        self
    }

    /// Takes `action` on `resource` away (from a role that allows
    /// everything, or one listed before).
    ///
    /// ```
    /// use nanoauth_organization::access::Role;
    /// let admin = Role::admin().deny("member", ["delete"]);
    /// ```
    #[must_use]
    pub fn deny<I>(mut self, resource: &'static str, actions: I) -> Self
    where
        I: IntoIterator<Item = &'static str>,
    {
        for action in actions {
            let permission = Permission::new(resource, action);
            match &mut self.grants {
                Grants::Everything { except } => {
                    except.insert(permission);
                }
                Grants::Listed(listed) => {
                    listed.remove(&permission);
                }
            }
        }
        self
    }

    /// Sets the rank: a member may grant, change and remove only roles
    /// ranked below their own highest (owners excepted, see
    /// [`AccessControl::may_manage`]).
    ///
    /// ```
    /// use nanoauth_organization::access::{Role, ADMIN_RANK};
    /// let lead = Role::new("lead").rank(ADMIN_RANK - 10);
    /// assert_eq!(lead.rank_value(), 190);
    /// ```
    #[must_use]
    pub fn rank(mut self, rank: u16) -> Self {
        self.rank = rank;
        self
    }

    /// The role's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The role's rank.
    pub fn rank_value(&self) -> u16 {
        self.rank
    }

    fn grant(&mut self, permission: Permission) {
        match &mut self.grants {
            Grants::Everything { except } => {
                except.remove(&permission);
            }
            Grants::Listed(listed) => {
                listed.insert(permission);
            }
        }
    }

    fn allows(&self, permission: &Permission) -> bool {
        match &self.grants {
            Grants::Everything { except } => !except.contains(permission),
            Grants::Listed(listed) => listed.contains(permission),
        }
    }
}

/// A mistake in the declarations or in a check: it names something that
/// was never declared.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessError {
    /// A role or a check names an action the application did not declare.
    UnknownPermission(String),
    /// A role name that is not declared.
    UnknownRole(String),
    /// A role name that is empty, too long, or holds a comma or spaces
    /// (roles travel comma-separated on the wire).
    InvalidRoleName(String),
    /// The `owner` role was replaced by one that is not the highest.
    OwnerNotHighest,
}

impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownPermission(p) => write!(f, "undeclared permission {p}"),
            Self::UnknownRole(r) => write!(f, "undeclared role {r:?}"),
            Self::InvalidRoleName(r) => write!(f, "invalid role name {r:?}"),
            Self::OwnerNotHighest => f.write_str("the owner role must have the highest rank"),
        }
    }
}

impl std::error::Error for AccessError {}

/// The resources, actions and roles an application declares. Starts with
/// the built-in resources ([`BUILT_IN`]) and roles ([`OWNER`], [`ADMIN`],
/// [`MEMBER`]); [`build`](Self::build) checks that every role names
/// declared actions only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessControl {
    statements: BTreeMap<Cow<'static, str>, BTreeSet<Cow<'static, str>>>,
    roles: BTreeMap<String, Role>,
}

impl Default for AccessControl {
    fn default() -> Self {
        Self::new()
    }
}

impl AccessControl {
    /// The built-in resources and roles.
    ///
    /// ```
    /// use nanoauth_organization::access::AccessControl;
    /// let access = AccessControl::new().build()?;
    /// assert!(access.is_role("admin"));
    /// # Ok::<(), nanoauth_organization::access::AccessError>(())
    /// ```
    pub fn new() -> Self {
        let mut statements = BTreeMap::new();
        for (resource, actions) in BUILT_IN {
            statements.insert(
                Cow::Borrowed(*resource),
                actions.iter().map(|a| Cow::Borrowed(*a)).collect(),
            );
        }
        let roles = [Role::owner(), Role::admin(), Role::member()]
            .into_iter()
            .map(|role| (role.name.to_string(), role))
            .collect();
        Self { statements, roles }
    }

    /// Declares a resource and its actions (added to any declared before).
    ///
    /// ```
    /// use nanoauth_organization::access::AccessControl;
    /// let access = AccessControl::new().resource("invoice", ["read", "pay"]);
    /// ```
    #[must_use]
    pub fn resource<I>(mut self, resource: &'static str, actions: I) -> Self
    where
        I: IntoIterator<Item = &'static str>,
    {
        self.statements
            .entry(Cow::Borrowed(resource))
            .or_default()
            .extend(actions.into_iter().map(Cow::Borrowed));
        self
    }

    /// Declares the resource of an [`Action`] enum with all its actions.
    ///
    /// ```
    /// # use nanoauth_organization::access::{AccessControl, Action};
    /// # #[derive(Clone, Copy)] enum Invoice { Pay }
    /// # impl Action for Invoice {
    /// #     const RESOURCE: &'static str = "invoice";
    /// #     const ALL: &'static [Self] = &[Invoice::Pay];
    /// #     fn name(self) -> &'static str { "pay" }
    /// # }
    /// let access = AccessControl::new().resource_of::<Invoice>();
    /// ```
    #[must_use]
    pub fn resource_of<T: Action>(mut self) -> Self {
        self.statements
            .entry(Cow::Borrowed(T::RESOURCE))
            .or_default()
            .extend(T::ALL.iter().map(|action| Cow::Borrowed(action.name())));
        self
    }

    /// Adds a role, or replaces the one of the same name (a built-in one
    /// too).
    ///
    /// ```
    /// use nanoauth_organization::access::{AccessControl, Role};
    /// let access = AccessControl::new().role(Role::new("viewer"));
    /// ```
    #[must_use]
    pub fn role(mut self, role: Role) -> Self {
        self.roles.insert(role.name.to_string(), role);
        self
    }

    /// Checks the declarations.
    ///
    /// # Errors
    /// [`AccessError::UnknownPermission`] when a role names an undeclared
    /// action; [`AccessError::InvalidRoleName`] for a name that cannot
    /// travel on the wire; [`AccessError::OwnerNotHighest`] when another
    /// role ranks at or above `owner`.
    ///
    /// ```
    /// use nanoauth_organization::access::{AccessControl, AccessError, Role};
    /// let wrong = AccessControl::new().role(Role::new("x").allow("projct", ["read"])).build();
    /// assert!(matches!(wrong, Err(AccessError::UnknownPermission(_))));
    /// ```
    pub fn build(self) -> Result<Self, AccessError> {
        let owner_rank = self.roles.get(OWNER).map_or(0, |role| role.rank);
        for role in self.roles.values() {
            if !valid_role_name(&role.name) {
                return Err(AccessError::InvalidRoleName(role.name.to_string()));
            }
            if role.name != OWNER && role.rank >= owner_rank {
                return Err(AccessError::OwnerNotHighest);
            }
            let named = match &role.grants {
                Grants::Everything { except } => except,
                Grants::Listed(listed) => listed,
            };
            for permission in named {
                self.check_declared(permission)?;
            }
        }
        Ok(self)
    }

    /// Whether `name` is a declared role.
    pub fn is_role(&self, name: &str) -> bool {
        self.roles.contains_key(name)
    }

    /// The declared roles.
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    /// The declared resources and their actions.
    pub fn statements(&self) -> impl Iterator<Item = (&str, impl Iterator<Item = &str>)> {
        self.statements
            .iter()
            .map(|(resource, actions)| (resource.as_ref(), actions.iter().map(AsRef::as_ref)))
    }

    /// Whether a holder of `roles` may do every one of `permissions`: each
    /// must be allowed by at least one of the roles (their union). Roles
    /// that are no longer declared allow nothing.
    ///
    /// # Errors
    /// [`AccessError::UnknownPermission`] when a permission was never
    /// declared (a typo should not read as "denied").
    pub fn permits<P: Into<Permission> + Clone>(
        &self,
        roles: &[String],
        permissions: &[P],
    ) -> Result<bool, AccessError> {
        let mut all = true;
        for permission in permissions {
            let permission: Permission = permission.clone().into();
            self.check_declared(&permission)?;
            all &= roles
                .iter()
                .filter_map(|name| self.roles.get(name))
                .any(|role| role.allows(&permission));
        }
        Ok(all)
    }

    /// The highest rank among `roles` (0 for none declared).
    pub fn rank_of(&self, roles: &[String]) -> u16 {
        roles
            .iter()
            .filter_map(|name| self.roles.get(name))
            .map(|role| role.rank)
            .max()
            .unwrap_or(0)
    }

    /// Whether a holder of `actor_roles` may grant, take away, or act on a
    /// member holding, `roles`: each must rank below the actor's highest
    /// role. The owner's rank is the exception: owners manage everyone,
    /// other owners included (else ownership could never be shared or
    /// handed over).
    ///
    /// ```
    /// use nanoauth_organization::access::AccessControl;
    /// let access = AccessControl::new().build()?;
    /// let roles = |r: &[&str]| r.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    /// assert!(access.may_manage(&roles(&["admin"]), &roles(&["member"])));
    /// assert!(!access.may_manage(&roles(&["admin"]), &roles(&["admin"])));
    /// assert!(!access.may_manage(&roles(&["admin"]), &roles(&["owner"])));
    /// assert!(access.may_manage(&roles(&["owner"]), &roles(&["owner"])));
    /// # Ok::<(), nanoauth_organization::access::AccessError>(())
    /// ```
    pub fn may_manage(&self, actor_roles: &[String], roles: &[String]) -> bool {
        let actor = self.rank_of(actor_roles);
        if actor_roles.iter().any(|role| role == OWNER) {
            return true;
        }
        actor > 0 && self.rank_of(roles) < actor
    }

    /// Parses a role list from the wire: one name, or names separated by
    /// commas, each declared; duplicates dropped, order kept.
    ///
    /// # Errors
    /// [`AccessError::UnknownRole`] for an undeclared name or an empty list.
    ///
    /// ```
    /// use nanoauth_organization::access::AccessControl;
    /// let access = AccessControl::new().build()?;
    /// assert_eq!(access.parse_roles("admin, member")?, vec!["admin", "member"]);
    /// assert!(access.parse_roles("root").is_err());
    /// # Ok::<(), nanoauth_organization::access::AccessError>(())
    /// ```
    pub fn parse_roles(&self, text: &str) -> Result<Vec<String>, AccessError> {
        self.check_roles(text.split(',').map(str::trim))
    }

    /// Checks a role list given as separate names, as [`parse_roles`](Self::parse_roles).
    ///
    /// # Errors
    /// [`AccessError::UnknownRole`] for an undeclared name or an empty list.
    pub fn check_roles<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<String>, AccessError> {
        let mut roles: Vec<String> = Vec::new();
        for name in names {
            if !self.is_role(name) {
                return Err(AccessError::UnknownRole(name.chars().take(64).collect()));
            }
            if !roles.iter().any(|held| held == name) {
                roles.push(name.to_owned());
            }
        }
        if roles.is_empty() {
            return Err(AccessError::UnknownRole(String::new()));
        }
        Ok(roles)
    }

    fn check_declared(&self, permission: &Permission) -> Result<(), AccessError> {
        let declared = self
            .statements
            .get(permission.resource.as_ref())
            .is_some_and(|actions| actions.contains(permission.action.as_ref()));
        if declared {
            Ok(())
        } else {
            Err(AccessError::UnknownPermission(permission.to_string()))
        }
    }
}

fn valid_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn app() -> AccessControl {
        AccessControl::new()
            .resource("project", ["create", "read", "update", "delete"])
            .role(Role::member().allow("project", ["read"]))
            .role(Role::new("editor").allow("project", ["read", "update"]))
            .build()
            .unwrap()
    }

    /// Role × action → allowed, for the built-in resources and the app's.
    #[test]
    fn permission_table() {
        let access = app();
        #[rustfmt::skip]
        let table: &[(&str, &str, &str, bool)] = &[
            // role      resource        action    allowed
            ("owner",  "organization", "update", true),
            ("owner",  "organization", "delete", true),
            ("owner",  "member",       "create", true),
            ("owner",  "member",       "delete", true),
            ("owner",  "invitation",   "cancel", true),
            ("owner",  "project",      "delete", true),
            ("admin",  "organization", "update", true),
            ("admin",  "organization", "delete", false),
            ("admin",  "member",       "create", true),
            ("admin",  "member",       "update", true),
            ("admin",  "member",       "delete", true),
            ("admin",  "invitation",   "create", true),
            ("admin",  "team",         "create", true),
            ("admin",  "project",      "delete", true),
            ("member", "organization", "update", false),
            ("member", "organization", "delete", false),
            ("member", "member",       "create", false),
            ("member", "member",       "delete", false),
            ("member", "invitation",   "create", false),
            ("member", "team",         "create", false),
            ("member", "project",      "read",   true),
            ("member", "project",      "create", false),
            ("editor", "project",      "update", true),
            ("editor", "project",      "delete", false),
            ("editor", "member",       "create", false),
        ];
        for (role, resource, action, allowed) in table {
            let got = access
                .permits(&roles(&[role]), &[Permission::new(*resource, *action)])
                .unwrap();
            assert_eq!(got, *allowed, "{role} {resource}:{action}");
        }
    }

    #[test]
    fn several_roles_are_their_union_and_a_check_of_several_needs_all() {
        let access = app();
        let both = roles(&["member", "editor"]);
        assert!(access.permits(&both, &[("project", "update")]).unwrap());
        assert!(
            access
                .permits(&both, &[("project", "read"), ("project", "update")])
                .unwrap()
        );
        assert!(
            !access
                .permits(&both, &[("project", "update"), ("project", "delete")])
                .unwrap()
        );
        // No roles, or undeclared ones: nothing.
        assert!(!access.permits(&[], &[("project", "read")]).unwrap());
        assert!(
            !access
                .permits(&roles(&["ghost"]), &[("project", "read")])
                .unwrap()
        );
    }

    #[test]
    fn undeclared_permissions_are_errors_not_denials() {
        let access = app();
        assert_eq!(
            access.permits(&roles(&["owner"]), &[("projects", "read")]),
            Err(AccessError::UnknownPermission("projects:read".into()))
        );
        assert!(matches!(
            AccessControl::new()
                .role(Role::new("x").allow("project", ["read"]))
                .build(),
            Err(AccessError::UnknownPermission(_))
        ));
    }

    #[test]
    fn role_declarations_are_checked() {
        assert_eq!(
            AccessControl::new().role(Role::new("a,b")).build(),
            Err(AccessError::InvalidRoleName("a,b".into()))
        );
        assert_eq!(
            AccessControl::new()
                .role(Role::new("boss").rank(OWNER_RANK))
                .build(),
            Err(AccessError::OwnerNotHighest)
        );
    }

    /// Who may grant or act on whom: rank below one's own, owners all.
    #[test]
    fn management_table() {
        let access = app()
            .role(Role::new("lead").rank(ADMIN_RANK - 10))
            .build()
            .unwrap();
        #[rustfmt::skip]
        let table: &[(&[&str], &[&str], bool)] = &[
            (&["owner"],  &["owner"],  true),
            (&["owner"],  &["admin"],  true),
            (&["admin"],  &["owner"],  false),
            (&["admin"],  &["admin"],  false),
            (&["admin"],  &["lead"],   true),
            (&["admin"],  &["member"], true),
            (&["admin"],  &["member", "owner"], false),
            (&["lead"],   &["member"], true),
            (&["lead"],   &["lead"],   false),
            (&["member"], &["member"], false),
            (&["member"], &["editor"], false),
            (&["member", "admin"], &["editor"], true),
            (&[],         &["member"], false),
        ];
        for (actor, target, allowed) in table {
            assert_eq!(
                access.may_manage(&roles(actor), &roles(target)),
                *allowed,
                "{actor:?} on {target:?}"
            );
        }
    }

    #[test]
    fn role_lists_from_the_wire() {
        let access = app();
        assert_eq!(access.parse_roles("member").unwrap(), roles(&["member"]));
        assert_eq!(
            access.parse_roles("editor,member,editor").unwrap(),
            roles(&["editor", "member"])
        );
        assert!(matches!(
            access.parse_roles("superuser"),
            Err(AccessError::UnknownRole(_))
        ));
        assert!(access.parse_roles("").is_err());
    }
}
