//! `get_session` on arbitrary `Cookie` and `Authorization` headers: never
//! panics, never finds a session.
#![no_main]

#[path = "common.rs"]
mod common;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &[u8])| {
    let (cookie, authorization) = input;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(cookie) {
        headers.insert(http::header::COOKIE, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(authorization) {
        headers.insert(http::header::AUTHORIZATION, value);
    }
    let found = pollster::block_on(common::auth().get_session_from_headers(&headers));
    assert!(matches!(found, Ok(None)), "a session from fuzzed headers: {found:?}");
});
