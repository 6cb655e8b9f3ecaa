//! What the `nanoauth` command uses beyond the adapter traits: listing
//! users by email prefix, and setting one field, on every database.

mod support;

use nanoauth::{Adapter, CreateUserAdapter, Email};
use nanoauth_testing::ConformanceUser;
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn user(id: &str, email: &str) -> ConformanceUser {
    let email = Email::parse(email).unwrap_or_else(|| unreachable!("test addresses are valid"));
    let mut user = ConformanceUser::sample(id.into(), email);
    user.role = "member".into();
    user
}

#[tokio::test]
async fn users_are_listed_by_email_prefix_with_wildcards_taken_literally() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        for (id, email) in [
            ("u1", "ada@example.com"),
            ("u2", "ad_x@example.com"),
            ("u3", "adam@example.com"),
            ("u4", "bob@example.com"),
        ] {
            adapter.create_user(&user(id, email)).await?;
        }
        let emails = |users: Vec<ConformanceUser>| -> Vec<String> {
            users.into_iter().map(|user| user.email).collect()
        };
        assert_eq!(
            emails(adapter.list_users(Some("ada"), 10).await?),
            ["ada@example.com", "adam@example.com"],
            "{dialect:?}"
        );
        // `_` is a LIKE wildcard; here it only matches itself.
        assert_eq!(
            emails(adapter.list_users(Some("ad_"), 10).await?),
            ["ad_x@example.com"],
            "{dialect:?}"
        );
        assert_eq!(adapter.list_users(None, 3).await?.len(), 3, "{dialect:?}");
        assert!(
            adapter.list_users(Some("%"), 10).await?.is_empty(),
            "{dialect:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_user_field_is_set_where_the_table_has_its_column() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        adapter.create_user(&user("u1", "ada@example.com")).await?;
        assert!(adapter.has_user_column("role").await?, "{dialect:?}");
        assert!(!adapter.has_user_column("shoe_size").await?, "{dialect:?}");
        assert!(
            adapter
                .set_user_field("u1", "role", &json!("admin"))
                .await?
        );
        assert!(
            !adapter
                .set_user_field("nobody", "role", &json!("admin"))
                .await?
        );
        let back = adapter.get_user("u1").await?.map(|user| user.role);
        assert_eq!(back.as_deref(), Some("admin"), "{dialect:?}");
        assert!(
            adapter
                .set_user_field("u1", "email", &json!("x@y.z"))
                .await
                .is_err()
        );
        assert!(
            adapter
                .set_user_field("u1", "role; --", &json!("x"))
                .await
                .is_err()
        );
    }
    Ok(())
}
