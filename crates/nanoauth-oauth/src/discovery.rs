//! OpenID Connect discovery (OpenID Connect Discovery 1.0 §4), fetched once
//! per provider and kept.

use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::error::OAuthError;
use crate::http::HttpClient;
use crate::provider::{EndpointSource, Endpoints, Provider};

/// The discovered endpoints of one provider. A failed discovery is not
/// kept: the next sign-in tries again.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    endpoints: OnceCell<Endpoints>,
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    jwks_uri: Option<String>,
}

impl Provider {
    /// The provider's endpoints, discovering them on first use.
    pub(crate) async fn endpoints(&self, http: &HttpClient) -> Result<&Endpoints, OAuthError> {
        match &self.source {
            EndpointSource::Manual(endpoints) => Ok(endpoints),
            EndpointSource::Discovery { issuer } => {
                self.discovered
                    .endpoints
                    .get_or_try_init(|| discover(http, issuer, self.tenant_issuer))
                    .await
            }
        }
    }
}

async fn discover(
    http: &HttpClient,
    issuer: &str,
    tenant_issuer: bool,
) -> Result<Endpoints, OAuthError> {
    let url = format!("{issuer}/.well-known/openid-configuration");
    let metadata: Metadata = http.get_json(&url, None).await?;
    // §4.3: the issuer in the document must be the one it was fetched for,
    // or a look-alike could hand out another issuer's endpoints. Microsoft
    // names tenants by domain or by id, and answers with the id (or the
    // `{tenantid}` template for the multi-tenant endpoints): same host.
    let same_tenant_host = tenant_issuer
        && url::Url::parse(&metadata.issuer).ok().map(|u| u.origin())
            == url::Url::parse(issuer).ok().map(|u| u.origin());
    if metadata.issuer.trim_end_matches('/') != issuer && !same_tenant_host {
        return Err(OAuthError::ProviderError);
    }
    Ok(Endpoints {
        issuer: Some(metadata.issuer),
        authorization: metadata.authorization_endpoint,
        token: metadata.token_endpoint,
        userinfo: metadata.userinfo_endpoint,
        jwks: metadata.jwks_uri,
    })
}
