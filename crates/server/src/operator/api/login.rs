use crate::auth::OperatorCtx;
use crate::auth::password;
use crate::auth::principal::client_ip;
use crate::auth::throttle::{PER_ACCOUNT, PER_IP, too_many};
use crate::auth::tokens::{Claims, hash_token, new_token};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use serde::{Deserialize, Serialize};
use store::StoreError;
use utoipa::ToSchema;

/// Operator tokens last 12 hours.
const OPERATOR_TOKEN_SECONDS: i64 = 12 * 3600;

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
    let now = state.now();
    let email = body.email.trim().to_lowercase();
    let ip = client_ip(&extensions).unwrap_or_default();
    let account_key = format!("operator:{email}");
    let ip_key = format!("ip:{ip}");
    for (key, limit) in [(&account_key, PER_ACCOUNT), (&ip_key, PER_IP)] {
        if let Err(wait) = state.throttle.check(key, limit, now) {
            return Err(too_many(wait));
        }
    }
    let mut sys = state.store.system().await?;
    let operator = match sys.find_operator_by_email(&email).await {
        Ok(o) => Some(o),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = password::verify(
        &body.password,
        operator.as_ref().map(|o| o.password_hash.as_str()),
    )
    .await;
    let Some(operator) = operator.filter(|_| ok) else {
        state
            .throttle
            .record_failure(&account_key, PER_ACCOUNT, now);
        state.throttle.record_failure(&ip_key, PER_IP, now);
        return Err(AppError::Unauthorized(
            "invalid_credentials",
            "wrong email or password".into(),
        ));
    };
    state.throttle.reset(&account_key);
    let expires = now.plus_seconds(OPERATOR_TOKEN_SECONDS);
    let sid = sys
        .insert_operator_session(operator.id, &hash_token(&new_token("sbo_")), now, expires)
        .await?;
    sys.commit().await?;
    let claims = Claims {
        sub: operator.id.as_uuid(),
        tid: None,
        sid: sid.as_uuid(),
        kind: "operator".into(),
        iat: now.as_unix_seconds(),
        exp: expires.as_unix_seconds(),
    };
    let access_token = state
        .jwt
        .sign(&claims)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("signing operator token")))?;
    Ok(axum::Json(OperatorToken {
        access_token,
        token_type: "Bearer",
        expires_in: OPERATOR_TOKEN_SECONDS,
    }))
}

/// Sign the operator out (the token stops working at once).
#[utoipa::path(post, path = "/api/v1/operator/logout", tag = "operator",
    responses((status = 204)), security(("bearer" = [])))]
pub async fn logout_operator(
    State(state): State<AppState>,
    ctx: OperatorCtx,
) -> AppResult<StatusCode> {
    let mut sys = state.store.system().await?;
    sys.revoke_operator_session(ctx.session_id, state.now())
        .await?;
    sys.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
