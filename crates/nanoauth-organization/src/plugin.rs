//! The plugin value: its options, and what it adds to an `Auth`.

use std::any::Any;
use std::sync::Arc;

use nanoauth::email::{EmailSender, OutgoingEmail};
use nanoauth::rate_limit::Limit;
use nanoauth::{AuthUser, Endpoint, Plugin, PluginEndpoints, Purge, RecordAdapter};

use crate::access::AccessControl;
use crate::api::Actor;
use crate::api::OrganizationAdapter;
use crate::endpoints;

/// What an invitation mail says: given the invitation's facts and the link
/// (carrying the invitation id and a single-use token), the message.
pub type RenderInvitation = Arc<dyn Fn(&InvitationMail<'_>) -> OutgoingEmail + Send + Sync>;

/// The facts an invitation mail is written from.
#[derive(Debug)]
#[non_exhaustive]
pub struct InvitationMail<'a> {
    /// The invited address.
    pub to: &'a nanoauth::Email,
    /// The organization's name.
    pub organization_name: &'a str,
    /// The roles offered, comma-separated.
    pub role: &'a str,
    /// The inviter's address (`None` for the system actor).
    pub inviter_email: Option<&'a str>,
    /// The link to accept: the application's page, with `invitationId` and
    /// `token` in its query.
    pub url: &'a str,
    /// How long the invitation stays valid, in hours.
    pub hours: u64,
}

/// Organizations: members with roles, invitations by email, an active
/// organization on the session, optional teams, and typed access control
/// ([`access`](crate::access)).
///
/// | Method | Path | Body / query | Answer |
/// |---|---|---|---|
/// | POST | `/organization/create` | `{name, slug, logo?, metadata?}` | `{organization}` |
/// | GET | `/organization/list` | | `[organization]` |
/// | GET | `/organization/full` | `?organizationId=` (default: active) | `{organization, members, invitations, teams}` |
/// | POST | `/organization/update` | `{organizationId?, data: {name?, slug?, logo?, metadata?}}` | `{organization}` |
/// | POST | `/organization/delete` | `{organizationId}` | `{success}` |
/// | POST | `/organization/set-active` | `{organizationId}` (`null` clears) | `{session}` |
/// | POST | `/organization/add-member` | `{userId, role, organizationId?}` | `{member}` |
/// | POST | `/organization/remove-member` | `{memberId, organizationId?}` | `{member}` |
/// | POST | `/organization/update-member-role` | `{memberId, role, organizationId?}` | `{member}` |
/// | POST | `/organization/leave` | `{organizationId}` | `{success}` |
/// | POST | `/organization/invite-member` | `{email, role, organizationId?, teamId?}` | `{invitation}` |
/// | POST | `/organization/accept-invitation` | `{invitationId, token?}` | `{member}` |
/// | POST | `/organization/reject-invitation` | `{invitationId, token?}` | `{invitation}` |
/// | POST | `/organization/cancel-invitation` | `{invitationId}` | `{invitation}` |
/// | GET | `/organization/list-invitations` | `?organizationId=` | `[invitation]` (pending) |
/// | POST | `/organization/has-permission` | `{permissions: {"project": ["create"]}, organizationId?}` | `{success}` |
/// | POST | `/organization/create-team` | `{name, organizationId?}` | `{team}` (teams on) |
/// | POST | `/organization/remove-team` | `{teamId, organizationId?}` | `{success}` |
/// | POST | `/organization/add-team-member` | `{teamId, memberId, organizationId?}` | `{member}` |
/// | POST | `/organization/remove-team-member` | `{teamId, memberId, organizationId?}` | `{member}` |
/// | POST | `/organization/set-active-team` | `{teamId}` (`null` clears) | `{session}` |
///
/// `role` is a declared role name, or several comma-separated (or an
/// array). Everything needs a session; non-members get `403 FORBIDDEN`,
/// unknown ids `404`.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth::email::DangerConsoleSender;
/// use nanoauth_organization::Organizations;
/// use nanoauth_organization::access::{AccessControl, Role};
///
/// let access = AccessControl::new()
///     .resource("project", ["create", "read", "delete"])
///     .role(Role::member().allow("project", ["read"]))
///     .build()?;
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     // Invitation links point there.
///     .base_url("http://localhost:3000")
///     .plugin(Organizations::new(DangerConsoleSender).access(access).max_members(50))
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Security
/// - One authorization layer for every change: a permission from the
///   actor's roles, and nobody grants, changes or removes a role ranked at
///   or above their own highest (owners excepted), nor acts on a member
///   who holds one; an organization always keeps an owner.
/// - Accepting an invitation needs the invited address **verified** on the
///   signed-in account, or the single-use token from the mail's link.
/// - The system actor ([`Actor::System`](crate::Actor::System)) and the
///   application's admins act on any organization, and every change
///   (theirs too) is an event naming the actor.
pub struct Organizations {
    pub(crate) access: Arc<AccessControl>,
    pub(crate) sender: Arc<dyn EmailSender>,
    pub(crate) render: RenderInvitation,
    pub(crate) invitation_expires_in: u64,
    pub(crate) invitation_page: String,
    pub(crate) max_organizations: usize,
    pub(crate) max_members: usize,
    pub(crate) max_pending_invitations: usize,
    pub(crate) teams: bool,
    pub(crate) admins: Vec<String>,
    /// The application's "is this user an administrator" (the admin
    /// plugin's check, say), type-erased: this plugin is not generic over
    /// the user type.
    pub(crate) administrators: Option<AdminCheck>,
}

