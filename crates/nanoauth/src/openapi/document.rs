//! The OpenAPI 3.1 document, made from the registered routes.

use std::collections::{BTreeMap, BTreeSet};

use http::{Method, StatusCode};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::doc::{Access, EndpointDoc, Other, SchemaFn, SchemaSource};
use super::schemas;
use crate::error::Error;

/// One registered route, as the description lists it.
#[derive(Clone, Debug)]
pub(crate) struct Operation {
    pub(crate) plugin: &'static str,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) accepts_forms: bool,
    pub(crate) doc: Option<EndpointDoc>,
}

/// What the application said about the description (see the
/// `AuthBuilder` methods of the `openapi` feature).
#[derive(Clone, Debug)]
pub(crate) struct OpenApiConfig {
    /// Serve `GET /openapi.json` and `GET /reference`.
    pub(crate) serve: bool,
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) user: Option<SchemaFn>,
    pub(crate) sign_up: Option<SchemaFn>,
    pub(crate) update: Option<SchemaFn>,
}

impl Default for OpenApiConfig {
    fn default() -> Self {
        Self {
            serve: true,
            title: "NanoAuth".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            user: None,
            sign_up: None,
            update: None,
        }
    }
}

/// What the document needs besides the routes.
pub(crate) struct Context<'a> {
    pub(crate) config: &'a OpenApiConfig,
    pub(crate) base_path: &'a str,
    pub(crate) cookie_name: &'a str,
    /// A session guard may answer a sign-in with a challenge.
    pub(crate) has_guards: bool,
    /// The headers of the plugins' other credentials (`x-api-key`), which
    /// `get_session` accepts wherever a session is read.
    pub(crate) credential_headers: Vec<String>,
}

fn generator(serialize: bool) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|settings| {
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
        // Request bodies are inlined: one type can read and write
        // differently (`skip_serializing_if`, `default`), and the shared
        // components are the answers'.
        settings.inline_subschemas = !serialize;
    });
    let settings = if serialize {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    settings.into_generator()
}

/// The document for `operations`.
pub(crate) fn document(context: &Context<'_>, operations: &[Operation]) -> Value {
    let mut answers = generator(true);
    let mut requests = generator(false);
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut tags: Vec<&str> = Vec::new();
    for operation in operations {
        if !tags.contains(&operation.plugin) {
            tags.push(operation.plugin);
        }
        let item = paths.entry(operation.path.clone()).or_default();
        item.insert(
            operation.method.as_str().to_ascii_lowercase(),
            describe(
                operation,
                &context.credential_headers,
                &mut answers,
                &mut requests,
            ),
        );
    }
    let config = context.config;
    let generic = json!({
        "type": "object",
        "description": "The application's own type; it did not publish its schema."
    });
    let user = config
        .user
        .map_or_else(|| generic.clone(), |make| make(&mut answers).to_value());
    let sign_up = config
        .sign_up
        .map_or_else(|| generic.clone(), |make| make(&mut requests).to_value());
    let update = config
        .update
        .map_or(generic, |make| make(&mut requests).to_value());
    let mut components = answers.take_definitions(true);
    components.extend(requests.take_definitions(true));
    let with_token = schemas::object([
        ("user", schemas::user(), true),
        ("token", schemas::string(), true),
    ]);
    let signed_in = if context.has_guards {
        json!({ "anyOf": [with_token, {
            "type": "object",
            "description": "A session guard asked for one more step (such as `{\"twoFactorRequired\": true}`); no session yet."
        }] })
    } else {
        with_token
    };
    for (name, schema) in [
        ("Error", error_schema()),
        ("User", user),
        ("SignUpFields", sign_up),
        ("UserUpdate", update),
        ("SessionRecord", session_record()),
        ("Session", session_schema()),
        ("SignedIn", signed_in),
    ] {
        components.insert(name.to_owned(), schema);
    }
    let mut security_schemes = Map::new();
    security_schemes.insert(
        "session".into(),
        json!({
            "type": "apiKey",
            "in": "cookie",
            "name": context.cookie_name,
            "description": "The session cookie set by a sign-in."
        }),
    );
    security_schemes.insert(
        "bearer".into(),
        json!({
            "type": "http",
            "scheme": "bearer",
            "description": "The `token` of a sign-in answer."
        }),
    );
    for header in &context.credential_headers {
        security_schemes.insert(
            header.clone(),
            json!({
                "type": "apiKey",
                "in": "header",
                "name": header,
                "description": "A credential a plugin resolves to a session (an API key)."
            }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": config.title,
            "version": config.version,
            "description": "Generated by NanoAuth from the endpoints this server has registered. \
                Errors are always `{\"error\": {\"code\", \"message\"}}`; clients branch on `code`."
        },
        "servers": [{ "url": context.base_path }],
        "tags": tags.iter().map(|name| json!({ "name": name })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": security_schemes
        }
    })
}

