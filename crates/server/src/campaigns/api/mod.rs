//! `/api/v1/campaigns` and a number's messaging-limit tier: adapters over
//! [`crate::campaigns`]. The figures and recipients are in [`stats`].

mod stats;

use crate::auth::{Authorized, perm};
use crate::campaigns::audience::AudienceSpec;
use crate::campaigns::variables::Variable;
use crate::campaigns::{self as rules, CampaignInput, lifecycle, tier};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{CampaignId, ChannelId, TemplateId, Timestamp};
use serde::{Deserialize, Serialize};
use store::campaigns::Campaign;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(get_campaign, update_campaign, delete_campaign))
        .routes(routes!(start_campaign))
        .routes(routes!(pause_campaign))
        .routes(routes!(resume_campaign))
        .routes(routes!(cancel_campaign))
        .routes(routes!(retry_campaign))
        .routes(routes!(get_messaging_limit, set_messaging_limit))
        .merge(stats::router())
}

/// A campaign as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: CampaignId,
    pub name: String,
    /// The number it sends from.
    pub channel_id: ChannelId,
    pub template_id: TemplateId,
    pub template_name: String,
    pub template_language: String,
    pub variables: Vec<Variable>,
    pub audience: AudienceSpec,
    /// `draft`, `scheduled`, `running`, `paused`, `finished` or `cancelled`.
    pub status: String,
    /// Why it is paused, waiting or back to draft (`code: text`), when a
    /// limit or an error rather than a person did it.
    pub status_reason: Option<String>,
    pub start_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// Recipients taken from the audience when it started.
    pub recipient_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Campaign> for CampaignView {
    fn from(c: Campaign) -> Self {
        CampaignView {
            id: c.id,
            name: c.name,
            channel_id: c.channel_id,
            template_id: c.template_id,
            template_name: c.template_name,
            template_language: c.template_language,
            variables: serde_json::from_value(c.variables).unwrap_or_default(),
            audience: serde_json::from_value(c.audience).unwrap_or_default(),
            status: c.status.as_str().to_owned(),
            status_reason: c.status_reason,
            start_at: c.start_at,
            started_at: c.started_at,
            finished_at: c.finished_at,
            recipient_count: c.recipient_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaign {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The number to send from.
    pub channel_id: ChannelId,
    /// An approved template of that number's account.
    pub template_id: TemplateId,
    /// One for each of the template body's parameters.
    #[serde(default)]
    pub variables: Vec<Variable>,
    pub audience: AudienceSpec,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCampaign {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub channel_id: Option<ChannelId>,
    /// A new template drops the variables unless new ones are given.
    pub template_id: Option<TemplateId>,
    pub variables: Option<Vec<Variable>>,
    pub audience: Option<AudienceSpec>,
}

const REFUSED: &str = "Invalid (`fields` names what), or the template is not approved \
    (`template_not_approved`).";

/// Create a draft campaign (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns",
    request_body = CreateCampaign,
    responses((status = 201, body = CampaignView),
              (status = 422, description = REFUSED, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<CreateCampaign>,
) -> AppResult<(StatusCode, Json<CampaignView>)> {
    let input = CampaignInput {
        name: Some(body.name),
        channel_id: Some(body.channel_id),
        template_id: Some(body.template_id),
        variables: Some(body.variables),
        audience: Some(body.audience),
    };
    let c = rules::create_campaign(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(PageQuery),
    responses((status = 200, body = Paged<CampaignView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<CampaignView>>> {
    let page = rules::list_campaigns(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, CampaignView::from)))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(rules::get_campaign(&state, &ctx, id).await?.into()))
}

/// Change a draft or scheduled campaign (`campaigns:manage`).
#[utoipa::path(patch, path = "/api/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)), request_body = UpdateCampaign,
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody),
              (status = 409, description = "It has started (`campaign_started`).", body = ErrorBody),
              (status = 422, description = REFUSED, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
    ApiJson(body): ApiJson<UpdateCampaign>,
) -> AppResult<Json<CampaignView>> {
    let input = CampaignInput {
        name: body.name,
        channel_id: body.channel_id,
        template_id: body.template_id,
        variables: body.variables,
        audience: body.audience,
    };
    Ok(Json(
        rules::update_campaign(&state, &ctx, id, input)
            .await?
            .into(),
    ))
}

/// Delete a campaign that is not sending; its messages stay
/// (`campaigns:manage`).
#[utoipa::path(delete, path = "/api/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 409, description = "Running or paused: cancel it first (`campaign_running`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<StatusCode> {
    rules::delete_campaign(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCampaign {
    /// Start at this time instead of now (a time in the past: now).
    pub at: Option<Timestamp>,
    /// Or at this wall time in the workspace's time zone
    /// (`YYYY-MM-DDTHH:MM`).
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")]
    pub local_time: Option<String>,
}

/// Start a draft campaign now, or schedule it (`campaigns:manage`). Its
/// audience becomes its recipients when it starts; an audience the
/// month's quota cannot cover is refused (`quota_insufficient`).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign_id}/start", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)), request_body = StartCampaign,
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody),
              (status = 409, description = "Started already (`campaign_started`).", body = ErrorBody),
              (status = 422, description = "The quota does not cover the audience (`quota_insufficient`), or its segment was deleted.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn start_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
    ApiJson(body): ApiJson<StartCampaign>,
) -> AppResult<Json<CampaignView>> {
    let when = match (body.at, body.local_time) {
        (Some(_), Some(_)) => {
            return Err(crate::error::AppError::validation(
                "local_time",
                "give `at` or `local_time`, not both",
            ));
        }
        (Some(at), None) => lifecycle::StartAt::At(at),
        (None, Some(local)) => lifecycle::StartAt::Local(local),
        (None, None) => lifecycle::StartAt::Now,
    };
    Ok(Json(
        lifecycle::start_campaign(&state, &ctx, id, when)
            .await?
            .into(),
    ))
}

const STATE: &str = "Not possible in its state (`campaign_state`).";

/// Pause a running campaign (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign_id}/pause", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody),
              (status = 409, description = STATE, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn pause_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(
        lifecycle::pause_campaign(&state, &ctx, id).await?.into(),
    ))
}

/// Resume a paused campaign (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign_id}/resume", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody),
              (status = 409, description = STATE, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn resume_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(
        lifecycle::resume_campaign(&state, &ctx, id).await?.into(),
    ))
}

/// Cancel a campaign: recipients not yet sent to never will be
/// (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign_id}/cancel", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody),
              (status = 409, description = STATE, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn cancel_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(
        lifecycle::cancel_campaign(&state, &ctx, id).await?.into(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    /// Recipients put back to be sent again.
    pub recipients: u64,
}

/// Send again to the recipients whose message failed with an error worth
/// another try (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign_id}/retry", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = Retried), (status = 404, body = ErrorBody),
              (status = 409, description = STATE, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn retry_campaign(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<Retried>> {
    let recipients = lifecycle::retry_failed(&state, &ctx, id).await?;
    Ok(Json(Retried { recipients }))
}

/// A number's messaging-limit tier.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagingLimit {
    /// `TIER_250`, `TIER_1K`, `TIER_2K`, `TIER_10K`, `TIER_100K` or
    /// `TIER_UNLIMITED`: different customers it may send templates to per
    /// 24 hours.
    #[schema(example = "TIER_1K")]
    pub tier: String,
}

/// A number's messaging-limit tier (read from Meta when it was connected;
/// `TIER_250` when unknown).
#[utoipa::path(get, path = "/api/v1/channels/{channel_id}/messaging-limit", tag = "campaigns",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = MessagingLimit), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_messaging_limit(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<Json<MessagingLimit>> {
    let t = tier::get_tier(&state, &ctx, id).await?;
    Ok(Json(MessagingLimit {
        tier: t.as_str().to_owned(),
    }))
}

/// Set a number's messaging-limit tier, as Meta's WhatsApp Manager shows
/// it (`settings:manage`). Campaigns never send templates to more
/// different customers per 24 hours.
#[utoipa::path(put, path = "/api/v1/channels/{channel_id}/messaging-limit", tag = "campaigns",
    params(("channel_id" = ChannelId, Path)), request_body = MessagingLimit,
    responses((status = 200, body = MessagingLimit), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn set_messaging_limit(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<MessagingLimit>,
) -> AppResult<Json<MessagingLimit>> {
    let t = tier::set_tier(&state, &ctx, id, &body.tier).await?;
    Ok(Json(MessagingLimit {
        tier: t.as_str().to_owned(),
    }))
}
