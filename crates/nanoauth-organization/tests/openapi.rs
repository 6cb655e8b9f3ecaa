//! The plugin's endpoints in the API description.
#![cfg(feature = "openapi")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nanoauth::email::DangerConsoleSender;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
use nanoauth_organization::Organizations;
use serde_json::Value;

fn description() -> Value {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("a secret of at least thirty-two bytes!!")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new())
        .plugin(Organizations::new(DangerConsoleSender).teams(true))
        .build()
        .unwrap();
    auth.openapi()
}

#[test]
fn every_route_is_described_with_a_session() {
    let description = description();
    let mut routes = 0;
    for (path, item) in description["paths"].as_object().unwrap() {
        if !path.starts_with("/organization/") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            routes += 1;
            assert_ne!(
                operation["summary"], "Not described by its plugin.",
                "{method} {path}"
            );
            assert!(operation["responses"]["200"].is_object(), "{method} {path}");
            assert!(operation["responses"]["401"].is_object(), "{method} {path}");
            assert!(operation["security"].is_array(), "{method} {path}");
        }
    }
    assert_eq!(routes, 21);
}

#[test]
fn bodies_queries_and_codes_are_the_handlers() {
    let description = description();
    let full = &description["paths"]["/organization/full"]["get"];
    assert_eq!(full["parameters"][0]["name"], "organizationId");
    assert_eq!(full["parameters"][0]["in"], "query");
    let create = &description["paths"]["/organization/create"]["post"];
    let body = &create["requestBody"]["content"]["application/json"]["schema"];
    let text = body.to_string();
    assert!(text.contains("keepCurrentActiveOrganization"), "{text}");
    let conflict = create["responses"]["409"].to_string();
    assert!(conflict.contains("SLUG_TAKEN"), "{conflict}");
    let invite = description["paths"]["/organization/invite-member"]["post"].to_string();
    assert!(invite.contains("UNKNOWN_ROLE"), "{invite}");
    assert!(invite.contains("INVITATION_LIMIT_REACHED"), "{invite}");
}
