//! The HTML pages, rendered on the server. User-controlled text goes
//! through `escape`; the only script is `/app.js` (see the CSP in `app.rs`).

use nanoauth::SessionRecord;
pub(crate) use nanoauth::utils::html::escape;

use crate::user::DemoUser;

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
<script src="/app.js" defer></script>
</body>
</html>
"#
    )
}

pub(crate) fn sign_up() -> String {
    layout(
        "Sign up",
        r#"<h1>Create an account</h1>
<form id="sign-up">
  <label for="name">Name</label>
  <input id="name" name="name" autocomplete="name" maxlength="100">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required>
  <p class="hint">At least 8 characters. Any characters, no rules beyond length.</p>
  <button type="submit">Sign up</button>
</form>
<p class="hint">Already have an account? <a id="to-sign-in" href="/sign-in">Sign in</a></p>"#,
    )
}

/// `providers`: (id, label) of each configured social sign-in provider.
pub(crate) fn sign_in(providers: &[(String, String)]) -> String {
    let buttons: String = providers
        .iter()
        .map(|(id, label)| {
            format!(
                "\n  <button type=\"button\" class=\"social secondary\" data-provider=\"{}\">Sign in with {}</button>",
                escape(id),
                escape(label)
            )
        })
        .collect();
    let social = if buttons.is_empty() {
        String::new()
    } else {
        format!("\n<div id=\"social\">{buttons}\n</div>")
    };
    layout(
        "Sign in",
        &(format!("<h1>Sign in</h1>{social}")
            + r#"
<form id="sign-in">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="hint"><a id="to-forgot" href="/forgot-password">Forgot your password?</a> · New here? <a id="to-sign-up" href="/sign-up">Create an account</a></p>
<h2>Or sign in without a password</h2>
<form id="magic-link">
  <label for="magic-email">Email</label>
  <input id="magic-email" name="email" type="email" autocomplete="email" required>
  <button type="submit" class="secondary">Email me a sign-in link</button>
</form>"#),
    )
}

pub(crate) fn forgot_password() -> String {
    layout(
        "Forgot password",
        r#"<h1>Reset your password</h1>
<form id="forgot">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <button type="submit">Email me a reset link</button>
</form>
<p class="hint"><a href="/sign-in">Back to sign in</a></p>"#,
    )
}

pub(crate) fn reset_password() -> String {
    layout(
        "New password",
        r#"<h1>Choose a new password</h1>
<form id="reset">
  <label for="password">New password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required>
  <p class="hint">At least 8 characters. Your other sessions will be signed out.</p>
  <button type="submit">Set the new password</button>
</form>"#,
    )
}

/// "3 min ago" from two Unix times.
fn ago(then: u64, now: u64) -> String {
    let seconds = now.saturating_sub(then);
    match seconds {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

pub(crate) fn account(
    user: &DemoUser,
    sessions: &[SessionRecord],
    current: &str,
    now: u64,
) -> String {
    let rows: String = sessions
        .iter()
        .map(|session| {
            let is_current = session.id == current;
            let action = if is_current {
                r#"<span class="badge">This device</span>"#.to_owned()
            } else {
                format!(r#"<button class="revoke" data-id="{}">Revoke</button>"#, escape(&session.id))
            };
            format!(
                r#"<tr class="session{}" data-id="{}"><td class="agent" title="{agent}">{agent}</td><td>{}</td><td>{}</td><td>{action}</td></tr>"#,
                if is_current { " current" } else { "" },
                escape(&session.id),
                escape(session.ip_address.as_deref().unwrap_or("unknown")),
                ago(session.created_at, now),
                agent = escape(session.user_agent.as_deref().unwrap_or("unknown device")),
            )
        })
        .collect();
    layout(
        "Account",
        &format!(
            r#"<h1>Your account</h1>
<dl>
  <dt>Email</dt><dd id="user-email">{email}</dd>
  <dt>Name</dt><dd id="user-name">{name}</dd>
  <dt>Role</dt><dd id="user-role">{role}</dd>
</dl>
<h2>Active sessions</h2>
<table id="sessions">
  <thead><tr><th>Device</th><th>IP</th><th>Signed in</th><th></th></tr></thead>
  <tbody>{rows}</tbody>
</table>
<button id="sign-out" class="secondary">Sign out</button>"#,
            email = escape(&user.email),
            name = escape(if user.name.is_empty() {
                "(no name)"
            } else {
                &user.name
            }),
            role = escape(&user.role),
        ),
    )
}

pub(crate) fn not_found() -> String {
    layout(
        "Not found",
        r#"<h1>Page not found</h1><p><a href="/">Back to the start</a></p>"#,
    )
}

pub(crate) fn unavailable(message: &str) -> String {
    layout(
        "Unavailable",
        &format!("<h1>Something went wrong</h1><p>{}</p>", escape(message)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape(r#"<script>"x"&'y'"#),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;"
        );
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(100, 100), "just now");
        assert_eq!(ago(0, 125), "2 min ago");
        assert_eq!(ago(0, 7200), "2 h ago");
        assert_eq!(ago(200, 100), "just now");
    }
}