fn describe(
    operation: &Operation,
    credentials: &[String],
    answers: &mut SchemaGenerator,
    requests: &mut SchemaGenerator,
) -> Value {
    let empty = EndpointDoc::new("Not described by its plugin.");
    let doc = operation.doc.as_ref().unwrap_or(&empty);
    let mut object = Map::new();
    object.insert("tags".into(), json!([operation.plugin]));
    object.insert("summary".into(), json!(doc.summary));
    if let Some(description) = &doc.description {
        object.insert("description".into(), json!(description));
    }
    object.insert(
        "operationId".into(),
        json!(operation_id(&operation.method, &operation.path)),
    );

    let mut parameters: Vec<Value> = path_parameters(&operation.path)
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(doc.query.iter().map(|query| {
        json!({
            "name": query.name,
            "in": "query",
            "required": query.required,
            "description": query.description,
            "schema": { "type": "string" }
        })
    }));
    if !parameters.is_empty() {
        object.insert("parameters".into(), Value::Array(parameters));
    }

    let mut errors: BTreeMap<u16, BTreeSet<&'static str>> = BTreeMap::new();
    let mut add = |error: Error| {
        errors
            .entry(error.status().as_u16())
            .or_default()
            .insert(error.code());
    };
    let changes_state = !matches!(operation.method, Method::GET | Method::HEAD);
    if changes_state {
        add(Error::InvalidOrigin);
    }
    add(Error::RateLimited {
        retry_after_secs: 0,
    });
    if let Some(request) = &doc.request {
        let schema = make(request, requests);
        let mut content = Map::new();
        content.insert("application/json".into(), json!({ "schema": schema }));
        if operation.accepts_forms {
            content.insert(
                "application/x-www-form-urlencoded".into(),
                json!({ "schema": schema }),
            );
        }
        object.insert(
            "requestBody".into(),
            json!({ "required": !doc.request_optional, "content": content }),
        );
        for error in [
            Error::InvalidJson(String::new()),
            Error::InvalidBody(String::new()),
            Error::Adapter(crate::adapter::AdapterError::InvalidInput(
                String::new().into(),
            )),
            Error::PayloadTooLarge,
            Error::UnsupportedMediaType,
        ] {
            add(error);
        }
    }
    for (status, code) in &doc.errors {
        errors.entry(status.as_u16()).or_default().insert(code);
    }

    let mut responses = Map::new();
    let mut ok = Map::new();
    let mut ok_status = StatusCode::OK;
    let mut ok_descriptions: Vec<String> = Vec::new();
    if let Some((status, schema)) = &doc.response {
        ok_status = *status;
        ok.insert(
            "application/json".into(),
            json!({ "schema": make(schema, answers) }),
        );
        ok_descriptions.push("Success.".into());
    }
    for other in &doc.other {
        match other {
            Other::Page(description) => {
                ok.insert(
                    "text/html".into(),
                    json!({ "schema": { "type": "string" } }),
                );
                ok_descriptions.push(description.to_string());
            }
            Other::Redirect(status, description) => {
                responses.insert(
                    status.as_u16().to_string(),
                    json!({
                        "description": description,
                        "headers": { "Location": { "schema": { "type": "string" } } }
                    }),
                );
            }
        }
    }
    if !ok.is_empty() || responses.is_empty() {
        let mut success = Map::new();
        let description = if ok_descriptions.is_empty() {
            "Success.".to_owned()
        } else {
            ok_descriptions.join(" ")
        };
        success.insert("description".into(), json!(description));
        if !ok.is_empty() {
            success.insert("content".into(), Value::Object(ok));
        }
        responses.insert(ok_status.as_u16().to_string(), Value::Object(success));
    }
    for (status, codes) in errors {
        responses.insert(status.to_string(), error_response(&codes));
    }
    responses.insert(
        "default".into(),
        json!({
            "description": "Another error (the storage unavailable, `503 DATABASE_UNAVAILABLE`; a server fault).",
            "content": { "application/json": { "schema": schemas::component("Error") } }
        }),
    );
    object.insert("responses".into(), Value::Object(responses));

    let mut schemes = vec![json!({ "session": [] }), json!({ "bearer": [] })];
    schemes.extend(
        credentials
            .iter()
            .map(|header| json!({ header.as_str(): [] })),
    );
    match doc.access {
        Access::Public => {}
        Access::Session => {
            object.insert("security".into(), Value::Array(schemes));
        }
        Access::OptionalSession => {
            schemes.insert(0, json!({}));
            object.insert("security".into(), Value::Array(schemes));
        }
    }
    Value::Object(object)
}

