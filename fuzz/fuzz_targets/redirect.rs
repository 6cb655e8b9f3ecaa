//! The open-redirect check on arbitrary targets: whatever it accepts is a
//! local path no browser reads as a network path, or a URL on a trusted
//! origin without user-info.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanoauth::utils::redirect::safe_redirect;

fuzz_target!(|input: &str| {
    let trusted = vec!["https://app.example".to_owned()];
    if let Ok(target) = safe_redirect(input, &trusted) {
        assert_eq!(target, input);
        assert!(!target.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\'), "{target:?}");
        if target.starts_with('/') {
            assert!(!target.starts_with("//"), "{target:?}");
            assert!(!target.to_ascii_lowercase().contains("%5c"), "{target:?}");
            assert!(!target.to_ascii_lowercase().starts_with("/%2f"), "{target:?}");
        } else {
            assert_eq!(nanoauth::origin_of(&target).as_deref(), Some("https://app.example"), "{target:?}");
            let authority = target.split_once("://").map(|(_, r)| r).unwrap_or_default();
            let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
            assert!(!authority.contains('@'), "{target:?}");
        }
    }
});
