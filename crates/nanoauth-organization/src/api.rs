//! The plugin's exports (`auth.organizations()`): everything the endpoints
//! do, callable from Rust, by a user or by the trusted system actor.

use std::sync::Arc;

use nanoauth::plugins::link_mail::{LinkMail, LinkRequest};
use nanoauth::utils::token::random_id;
use nanoauth::{
    Auth, AuthUser, Email, EmailVerificationAdapter, Error, Event, PluginEvent, RecordAdapter,
    Session, VerificationAdapter,
};
use serde_json::{Value, json};

use crate::access::{OWNER, Permission};
use crate::errors;
use crate::events;
use crate::model::{
    FullOrganization, Invitation, InvitationStatus, Member, MemberWithUser, NewOrganization,
    Organization, OrganizationUpdate, Team,
};
use crate::plugin::{InvitationMail, Organizations};
use crate::store::{self, OrgDoc};

/// The token purpose of invitation links.
pub const INVITATION_PURPOSE: &str = "organization-invitation";

/// What the plugin needs from storage: plugin records (organizations),
/// single-use tokens (invitation links), verified addresses (who may accept
/// an invitation by address), and session attributes (the active
/// organization). Every adapter NanoAuth ships has them all.
pub trait OrganizationAdapter<U: AuthUser>:
    RecordAdapter<U> + VerificationAdapter<U> + EmailVerificationAdapter<U>
{
}

impl<U: AuthUser, A> OrganizationAdapter<U> for A where
    A: RecordAdapter<U> + VerificationAdapter<U> + EmailVerificationAdapter<U>
{
}

/// Who acts: a signed-in user, or trusted server code.
///
/// ```
/// use nanoauth_organization::Actor;
/// let by_user = Actor::user("u_1");
/// let nightly = Actor::system("nightly cleanup job");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Actor {
    /// A user, by id: what their roles allow, in organizations they belong
    /// to (or any, for the application's admins).
    User(String),
    /// Server code, with a reason recorded in every event: acts on any
    /// organization as an owner would. The last-owner rule still holds.
    System(String),
    /// An application administrator, by id
    /// ([`Organizations::actor_for`](crate::Organizations::actor_for)
    /// makes it for the users the application names): acts on any
    /// organization as an owner would, member or not, recorded with their
    /// id. The last-owner rule still holds.
    Administrator(String),
}

impl Actor {
    /// A user, by id.
    pub fn user(id: impl Into<String>) -> Self {
        Self::User(id.into())
    }

    /// The system, for `reason` (recorded in the events).
    pub fn system(reason: impl Into<String>) -> Self {
        Self::System(reason.into())
    }

    /// An application administrator, by id.
    pub fn administrator(id: impl Into<String>) -> Self {
        Self::Administrator(id.into())
    }

    /// The user acting, if a user is.
    fn user_id(&self) -> Option<&str> {
        match self {
            Self::User(id) | Self::Administrator(id) => Some(id),
            Self::System(_) => None,
        }
    }

    fn event_user(&self) -> &str {
        self.user_id().unwrap_or("system")
    }

    fn to_json(&self) -> Value {
        match self {
            Self::User(id) => json!({ "type": "user", "id": id }),
            Self::Administrator(id) => json!({ "type": "administrator", "id": id }),
            Self::System(reason) => json!({ "type": "system", "reason": reason }),
        }
    }
}

/// What an actor may do in one organization.
struct Authority {
    /// Their roles (empty for the system and admins).
    roles: Vec<String>,
    /// The system, or an application admin: owner powers anywhere.
    trusted: bool,
    /// Their own membership, if any.
    member_id: Option<String>,
}

/// How an invitee proved the invitation is theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proof {
    VerifiedAddress,
    Link,
}

/// `auth.organizations()`: the plugin's operations from Rust.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth::email::DangerConsoleSender;
/// use nanoauth_organization::{Actor, NewOrganization, Organizations, OrganizationsExt};
///
/// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, owner_id: &str) -> Result<(), nanoauth::Error> {
/// // Server code creating an organization for a user, without their session:
/// let org = auth
///     .organizations()?
///     .create(&Actor::system("provisioning"), NewOrganization::new("Acme", "acme").owner(owner_id))
///     .await?;
/// # Ok(()) }
/// ```
pub trait OrganizationsExt<U: AuthUser, A: OrganizationAdapter<U>> {
    /// The plugin's operations.
    ///
    /// # Errors
    /// [`Error::PluginNotEnabled`] when [`Organizations`] was not added.
    fn organizations(&self) -> Result<OrganizationsApi<'_, U, A>, Error>;

    /// Whether the session's user may do every one of `permissions` in
    /// `organization_id` (default: the session's active organization).
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, Session, adapter::memory::MemoryAdapter};
    /// # use nanoauth_organization::OrganizationsExt;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>, session: Session<BasicUser>) -> Result<(), nanoauth::Error> {
    /// if auth.has_permission(&session, None, &[("project", "create")]).await? {
    ///     // create it
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `403 FORBIDDEN` for a non-member, `404` for an unknown organization,
    /// `400 NO_ACTIVE_ORGANIZATION` with none named nor active,
    /// `400 UNKNOWN_PERMISSION` for an undeclared permission.
    fn has_permission<P: Into<Permission> + Clone + Send + Sync>(
        &self,
        session: &Session<U>,
        organization_id: Option<&str>,
        permissions: &[P],
    ) -> impl Future<Output = Result<bool, Error>> + Send;
}