/// A check over the application's user type, asked with any user: a user
/// of another type is no administrator.
pub(crate) type AdminCheck = Arc<dyn Fn(&dyn Any) -> bool + Send + Sync>;

impl std::fmt::Debug for Organizations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Organizations")
            .field("access", &self.access)
            .field("sender", &self.sender)
            .field("invitation_expires_in", &self.invitation_expires_in)
            .field("invitation_page", &self.invitation_page)
            .field("max_organizations", &self.max_organizations)
            .field("max_members", &self.max_members)
            .field("max_pending_invitations", &self.max_pending_invitations)
            .field("teams", &self.teams)
            .field("admins", &self.admins)
            .field("administrators", &self.administrators.is_some())
            .finish_non_exhaustive()
    }
}

impl Organizations {
    /// Organizations with the built-in roles, whose invitations go out
    /// through `sender`.
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender);
    /// ```
    pub fn new(sender: impl EmailSender) -> Self {
        Self {
            // The built-in declarations are valid by construction (the
            // unit tests build them).
            access: Arc::new(AccessControl::new()),
            sender: Arc::new(sender),
            render: Arc::new(default_mail),
            invitation_expires_in: 48 * 3600,
            invitation_page: "/accept-invitation".to_owned(),
            max_organizations: 100,
            max_members: 100,
            max_pending_invitations: 100,
            teams: false,
            admins: Vec::new(),
            administrators: None,
        }
    }

    /// The application's resources, actions and roles (checked with
    /// [`AccessControl::build`]).
    ///
    /// ```
    /// use nanoauth::email::DangerConsoleSender;
    /// use nanoauth_organization::Organizations;
    /// use nanoauth_organization::access::AccessControl;
    /// let access = AccessControl::new().resource("project", ["create"]).build()?;
    /// let organizations = Organizations::new(DangerConsoleSender).access(access);
    /// # Ok::<(), nanoauth_organization::access::AccessError>(())
    /// ```
    #[must_use]
    pub fn access(mut self, access: AccessControl) -> Self {
        self.access = Arc::new(access);
        self
    }

    /// How long an invitation stays valid, in seconds (default 48 hours).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).invitation_expires_in(7 * 24 * 3600);
    /// ```
    #[must_use]
    pub fn invitation_expires_in(mut self, seconds: u64) -> Self {
        self.invitation_expires_in = seconds.max(60);
        self
    }

    /// The application's page the invitation link opens (a path on the
    /// base URL; default `/accept-invitation`); it gets `invitationId` and
    /// `token` in its query and posts them to
    /// `/organization/accept-invitation`.
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).invitation_page("/join");
    /// ```
    #[must_use]
    pub fn invitation_page(mut self, path: impl Into<String>) -> Self {
        self.invitation_page = path.into();
        self
    }

    /// Replaces the invitation mail.
    ///
    /// ```
    /// # use nanoauth::email::{DangerConsoleSender, OutgoingEmail};
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).render(|mail| {
    ///     OutgoingEmail::new(mail.to.clone(), "Join us", format!("{}: {}", mail.organization_name, mail.url))
    /// });
    /// ```
    #[must_use]
    pub fn render(
        mut self,
        render: impl Fn(&InvitationMail<'_>) -> OutgoingEmail + Send + Sync + 'static,
    ) -> Self {
        self.render = Arc::new(render);
        self
    }

    /// At most this many organizations per user, as a member (default 100).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).max_organizations_per_user(3);
    /// ```
    #[must_use]
    pub fn max_organizations_per_user(mut self, count: usize) -> Self {
        self.max_organizations = count.max(1);
        self
    }

    /// At most this many members per organization (default 100).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).max_members(10);
    /// ```
    #[must_use]
    pub fn max_members(mut self, count: usize) -> Self {
        self.max_members = count.max(1);
        self
    }

    /// At most this many pending invitations per organization (default 100).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).max_pending_invitations(20);
    /// ```
    #[must_use]
    pub fn max_pending_invitations(mut self, count: usize) -> Self {
        self.max_pending_invitations = count.max(1);
        self
    }

    /// Turns teams on (their endpoints, and `teamId` on invitations).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).teams(true);
    /// ```
    #[must_use]
    pub fn teams(mut self, on: bool) -> Self {
        self.teams = on;
        self
    }

    /// The application's administrators, by user id: they manage any
    /// organization, member or not, as the owners do (each change is an
    /// event naming them).
    ///
    /// ```
    /// # use nanoauth::email::DangerConsoleSender;
    /// # use nanoauth_organization::Organizations;
    /// let organizations = Organizations::new(DangerConsoleSender).admin_user("u_root");
    /// ```
    #[must_use]
    pub fn admin_user(mut self, user_id: impl Into<String>) -> Self {
        self.admins.push(user_id.into());
        self
    }

    /// The application's administrators, by a check over its user type:
    /// those it answers yes for manage any organization, member or not, as
    /// the owners do; each change is an event naming them
    /// (`{"type": "administrator", "id": ..}`). With the admin plugin, its
    /// own check (a closure, so neither crate depends on the other):
    ///
    /// ```
    /// # use nanoauth::BasicUser;
    /// # use nanoauth::email::DangerConsoleSender;
    /// use nanoauth_organization::Organizations;
    /// # struct Admin; impl Admin { fn is_admin(&self, _: &BasicUser) -> bool { false } }
    /// # let admin = Admin;
    /// // let admin = nanoauth_admin::Admin::new();  (and `.plugin(admin.clone())`)
    /// let organizations = Organizations::new(DangerConsoleSender)
    ///     .administrators(move |user: &BasicUser| admin.is_admin(user));
    /// ```
    #[must_use]
    pub fn administrators<U, F>(mut self, check: F) -> Self
    where
        U: AuthUser,
        F: Fn(&U) -> bool + Send + Sync + 'static,
    {
        self.administrators = Some(Arc::new(move |user: &dyn Any| {
            user.downcast_ref::<U>().is_some_and(&check)
        }));
        self
    }

    /// The actor a signed-in `user` acts as: an
    /// [`Actor::Administrator`](crate::Actor::Administrator) for the
    /// application's administrators ([`admin_user`](Self::admin_user) ids
    /// or [`administrators`](Self::administrators)), else an
    /// [`Actor::User`](crate::Actor::User).
    pub fn actor_for<U: AuthUser>(&self, user: &U) -> Actor {
        let id = user.id();
        let administrator = self.admins.iter().any(|admin| admin == id)
            || self
                .administrators
                .as_ref()
                .is_some_and(|check| check(user as &dyn Any));
        if administrator {
            Actor::Administrator(id.to_owned())
        } else {
            Actor::User(id.to_owned())
        }
    }

    /// The access control in force.
    pub fn access_control(&self) -> &AccessControl {
        &self.access
    }
}

fn default_mail(mail: &InvitationMail<'_>) -> OutgoingEmail {
    let by = mail
        .inviter_email
        .map(|email| format!("{email} invited you"))
        .unwrap_or_else(|| "You are invited".to_owned());
    OutgoingEmail::new(
        mail.to.clone(),
        format!("Join {} ", mail.organization_name)
            .trim_end()
            .to_owned(),
        format!(
            "{by} to join {} as {}.\n\nAccept: {}\n\nThe invitation is valid for {} hours. If you did not expect it, ignore this email.",
            mail.organization_name, mail.role, mail.url, mail.hours
        ),
    )
}

impl<U: AuthUser, A: OrganizationAdapter<U>> Plugin<U, A> for Organizations {
    fn name(&self) -> &'static str {
        "organization"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        // Each invitation writes a record and sends a mail.
        let invitations = Limit::new(30, 60);
        let mut list = vec![
            on.post("/organization/create", endpoints::create)
                .rate_limited(Limit::new(10, 60)),
            on.get("/organization/list", endpoints::list).safe(),
            on.get("/organization/full", endpoints::full).safe(),
            on.post("/organization/update", endpoints::update),
            on.post("/organization/delete", endpoints::delete),
            on.post("/organization/set-active", endpoints::set_active),
            on.post("/organization/add-member", endpoints::add_member),
            on.post("/organization/remove-member", endpoints::remove_member),
            on.post(
                "/organization/update-member-role",
                endpoints::update_member_role,
            ),
            on.post("/organization/leave", endpoints::leave),
            on.post("/organization/invite-member", endpoints::invite_member)
                .rate_limited(invitations),
            on.post(
                "/organization/accept-invitation",
                endpoints::accept_invitation,
            )
            .rate_limited(Limit::new(20, 60)),
            on.post(
                "/organization/reject-invitation",
                endpoints::reject_invitation,
            )
            .rate_limited(Limit::new(20, 60)),
            on.post(
                "/organization/cancel-invitation",
                endpoints::cancel_invitation,
            ),
            on.get(
                "/organization/list-invitations",
                endpoints::list_invitations,
            )
            .safe(),
            on.post("/organization/has-permission", endpoints::has_permission),
        ];
        if self.teams {
            list.extend([
                on.post("/organization/create-team", endpoints::create_team),
                on.post("/organization/remove-team", endpoints::remove_team),
                on.post("/organization/add-team-member", endpoints::add_team_member),
                on.post(
                    "/organization/remove-team-member",
                    endpoints::remove_team_member,
                ),
                on.post("/organization/set-active-team", endpoints::set_active_team),
            ]);
        }
        #[cfg(feature = "openapi")]
        let list = list.into_iter().map(crate::openapi::describe).collect();
        list
    }

    fn purges(self: Arc<Self>) -> Vec<Purge<U, A>> {
        // Released keys and invitations past their retention; the purge
        // covers every plugin's expired records, harmless twice.
        vec![Purge::new(|auth: nanoauth::Auth<U, A>, now| async move {
            Ok(RecordAdapter::purge_expired_records(auth.adapter(), now).await?)
        })]
    }
}
