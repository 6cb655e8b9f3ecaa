//! Security notices: the events an application would turn into an email to
//! the account's owner ("your password was changed; if this was not you,
//! ..."). The demo logs one line per event instead.

use nanoauth::{Adapter, AuthBuilder, Event, EventKind};

use crate::user::DemoUser;

/// The events worth telling the owner about.
const KINDS: [EventKind; 7] = [
    EventKind::AfterPasswordChanged,
    EventKind::AfterEmailChanged,
    EventKind::AfterUserDeleted,
    EventKind::AfterPasswordReset,
    EventKind::AfterAccountLinked,
    EventKind::AfterAccountUnlinked,
    EventKind::AfterAccountClaimed,
];

/// Registers a listener that logs [`line()`] for each security event.
pub(crate) fn print_security_events<A: Adapter<DemoUser>>(
    mut builder: AuthBuilder<DemoUser, A>,
) -> AuthBuilder<DemoUser, A> {
    for kind in KINDS {
        builder = builder.on(kind, |event, _| async move {
            if let Some(line) = line(&event) {
                tracing::info!(target: "nanoauth_demo::security", "{line}");
            }
        });
    }
    builder
}

/// The console line for a security event; `None` for other events.
pub(crate) fn line(event: &Event<DemoUser>) -> Option<String> {
    let line = match event {
        Event::PasswordChanged { user } => {
            format!("security: the password of {} was changed", user.email)
        }
        Event::PasswordReset { user } => {
            format!("security: the password of {} was reset", user.email)
        }
        Event::EmailChanged { user, previous } => {
            format!("security: {previous} moved the account to {}", user.email)
        }
        // The demo has no rows of its own to delete with the user.
        Event::UserDeleted { user } => {
            format!("security: the account of {} was deleted", user.email)
        }
        Event::AccountLinked {
            user_id, provider, ..
        } => format!("security: a {provider} account was linked to user {user_id}"),
        Event::AccountUnlinked { user_id, provider } => {
            format!("security: the {provider} account was unlinked from user {user_id}")
        }
        Event::AccountClaimed { user } => format!(
            "security: {} proved the address and took the account over",
            user.email
        ),
        _ => return None,
    };
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> DemoUser {
        DemoUser {
            id: "u1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: "member".into(),
        }
    }

    #[test]
    fn each_security_event_has_its_line() {
        let events = [
            Event::PasswordChanged { user: ada() },
            Event::PasswordReset { user: ada() },
            Event::AccountLinked {
                user_id: "u1".into(),
                provider: "github".into(),
                account_id: "583231".into(),
            },
            Event::AccountUnlinked {
                user_id: "u1".into(),
                provider: "github".into(),
            },
            Event::AccountClaimed { user: ada() },
            Event::EmailChanged {
                user: ada(),
                previous: nanoauth::Email::parse("old@example.com")
                    .unwrap_or_else(|| unreachable!()),
            },
            Event::UserDeleted { user: ada() },
        ];
        let lines: Vec<_> = events.iter().filter_map(line).collect();
        assert_eq!(
            lines,
            [
                "security: the password of ada@example.com was changed",
                "security: the password of ada@example.com was reset",
                "security: a github account was linked to user u1",
                "security: the github account was unlinked from user u1",
                "security: ada@example.com proved the address and took the account over",
                "security: old@example.com moved the account to ada@example.com",
                "security: the account of ada@example.com was deleted",
            ]
        );
        assert_eq!(line(&Event::SignedUp { user: ada() }), None);
        // Every kind registered is one `line` knows.
        for event in &events {
            assert!(KINDS.contains(&event.kind()));
        }
    }
}
