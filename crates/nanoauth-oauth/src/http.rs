//! The HTTP client that talks to providers: rustls, short timeouts, and no
//! redirects followed, so a token endpoint (which receives the code, the
//! PKCE verifier and the client secret) can never pass them on elsewhere.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::error::OAuthError;
use crate::secret::AccessToken;

/// How long any one provider request may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Provider answers (JWKS, discovery, profiles) are small.
const MAX_BODY: usize = 256 * 1024;

/// A reqwest client configured for provider calls.
#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    pub(crate) fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // GitHub's API refuses requests without a User-Agent.
            .user_agent(concat!("nanoauth-oauth/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }

    /// `GET url` as JSON, with the access token when given.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        token: Option<&AccessToken>,
    ) -> Result<T, OAuthError> {
        let mut request = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(&token.0);
        }
        let (status, body) = send(request).await?;
        if !status.is_success() {
            return Err(OAuthError::ProviderError);
        }
        serde_json::from_slice(&body).map_err(|_| OAuthError::ProviderError)
    }

    /// `POST url` with a form body; the status and the raw body come back,
    /// because token endpoints put errors in both (GitHub answers `200`
    /// with `{"error": ...}`).
    pub(crate) async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), OAuthError> {
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form);
        if let Some((user, password)) = basic {
            request = request.basic_auth(user, Some(password));
        }
        send(request).await
    }
}

async fn send(
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>), OAuthError> {
    let mut response = request
        .send()
        .await
        .map_err(|_| OAuthError::ProviderUnavailable)?;
    let status = response.status();
    if status.is_server_error() {
        return Err(OAuthError::ProviderUnavailable);
    }
    if status.is_redirection() {
        return Err(OAuthError::ProviderError);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| OAuthError::ProviderUnavailable)?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(OAuthError::ProviderError);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}
