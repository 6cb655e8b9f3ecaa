//! A device as a person names it ("Chrome on Linux"), from a session's
//! `User-Agent`, parsed on the server (woothee) so that no parser ships to
//! the browser.

use woothee::parser::Parser;

/// What woothee answers for a part it does not recognise.
const UNKNOWN: &str = "UNKNOWN";

/// The longest raw user agent shown when it is not recognised.
const SHOWN_CHARS: usize = 48;

/// "Chrome on Linux", "Safari on iPhone", "Firefox on Windows 10"; the
/// browser alone when the system is unknown; else the start of the raw
/// string, or "Unknown device" without one.
pub(crate) fn describe(user_agent: Option<&str>) -> String {
    let raw = user_agent.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return "Unknown device".to_owned();
    }
    let known = |part: &str| !part.is_empty() && part != UNKNOWN;
    // Woothee's crawler names ("misc crawler") say less than the string.
    match Parser::new()
        .parse(raw)
        .filter(|found| found.category != "crawler")
    {
        Some(found) if known(found.name) && known(found.os) => {
            format!("{} on {}", found.name, found.os)
        }
        Some(found) if known(found.name) => found.name.to_owned(),
        _ => shorten(raw),
    }
}

fn shorten(raw: &str) -> String {
    match raw.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &raw[..end]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_read_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows 10",
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(describe(Some(agent)), expected, "{agent}");
        }
    }

    #[test]
    fn unknown_agents_show_their_start_or_say_so() {
        assert_eq!(describe(None), "Unknown device");
        assert_eq!(describe(Some("  ")), "Unknown device");
        assert_eq!(describe(Some("deploy-bot/1.2")), "deploy-bot/1.2");
        let long = "SomeInternalTool/4.5 (build 20261205; runner=ci-west-3; with a long tail)";
        let shown = describe(Some(long));
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 1);
        assert!(shown.starts_with("SomeInternalTool/4.5 (build"), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
    }
}
