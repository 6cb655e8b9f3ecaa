//! The API description's side of `Auth` and `AuthBuilder` (feature
//! `openapi`): the document, and the application's options for it.

use schemars::JsonSchema;

use super::{Auth, AuthBuilder};
use crate::adapter::Adapter;
use crate::openapi::document::{self, Context};
use crate::user::AuthUser;

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// The OpenAPI 3.1 description of the endpoints registered now (served
    /// as `GET /openapi.json`): plugins added at run time are in it from
    /// the moment they are added. Made once per set of plugins.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth::plugins::email_password::EmailPassword;
    /// # let auth: Auth<BasicUser, _> = Auth::builder(MemoryAdapter::new())
    /// #     .secret("a secret of at least thirty-two bytes!!")
    /// #     .base_url("http://localhost:3000")
    /// #     .build()?;
    /// auth.use_plugin(EmailPassword::new())?;
    /// assert!(auth.openapi()["paths"]["/signin/email"]["post"].is_object());
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn openapi(&self) -> serde_json::Value {
        let registry = self.registry();
        registry
            .description
            .get_or_init(|| {
                let config = self.config();
                let context = Context {
                    config: &config.openapi,
                    base_path: &config.base_path,
                    cookie_name: &config.cookie_name,
                    has_guards: !registry.guards.is_empty(),
                    credential_headers: registry
                        .credentials
                        .iter()
                        .map(|resolver| resolver.header.as_str().to_owned())
                        .collect(),
                };
                document::document(&context, &registry.operations)
            })
            .clone()
    }
}

impl<U: AuthUser, A: Adapter<U>> AuthBuilder<U, A> {
    /// Publishes the user type's own schema as the description's `User`
    /// (what every answer with a user holds). Without it, `User` is a
    /// generic object: `AuthUser` does not require `JsonSchema`, so that
    /// no application has to derive it.
    pub fn user_schema(mut self) -> Self
    where
        U: JsonSchema,
    {
        self.openapi.user = Some(|generator| generator.subschema_for::<U>());
        self
    }

    /// Publishes the sign-up fields' schema (`AuthUser::SignUp`, read next
    /// to `email` and `password`) as the description's `SignUpFields`.
    pub fn sign_up_schema(mut self) -> Self
    where
        U::SignUp: JsonSchema,
    {
        self.openapi.sign_up = Some(|generator| generator.subschema_for::<U::SignUp>());
        self
    }

    /// Publishes the editable fields' schema (`AuthUser::Update`, what
    /// `POST /update-user` reads) as the description's `UserUpdate`.
    pub fn update_schema(mut self) -> Self
    where
        U::Update: JsonSchema,
    {
        self.openapi.update = Some(|generator| generator.subschema_for::<U::Update>());
        self
    }

    /// The description's title and version (`info`); `NanoAuth` and this
    /// crate's version by default.
    pub fn api_info(mut self, title: impl Into<String>, version: impl Into<String>) -> Self {
        self.openapi.title = title.into();
        self.openapi.version = version.into();
        self
    }

    /// Whether to serve `GET /openapi.json` and `GET /reference` (on by
    /// default). The description tells no more than the routes themselves
    /// answer to anyone who tries them; turn it off to publish nothing
    /// about them. [`Auth::openapi`] works either way.
    pub fn serve_openapi(mut self, serve: bool) -> Self {
        self.openapi.serve = serve;
        self
    }
}
