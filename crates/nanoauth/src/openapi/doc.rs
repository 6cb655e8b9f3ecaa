//! `EndpointDoc`: what a plugin says about one of its endpoints, for the
//! API description.

use std::borrow::Cow;

use http::StatusCode;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

use crate::error::Error;

/// Makes a schema with the description's generator (its definitions end up
/// in `components/schemas`).
pub(crate) type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// Where a body's schema comes from.
#[derive(Clone, Debug)]
pub(crate) enum SchemaSource {
    /// A type's own (`schemars` derive), made when the description is.
    Typed(SchemaFn),
    /// A schema written out (or a `$ref` to a shared component).
    Json(Value),
}

fn subschema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// A response other than JSON: a redirect or an HTML page.
#[derive(Clone, Debug)]
pub(crate) enum Other {
    /// A redirect (`302`, `303`) with `Location`.
    Redirect(StatusCode, Cow<'static, str>),
    /// `200` with an HTML page.
    Page(Cow<'static, str>),
}

/// Whether the endpoint reads the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone may call it.
    Public,
    /// It answers differently with a session, and works without one.
    OptionalSession,
    /// Without a session it answers `401 UNAUTHORIZED`.
    Session,
}

/// A query parameter.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    pub(crate) name: &'static str,
    pub(crate) description: Cow<'static, str>,
    pub(crate) required: bool,
}

/// What an endpoint takes and answers, for `GET /openapi.json`: a summary,
/// the request body's schema, the success answer's schema and the error
/// codes it can answer. Attached with [`Endpoint::describe`]; an endpoint
/// without one is still listed (every registered route is), with no more
/// than its method, path and the error shape.
///
/// Schemas come from the types themselves (`#[derive(schemars::JsonSchema)]`
/// next to `Deserialize` on a request body) or are written out; the user,
/// the session and the sign-in answer are shared components (see
/// [`schemas`](crate::openapi::schemas)), since a plugin does not know the
/// application's user type. The errors are given as [`Error`] values, so
/// the status and code in the description are the ones the endpoint
/// answers with.
///
/// What every route can answer is added by the core, not by each plugin:
/// `403 INVALID_ORIGIN` on state-changing methods, `400 INVALID_JSON`,
/// `INVALID_BODY`, `INVALID_INPUT`, `413` and `415` where a body is read,
/// `429 RATE_LIMITED`, and a `default` answer with the error shape (for the
/// storage's `503 DATABASE_UNAVAILABLE` and the like).
///
/// ```
/// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Error, Reply};
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::openapi::{EndpointDoc, schemas};
///
/// /// `{"name": "..."}`: what `POST /greeting` reads.
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct GreetingBody {
///     /// Who to greet.
///     name: String,
/// }
///
/// let greet = Endpoint::post("/greeting", |request: EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>| async move {
///     let body: GreetingBody = request.json()?;
///     request.require_session().await?;
///     Ok(Reply::success())
/// })
/// .describe(
///     EndpointDoc::new("Greets someone")
///         .request::<GreetingBody>()
///         .response_schema(schemas::success())
///         .session(),
/// );
/// assert!(greet.doc().is_some());
/// ```
///
/// [`Endpoint::describe`]: crate::Endpoint::describe
#[derive(Clone, Debug)]
pub struct EndpointDoc {
    pub(crate) summary: Cow<'static, str>,
    pub(crate) description: Option<Cow<'static, str>>,
    pub(crate) request: Option<SchemaSource>,
    pub(crate) request_optional: bool,
    pub(crate) response: Option<(StatusCode, SchemaSource)>,
    pub(crate) other: Vec<Other>,
    pub(crate) errors: Vec<(StatusCode, &'static str)>,
    pub(crate) access: Access,
    pub(crate) query: Vec<Query>,
}

impl EndpointDoc {
    /// A description with `summary` (one line, what the endpoint does).
    pub fn new(summary: impl Into<Cow<'static, str>>) -> Self {
        Self {
            summary: summary.into(),
            description: None,
            request: None,
            request_optional: false,
            response: None,
            other: Vec::new(),
            errors: Vec::new(),
            access: Access::Public,
            query: Vec::new(),
        }
    }

    /// A longer explanation (CommonMark).
    pub fn description(mut self, text: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The JSON request body is a `T` (its `schemars` schema).
    pub fn request<T: JsonSchema>(mut self) -> Self {
        self.request = Some(SchemaSource::Typed(subschema::<T>));
        self
    }

    /// The JSON request body, as a schema written out.
    pub fn request_schema(mut self, schema: Value) -> Self {
        self.request = Some(SchemaSource::Json(schema));
        self
    }

    /// The request body may be left out (the endpoint reads an empty body
    /// as its defaults).
    pub fn body_optional(mut self) -> Self {
        self.request_optional = true;
        self
    }

    /// The `200` answer is a `T` as JSON (its `schemars` schema, for what
    /// it serializes to).
    pub fn response<T: JsonSchema>(mut self) -> Self {
        self.response = Some((StatusCode::OK, SchemaSource::Typed(subschema::<T>)));
        self
    }

    /// The `200` answer, as a schema written out (often one of
    /// [`schemas`](crate::openapi::schemas)).
    pub fn response_schema(mut self, schema: Value) -> Self {
        self.response = Some((StatusCode::OK, SchemaSource::Json(schema)));
        self
    }

    /// The success answer has `status` rather than `200`.
    pub fn success_status(mut self, status: StatusCode) -> Self {
        if let Some((code, _)) = &mut self.response {
            *code = status;
        } else {
            self.response = Some((status, SchemaSource::Json(Value::Bool(true))));
        }
        self
    }

    /// The endpoint may answer a redirect with `status` (`302 Found`, `303
    /// See Other`), to where `description` says.
    pub fn redirect(
        mut self,
        status: StatusCode,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.other.push(Other::Redirect(status, description.into()));
        self
    }

    /// The endpoint answers `200` with an HTML page, as `description`
    /// says.
    pub fn page(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.other.push(Other::Page(description.into()));
        self
    }

    /// The endpoint needs a signed-in user (a session cookie or bearer
    /// token); `401 UNAUTHORIZED` is added.
    pub fn session(mut self) -> Self {
        self.access = Access::Session;
        self.errors
            .push((StatusCode::UNAUTHORIZED, Error::Unauthorized.code()));
        self
    }

    /// The endpoint reads the session when there is one, and works without.
    pub fn optional_session(mut self) -> Self {
        self.access = Access::OptionalSession;
        self
    }

    /// A query parameter.
    pub fn query(
        mut self,
        name: &'static str,
        description: impl Into<Cow<'static, str>>,
        required: bool,
    ) -> Self {
        self.query.push(Query {
            name,
            description: description.into(),
            required,
        });
        self
    }

    /// The endpoint can answer `error` (its status and code; the value's
    /// details, such as a length, do not matter).
    pub fn error(mut self, error: Error) -> Self {
        self.errors.push((error.status(), error.code()));
        self
    }

    /// The endpoint can answer each of `errors`.
    pub fn errors(self, errors: impl IntoIterator<Item = Error>) -> Self {
        errors.into_iter().fold(self, Self::error)
    }
}
