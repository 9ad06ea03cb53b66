use crate::auth::{TenantCtx, password};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Permission, Role, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::auth::User;
use utoipa::ToSchema;

/// A team member as the API shows them (never with secrets).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub mfa_enabled: bool,
    pub disabled: bool,
    pub created_at: Timestamp,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            mfa_enabled: u.mfa_enabled(),
            disabled: u.disabled_at.is_some(),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub tenant_id: TenantId,
    /// The signed-in user; absent when calling with an API key.
    pub user: Option<UserView>,
    /// What this caller may do.
    pub permissions: Vec<Permission>,
}

/// Who am I: the caller's user (if any), tenant and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("session_cookie" = [])))]
pub async fn get_me(State(state): State<AppState>, ctx: TenantCtx) -> AppResult<Json<MeView>> {
    let user = match ctx.user_id() {
        Some(id) => {
            let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
            let u = tx.find_user(id).await?;
            tx.commit().await?;
            Some(UserView::from(u))
        }
        None => None,
    };
    Ok(Json(MeView {
        tenant_id: ctx.tenant_id,
        user,
        permissions: ctx.permissions(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change my password. Every session of mine, this one included, is signed
/// out: sign in again with the new password.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn update_password(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    let (user_id, _, session) = ctx.require_user()?;
    password::check_policy(&body.new_password)?;
    let now = state.now();
    let user = {
        let mut tx = state.store.tenant(ctx.tenant_id).await?;
        tx.find_user(user_id).await?
    };
    if !password::verify(&body.current_password, Some(&user.password_hash)).await {
        return Err(AppError::validation("current_password", "is wrong"));
    }
    let hash = password::hash(&body.new_password).await?;
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.set_user_password(user_id, &hash, now).await?;
    tx.revoke_user_sessions(user_id, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "user.password_change",
        ("user", user_id.to_string()),
        json!({ "session": session.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
