//! The team: users and invitations (`/api/v1/users`, `/api/v1/invites`).
//! Adapters over [`crate::team::users`] and [`crate::team::invites`].

use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::team::api::UserView;
use crate::team::{invites, users};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Email, InviteId, Role, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use store::auth::Invite;
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
    let page = users::list_users(&state, &ctx, q.request()?).await?;
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
    Ok(Json(users::get_user(&state, &ctx, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Disabled users cannot sign in and do not count against the plan.
    pub disabled: Option<bool>,
}

/// Change a user's name, role or whether they can sign in.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "team",
    params(("user_id" = UserId, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 422, description = "A field is invalid, or the change would leave no owner (`last_owner`).", body = ErrorBody),
              (status = 429, description = "Enabling the user needs a seat the plan does not have (`plan_limit_reached`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> AppResult<Json<UserView>> {
    let change = users::UserChange {
        name: body.name,
        role: body.role,
        disabled: body.disabled,
    };
    Ok(Json(
        users::update_user(&state, &ctx, id, change).await?.into(),
    ))
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
    users::delete_user(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
    #[schema(value_type = String, format = "email", max_length = 254)]
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
              (status = 409, description = "This email is already on the team or invited.", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "The plan's seats are taken (`plan_limit_reached`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_invite(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiJson(body): ApiJson<CreateInvite>,
) -> AppResult<(StatusCode, Json<CreatedInvite>)> {
    let input = invites::NewInvite {
        email: body.email,
        role: body.role,
    };
    let created = invites::invite_user(&state, &ctx, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvite {
            invite: created.invite.into(),
            token: created.token,
            accept_url: created.accept_url,
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
    let page = invites::list_invites(&state, &ctx, q.request()?).await?;
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
    invites::delete_invite(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
