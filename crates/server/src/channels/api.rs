//! WhatsApp numbers (`/api/v1/channels`). Credentials are checked against
//! Meta before they are saved, stored sealed, and never returned.

use crate::auth::tokens::hash_token;
use crate::auth::{Authorized, perm};
use crate::crypto::random_token;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::pagination::Paged;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, PlanLimits, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::StoreError;
use store::channels::{AppKind, Channel, ChannelStatus, NewChannel};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use whatsapp::ErrorClass;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel, delete_channel))
        .routes(routes!(update_channel_credentials))
}

/// Meta's default per-number throughput; the most a number may be set to.
pub const DEFAULT_RATE_LIMIT: i64 = 80;
pub const MAX_RATE_LIMIT: i64 = 1000;

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
    pub created_at: Timestamp,
}

fn view(state: &AppState, c: Channel) -> AppResult<ChannelView> {
    let open = |sealed: Option<&str>| -> AppResult<Option<String>> {
        sealed
            .map(|s| state.secrets.open_str(s).map_err(AppError::internal))
            .transpose()
    };
    let webhook_url = match open(c.webhook_token.as_deref())? {
        Some(t) => format!("{}/webhooks/whatsapp/{t}", state.config.public_url),
        None => format!("{}/webhooks/whatsapp", state.config.public_url),
    };
    let verify_token = open(c.verify_token.as_deref())?;
    Ok(ChannelView {
        id: c.id,
        phone_number_id: c.phone_number_id,
        waba_id: c.waba_id,
        display_phone_number: c.display_phone_number,
        verified_name: c.verified_name,
        app: c.app_kind.as_str().to_owned(),
        status: c.status.as_str().to_owned(),
        status_reason: c.status_reason,
        rate_limit: c.rate_limit,
        webhook_url,
        verify_token,
        created_at: c.created_at,
    })
}

#[derive(Debug, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum AppChoice {
    #[default]
    Platform,
    Own,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    pub phone_number_id: String,
    pub waba_id: String,
    /// A Meta access token with access to the number.
    pub access_token: String,
    /// Whose Meta app delivers this number's webhooks (default `platform`).
    #[serde(default)]
    pub app: AppChoice,
    /// Required with `app: own`.
    pub app_secret: Option<String>,
    /// Messages per second, 1 to 1000 (default 80).
    pub rate_limit: Option<i64>,
}

fn check_id(field: &'static str, v: &str) -> AppResult<()> {
    if v.is_empty() || v.len() > 32 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::validation(field, "must be Meta's numeric id"));
    }
    Ok(())
}

fn check_rate(rate: Option<i64>) -> AppResult<i64> {
    let r = rate.unwrap_or(DEFAULT_RATE_LIMIT);
    if !(1..=MAX_RATE_LIMIT).contains(&r) {
        return Err(AppError::validation(
            "rate_limit",
            "must be 1 to 1000 messages per second",
        ));
    }
    Ok(r)
}

/// Asks Meta whether `token` can use the number; returns what Meta says
/// about it.
async fn check_credentials(
    state: &AppState,
    phone_number_id: &str,
    token: &str,
) -> AppResult<whatsapp::client::PhoneNumberInfo> {
    match state
        .graph
        .phone_number_info(
            phone_number_id,
            token,
            &["display_phone_number", "verified_name"],
        )
        .await
    {
        Ok(info) => Ok(info),
        Err(e) => match e.class() {
            ErrorClass::Retryable { .. } => Err(AppError::Unavailable(
                "meta_unavailable",
                "Meta could not be reached to check the credentials; try again".into(),
            )),
            ErrorClass::Permanent { .. } | ErrorClass::Credentials { .. } => Err(AppError::Rule(
                "credentials_rejected",
                format!("Meta rejected these credentials: {e}"),
            )),
        },
    }
}

