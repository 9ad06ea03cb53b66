//! TOTP enrolment: start (a secret and an otpauth URL), confirm with a code
//! (which turns it on and returns recovery codes, once), and turn off.
//! Adapters over [`crate::team::mfa`].

use crate::auth::TenantCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::mfa;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
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
    let enrolment = mfa::start_totp(&state, &ctx).await?;
    Ok(Json(TotpEnrolment {
        secret: enrolment.secret,
        otpauth_url: enrolment.otpauth_url,
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
    let recovery_codes = mfa::confirm_totp(&state, &ctx, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
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
    mfa::disable_totp(&state, &ctx, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
