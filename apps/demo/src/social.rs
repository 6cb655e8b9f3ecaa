//! Social sign-in providers, each turned on by its environment variables.

use nanoauth_oauth::{OAuth, Provider, providers};

use crate::user::{DemoSignUp, DemoUser};

/// The environment variables, for the usage text.
pub(crate) const ENV_HELP: &str = "\
SOCIAL SIGN-IN (a provider appears when its variables are set; register the
callback URL <BASE_URL>/api/auth/callback/<id> at the provider):
  GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET            id github
  GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET            id google
  MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET
    [MICROSOFT_TENANT, default common]              id microsoft
  DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET          id discord
  GITLAB_CLIENT_ID, GITLAB_CLIENT_SECRET            id gitlab
  OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
    [OIDC_NAME, default \"OpenID Connect\"]          id oidc (any issuer)";

/// The providers whose variables are set in `env`.
pub(crate) fn providers_from_env(env: impl Fn(&str) -> Option<String>) -> Vec<Provider> {
    let pair = |prefix: &str| {
        Some((
            env(&format!("{prefix}_CLIENT_ID")).filter(|v| !v.is_empty())?,
            env(&format!("{prefix}_CLIENT_SECRET")).filter(|v| !v.is_empty())?,
        ))
    };
    let mut found = Vec::new();
    if let Some((id, secret)) = pair("GITHUB") {
        found.push(providers::github(&id, &secret));
    }
    if let Some((id, secret)) = pair("GOOGLE") {
        found.push(providers::google(&id, &secret));
    }
    if let Some((id, secret)) = pair("MICROSOFT") {
        let tenant = env("MICROSOFT_TENANT").unwrap_or_else(|| "common".to_owned());
        found.push(providers::microsoft(&tenant, &id, &secret));
    }
    if let Some((id, secret)) = pair("DISCORD") {
        found.push(providers::discord(&id, &secret));
    }
    if let Some((id, secret)) = pair("GITLAB") {
        found.push(providers::gitlab(&id, &secret));
    }
    if let (Some(issuer), Some((id, secret))) = (env("OIDC_ISSUER"), pair("OIDC")) {
        found.push(Provider::oidc("oidc", &issuer, &id).client_secret(secret));
    }
    found
}

/// The plugin over `providers`: new users get the provider's display name.
pub(crate) fn plugin(providers: Vec<Provider>) -> OAuth<DemoUser> {
    providers.into_iter().fold(
        OAuth::<DemoUser>::new(|profile| {
            DemoSignUp::named(profile.name.clone().unwrap_or_default())
        })
        .error_url("/sign-in"),
        OAuth::provider,
    )
}

/// The button label of a provider id.
pub(crate) fn label(id: &str, env: impl Fn(&str) -> Option<String>) -> String {
    match id {
        "github" => "GitHub".to_owned(),
        "google" => "Google".to_owned(),
        "microsoft" => "Microsoft".to_owned(),
        "discord" => "Discord".to_owned(),
        "gitlab" => "GitLab".to_owned(),
        _ => env("OIDC_NAME").unwrap_or_else(|| "OpenID Connect".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_needs_all_its_variables() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        assert!(providers_from_env(env(&[])).is_empty());
        assert!(providers_from_env(env(&[("GITHUB_CLIENT_ID", "x")])).is_empty());
        let found = providers_from_env(env(&[
            ("GITHUB_CLIENT_ID", "x"),
            ("GITHUB_CLIENT_SECRET", "y"),
            ("OIDC_CLIENT_ID", "a"),
            ("OIDC_CLIENT_SECRET", "b"),
        ]));
        let ids: Vec<&str> = found.iter().map(Provider::id).collect();
        assert_eq!(ids, ["github"], "OIDC also needs its issuer");
    }
}
