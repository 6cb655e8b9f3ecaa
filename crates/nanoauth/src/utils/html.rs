//! Escaping text for HTML, for the pages a plugin or an application
//! renders on the server.

/// Escapes `text` for HTML content and double- or single-quoted attribute
/// values.
///
/// ```
/// use nanoauth::utils::html::escape;
/// assert_eq!(
///     escape(r#"/a?b=1&c="x"<y>'"#),
///     "/a?b=1&amp;c=&quot;x&quot;&lt;y&gt;&#39;"
/// );
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
