//! `/api/v1/operator/analytics/tenants` and
//! `/api/v1/operator/tenants/{tenant_id}/analytics/…`: the operator's view
//! across workspaces, and any workspace's reports (each look audited).
//! Adapters over [`super::operator`].

use super::operator::{self, TenantsReport, tenant_report};
use super::reports::SpanQuery;
use super::reports::messages::{self, MessagesReport};
use super::reports::outcomes::{self, AutomationsReport, BookingsReport, CampaignsReport};
use super::reports::response::{self, ResponseReport};
use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::TenantId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes for the operator router (behind its token check).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tenant_volumes))
        .routes(routes!(get_tenant_messages))
        .routes(routes!(get_tenant_response_times))
        .routes(routes!(get_tenant_campaigns))
        .routes(routes!(get_tenant_automations))
        .routes(routes!(get_tenant_bookings))
}

/// Every workspace by volume over a span (UTC days): growth, failure rate,
/// plan and quota use.
#[utoipa::path(get, path = "/api/v1/operator/analytics/tenants", tag = "operator",
    params(SpanQuery),
    responses((status = 200, body = TenantsReport), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_tenant_volumes(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<TenantsReport>> {
    Ok(Json(operator::tenants(&state, &ctx, &q).await?))
}

/// A workspace's messages report (audited).
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}/analytics/messages", tag = "operator",
    params(("tenant_id" = TenantId, Path), SpanQuery),
    responses((status = 200, body = MessagesReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant_messages(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<MessagesReport>> {
    let r = tenant_report(&state, &ctx, id, "messages", &q, messages::messages).await?;
    Ok(Json(r))
}

/// A workspace's response-times report (audited).
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}/analytics/response-times", tag = "operator",
    params(("tenant_id" = TenantId, Path), SpanQuery),
    responses((status = 200, body = ResponseReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant_response_times(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<ResponseReport>> {
    let r = tenant_report(
        &state,
        &ctx,
        id,
        "response-times",
        &q,
        response::response_times,
    )
    .await?;
    Ok(Json(r))
}

/// A workspace's campaigns report (audited).
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}/analytics/campaigns", tag = "operator",
    params(("tenant_id" = TenantId, Path), SpanQuery),
    responses((status = 200, body = CampaignsReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant_campaigns(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<CampaignsReport>> {
    let r = tenant_report(&state, &ctx, id, "campaigns", &q, outcomes::campaigns).await?;
    Ok(Json(r))
}

/// A workspace's automations report (audited).
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}/analytics/automations", tag = "operator",
    params(("tenant_id" = TenantId, Path), SpanQuery),
    responses((status = 200, body = AutomationsReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant_automations(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<AutomationsReport>> {
    let r = tenant_report(&state, &ctx, id, "automations", &q, outcomes::automations).await?;
    Ok(Json(r))
}

/// A workspace's bookings report (audited).
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}/analytics/bookings", tag = "operator",
    params(("tenant_id" = TenantId, Path), SpanQuery),
    responses((status = 200, body = BookingsReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant_bookings(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<BookingsReport>> {
    let r = tenant_report(&state, &ctx, id, "bookings", &q, outcomes::bookings).await?;
    Ok(Json(r))
}
