//! `/api/v1/analytics/…`: each report as JSON and its main table as CSV
//! (`….csv`), for a span of the workspace's days (`from`, `to`); and the
//! workspace's targets. Adapters over [`super::reports`] and
//! [`super::settings`].

use super::csv::{self, Table};
use super::reports::messages::{self, MessagesReport};
use super::reports::outcomes::{self, AutomationsReport, BookingsReport, CampaignsReport};
use super::reports::response::{self, ResponseReport, Targets};
use super::reports::{SpanQuery, read};
use super::settings::{self, TargetsInput};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_messages))
        .routes(routes!(export_messages))
        .routes(routes!(get_response_times))
        .routes(routes!(export_response_times))
        .routes(routes!(get_campaigns))
        .routes(routes!(export_campaigns))
        .routes(routes!(get_automations))
        .routes(routes!(export_automations))
        .routes(routes!(get_bookings))
        .routes(routes!(export_bookings))
        .routes(routes!(get_targets, put_targets))
}

/// A table as a CSV download named `name`.
fn attachment(name: &str, table: &Table) -> AppResult<impl IntoResponse + use<>> {
    let body = table.to_csv()?;
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    ))
}

/// Messages in and out, conversations opened and resolved: totals against
/// the span before, each day, number and kind, and the busiest hours.
#[utoipa::path(get, path = "/api/v1/analytics/messages", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, body = MessagesReport),
              (status = 422, description = "A day that is not one, `to` before `from`, or more than 366 days.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<MessagesReport>> {
    Ok(Json(read(&state, &ctx, &q, messages::messages).await?))
}

/// The messages report's days as CSV.
#[utoipa::path(get, path = "/api/v1/analytics/messages.csv", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<impl IntoResponse> {
    let r = read(&state, &ctx, &q, messages::messages).await?;
    attachment("messages", &csv::messages(&r))
}

/// First response and resolution times (median, 90th percentile) overall,
/// per agent and per team, against the targets, with the breaches.
#[utoipa::path(get, path = "/api/v1/analytics/response-times", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, body = ResponseReport), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_response_times(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<ResponseReport>> {
    Ok(Json(
        read(&state, &ctx, &q, response::response_times).await?,
    ))
}

/// Response times overall, per agent and per team, as CSV.
#[utoipa::path(get, path = "/api/v1/analytics/response-times.csv", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_response_times(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<impl IntoResponse> {
    let r = read(&state, &ctx, &q, response::response_times).await?;
    attachment("response-times", &csv::response_times(&r))
}

/// Campaign results and template performance (on the day each message was
/// queued).
#[utoipa::path(get, path = "/api/v1/analytics/campaigns", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, body = CampaignsReport), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_campaigns(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<CampaignsReport>> {
    Ok(Json(read(&state, &ctx, &q, outcomes::campaigns).await?))
}

/// Campaign results as CSV.
#[utoipa::path(get, path = "/api/v1/analytics/campaigns.csv", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_campaigns(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<impl IntoResponse> {
    let r = read(&state, &ctx, &q, outcomes::campaigns).await?;
    attachment("campaigns", &csv::campaigns(&r))
}

/// Automation runs completed and failed, per workflow and per day.
#[utoipa::path(get, path = "/api/v1/analytics/automations", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, body = AutomationsReport), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_automations(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<AutomationsReport>> {
    Ok(Json(read(&state, &ctx, &q, outcomes::automations).await?))
}

/// Automation runs per workflow as CSV.
#[utoipa::path(get, path = "/api/v1/analytics/automations.csv", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_automations(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<impl IntoResponse> {
    let r = read(&state, &ctx, &q, outcomes::automations).await?;
    attachment("automations", &csv::automations(&r))
}

/// Bookings starting in the span, by service and status, with the no-show
/// rate.
#[utoipa::path(get, path = "/api/v1/analytics/bookings", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, body = BookingsReport), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_bookings(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<Json<BookingsReport>> {
    Ok(Json(read(&state, &ctx, &q, outcomes::bookings).await?))
}

/// Bookings by service as CSV.
#[utoipa::path(get, path = "/api/v1/analytics/bookings.csv", tag = "analytics",
    params(SpanQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_bookings(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> AppResult<impl IntoResponse> {
    let r = read(&state, &ctx, &q, outcomes::bookings).await?;
    attachment("bookings", &csv::bookings(&r))
}

/// The workspace's service-level targets.
#[utoipa::path(get, path = "/api/v1/analytics/targets", tag = "analytics",
    responses((status = 200, body = Targets)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_targets(
    State(state): State<AppState>,
    ctx: Authorized<perm::AnalyticsRead>,
) -> AppResult<Json<Targets>> {
    Ok(Json(settings::get_targets(&state, &ctx).await?))
}

/// Set the workspace's service-level targets (`settings:manage`).
#[utoipa::path(put, path = "/api/v1/analytics/targets", tag = "analytics",
    request_body = TargetsInput,
    responses((status = 200, body = Targets),
              (status = 422, description = "A target outside 1 to 43200 minutes.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_targets(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<TargetsInput>,
) -> AppResult<Json<Targets>> {
    Ok(Json(settings::set_targets(&state, &ctx, body).await?))
}