impl<U: AuthUser, A: OrganizationAdapter<U>> OrganizationsExt<U, A> for Auth<U, A> {
    fn organizations(&self) -> Result<OrganizationsApi<'_, U, A>, Error> {
        let plugin = self
            .plugin::<Organizations>()
            .ok_or(Error::PluginNotEnabled("organization"))?;
        Ok(OrganizationsApi::bound(self, plugin))
    }

    async fn has_permission<P: Into<Permission> + Clone + Send + Sync>(
        &self,
        session: &Session<U>,
        organization_id: Option<&str>,
        permissions: &[P],
    ) -> Result<bool, Error> {
        let api = self.organizations()?;
        let organization_id = api.organization_or_active(session, organization_id)?;
        let permissions: Vec<Permission> = permissions.iter().cloned().map(Into::into).collect();
        api.has_permission(
            &api.plugin.actor_for(&session.user),
            &organization_id,
            &permissions,
        )
        .await
    }
}

/// The plugin's operations, bound to an `Auth` (see [`OrganizationsExt`]).
/// Every change names its [`Actor`] and is checked by the same rules as
/// the endpoints.
pub struct OrganizationsApi<'a, U: AuthUser, A: OrganizationAdapter<U>> {
    pub(crate) auth: &'a Auth<U, A>,
    pub(crate) plugin: Arc<Organizations>,
}

impl<U: AuthUser, A: OrganizationAdapter<U>> std::fmt::Debug for OrganizationsApi<'_, U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganizationsApi")
            .field("plugin", &self.plugin)
            .finish_non_exhaustive()
    }
}

impl<'a, U: AuthUser, A: OrganizationAdapter<U>> OrganizationsApi<'a, U, A> {
    pub(crate) fn bound(auth: &'a Auth<U, A>, plugin: Arc<Organizations>) -> Self {
        Self { auth, plugin }
    }

    fn now(&self) -> u64 {
        self.auth.now()
    }

    fn adapter(&self) -> &A {
        self.auth.adapter()
    }

    /// `organization_id`, or the session's active organization.
    ///
    /// # Errors
    /// `400 NO_ACTIVE_ORGANIZATION` when neither is there.
    pub fn organization_or_active(
        &self,
        session: &Session<U>,
        organization_id: Option<&str>,
    ) -> Result<String, Error> {
        organization_id
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .or_else(|| crate::active::active_organization(session))
            .ok_or_else(errors::no_active_organization)
    }

    // --- Authorization -----------------------------------------------------

    fn authority(&self, doc: &OrgDoc, actor: &Actor) -> Result<Authority, Error> {
        match actor {
            Actor::System(_) => Ok(Authority {
                roles: Vec::new(),
                trusted: true,
                member_id: None,
            }),
            Actor::User(user_id) | Actor::Administrator(user_id) => {
                let member = doc.member_of_user(user_id);
                let admin = matches!(actor, Actor::Administrator(_))
                    || self.plugin.admins.iter().any(|admin| admin == user_id);
                match member {
                    Some(member) => Ok(Authority {
                        roles: member.role.clone(),
                        trusted: admin,
                        member_id: Some(member.id.clone()),
                    }),
                    None if admin => Ok(Authority {
                        roles: Vec::new(),
                        trusted: true,
                        member_id: None,
                    }),
                    None => Err(errors::not_a_member()),
                }
            }
        }
    }

    fn require(
        &self,
        authority: &Authority,
        resource: &'static str,
        action: &'static str,
    ) -> Result<(), Error> {
        if authority.trusted {
            return Ok(());
        }
        let allowed = self
            .plugin
            .access
            .permits(&authority.roles, &[(resource, action)])
            .map_err(errors::access)?;
        if allowed {
            Ok(())
        } else {
            Err(errors::forbidden("Your role does not allow this."))
        }
    }

    fn may_manage(&self, authority: &Authority, roles: &[String]) -> Result<(), Error> {
        if authority.trusted || self.plugin.access.may_manage(&authority.roles, roles) {
            Ok(())
        } else {
            Err(errors::forbidden(
                "Only roles below your own can be granted, changed or removed.",
            ))
        }
    }

    fn check_roles(&self, roles: &[String]) -> Result<Vec<String>, Error> {
        self.plugin
            .access
            .check_roles(roles.iter().map(String::as_str))
            .map_err(errors::access)
    }

    async fn emit(
        &self,
        name: &'static str,
        actor: &Actor,
        organization_id: &str,
        mut data: Value,
    ) {
        if let Value::Object(map) = &mut data {
            map.insert("organizationId".into(), json!(organization_id));
            map.insert("actor".into(), actor.to_json());
        }
        self.auth
            .emit(Event::Plugin(PluginEvent::new(
                name,
                actor.event_user(),
                data,
            )))
            .await;
    }

    // --- Organizations -----------------------------------------------------

