//! The team: users and invitations (`/api/v1/users`, `/api/v1/invites`).

use crate::auth::tokens::{hash_token, new_token};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::team::api::UserView;
use crate::tenancy::INVITE_DAYS;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Email, InviteId, PlanLimits, Role, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::auth::{Invite, NewInvite};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(list_invites, create_invite))
        .routes(routes!(delete_invite))
}

/// The team, newest first.
#[utoipa::path(get, path = "/api/v1/users", tag = "team", params(PageQuery),
    responses((status = 200, body = Paged<UserView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<UserView>>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let page = tx.list_users(q.request()?).await?;
    tx.commit().await?;
    Ok(Json(Paged::from_page(page, UserView::from)))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "team",
    params(("user_id" = UserId, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersRead>,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<UserView>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    tx.commit().await?;
    Ok(Json(user.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Disabled users cannot sign in and do not count against the plan.
    pub disabled: Option<bool>,
}

/// Change a user's name, role or whether they can sign in.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "team",
    params(("user_id" = UserId, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> AppResult<Json<UserView>> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    let role = body.role.unwrap_or(user.role);
    check_may_manage(&ctx, user.role)?;
    check_may_manage(&ctx, role)?;
    let name = match body.name.as_deref() {
        Some(n) => crate::tenancy::check_name(n)?,
        None => user.name.clone(),
    };
    let disabled_at = match body.disabled {
        Some(true) => user.disabled_at.or(Some(now)),
        Some(false) => None,
        None => user.disabled_at,
    };
    let loses_owner = user.role == Role::Owner
        && user.disabled_at.is_none()
        && (role != Role::Owner || disabled_at.is_some());
    if loses_owner && tx.count_active_owners().await? <= 1 {
        return Err(AppError::Rule(
            "last_owner",
            "a tenant keeps at least one active owner".into(),
        ));
    }
    if user.disabled_at.is_some() && disabled_at.is_none() {
        let plan = tx.find_plan().await?;
        if !PlanLimits::admits(plan.limits.agents, tx.count_active_users().await?) {
            return Err(seat_limit(plan.limits.agents));
        }
    }
    let updated = tx.update_user(id, &name, role, disabled_at, now).await?;
    if role != user.role || disabled_at.is_some() {
        tx.revoke_user_sessions(id, now).await?;
    }
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "user.update",
        ("user", id.to_string()),
        json!({ "role": role, "previous_role": user.role, "disabled": disabled_at.is_some() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(updated.into()))
}

/// Remove a user from the team.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "team",
    params(("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_user(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<StatusCode> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    check_may_manage(&ctx, user.role)?;
    if user.role == Role::Owner
        && user.disabled_at.is_none()
        && tx.count_active_owners().await? <= 1
    {
        return Err(AppError::Rule(
            "last_owner",
            "a tenant keeps at least one active owner".into(),
        ));
    }
    tx.delete_user(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "user.delete",
        ("user", id.to_string()),
        json!({ "email": user.email, "role": user.role }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Only owners manage owners; an API key acts with its scopes and may not
/// touch owners either.
fn check_may_manage(ctx: &crate::auth::TenantCtx, target: Role) -> AppResult<()> {
    let allowed = match &ctx.actor {
        crate::auth::Actor::User { role, .. } => role.may_manage(target),
        _ => target != Role::Owner,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "permission_denied",
            format!("you may not manage users with the `{target}` role"),
        ))
    }
}

fn seat_limit(limit: Option<i64>) -> AppError {
    AppError::TooManyRequests(
        "plan_limit_reached",
        format!(
            "the plan allows {} active users; upgrade or disable someone",
            limit.unwrap_or(0)
        ),
        0,
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteView {
    pub id: InviteId,
    pub email: String,
    pub role: Role,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
}

impl From<Invite> for InviteView {
    fn from(i: Invite) -> Self {
        InviteView {
            id: i.id,
            email: i.email,
            role: i.role,
            expires_at: i.expires_at,
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvite {
    #[schema(value_type = String, format = "email")]
    pub email: Email,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvite {
    pub invite: InviteView,
    /// Shown once.
    pub token: String,
    pub accept_url: String,
}

/// Invite someone to the team with a role.
#[utoipa::path(post, path = "/api/v1/invites", tag = "team", request_body = CreateInvite,
    responses((status = 201, body = CreatedInvite), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_invite(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiJson(body): ApiJson<CreateInvite>,
) -> AppResult<(StatusCode, Json<CreatedInvite>)> {
    check_may_manage(&ctx, body.role)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let plan = tx.find_plan().await?;
    if !PlanLimits::admits(plan.limits.agents, tx.count_active_users().await?) {
        return Err(seat_limit(plan.limits.agents));
    }
    if tx.find_user_by_email(body.email.as_str()).await.is_ok() {
        return Err(AppError::Conflict(
            "email_taken",
            "this person is already on the team".into(),
        ));
    }
    let token = new_token("sbi_");
    let invite = tx
        .insert_invite(NewInvite {
            email: body.email.as_str(),
            role: body.role,
            token_hash: &hash_token(&token),
            invited_by: ctx.user_id(),
            expires_at: now.plus_seconds(INVITE_DAYS * 86_400),
            now,
        })
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "invite.create",
        ("invite", invite.id.to_string()),
        json!({ "email": invite.email, "role": invite.role }),
    )
    .await?;
    tx.commit().await?;
    let accept_url = format!(
        "{}/app/accept-invite?token={token}",
        state.config.public_url
    );
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvite {
            invite: invite.into(),
            token,
            accept_url,
        }),
    ))
}

/// Invitations not yet accepted.
#[utoipa::path(get, path = "/api/v1/invites", tag = "team", params(PageQuery),
    responses((status = 200, body = Paged<InviteView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_invites(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<InviteView>>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let page = tx.list_pending_invites(q.request()?).await?;
    tx.commit().await?;
    Ok(Json(Paged::from_page(page, InviteView::from)))
}

/// Withdraw an invitation.
#[utoipa::path(delete, path = "/api/v1/invites/{invite_id}", tag = "team",
    params(("invite_id" = InviteId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_invite(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<InviteId>,
) -> AppResult<StatusCode> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let invite = tx.find_invite(id).await?;
    check_may_manage(&ctx, invite.role)?;
    tx.delete_invite(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "invite.delete",
        ("invite", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
