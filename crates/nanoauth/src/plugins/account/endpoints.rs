//! HTTP handlers of the account-management plugin.

use std::sync::Arc;

use http::StatusCode;
use serde::Deserialize;

use crate::plugins::link_page::{self, PageText};
use crate::utils::url;
use crate::{AuthUser, Email, EndpointRequest, Error, Reply};

use super::api::Deletion;
use super::{Account, AccountApi, AccountStore};

/// The lockout sign-in counts wrong passwords in: a wrong password here
/// is one more guess at the same password.
const PASSWORD_CHECK: &str = "password";

const CHANGE_EMAIL_PAGE: PageText = PageText {
    title: "Confirm your new email address",
    lead: "Moving your account to this address\u{2026} If nothing happens, press the button.",
    button: "Use this address",
};

const DELETE_PAGE: PageText = PageText {
    title: "Delete your account",
    lead: "Deleting your account\u{2026} If nothing happens, press the button.",
    button: "Delete my account",
};

fn root() -> String {
    "/".to_owned()
}

pub(super) async fn update_user<U: AuthUser, A: AccountStore<U>>(
    plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let changes: U::Update = request.json()?;
    let user = AccountApi::bound(request.auth(), plugin)
        .update_user(session.user.id(), changes)
        .await?;
    Reply::json(&serde_json::json!({ "user": user }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct ChangeEmailBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    #[serde(rename = "newEmail")]
    new_email: String,
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
}

pub(super) async fn change_email<U: AuthUser, A: AccountStore<U>>(
    plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let body: ChangeEmailBody = request.json()?;
    AccountApi::bound(request.auth(), plugin)
        .request_email_change(&session.user, &body.new_email, &body.callback_url)
        .await?;
    Ok(Reply::success())
}

/// A link's fields, posted by its page's form (or as JSON by code).
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct LinkBody {
    token: String,
    #[serde(rename = "callbackURL")]
    callback_url: Option<String>,
}

/// The page of a link (`GET`): uses nothing up, so it is declared safe.
fn page<U: AuthUser, A: AccountStore<U>>(
    request: &EndpointRequest<U, A>,
    text: &PageText,
) -> Result<Reply, Error> {
    let query = request.parts().uri.query();
    let token = url::query_param(query, "token").unwrap_or_default();
    let mut fields = vec![("token", token.as_str())];
    // Checked here too, so the page never posts to a redirect we refuse.
    let callback = match url::query_param(query, "callbackURL") {
        Some(callback) => Some(request.auth().check_redirect(&callback)?),
        None => None,
    };
    if let Some(callback) = &callback {
        fields.push(("callbackURL", callback));
    }
    link_page::confirm(request, &fields, callback.as_deref(), text)
}

pub(super) async fn change_email_page<U: AuthUser, A: AccountStore<U>>(
    _plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    page(&request, &CHANGE_EMAIL_PAGE)
}

pub(super) async fn delete_page<U: AuthUser, A: AccountStore<U>>(
    _plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    page(&request, &DELETE_PAGE)
}

/// The answer to a followed link: `303` to the callback with `name=value`
/// (or `error=CODE` for the failures a person can meet), JSON `json`
/// without a callback.
fn answer_link(
    outcome: Result<serde_json::Value, Error>,
    callback: Option<&str>,
    name: &str,
) -> Result<Reply, Error> {
    let back = |callback: &str, name: &str, value: &str| {
        Reply::redirect(&url::with_param(callback, name, value))
            .map(|reply| reply.with_status(StatusCode::SEE_OTHER))
    };
    match (outcome, callback) {
        (Ok(_), Some(callback)) => back(callback, name, "true"),
        (Ok(json), None) => Reply::json(&json),
        (Err(error), Some(callback))
            if matches!(error, Error::InvalidToken | Error::TokenExpired)
                || error.code() == "CONFLICT" =>
        {
            back(callback, "error", error.code())
        }
        (Err(error), _) => Err(error),
    }
}

pub(super) async fn confirm_change_email<U: AuthUser, A: AccountStore<U>>(
    plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: LinkBody = request.fields()?;
    let callback = match &body.callback_url {
        Some(callback) => Some(request.auth().check_redirect(callback)?),
        None => None,
    };
    // The session of the browser that followed the link stays, if it is
    // one of this user's; every other goes.
    let session = request.session().await?;
    let keep = session.as_ref().map(|session| session.session.token_hash);
    let api = AccountApi::bound(request.auth(), plugin);
    let moved = api.confirm_email_change(&body.token, keep.as_ref()).await;
    let outcome = moved.map(|user| serde_json::json!({ "user": user }));
    answer_link(outcome, callback.as_deref(), "emailChanged")
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct DeleteBody {
    password: Option<String>,
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
}

pub(super) async fn delete_user<U: AuthUser, A: AccountStore<U>>(
    plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_fresh_session().await?;
    let body: DeleteBody = request.json()?;
    let email = Email::parse(session.user.email()).ok_or(Error::InvalidEmail)?;
    let lockout = request
        .auth()
        .lockout(PASSWORD_CHECK, email.as_str(), request.parts());
    if body.password.is_some() {
        lockout.check().await?;
    }
    let deleted = AccountApi::bound(request.auth(), plugin)
        .delete_user(&session.user, body.password.as_deref(), &body.callback_url)
        .await;
    match deleted {
        Ok(Deletion::Deleted) => {
            Ok(Reply::json(&serde_json::json!({ "deleted": true }))?.ending_session())
        }
        Ok(Deletion::LinkSent) => Reply::json(&serde_json::json!({ "deleted": false })),
        Err(Error::InvalidPassword) => {
            lockout.record_failure().await?;
            Err(Error::InvalidPassword)
        }
        Err(error) => Err(error),
    }
}

pub(super) async fn confirm_delete<U: AuthUser, A: AccountStore<U>>(
    plugin: Arc<Account>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: LinkBody = request.fields()?;
    let callback = match &body.callback_url {
        Some(callback) => Some(request.auth().check_redirect(callback)?),
        None => None,
    };
    let signed_in = request.session().await?.map(|session| session.user);
    let deleted = AccountApi::bound(request.auth(), plugin)
        .confirm_deletion(&body.token)
        .await;
    // The browser that followed the link drops its cookie when it was
    // signed in as the deleted user (the session itself is gone already).
    let own = matches!((&deleted, &signed_in), (Ok(user), Some(me)) if user.id() == me.id());
    let outcome = deleted.map(|_| serde_json::json!({ "deleted": true }));
    let reply = answer_link(outcome, callback.as_deref(), "deleted")?;
    Ok(if own { reply.ending_session() } else { reply })
}

/// The plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<U: AuthUser, A: AccountStore<U>>(
    endpoint: crate::Endpoint<U, A>,
) -> crate::Endpoint<U, A> {
    use crate::openapi::{EndpointDoc, schemas};
    let link_page = |summary: &'static str| {
        EndpointDoc::new(summary)
            .description("The page a mailed link opens: it posts the link back (a mail scanner's visit uses nothing up).")
            .query("token", "The link's token.", true)
            .query("callbackURL", "Where to go afterwards (checked against the trusted origins).", false)
            .page("A page that posts the link back.")
            .error(Error::InvalidRedirect)
    };
    let link_errors = [
        Error::InvalidToken,
        Error::TokenExpired,
        Error::InvalidRedirect,
        Error::Adapter(crate::adapter::AdapterError::Conflict),
    ];
    let with_user = schemas::object([("user", schemas::user(), true)]);
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/update-user") => EndpointDoc::new("Edits the signed-in user")
            .description("Only the fields the application declares editable (`AuthUser::Update`); id, email and the like never.")
            .request_schema(schemas::user_update())
            .session()
            .response_schema(with_user.clone()),
        ("POST", "/change-email") => EndpointDoc::new("Asks to move the account to a new address")
            .description("Mails a link to the new address (and a notice to the old one); the address changes when the link is followed.")
            .request::<ChangeEmailBody>()
            .session()
            .response_schema(schemas::success())
            .errors([Error::InvalidEmail, Error::InvalidRedirect]),
        ("GET", "/change-email/verify") => link_page("The page of an email-change link"),
        ("POST", "/change-email/verify") => EndpointDoc::new("Follows an email-change link")
            .description("Moves the account to the new address and revokes the other sessions. With `callbackURL`, answers `303` there with `emailChanged=true` or `error=CODE`.")
            .request::<LinkBody>()
            .optional_session()
            .response_schema(with_user)
            .redirect(http::StatusCode::SEE_OTHER, "To `callbackURL`, with `emailChanged=true` or `error=CODE`.")
            .errors(link_errors),
        ("POST", "/delete-user") => EndpointDoc::new("Deletes the signed-in user")
            .description("Needs a fresh session. With the password, deletes at once (`deleted: true`); without one (an account with no password), mails a confirmation link (`deleted: false`).")
            .request::<DeleteBody>()
            .session()
            .response_schema(schemas::object([("deleted", schemas::boolean(), true)]))
            .errors([
                Error::SessionNotFresh,
                Error::InvalidPassword,
                Error::InvalidEmail,
                Error::InvalidRedirect,
                super::api::password_required(),
            ]),
        ("GET", "/delete-user/confirm") => link_page("The page of an account-deletion link"),
        ("POST", "/delete-user/confirm") => EndpointDoc::new("Follows an account-deletion link")
            .description("Deletes the account. With `callbackURL`, answers `303` there with `deleted=true` or `error=CODE`.")
            .request::<LinkBody>()
            .optional_session()
            .response_schema(schemas::object([("deleted", serde_json::json!({ "const": true }), true)]))
            .redirect(http::StatusCode::SEE_OTHER, "To `callbackURL`, with `deleted=true` or `error=CODE`.")
            .errors(link_errors),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
