//! `SqlAdapter::import_users`, what `nanoauth import` writes with, on every
//! database: users with their hash, verified address and provider accounts;
//! existing ids left alone, taken addresses and accounts reported, dry runs
//! rolled back.

mod support;

use nanoauth::adapter::{AccountAdapter, PasswordAdapter};
use nanoauth::{Adapter, Email, EmailVerificationAdapter};
use nanoauth_sqlx::{ImportAccount, ImportSkip, ImportUser};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn email(address: &str) -> Email {
    Email::parse(address).unwrap_or_else(|| unreachable!("test addresses are valid"))
}

fn imported(id: &str, address: &str, accounts: &[(&str, &str)]) -> ImportUser {
    ImportUser {
        id: id.into(),
        email: email(address),
        name: format!("{id}'s name"),
        email_verified: accounts.is_empty(),
        password_hash: accounts.is_empty().then(|| format!("hash-of-{id}")),
        accounts: accounts
            .iter()
            .map(|(provider, account_id)| ImportAccount {
                provider: (*provider).into(),
                account_id: (*account_id).into(),
            })
            .collect(),
    }
}

#[tokio::test]
async fn users_import_once_with_what_comes_with_them() -> TestResult {
    for adapter in support::every_database().await {
        let dialect = adapter.dialect();
        let batch = [
            imported("ba-1", "ada@example.com", &[]),
            imported("ba-2", "carol@example.com", &[("github", "583231")]),
            // The same address as ba-1's: left out, reported.
            imported("ba-3", "ADA@example.com", &[]),
            // Carol's GitHub account again: the user comes, the link not.
            imported(
                "ba-4",
                "dan@example.com",
                &[("github", "583231"), ("google", "g-4")],
            ),
        ];

        let dry = adapter.import_users(&batch, true).await?;
        assert_eq!(
            (dry.users, dry.passwords, dry.accounts),
            (3, 1, 2),
            "{dialect:?}"
        );
        assert!(
            adapter.get_user("ba-1").await?.is_none(),
            "{dialect:?}: a dry run writes nothing"
        );

        let first = adapter.import_users(&batch, false).await?;
        assert_eq!(first, dry, "{dialect:?}: the dry run's counts are exact");
        assert_eq!(first.verified, 1, "{dialect:?}");
        assert_eq!(first.already_present, 0, "{dialect:?}");
        assert_eq!(
            first.skipped,
            [
                ImportSkip::EmailTaken {
                    id: "ba-3".into(),
                    email: "ada@example.com".into()
                },
                ImportSkip::AccountTaken {
                    id: "ba-4".into(),
                    provider: "github".into(),
                    account_id: "583231".into()
                },
            ],
            "{dialect:?}"
        );
        let ada = adapter.get_user("ba-1").await?.ok_or("Ada")?;
        assert_eq!(ada.name, "ba-1's name", "{dialect:?}");
        assert!(adapter.is_email_verified("ba-1").await?, "{dialect:?}");
        assert!(!adapter.is_email_verified("ba-2").await?, "{dialect:?}");
        let credential = adapter
            .find_password_credential(&email("ada@example.com"))
            .await?
            .ok_or("Ada's password")?;
        assert_eq!(credential.password_hash, "hash-of-ba-1", "{dialect:?}");
        let github = adapter
            .find_account("github", "583231")
            .await?
            .ok_or("link")?;
        assert_eq!(github.user_id, "ba-2", "{dialect:?}");
        let google = adapter.find_account("google", "g-4").await?.ok_or("link")?;
        assert_eq!(google.user_id, "ba-4", "{dialect:?}");

        // Again: the ids are there, nothing is written twice.
        let second = adapter.import_users(&batch, false).await?;
        assert_eq!(
            (
                second.users,
                second.passwords,
                second.accounts,
                second.verified
            ),
            (0, 0, 0, 0),
            "{dialect:?}"
        );
        assert_eq!(second.already_present, 3, "{dialect:?}");
        assert_eq!(
            second.skipped.len(),
            1,
            "{dialect:?}: ba-3's address is still taken"
        );
    }
    Ok(())
}
