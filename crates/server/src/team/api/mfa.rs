//! TOTP enrolment: start (a secret and an otpauth URL), confirm with a code
//! (which turns it on and returns recovery codes, once), and turn off.

use crate::auth::tokens::hash_token;
use crate::auth::{TenantCtx, password, totp};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 seed, for typing into an authenticator by hand.
    pub secret: String,
    /// `otpauth://` URL, for a QR code.
    pub otpauth_url: String,
}

/// Start TOTP enrolment. Until confirmed, sign-in does not ask for codes.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "auth",
    responses((status = 200, body = TotpEnrolment), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn create_totp(
    State(state): State<AppState>,
    ctx: TenantCtx,
) -> AppResult<Json<TotpEnrolment>> {
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
    let url = totp::provisioning_url(&secret, &user.email)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("building otpauth url")))?;
    tx.set_user_totp(user_id, Some(&state.secrets.seal_str(&secret)), None, now)
        .await?;
    tx.commit().await?;
    Ok(Json(TotpEnrolment {
        secret,
        otpauth_url: url,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Shown once. Each works once in place of a TOTP code.
    pub recovery_codes: Vec<String>,
}

/// Confirm enrolment with a current code: two-factor sign-in is on from now.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "auth", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiJson(body): ApiJson<TotpCode>,
) -> AppResult<Json<RecoveryCodes>> {
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
    if !totp::check(&secret, &body.code, now.as_unix_seconds()) {
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
        &ctx,
        now,
        "user.mfa_enable",
        ("user", user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTotp {
    pub password: String,
}

/// Turn two-factor authentication off (needs the password).
#[utoipa::path(delete, path = "/api/v1/me/mfa/totp", tag = "auth", request_body = DisableTotp,
    responses((status = 204), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn delete_totp(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiJson(body): ApiJson<DisableTotp>,
) -> AppResult<StatusCode> {
    let (user_id, _, _) = ctx.require_user()?;
    let now = state.now();
    let user = {
        let mut tx = state.store.tenant(ctx.tenant_id).await?;
        tx.find_user(user_id).await?
    };
    if !password::verify(&body.password, Some(&user.password_hash)).await {
        return Err(AppError::validation("password", "is wrong"));
    }
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.set_user_totp(user_id, None, None, now).await?;
    tx.replace_recovery_codes(user_id, &[], now).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "user.mfa_disable",
        ("user", user_id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