    /// Creates an organization; its first owner is the acting user (or,
    /// for the system actor, [`NewOrganization::owner`]).
    ///
    /// # Errors
    /// `400 INVALID_BODY` for a name, slug, logo or metadata out of bounds
    /// (or the system actor naming no owner), `404 USER_NOT_FOUND`,
    /// `409 SLUG_TAKEN`, `403 ORGANIZATION_LIMIT_REACHED`.
    pub async fn create(&self, actor: &Actor, new: NewOrganization) -> Result<Organization, Error> {
        let name = valid_name(&new.name)?;
        let slug = valid_slug(&new.slug)?;
        let logo = valid_logo(new.logo.as_deref())?;
        let metadata = valid_metadata(new.metadata)?;
        let owner_id = match (&new.owner_id, actor) {
            (Some(owner), _) => owner.clone(),
            (None, Actor::User(id) | Actor::Administrator(id)) => id.clone(),
            (None, Actor::System(_)) => {
                return Err(errors::invalid("the system actor must name an owner"));
            }
        };
        if let Actor::User(id) = actor
            && *id != owner_id
            && !self.plugin.admins.contains(id)
        {
            return Err(errors::forbidden(
                "You can only create organizations you own.",
            ));
        }
        if self.adapter().get_user(&owner_id).await?.is_none() {
            return Err(errors::user_not_found());
        }
        let now = self.now();
        if self.memberships_of(&owner_id).await?.len() >= self.plugin.max_organizations {
            return Err(errors::organization_limit());
        }
        let id = random_id()?;
        let organization = Organization {
            id: id.clone(),
            name,
            slug: slug.clone(),
            logo,
            metadata,
            created_at: now,
        };
        let owner = Member {
            id: random_id()?,
            organization_id: id.clone(),
            user_id: owner_id,
            role: vec![OWNER.to_owned()],
            team_ids: Vec::new(),
            created_at: now,
        };
        store::claim_slug(self.adapter(), &slug, &id, now).await?;
        let doc = OrgDoc {
            organization: organization.clone(),
            members: vec![owner.clone()],
            invitations: Vec::new(),
            teams: Vec::new(),
        };
        if let Err(error) = store::insert(self.adapter(), &doc, now).await {
            store::release_slug(self.adapter(), &slug, &id, now).await?;
            return Err(error);
        }
        store::link(self.adapter(), &owner, now).await?;
        self.emit(
            events::CREATED,
            actor,
            &id,
            json!({ "slug": slug, "ownerId": owner.user_id }),
        )
        .await;
        Ok(organization)
    }

