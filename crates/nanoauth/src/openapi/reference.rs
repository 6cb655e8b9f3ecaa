//! `GET /openapi.json` and `GET /reference`: the description and a page
//! that renders it, served by the core (see [`ApiReference`]).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{self, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

use super::doc::EndpointDoc;
use crate::adapter::Adapter;
use crate::error::Error;
use crate::pipeline::endpoint::{Endpoint, EndpointRequest, Reply};
use crate::plugin::Plugin;
use crate::user::AuthUser;
use crate::utils::html::escape;

/// The renderer: plain JavaScript that builds the page with `textContent`
/// only, from the description embedded in the page (no fetch, no CDN).
const SCRIPT: &str = include_str!("reference.js");
const STYLE: &str = include_str!("reference.css");

/// The plugin that serves the description (`GET /openapi.json`) and its
/// reference page (`GET /reference`). [`AuthBuilder::build`] adds it unless
/// [`AuthBuilder::serve_openapi`]`(false)` turned it off; both list the
/// routes registered at the time of the request, so a plugin added at run
/// time appears at once.
///
/// [`AuthBuilder::build`]: crate::AuthBuilder::build
/// [`AuthBuilder::serve_openapi`]: crate::AuthBuilder::serve_openapi
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiReference;

/// The plugin's name.
pub(crate) const API_REFERENCE: &str = "openapi";

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for ApiReference {
    fn name(&self) -> &'static str {
        API_REFERENCE
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![
            Endpoint::get("/openapi.json", description)
                .safe()
                .describe(
                    EndpointDoc::new("This API's OpenAPI 3.1 description")
                        .description("Made from the endpoints registered when it is asked for, with their request and answer schemas and error codes.")
                        .response_schema(serde_json::json!({ "type": "object", "required": ["openapi", "info", "paths"] })),
                ),
            Endpoint::get("/reference", page).safe().describe(
                EndpointDoc::new("A page that renders this description")
                    .page("An HTML page, self-contained (no external script or style)."),
            ),
        ]
    }
}

async fn description<U: AuthUser, A: Adapter<U>>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let document = request.auth().openapi();
    Reply::json(&document)
}

async fn page<U: AuthUser, A: Adapter<U>>(request: EndpointRequest<U, A>) -> Result<Reply, Error> {
    let document = request.auth().openapi();
    let title = document["info"]["title"]
        .as_str()
        .unwrap_or("API")
        .to_owned();
    let page = render(&document, &title)?;
    Ok(Reply::html(page, headers()))
}

/// The page, with the description as a JSON data block (not run: only the
/// renderer's hashed script is).
fn render(document: &serde_json::Value, title: &str) -> Result<String, Error> {
    let json = serde_json::to_string(document).map_err(Error::internal)?;
    // Inside <script>, only "</script" (or "<!--") could end the block:
    // `<` escaped as JSON's \u003c makes both impossible.
    let json = json.replace('<', "\\u003c");
    Ok(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title} reference</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main id=\"main\"></main>\n\
         <script type=\"application/json\" id=\"openapi\">{json}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        title = escape(title),
    ))
}

/// The page's security headers: its own script and style only, no
/// connections, no frames, no forms.
fn headers() -> [(HeaderName, HeaderValue); 4] {
    let policy = format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; \
         form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        source_hash(SCRIPT),
        source_hash(STYLE),
    );
    let policy = HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    [
        (header::CONTENT_SECURITY_POLICY, policy),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}

/// A CSP hash source for an inline element's text.
fn source_hash(text: &str) -> String {
    format!(
        "sha256-{}",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_block_cannot_end_early() {
        let document =
            serde_json::json!({ "info": { "title": "</script><script>alert(1)</script>" } });
        let page = render(&document, "t").unwrap_or_default();
        assert_eq!(page.matches("</script>").count(), 2, "{page}");
        assert!(!page.contains("<script>alert"));
    }

    #[test]
    fn the_policy_allows_only_the_page_own_script_and_style() {
        let [(_, policy), ..] = headers();
        let policy = policy.to_str().unwrap_or_default();
        assert!(policy.starts_with("default-src 'none'; script-src 'sha256-"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("http"));
    }
}
