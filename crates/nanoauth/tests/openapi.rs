//! The API description: `GET /openapi.json` lists exactly the routes
//! registered (a plugin added at run time too), each described by its
//! plugin; it holds to OpenAPI 3.1's structure; `GET /reference` renders
//! it with a strict CSP and nothing from elsewhere.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::*;
use http::{Method, StatusCode, header};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::DangerConsoleSender;
use nanoauth::openapi::{ApiReference, EndpointDoc, schemas};
use nanoauth::plugins::account::Account;
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::plugins::password_reset::PasswordReset;
use nanoauth::plugins::sessions::Sessions;
use nanoauth::{Adapter, Auth, AuthUser, Endpoint, EndpointRequest, Plugin, Reply, ThreadOffload};
use serde_json::Value;

type Store = MemoryAdapter<Member>;

fn routes_of<P: Plugin<Member, Store>>(plugin: P) -> Vec<(String, String)> {
    Arc::new(plugin)
        .endpoints()
        .iter()
        .map(|endpoint| {
            (
                endpoint.method().as_str().to_owned(),
                endpoint.path().to_owned(),
            )
        })
        .collect()
}

/// The core plugins there are, each once.
fn full_auth() -> TestAuth {
    Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .offload(ThreadOffload)
        .plugin(fast_plugin())
        .plugin(MagicLink::new(DangerConsoleSender))
        .plugin(PasswordReset::new(DangerConsoleSender))
        .plugin(EmailVerification::new(DangerConsoleSender))
        .plugin(Account::new(DangerConsoleSender))
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"))
}

fn registered() -> BTreeSet<(String, String)> {
    let mut routes = Vec::new();
    routes.extend(routes_of(fast_plugin()));
    routes.extend(routes_of(MagicLink::new(DangerConsoleSender)));
    routes.extend(routes_of(PasswordReset::new(DangerConsoleSender)));
    routes.extend(routes_of(EmailVerification::new(DangerConsoleSender)));
    routes.extend(routes_of(Account::new(DangerConsoleSender)));
    routes.extend(routes_of(Sessions::new()));
    routes.extend(routes_of(ApiReference));
    routes.into_iter().collect()
}

