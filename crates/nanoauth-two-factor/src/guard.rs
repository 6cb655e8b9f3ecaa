//! The session guard: a user with two-factor on gets a challenge instead
//! of a session, unless the sign-in already carries a second factor or
//! comes from a trusted device.

use std::sync::Arc;

use nanoauth::utils::token::random_token;
use nanoauth::{
    Auth, AuthUser, Error, GuardVerdict, PluginRecord, Reply, SignInAttempt, SignInChallenge,
    TypedRecords,
};

use crate::plugin::{CHALLENGE_COOKIE, CHALLENGE_TTL, DEVICE_COOKIE, TwoFactor, TwoFactorAdapter};
use crate::store::{self, ChallengeState, DeviceState, UserState};

pub(crate) async fn check<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    attempt: SignInAttempt<U>,
    auth: Auth<U, A>,
) -> Result<GuardVerdict, Error> {
    if attempt.method.second_factor().is_some() {
        return Ok(GuardVerdict::Allow);
    }
    let now = auth.now();
    let user_id = attempt.user.id();
    let state = auth
        .adapter()
        .find_typed::<UserState>(store::STATE, user_id, now)
        .await?;
    if !state.is_some_and(|state| state.value.is_enabled()) {
        return Ok(GuardVerdict::Allow);
    }
    if is_trusted(&auth, &attempt, now).await? {
        return Ok(GuardVerdict::Allow);
    }

    let token = random_token()?;
    let challenge = ChallengeState {
        method: attempt.method.as_str().to_owned(),
        attempts: 0,
        email_code: None,
        email_code_expires_at: None,
        emails_sent: 0,
    };
    let record = PluginRecord::json(store::CHALLENGE, store::key_of(&token), &challenge)?
        .owned_by(user_id)
        .expiring_at(now + CHALLENGE_TTL);
    auth.adapter().insert_record(&record, now).await?;

    let reply = Reply::json(&serde_json::json!({ "twoFactorRequired": true }))?.with_cookie(
        CHALLENGE_COOKIE,
        &token,
        CHALLENGE_TTL,
    )?;
    let mut challenge = SignInChallenge::new(reply);
    if let Some(page) = &plugin.challenge_page {
        challenge = challenge.with_page(page.clone());
    }
    Ok(GuardVerdict::Challenge(challenge))
}

/// The browser carries a live trusted-device cookie of this user.
async fn is_trusted<U: AuthUser, A: TwoFactorAdapter<U>>(
    auth: &Auth<U, A>,
    attempt: &SignInAttempt<U>,
    now: u64,
) -> Result<bool, Error> {
    let Some(token) = attempt
        .client
        .cookie(&auth.plugin_cookie_name(DEVICE_COOKIE))
    else {
        return Ok(false);
    };
    let device = auth
        .adapter()
        .find_typed::<DeviceState>(store::DEVICE, &store::key_of(token), now)
        .await?;
    Ok(device.is_some_and(|device| device.record.user_id.as_deref() == Some(attempt.user.id())))
}
