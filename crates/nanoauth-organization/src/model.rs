//! The values the plugin hands out, in the wire's field names (those of
//! better-auth's organization plugin): organizations, members, invitations
//! and teams. Times are Unix seconds.

use serde::{Deserialize, Serialize};

/// An organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its unique, URL-safe name (`acme-inc`).
    pub slug: String,
    /// A logo URL.
    pub logo: Option<String>,
    /// The application's own JSON.
    pub metadata: Option<serde_json::Value>,
    /// When it was created.
    pub created_at: u64,
}

/// A user's membership of an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Member {
    /// The membership's id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The user.
    pub user_id: String,
    /// The roles held, each a declared role; on the wire comma-separated
    /// (`"admin,member"`).
    #[serde(with = "comma_separated")]
    pub role: Vec<String>,
    /// The teams of the organization the member belongs to.
    #[serde(default)]
    pub team_ids: Vec<String>,
    /// When the user joined.
    pub created_at: u64,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InvitationStatus {
    /// Waiting for the invitee.
    Pending,
    /// The invitee joined.
    Accepted,
    /// The invitee declined.
    Rejected,
    /// An admin withdrew it, or a newer invitation replaced it.
    Canceled,
}

/// An invitation to join an organization, sent by email.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Invitation {
    /// Its id (the mail's link carries it).
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The invited address (normalised).
    pub email: String,
    /// The roles the invitee gets, comma-separated on the wire.
    #[serde(with = "comma_separated")]
    pub role: Vec<String>,
    /// Pending, accepted, rejected or canceled.
    pub status: InvitationStatus,
    /// After this it can no longer be accepted.
    pub expires_at: u64,
    /// Who invited (a user id, or `"system"`).
    pub inviter_id: String,
    /// A team of the organization the invitee joins too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// When it was sent.
    pub created_at: u64,
}

impl Invitation {
    /// Still acceptable at `now`.
    pub fn is_open(&self, now: u64) -> bool {
        self.status == InvitationStatus::Pending && self.expires_at > now
    }
}

/// A team inside an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Team {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The organization it belongs to.
    pub organization_id: String,
    /// When it was created.
    pub created_at: u64,
}

/// An organization with its members, pending invitations and teams, as
/// `GET /organization/full` answers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FullOrganization {
    /// The organization.
    pub organization: Organization,
    /// Its members, each with `user: {id, email, name?}`.
    pub members: Vec<MemberWithUser>,
    /// Its pending invitations.
    pub invitations: Vec<Invitation>,
    /// Its teams.
    pub teams: Vec<Team>,
}

/// A member with the public part of their user (`id`, `email`, and `name`
/// when the application's user type has one).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MemberWithUser {
    /// The membership.
    #[serde(flatten)]
    pub member: Member,
    /// `{id, email, name?}`, or `null` when the user is gone.
    pub user: Option<serde_json::Value>,
}

/// What creating an organization takes.
///
/// ```
/// use nanoauth_organization::NewOrganization;
/// let new = NewOrganization::new("Acme", "acme").logo("https://acme.test/logo.png");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct NewOrganization {
    /// The name.
    pub name: String,
    /// The slug.
    pub slug: String,
    /// A logo URL.
    pub logo: Option<String>,
    /// The application's JSON.
    pub metadata: Option<serde_json::Value>,
    /// The first owner: the acting user when `None` (the system actor must
    /// name one).
    pub owner_id: Option<String>,
}

impl NewOrganization {
    /// An organization called `name` at `slug`.
    pub fn new(name: impl Into<String>, slug: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            slug: slug.into(),
            ..Self::default()
        }
    }

    /// With a logo URL.
    #[must_use]
    pub fn logo(mut self, url: impl Into<String>) -> Self {
        self.logo = Some(url.into());
        self
    }

    /// With the application's JSON.
    #[must_use]
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// With `user_id` as its first owner (for the system actor).
    #[must_use]
    pub fn owner(mut self, user_id: impl Into<String>) -> Self {
        self.owner_id = Some(user_id.into());
        self
    }
}

/// A change to an organization: the fields given are replaced.
///
/// ```
/// use nanoauth_organization::OrganizationUpdate;
/// let update = OrganizationUpdate::default().name("Acme Inc.");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct OrganizationUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new slug (must be free).
    pub slug: Option<String>,
    /// A new logo URL (`""` removes it).
    pub logo: Option<String>,
    /// New metadata (replaces the old).
    pub metadata: Option<serde_json::Value>,
}

impl OrganizationUpdate {
    /// Renames.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Moves to a new slug.
    #[must_use]
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// Sets the logo URL.
    #[must_use]
    pub fn logo(mut self, logo: impl Into<String>) -> Self {
        self.logo = Some(logo.into());
        self
    }

    /// Replaces the metadata.
    #[must_use]
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Roles travel as one comma-separated string (better-auth's shape);
/// reading accepts an array too.
mod comma_separated {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        roles: &[String],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&roles.join(","))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Roles {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Roles::deserialize(deserializer)? {
            Roles::One(text) => text
                .split(',')
                .map(|role| role.trim().to_owned())
                .filter(|role| !role.is_empty())
                .collect(),
            Roles::Many(list) => list,
        })
    }
}

/// Reads a role list from a request body: `"admin"`, `"admin,member"` or
/// `["admin", "member"]`.
pub(crate) fn roles_from_wire<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    comma_separated::deserialize(deserializer)
}
