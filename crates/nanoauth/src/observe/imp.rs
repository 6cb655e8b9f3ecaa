//! With the `tracing` feature: what each report records, and at which
//! level. Fields are plain values chosen one by one; nothing here formats a
//! whole request, body, record or error of the client's with `Debug`.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use http::{Method, StatusCode};
use tracing::field::Empty;
use tracing::{Span, error, info, warn};

use super::LimitKey;
use crate::adapter::AdapterError;
use crate::error::Error;
use crate::plugin::events::Event;
use crate::user::{AuthUser, Email};

/// The span of one request through `Auth::handler`, and the route it was
/// matched to (for the sign-in failure event).
#[derive(Debug)]
pub(crate) struct RequestSpan {
    span: Span,
    route: OnceLock<Arc<str>>,
}

impl RequestSpan {
    /// Opens the span. The route is not known yet: it is recorded once the
    /// router found it, as the declared pattern (`/callback/{provider}`),
    /// never the raw path, which can carry ids and is the client's to
    /// choose.
    pub(crate) fn start(method: &Method) -> Self {
        let span = tracing::info_span!(
            target: "nanoauth::request",
            "request",
            method = method.as_str(),
            route = Empty,
            plugin = Empty,
            status = Empty,
            error_code = Empty,
        );
        Self {
            span,
            route: OnceLock::new(),
        }
    }

    /// `future`, run inside the span, so that every event of the request
    /// (sign-in, rate limit, adapter) carries its method and route.
    pub(crate) fn instrument<F: Future>(&self, future: F) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(future, self.span.clone())
    }

    /// Records the matched route's pattern and the plugin that owns it.
    pub(crate) fn route(&self, pattern: &Arc<str>, plugin: &str) {
        self.span.record("route", &**pattern);
        self.span.record("plugin", plugin);
        let _ = self.route.set(Arc::clone(pattern));
    }

    /// Records the answer on the span and reports it: the status and, for an
    /// error, its stable code; the detail of failures on our side (adapter,
    /// internal), with addresses masked; a failed sign-in. Called inside the
    /// span.
    pub(crate) fn finish(&self, status: StatusCode, failure: Option<&Error>) {
        let status = status.as_u16();
        self.span.record("status", status);
        let Some(failure) = failure else {
            info!(target: "nanoauth::request", status, "answered");
            return;
        };
        let code = failure.code();
        self.span.record("error_code", code);
        match failure {
            Error::Adapter(adapter) => adapter_error(adapter),
            Error::Internal(inner) => error!(
                target: "nanoauth::internal",
                code,
                detail = %redact_emails_in(&inner.to_string()),
                "internal error",
            ),
            Error::PluginNotEnabled(plugin) => error!(
                target: "nanoauth::internal",
                code,
                plugin = *plugin,
                "a plugin's export was called but the plugin was never added",
            ),
            // Client errors are told by their code alone: their messages
            // can quote the body (a JSON parser's does).
            _ => {}
        }
        if let Some(route) = self.route.get().filter(|route| is_sign_in(route)) {
            info!(
                target: "nanoauth::sign_in",
                route = &**route,
                reason = code,
                "sign-in failed",
            );
        }
        info!(target: "nanoauth::request", status, error_code = code, "answered");
    }
}

/// Whether `pattern` is a sign-in endpoint: every plugin's sign-in lives
/// under `/signin/` (the same convention as the default rate limits'
/// `/signin/*` rule). Second factors and provider callbacks are not counted
/// here; their refusals show as the request's `error_code`.
fn is_sign_in(pattern: &str) -> bool {
    pattern.starts_with("/signin/")
}