    /// Changes an organization's name, slug, logo or metadata (needs
    /// `organization:update`).
    ///
    /// # Errors
    /// As [`create`](Self::create) for the fields; `403 FORBIDDEN`, `404`.
    pub async fn update(
        &self,
        actor: &Actor,
        organization_id: &str,
        update: OrganizationUpdate,
    ) -> Result<Organization, Error> {
        let now = self.now();
        let name = update.name.as_deref().map(valid_name).transpose()?;
        let slug = update.slug.as_deref().map(valid_slug).transpose()?;
        let logo = match update.logo.as_deref() {
            None => None,
            Some(logo) => Some(valid_logo(Some(logo))?),
        };
        let metadata = update
            .metadata
            .map(|m| valid_metadata(Some(m)))
            .transpose()?;
        // Checked before the slug is claimed, so a refused caller claims nothing.
        let read = store::require(self.adapter(), organization_id, now).await?;
        let authority = self.authority(&read.value, actor)?;
        self.require(&authority, "organization", "update")?;
        let old_slug = read.value.organization.slug.clone();
        let new_slug = slug.filter(|slug| *slug != old_slug);
        if let Some(slug) = &new_slug {
            store::claim_slug(self.adapter(), slug, organization_id, now).await?;
        }
        let result = store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "organization", "update")?;
            let organization = &mut doc.organization;
            if let Some(name) = &name {
                organization.name.clone_from(name);
            }
            if let Some(slug) = &new_slug {
                organization.slug.clone_from(slug);
            }
            if let Some(logo) = &logo {
                organization.logo.clone_from(logo);
            }
            if let Some(metadata) = &metadata {
                organization.metadata.clone_from(metadata);
            }
            Ok(organization.clone())
        })
        .await;
        match result {
            Ok((_, organization)) => {
                if new_slug.is_some() {
                    store::release_slug(self.adapter(), &old_slug, organization_id, now).await?;
                }
                let fields: Vec<&str> = [
                    name.as_ref().map(|_| "name"),
                    new_slug.as_ref().map(|_| "slug"),
                    logo.as_ref().map(|_| "logo"),
                    metadata.as_ref().map(|_| "metadata"),
                ]
                .into_iter()
                .flatten()
                .collect();
                self.emit(
                    events::UPDATED,
                    actor,
                    organization_id,
                    json!({ "fields": fields }),
                )
                .await;
                Ok(organization)
            }
            Err(error) => {
                if let Some(slug) = &new_slug {
                    store::release_slug(self.adapter(), slug, organization_id, now).await?;
                }
                Err(error)
            }
        }
    }

    /// Deletes an organization with its members, invitations and teams
    /// (needs `organization:delete`: owners, by default).
    ///
    /// # Errors
    /// `403 FORBIDDEN`, `404 ORGANIZATION_NOT_FOUND`.
    pub async fn delete(&self, actor: &Actor, organization_id: &str) -> Result<(), Error> {
        let now = self.now();
        let read = store::require(self.adapter(), organization_id, now).await?;
        let authority = self.authority(&read.value, actor)?;
        self.require(&authority, "organization", "delete")?;
        if !self
            .adapter()
            .delete_record(store::ORGANIZATION, organization_id, now)
            .await?
        {
            return Err(errors::organization_not_found());
        }
        let doc = read.value;
        store::release_slug(self.adapter(), &doc.organization.slug, organization_id, now).await?;
        for member in &doc.members {
            store::unlink(self.adapter(), member, now).await?;
        }
        for invitation in &doc.invitations {
            self.adapter()
                .delete_record(store::INVITATION, &invitation.id, now)
                .await?;
        }
        self.emit(
            events::DELETED,
            actor,
            organization_id,
            json!({ "slug": doc.organization.slug }),
        )
        .await;
        Ok(())
    }

    /// The organizations `user_id` belongs to, by name.
    ///
    /// # Errors
    /// Adapter failures.
    pub async fn list(&self, user_id: &str) -> Result<Vec<Organization>, Error> {
        let now = self.now();
        let mut out = Vec::new();
        for (organization_id, member_id) in store::memberships(self.adapter(), user_id, now).await?
        {
            let Some(read) = store::load(self.adapter(), &organization_id, now).await? else {
                continue;
            };
            // Only what the organization's own record confirms.
            if read
                .value
                .members
                .iter()
                .any(|m| m.id == member_id && m.user_id == user_id)
            {
                out.push(read.value.organization);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn memberships_of(&self, user_id: &str) -> Result<Vec<Organization>, Error> {
        self.list(user_id).await
    }

    /// An organization with its members (and their users), pending
    /// invitations and teams, for its members.
    ///
    /// # Errors
    /// `403 FORBIDDEN` for a non-member, `404 ORGANIZATION_NOT_FOUND`.
    pub async fn full(
        &self,
        actor: &Actor,
        organization_id: &str,
    ) -> Result<FullOrganization, Error> {
        let now = self.now();
        let doc = store::require(self.adapter(), organization_id, now)
            .await?
            .value;
        self.authority(&doc, actor)?;
        let mut members = Vec::with_capacity(doc.members.len());
        for member in doc.members {
            let user = self
                .adapter()
                .get_user(&member.user_id)
                .await?
                .map(|user| public_user(&user));
            members.push(MemberWithUser { member, user });
        }
        let invitations = doc
            .invitations
            .into_iter()
            .filter(|invitation| invitation.is_open(now))
            .collect();
        Ok(FullOrganization {
            organization: doc.organization,
            members,
            invitations,
            teams: doc.teams,
        })
    }

    /// The membership of `user_id` in `organization_id`, if any.
    ///
    /// # Errors
    /// `404 ORGANIZATION_NOT_FOUND`; adapter failures.
    pub async fn member(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Option<Member>, Error> {
        let doc = store::require(self.adapter(), organization_id, self.now())
            .await?
            .value;
        Ok(doc.member_of_user(user_id).cloned())
    }

    /// Whether `actor` may do every one of `permissions` in the
    /// organization (the union of their roles).
    ///
    /// # Errors
    /// `403 FORBIDDEN` for a non-member, `404 ORGANIZATION_NOT_FOUND`,
    /// `400 UNKNOWN_PERMISSION`.
    pub async fn has_permission(
        &self,
        actor: &Actor,
        organization_id: &str,
        permissions: &[Permission],
    ) -> Result<bool, Error> {
        let doc = store::require(self.adapter(), organization_id, self.now())
            .await?
            .value;
        let authority = self.authority(&doc, actor)?;
        let allowed = self
            .plugin
            .access
            .permits(&authority.roles, permissions)
            .map_err(errors::access)?;
        Ok(allowed || authority.trusted)
    }

    // --- Members -------------------------------------------------------------

    /// Adds an existing user with `roles` (needs `member:create`, and roles
    /// below one's own).
    ///
    /// # Errors
    /// `400 UNKNOWN_ROLE`, `404 USER_NOT_FOUND`, `403 FORBIDDEN`,
    /// `409 ALREADY_MEMBER`, `403 MEMBER_LIMIT_REACHED`.
    pub async fn add_member(
        &self,
        actor: &Actor,
        organization_id: &str,
        user_id: &str,
        roles: &[String],
    ) -> Result<Member, Error> {
        let roles = self.check_roles(roles)?;
        let now = self.now();
        if user_id.is_empty() || self.adapter().get_user(user_id).await?.is_none() {
            return Err(errors::user_not_found());
        }
        let member_id = random_id()?;
        let (_, member) = store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "member", "create")?;
            self.may_manage(&authority, &roles)?;
            self.admit(doc, &member_id, user_id, &roles, Vec::new(), now)
        })
        .await?;
        store::link(self.adapter(), &member, now).await?;
        self.emit(
            events::MEMBER_ADDED,
            actor,
            organization_id,
            json!({ "memberId": member.id, "userId": member.user_id, "role": member.role.join(",") }),
        )
        .await;
        Ok(member)
    }

    /// Adds a member to `doc`, within the limits.
    fn admit(
        &self,
        doc: &mut OrgDoc,
        member_id: &str,
        user_id: &str,
        roles: &[String],
        team_ids: Vec<String>,
        now: u64,
    ) -> Result<Member, Error> {
        if doc.member_of_user(user_id).is_some() {
            return Err(errors::already_member());
        }
        if doc.members.len() >= self.plugin.max_members {
            return Err(errors::member_limit());
        }
        let member = Member {
            id: member_id.to_owned(),
            organization_id: doc.organization.id.clone(),
            user_id: user_id.to_owned(),
            role: roles.to_vec(),
            team_ids,
            created_at: now,
        };
        doc.members.push(member.clone());
        Ok(member)
    }

    /// Changes a member's roles (needs `member:update`; the member's roles
    /// and the new ones below one's own; an owner stays).
    ///
    /// # Errors
    /// `400 UNKNOWN_ROLE`, `403 FORBIDDEN`, `404 MEMBER_NOT_FOUND`,
    /// `409 LAST_OWNER`.
    pub async fn update_member_role(
        &self,
        actor: &Actor,
        organization_id: &str,
        member_id: &str,
        roles: &[String],
    ) -> Result<Member, Error> {
        let roles = self.check_roles(roles)?;
        let now = self.now();
        let (_, (before, member)) = store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "member", "update")?;
            let target = doc
                .members
                .iter_mut()
                .find(|member| member.id == member_id)
                .ok_or_else(errors::member_not_found)?;
            self.may_manage(&authority, &target.role)?;
            self.may_manage(&authority, &roles)?;
            let before = std::mem::replace(&mut target.role, roles.clone());
            let member = target.clone();
            if doc.owners() == 0 {
                return Err(errors::last_owner());
            }
            Ok((before, member))
        })
        .await?;
        self.emit(
            events::MEMBER_ROLE_CHANGED,
            actor,
            organization_id,
            json!({
                "memberId": member.id,
                "userId": member.user_id,
                "from": before.join(","),
                "to": member.role.join(","),
            }),
        )
        .await;
        Ok(member)
    }

    /// Removes a member (needs `member:delete` and their roles below one's
    /// own; removing oneself is [`leave`](Self::leave)). Their team
    /// assignments go with them.
    ///
    /// # Errors
    /// `403 FORBIDDEN`, `404 MEMBER_NOT_FOUND`, `409 LAST_OWNER`.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        organization_id: &str,
        member_id: &str,
    ) -> Result<Member, Error> {
        let now = self.now();
        let (_, (member, own)) = store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            let index = doc
                .members
                .iter()
                .position(|member| member.id == member_id)
                .ok_or_else(errors::member_not_found)?;
            let own = authority.member_id.as_deref() == Some(member_id);
            if !own {
                self.require(&authority, "member", "delete")?;
                self.may_manage(&authority, &doc.members[index].role)?;
            }
            let member = doc.members.remove(index);
            if doc.owners() == 0 {
                return Err(errors::last_owner());
            }
            Ok((member, own))
        })
        .await?;
        store::unlink(self.adapter(), &member, now).await?;
        let event = if own {
            events::MEMBER_LEFT
        } else {
            events::MEMBER_REMOVED
        };
        self.emit(
            event,
            actor,
            organization_id,
            json!({ "memberId": member.id, "userId": member.user_id }),
        )
        .await;
        Ok(member)
    }

    /// `user_id` leaves the organization (the last owner cannot).
    ///
    /// # Errors
    /// `403 FORBIDDEN` for a non-member, `409 LAST_OWNER`.
    pub async fn leave(&self, user_id: &str, organization_id: &str) -> Result<Member, Error> {
        let doc = store::require(self.adapter(), organization_id, self.now())
            .await?
            .value;
        let member = doc
            .member_of_user(user_id)
            .ok_or_else(errors::not_a_member)?;
        self.remove_member(&Actor::user(user_id), organization_id, &member.id)
            .await
    }

    // --- Invitations -----------------------------------------------------------

    /// Invites `email` with `roles` (needs `invitation:create`, and roles
    /// below one's own); a pending invitation of the same address is
    /// canceled. The mail (with a link carrying the invitation id and a
    /// single-use token) goes out in the background, like every link mail:
    /// the answer does not depend on whether the address has an account.
    ///
    /// # Errors
    /// `400 INVALID_EMAIL`, `400 UNKNOWN_ROLE`, `403 FORBIDDEN`,
    /// `409 ALREADY_MEMBER`, `404 TEAM_NOT_FOUND`,
    /// `403 INVITATION_LIMIT_REACHED`.
    pub async fn invite(
        &self,
        actor: &Actor,
        organization_id: &str,
        email: &str,
        roles: &[String],
        team_id: Option<&str>,
    ) -> Result<Invitation, Error> {
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let roles = self.check_roles(roles)?;
        let now = self.now();
        // Whether the address is a member already (the inviter sees the
        // members anyway, so this reveals nothing new to them).
        let existing = self.adapter().find_user_by_email(&email).await?;
        let invitation = Invitation {
            id: random_id()?,
            organization_id: organization_id.to_owned(),
            email: email.as_str().to_owned(),
            role: roles.clone(),
            status: InvitationStatus::Pending,
            expires_at: now.saturating_add(self.plugin.invitation_expires_in),
            inviter_id: actor.event_user().to_owned(),
            team_id: team_id.map(str::to_owned),
            created_at: now,
        };
        // The pointer first: an invitation in the organization is always
        // findable by its id.
        store::index_invitation(self.adapter(), &invitation, now).await?;
        let result = store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "invitation", "create")?;
            self.may_manage(&authority, &roles)?;
            if let Some(user) = &existing
                && doc.member_of_user(user.id()).is_some()
            {
                return Err(errors::already_member());
            }
            if let Some(team_id) = team_id
                && !doc.teams.iter().any(|team| team.id == team_id)
            {
                return Err(errors::team_not_found());
            }
            // Re-inviting replaces: the earlier invitation is canceled.
            let mut replaced = Vec::new();
            for earlier in &mut doc.invitations {
                if earlier.email == invitation.email && earlier.status == InvitationStatus::Pending
                {
                    earlier.status = InvitationStatus::Canceled;
                    replaced.push(earlier.id.clone());
                }
            }
            let pending = doc
                .invitations
                .iter()
                .filter(|earlier| earlier.is_open(now))
                .count();
            if pending >= self.plugin.max_pending_invitations {
                return Err(errors::invitation_limit());
            }
            doc.invitations.push(invitation.clone());
            Ok((replaced, doc.organization.name.clone()))
        })
        .await;
        let (_, (replaced, organization_name)) = match result {
            Ok(done) => done,
            Err(error) => {
                self.adapter()
                    .delete_record(store::INVITATION, &invitation.id, now)
                    .await?;
                return Err(error);
            }
        };
        let inviter_email = match actor.user_id() {
            Some(id) => self
                .adapter()
                .get_user(id)
                .await?
                .map(|user| user.email().to_owned()),
            None => None,
        };
        self.send_invitation(&invitation, email, &organization_name, inviter_email)
            .await;
        for id in &replaced {
            self.emit(
                events::INVITATION_CANCELED,
                actor,
                organization_id,
                json!({ "invitationId": id, "replacedBy": invitation.id }),
            )
            .await;
        }
        self.emit(
            events::INVITATION_SENT,
            actor,
            organization_id,
            json!({
                "invitationId": invitation.id,
                "email": invitation.email,
                "role": invitation.role.join(","),
                "replaced": replaced,
            }),
        )
        .await;
        Ok(invitation)
    }

    async fn send_invitation(
        &self,
        invitation: &Invitation,
        to: Email,
        organization_name: &str,
        inviter_email: Option<String>,
    ) {
        let render = Arc::clone(&self.plugin.render);
        let (name, role) = (organization_name.to_owned(), invitation.role.join(","));
        let hours = self.plugin.invitation_expires_in.div_ceil(3600);
        let mail = LinkMail::new(
            Arc::clone(&self.plugin.sender),
            self.plugin.invitation_expires_in,
            Arc::new(move |to: &Email, url: &str, _minutes: u64| {
                render(&InvitationMail {
                    to,
                    organization_name: &name,
                    role: &role,
                    inviter_email: inviter_email.as_deref(),
                    url,
                    hours,
                })
            }),
        );
        let page = format!("{}{}", self.auth.base_origin(), self.plugin.invitation_page);
        let separator = if page.contains('?') { '&' } else { '?' };
        let id = invitation.id.clone();
        mail.send(
            self.auth,
            LinkRequest {
                purpose: INVITATION_PURPOSE,
                identifier: invitation.id.clone(),
                data: None,
                to,
            },
            move |token| format!("{page}{separator}invitationId={id}&token={token}"),
        )
        .await;
    }

    /// Checks that `user` may answer the invitation: the single-use token
    /// of its mail (used up here), or the invited address verified on the
    /// account.
    async fn prove(
        &self,
        user: &U,
        invitation_id: &str,
        token: Option<&str>,
    ) -> Result<(Invitation, Proof), Error> {
        let now = self.now();
        let organization_id =
            store::invitation_organization(self.adapter(), invitation_id, now).await?;
        let doc = store::require(self.adapter(), &organization_id, now)
            .await
            .map_err(|_| errors::invitation_not_found())?
            .value;
        let invitation = doc
            .invitations
            .iter()
            .find(|invitation| invitation.id == invitation_id)
            .cloned()
            .ok_or_else(errors::invitation_not_found)?;
        if invitation.status != InvitationStatus::Pending {
            return Err(errors::invitation_not_pending());
        }
        if invitation.expires_at <= now {
            return Err(errors::invitation_expired());
        }
        if let Some(token) = token {
            let record = self.auth.consume_token(token, INVITATION_PURPOSE).await?;
            // The token names its invitation: one for another is no proof.
            if record.identifier != invitation_id {
                return Err(Error::InvalidToken);
            }
            return Ok((invitation, Proof::Link));
        }
        if user.email() != invitation.email {
            return Err(errors::recipient_mismatch());
        }
        if !self.adapter().is_email_verified(user.id()).await? {
            return Err(Error::EmailNotVerified);
        }
        Ok((invitation, Proof::VerifiedAddress))
    }

    /// `user` accepts an invitation and becomes a member with its roles.
    /// Proof: `token` from the mail's link, or else the invited address
    /// verified on `user`'s account. Of concurrent accepts, one wins.
    ///
    /// # Errors
    /// `404 INVITATION_NOT_FOUND`, `409 INVITATION_NOT_PENDING`,
    /// `410 INVITATION_EXPIRED`, `403 INVITATION_RECIPIENT_MISMATCH`,
    /// `403 EMAIL_NOT_VERIFIED`, `400 INVALID_TOKEN`, `409 ALREADY_MEMBER`,
    /// `403 MEMBER_LIMIT_REACHED`.
    pub async fn accept_invitation(
        &self,
        user: &U,
        invitation_id: &str,
        token: Option<&str>,
    ) -> Result<Member, Error> {
        let (invitation, proof) = self.prove(user, invitation_id, token).await?;
        let now = self.now();
        let member_id = random_id()?;
        let organization_id = invitation.organization_id.clone();
        let (_, member) = store::modify(self.adapter(), &organization_id, now, |doc| {
            let index = doc
                .invitations
                .iter()
                .position(|invitation| invitation.id == invitation_id)
                .ok_or_else(errors::invitation_not_found)?;
            let invitation = doc.invitations[index].clone();
            if invitation.status != InvitationStatus::Pending {
                return Err(errors::invitation_not_pending());
            }
            if invitation.expires_at <= now {
                return Err(errors::invitation_expired());
            }
            let teams = invitation
                .team_id
                .iter()
                .filter(|team| doc.teams.iter().any(|known| known.id == **team))
                .cloned()
                .collect();
            let roles = self.check_roles(&invitation.role)?;
            let member = self.admit(doc, &member_id, user.id(), &roles, teams, now)?;
            doc.invitations[index].status = InvitationStatus::Accepted;
            Ok(member)
        })
        .await?;
        store::link(self.adapter(), &member, now).await?;
        let actor = Actor::user(user.id());
        self.emit(
            events::INVITATION_ACCEPTED,
            &actor,
            &organization_id,
            json!({
                "invitationId": invitation_id,
                "memberId": member.id,
                "proof": match proof { Proof::Link => "link", Proof::VerifiedAddress => "verified-address" },
            }),
        )
        .await;
        self.emit(
            events::MEMBER_ADDED,
            &actor,
            &organization_id,
            json!({ "memberId": member.id, "userId": member.user_id, "role": member.role.join(",") }),
        )
        .await;
        Ok(member)
    }

    /// `user` declines an invitation (same proof as accepting).
    ///
    /// # Errors
    /// As [`accept_invitation`](Self::accept_invitation).
    pub async fn reject_invitation(
        &self,
        user: &U,
        invitation_id: &str,
        token: Option<&str>,
    ) -> Result<Invitation, Error> {
        let (invitation, _) = self.prove(user, invitation_id, token).await?;
        let rejected = self
            .resolve(
                &invitation.organization_id,
                invitation_id,
                InvitationStatus::Rejected,
                |_| Ok(()),
            )
            .await?;
        self.emit(
            events::INVITATION_REJECTED,
            &Actor::user(user.id()),
            &invitation.organization_id,
            json!({ "invitationId": invitation_id }),
        )
        .await;
        Ok(rejected)
    }

    /// Withdraws a pending invitation (needs `invitation:cancel`).
    ///
    /// # Errors
    /// `404 INVITATION_NOT_FOUND`, `403 FORBIDDEN`,
    /// `409 INVITATION_NOT_PENDING`.
    pub async fn cancel_invitation(
        &self,
        actor: &Actor,
        invitation_id: &str,
    ) -> Result<Invitation, Error> {
        let now = self.now();
        let organization_id =
            store::invitation_organization(self.adapter(), invitation_id, now).await?;
        let canceled = self
            .resolve(
                &organization_id,
                invitation_id,
                InvitationStatus::Canceled,
                |doc| {
                    let authority = self.authority(doc, actor)?;
                    self.require(&authority, "invitation", "cancel")
                },
            )
            .await?;
        self.emit(
            events::INVITATION_CANCELED,
            actor,
            &organization_id,
            json!({ "invitationId": invitation_id }),
        )
        .await;
        Ok(canceled)
    }

    async fn resolve(
        &self,
        organization_id: &str,
        invitation_id: &str,
        status: InvitationStatus,
        check: impl Fn(&OrgDoc) -> Result<(), Error>,
    ) -> Result<Invitation, Error> {
        let now = self.now();
        let (_, invitation) = store::modify(self.adapter(), organization_id, now, |doc| {
            check(doc)?;
            let invitation = doc
                .invitations
                .iter_mut()
                .find(|invitation| invitation.id == invitation_id)
                .ok_or_else(errors::invitation_not_found)?;
            if invitation.status != InvitationStatus::Pending {
                return Err(errors::invitation_not_pending());
            }
            invitation.status = status;
            Ok(invitation.clone())
        })
        .await
        .map_err(|error| {
            if error.code() == "ORGANIZATION_NOT_FOUND" {
                errors::invitation_not_found()
            } else {
                error
            }
        })?;
        Ok(invitation)
    }

    /// The organization's pending invitations, for its members.
    ///
    /// # Errors
    /// `403 FORBIDDEN`, `404 ORGANIZATION_NOT_FOUND`.
    pub async fn list_invitations(
        &self,
        actor: &Actor,
        organization_id: &str,
    ) -> Result<Vec<Invitation>, Error> {
        let now = self.now();
        let doc = store::require(self.adapter(), organization_id, now)
            .await?
            .value;
        self.authority(&doc, actor)?;
        Ok(doc
            .invitations
            .into_iter()
            .filter(|invitation| invitation.is_open(now))
            .collect())
    }

    // --- Teams -----------------------------------------------------------------

    /// Creates a team (needs `team:create`).
    ///
    /// # Errors
    /// `400 INVALID_BODY` for the name, `403 FORBIDDEN`, `404`.
    pub async fn create_team(
        &self,
        actor: &Actor,
        organization_id: &str,
        name: &str,
    ) -> Result<Team, Error> {
        let name = valid_name(name)?;
        let now = self.now();
        let team = Team {
            id: random_id()?,
            name,
            organization_id: organization_id.to_owned(),
            created_at: now,
        };
        store::modify(self.adapter(), organization_id, now, |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "team", "create")?;
            if doc.teams.len() >= self.plugin.max_members {
                return Err(errors::team_limit());
            }
            doc.teams.push(team.clone());
            Ok(())
        })
        .await?;
        self.emit(
            events::TEAM_CREATED,
            actor,
            organization_id,
            json!({ "teamId": team.id, "name": team.name }),
        )
        .await;
        Ok(team)
    }

    /// Removes a team, and every member's assignment to it (needs
    /// `team:delete`).
    ///
    /// # Errors
    /// `403 FORBIDDEN`, `404 TEAM_NOT_FOUND`.
    pub async fn remove_team(
        &self,
        actor: &Actor,
        organization_id: &str,
        team_id: &str,
    ) -> Result<(), Error> {
        store::modify(self.adapter(), organization_id, self.now(), |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "team", "delete")?;
            let before = doc.teams.len();
            doc.teams.retain(|team| team.id != team_id);
            if doc.teams.len() == before {
                return Err(errors::team_not_found());
            }
            for member in &mut doc.members {
                member.team_ids.retain(|team| team != team_id);
            }
            Ok(())
        })
        .await?;
        self.emit(
            events::TEAM_REMOVED,
            actor,
            organization_id,
            json!({ "teamId": team_id }),
        )
        .await;
        Ok(())
    }

    /// Assigns a member to a team of the same organization (needs
    /// `team:update`), or takes them off it.
    ///
    /// # Errors
    /// `403 FORBIDDEN`, `404 TEAM_NOT_FOUND` / `MEMBER_NOT_FOUND`.
    pub async fn set_team_member(
        &self,
        actor: &Actor,
        organization_id: &str,
        team_id: &str,
        member_id: &str,
        on: bool,
    ) -> Result<Member, Error> {
        let (_, member) = store::modify(self.adapter(), organization_id, self.now(), |doc| {
            let authority = self.authority(doc, actor)?;
            self.require(&authority, "team", "update")?;
            if !doc.teams.iter().any(|team| team.id == team_id) {
                return Err(errors::team_not_found());
            }
            let member = doc
                .members
                .iter_mut()
                .find(|member| member.id == member_id)
                .ok_or_else(errors::member_not_found)?;
            member.team_ids.retain(|team| team != team_id);
            if on {
                member.team_ids.push(team_id.to_owned());
            }
            Ok(member.clone())
        })
        .await?;
        let event = if on {
            events::TEAM_MEMBER_ADDED
        } else {
            events::TEAM_MEMBER_REMOVED
        };
        self.emit(
            event,
            actor,
            organization_id,
            json!({ "teamId": team_id, "memberId": member_id }),
        )
        .await;
        Ok(member)
    }

    /// The team `team_id` of `organization_id`, if `user_id` is in it.
    pub(crate) async fn team_of_member(
        &self,
        organization_id: &str,
        team_id: &str,
        user_id: &str,
    ) -> Result<Team, Error> {
        let doc = store::require(self.adapter(), organization_id, self.now())
            .await?
            .value;
        let member = doc
            .member_of_user(user_id)
            .ok_or_else(errors::not_a_member)?;
        let team = doc
            .teams
            .iter()
            .find(|team| team.id == team_id)
            .cloned()
            .ok_or_else(errors::team_not_found)?;
        if !member.team_ids.iter().any(|id| id == team_id) {
            return Err(errors::forbidden("You are not in this team."));
        }
        Ok(team)
    }

    pub(crate) async fn emit_active(
        &self,
        user_id: &str,
        organization_id: Option<&str>,
        team_id: Option<&str>,
    ) {
        self.emit(
            events::ACTIVE_CHANGED,
            &Actor::user(user_id),
            organization_id.unwrap_or(""),
            json!({ "teamId": team_id }),
        )
        .await;
    }
}

