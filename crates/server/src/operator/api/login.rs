use crate::auth::OperatorCtx;
use crate::auth::principal::client_ip;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::operator::sessions::{self, OperatorSignIn};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OperatorLogin {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// Sign in as the platform operator.
#[utoipa::path(post, path = "/api/v1/operator/login", tag = "operator",
    request_body = OperatorLogin,
    responses((status = 200, body = OperatorToken), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login_operator(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(body): ApiJson<OperatorLogin>,
) -> AppResult<axum::Json<OperatorToken>> {
    let input = OperatorSignIn {
        email: body.email,
        password: body.password,
        ip: client_ip(&extensions),
    };
    let token = sessions::sign_in(&state, input).await?;
    Ok(axum::Json(OperatorToken {
        access_token: token.access_token,
        token_type: "Bearer",
        expires_in: token.expires_in,
    }))
}

/// Sign the operator out (the token stops working at once).
#[utoipa::path(post, path = "/api/v1/operator/logout", tag = "operator",
    responses((status = 204)), security(("bearer" = [])))]
pub async fn logout_operator(
    State(state): State<AppState>,
    ctx: OperatorCtx,
) -> AppResult<StatusCode> {
    sessions::sign_out(&state, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
