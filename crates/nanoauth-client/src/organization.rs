//! The organization plugin's calls (`/organization/*`): organizations,
//! members and their roles, invitations, the active organization, and the
//! permission check.

use std::collections::BTreeMap;
use std::fmt;

use http::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::AuthClient;
use crate::error::ClientError;

/// The organization calls of a client, from
/// [`AuthClient::organizations`](crate::AuthClient::organizations). The
/// server needs NanoAuth's organization plugin (`nanoauth-organization`).
/// Calls that take an `organization_id` of `None` act on the session's
/// active organization.
///
/// ```no_run
/// # async fn example(client: nanoauth_client::AuthClient<serde_json::Value>) -> Result<(), nanoauth_client::ClientError> {
/// let orgs = client.organizations();
/// let acme = orgs.create("Acme", "acme").await?;
/// orgs.invite_member(None, "bob@example.com", "member").await?;
/// let can = orgs.has_permission(None, &[("project", "create")]).await?;
/// println!("{} may create projects: {can}", acme.name);
/// # Ok(()) }
/// ```
///
/// # Errors
/// Every call fails with [`ClientError::Api`] as the server says:
/// `FORBIDDEN` (403: not a member, or the role does not allow it), a
/// `*_NOT_FOUND` code (404), `LAST_OWNER`, `SLUG_TAKEN`, `ALREADY_MEMBER`
/// (409), `UNKNOWN_ROLE` (400), and with [`ClientError::Network`] or
/// [`ClientError::Decode`].
pub struct Organizations<'a, U> {
    client: &'a AuthClient<U>,
}

impl<U> fmt::Debug for Organizations<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Organizations")
            .field("client", self.client)
            .finish()
    }
}

/// An organization. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its unique slug.
    pub slug: String,
    /// Its logo URL.
    #[serde(default)]
    pub logo: Option<String>,
    /// The application's JSON.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// When it was made.
    pub created_at: u64,
}

/// A membership.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Member {
    /// Its id (what role changes and removal take).
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The user.
    pub user_id: String,
    /// One role, or several comma-separated.
    pub role: String,
    /// Its teams.
    #[serde(default)]
    pub team_ids: Vec<String>,
    /// When the user joined.
    pub created_at: u64,
    /// `{id, email, name?}` in [`FullOrganization`] lists.
    #[serde(default)]
    pub user: Option<Value>,
}

/// An invitation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Invitation {
    /// Its id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The invited address.
    pub email: String,
    /// The roles offered.
    pub role: String,
    /// `pending`, `accepted`, `rejected` or `canceled`.
    pub status: String,
    /// When it stops being acceptable.
    pub expires_at: u64,
    /// Who invited.
    pub inviter_id: String,
}

/// An organization with its members, pending invitations and teams.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct FullOrganization {
    /// The organization.
    pub organization: Organization,
    /// Its members, each with `user`.
    pub members: Vec<Member>,
    /// Its pending invitations.
    pub invitations: Vec<Invitation>,
    /// Its teams (`{id, name, organizationId, createdAt}`).
    #[serde(default)]
    pub teams: Vec<Value>,
}

#[derive(Deserialize)]
struct Wrapped<T> {
    #[serde(alias = "organization", alias = "member", alias = "invitation")]
    value: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WithOrganization<'b, T: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<&'b str>,
    #[serde(flatten)]
    body: T,
}

impl<'a, U: DeserializeOwned + Clone> Organizations<'a, U> {
    pub(crate) fn new(client: &'a AuthClient<U>) -> Self {
        Self { client }
    }

    /// Creates an organization the signed-in user owns; it becomes the
    /// session's active one (`POST /organization/create`).
    ///
    /// # Errors
    /// `SLUG_TAKEN` (409), `INVALID_BODY` (400), and as [`Organizations`].
    pub async fn create(&self, name: &str, slug: &str) -> Result<Organization, ClientError> {
        let created: Wrapped<Organization> = self
            .post(
                "/organization/create",
                &json!({ "name": name, "slug": slug }),
            )
            .await?;
        Ok(created.value)
    }

    /// The signed-in user's organizations (`GET /organization/list`).
    ///
    /// # Errors
    /// As [`Organizations`].
    pub async fn list(&self) -> Result<Vec<Organization>, ClientError> {
        self.client
            .send(self.client.request(Method::GET, "/organization/list"))
            .await
    }

    /// An organization with its members and pending invitations
    /// (`GET /organization/full`).
    ///
    /// # Errors
    /// As [`Organizations`].
    pub async fn full(
        &self,
        organization_id: Option<&str>,
    ) -> Result<FullOrganization, ClientError> {
        let path = match organization_id {
            Some(id) => format!("/organization/full?organizationId={}", encode(id)),
            None => "/organization/full".to_owned(),
        };
        self.client
            .send(self.client.request(Method::GET, &path))
            .await
    }

    /// Makes `organization_id` the session's active organization (`None`
    /// clears it) (`POST /organization/set-active`); answers the session as
    /// the server shows it, with `activeOrganizationId`.
    ///
    /// # Errors
    /// As [`Organizations`].
    pub async fn set_active(&self, organization_id: Option<&str>) -> Result<Value, ClientError> {
        let answer: Value = self
            .post(
                "/organization/set-active",
                &json!({ "organizationId": organization_id }),
            )
            .await?;
        Ok(answer["session"].clone())
    }

