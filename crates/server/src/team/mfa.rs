//! TOTP two-factor sign-in for the signed-in user: start enrolment (a seed
//! and its otpauth URL), confirm it with a code (which turns it on and
//! returns recovery codes, once), and turn it off (with the password).

use crate::auth::tokens::hash_token;
use crate::auth::{TenantCtx, password, totp};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// A TOTP seed waiting for its first code.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    /// Base32 seed, for typing into an authenticator by hand.
    pub secret: String,
    /// `otpauth://` URL, for a QR code.
    pub otpauth_url: String,
}

/// Where the caller's two-factor set-up stands.
#[derive(Debug, Clone)]
pub struct MfaStatus {
    pub email: String,
    pub enabled: bool,
    /// While enrolment waits for its first code.
    pub pending: Option<TotpEnrolment>,
}

/// The caller's two-factor state, with the pending seed so it can be shown
/// again until confirmed.
pub async fn get_mfa_status(state: &AppState, ctx: &TenantCtx) -> AppResult<MfaStatus> {
    let (user_id, _, _) = ctx.require_user()?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let user = tx.find_user(user_id).await?;
    tx.commit().await?;
    let enabled = user.mfa_enabled();
    let pending = match (&user.totp_secret, enabled) {
        (Some(sealed), false) => {
            let secret = state.secrets.open_str(sealed).map_err(AppError::internal)?;
            let otpauth_url = totp::provisioning_url(&secret, &user.email).unwrap_or_default();
            Some(TotpEnrolment {
                secret,
                otpauth_url,
            })
        }
        _ => None,
    };
    Ok(MfaStatus {
        email: user.email,
        enabled,
        pending,
    })
}

/// Starts TOTP enrolment with a new seed. Until confirmed, sign-in does not
/// ask for codes, so a half-done set-up cannot lock anyone out.
pub async fn start_totp(state: &AppState, ctx: &TenantCtx) -> AppResult<TotpEnrolment> {
    let (user_id, _, _) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(user_id).await?;
    if user.mfa_enabled() {
        return Err(AppError::Conflict(
            "mfa_already_enabled",
            "two-factor authentication is already on; turn it off first".into(),
        ));
    }
    let secret = totp::new_secret();
    let otpauth_url = totp::provisioning_url(&secret, &user.email)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("building otpauth url")))?;
    tx.set_user_totp(user_id, Some(&state.secrets.seal_str(&secret)), None, now)
        .await?;
    tx.commit().await?;
    Ok(TotpEnrolment {
        secret,
        otpauth_url,
    })
}

/// Confirms enrolment with a current code: two-factor sign-in is on from
/// now. Returns the recovery codes, which are never shown again.
pub async fn confirm_totp(state: &AppState, ctx: &TenantCtx, code: &str) -> AppResult<Vec<String>> {
    let (user_id, _, _) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(user_id).await?;
    let Some(sealed) = user.totp_secret.as_deref().filter(|_| !user.mfa_enabled()) else {
        return Err(AppError::Rule(
            "mfa_not_pending",
            "start enrolment with POST /api/v1/me/mfa/totp first".into(),
        ));
    };
    let secret = state.secrets.open_str(sealed).map_err(AppError::internal)?;
    // The confirming code is spent too: it cannot sign in afterwards.
    let step = totp::matching_step(&secret, code, now.as_unix_seconds());
    let spent = match step {
        Some(step) => tx.use_totp_step(user_id, step).await?,
        None => false,
    };
    if !spent {
        return Err(AppError::validation("code", "wrong or expired code"));
    }
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| hash_token(&totp::normalise_recovery_code(c)))
        .collect();
    tx.set_user_totp(user_id, Some(sealed), Some(now), now)
        .await?;
    tx.replace_recovery_codes(user_id, &hashes, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "user.mfa_enable",
        ("user", user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-factor sign-in off. Needs the password, so a session left
/// open on someone's desk cannot weaken the account.
pub async fn disable_totp(
    state: &AppState,
    ctx: &TenantCtx,
    current_password: &str,
) -> AppResult<()> {
    let (user_id, _, _) = ctx.require_user()?;
    let now = state.now();
    let user = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let user = tx.find_user(user_id).await?;
        tx.commit().await?;
        user
    };
    // Verifying is slow: no transaction stays open across it.
    if !password::verify(current_password, Some(&user.password_hash)).await {
        return Err(AppError::validation("password", "is wrong"));
    }
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.set_user_totp(user_id, None, None, now).await?;
    tx.replace_recovery_codes(user_id, &[], now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "user.mfa_disable",
        ("user", user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
