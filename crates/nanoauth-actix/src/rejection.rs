//! `SessionRejection`: why a session extractor refused a request.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::convert;

/// Why [`Session`](crate::Session) or [`MaybeSession`](crate::MaybeSession)
/// refused a request, answered with the core's JSON error
/// (`{"error":{"code","message"}}`):
///
/// 1. no valid session (only `Session`): `401 UNAUTHORIZED`;
/// 2. the adapter failed: its status, `503 DATABASE_UNAVAILABLE` when the
///    database is unreachable;
/// 3. no [`SessionSource`](crate::SessionSource) for this user type in the
///    app data (neither [`configure`](crate::configure) nor
///    [`data`](crate::data) was registered, or for another user type):
///    `500 INTERNAL_ERROR`, the detail only in
///    [`source()`](std::error::Error::source).
#[derive(Debug)]
pub struct SessionRejection(nanoauth::Error);

impl SessionRejection {
    /// The core's error behind this rejection.
    pub fn error(&self) -> &nanoauth::Error {
        &self.0
    }

    /// Takes the core's error out.
    pub fn into_error(self) -> nanoauth::Error {
        self.0
    }
}

impl From<nanoauth::Error> for SessionRejection {
    fn from(error: nanoauth::Error) -> Self {
        Self(error)
    }
}

impl std::fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SessionRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl ResponseError for SessionRejection {
    fn status_code(&self) -> StatusCode {
        convert::status(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        // `Error::into_response` takes the error by value and errors are not
        // `Clone`; a plugin error with the same status, code and message
        // renders the very same response, built by the core.
        let error = &self.0;
        let same = nanoauth::Error::plugin(error.status(), error.code(), error.message());
        convert::error_response(same)
    }
}

/// No `SessionSource<U>` in the app data: a wiring mistake of the
/// application, reported as an internal error.
#[derive(Debug)]
pub(crate) struct NotConfigured(pub(crate) &'static str);

impl std::fmt::Display for NotConfigured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no nanoauth_actix::SessionSource<{}> in the app data: register \
             nanoauth_actix::configure(auth) or nanoauth_actix::data(auth) on the App",
            self.0
        )
    }
}

impl std::error::Error for NotConfigured {}
