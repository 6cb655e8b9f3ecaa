//! Invitations on every adapter: the mail, who may accept (the invited
//! address verified, or the link's single-use token), expiry, reuse,
//! re-inviting, rejecting and canceling, and concurrent accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{TestAdapter, code, world};
use http::StatusCode;
use nanoauth_organization::{OrganizationsExt, events};
use serde_json::{Value, json};

on_every_adapter!(
    accept_with_a_verified_address,
    accept_with_the_link_token,
    wrong_or_unverified_address_is_refused,
    expired_invitations_cannot_be_accepted,
    reinviting_cancels_the_earlier_invitation,
    reject_and_cancel,
    who_may_invite,
    concurrent_accepts_make_one_membership,
);

async fn invite<A: TestAdapter>(
    w: &common::World<A>,
    inviter: &mut common::Browser,
    org: &str,
    email: &str,
    role: &str,
) -> Value {
    let (status, body) = inviter
        .post(
            &w.auth,
            "/organization/invite-member",
            json!({ "organizationId": org, "email": email, "role": role }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["invitation"].clone()
}

async fn accept_with_a_verified_address<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, alice_id) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "Bob@Example.com", "member").await;
    assert_eq!(invitation["email"], "bob@example.com");
    assert_eq!(invitation["role"], "member");
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["organizationId"], id);
    assert_eq!(invitation["inviterId"], alice_id.as_str());
    assert_eq!(invitation["expiresAt"], common::T0 + 48 * 3600);
    let invitation_id = invitation["id"].as_str().unwrap();

    // The mail names the organization and carries the link.
    let mail = w.outbox.last_to("bob@example.com").expect("a mail");
    assert!(mail.text.contains("Acme"), "{}", mail.text);
    assert!(
        mail.text.contains(&format!(
            "{}/accept-invitation?invitationId={invitation_id}&token=",
            common::ORIGIN
        )),
        "{}",
        mail.text
    );
    let (_, full) = alice
        .get(&w.auth, &format!("/organization/full?organizationId={id}"))
        .await;
    assert_eq!(full["invitations"].as_array().unwrap().len(), 1);
    let (_, pending) = alice
        .get(
            &w.auth,
            &format!("/organization/list-invitations?organizationId={id}"),
        )
        .await;
    assert_eq!(pending[0]["id"], invitation_id);

    let (mut bob, bob_id) = w.verified_user("bob@example.com").await;
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation_id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["userId"], bob_id.as_str());
    assert_eq!(body["member"]["organizationId"], id);
    assert_eq!(body["member"]["role"], "member");
    // Single use.
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation_id }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "INVITATION_NOT_PENDING")
    );
    let (_, list) = bob.get(&w.auth, "/organization/list").await;
    assert_eq!(list[0]["id"], id);
    let (_, full) = alice
        .get(&w.auth, &format!("/organization/full?organizationId={id}"))
        .await;
    assert_eq!(full["invitations"], json!([]));
    assert_eq!(full["members"].as_array().unwrap().len(), 2);
    let accepted = w.events_named(events::INVITATION_ACCEPTED);
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].data["proof"], "verified-address");
    assert_eq!(w.events_named(events::INVITATION_SENT).len(), 1);
}

async fn accept_with_the_link_token<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "team@example.com", "admin").await;
    let invitation_id = invitation["id"].as_str().unwrap();
    let token = w.outbox.token_for("team@example.com");

    // Whoever opens the mailbox's link joins, whatever their account's
    // address: the token proves the mail reached them.
    let (mut bob, bob_id) = w.user("bob@example.com").await;
    // A token for another invitation proves nothing.
    let other = invite(&w, &mut alice, id, "other@example.com", "member").await;
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": other["id"], "token": token }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "INVALID_TOKEN")
    );
    // That used the token up: a new invitation, a new token.
    let invitation = invite(&w, &mut alice, id, "team@example.com", "admin").await;
    let invitation_id2 = invitation["id"].as_str().unwrap();
    assert_ne!(invitation_id, invitation_id2);
    let token = w.outbox.token_for("team@example.com");
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation_id2, "token": token }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["userId"], bob_id.as_str());
    assert_eq!(body["member"]["role"], "admin");
    let accepted = w.events_named(events::INVITATION_ACCEPTED);
    assert_eq!(accepted[0].data["proof"], "link");
}

