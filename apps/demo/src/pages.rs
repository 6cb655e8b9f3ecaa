//! The HTML pages, rendered on the server. User-controlled text goes
//! through `escape`; the only script is `/app.js`, a module that imports the
//! NanoAuth client from `/nanoauth-client.js` (see the CSP in `app.rs`).

use nanoauth::SessionRecord;
pub(crate) use nanoauth::utils::html::escape;
use nanoauth_api_key::ApiKey;
use nanoauth_passkey::PasskeyInfo;
use nanoauth_two_factor::Status;

use crate::device;
use crate::user::DemoUser;

pub(crate) fn layout(title: &str, body: &str) -> String {
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
<script type="module" src="/app.js"></script>
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
<div id="passkey">
  <p class="hint">Or, with no password at all: your name and email above, then</p>
  <button type="button" id="passkey-sign-up" class="secondary">Sign up with a passkey</button>
</div>
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
<div id="passkey">
  <button type="button" id="passkey-sign-in" class="secondary">Sign in with a passkey</button>
</div>
<form id="sign-in">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username webauthn" required>
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
    two_factor: &Status,
    passkeys: &[PasskeyInfo],
    api_keys: &[ApiKey],
    now: u64,
) -> String {
    let rows: String = sessions
        .iter()
        .map(|session| {
            let is_current = session.id == current;
            // A session an administrator opened as this user says so.
            let impersonated = if session.attributes.get_str("impersonatedBy").is_some() {
                r#" <span class="badge impersonated">Impersonated by an administrator</span>"#
            } else {
                ""
            };
            let action = if is_current {
                format!(r#"<span class="badge">This device</span>{impersonated}"#)
            } else {
                format!(
                    r#"<button class="revoke" data-id="{}">Revoke</button>{impersonated}"#,
                    escape(&session.id)
                )
            };
            format!(
                r#"<tr class="session{}" data-id="{}"><td class="agent" title="{raw}">{device}</td><td>{}</td><td>{}</td><td>{action}</td></tr>"#,
                if is_current { " current" } else { "" },
                escape(&session.id),
                escape(session.ip_address.as_deref().unwrap_or("unknown")),
                ago(session.created_at, now),
                device = escape(&device::describe(session.user_agent.as_deref())),
                raw = escape(session.user_agent.as_deref().unwrap_or_default()),
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
{two_factor}
{passkeys}
{api_keys}
{manage}
<p><a id="to-organizations" href="/organizations">Organizations</a></p>
<button id="sign-out" class="secondary">Sign out</button>"#,
            manage = manage_section(user),
            two_factor = two_factor_section(two_factor, now),
            passkeys = passkeys_section(passkeys, now),
            api_keys = api_keys_section(api_keys, now),
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

/// The account page's own section: edit the name, move to a new address
/// (a link goes there first), delete the account (the password, or a link
/// for an account without one).
fn manage_section(user: &DemoUser) -> String {
    format!(
        r#"<section id="manage-account">
<h2>Manage your account</h2>
<form id="edit-name">
  <label for="new-name">Name</label>
  <input id="new-name" maxlength="100" value="{name}" autocomplete="name">
  <button type="submit">Edit name</button>
</form>
<form id="change-email">
  <label for="new-email">New email address</label>
  <input id="new-email" type="email" required autocomplete="email">
  <button type="submit">Change email</button>
  <p class="hint">Nothing changes until you open the link we send to the new address; your other sessions then end.</p>
</form>
<form id="delete-account">
  <label for="delete-password">Password (empty for an account without one: we email you a link)</label>
  <input id="delete-password" type="password" autocomplete="current-password">
  <button type="submit" class="danger">Delete account</button>
  <p class="hint">Deletes your account, sessions, passkeys, two-factor settings and API keys. This cannot be undone; it needs a recent sign-in.</p>
</form>
</section>"#,
        name = escape(&user.name),
    )
}

/// "in 3 days" from two Unix times.
fn until(then: u64, now: u64) -> String {
    let seconds = then.saturating_sub(now);
    match seconds {
        0..3600 => "within the hour".to_owned(),
        3600..86_400 => format!("in {} h", seconds / 3600),
        _ => format!("in {} days", seconds / 86_400),
    }
}

/// The account page's two-factor section. Off: a password and a button
/// (the enrolment, fetched by `app.js`, goes into `#two-factor-enrolment`);
/// on: new backup codes, turning it off, and the trusted devices.
fn two_factor_section(status: &Status, now: u64) -> String {
    // A password field per action: each asks again, on its own.
    let password = |id: &str| {
        format!(
            r#"<label for="{id}">Password</label>
  <input id="{id}" type="password" autocomplete="current-password">"#
        )
    };
    if !status.enabled {
        let (state, pending_note) = if status.pending {
            (
                "pending",
                r#"<p class="hint">Turning on was started but not confirmed. Start again to see a new QR code, or confirm with a code from the app you set up then.</p>"#,
            )
        } else {
            ("off", "")
        };
        return format!(
            r#"<section id="two-factor" data-state="{state}">
<h2>Two-factor authentication</h2>
<p id="two-factor-status">Off. With it on, signing in also asks for a code from an authenticator app.</p>
{pending_note}
<form id="two-factor-enable">
  {password}
  <p class="hint">Leave it empty if your account has no password (then sign in again first if it was more than 10 minutes ago).</p>
  <button type="submit">Turn on two-factor</button>
</form>
<div id="two-factor-enrolment" hidden></div>
<form id="two-factor-confirm"{confirm_hidden}>
  <label for="two-factor-confirm-code">Code from the app</label>
  <input id="two-factor-confirm-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
  <button type="submit">Confirm and turn on</button>
</form>
</section>"#,
            password = password("two-factor-enable-password"),
            confirm_hidden = if status.pending { "" } else { " hidden" },
        );
    }
    let devices = if status.trusted_devices.is_empty() {
        r#"<p class="hint" id="no-trusted-devices">No trusted devices: every sign-in asks for a code.</p>"#
            .to_owned()
    } else {
        let rows: String = status
            .trusted_devices
            .iter()
            .map(|device| {
                format!(
                    r#"<tr class="trusted-device" data-id="{id}"><td class="agent" title="{raw}">{name}</td><td>{ip}</td><td>{since}</td><td>{expires}</td><td><button class="revoke-device" data-id="{id}">Revoke</button></td></tr>"#,
                    id = escape(&device.id),
                    name = escape(&device::describe(device.user_agent.as_deref())),
                    raw = escape(device.user_agent.as_deref().unwrap_or_default()),
                    ip = escape(device.ip_address.as_deref().unwrap_or("unknown")),
                    since = ago(device.created_at, now),
                    expires = device
                        .expires_at
                        .map_or_else(|| "never".to_owned(), |at| until(at, now)),
                )
            })
            .collect();
        format!(
            r#"<table id="trusted-devices">
  <thead><tr><th>Device</th><th>IP</th><th>Trusted</th><th>Expires</th><th></th></tr></thead>
  <tbody>{rows}</tbody>
</table>"#
        )
    };
    let left = status.backup_codes_left;
    format!(
        r#"<section id="two-factor" data-state="on">
<h2>Two-factor authentication</h2>
<p id="two-factor-status">On. {left} backup code{plural} left.</p>
<h3>Backup codes</h3>
<p class="hint">Lost them, or used most? A new set replaces the old one.</p>
<form id="two-factor-backup-codes">
  {backup_password}
  <button type="submit" class="secondary">New backup codes</button>
</form>
<div id="new-backup-codes" hidden>
  <p>Your new backup codes, shown only now (the old ones no longer work). Each signs in once.</p>
  <ol id="backup-codes" class="codes"></ol>
</div>
<h3>Turn it off</h3>
<form id="two-factor-disable">
  {disable_password}
  <button type="submit" class="secondary">Turn off two-factor</button>
</form>
<h3>Trusted devices</h3>
{devices}
</section>"#,
        plural = if left == 1 { "" } else { "s" },
        backup_password = password("two-factor-backup-password"),
        disable_password = password("two-factor-disable-password"),
    )
}

/// The account page's passkeys: each with its name (renamed in place),
/// when it was added and last used, and a delete button; then the form that
/// registers one (`app.js` runs the ceremony).
fn passkeys_section(passkeys: &[PasskeyInfo], now: u64) -> String {
    let list = if passkeys.is_empty() {
        r#"<p class="hint" id="no-passkeys">No passkeys yet.</p>"#.to_owned()
    } else {
        let rows: String = passkeys
            .iter()
            .map(|passkey| {
                format!(
                    r#"<tr class="passkey" data-id="{id}"><td><form class="passkey-rename" data-id="{id}"><input class="passkey-new-name" aria-label="Name" value="{name}" maxlength="64" required><button type="submit" class="secondary">Rename</button></form></td><td>{created}</td><td class="passkey-used">{used}</td><td><button class="passkey-delete" data-id="{id}">Delete</button></td></tr>"#,
                    id = escape(&passkey.id),
                    name = escape(&passkey.name),
                    created = ago(passkey.created_at, now),
                    used = passkey
                        .last_used_at
                        .map_or_else(|| "never".to_owned(), |at| ago(at, now)),
                )
            })
            .collect();
        format!(
            r#"<table id="passkeys-list">
  <thead><tr><th>Name</th><th>Added</th><th>Last used</th><th></th></tr></thead>
  <tbody>{rows}</tbody>
</table>"#
        )
    };
    format!(
        r#"<section id="passkeys">
<h2>Passkeys</h2>
<p class="hint">Sign in with your device's screen lock (fingerprint, face, PIN) instead of a password, without typing your address.</p>
{list}
<form id="passkey-register">
  <label for="passkey-name">Name of the new passkey</label>
  <input id="passkey-name" maxlength="64" placeholder="This laptop">
  <p class="hint">Adding one needs a recent sign-in (10 minutes), or confirming with a passkey you already have.</p>
  <button type="submit">Add a passkey</button>
</form>
</section>"#
    )
}

/// The account page's API keys: the form that makes one (the key is shown
/// once, by `app.js`), then the list, never with the keys themselves.
fn api_keys_section(keys: &[ApiKey], now: u64) -> String {
    let list = if keys.is_empty() {
        r#"<p class="hint" id="no-api-keys">No API keys.</p>"#.to_owned()
    } else {
        let rows: String = keys
            .iter()
            .map(|key| {
                let expires = match key.expires_at {
                    None => "never".to_owned(),
                    Some(at) if at <= now => "expired".to_owned(),
                    Some(at) => until(at, now),
                };
                let (enabled, toggle) = if key.enabled {
                    ("yes", "Disable")
                } else {
                    ("no", "Enable")
                };
                format!(
                    r#"<tr class="api-key" data-id="{id}" data-enabled="{state}"><td class="api-key-name">{name}</td><td><code>{start}…</code></td><td>{created}</td><td>{used}</td><td>{expires}</td><td class="api-key-enabled">{enabled}</td><td><button class="api-key-toggle secondary" data-id="{id}" data-enabled="{state}">{toggle}</button> <button class="api-key-delete" data-id="{id}">Delete</button></td></tr>"#,
                    id = escape(&key.id),
                    state = key.enabled,
                    name = escape(&key.name),
                    start = escape(&key.start),
                    created = ago(key.created_at, now),
                    used = key
                        .last_used_at
                        .map_or_else(|| "never".to_owned(), |at| ago(at, now)),
                )
            })
            .collect();
        format!(
            r#"<table id="api-keys-list">
  <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th>Expires</th><th>Enabled</th><th></th></tr></thead>
  <tbody>{rows}</tbody>
</table>"#
        )
    };
    format!(
        r#"<section id="api-keys">
<h2>API keys</h2>
<p class="hint">For your scripts and services: a request with the key in its <code>x-api-key</code> header acts as you (it cannot manage keys, passkeys or two-factor).</p>
<form id="api-key-create">
  <label for="api-key-name">Name</label>
  <input id="api-key-name" maxlength="100" placeholder="Deploy script" required>
  <label for="api-key-expires">Expires after (days; empty: never)</label>
  <input id="api-key-expires" type="number" min="1" max="3650" inputmode="numeric">
  <button type="submit">Create a key</button>
</form>
<div id="api-key-created" hidden>
  <p>Your new key, shown only now: copy it somewhere safe. Only its first characters are kept for the list below.</p>
  <p><code id="new-api-key"></code></p>
  <button type="button" id="api-key-copy" class="secondary">Copy</button>
  <button type="button" id="api-key-done">Done</button>
</div>
{list}
</section>"#
    )
}

/// The enrolment, shown once: the QR code (`qr_svg`, our own SVG), the
/// secret in groups of four for typing in, and the backup codes.
pub(crate) fn two_factor_enrolment(qr_svg: &str, secret: &str, backup_codes: &[String]) -> String {
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    let codes: String = backup_codes
        .iter()
        .map(|code| format!("<li><code>{}</code></li>", escape(code)))
        .collect();
    format!(
        r#"<p>Scan this code with your authenticator app:</p>
<div id="totp-qr" class="qr">{qr_svg}</div>
<p class="hint">Cannot scan it? Enter this key instead: <code id="totp-secret">{secret}</code></p>
<p>Save these backup codes now, somewhere safe: each signs in once if you lose the app. They are not shown again.</p>
<ol id="enrolment-backup-codes" class="codes">{codes}</ol>"#,
        secret = escape(&grouped.join(" ")),
    )
}

/// The page a sign-in stops at when the account has two-factor on. `next`
/// is a path on this site (checked by the caller).
pub(crate) fn two_factor_challenge(next: &str, email_codes: bool) -> String {
    let email = if email_codes {
        r#"
  <button type="button" id="send-email-code" class="secondary">Email me a code</button>"#
    } else {
        ""
    };
    layout(
        "Two-factor",
        &format!(
            r#"<h1>Two-factor authentication</h1>
<p id="two-factor-prompt">Enter the code from your authenticator app.</p>
<form id="two-factor-verify" data-next="{next}" data-kind="totp">
  <label for="two-factor-code" id="two-factor-code-label">Code</label>
  <input id="two-factor-code" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus required maxlength="32">
  <label class="check"><input id="trust-device" type="checkbox"> Trust this device for 30 days</label>
  <button type="submit">Verify</button>
</form>
<p class="alternatives">
  <button type="button" id="use-totp" class="secondary" hidden>Use the authenticator app</button>
  <button type="button" id="use-backup-code" class="secondary">Use a backup code</button>{email}
</p>
<p class="hint"><a href="/sign-in">Start over</a></p>"#,
            next = escape(next),
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
    fn the_challenge_page_escapes_where_it_goes() {
        let page = two_factor_challenge("/account?a=\"><script>", true);
        assert!(page.contains(r#"data-next="/account?a=&quot;&gt;&lt;script&gt;""#));
        assert!(page.contains(r#"id="send-email-code""#));
        assert!(!two_factor_challenge("/account", false).contains("send-email-code"));
    }

    #[test]
    fn the_enrolment_shows_the_secret_in_groups() {
        let html = two_factor_enrolment("<svg></svg>", "ABCDEFGHIJ", &["a<b".to_owned()]);
        assert!(html.contains(r#"<code id="totp-secret">ABCD EFGH IJ</code>"#));
        assert!(html.contains("<li><code>a&lt;b</code></li>"));
        assert!(html.contains(r#"<div id="totp-qr" class="qr"><svg></svg></div>"#));
    }

    #[test]
    fn empty_lists_say_so() {
        assert!(passkeys_section(&[], 0).contains(r#"id="no-passkeys""#));
        assert!(api_keys_section(&[], 0).contains(r#"id="no-api-keys""#));
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(100, 100), "just now");
        assert_eq!(ago(0, 125), "2 min ago");
        assert_eq!(ago(0, 7200), "2 h ago");
        assert_eq!(ago(200, 100), "just now");
    }
}
