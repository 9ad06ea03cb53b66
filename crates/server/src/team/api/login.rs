//! Signing in, refreshing and signing out (`/api/v1/auth/…`): adapters over
//! [`crate::team::sessions`]. Cookie mode answers with the session cookie.

use crate::auth::TenantCtx;
use crate::auth::principal::{client_ip, host_slug};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::me::UserView;
use crate::team::sessions::{self, ACCESS_TOKEN_SECONDS, SIGNED_OUT_COOKIE, SignIn, SignedIn};
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use store::auth::SessionKind;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LoginMode {
    /// JWT access token plus refresh token in the body (API clients).
    #[default]
    Token,
    /// An HttpOnly session cookie (the dashboard).
    Cookie,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant's slug; may be left out on the tenant's own subdomain.
    pub tenant: Option<String>,
    pub email: String,
    pub password: String,
    /// Required once TOTP is enrolled (or a recovery code instead).
    pub totp_code: Option<String>,
    pub recovery_code: Option<String>,
    #[serde(default)]
    pub mode: LoginMode,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub token_type: Option<&'static str>,
    /// Seconds the access token lives.
    pub expires_in: Option<i64>,
    pub user: UserView,
}

impl From<SignedIn> for SessionTokens {
    fn from(s: SignedIn) -> Self {
        match s.kind {
            SessionKind::Refresh => SessionTokens {
                access_token: s.access_token,
                refresh_token: Some(s.secret),
                token_type: Some("Bearer"),
                expires_in: Some(ACCESS_TOKEN_SECONDS),
                user: UserView::from(s.user),
            },
            // The secret travels in the cookie only.
            SessionKind::Cookie => SessionTokens {
                access_token: None,
                refresh_token: None,
                token_type: None,
                expires_in: None,
                user: UserView::from(s.user),
            },
        }
    }
}

/// Sign in with email and password (and a TOTP code once enrolled).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionTokens), (status = 401, body = ErrorBody),
              (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let input = SignIn {
        tenant: body
            .tenant
            .or_else(|| host_slug(&state, &headers).map(str::to_owned)),
        email: body.email,
        password: body.password,
        totp_code: body.totp_code,
        recovery_code: body.recovery_code,
        kind: match body.mode {
            LoginMode::Token => SessionKind::Refresh,
            LoginMode::Cookie => SessionKind::Cookie,
        },
        ip: client_ip(&extensions),
    };
    let signed_in = sessions::sign_in(&state, input).await?;
    let cookie = match signed_in.kind {
        SessionKind::Cookie => Some(sessions::session_cookie(&state, &signed_in.secret)),
        SessionKind::Refresh => None,
    };
    let mut res = Json(SessionTokens::from(signed_in)).into_response();
    if let Some(cookie) = cookie {
        let v = HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Trade a refresh token for a new access token and a new refresh token
/// (the old refresh token stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = SessionTokens), (status = 401, body = ErrorBody),
              (status = 423, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<Json<SessionTokens>> {
    let refreshed = sessions::refresh_session(&state, &body.refresh_token).await?;
    Ok(Json(refreshed.into()))
}

/// Sign out: the session (and every access token of it) stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn logout(State(state): State<AppState>, ctx: TenantCtx) -> AppResult<Response> {
    sessions::sign_out(&state, &ctx).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(SIGNED_OUT_COOKIE),
    );
    Ok(res)
}
