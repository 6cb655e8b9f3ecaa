//! The JSON forms of records stored in Redis.
//!
//! Own types rather than the core's: `SessionRecord` serializes for clients
//! (camelCase, without its token hash), while storage needs every field,
//! including the hash, so a value can be checked against the key it was
//! read from.

use nanoauth::utils::token::TokenHash;
use nanoauth::{AdapterError, SessionAttributes, SessionRecord, VerificationRecord};
use serde::{Deserialize, Serialize};

use crate::error::corrupt;

/// A session as stored under `{prefix}session:{token_hash}`.
///
/// The Lua scripts read `user_id` from it to find the owner's index.
#[derive(Serialize, Deserialize)]
struct StoredSession {
    token_hash: String,
    id: String,
    user_id: String,
    created_at: u64,
    updated_at: u64,
    expires_at: u64,
    #[serde(default)]
    ip_address: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
    /// The attributes as a JSON object's text, absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attributes: Option<String>,
    /// Absent (sessions stored before it existed) means renewable.
    #[serde(default = "renewable_by_default")]
    renewable: bool,
}

fn renewable_by_default() -> bool {
    true
}

pub(crate) fn encode_session(session: &SessionRecord) -> Result<String, AdapterError> {
    serde_json::to_string(&StoredSession {
        token_hash: session.token_hash.to_hex(),
        id: session.id.clone(),
        user_id: session.user_id.clone(),
        created_at: session.created_at,
        updated_at: session.updated_at,
        expires_at: session.expires_at,
        ip_address: session.ip_address.clone(),
        user_agent: session.user_agent.clone(),
        attributes: session.attributes.to_stored(),
        renewable: session.renewable,
    })
    .map_err(AdapterError::other)
}

/// Decodes a session read from the key of `expected`; a value that names
/// another hash is corrupt, not a session to hand out.
pub(crate) fn decode_session(
    json: &str,
    expected: Option<&TokenHash>,
) -> Result<SessionRecord, AdapterError> {
    let stored: StoredSession =
        serde_json::from_str(json).map_err(|error| corrupt("session", error))?;
    let token_hash = TokenHash::from_hex(&stored.token_hash)
        .ok_or_else(|| corrupt("session", "the token hash is not 64 hex digits"))?;
    if expected.is_some_and(|expected| *expected != token_hash) {
        return Err(corrupt("session", "stored under another token hash"));
    }
    let attributes = SessionAttributes::from_stored(stored.attributes.as_deref())
        .map_err(|error| corrupt("session", error))?;
    Ok(SessionRecord::new(
        stored.id,
        token_hash,
        stored.user_id,
        stored.created_at,
        stored.updated_at,
        stored.expires_at,
        stored.ip_address,
        stored.user_agent,
    )
    .with_attributes(attributes)
    .with_renewable(stored.renewable))
}

/// A single-use token as stored under
/// `{prefix}verification:{purpose}:{token_hash}`.
#[derive(Serialize, Deserialize)]
struct StoredVerification {
    token_hash: String,
    purpose: String,
    identifier: String,
    expires_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

pub(crate) fn encode_verification(record: &VerificationRecord) -> Result<String, AdapterError> {
    serde_json::to_string(&StoredVerification {
        token_hash: record.token_hash.to_hex(),
        purpose: record.purpose.clone(),
        identifier: record.identifier.clone(),
        expires_at: record.expires_at,
        data: record.data.clone(),
    })
    .map_err(AdapterError::other)
}

/// Decodes a token read from the key of `expected` and `purpose`.
pub(crate) fn decode_verification(
    json: &str,
    expected: &TokenHash,
    purpose: &str,
) -> Result<VerificationRecord, AdapterError> {
    let stored: StoredVerification =
        serde_json::from_str(json).map_err(|error| corrupt("verification token", error))?;
    let token_hash = TokenHash::from_hex(&stored.token_hash)
        .ok_or_else(|| corrupt("verification token", "the token hash is not 64 hex digits"))?;
    if token_hash != *expected || stored.purpose != purpose {
        return Err(corrupt(
            "verification token",
            "stored under another token hash or purpose",
        ));
    }
    let record = VerificationRecord::new(
        token_hash,
        stored.purpose,
        stored.identifier,
        stored.expires_at,
    );
    Ok(match stored.data {
        Some(data) => record.with_data(data),
        None => record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionRecord {
        SessionRecord::new(
            "sid".into(),
            TokenHash::of("secret"),
            "user:1 \"quoted\" ünï".into(),
            10,
            20,
            30,
            None,
            Some("agent\u{1}".into()),
        )
    }

    #[test]
    fn sessions_round_trip() -> Result<(), AdapterError> {
        let record = session();
        let json = encode_session(&record)?;
        assert!(json.contains(&record.token_hash.to_hex()), "{json}");
        assert_eq!(decode_session(&json, Some(&record.token_hash))?, record);
        assert_eq!(decode_session(&json, None)?, record);
        Ok(())
    }

    #[test]
    fn attributes_and_renewal_round_trip() -> Result<(), AdapterError> {
        let mut attributes = SessionAttributes::default();
        attributes.insert("impersonatedBy", serde_json::json!("admin \"1\""));
        let record = session().with_attributes(attributes).with_renewable(false);
        let json = encode_session(&record)?;
        assert_eq!(decode_session(&json, None)?, record);
        // Sessions stored before attributes existed read as ordinary ones.
        let old = encode_session(&session())?.replace(",\"renewable\":true", "");
        assert!(!old.contains("renewable"), "{old}");
        let read = decode_session(&old, None)?;
        assert!(read.renewable && read.attributes.is_empty());
        Ok(())
    }

    #[test]
    fn a_session_under_another_key_is_corrupt() -> Result<(), AdapterError> {
        let json = encode_session(&session())?;
        let other = TokenHash::of("other");
        assert!(decode_session(&json, Some(&other)).is_err());
        assert!(decode_session("{\"token_hash\":\"zz\"}", None).is_err());
        Ok(())
    }

    #[test]
    fn verifications_round_trip() -> Result<(), AdapterError> {
        let record = VerificationRecord::new(TokenHash::of("t"), "magic-link", "a@b.c", 99);
        let json = encode_verification(&record)?;
        assert_eq!(
            decode_verification(&json, &record.token_hash, "magic-link")?,
            record
        );
        assert!(decode_verification(&json, &record.token_hash, "verify-email").is_err());
        Ok(())
    }
}
