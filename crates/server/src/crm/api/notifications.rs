//! `/api/v1/me/notifications`: the signed-in user's own in-app
//! notifications. API keys have no user: they get `403 user_required`.
//! Adapters over [`crate::crm::notifications`].

use crate::auth::TenantCtx;
use crate::crm::notifications::{self as rules, Notification};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::NotificationId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(count_unread_notifications))
        .routes(routes!(mark_all_notifications_read))
        .routes(routes!(mark_notification_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread.
    pub marked: u64,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "crm", params(NotificationQuery),
    responses((status = 200, body = Paged<Notification>),
              (status = 403, description = "Called with an API key, which has no notifications (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn list_notifications(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> AppResult<Json<Paged<Notification>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let unread_only = q.unread.unwrap_or(false);
    let found = rules::list_notifications(&state, &ctx, unread_only, page).await?;
    Ok(Json(Paged::from_page(found, |n| n)))
}

/// How many of my notifications are unread.
#[utoipa::path(get, path = "/api/v1/me/notifications/unread-count", tag = "crm",
    responses((status = 200, body = UnreadCount),
              (status = 403, description = "Called with an API key (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn count_unread_notifications(
    State(state): State<AppState>,
    ctx: TenantCtx,
) -> AppResult<Json<UnreadCount>> {
    let unread = rules::count_unread(&state, &ctx).await?;
    Ok(Json(UnreadCount { unread }))
}

/// Mark all my notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "crm",
    responses((status = 200, body = MarkedRead),
              (status = 403, description = "Called with an API key (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn mark_all_notifications_read(
    State(state): State<AppState>,
    ctx: TenantCtx,
) -> AppResult<Json<MarkedRead>> {
    let marked = rules::mark_all_read(&state, &ctx).await?;
    Ok(Json(MarkedRead { marked }))
}

/// Mark one of my notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{notification_id}/read", tag = "crm",
    params(("notification_id" = NotificationId, Path)),
    responses((status = 200, body = Notification),
              (status = 403, description = "Called with an API key (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiPath(id): ApiPath<NotificationId>,
) -> AppResult<Json<Notification>> {
    Ok(Json(rules::mark_read(&state, &ctx, id).await?))
}
