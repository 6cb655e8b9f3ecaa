//! The demo's own user type, with a field clients cannot set.

use nanoauth::{AuthUser, NewUser};
use serde::{Deserialize, Serialize};

/// A demo user. `role` is the application's own field: stored in its own
/// column, shown on the account page, never settable through sign-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct DemoUser {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
}

/// What the sign-up form may send besides email and password.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct DemoSignUp {
    #[serde(default)]
    name: String,
}

impl DemoSignUp {
    /// Sign-up fields with this name (social sign-in: the provider's).
    pub(crate) fn named(name: String) -> Self {
        Self { name }
    }
}

/// What the account page may change: the name. `role` is not here, so no
/// request can set it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct DemoUpdate {
    name: Option<String>,
}

impl AuthUser for DemoUser {
    type SignUp = DemoSignUp;
    type Update = DemoUpdate;

    fn id(&self) -> &str {
        &self.id
    }

    fn email(&self) -> &str {
        &self.email
    }

    fn from_sign_up(new: NewUser<DemoSignUp>) -> Self {
        let name = new.fields.name.trim().chars().take(100).collect();
        Self {
            id: new.id,
            email: new.email.into(),
            name,
            role: "member".into(),
        }
    }

    fn apply_update(&mut self, update: DemoUpdate) {
        // As at sign-up: trimmed, at most 100 characters.
        if let Some(name) = update.name {
            self.name = name.trim().chars().take(100).collect();
        }
    }
}
