//! JSON routes of business hours: the workspace's
//! (`/api/v1/business-hours`) and a number's own
//! (`/api/v1/channels/{channel_id}/business-hours`). Adapters over
//! [`super::hours`].

use super::hours::{self as rules, HoursInput, Schedule, WeeklyHours, is_open};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_business_hours, update_business_hours))
        .routes(routes!(
            get_channel_business_hours,
            update_channel_business_hours,
            delete_channel_business_hours
        ))
}

/// Business hours as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessHoursView {
    /// `null`: the workspace's schedule; else the number's own, which
    /// overrides the workspace's for it.
    pub channel_id: Option<ChannelId>,
    /// Disabled: always open, and no welcome or away message.
    pub enabled: bool,
    /// IANA name, canonical spelling.
    #[schema(example = "Europe/Lisbon")]
    pub time_zone: String,
    /// Each weekday's opening ranges, sorted; a day without any is closed.
    pub weekly: WeeklyHours,
    /// Dates closed all day in the schedule's zone, oldest first.
    #[schema(example = json!(["2025-12-25"]))]
    pub holidays: Vec<String>,
    /// Sent on the first message of a conversation.
    pub welcome_message: Option<String>,
    /// Sent on a message outside hours, at most once per conversation per
    /// closed period.
    pub away_message: Option<String>,
    /// Whether it is open now.
    pub open_now: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl BusinessHoursView {
    fn of(s: Schedule, now: Timestamp) -> Self {
        BusinessHoursView {
            channel_id: s.stored.channel_id,
            enabled: s.hours.enabled,
            time_zone: s.hours.time_zone.clone(),
            weekly: s.hours.weekly(),
            holidays: s.hours.holidays(),
            open_now: is_open(&s.hours, now),
            welcome_message: s.hours.welcome_message,
            away_message: s.hours.away_message,
            created_at: s.stored.created_at,
            updated_at: s.stored.updated_at,
        }
    }
}

/// A whole schedule: what is left out is empty (closed every day, no
/// holidays, no messages), enabled, in the workspace's zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBusinessHours {
    /// Default: enabled.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// An IANA zone (default: the workspace's).
    #[schema(example = "Europe/Lisbon")]
    pub time_zone: Option<String>,
    /// Per weekday, zero to 12 ranges `HH:MM`–`HH:MM` (`24:00` as an end);
    /// ranges of a day may not overlap.
    #[serde(default)]
    pub weekly: WeeklyHours,
    /// `YYYY-MM-DD`, at most 400.
    #[serde(default)]
    #[schema(example = json!(["2025-12-25"]))]
    pub holidays: Vec<String>,
    /// Blank or absent: none.
    #[schema(max_length = 4096)]
    pub welcome_message: Option<String>,
    #[schema(max_length = 4096)]
    pub away_message: Option<String>,
}

fn yes() -> bool {
    true
}

impl From<SetBusinessHours> for HoursInput {
    fn from(b: SetBusinessHours) -> Self {
        HoursInput {
            enabled: b.enabled,
            time_zone: b.time_zone,
            weekly: b.weekly,
            holidays: b.holidays,
            welcome_message: b.welcome_message,
            away_message: b.away_message,
        }
    }
}

/// The workspace's business hours.
#[utoipa::path(get, path = "/api/v1/business-hours", tag = "automations",
    responses((status = 200, body = BusinessHoursView),
              (status = 404, description = "The workspace has no business hours yet (always open).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_business_hours(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Json<BusinessHoursView>> {
    let s = rules::get_hours(&state, &ctx, None).await?;
    Ok(Json(BusinessHoursView::of(s, state.now())))
}

/// Set the workspace's business hours (created or replaced). They apply
/// to every number without its own, to messages from now on.
#[utoipa::path(put, path = "/api/v1/business-hours", tag = "automations",
    request_body = SetBusinessHours,
    responses((status = 200, body = BusinessHoursView),
              (status = 422, description = "Invalid, each field by path (`time_zone`, `weekly.monday[0].end`, `holidays[2]`, `welcome_message`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_business_hours(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<SetBusinessHours>,
) -> AppResult<Json<BusinessHoursView>> {
    let s = rules::set_hours(&state, &ctx, None, body.into()).await?;
    Ok(Json(BusinessHoursView::of(s, state.now())))
}

/// A number's own business hours.
#[utoipa::path(get, path = "/api/v1/channels/{channel_id}/business-hours", tag = "automations",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = BusinessHoursView),
              (status = 404, description = "No such number, or it has no schedule of its own (the workspace's applies).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_channel_business_hours(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<Json<BusinessHoursView>> {
    let s = rules::get_hours(&state, &ctx, Some(id)).await?;
    Ok(Json(BusinessHoursView::of(s, state.now())))
}

/// Set a number's own business hours (created or replaced): they apply
/// to it instead of the workspace's.
#[utoipa::path(put, path = "/api/v1/channels/{channel_id}/business-hours", tag = "automations",
    params(("channel_id" = ChannelId, Path)),
    request_body = SetBusinessHours,
    responses((status = 200, body = BusinessHoursView), (status = 404, body = ErrorBody),
              (status = 422, description = "Invalid, each field by path.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_channel_business_hours(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<SetBusinessHours>,
) -> AppResult<Json<BusinessHoursView>> {
    let s = rules::set_hours(&state, &ctx, Some(id), body.into()).await?;
    Ok(Json(BusinessHoursView::of(s, state.now())))
}

/// Delete a number's own business hours: the workspace's apply to it
/// again.
#[utoipa::path(delete, path = "/api/v1/channels/{channel_id}/business-hours", tag = "automations",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204),
              (status = 404, description = "No such number, or it has no schedule of its own.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_channel_business_hours(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<StatusCode> {
    rules::delete_hours(&state, &ctx, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
