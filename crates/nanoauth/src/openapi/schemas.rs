//! The description's shared schemas, for plugins to refer to: a plugin
//! does not know the application's user type, so its answers name the
//! `User` component, which the application fills in with
//! [`AuthBuilder::user_schema`](crate::AuthBuilder::user_schema) (a generic
//! object otherwise).
//!
//! ```
//! use nanoauth::openapi::schemas;
//! let answer = schemas::object([("user", schemas::user(), true)]);
//! assert_eq!(answer["properties"]["user"]["$ref"], "#/components/schemas/User");
//! ```

use serde_json::{Value, json};

/// A reference to the component `name` (`#/components/schemas/<name>`).
pub fn component(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The application's user, as the API answers it (`User`).
pub fn user() -> Value {
    component("User")
}

/// The application's own sign-up fields, read next to `email` and
/// `password` (`SignUpFields`: `AuthUser::SignUp`).
pub fn sign_up_fields() -> Value {
    component("SignUpFields")
}

/// The fields a user may edit (`UserUpdate`: `AuthUser::Update`).
pub fn user_update() -> Value {
    component("UserUpdate")
}

/// A session record (`SessionRecord`: id, owner, times, client).
pub fn session_record() -> Value {
    component("SessionRecord")
}

/// `{user, session}`: a signed-in user and their session (`Session`).
pub fn session() -> Value {
    component("Session")
}

/// The answer to a sign-in (`SignedIn`): `{user, token}`, or, when a
/// session guard asks for one more step (two-factor), that step's answer.
pub fn signed_in() -> Value {
    component("SignedIn")
}

/// `{"success": true}`.
pub fn success() -> Value {
    object([("success", json!({ "const": true }), true)])
}

/// A string.
pub fn string() -> Value {
    json!({ "type": "string" })
}

/// A non-negative integer.
pub fn integer() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

/// A boolean.
pub fn boolean() -> Value {
    json!({ "type": "boolean" })
}

/// `schema` or `null`.
pub fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

/// An array of `items`.
pub fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

/// An object with `properties`, each `(name, schema, required)`; other
/// properties are allowed (answers may grow).
pub fn object<'a>(properties: impl IntoIterator<Item = (&'a str, Value, bool)>) -> Value {
    let mut props = serde_json::Map::new();
    let mut required = Vec::new();
    for (name, schema, is_required) in properties {
        if is_required {
            required.push(Value::from(name));
        }
        props.insert(name.to_owned(), schema);
    }
    json!({ "type": "object", "properties": props, "required": required })
}
