//! The compatibility routes in the API description.
#![cfg(feature = "openapi")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
use nanoauth_better_auth::BetterAuthCompat;

#[test]
fn every_route_is_described_in_better_auth_s_shapes() {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("a secret of at least thirty-two bytes!!")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new())
        .plugin(BetterAuthCompat::new())
        .build()
        .unwrap();
    let description = auth.openapi();
    let paths = &description["paths"];
    for (method, path) in [
        ("post", "/sign-up/email"),
        ("post", "/sign-in/email"),
        ("get", "/get-session"),
        ("post", "/sign-out"),
        ("get", "/list-sessions"),
        ("post", "/revoke-session"),
        ("post", "/revoke-sessions"),
        ("post", "/revoke-other-sessions"),
    ] {
        let operation = &paths[path][method];
        assert!(
            operation["summary"]
                .as_str()
                .unwrap()
                .contains("better-auth's route"),
            "{method} {path}"
        );
        assert!(operation["responses"]["200"].is_object(), "{method} {path}");
    }
    let sign_in = paths["/sign-in/email"]["post"].to_string();
    assert!(sign_in.contains("callbackURL"), "{sign_in}");
    assert!(sign_in.contains("emailVerified"), "{sign_in}");
    assert!(paths["/list-sessions"]["get"]["responses"]["401"].is_object());
    let session = paths["/get-session"]["get"]["responses"]["200"].to_string();
    assert!(session.contains("\"null\""), "{session}");
}