/// A rate limit or lockout refused a request. The key's kind is recorded,
/// never the key (it holds the address or the account); the client's
/// address only when the application asked for personal data.
pub(crate) fn rate_limited(key: LimitKey<'_>, route: Option<&str>, client: Option<&str>) {
    let (kind, name) = match key {
        LimitKey::Client => ("client", None),
        LimitKey::Account => ("account", None),
        LimitKey::Failures(check) => ("failures", Some(check)),
        LimitKey::Use(bucket) => ("use", Some(bucket)),
    };
    warn!(
        target: "nanoauth::rate_limit",
        key = kind,
        check = name,
        route,
        client,
        "rate limited",
    );
}

/// An adapter failure that ended a request, by its kind (the
/// [`AdapterError`] variant). The driver's text is kept for the operator,
/// with any address in it masked (a uniqueness error can quote the row).
fn adapter_error(failure: &AdapterError) {
    let code = failure.code();
    match failure {
        AdapterError::Unavailable(detail) => error!(
            target: "nanoauth::adapter",
            kind = "Unavailable",
            code,
            detail = %redact_emails_in(&detail.to_string()),
            "adapter error",
        ),
        AdapterError::Other(detail) => error!(
            target: "nanoauth::adapter",
            kind = "Other",
            code,
            detail = %redact_emails_in(&detail.to_string()),
            "adapter error",
        ),
        AdapterError::InvalidInput(detail) => warn!(
            target: "nanoauth::adapter",
            kind = "InvalidInput",
            code,
            detail = %redact_emails_in(&detail.to_string()),
            "adapter error",
        ),
        AdapterError::Conflict => warn!(
            target: "nanoauth::adapter",
            kind = "Conflict",
            code,
            "adapter error",
        ),
    }
}

/// Reports a lifecycle event (everything `Auth::emit` sends to listeners)
/// with the fields that identify it and nothing else: user and session
/// ids, the sign-in method, a provider's name. `personal`: addresses in
/// full ([`AuthBuilder::trace_personal_data`](crate::AuthBuilder::trace_personal_data)).
pub(crate) fn lifecycle<U: AuthUser>(event: &Event<U>, personal: bool) {
    const EVENT: &str = "nanoauth::event";
    match event {
        Event::SignedIn {
            user,
            session,
            method,
        } => info!(
            target: "nanoauth::sign_in",
            user_id = user.id(),
            session_id = session.id.as_str(),
            // Not `method`: the request span's `method` is the HTTP one.
            sign_in_method = %method,
            "signed in",
        ),
        Event::SignedUp { user } => info!(target: EVENT, user_id = user.id(), "signed up"),
        Event::SignedOut {
            user_id,
            session_id,
        } => info!(
            target: EVENT,
            user_id = user_id.as_str(),
            session_id = session_id.as_str(),
            "signed out",
        ),
        Event::EmailProven { user } => info!(target: EVENT, user_id = user.id(), "email proven"),
        Event::AccountClaimed { user } => warn!(
            target: EVENT,
            user_id = user.id(),
            "account claimed: sessions, password and links set before the proof removed",
        ),
        Event::PasswordChanged { user } => {
            info!(target: EVENT, user_id = user.id(), "password changed");
        }
        Event::PasswordReset { user } => {
            info!(target: EVENT, user_id = user.id(), "password reset")
        }
        Event::AccountLinked {
            user_id, provider, ..
        } => info!(
            target: EVENT,
            user_id = user_id.as_str(),
            provider = provider.as_str(),
            "provider account linked",
        ),
        Event::AccountUnlinked { user_id, provider } => info!(
            target: EVENT,
            user_id = user_id.as_str(),
            provider = provider.as_str(),
            "provider account unlinked",
        ),
        Event::EmailTaken { email } => info!(
            target: EVENT,
            email = %address(email, personal),
            "sign-up for a taken address answered as for a free one",
        ),
        Event::EmailNotSent { to, purpose, error } => error!(
            target: "nanoauth::email",
            to = %address(to, personal),
            purpose = purpose.as_str(),
            error = %free_text(error, personal),
            "mail not sent",
        ),
        Event::ClientAddrMissing { .. } => warn!(
            target: "nanoauth::rate_limit",
            "a request came without a ClientAddr: per-client rate limits do not apply \
             (see nanoauth::rate_limit::RateLimit)",
        ),
        Event::PurgeFailed { error } => error!(
            target: "nanoauth::adapter",
            error = %free_text(error, personal),
            "purging expired sessions and tokens failed",
        ),
        Event::SessionsRevoked { user_id, revoked } => info!(
            target: EVENT,
            user_id = user_id.as_str(),
            revoked = *revoked,
            "other sessions revoked",
        ),
        Event::UserUpdated { user } => info!(target: EVENT, user_id = user.id(), "user updated"),
        Event::EmailChanged { user, previous } => info!(
            target: EVENT,
            user_id = user.id(),
            previous = %address(previous, personal),
            "email address changed; other sessions revoked",
        ),
        Event::UserDeleted { user } => info!(target: EVENT, user_id = user.id(), "user deleted"),
        // A plugin documents its events' data, which may be personal: the
        // name and the user tell what happened.
        Event::Plugin(plugin) => info!(
            target: EVENT,
            name = plugin.name,
            user_id = plugin.user_id.as_str(),
            "plugin event",
        ),
        // Emitted by the handler for a failed request, whose span and
        // answer record it already.
        Event::Error { .. } => {}
    }
}

