//! The origin parser behind the CSRF check and the trusted-origin list:
//! never panics, and whatever it accepts is a plain http(s) origin with no
//! userinfo, path, query or control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Some(origin) = nanoauth::origin_of(input) {
        assert!(origin.starts_with("http://") || origin.starts_with("https://"), "{origin}");
        let rest = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
        assert!(!rest.contains(['/', '?', '#', '@', '\\']), "{origin}");
        assert!(!origin.chars().any(char::is_control), "{origin:?}");
        // Parsing is idempotent.
        assert_eq!(nanoauth::origin_of(&origin).as_deref(), Some(origin.as_str()));
    }
});