/// `(method, path)` of every operation in `description`.
fn described(description: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in description["paths"].as_object().into_iter().flatten() {
        for (method, _) in item.as_object().into_iter().flatten() {
            found.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    found
}

async fn fetch_description(auth: &TestAuth) -> Value {
    let response = auth.handler(get("/api/auth/openapi.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    json(&response)
}

#[tokio::test]
async fn the_description_lists_exactly_the_registered_routes() {
    let auth = full_auth();
    let description = fetch_description(&auth).await;
    assert_eq!(described(&description), registered());
    // Every route of these plugins is described by its plugin.
    for (path, item) in description["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let summary = operation["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && summary != "Not described by its plugin.",
                "{method} {path} is not described"
            );
        }
    }
}

#[tokio::test]
async fn the_description_follows_the_openapi_3_1_structure() {
    let description = fetch_description(&full_auth()).await;
    check_structure(&description);
    // The shared error shape, and the codes a route answers.
    let sign_in = &description["paths"]["/signin/email"]["post"];
    let unauthorized = &sign_in["responses"]["401"]["content"]["application/json"]["schema"];
    assert_eq!(
        unauthorized["allOf"][0]["$ref"],
        "#/components/schemas/Error"
    );
    let codes = &unauthorized["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"];
    assert_eq!(codes, &serde_json::json!(["INVALID_CREDENTIALS"]));
    assert!(
        sign_in["responses"]["403"]["description"]
            .as_str()
            .is_some_and(
                |codes| codes.contains("INVALID_ORIGIN") && codes.contains("EMAIL_NOT_VERIFIED")
            )
    );
    // A request body from the type the handler reads.
    let body = &sign_in["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], serde_json::json!(["email", "password"]));
    // Session routes say so.
    assert_eq!(
        description["paths"]["/sessions"]["get"]["security"],
        serde_json::json!([{ "session": [] }, { "bearer": [] }])
    );
    assert_eq!(
        description["components"]["securitySchemes"]["session"]["name"],
        "nanoauth.session_token"
    );
}

/// What OpenAPI 3.1 requires of the parts we write, checked by hand (CI
/// also runs `openapi-spec-validator` on the demo's description).
fn check_structure(description: &Value) {
    assert_eq!(description["openapi"], "3.1.0");
    assert!(description["info"]["title"].is_string());
    assert!(description["info"]["version"].is_string());
    assert_eq!(description["servers"][0]["url"], "/api/auth");
    let components = &description["components"]["schemas"];
    for name in [
        "Error",
        "User",
        "SignUpFields",
        "UserUpdate",
        "Session",
        "SessionRecord",
        "SignedIn",
    ] {
        assert!(components[name].is_object(), "component {name}");
    }
    let mut ids = BTreeSet::new();
    for (path, item) in description["paths"].as_object().into_iter().flatten() {
        assert!(path.starts_with('/'), "{path}");
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (method, operation) in item.as_object().into_iter().flatten() {
            assert!(["get", "post", "put", "delete", "patch"].contains(&method.as_str()));
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(
                ids.insert(id),
                "operationId of {method} {path} is not unique"
            );
            let responses = operation["responses"].as_object();
            assert!(responses.is_some_and(|r| !r.is_empty()), "{method} {path}");
            for (status, response) in responses.into_iter().flatten() {
                assert!(
                    status == "default" || (status.len() == 3 && status.parse::<u16>().is_ok()),
                    "{method} {path}: {status}"
                );
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {status}"
                );
            }
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(declared, templated, "{method} {path}: path parameters");
            if method == "get" {
                assert!(
                    operation.get("requestBody").is_none(),
                    "{path}: GET with a body"
                );
            }
        }
    }
    // Every reference points at a component that exists.
    let mut refs = Vec::new();
    collect_refs(description, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| unreachable!("a reference outside the components: {reference}"));
        assert!(components[name].is_object(), "dangling {reference}");
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    _ => collect_refs(inner, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// A third-party plugin, added at run time, with one described route.
#[derive(Debug)]
struct Greeting;

/// `POST /greeting`'s body.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct GreetingBody {
    /// Who to greet.
    #[allow(dead_code)]
    name: String,
}

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Greeting {
    fn name(&self) -> &'static str {
        "greeting"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![
            Endpoint::post("/greeting", |request: EndpointRequest<U, A>| async move {
                let _: GreetingBody = request.json()?;
                Ok(Reply::success())
            })
            .describe(
                EndpointDoc::new("Greets someone")
                    .request::<GreetingBody>()
                    .response_schema(schemas::success()),
            ),
            Endpoint::new(
                Method::DELETE,
                "/greeting/{id}",
                |_: EndpointRequest<U, A>| async { Ok(Reply::success()) },
            ),
        ]
    }
}

#[tokio::test]
async fn a_plugin_added_at_run_time_appears_at_once() {
    let auth = full_auth();
    let before = fetch_description(&auth).await;
    assert!(before["paths"]["/greeting"].is_null());
    auth.use_plugin(Greeting)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let after = fetch_description(&auth).await;
    let greet = &after["paths"]["/greeting"]["post"];
    assert_eq!(greet["summary"], "Greets someone");
    assert_eq!(greet["tags"], serde_json::json!(["greeting"]));
    let body = &greet["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["properties"]["name"]["description"], "Who to greet.");
    // Undescribed routes are listed all the same, with the error shape.
    let delete = &after["paths"]["/greeting/{id}"]["delete"];
    assert_eq!(delete["parameters"][0]["name"], "id");
    assert!(delete["responses"]["default"].is_object());
    check_structure(&after);
}

#[tokio::test]
async fn the_user_type_can_publish_its_schema() {
    let generic = Auth::<nanoauth::BasicUser, _>::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(
        generic.openapi()["components"]["schemas"]["User"]["type"],
        "object"
    );
    assert!(generic.openapi()["components"]["schemas"]["User"]["properties"].is_null());
    let typed = Auth::<nanoauth::BasicUser, _>::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .user_schema()
        .sign_up_schema()
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    let description = typed.openapi();
    let user = &description["components"]["schemas"]["User"];
    let target = user["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"));
    let fields = &description["components"]["schemas"][target.unwrap_or_default()]["properties"];
    assert!(
        fields["email"].is_object() && fields["name"].is_object(),
        "{description}"
    );
    assert!(description["components"]["schemas"]["SignUpFields"]["properties"]["name"].is_object());
}

#[tokio::test]
async fn the_reference_page_is_self_contained_under_a_strict_policy() {
    let auth = full_auth();
    let response = auth.handler(get("/api/auth/reference")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'sha256-"),
        "{policy}"
    );
    assert!(
        !policy.contains("unsafe") && !policy.contains("http"),
        "{policy}"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    let page = String::from_utf8_lossy(response.body());
    for external in ["http://", "https://", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(external), "the page holds {external:?}");
    }
    // The description is in the page, as data.
    assert!(page.contains("<script type=\"application/json\" id=\"openapi\">"));
    assert!(page.contains("/signin/email"));
}

#[tokio::test]
async fn serving_can_be_turned_off() {
    let auth = Auth::<Member, _>::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .serve_openapi(false)
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    for path in ["/api/auth/openapi.json", "/api/auth/reference"] {
        assert_eq!(
            auth.handler(get(path)).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert!(auth.openapi()["paths"]["/openapi.json"].is_null());
    assert!(auth.openapi()["paths"]["/session"]["get"].is_object());
}

// --- What schemathesis found against the demo (apps/demo/e2e/openapi.sh) ---

/// `405` answers name the methods the path takes (RFC 9110 §15.5.6), as
/// schemathesis's `unsupported_method` check expects: it sent `TRACE` to
/// every path, and the answers had no `Allow`.
#[tokio::test]
async fn a_wrong_method_is_answered_with_the_allowed_ones() {
    let auth = full_auth();
    for (method, path, allowed) in [
        (Method::TRACE, "/api/auth/signin/email", "POST"),
        (Method::POST, "/api/auth/session", "GET, HEAD"),
        (Method::DELETE, "/api/auth/verify-email", "GET, HEAD, POST"),
    ] {
        let request = http::Request::builder()
            .method(method.clone())
            .uri(path)
            .body(String::new())
            .unwrap_or_else(|e| unreachable!("{e}"));
        let response = auth.handler(request).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            response.headers()[header::ALLOW],
            allowed,
            "{method} {path}"
        );
        assert_eq!(error_code(&response), "METHOD_NOT_ALLOWED");
    }
    // An unknown path is not found, with no `Allow`.
    let response = auth.handler(get("/api/auth/nowhere")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().get(header::ALLOW).is_none());
}