/// `{id, email, name?}` of a user.
fn public_user<U: AuthUser>(user: &U) -> Value {
    let mut out = json!({ "id": user.id(), "email": user.email() });
    if let Ok(Value::Object(fields)) = serde_json::to_value(user)
        && let Some(name) = fields.get("name")
    {
        out["name"] = name.clone();
    }
    out
}

fn valid_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(errors::invalid("a name of 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

fn valid_slug(slug: &str) -> Result<String, Error> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(errors::invalid(
            "a slug of 1 to 64 lowercase letters, digits and inner hyphens",
        ))
    }
}

/// A logo is an `https` (or `http`) URL; `""` removes it.
fn valid_logo(logo: Option<&str>) -> Result<Option<String>, Error> {
    match logo.map(str::trim) {
        None | Some("") => Ok(None),
        Some(url)
            if url.len() <= 2048
                && (url.starts_with("https://") || url.starts_with("http://"))
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(Some(url.to_owned()))
        }
        Some(_) => Err(errors::invalid(
            "a logo URL (http or https, at most 2048 bytes)",
        )),
    }
}

/// Metadata is a JSON object of at most 8 KiB (`null` removes it).
fn valid_metadata(metadata: Option<Value>) -> Result<Option<Value>, Error> {
    match metadata {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) if value.to_string().len() <= 8192 => Ok(Some(value)),
        Some(_) => Err(errors::invalid("metadata: a JSON object of at most 8 KiB")),
    }
}
