//! A user type with a custom field of every kind an adapter must round-trip.

use nanoauth::{AuthUser, Email, NewUser};
use serde::{Deserialize, Serialize};

/// The suite's default user type: besides id, email and name, a text field,
/// an optional text field, an integer, a boolean and a float, as an
/// application's own user type might have.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConformanceUser {
    /// Id.
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// A privileged text field.
    pub role: String,
    /// An optional text field.
    pub tenant_id: Option<String>,
    /// An integer field.
    pub age: i64,
    /// A boolean field.
    pub active: bool,
    /// A floating-point field.
    pub score: f64,
}

impl ConformanceUser {
    /// A user whose custom fields all differ from their types' defaults.
    pub fn sample(id: String, email: Email) -> Self {
        Self {
            id,
            email: email.into(),
            name: "Ada Lovelace".into(),
            role: "admin".into(),
            tenant_id: Some("tenant-42".into()),
            age: 36,
            active: true,
            score: 0.25,
        }
    }
}

/// Sign-up may set only the name.
#[derive(Debug, Deserialize)]
pub struct ConformanceSignUp {
    /// Display name.
    pub name: String,
}

/// An update may set the name and the score; nothing privileged.
#[derive(Debug, Default, Deserialize)]
pub struct ConformanceUpdate {
    /// Display name.
    pub name: Option<String>,
    /// The floating-point field.
    pub score: Option<f64>,
}

impl AuthUser for ConformanceUser {
    type SignUp = ConformanceSignUp;
    type Update = ConformanceUpdate;

    fn id(&self) -> &str {
        &self.id
    }

    fn email(&self) -> &str {
        &self.email
    }

    fn from_sign_up(new: NewUser<ConformanceSignUp>) -> Self {
        Self {
            name: new.fields.name,
            role: "member".into(),
            tenant_id: None,
            age: 0,
            active: false,
            score: 0.0,
            ..Self::sample(new.id, new.email)
        }
    }

    fn apply_update(&mut self, update: ConformanceUpdate) {
        if let Some(name) = update.name {
            self.name = name;
        }
        if let Some(score) = update.score {
            self.score = score;
        }
    }
}