/// Connect a WhatsApp number.
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body = CreateChannel,
    responses((status = 201, body = ChannelView), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_channel(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreateChannel>,
) -> AppResult<(StatusCode, Json<ChannelView>)> {
    check_id("phone_number_id", &body.phone_number_id)?;
    check_id("waba_id", &body.waba_id)?;
    let rate = check_rate(body.rate_limit)?;
    if body.access_token.trim().is_empty() {
        return Err(AppError::validation("access_token", "must not be empty"));
    }
    let app_secret = match (body.app, body.app_secret.as_deref()) {
        (AppChoice::Own, Some(s)) if !s.trim().is_empty() => Some(s.trim()),
        (AppChoice::Own, _) => {
            return Err(AppError::validation(
                "app_secret",
                "required for your own Meta app",
            ));
        }
        (AppChoice::Platform, Some(_)) => {
            return Err(AppError::validation(
                "app_secret",
                "only for your own Meta app",
            ));
        }
        (AppChoice::Platform, None) => None,
    };
    let info = check_credentials(&state, &body.phone_number_id, body.access_token.trim()).await?;
    let now = state.now();
    let (webhook_token, verify_token) = match body.app {
        AppChoice::Own => (Some(random_token::<32>()), Some(random_token::<18>())),
        AppChoice::Platform => (None, None),
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let channel = tx
        .insert_channel(NewChannel {
            phone_number_id: &body.phone_number_id,
            waba_id: &body.waba_id,
            display_phone_number: info
                .display_phone_number
                .as_deref()
                .unwrap_or(&body.phone_number_id),
            verified_name: info.verified_name.as_deref(),
            access_token_sealed: &state.secrets.seal_str(body.access_token.trim()),
            app_kind: match body.app {
                AppChoice::Own => AppKind::Own,
                AppChoice::Platform => AppKind::Platform,
            },
            app_secret_sealed: app_secret.map(|s| state.secrets.seal_str(s)).as_deref(),
            webhook_token_hash: webhook_token.as_deref().map(hash_token).as_deref(),
            webhook_token_sealed: webhook_token
                .as_deref()
                .map(|t| state.secrets.seal_str(t))
                .as_deref(),
            verify_token_sealed: verify_token
                .as_deref()
                .map(|t| state.secrets.seal_str(t))
                .as_deref(),
            rate_limit: rate,
            now,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict(
                "phone_number_taken",
                "this phone number is already connected to a tenant".into(),
            ),
            other => other.into(),
        })?;
    // Counted after the insert, in its transaction, so two concurrent
    // connections cannot both squeeze under the limit.
    let plan = tx.find_plan().await?;
    let count = tx.count_channels().await?;
    if !PlanLimits::admits(plan.limits.numbers, count - 1) {
        return Err(AppError::TooManyRequests(
            "plan_limit_reached",
            format!(
                "the {} plan allows {} number(s)",
                plan.name,
                plan.limits.numbers.unwrap_or(0)
            ),
            0,
        ));
    }
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "channel.create",
        ("channel", channel.id.to_string()),
        json!({ "phone_number_id": channel.phone_number_id, "app": channel.app_kind.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view(&state, channel)?)))
}

/// The tenant's WhatsApp numbers.
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels",
    responses((status = 200, body = Paged<ChannelView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_channels(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<Paged<ChannelView>>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    // A tenant has a handful of numbers: always one page.
    Ok(Json(Paged {
        items: channels
            .into_iter()
            .map(|c| view(&state, c))
            .collect::<AppResult<_>>()?,
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
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_channel(id).await?;
    tx.commit().await?;
    Ok(Json(view(&state, c)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    /// Messages per second, 1 to 1000.
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
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let current = tx.find_channel(id).await?;
    let rate = check_rate(body.rate_limit.or(Some(current.rate_limit)))?;
    tx.set_channel_rate_limit(id, rate, now).await?;
    let c = tx.find_channel(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "channel.update",
        ("channel", id.to_string()),
        json!({ "rate_limit": rate }),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view(&state, c)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredentials {
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
    let current = {
        let mut tx = state.store.tenant(ctx.tenant_id).await?;
        tx.find_channel(id).await?
    };
    if body.app_secret.is_some() && current.app_kind != AppKind::Own {
        return Err(AppError::validation(
            "app_secret",
            "only for your own Meta app",
        ));
    }
    check_credentials(&state, &current.phone_number_id, body.access_token.trim()).await?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let sealed_secret = body
        .app_secret
        .as_deref()
        .map(|s| state.secrets.seal_str(s.trim()));
    let c = tx
        .update_channel_credentials(
            id,
            &state.secrets.seal_str(body.access_token.trim()),
            sealed_secret.as_deref(),
            now,
        )
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "channel.rotate_credentials",
        ("channel", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view(&state, c)?))
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
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.delete_channel(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "channel.delete",
        ("channel", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a channel whose token Meta rejected; sends stop until fixed.
pub async fn mark_needs_credentials(state: &AppState, c: &Channel, reason: &str) -> AppResult<()> {
    let mut tx = state.store.tenant(c.tenant_id).await?;
    tx.set_channel_status(
        c.id,
        ChannelStatus::NeedsCredentials,
        Some(reason),
        state.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
