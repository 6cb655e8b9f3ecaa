//! What plugins keep on a session itself: the active organization of a
//! member of several, the admin behind an impersonation. Stored with the
//! session by every adapter, so reading it costs no extra lookup, and shown
//! in the session's JSON beside the record's own fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A session's attributes: JSON values under string keys, written by
/// plugins and flattened into the session's JSON (`GET /session`, the
/// session list), so an attribute `activeOrganizationId` reads as
/// `session.activeOrganizationId` on the wire.
///
/// Keys are camelCase by convention and must not repeat a field of the
/// record itself (`id`, `userId`, `expiresAt`, ...): a plugin owns the keys
/// it writes, and names them so no other plugin would pick the same.
///
/// ```
/// use nanoauth::SessionAttributes;
/// use serde_json::json;
///
/// let mut attributes = SessionAttributes::default();
/// attributes.insert("activeOrganizationId", json!("org_1"));
/// assert_eq!(attributes.get_str("activeOrganizationId"), Some("org_1"));
/// assert_eq!(attributes.to_json(), r#"{"activeOrganizationId":"org_1"}"#);
///
/// let read = SessionAttributes::from_json(&attributes.to_json()).unwrap();
/// assert_eq!(read, attributes);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionAttributes(BTreeMap<String, Value>);

impl SessionAttributes {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The value under `key` when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// Sets `key` to `value`; `Value::Null` removes it, so a stored
    /// attribute is never a bare `null`.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        if value.is_null() {
            self.0.remove(&key);
        } else {
            self.0.insert(key, value);
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The attributes as a JSON object: what adapters store (SQL in a
    /// text column, Redis inside the session's value).
    pub fn to_json(&self) -> String {
        // A map of strings to JSON values always serializes.
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Reads what [`to_json`](Self::to_json) wrote.
    ///
    /// # Errors
    /// The text is not a JSON object.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The attributes as an adapter stores them in a nullable column:
    /// `None` when there are none, so ordinary sessions store nothing.
    pub fn to_stored(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_json())
    }

    /// Reads a nullable column written from [`to_stored`](Self::to_stored).
    ///
    /// # Errors
    /// The text is not a JSON object.
    pub fn from_stored(stored: Option<&str>) -> Result<Self, serde_json::Error> {
        stored.map_or_else(|| Ok(Self::default()), Self::from_json)
    }
}

/// How a new session differs from an ordinary one: attributes set from
/// the start, a shorter lifetime, an expiry that lookups never slide.
/// Given to [`Auth::create_session_with`](crate::Auth::create_session_with)
/// and [`Auth::issue_session`](crate::Auth::issue_session).
///
/// ```
/// use nanoauth::NewSession;
/// use serde_json::json;
///
/// // An admin's impersonation: an hour at most, never extended.
/// let options = NewSession::default()
///     .attribute("impersonatedBy", json!("admin-id"))
///     .lifetime(3600)
///     .not_renewable();
/// assert_eq!(options.attributes().get_str("impersonatedBy"), Some("admin-id"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewSession {
    attributes: SessionAttributes,
    lifetime: Option<u64>,
    not_renewable: bool,
}

impl NewSession {
    /// Sets an attribute (see [`SessionAttributes::insert`]).
    #[must_use]
    pub fn attribute(mut self, key: impl Into<String>, value: Value) -> Self {
        self.attributes.insert(key, value);
        self
    }

    /// Lives `seconds`, not the configured session lifetime (never longer
    /// than it: the shorter of the two wins).
    #[must_use]
    pub fn lifetime(mut self, seconds: u64) -> Self {
        self.lifetime = Some(seconds);
        self
    }

    /// Lookups never slide its expiry forward: it ends at its first
    /// expiry, however active it is.
    #[must_use]
    pub fn not_renewable(mut self) -> Self {
        self.not_renewable = true;
        self
    }

    /// The attributes it starts with.
    pub fn attributes(&self) -> &SessionAttributes {
        &self.attributes
    }

    pub(crate) fn into_parts(self, configured_lifetime: u64) -> (SessionAttributes, u64, bool) {
        let lifetime = self.lifetime.map_or(configured_lifetime, |seconds| {
            seconds.min(configured_lifetime)
        });
        (self.attributes, lifetime, !self.not_renewable)
    }
}
