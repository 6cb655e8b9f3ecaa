//! Who we are to the browser: the RP id passkeys are scoped to, and the
//! origins whose ceremonies count.
//!
//! By default both come from the `Auth`: the RP id is the host of the base
//! URL, the origins are the base URL's and each trusted origin of the
//! `Auth` that lies within the RP id. The plugin's options widen the RP id
//! (a parent domain, to share passkeys across subdomains) and add origins.

use std::time::Duration;

use nanoauth::{Auth, AuthUser, Error, RecordAdapter};
use serde::Serialize;
use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::ceremony::CEREMONY_TTL;
use crate::plugin::Passkeys;
use crate::refusal::misconfigured;

/// The relying party as it is in force: what the browser is told, and the
/// origins accepted besides the `Auth`'s trusted ones.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_passkey::{Passkeys, PasskeysExt};
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("https://app.example.com")
///     .plugin(Passkeys::new("ACME").rp_id("example.com"))
///     .build()?;
/// // Checked at start-up, rather than at the first passkey.
/// let rp = auth.passkeys().relying_party()?;
/// assert_eq!(rp.id, "example.com");
/// assert_eq!(rp.origins, ["https://app.example.com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RelyingParty {
    /// The RP id: a domain passkeys are bound to (`example.com`,
    /// `localhost`), never an IP address.
    pub id: String,
    /// The name some authenticators show.
    pub name: String,
    /// Origins always accepted: the base URL's, then the plugin's own. A
    /// trusted origin of the `Auth` within the RP id is accepted too.
    pub origins: Vec<String>,
}

impl RelyingParty {
    /// Resolves the plugin's options against the `Auth`.
    pub(crate) fn resolve<U: AuthUser, A: RecordAdapter<U>>(
        plugin: &Passkeys,
        auth: &Auth<U, A>,
    ) -> Result<Self, Error> {
        let base = Url::parse(auth.base_origin())
            .map_err(|error| misconfigured(format!("the base URL is not a URL: {error}")))?;
        let Some(host) = base.domain() else {
            // Browsers refuse IP addresses as RP ids (WebAuthn §5.1.3: an
            // RP id is a registrable domain suffix of the origin).
            return Err(misconfigured(format!(
                "the base URL {} has no domain name; browsers refuse IP addresses as RP ids \
                 (serve on http://localhost:PORT instead)",
                auth.base_origin()
            )));
        };
        let id = plugin.rp_id.clone().unwrap_or_else(|| host.to_owned());
        if !within(host, &id) {
            return Err(misconfigured(format!(
                "the RP id {id} does not contain the base URL's host {host}"
            )));
        }
        let mut origins = vec![origin_text(&base)];
        for origin in &plugin.origins {
            let parsed = Url::parse(origin)
                .map_err(|error| misconfigured(format!("origin {origin}: {error}")))?;
            if !parsed.domain().is_some_and(|host| within(host, &id)) {
                return Err(misconfigured(format!(
                    "the origin {origin} is not within the RP id {id}"
                )));
            }
            let text = origin_text(&parsed);
            if !origins.contains(&text) {
                origins.push(text);
            }
        }
        Ok(Self {
            name: plugin.rp_name.clone(),
            id,
            origins,
        })
    }

    /// A verifier for one ceremony. `client_origin` is the origin the
    /// browser signed (from the response's client data): it is added when
    /// the `Auth` trusts it and it lies within the RP id. webauthn-rs then
    /// checks the response's origin against this list itself.
    pub(crate) fn webauthn<U: AuthUser, A: RecordAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        client_origin: Option<&Url>,
    ) -> Result<Webauthn, Error> {
        let parse = |origin: &str| {
            Url::parse(origin).map_err(|error| misconfigured(format!("origin {origin}: {error}")))
        };
        let first = self
            .origins
            .first()
            .ok_or_else(|| misconfigured("no origin".to_owned()))?;
        let first = parse(first)?;
        let mut builder = WebauthnBuilder::new(&self.id, &first)
            .map_err(|error| misconfigured(format!("RP id {}: {error}", self.id)))?
            .rp_name(&self.name)
            .timeout(Duration::from_secs(CEREMONY_TTL));
        for origin in self.origins.iter().skip(1) {
            builder = builder.append_allowed_origin(&parse(origin)?);
        }
        if let Some(origin) = client_origin.filter(|origin| self.is_trusted(auth, origin)) {
            builder = builder.append_allowed_origin(origin);
        }
        builder
            .build()
            .map_err(|error| misconfigured(format!("RP id {}: {error}", self.id)))
    }

    /// A trusted origin of the `Auth`, within the RP id. The core does not
    /// list its trusted origins; `check_redirect` is its public answer to
    /// "is this URL on a trusted origin?".
    fn is_trusted<U: AuthUser, A: RecordAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        origin: &Url,
    ) -> bool {
        origin.domain().is_some_and(|host| within(host, &self.id))
            && matches!(origin.scheme(), "https" | "http")
            && origin.path() == "/"
            && auth.check_redirect(&origin_text(origin)).is_ok()
    }
}

/// `host` is the RP id or one of its subdomains.
fn within(host: &str, rp_id: &str) -> bool {
    host == rp_id
        || host
            .strip_suffix(rp_id)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// An origin as browsers write it in client data: no trailing slash.
fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_within_an_rp_id() {
        assert!(within("example.com", "example.com"));
        assert!(within("app.example.com", "example.com"));
        assert!(!within("badexample.com", "example.com"));
        assert!(!within("example.com", "app.example.com"));
        assert!(within("localhost", "localhost"));
    }
}