    /// Invites `email` with `role` (`POST /organization/invite-member`).
    ///
    /// # Errors
    /// `FORBIDDEN`, `UNKNOWN_ROLE`, `ALREADY_MEMBER`, and as [`Organizations`].
    pub async fn invite_member(
        &self,
        organization_id: Option<&str>,
        email: &str,
        role: &str,
    ) -> Result<Invitation, ClientError> {
        let body = WithOrganization {
            organization_id,
            body: json!({ "email": email, "role": role }),
        };
        let invited: Wrapped<Invitation> = self.post("/organization/invite-member", &body).await?;
        Ok(invited.value)
    }

    /// Accepts an invitation, with the `token` of its mail's link or as the
    /// invited, verified address (`POST /organization/accept-invitation`).
    ///
    /// # Errors
    /// `INVITATION_NOT_PENDING`, `INVITATION_EXPIRED`,
    /// `INVITATION_RECIPIENT_MISMATCH`, `EMAIL_NOT_VERIFIED`, and as
    /// [`Organizations`].
    pub async fn accept_invitation(
        &self,
        invitation_id: &str,
        token: Option<&str>,
    ) -> Result<Member, ClientError> {
        let mut body = json!({ "invitationId": invitation_id });
        if let Some(token) = token {
            body["token"] = json!(token);
        }
        let accepted: Wrapped<Member> = self.post("/organization/accept-invitation", &body).await?;
        Ok(accepted.value)
    }

    /// Changes a member's role (`POST /organization/update-member-role`).
    ///
    /// # Errors
    /// `FORBIDDEN`, `LAST_OWNER`, `UNKNOWN_ROLE`, and as [`Organizations`].
    pub async fn update_member_role(
        &self,
        organization_id: Option<&str>,
        member_id: &str,
        role: &str,
    ) -> Result<Member, ClientError> {
        let body = WithOrganization {
            organization_id,
            body: json!({ "memberId": member_id, "role": role }),
        };
        let updated: Wrapped<Member> = self.post("/organization/update-member-role", &body).await?;
        Ok(updated.value)
    }

    /// Removes a member (`POST /organization/remove-member`).
    ///
    /// # Errors
    /// `FORBIDDEN`, `LAST_OWNER`, and as [`Organizations`].
    pub async fn remove_member(
        &self,
        organization_id: Option<&str>,
        member_id: &str,
    ) -> Result<Member, ClientError> {
        let body = WithOrganization {
            organization_id,
            body: json!({ "memberId": member_id }),
        };
        let removed: Wrapped<Member> = self.post("/organization/remove-member", &body).await?;
        Ok(removed.value)
    }

    /// Whether the signed-in user's roles allow every one of `permissions`
    /// (`(resource, action)` pairs) (`POST /organization/has-permission`).
    ///
    /// # Errors
    /// `FORBIDDEN`, `UNKNOWN_PERMISSION`, and as [`Organizations`].
    pub async fn has_permission(
        &self,
        organization_id: Option<&str>,
        permissions: &[(&str, &str)],
    ) -> Result<bool, ClientError> {
        let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (resource, action) in permissions {
            grouped.entry(resource).or_default().push(action);
        }
        let body = WithOrganization {
            organization_id,
            body: json!({ "permissions": grouped }),
        };
        let answer: Value = self.post("/organization/has-permission", &body).await?;
        Ok(answer["success"].as_bool().unwrap_or(false))
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ClientError> {
        self.client
            .send(self.client.request(Method::POST, path).json(body))
            .await
    }
}

/// `text` percent-encoded for a query value (RFC 3986 unreserved kept).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn bodies_name_the_organization_only_when_given() {
        let body = WithOrganization {
            organization_id: None,
            body: json!({ "memberId": "m" }),
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({ "memberId": "m" })
        );
        let body = WithOrganization {
            organization_id: Some("o"),
            body: json!({ "memberId": "m" }),
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            json!({ "organizationId": "o", "memberId": "m" })
        );
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode("Ab-_.~9"), "Ab-_.~9");
    }

    #[test]
    fn answers_read_in_the_wire_shapes() {
        let member: Wrapped<Member> = serde_json::from_str(
            r#"{"member":{"id":"m","organizationId":"o","userId":"u","role":"admin,member","teamIds":[],"createdAt":1}}"#,
        )
        .unwrap();
        assert_eq!(member.value.role, "admin,member");
        let full: FullOrganization = serde_json::from_str(
            r#"{"organization":{"id":"o","name":"Acme","slug":"acme","logo":null,"metadata":null,"createdAt":1},
                "members":[{"id":"m","organizationId":"o","userId":"u","role":"owner","teamIds":[],"createdAt":1,
                "user":{"id":"u","email":"a@example.com"}}],"invitations":[],"teams":[]}"#,
        )
        .unwrap();
        assert_eq!(
            full.members[0].user.as_ref().unwrap()["email"],
            "a@example.com"
        );
    }
}
