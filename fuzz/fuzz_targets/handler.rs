//! `Auth::handler` on arbitrary methods, paths, content types and bodies:
//! never panics, never a 5xx (the in-memory store cannot fail), and every
//! error is the JSON error shape.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &str, &str, &[u8])| {
    let (method, path, content_type, body) = input;
    let method = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"][usize::from(method) % 6];
    // Mostly under the base path, so the router and endpoints are reached.
    let uri = format!("/api/auth/{}", path.trim_start_matches('/'));
    let Ok(request) = http::Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header("content-type", content_type.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect::<String>())
        .body(body_text(body))
    else {
        return;
    };
    let response = pollster::block_on(common::auth().handler(request));
    let status = response.status().as_u16();
    assert!(status < 500, "{status} for {method} {uri}");
    if status >= 400 && method != "HEAD" {
        let json: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON error body");
        assert!(json["error"]["code"].is_string(), "{json}");
        assert!(json["error"]["message"].is_string(), "{json}");
    }
});

fn body_text(body: &[u8]) -> String {
    // The handler takes any body type; a String keeps the target simple and
    // still carries every UTF-8 input (non-UTF-8 is covered by a unit test).
    String::from_utf8_lossy(body).into_owned()
}
