//! "Forgot password" for users and operators (`auth::reset`).

use crate::auth::principal::host_slug;
use crate::auth::reset::{self, Account, AccountKind};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::{Email, Slug};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// The workspace's slug; may be left out on its own subdomain.
    pub tenant: Option<String>,
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorForgotPasswordRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The `token` of the emailed link (`sbr_…`).
    pub token: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// Ask for a link to set a new password. The answer is the same whether
/// or not the address has an account; the link goes only to the account's
/// address and works once, for an hour.
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth",
    request_body = ForgotPasswordRequest,
    responses((status = 202, description = "If the account exists, a link is on its way."),
              (status = 422, body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ForgotPasswordRequest>,
) -> AppResult<StatusCode> {
    let tenant = body
        .tenant
        .or_else(|| host_slug(&state, &headers).map(str::to_owned))
        .ok_or_else(|| AppError::validation("tenant", "required"))?;
    let account = Account::User {
        tenant: Slug::parse(&tenant)?,
        email: Email::parse(&body.email)?,
    };
    reset::request_reset(&state, account).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a user's emailed link; every session of theirs
/// is signed out.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth",
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "The password is set; sign in with it."),
              (status = 422, description = "A weak password (`validation_failed`), or a link that is unknown, used or out of date (`reset_link_invalid`).", body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> AppResult<StatusCode> {
    reset::reset_password(&state, AccountKind::User, &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a link to set a new operator password (same rules as users').
#[utoipa::path(post, path = "/api/v1/operator/forgot-password", tag = "operator",
    request_body = OperatorForgotPasswordRequest,
    responses((status = 202, description = "If the operator exists, a link is on its way."),
              (status = 422, body = ErrorBody)))]
pub async fn operator_forgot_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OperatorForgotPasswordRequest>,
) -> AppResult<StatusCode> {
    let account = Account::Operator {
        email: Email::parse(&body.email)?,
    };
    reset::request_reset(&state, account).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new operator password with the emailed link.
#[utoipa::path(post, path = "/api/v1/operator/reset-password", tag = "operator",
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "The password is set; sign in with it."),
              (status = 422, description = "A weak password (`validation_failed`), or a link that is unknown, used or out of date (`reset_link_invalid`).", body = ErrorBody)))]
pub async fn operator_reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> AppResult<StatusCode> {
    reset::reset_password(&state, AccountKind::Operator, &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