/// `ada@example.com` as `a***@example.com`, unless `personal`.
fn address(email: &Email, personal: bool) -> Cow<'_, str> {
    if personal {
        Cow::Borrowed(email.as_str())
    } else {
        redact_emails_in(email.as_str())
    }
}

/// Text from outside (a mail server's or a store's error), with the
/// addresses in it masked unless `personal`.
fn free_text(text: &str, personal: bool) -> Cow<'_, str> {
    if personal {
        Cow::Borrowed(text)
    } else {
        redact_emails_in(text)
    }
}

/// Masks every email address in `text` but its first character and its
/// domain: `550 <ada@example.com>: no such user` becomes
/// `550 <a***@example.com>: no such user`. An address is a run of
/// characters allowed before an `@` and a domain with a dot after it.
fn redact_emails_in(text: &str) -> Cow<'_, str> {
    let is_local = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    let is_domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let mut redacted = String::new();
    // Bytes of `text` already handled (copied or masked).
    let mut done = 0;
    for (at, _) in text.match_indices('@') {
        if at < done {
            continue;
        }
        let Some(start) = text[done..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local(*c))
            .last()
            .map(|(offset, _)| done + offset)
        else {
            continue;
        };
        let domain: &str = {
            let rest = &text[at + 1..];
            let end = rest
                .char_indices()
                .find(|(_, c)| !is_domain(*c))
                .map_or(rest.len(), |(offset, _)| offset);
            &rest[..end]
        };
        if !domain.trim_matches('.').contains('.') {
            continue;
        }
        let Some(first) = text[start..at].chars().next() else {
            continue;
        };
        redacted.push_str(&text[done..start]);
        redacted.push(first);
        redacted.push_str("***@");
        done = at + 1;
    }
    if done == 0 {
        return Cow::Borrowed(text);
    }
    redacted.push_str(&text[done..]);
    Cow::Owned(redacted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_wherever_they_are() {
        assert_eq!(redact_emails_in("ada@example.com"), "a***@example.com");
        assert_eq!(
            redact_emails_in("550 <ada.lovelace+x@mail.example.com>: no such user"),
            "550 <a***@mail.example.com>: no such user"
        );
        assert_eq!(
            redact_emails_in("from ada@example.com to bob@example.org."),
            "from a***@example.com to b***@example.org."
        );
        assert_eq!(redact_emails_in("zoë@exämple.de"), "z***@exämple.de");
        assert_eq!(
            redact_emails_in("Key (email)=(x@y.io) exists"),
            "Key (email)=(x***@y.io) exists"
        );
    }

    #[test]
    fn text_without_addresses_is_left_alone() {
        for text in [
            "no address",
            "user@localhost",
            "@example.com",
            "a @ b.c",
            "",
        ] {
            assert!(matches!(redact_emails_in(text), Cow::Borrowed(t) if t == text));
        }
    }

    /// Runs `report` under a JSON subscriber at TRACE on this thread and
    /// returns the lines it wrote.
    fn captured(report: impl FnOnce()) -> Vec<serde_json::Value> {
        #[derive(Clone, Default)]
        struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if let Ok(mut bytes) = self.0.lock() {
                    bytes.extend_from_slice(buf);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::TRACE)
            .with_current_span(true)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, report);
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_default())
            .collect()
    }

    #[test]
    fn adapter_errors_are_reported_by_kind_with_addresses_masked() {
        let lines = captured(|| {
            let span = RequestSpan::start(&Method::POST);
            let _entered = span.span.enter();
            span.route(&Arc::from("/signup/email"), "email-password");
            let failure = Error::Adapter(AdapterError::unavailable(
                "pool timed out while inserting ada@example.com",
            ));
            span.finish(failure.status(), Some(&failure));
        });
        let adapter = lines
            .iter()
            .find(|line| line["target"] == "nanoauth::adapter")
            .unwrap_or_else(|| unreachable!("an adapter event: {lines:?}"));
        assert_eq!(adapter["level"], "ERROR");
        assert_eq!(adapter["fields"]["kind"], "Unavailable");
        assert_eq!(adapter["fields"]["code"], "DATABASE_UNAVAILABLE");
        assert_eq!(
            adapter["fields"]["detail"],
            "pool timed out while inserting a***@example.com"
        );
        assert_eq!(adapter["span"]["route"], "/signup/email");
        let answered = lines
            .iter()
            .find(|line| line["fields"]["message"] == "answered")
            .unwrap_or_else(|| unreachable!("the answer: {lines:?}"));
        assert_eq!(answered["fields"]["status"], 503);
        assert_eq!(answered["fields"]["error_code"], "DATABASE_UNAVAILABLE");
        // Not a sign-in route: no sign-in failure.
        assert!(
            lines
                .iter()
                .all(|line| line["target"] != "nanoauth::sign_in")
        );
    }

    #[test]
    fn client_errors_are_reported_by_code_alone() {
        let lines = captured(|| {
            let span = RequestSpan::start(&Method::POST);
            let _entered = span.span.enter();
            span.route(&Arc::from("/signin/email"), "email-password");
            // A parser's message can quote the body, password included.
            let failure = Error::InvalidBody("invalid type: string \"hunter2 hunter2\"".into());
            span.finish(failure.status(), Some(&failure));
        });
        let text = lines.iter().map(ToString::to_string).collect::<String>();
        assert!(text.contains("INVALID_BODY"), "{text}");
        assert!(text.contains("sign-in failed"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn lockouts_name_the_check_and_no_client() {
        let lines = captured(|| {
            rate_limited(LimitKey::Failures("password"), None, None);
            rate_limited(LimitKey::Client, Some("/signin/email"), Some("203.0.113.9"));
        });
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["fields"]["key"], "failures");
        assert_eq!(lines[0]["fields"]["check"], "password");
        assert!(lines[0]["fields"].get("client").is_none());
        // The client is recorded when the caller passes it: with
        // `trace_personal_data` only (see `Auth::rate_limited`).
        assert_eq!(lines[1]["fields"]["client"], "203.0.113.9");
    }

    #[test]
    fn personal_data_is_kept_only_when_asked_for() {
        let email = Email::parse("ada@example.com").unwrap_or_else(|| unreachable!());
        assert_eq!(address(&email, false), "a***@example.com");
        assert_eq!(address(&email, true), "ada@example.com");
        assert_eq!(free_text("to ada@example.com", true), "to ada@example.com");
    }
}
