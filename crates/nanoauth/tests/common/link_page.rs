//! What a browser does with a mailed link: load its page, then post the
//! page's form as its script (or button) would.

use bytes::Bytes;
use http::{Request, Response};
use nanoauth::utils::url;

use super::{ORIGIN, TestAuth, get};

/// The form on a link page: where it posts, and its hidden fields.
#[derive(Debug, Clone, PartialEq)]
pub struct PageForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl PageForm {
    /// The form of a page answered by the core; `None` if the answer is no
    /// HTML page with a posting form.
    pub fn of(page: &Response<Bytes>) -> Option<Self> {
        let is_html = page
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            return None;
        }
        let html = std::str::from_utf8(page.body()).ok()?;
        let form = html.split("<form ").nth(1)?.split("</form>").next()?;
        if attribute(form, "method")? != "post" {
            return None;
        }
        let action = attribute(form, "action")?;
        let fields = form
            .split("<input ")
            .skip(1)
            .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value")?)))
            .collect();
        Some(Self { action, fields })
    }

    /// The form's body, `application/x-www-form-urlencoded`.
    pub fn body(&self) -> String {
        self.fields
            .iter()
            .map(|(name, value)| format!("{}={}", url::encode(name), url::encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The `POST` Chromium sends for it: the page is `no-referrer`, so the
    /// origin is `null`, and the browser attests the request is same-origin.
    pub fn post(&self) -> Request<String> {
        self.post_from("null", "same-origin")
    }

    /// The form posted with other `Origin` and `Sec-Fetch-Site` headers.
    pub fn post_from(&self, origin: &str, fetch_site: &str) -> Request<String> {
        Request::post(self.action.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin)
            .header("sec-fetch-site", fetch_site)
            .body(self.body())
            .unwrap_or_else(|_| unreachable!("test requests are valid"))
    }
}

/// The decoded value of `name="..."` in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The path and query of a link to this site.
pub fn path_of(link: &str) -> String {
    link.strip_prefix(ORIGIN).unwrap_or(link).to_owned()
}

/// Follows `link` as a person's browser does: `GET` its page, then post
/// the page's form. An answer that is not such a page (an error, or a
/// plugin in `LinkConfirmation::Get` mode) is returned as it is.
pub async fn follow(auth: &TestAuth, link: &str) -> Response<Bytes> {
    let page = auth.handler(get(&path_of(link))).await;
    match PageForm::of(&page) {
        Some(form) => auth.handler(form.post()).await,
        None => page,
    }
}
