//! The caller (`/api/v1/me`, `/api/v1/me/password`): adapters over
//! [`crate::team::users`].

use crate::auth::TenantCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::users;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Permission, Role, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
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
    let me = users::get_me(&state, &ctx).await?;
    Ok(Json(MeView {
        tenant_id: me.tenant_id,
        user: me.user.map(UserView::from),
        permissions: me.permissions,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
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
    let input = users::NewPassword {
        current_password: body.current_password,
        new_password: body.new_password,
    };
    users::change_password(&state, &ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}
