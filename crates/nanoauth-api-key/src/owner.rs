//! Who a key belongs to, and the stored record's format.

use nanoauth::{AdapterError, PluginRecord};
use serde::{Deserialize, Serialize};

use crate::api::{ApiKey, KeyRateLimit};

/// Who a key belongs to, in its JSON as `ownerType` and the owner's id.
///
/// ```
/// use nanoauth_api_key::KeyOwner;
/// let owner = KeyOwner::organization("org_1");
/// assert_eq!(serde_json::to_value(&owner)?, serde_json::json!({
///     "ownerType": "organization", "organizationId": "org_1",
/// }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "ownerType",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum KeyOwner {
    /// A user: the key signs in as them (`get_session`).
    User {
        /// The user's id.
        user_id: String,
    },
    /// An organization (the organization plugin): created by a member
    /// whose roles allow `apiKey:create`; the key signs in as that member,
    /// with the organization attached, while they are still a member.
    Organization {
        /// The organization's id.
        organization_id: String,
    },
    /// A service identity with no user, created by server code or an
    /// administrator: never a session; verified with `ApiKeysApi::verify`.
    Service {
        /// The service's name (`billing-worker`).
        service_name: String,
    },
}

impl KeyOwner {
    /// The user `id`.
    pub fn user(id: impl Into<String>) -> Self {
        Self::User { user_id: id.into() }
    }

    /// The organization `id`.
    pub fn organization(id: impl Into<String>) -> Self {
        Self::Organization {
            organization_id: id.into(),
        }
    }

    /// The service identity `name`.
    pub fn service(name: impl Into<String>) -> Self {
        Self::Service {
            service_name: name.into(),
        }
    }

    /// `"user"`, `"organization"` or `"service"`, as in the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User { .. } => "user",
            Self::Organization { .. } => "organization",
            Self::Service { .. } => "service",
        }
    }

    /// The key of the owner's index record, for owners that are not users
    /// (a user's keys are listed by the records' owner).
    pub(crate) fn index_key(&self) -> Option<String> {
        match self {
            Self::User { .. } => None,
            Self::Organization { organization_id } => {
                Some(format!("organization:{organization_id}"))
            }
            Self::Service { service_name } => Some(format!("service:{service_name}")),
        }
    }

    /// Refuses ids that cannot be an owner's (empty, long, or a service
    /// name outside `[A-Za-z0-9._-]`), before any lookup.
    pub(crate) fn check(&self) -> Result<(), nanoauth::Error> {
        let fine = match self {
            Self::User { user_id } => !user_id.is_empty() && user_id.len() <= 200,
            Self::Organization { organization_id } => {
                !organization_id.is_empty() && organization_id.len() <= 200
            }
            Self::Service { service_name } => {
                !service_name.is_empty()
                    && service_name.len() <= 100
                    && service_name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
        };
        if fine {
            Ok(())
        } else {
            Err(nanoauth::Error::InvalidBody(
                "the owner's id must have 1 to 200 bytes; a service name 1 to 100 of [A-Za-z0-9._-]"
                    .into(),
            ))
        }
    }
}

/// The current record format. Format 1 (no `format` field, no `owner`)
/// is a user's key, owned by the record's user: the records of the first
/// release decode as such, so upgrading invalidates no key.
const FORMAT: u8 = 2;

fn format_1() -> u8 {
    1
}

/// A key as stored in its plugin record.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredKey {
    #[serde(default = "format_1")]
    format: u8,
    id: String,
    name: String,
    start: String,
    created_at: u64,
    expires_at: Option<u64>,
    enabled: bool,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    rate_limit: Option<KeyRateLimit>,
    #[serde(default)]
    last_used_at: Option<u64>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
    /// Format 2 on.
    #[serde(default)]
    owner: Option<KeyOwner>,
    /// Format 2 on: the user who created it, if a user did.
    #[serde(default)]
    created_by: Option<String>,
}

impl StoredKey {
    /// The record's data, in the current format.
    pub(crate) fn of(api_key: &ApiKey) -> Self {
        Self {
            format: FORMAT,
            id: api_key.id.clone(),
            name: api_key.name.clone(),
            start: api_key.start.clone(),
            created_at: api_key.created_at,
            expires_at: api_key.expires_at,
            enabled: api_key.enabled,
            permissions: api_key.permissions.clone(),
            rate_limit: api_key.rate_limit,
            last_used_at: api_key.last_used_at,
            metadata: api_key.metadata.clone(),
            owner: Some(api_key.owner.clone()),
            created_by: api_key.created_by.clone(),
        }
    }

    /// The key a record holds, whichever format wrote it.
    pub(crate) fn decode(record: &PluginRecord) -> Result<ApiKey, AdapterError> {
        let stored: Self = record.data_as()?;
        let owner = match (stored.owner, &record.user_id) {
            (Some(owner), _) => owner,
            // Format 1: the record's owner is the key's.
            (None, Some(user_id)) => KeyOwner::user(user_id.clone()),
            (None, None) => {
                return Err(AdapterError::other(format!(
                    "api-key record (format {}) without an owner",
                    stored.format
                )));
            }
        };
        let created_by = stored.created_by.or_else(|| match &owner {
            KeyOwner::User { user_id } => Some(user_id.clone()),
            _ => None,
        });
        Ok(ApiKey {
            id: stored.id,
            name: stored.name,
            start: stored.start,
            created_at: stored.created_at,
            expires_at: stored.expires_at,
            enabled: stored.enabled,
            permissions: stored.permissions,
            rate_limit: stored.rate_limit,
            last_used_at: stored.last_used_at,
            metadata: stored.metadata,
            owner,
            created_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_release_record_is_its_users_key() -> Result<(), AdapterError> {
        // The data the first release wrote, byte for byte.
        let data = r#"{"id":"k1","name":"deploy","start":"na_v1_AbCdEf","createdAt":1700000000,"expiresAt":null,"enabled":true,"permissions":["read"],"rateLimit":null,"lastUsedAt":null,"metadata":null}"#;
        let mut record = PluginRecord::new("api-key", "hash", data).owned_by("u1");
        let key = StoredKey::decode(&record)?;
        assert_eq!(key.owner, KeyOwner::user("u1"));
        assert_eq!(key.created_by.as_deref(), Some("u1"));
        assert_eq!(key.permissions, ["read"]);

        // Written back, it is format 2 and reads the same.
        record.set_data(&StoredKey::of(&key))?;
        assert!(record.data.contains(r#""format":2"#));
        assert_eq!(StoredKey::decode(&record).ok(), Some(key));

        let orphan = PluginRecord::new("api-key", "hash", data);
        assert!(StoredKey::decode(&orphan).is_err());
        Ok(())
    }

    #[test]
    fn owners_are_checked_before_lookups() {
        assert!(KeyOwner::service("billing-worker.v2").check().is_ok());
        assert!(KeyOwner::service("a b").check().is_err());
        assert!(KeyOwner::service("").check().is_err());
        assert!(KeyOwner::organization("x".repeat(201)).check().is_err());
        assert_eq!(KeyOwner::user("u").index_key(), None);
        assert_eq!(
            KeyOwner::service("s").index_key().as_deref(),
            Some("service:s")
        );
    }
}