fn make(source: &SchemaSource, generator: &mut SchemaGenerator) -> Value {
    match source {
        SchemaSource::Typed(make) => make(generator).to_value(),
        SchemaSource::Json(value) => value.clone(),
    }
}

/// An error answer whose code is one of `codes`.
fn error_response(codes: &BTreeSet<&'static str>) -> Value {
    let list: Vec<String> = codes.iter().map(|code| format!("`{code}`")).collect();
    json!({
        "description": list.join(", "),
        "content": { "application/json": { "schema": {
            "allOf": [
                schemas::component("Error"),
                { "properties": { "error": { "properties": { "code": { "enum": codes } } } } }
            ]
        } } }
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Every error: a stable `code` to branch on and a `message` safe to show.",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "pattern": "^[A-Z][A-Z0-9_]*$" },
                "message": { "type": "string" }
            }
        } }
    })
}

fn session_record() -> Value {
    let optional_string = schemas::nullable(schemas::string());
    schemas::object([
        ("id", schemas::string(), true),
        ("userId", schemas::string(), true),
        ("createdAt", schemas::integer(), true),
        ("updatedAt", schemas::integer(), true),
        ("expiresAt", schemas::integer(), true),
        ("ipAddress", optional_string.clone(), true),
        ("userAgent", optional_string, true),
    ])
}

fn session_schema() -> Value {
    let session = json!({ "allOf": [
        schemas::session_record(),
        schemas::object([
            ("kind", json!({ "type": "string", "description": "`session`, or the credential it came from (`api-key`)." }), true),
            ("permissions", schemas::array(schemas::string()), false),
        ])
    ] });
    schemas::object([("user", schemas::user(), true), ("session", session, true)])
}

/// The names in braces of `path` (`/callback/{provider}`).
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| {
        segment
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .map(|name| name.trim_start_matches('*'))
    })
}

/// `post_signin_email` for `POST /signin/email`.
fn operation_id(method: &Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    id.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_and_parameters() {
        assert_eq!(
            operation_id(&Method::POST, "/signin/{provider}"),
            "post_signin_provider_".trim_end_matches('_').to_owned()
        );
        assert_eq!(
            path_parameters("/callback/{provider}/x/{*rest}").collect::<Vec<_>>(),
            ["provider", "rest"]
        );
    }
}
