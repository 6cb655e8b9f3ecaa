//! better-auth's JSON shapes: its user, its session, its errors.

use nanoauth::{AuthUser, Error, Reply, SessionRecord};
use serde_json::{Map, Value, json};

use crate::dates::iso;

/// better-auth's user: the application's own fields (its `additionalFields`
/// come back the same way), keys in camelCase, with better-auth's core
/// fields always present: `id`, `email`, `name` (`""` when the user type
/// has none), `image` (`null` when it has none), `emailVerified` (from the
/// adapter), `createdAt` and `updatedAt` (ISO strings when the user type
/// has them as Unix seconds, as it stores them, or as strings; `null`
/// otherwise: NanoAuth's core does not keep them).
pub(crate) fn user<U: AuthUser>(user: &U, email_verified: bool) -> Value {
    let fields = match serde_json::to_value(user) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    let mut out: Map<String, Value> = fields
        .into_iter()
        .map(|(key, value)| (camel_case(&key), value))
        .collect();
    out.insert("id".into(), user.id().into());
    out.insert("email".into(), user.email().into());
    if !out.get("name").is_some_and(Value::is_string) {
        out.insert("name".into(), "".into());
    }
    out.entry("image").or_insert(Value::Null);
    out.insert("emailVerified".into(), email_verified.into());
    for key in ["createdAt", "updatedAt"] {
        let date = match out.get(key) {
            Some(Value::Number(secs)) => secs.as_u64().map(|secs| iso(secs).into()),
            Some(Value::String(text)) => Some(text.clone().into()),
            _ => None,
        };
        out.insert(key.into(), date.unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// better-auth's session. `token` is the session's public id, never its
/// secret: better-auth sends the raw token here, which would let any
/// script on the page (an injected one included) read what the `HttpOnly`
/// cookie keeps from it. `revoke-session` takes this id.
pub(crate) fn session(session: &SessionRecord) -> Value {
    json!({
        "id": session.id,
        "token": session.id,
        "userId": session.user_id,
        "expiresAt": iso(session.expires_at),
        "createdAt": iso(session.created_at),
        "updatedAt": iso(session.updated_at),
        "ipAddress": session.ip_address,
        "userAgent": session.user_agent,
    })
}

/// A native answer with better-auth's `status: true` added beside its own
/// fields (`{"success":true}` becomes `{"success":true,"status":true}`), so
/// both clients read it.
///
/// # Errors
/// [`Error::Internal`] if the reply is not JSON (a programming error).
pub(crate) fn with_status(reply: Reply) -> Result<Reply, Error> {
    let mut body: Value = reply.json_body()?;
    if let Some(fields) = body.as_object_mut() {
        fields.insert("status".into(), true.into());
    }
    reply.with_json(&body)
}

/// `user_name` → `userName`; keys already in camelCase stay as they are.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// better-auth's error body, `{code, message}`, for every error answered on
/// the compatibility routes (see `Endpoint::error_body`): its codes where
/// it has one for the same failure, NanoAuth's otherwise. The status is
/// NanoAuth's (`409` for a taken address, where better-auth says `422`:
/// the endpoint maps that one itself).
pub(crate) fn error(error: &Error) -> Value {
    let (code, message) = match error.code() {
        "INVALID_CREDENTIALS" => ("INVALID_EMAIL_OR_PASSWORD", "Invalid email or password"),
        "INVALID_EMAIL" => ("INVALID_EMAIL", "Invalid email"),
        "PASSWORD_TOO_SHORT" => ("PASSWORD_TOO_SHORT", "Password too short"),
        "PASSWORD_TOO_LONG" => ("PASSWORD_TOO_LONG", "Password too long"),
        "EMAIL_NOT_VERIFIED" => ("EMAIL_NOT_VERIFIED", "Email not verified"),
        "UNAUTHORIZED" => ("UNAUTHORIZED", "Unauthorized"),
        "INVALID_ORIGIN" => ("INVALID_ORIGIN", "Invalid origin"),
        "INVALID_REDIRECT" => ("INVALID_CALLBACK_URL", "Invalid callbackURL"),
        "SESSION_NOT_FRESH" => ("SESSION_NOT_FRESH", "Session is not fresh"),
        "RATE_LIMITED" => ("RATE_LIMITED", "Too many requests. Please try again later."),
        // better-auth's schema validation failures.
        "INVALID_BODY" | "INVALID_JSON" => {
            return json!({ "code": "VALIDATION_ERROR", "message": error.message() });
        }
        code => return json!({ "code": code, "message": error.message() }),
    };
    json!({ "code": code, "message": message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nanoauth::BasicUser;

    #[test]
    fn keys_become_camel_case() {
        assert_eq!(camel_case("email_verified"), "emailVerified");
        assert_eq!(camel_case("createdAt"), "createdAt");
        assert_eq!(camel_case("_private"), "_private");
        assert_eq!(camel_case("a_b_c"), "aBC");
    }

    #[test]
    fn a_basic_user_has_better_auth_s_fields() {
        let ada = BasicUser {
            id: "u1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
        };
        assert_eq!(
            user(&ada, true),
            json!({
                "id": "u1", "email": "ada@example.com", "name": "Ada", "image": null,
                "emailVerified": true, "createdAt": null, "updatedAt": null,
            })
        );
    }

    #[test]
    fn timestamps_in_seconds_become_iso_strings() {
        #[derive(Clone, serde::Serialize)]
        struct Member {
            id: String,
            email: String,
            created_at: u64,
            role: String,
        }
        impl AuthUser for Member {
            type SignUp = nanoauth::NoFields;
            type Update = nanoauth::NoFields;
            fn id(&self) -> &str {
                &self.id
            }
            fn email(&self) -> &str {
                &self.email
            }
            fn from_sign_up(new: nanoauth::NewUser<nanoauth::NoFields>) -> Self {
                Self {
                    id: new.id,
                    email: new.email.into(),
                    created_at: 0,
                    role: "member".into(),
                }
            }
            fn apply_update(&mut self, _update: nanoauth::NoFields) {}
        }
        let member = Member {
            id: "u2".into(),
            email: "m@example.com".into(),
            created_at: 1_796_472_000,
            role: "admin".into(),
        };
        let shaped = user(&member, false);
        assert_eq!(shaped["createdAt"], "2026-12-05T12:00:00.000Z");
        assert_eq!(shaped["role"], "admin");
        assert_eq!(shaped["name"], "");
        assert_eq!(shaped["emailVerified"], false);
    }

    #[test]
    fn errors_use_better_auth_s_codes() {
        assert_eq!(
            error(&Error::InvalidCredentials),
            json!({ "code": "INVALID_EMAIL_OR_PASSWORD", "message": "Invalid email or password" })
        );
        assert_eq!(
            error(&Error::InvalidBody("x".into()))["code"],
            "VALIDATION_ERROR"
        );
        assert_eq!(error(&Error::NotFound)["code"], "NOT_FOUND");
    }
}