async fn wrong_or_unverified_address_is_refused<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "bob@example.com", "member").await;
    let accept = json!({ "invitationId": invitation["id"] });

    // Someone else, verified: not theirs.
    let (mut mallory, _) = w.verified_user("mallory@example.com").await;
    let (status, body) = mallory
        .post(&w.auth, "/organization/accept-invitation", accept.clone())
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "INVITATION_RECIPIENT_MISMATCH")
    );
    // An account registered with the address but never proven (PR #9577).
    let (mut squatter, squatter_id) = w.user("bob@example.com").await;
    let (status, body) = squatter
        .post(&w.auth, "/organization/accept-invitation", accept.clone())
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "EMAIL_NOT_VERIFIED")
    );
    let (status, _) = squatter
        .post(&w.auth, "/organization/reject-invitation", accept.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Once verified, it is theirs.
    w.auth
        .adapter()
        .set_email_verified(&squatter_id)
        .await
        .unwrap();
    let (status, body) = squatter
        .post(&w.auth, "/organization/accept-invitation", accept)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Signed out: 401.
    let (status, _) = common::Browser::default()
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn expired_invitations_cannot_be_accepted<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "bob@example.com", "member").await;
    let token = w.outbox.token_for("bob@example.com");
    let (mut bob, _) = w.verified_user("bob@example.com").await;
    w.clock.advance(48 * 3600);
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "INVITATION_EXPIRED")
    );
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"], "token": token }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "INVITATION_EXPIRED")
    );
    let (_, pending) = alice
        .get(
            &w.auth,
            &format!("/organization/list-invitations?organizationId={id}"),
        )
        .await;
    assert_eq!(pending, json!([]));
    // Long after, it is gone altogether.
    w.clock.advance(8 * 24 * 3600);
    let (mut bob, _) = w.verified_user("bob2@example.com").await;
    let (status, _) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn reinviting_cancels_the_earlier_invitation<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let first = invite(&w, &mut alice, id, "bob@example.com", "admin").await;
    let first_token = w.outbox.token_for("bob@example.com");
    let second = invite(&w, &mut alice, id, "bob@example.com", "member").await;
    let (_, pending) = alice
        .get(
            &w.auth,
            &format!("/organization/list-invitations?organizationId={id}"),
        )
        .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["id"], second["id"]);
    let canceled = w.events_named(events::INVITATION_CANCELED);
    assert_eq!(canceled.len(), 1);
    assert_eq!(canceled[0].data["invitationId"], first["id"]);

    let (mut bob, _) = w.verified_user("bob@example.com").await;
    for body in [
        json!({ "invitationId": first["id"] }),
        json!({ "invitationId": first["id"], "token": first_token }),
    ] {
        let (status, answer) = bob
            .post(&w.auth, "/organization/accept-invitation", body)
            .await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::CONFLICT, "INVITATION_NOT_PENDING")
        );
    }
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": second["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["role"], "member");
    // A member is not invited again.
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/invite-member",
            json!({ "organizationId": id, "email": "bob@example.com", "role": "member" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "ALREADY_MEMBER")
    );
}

async fn reject_and_cancel<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "bob@example.com", "member").await;
    let (mut bob, _) = w.verified_user("bob@example.com").await;
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/reject-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["invitation"]["status"], "rejected");
    let (status, _) = bob
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let invitation = invite(&w, &mut alice, id, "carol@example.com", "member").await;
    // Bob, not a member, cannot cancel it.
    let (status, body) = bob
        .post(
            &w.auth,
            "/organization/cancel-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "FORBIDDEN"));
    let (status, body) = alice
        .post(
            &w.auth,
            "/organization/cancel-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["invitation"]["status"], "canceled");
    let (mut carol, _) = w.verified_user("carol@example.com").await;
    let (status, _) = carol
        .post(
            &w.auth,
            "/organization/accept-invitation",
            json!({ "invitationId": invitation["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(w.events_named(events::INVITATION_REJECTED).len(), 1);
    assert_eq!(w.events_named(events::INVITATION_CANCELED).len(), 1);
}

async fn who_may_invite<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let (mut admin, admin_id) = w.user("admin@example.com").await;
    let (mut member, member_id) = w.user("member@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    for (user, role) in [(&admin_id, "admin"), (&member_id, "member")] {
        alice
            .post(
                &w.auth,
                "/organization/add-member",
                json!({ "organizationId": id, "userId": user, "role": role }),
            )
            .await;
    }
    let body =
        |role: &str| json!({ "organizationId": id, "email": "new@example.com", "role": role });
    let (status, answer) = member
        .post(&w.auth, "/organization/invite-member", body("member"))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    let (status, _) = admin
        .post(&w.auth, "/organization/invite-member", body("admin"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .post(&w.auth, "/organization/invite-member", body("owner"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = admin
        .post(&w.auth, "/organization/invite-member", body("nobody"))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "UNKNOWN_ROLE")
    );
    let (status, _) = admin
        .post(&w.auth, "/organization/invite-member", body("member"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = alice
        .post(&w.auth, "/organization/invite-member", body("owner"))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Refused invitations sent no mail: only the two that went through.
    let sent = w.outbox.0.lock().unwrap().len();
    assert_eq!(sent, 2);
}

/// Two accepts of one invitation at once: exactly one membership.
async fn concurrent_accepts_make_one_membership<A: TestAdapter>(adapter: A) {
    let w = world(adapter);
    let (mut alice, _) = w.user("alice@example.com").await;
    let org = alice.create_org(&w.auth, "Acme", "acme").await;
    let id = org["id"].as_str().unwrap();
    let invitation = invite(&w, &mut alice, id, "bob@example.com", "member").await;
    let token = w.outbox.token_for("bob@example.com");
    let invitation_id = invitation["id"].as_str().unwrap();
    let (bob_browser, bob_id) = w.verified_user("bob@example.com").await;
    let (_, carol_id) = w.user("carol@example.com").await;
    drop(bob_browser);
    let bob = w.auth.adapter().get_user(&bob_id).await.unwrap().unwrap();
    let carol = w.auth.adapter().get_user(&carol_id).await.unwrap().unwrap();
    let api = w.auth.organizations().unwrap();
    // Bob twice by address, and Carol with the link, all at once.
    let (a, b, c) = tokio::join!(
        api.accept_invitation(&bob, invitation_id, None),
        api.accept_invitation(&bob, invitation_id, None),
        api.accept_invitation(&carol, invitation_id, Some(&token)),
    );
    let won = [a.is_ok(), b.is_ok(), c.is_ok()]
        .iter()
        .filter(|ok| **ok)
        .count();
    assert_eq!(won, 1, "{a:?} {b:?} {c:?}");
    for result in [a, b, c] {
        if let Err(error) = result {
            assert!(error.status().is_client_error(), "{error:?}");
        }
    }
    let members = alice.members(&w.auth, id).await;
    assert_eq!(members.len(), 2, "{members:?}");
    assert_eq!(w.events_named(events::INVITATION_ACCEPTED).len(), 1);
}
