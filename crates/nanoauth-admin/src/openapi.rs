//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{Endpoint, Error};
use serde_json::{Value, json};

use crate::endpoints::{BanBody, CreateBody, RevokeBody, SetPasswordBody, SetRoleBody, UserBody};
use crate::impersonation::ImpersonateBody;
use crate::plugin::AdminStore;
use crate::refusal;
use crate::user::AdminUser;

/// A user as the plugin answers one: the application's user JSON with
/// the roles and the ban added.
fn user_view() -> Value {
    json!({
        "allOf": [
            schemas::user(),
            schemas::object([
                ("roles", schemas::array(schemas::string()), true),
                ("banned", schemas::boolean(), true),
                ("banReason", schemas::nullable(schemas::string()), true),
                ("banExpiresAt", schemas::nullable(schemas::integer()), true),
            ]),
        ]
    })
}

/// `{"user": ...}`.
fn user_answer() -> Value {
    schemas::object([("user", user_view(), true)])
}

/// `{"success": true, "revoked": n}`: how many sessions went.
fn revoked_answer() -> Value {
    schemas::object([
        ("success", json!({ "const": true }), true),
        ("revoked", schemas::integer(), true),
    ])
}

/// The endpoint, described.
pub(crate) fn describe<U: AdminUser, A: AdminStore<U>>(endpoint: Endpoint<U, A>) -> Endpoint<U, A> {
    // Every route but stop-impersonating: an administrator's session.
    let admin = |doc: EndpointDoc| {
        doc.session()
            .error(refusal::forbidden(""))
            .description("For administrators only (a role among `Admin::admin_roles`, or an id `Admin::admin_user_id`), from a signed-in session: everyone else, an API key and an impersonation session are refused `403 FORBIDDEN`.")
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("GET", "/admin/users") => admin(
            EndpointDoc::new("Lists and searches users")
                .query("query", "A prefix of the address or the name.", false)
                .query("role", "Only users holding this role.", false)
                .query("limit", "At most this many (1 to 200, default 50).", false)
                .query("cursor", "The `nextCursor` of the previous page.", false)
                .response_schema(schemas::object([
                    ("users", schemas::array(user_view()), true),
                    ("nextCursor", schemas::nullable(schemas::string()), true),
                ]))
                .error(refusal::invalid_input("")),
        ),
        ("GET", "/admin/get-user") => admin(
            EndpointDoc::new("One user")
                .query("userId", "The user.", true)
                .response_schema(user_answer())
                .error(refusal::user_not_found()),
        ),
        ("POST", "/admin/create-user") => admin(
            EndpointDoc::new("Creates a user, with or without a password")
                .request::<CreateBody>()
                .response_schema(user_answer())
                .errors([
                    Error::InvalidEmail,
                    refusal::invalid_input(""),
                    refusal::invalid_role(),
                    refusal::user_exists(),
                    refusal::password_too_short(),
                    refusal::password_too_long(),
                ]),
        ),
        ("POST", "/admin/set-role") => admin(
            EndpointDoc::new("Sets a user's roles")
                .description("Taking a role away revokes the user's sessions. Administrators cannot change their own roles.")
                .request::<SetRoleBody>()
                .response_schema(user_answer())
                .errors([
                    refusal::invalid_role(),
                    refusal::not_on_yourself(),
                    refusal::user_not_found(),
                ]),
        ),
        ("POST", "/admin/set-user-password") => admin(
            EndpointDoc::new("Sets a user's password")
                .description("The user's sessions are revoked in the same step.")
                .request::<SetPasswordBody>()
                .response_schema(revoked_answer())
                .errors([
                    refusal::password_too_short(),
                    refusal::password_too_long(),
                    refusal::user_not_found(),
                ]),
        ),
        ("POST", "/admin/ban-user") => admin(
            EndpointDoc::new("Bans a user")
                .description("Every sign-in is refused (`403 BANNED`, with the reason) and the user's sessions are revoked at once; the ban lifts by itself after `expiresIn` seconds. Administrators cannot ban themselves.")
                .request::<BanBody>()
                .response_schema(user_answer())
                .errors([
                    refusal::invalid_input(""),
                    refusal::not_on_yourself(),
                    refusal::user_not_found(),
                ]),
        ),
        ("POST", "/admin/unban-user") => admin(
            EndpointDoc::new("Lifts a user's ban")
                .request::<UserBody>()
                .response_schema(user_answer())
                .error(refusal::user_not_found()),
        ),
        ("POST", "/admin/remove-user") => admin(
            EndpointDoc::new("Removes a user")
                .description("Sessions, accounts, memberships and keys go with them. Administrators cannot remove themselves.")
                .request::<UserBody>()
                .response_schema(schemas::success())
                .errors([refusal::not_on_yourself(), refusal::user_not_found()]),
        ),
        ("POST", "/admin/list-user-sessions") => admin(
            EndpointDoc::new("A user's sessions")
                .request::<UserBody>()
                .response_schema(schemas::object([(
                    "sessions",
                    schemas::array(schemas::session_record()),
                    true,
                )]))
                .error(refusal::user_not_found()),
        ),
        ("POST", "/admin/revoke-user-session") => admin(
            EndpointDoc::new("Revokes one of a user's sessions")
                .request::<RevokeBody>()
                .response_schema(schemas::success())
                .errors([refusal::session_not_found(), refusal::user_not_found()]),
        ),
        ("POST", "/admin/revoke-user-sessions") => admin(
            EndpointDoc::new("Revokes every session of a user")
                .request::<UserBody>()
                .response_schema(revoked_answer())
                .error(refusal::user_not_found()),
        ),
        ("POST", "/admin/impersonate-user") => admin(
            EndpointDoc::new("Signs in as a user for a while")
                .description("Answers the user and a session token, and sets the session cookie; the administrator's own session waits in an HttpOnly cookie until `stop-impersonating`. The session carries `impersonatedBy`, lasts at most an hour and is never renewed.")
                .request::<ImpersonateBody>()
                .response_schema(schemas::signed_in())
                .errors([refusal::cannot_impersonate(""), refusal::user_not_found()]),
        ),
        ("POST", "/admin/stop-impersonating") => EndpointDoc::new("Ends an impersonation")
            .description("Revokes the impersonation session and puts the administrator's own session back (its cookie, with its original expiry): answers `{user, session}`; `{success: true}`, signed out, when that session is gone.")
            .optional_session()
            .response_schema(json!({
                "oneOf": [schemas::session(), schemas::success()]
            }))
            .errors([refusal::not_impersonating(), Error::Unauthorized]),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
