//! WhatsApp numbers (`/api/v1/channels`). Credentials are checked against
//! Meta before they are saved, stored sealed, and never returned.

use crate::auth::{Authorized, perm};
use crate::channels::setup::{self, ChannelChange, ChannelDetails, ConnectChannel};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::pagination::Paged;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, Timestamp};
use serde::{Deserialize, Serialize};
use store::channels::AppKind;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel, delete_channel))
        .routes(routes!(update_channel_credentials))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: ChannelId,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    /// `platform` (the deployment's Meta app) or `own` (the tenant's app).
    pub app: String,
    /// `active`, or `needs_credentials` when Meta rejected the token.
    pub status: String,
    pub status_reason: Option<String>,
    /// Messages per second this number may send.
    pub rate_limit: i64,
    /// The callback URL to give Meta.
    pub webhook_url: String,
    /// The verify token to give Meta (own app only).
    pub verify_token: Option<String>,
    /// The team its new conversations go to
    /// (`PUT /api/v1/channels/{channel_id}/team`).
    pub team_id: Option<domain::TeamId>,
    pub created_at: Timestamp,
}

impl From<ChannelDetails> for ChannelView {
    fn from(d: ChannelDetails) -> Self {
        let c = d.channel;
        ChannelView {
            id: c.id,
            phone_number_id: c.phone_number_id,
            waba_id: c.waba_id,
            display_phone_number: c.display_phone_number,
            verified_name: c.verified_name,
            app: c.app_kind.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            status_reason: c.status_reason,
            rate_limit: c.rate_limit,
            webhook_url: d.webhook_url,
            verify_token: d.verify_token,
            team_id: c.team_id,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum AppChoice {
    #[default]
    Platform,
    Own,
}

impl From<AppChoice> for AppKind {
    fn from(a: AppChoice) -> Self {
        match a {
            AppChoice::Platform => AppKind::Platform,
            AppChoice::Own => AppKind::Own,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    /// Meta's numeric id of the phone number.
    #[schema(pattern = "^[0-9]{1,32}$")]
    pub phone_number_id: String,
    /// Meta's numeric id of the WhatsApp Business Account.
    #[schema(pattern = "^[0-9]{1,32}$")]
    pub waba_id: String,
    /// A Meta access token with access to the number.
    #[schema(min_length = 1, pattern = r"\S")]
    pub access_token: String,
    /// Whose Meta app delivers this number's webhooks (default `platform`).
    #[serde(default)]
    pub app: AppChoice,
    /// Required with `app: own`.
    pub app_secret: Option<String>,
    /// Messages per second, 1 to 1000 (default 80).
    #[schema(minimum = 1, maximum = 1000)]
    pub rate_limit: Option<i64>,
}

/// Connect a WhatsApp number.
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body = CreateChannel,
    responses((status = 201, body = ChannelView),
              (status = 409, description = "The number is connected already (`phone_number_taken`).", body = ErrorBody),
              (status = 422, description = "A field is invalid, or Meta refused the credentials.", body = ErrorBody),
              (status = 429, description = "The plan's numbers are taken (`plan_limit_reached`).", body = ErrorBody),
              (status = 503, description = "Meta could not be reached; try again.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_channel(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreateChannel>,
) -> AppResult<(StatusCode, Json<ChannelView>)> {
    let input = ConnectChannel {
        phone_number_id: body.phone_number_id,
        waba_id: body.waba_id,
        access_token: body.access_token,
        app: body.app.into(),
        app_secret: body.app_secret,
        rate_limit: body.rate_limit,
    };
    let channel = setup::connect_channel(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(channel.into())))
}

/// The tenant's WhatsApp numbers.
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels",
    responses((status = 200, body = Paged<ChannelView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_channels(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<Paged<ChannelView>>> {
    let channels = setup::list_channels(&state, &ctx).await?;
    // A tenant has a handful of numbers: always one page.
    Ok(Json(Paged {
        items: channels.into_iter().map(ChannelView::from).collect(),
        next_cursor: None,
    }))
}

/// One WhatsApp number.
#[utoipa::path(get, path = "/api/v1/channels/{channel_id}", tag = "channels",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_channel(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<Json<ChannelView>> {
    let channel = setup::get_channel(&state, &ctx, id).await?;
    Ok(Json(channel.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    /// Messages per second, 1 to 1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub rate_limit: Option<i64>,
}

/// Change a number's settings.
#[utoipa::path(patch, path = "/api/v1/channels/{channel_id}", tag = "channels",
    params(("channel_id" = ChannelId, Path)), request_body = UpdateChannel,
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_channel(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<UpdateChannel>,
) -> AppResult<Json<ChannelView>> {
    let change = ChannelChange {
        rate_limit: body.rate_limit,
    };
    let channel = setup::update_channel(&state, &ctx, id, change).await?;
    Ok(Json(channel.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredentials {
    #[schema(min_length = 1, pattern = r"\S")]
    pub access_token: String,
    /// For own-app numbers: a new app secret (optional).
    pub app_secret: Option<String>,
}

/// Replace a number's credentials (checked against Meta first). A number
/// that `needs_credentials` becomes active again.
#[utoipa::path(put, path = "/api/v1/channels/{channel_id}/credentials", tag = "channels",
    params(("channel_id" = ChannelId, Path)), request_body = NewCredentials,
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_channel_credentials(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<NewCredentials>,
) -> AppResult<Json<ChannelView>> {
    let input = setup::NewCredentials {
        access_token: body.access_token,
        app_secret: body.app_secret,
    };
    let channel = setup::update_channel_credentials(&state, &ctx, id, input).await?;
    Ok(Json(channel.into()))
}

/// Disconnect a number. Its conversations and messages stay.
#[utoipa::path(delete, path = "/api/v1/channels/{channel_id}", tag = "channels",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_channel(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<StatusCode> {
    setup::delete_channel(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
