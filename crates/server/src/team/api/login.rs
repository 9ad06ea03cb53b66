use crate::auth::principal::{SESSION_COOKIE, client_ip, host_slug};
use crate::auth::throttle::{PER_ACCOUNT, PER_IP, too_many};
use crate::auth::tokens::{Claims, hash_token, new_token};
use crate::auth::{TenantCtx, password, totp};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::me::UserView;
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{TenantId, TenantStatus, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::StoreError;
use store::audit::{Actor, NewAuditEntry};
use store::auth::{NewSession, SessionKind, User};
use utoipa::ToSchema;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const REFRESH_TOKEN_DAYS: i64 = 30;
pub const COOKIE_SESSION_DAYS: i64 = 7;

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

fn invalid() -> AppError {
    AppError::Unauthorized(
        "invalid_credentials",
        "wrong tenant, email or password".into(),
    )
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
    let now = state.now();
    let slug = body
        .tenant
        .clone()
        .or_else(|| host_slug(&state, &headers).map(str::to_owned))
        .ok_or_else(|| AppError::validation("tenant", "name the tenant (its slug)"))?;
    let email = body.email.trim().to_lowercase();
    let ip = client_ip(&extensions);
    let account_key = format!("user:{slug}:{email}");
    let ip_key = format!("ip:{}", ip.as_deref().unwrap_or("-"));
    for (key, limit) in [(&account_key, PER_ACCOUNT), (&ip_key, PER_IP)] {
        state.throttle.check(key, limit, now).map_err(too_many)?;
    }
    let fail = || {
        state
            .throttle
            .record_failure(&account_key, PER_ACCOUNT, now);
        state.throttle.record_failure(&ip_key, PER_IP, now);
    };

    let mut sys = state.store.system().await?;
    let tenant = match sys.find_tenant_by_slug(&slug).await {
        Ok(t) => Some(t),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    sys.commit().await?;
    let user = match &tenant {
        Some(t) => {
            let mut tx = state.store.tenant(t.id).await?;
            match tx.find_user_by_email(&email).await {
                Ok(u) => Some(u),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let ok = password::verify(
        &body.password,
        user.as_ref().map(|u| u.password_hash.as_str()),
    )
    .await;
    let (Some(tenant), Some(user)) = (tenant, user.filter(|u| ok && u.disabled_at.is_none()))
    else {
        fail();
        return Err(invalid());
    };
    if tenant.status == TenantStatus::Suspended {
        return Err(AppError::TenantSuspended(
            tenant
                .status_reason
                .unwrap_or_else(|| "no reason given".into()),
        ));
    }

    let mut tx = state.store.tenant(tenant.id).await?;
    if user.mfa_enabled() {
        let passed = match (&body.totp_code, &body.recovery_code, &user.totp_secret) {
            (Some(code), _, Some(sealed)) => {
                let secret = state.secrets.open_str(sealed).map_err(AppError::internal)?;
                totp::check(&secret, code, now.as_unix_seconds())
            }
            (None, Some(code), _) => {
                let hash = hash_token(&totp::normalise_recovery_code(code));
                tx.use_recovery_code(user.id, &hash, now).await?
            }
            _ => {
                return Err(AppError::Unauthorized(
                    "mfa_required",
                    "this account uses two-factor authentication: send totp_code".into(),
                ));
            }
        };
        if !passed {
            fail();
            return Err(AppError::Unauthorized(
                "invalid_mfa_code",
                "the two-factor code is wrong or expired".into(),
            ));
        }
    }
    state.throttle.reset(&account_key);

    let (kind, days, prefix) = match body.mode {
        LoginMode::Token => (SessionKind::Refresh, REFRESH_TOKEN_DAYS, "sbr_"),
        LoginMode::Cookie => (SessionKind::Cookie, COOKIE_SESSION_DAYS, "sbs_"),
    };
    let token = new_token(prefix);
    let session = tx
        .insert_session(NewSession {
            user_id: user.id,
            kind,
            token_hash: &hash_token(&token),
            ip: ip.as_deref(),
            now,
            expires_at: now.plus_seconds(days * 86_400),
        })
        .await?;
    tx.insert_audit(NewAuditEntry {
        actor: Actor::User(user.id),
        action: "auth.login",
        target_kind: "session",
        target_id: Some(session.id.to_string()),
        ip: ip.as_deref(),
        details: json!({ "mode": if kind == SessionKind::Cookie { "cookie" } else { "token" } }),
        now,
    })
    .await?;
    tx.commit().await?;

    match body.mode {
        LoginMode::Token => {
            let tokens = token_pair(&state, tenant.id, &user, session.id, token, now)?;
            Ok(Json(tokens).into_response())
        }
        LoginMode::Cookie => {
            let secure = if state.config.secure_cookies() {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                COOKIE_SESSION_DAYS * 86_400
            );
            let mut res = Json(SessionTokens {
                access_token: None,
                refresh_token: None,
                token_type: None,
                expires_in: None,
                user: UserView::from(user),
            })
            .into_response();
            let v = HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
            res.headers_mut().insert(header::SET_COOKIE, v);
            Ok(res)
        }
    }
}

/// A signed access token for `user` in `session`.
pub fn issue_access_token(
    state: &AppState,
    tenant: TenantId,
    user: &User,
    session: domain::SessionId,
    now: Timestamp,
) -> AppResult<String> {
    let claims = Claims {
        sub: user.id.as_uuid(),
        tid: Some(tenant.as_uuid()),
        sid: session.as_uuid(),
        kind: "access".into(),
        iat: now.as_unix_seconds(),
        exp: now.plus_seconds(ACCESS_TOKEN_SECONDS).as_unix_seconds(),
    };
    state
        .jwt
        .sign(&claims)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("signing access token")))
}

fn token_pair(
    state: &AppState,
    tenant: TenantId,
    user: &User,
    session: domain::SessionId,
    refresh_token: String,
    now: Timestamp,
) -> AppResult<SessionTokens> {
    Ok(SessionTokens {
        access_token: Some(issue_access_token(state, tenant, user, session, now)?),
        refresh_token: Some(refresh_token),
        token_type: Some("Bearer"),
        expires_in: Some(ACCESS_TOKEN_SECONDS),
        user: UserView::from(user.clone()),
    })
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
    let now = state.now();
    let invalid = || {
        AppError::Unauthorized(
            "invalid_credentials",
            "refresh token is invalid, expired or revoked".into(),
        )
    };
    let mut sys = state.store.system().await?;
    let session = match sys
        .find_session_by_token_hash(&hash_token(&body.refresh_token))
        .await
    {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Err(invalid()),
        Err(e) => return Err(e.into()),
    };
    let tenant = sys.find_tenant(session.tenant_id).await?;
    sys.commit().await?;
    if session.kind != SessionKind::Refresh || !session.is_live(now) {
        return Err(invalid());
    }
    if tenant.status == TenantStatus::Suspended {
        return Err(AppError::TenantSuspended(
            tenant
                .status_reason
                .unwrap_or_else(|| "no reason given".into()),
        ));
    }
    let mut tx = state.store.tenant(tenant.id).await?;
    let user = tx.find_user(session.user_id).await?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    let token = new_token("sbr_");
    tx.rotate_session_token(
        session.id,
        &hash_token(&token),
        now.plus_seconds(REFRESH_TOKEN_DAYS * 86_400),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(token_pair(
        &state, tenant.id, &user, session.id, token, now,
    )?))
}

/// Sign out: the session (and every access token of it) stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn logout(State(state): State<AppState>, ctx: TenantCtx) -> AppResult<Response> {
    let (_, _, session) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.revoke_session(session, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "auth.logout",
        ("session", session.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("sb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(res)
}
