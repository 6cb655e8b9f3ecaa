//! The demo's logs: NanoAuth's `tracing` spans and events (a line per
//! request, sign-ins, rate-limit hits, failures) and the demo's own, on
//! standard output, as text for people or as JSON lines for machines.

use std::io::IsTerminal as _;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Subscriber;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines look (`--log-format`, `LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum LogFormat {
    /// One line per event, with the request's span (method, route) before
    /// it; coloured when standard output is a terminal.
    #[default]
    Text,
    /// Several lines per event, every field on its own: for reading by eye.
    Pretty,
    /// One JSON object per line, with the request's span fields: for log
    /// collectors.
    Json,
}

impl LogFormat {
    /// The format a flag or variable names: `text`, `pretty` or `json`.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name {
            "text" => Some(Self::Text),
            "pretty" => Some(Self::Pretty),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Installs the process's subscriber: `format` on standard output, levels
/// from `RUST_LOG` (`info` when unset, which shows a line per request).
///
/// # Errors
/// A `RUST_LOG` that does not parse (said rather than silently ignored), or
/// a subscriber installed already.
pub(crate) fn init(format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env()
        .map_err(|error| format!("RUST_LOG: {error}"))?;
    let ansi = std::io::stdout().is_terminal();
    tracing::subscriber::set_global_default(subscriber(format, filter, ansi, std::io::stdout))
        .map_err(|error| error.to_string())
}

/// The subscriber `init` installs, writing to `writer` (tests capture it).
pub(crate) fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    ansi: bool,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.compact().with_ansi(ansi).finish()),
        LogFormat::Pretty => Box::new(builder.pretty().with_ansi(ansi).finish()),
        // JSON never has colour codes; the span's fields (method, route,
        // status) are on every line of the request.
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// Logs a page request as NanoAuth logs its API requests: method, the
/// route's pattern (never the raw path, which can carry a token in its
/// query) and status. A `route_layer` on the page routes: the API has its
/// own line from NanoAuth.
pub(crate) async fn page_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    tracing::info!(
        target: "nanoauth_demo::page",
        method = method.as_str(),
        route,
        status = response.status().as_u16(),
        "answered",
    );
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use nanoauth::adapter::memory::MemoryAdapter;
    use nanoauth::{Auth, BasicUser};
    use nanoauth_axum::AuthRouterExt as _;
    use tower::ServiceExt as _;

    use super::*;

    /// Installs `subscriber` for this thread until the guard is dropped.
    fn install(subscriber: Box<dyn Subscriber + Send + Sync>) -> tracing::subscriber::DefaultGuard {
        let installed = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        installed
    }

    /// Runs `log` (which returns what it captured) until `complete` holds
    /// of the capture, at most five times.
    ///
    /// A subscriber installed for one thread races in tracing-core's
    /// interest cache with other tests that meet the same callsites for the
    /// first time on threads without one (the app's tests run NanoAuth and
    /// `page_request`): the callsite can be left marked "never" and a line
    /// goes missing (about one run in six). Once registered, a callsite's
    /// interest is rebuilt for good, so a second try sees every line; a
    /// line that is truly never logged still fails.
    async fn logged_until<F: std::future::Future<Output = String>>(
        mut log: impl FnMut() -> F,
        complete: impl Fn(&str) -> bool,
    ) -> String {
        let mut logged = log().await;
        for _ in 0..4 {
            if complete(&logged) {
                break;
            }
            tracing::callsite::rebuild_interest_cache();
            logged = log().await;
        }
        logged
    }

    /// What the subscriber wrote.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;

        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    /// Sends `GET /api/auth/session` through NanoAuth under `format` and
    /// returns what was logged at the default level.
    async fn one_request(format: LogFormat) -> String {
        logged_until(
            || one_request_once(format),
            |logged| logged.contains("answered") && logged.contains("/session"),
        )
        .await
    }

    async fn one_request_once(format: LogFormat) -> String {
        let captured = Captured::default();
        let filter = EnvFilter::builder()
            .with_default_directive(LevelFilter::INFO.into())
            .parse("")
            .unwrap();
        let _installed = install(subscriber(format, filter, false, captured.clone()));
        let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
            .secret("a secret of at least thirty-two bytes!!")
            .base_url("http://localhost:3000")
            .build()
            .unwrap();
        let app = Router::new().nanoauth(auth);
        let request = Request::get("/api/auth/session")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn json_logs_a_json_line_per_request() {
        let logged = one_request(LogFormat::Json).await;
        let lines: Vec<serde_json::Value> = logged
            .lines()
            .map(|line| serde_json::from_str(line).expect("every line is JSON"))
            .collect();
        let answered = lines
            .iter()
            .find(|line| line["fields"]["message"] == "answered")
            .expect("the request's answer is logged at the default level");
        assert_eq!(answered["target"], "nanoauth::request");
        assert_eq!(answered["fields"]["status"], 200);
        assert_eq!(answered["span"]["name"], "request");
        assert_eq!(answered["span"]["method"], "GET");
        assert_eq!(answered["span"]["route"], "/session");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn text_logs_are_for_people() {
        let logged = one_request(LogFormat::Text).await;
        let line = logged
            .lines()
            .find(|line| line.contains("answered"))
            .expect("a line for the request");
        assert!(line.contains("INFO"), "{line}");
        assert!(
            line.contains("route=\"/session\"") || line.contains("route=/session"),
            "{line}"
        );
        assert!(!line.starts_with('{'), "not JSON: {line}");
        assert!(
            !line.contains('\u{1b}'),
            "no colour codes off a terminal: {line}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn pages_are_logged_by_route_pattern() {
        let logged = logged_until(page_logged, |logged| logged.contains("/reset/{token}")).await;
        let line: serde_json::Value = serde_json::from_str(logged.trim()).unwrap();
        assert_eq!(line["target"], "nanoauth_demo::page");
        assert_eq!(line["fields"]["route"], "/reset/{token}");
        assert_eq!(line["fields"]["method"], "GET");
        assert_eq!(line["fields"]["status"], 200);
        assert!(!logged.contains("s3cr3t"), "{logged}");
    }

    /// What one page request logs, in JSON.
    async fn page_logged() -> String {
        let captured = Captured::default();
        let filter = EnvFilter::builder()
            .with_default_directive(LevelFilter::INFO.into())
            .parse("")
            .unwrap();
        let _installed = install(subscriber(LogFormat::Json, filter, false, captured.clone()));
        let app = Router::new()
            .route("/reset/{token}", axum::routing::get(|| async { "page" }))
            .route_layer(axum::middleware::from_fn(page_request));
        let request = Request::get("/reset/s3cr3t-t0ken?callbackURL=/x")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.oneshot(request).await.unwrap().status(), 200);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn formats_are_named() {
        assert_eq!(LogFormat::parse("json"), Some(LogFormat::Json));
        assert_eq!(LogFormat::parse("text"), Some(LogFormat::Text));
        assert_eq!(LogFormat::parse("pretty"), Some(LogFormat::Pretty));
        assert_eq!(LogFormat::parse("JSON"), None);
        assert_eq!(LogFormat::default(), LogFormat::Text);
    }
}
