//! The token request (RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636
//! §4.5).

use serde::Deserialize;
use serde_json::Value;

use crate::error::OAuthError;
use crate::http::HttpClient;
use crate::provider::{Provider, TokenAuth};
use crate::secret::AccessToken;

/// What the token endpoint gave. Kept only until the profile is read.
pub(crate) struct Tokens {
    pub(crate) access_token: AccessToken,
    pub(crate) id_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens([redacted])")
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    id_token: Option<String>,
    error: Option<Value>,
}

/// Exchanges `code` for tokens.
pub(crate) async fn exchange(
    http: &HttpClient,
    provider: &Provider,
    token_url: &str,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<Tokens, OAuthError> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
        ("client_id", provider.client_id.as_str()),
    ];
    let secret = provider.client_secret.as_ref().map(|s| s.expose_secret());
    // RFC 6749 §2.3.1: Basic credentials are form-encoded first.
    let encode =
        |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let basic_credentials;
    let mut basic = None;
    match (provider.token_auth, secret) {
        (TokenAuth::ClientSecretPost, Some(secret)) => form.push(("client_secret", secret)),
        (TokenAuth::ClientSecretBasic, Some(secret)) => {
            basic_credentials = (encode(&provider.client_id), encode(secret));
            basic = Some((basic_credentials.0.as_str(), basic_credentials.1.as_str()));
        }
        (_, None) => {}
    }
    let (status, body) = http.post_form(token_url, &form, basic).await?;
    parse_answer(status, &body)
}

/// The token endpoint's answer (RFC 6749 §5.1, §5.2).
fn parse_answer(status: reqwest::StatusCode, body: &[u8]) -> Result<Tokens, OAuthError> {
    let answer: TokenAnswer =
        serde_json::from_slice(body).map_err(|_| OAuthError::ProviderError)?;
    // GitHub answers `200 {"error": "bad_verification_code"}`; everyone
    // else a 400 with `invalid_grant` (§5.2). A refused code is the
    // user's problem (replayed, expired); anything else is the provider's.
    if let Some(error) = answer.error {
        return Err(match error.as_str() {
            Some("invalid_grant" | "bad_verification_code") => OAuthError::InvalidCode,
            _ => OAuthError::ProviderError,
        });
    }
    if !status.is_success() {
        return Err(OAuthError::ProviderError);
    }
    let access_token = answer.access_token.ok_or(OAuthError::ProviderError)?;
    Ok(Tokens {
        access_token: AccessToken(access_token),
        id_token: answer.id_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn parse(status: u16, body: &str) -> Result<Option<String>, OAuthError> {
        let status = StatusCode::from_u16(status).map_err(|_| OAuthError::ProviderError)?;
        parse_answer(status, body.as_bytes()).map(|tokens| tokens.id_token)
    }

    #[test]
    fn answers_and_errors() {
        assert_eq!(
            parse(
                200,
                r#"{"access_token":"a","token_type":"Bearer","id_token":"i"}"#
            ),
            Ok(Some("i".to_owned()))
        );
        assert_eq!(
            parse(200, r#"{"access_token":"a","token_type":"bearer"}"#),
            Ok(None)
        );
        // GitHub: errors with 200.
        assert_eq!(
            parse(
                200,
                r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}"#
            ),
            Err(OAuthError::InvalidCode)
        );
        assert_eq!(
            parse(200, r#"{"error":"incorrect_client_credentials"}"#),
            Err(OAuthError::ProviderError)
        );
        assert_eq!(
            parse(400, r#"{"error":"invalid_grant"}"#),
            Err(OAuthError::InvalidCode)
        );
        assert_eq!(
            parse(401, r#"{"error":"invalid_client"}"#),
            Err(OAuthError::ProviderError)
        );
        assert_eq!(
            parse(200, "access_token=a&scope=user"),
            Err(OAuthError::ProviderError)
        );
        assert_eq!(
            parse(200, r#"{"token_type":"bearer"}"#),
            Err(OAuthError::ProviderError)
        );
        assert_eq!(
            parse(400, r#"{"access_token":"a"}"#),
            Err(OAuthError::ProviderError)
        );
    }
}
