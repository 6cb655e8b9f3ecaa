//! `--better-auth-compat`: the demo as the server of a front-end built on
//! better-auth's own client. better-auth's routes beside NanoAuth's
//! (`nanoauth-better-auth`), its cookie name (`better-auth.session_token`),
//! and better-auth's scrypt hashes accepted (users imported with
//! `nanoauth import better-auth` sign in with their old passwords, and get
//! an Argon2id hash then).

use nanoauth::AuthBuilder;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth_better_auth::BetterAuthCompat;

use crate::options::Options;
use crate::store::DemoStore;
use crate::user::DemoUser;

/// better-auth's cookie prefix (its `advanced.cookiePrefix` default).
const COOKIE_PREFIX: &str = "better-auth";

/// The email/password plugin, accepting better-auth's hashes in compat mode.
pub(crate) fn email_password(options: &Options) -> EmailPassword {
    let plugin = EmailPassword::new();
    if options.better_auth_compat {
        plugin.accept_better_auth_hashes()
    } else {
        plugin
    }
}

/// Adds the compatibility routes and better-auth's cookie name, when asked.
pub(crate) fn compat<A: DemoStore>(
    builder: AuthBuilder<DemoUser, A>,
    options: &Options,
) -> AuthBuilder<DemoUser, A> {
    if !options.better_auth_compat {
        return builder;
    }
    tracing::info!(
        "better-auth compatibility on: /api/auth/sign-in/email, /get-session, ... for better-auth's client; cookie {COOKIE_PREFIX}.session_token"
    );
    builder
        .cookie_prefix(COOKIE_PREFIX)
        .plugin(BetterAuthCompat::new())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use nanoauth::Auth;
    use nanoauth::adapter::memory::MemoryAdapter;

    use super::*;

    fn options(args: &[&str]) -> Options {
        let args = args.iter().map(|arg| (*arg).to_owned());
        crate::options::parse(args, |_| None).unwrap().unwrap()
    }

    fn auth(options: &Options) -> Auth<DemoUser, Arc<MemoryAdapter<DemoUser>>> {
        // `Arc`: the demo's stores are `Clone`.
        let builder = Auth::builder(Arc::new(MemoryAdapter::<DemoUser>::new()))
            .secret("demo test secret, thirty-two bytes or more")
            .base_url("http://localhost:3000")
            .plugin(email_password(options));
        compat(builder, options).build().unwrap()
    }

    #[tokio::test]
    async fn the_flag_serves_better_auth_s_routes_and_cookie() {
        let on = auth(&options(&["--better-auth-compat"]));
        assert_eq!(on.cookie_name(), "better-auth.session_token");
        let request = || {
            axum::http::Request::get("/api/auth/get-session")
                .body(String::new())
                .unwrap()
        };
        let response = on.handler(request()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.body().as_ref(), b"null");

        // Off by default: NanoAuth's routes and cookie only.
        let off = auth(&options(&[]));
        assert_eq!(off.cookie_name(), "nanoauth.session_token");
        assert_eq!(off.handler(request()).await.status(), 404);
    }
}
