//! The demo's organizations: the plugin (invitations printed in the
//! console like every mail of the demo), the "Organizations" page, and the
//! page an invitation's link opens.
//!
//! The pages are shells; `organizations.js` fills them through the JS
//! client's `organization.*` calls (the plugin's JSON API under
//! `/api/auth/organization/*`).

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use nanoauth::email::DangerConsoleSender;
use nanoauth_axum::MaybeSession;
use nanoauth_organization::Organizations;
use nanoauth_organization::access::{AccessControl, Role};

use crate::app::DemoAuth;
use crate::pages::escape;
use crate::store::DemoStore;
use crate::user::DemoUser;

/// The page an invitation's link opens.
pub(crate) const INVITATION_PAGE: &str = "/accept-invitation";

/// The roles the demo declares, highest first: the built-in ones and an
/// `editor` who may create and edit projects but not manage members.
pub(crate) const ROLES: &[&str] = &["owner", "admin", "editor", "member"];

/// The demo's access control: a `project` resource.
pub(crate) fn access() -> AccessControl {
    let access = AccessControl::new()
        .resource("project", ["create", "read", "update", "delete"])
        .role(Role::member().allow("project", ["read"]))
        .role(Role::new("editor").allow("project", ["read", "create", "update"]));
    // Declared above, so it builds; the unit test below says so too.
    access.clone().build().unwrap_or(access)
}

/// The demo's organizations plugin.
pub(crate) fn plugin() -> Organizations {
    // The demo's administrators (the Admin page's) manage every
    // organization, recorded as administrators in the events.
    let admin = crate::admin::plugin();
    Organizations::new(DangerConsoleSender)
        .access(access())
        .invitation_page(INVITATION_PAGE)
        .teams(true)
        .administrators(move |user: &DemoUser| admin.is_admin(user))
}

/// The pages and their script.
pub(crate) fn routes<A: DemoStore>() -> Router<DemoAuth<A>> {
    Router::new()
        .route("/organizations", get(organizations_page))
        .route(INVITATION_PAGE, get(invitation_page))
        .route("/organizations.js", get(script))
}

async fn organizations_page(MaybeSession(session): MaybeSession<DemoUser>) -> Response {
    match session {
        Some(session) => Html(page(&session.user.email)).into_response(),
        None => Redirect::to("/sign-in?callbackURL=/organizations").into_response(),
    }
}

/// Open signed out too: the script sends the visitor to sign in (or up)
/// and back here, with the link's query kept.
async fn invitation_page() -> Html<String> {
    Html(layout(
        "Invitation",
        r#"<h1>You are invited</h1>
<p id="invitation-text">Accept the invitation to join the organization.</p>
<p id="invitation-sign-in" hidden>Sign in (or sign up) first, then come back with the same link: <a id="invitation-sign-in-link" href="/sign-in">Sign in</a></p>
<button id="accept-invitation">Accept</button>
<button id="reject-invitation" class="secondary">Decline</button>"#,
    ))
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/organizations.js"),
    )
}

fn role_options() -> String {
    ROLES
        .iter()
        .map(|role| format!(r#"<option value="{role}">{role}</option>"#))
        .collect()
}

fn page(email: &str) -> String {
    layout(
        "Organizations",
        &format!(
            r#"<h1>Organizations</h1>
<p class="hint">Signed in as <span id="org-user">{email}</span>. <a href="/account">Account</a></p>
<h2>Yours</h2>
<ul id="org-list"><li class="hint">Loading…</li></ul>
<form id="org-create">
  <label for="org-name-input">Name</label>
  <input id="org-name-input" name="name" required maxlength="100">
  <label for="org-slug">Slug</label>
  <input id="org-slug" name="slug" required maxlength="64" pattern="[a-z0-9]+(-[a-z0-9]+)*">
  <button type="submit">Create</button>
</form>
<section id="org-active" hidden>
  <h2>Active: <span id="org-active-name"></span></h2>
  <table id="org-members">
    <thead><tr><th>Member</th><th>Role</th><th></th></tr></thead>
    <tbody></tbody>
  </table>
  <h3>Invite</h3>
  <form id="org-invite">
    <label for="invite-email">Email</label>
    <input id="invite-email" type="email" required>
    <label for="invite-role">Role</label>
    <select id="invite-role">{roles}</select>
    <button type="submit">Send invitation</button>
    <p class="hint">No mail server in the demo: the invitation's link is printed in the server's console.</p>
  </form>
  <h3>Pending invitations</h3>
  <ul id="org-invitations"></ul>
  <h3>Permissions</h3>
  <p><button type="button" id="check-permission" class="secondary">May I create a project?</button>
  <output id="permission-result"></output></p>
</section>"#,
            email = escape(email),
            roles = role_options(),
        ),
    )
}

/// The demo's page frame, with this page's script.
fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · NanoAuth demo</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header><a href="/">NanoAuth demo</a></header>
<main>
<p id="notice" role="status" hidden></p>
{body}
<p id="error" role="alert" hidden></p>
</main>
<script type="module" src="/organizations.js"></script>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    #[test]
    fn the_declarations_build_and_list_every_role() {
        let access = access().build().expect("valid declarations");
        for role in ROLES {
            assert!(access.is_role(role), "{role}");
        }
    }

    #[test]
    fn the_page_escapes_the_address() {
        assert!(page("<a>@example.com").contains("&lt;a&gt;@example.com"));
    }
}
