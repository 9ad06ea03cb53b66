//! The delivery log, replays, the execution log and the health figures:
//! adapters over [`crate::hooks::log`] and [`crate::hooks::health`].

use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::hooks::health::{self, TenantHealth};
use crate::hooks::log::{
    self as rules, Delivery, DeliveryDetail, DeliveryFilter, Execution, ExecutionFilter,
    ReplayScope,
};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, time};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{DeliveryId, EndpointId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
    /// `pending`, `delivered` or `dead`.
    pub status: Option<String>,
    /// Only this event name.
    pub event: Option<String>,
    /// Created at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Created before this time (RFC 3339).
    pub until: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExecutionsQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
    /// `webhook_delivery`, `campaign_run`, `workflow_run` or
    /// `drip_subscriber` (more types join as they arrive).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// For deliveries: `pending`, `delivered` or `dead`; for campaign runs:
    /// `running`, `paused`, `finished` or `cancelled`; for workflow runs:
    /// `running`, `waiting`, `completed`, `failed`, `cancelled` or
    /// `skipped`; for drip subscribers: `active`, `completed` or
    /// `exited`. A status several kinds have (`running`) lists each.
    pub status: Option<String>,
    /// Started at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Started before this time (RFC 3339).
    pub until: Option<String>,
}

/// What to replay: `{"dead": true}`, or `{"since": …, "until": …}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayEndpoint {
    /// Every dead-lettered delivery.
    pub dead: Option<bool>,
    /// With `until`: every event of the tenant's log created in
    /// `[since, until)` that the endpoint subscribes to.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// Deliveries queued again or for the first time.
    pub queued: u64,
}

fn page(limit: Option<u32>, cursor: Option<String>) -> AppResult<store::page::PageRequest> {
    PageQuery { limit, cursor }.request()
}

/// An endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{endpoint_id}/deliveries", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path), DeliveriesQuery),
    responses((status = 200, body = Paged<Delivery>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> AppResult<Json<Paged<Delivery>>> {
    let filter = DeliveryFilter {
        status: q.status,
        event: q.event,
        since: time("since", q.since.as_deref())?,
        until: time("until", q.until.as_deref())?,
    };
    let found = rules::list_deliveries(&state, &ctx, id, filter, page(q.limit, q.cursor)?).await?;
    Ok(Json(Paged::from_page(found, |d| d)))
}

/// Deliver again every dead-lettered delivery, or every event of a time
/// range.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints/{endpoint_id}/replay", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)), request_body = ReplayEndpoint,
    responses((status = 202, body = Replayed),
              (status = 422, description = "Invalid, or a time range for a Cloud API endpoint (`replay_range_not_supported`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn replay_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    ApiJson(body): ApiJson<ReplayEndpoint>,
) -> AppResult<(StatusCode, Json<Replayed>)> {
    let scope = match (body.dead, body.since, body.until) {
        (Some(true), None, None) => ReplayScope::Dead,
        (None | Some(false), Some(since), Some(until)) => ReplayScope::Range { since, until },
        _ => {
            // Another tenant's (or no) endpoint is not found, whatever was sent.
            crate::hooks::endpoints::get_endpoint(&state, &ctx, id).await?;
            return Err(AppError::validation(
                "dead",
                "send either `\"dead\": true` or both `since` and `until`",
            ));
        }
    };
    let queued = rules::replay_endpoint(&state, &ctx, id, scope).await?;
    Ok((StatusCode::ACCEPTED, Json(Replayed { queued })))
}

/// One delivery with its body and every attempt.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries/{delivery_id}", tag = "webhooks",
    params(("delivery_id" = DeliveryId, Path)),
    responses((status = 200, body = DeliveryDetail)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_delivery(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<DeliveryId>,
) -> AppResult<Json<DeliveryDetail>> {
    Ok(Json(rules::get_delivery(&state, &ctx, id).await?))
}

/// Deliver it again: a new series of attempts, the same body.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{delivery_id}/replay", tag = "webhooks",
    params(("delivery_id" = DeliveryId, Path)),
    responses((status = 202, body = Delivery)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn replay_delivery(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<DeliveryId>,
) -> AppResult<(StatusCode, Json<Delivery>)> {
    let d = rules::replay_delivery(&state, &ctx, id).await?;
    Ok((StatusCode::ACCEPTED, Json(d)))
}

/// What ran on the tenant's behalf, newest first.
#[utoipa::path(get, path = "/api/v1/executions", tag = "webhooks", params(ExecutionsQuery),
    responses((status = 200, body = Paged<Execution>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_executions(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
    ApiQuery(q): ApiQuery<ExecutionsQuery>,
) -> AppResult<Json<Paged<Execution>>> {
    let filter = ExecutionFilter {
        kind: q.kind,
        status: q.status,
        since: time("since", q.since.as_deref())?,
        until: time("until", q.until.as_deref())?,
    };
    let found = rules::list_executions(&state, &ctx, filter, page(q.limit, q.cursor)?).await?;
    Ok(Json(Paged::from_page(found, |e| e)))
}

/// The tenant's health: quota used, endpoints' success rates, pending
/// work and the last 24 hours' failures.
#[utoipa::path(get, path = "/api/v1/health", tag = "webhooks",
    responses((status = 200, body = TenantHealth)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_health(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<TenantHealth>> {
    Ok(Json(health::tenant_health(&state, &ctx).await?))
}
