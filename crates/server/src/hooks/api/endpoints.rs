//! `/api/v1/webhook-endpoints`: adapters over [`crate::hooks::endpoints`].

use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::hooks::endpoints::{self as rules, CreatedEndpoint, Endpoint, RolledSecret};
use crate::hooks::log::Delivery;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, EndpointId};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::hooks::HookFormat;
use utoipa::ToSchema;

/// What an endpoint receives.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointFormat {
    /// Switchboard's events, signed `Switchboard-Signature`.
    #[default]
    Switchboard,
    /// Meta's own webhooks for the workspace's numbers, exactly as Meta
    /// sends them, signed `X-Hub-Signature-256` (for bots written for the
    /// Cloud API).
    CloudApi,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// `https://…` (plain `http://` only where the deployment allows it),
    /// at most 2,048 characters, no user name or password.
    #[schema(min_length = 1, max_length = 2048)]
    pub url: String,
    /// Event names (`message.received`), families (`message.*`) or `*`.
    /// Required for the `switchboard` format; not taken for `cloud_api`.
    #[schema(min_items = 1, max_items = 100)]
    pub events: Option<Vec<String>>,
    /// Default `switchboard`.
    pub format: Option<EndpointFormat>,
    /// `cloud_api` only: the numbers whose webhooks it receives (default:
    /// all the workspace's, now and later).
    #[schema(max_items = 100)]
    pub channel_ids: Option<Vec<ChannelId>>,
    /// `cloud_api` only, required: the token Meta's verification
    /// handshake sends (`hub.verify_token`); the endpoint must pass the
    /// handshake before it is saved.
    #[schema(min_length = 1, max_length = 200)]
    pub verify_token: Option<String>,
    /// `cloud_api` only: the signing secret (your bot's app secret), 16 to
    /// 200 characters; one is made when left out.
    #[schema(min_length = 16, max_length = 200)]
    pub secret: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Default `true`.
    pub enabled: Option<bool>,
    /// Up to 10 extra request headers, stored sealed.
    pub headers: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpoint {
    #[schema(min_length = 1, max_length = 2048)]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 100)]
    pub events: Option<Vec<String>>,
    /// Empty: no description.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Enabling a disabled endpoint clears its failure streak and sends
    /// what waited.
    pub enabled: Option<bool>,
    /// Replaces every extra header (`{}`: none).
    pub headers: Option<BTreeMap<String, String>>,
    /// `cloud_api` only: its numbers (`[]`: all).
    #[schema(max_items = 100)]
    pub channel_ids: Option<Vec<ChannelId>>,
    /// `cloud_api` only: a new verify token (the handshake runs again).
    #[schema(min_length = 1, max_length = 200)]
    pub verify_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollSecret {
    /// How long the old secret keeps signing too, 0 to 72 hours (default 24).
    #[schema(minimum = 0, maximum = 72)]
    pub overlap_hours: Option<i64>,
}

/// Create an endpoint; the answer carries its signing secret, shown only
/// this once.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints", tag = "webhooks",
    request_body = CreateEndpoint,
    responses((status = 201, body = CreatedEndpoint),
              (status = 422, description = "Invalid, a URL webhooks may not reach (`webhook_url_forbidden`), or a `cloud_api` endpoint that failed Meta's handshake (`webhook_verification_failed`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiJson(body): ApiJson<CreateEndpoint>,
) -> AppResult<(StatusCode, Json<CreatedEndpoint>)> {
    let format = match body.format.unwrap_or_default() {
        EndpointFormat::Switchboard => HookFormat::Switchboard,
        EndpointFormat::CloudApi => HookFormat::CloudApi,
    };
    let input = rules::NewEndpoint {
        url: body.url,
        events: body.events.unwrap_or_default(),
        description: body.description,
        enabled: body.enabled,
        headers: body.headers,
        format,
        channel_ids: body.channel_ids,
        verify_token: body.verify_token,
        secret: body.secret,
    };
    let created = rules::create_endpoint(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Endpoints, newest first.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints", tag = "webhooks", params(PageQuery),
    responses((status = 200, body = Paged<Endpoint>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<Endpoint>>> {
    let page = rules::list_endpoints(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |e| e)))
}

/// One endpoint, with its delivery success rate over 24 hours.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{endpoint_id}", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)),
    responses((status = 200, body = Endpoint)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<Json<Endpoint>> {
    Ok(Json(rules::get_endpoint(&state, &ctx, id).await?))
}

/// Change an endpoint.
#[utoipa::path(patch, path = "/api/v1/webhook-endpoints/{endpoint_id}", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)), request_body = UpdateEndpoint,
    responses((status = 200, body = Endpoint),
              (status = 422, description = "Invalid, or a URL webhooks may not reach (`webhook_url_forbidden`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    ApiJson(body): ApiJson<UpdateEndpoint>,
) -> AppResult<Json<Endpoint>> {
    let change = rules::EndpointChange {
        url: body.url,
        events: body.events,
        description: body.description,
        enabled: body.enabled,
        headers: body.headers,
        channel_ids: body.channel_ids,
        verify_token: body.verify_token,
    };
    Ok(Json(
        rules::update_endpoint(&state, &ctx, id, change).await?,
    ))
}

/// Remove an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhook-endpoints/{endpoint_id}", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<StatusCode> {
    rules::delete_endpoint(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret (shown once); the old one keeps signing for
/// `overlap_hours`.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints/{endpoint_id}/roll-secret", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)), request_body = RollSecret,
    responses((status = 200, body = RolledSecret)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn roll_secret(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    ApiJson(body): ApiJson<RollSecret>,
) -> AppResult<Json<RolledSecret>> {
    Ok(Json(
        rules::roll_secret(&state, &ctx, id, body.overlap_hours).await?,
    ))
}

/// Queue a `webhook.test` event to this endpoint only.
#[utoipa::path(post, path = "/api/v1/webhook-endpoints/{endpoint_id}/test", tag = "webhooks",
    params(("endpoint_id" = EndpointId, Path)),
    responses((status = 202, body = Delivery)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn send_test(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<(StatusCode, Json<Delivery>)> {
    let d = rules::send_test(&state, &ctx, id).await?;
    Ok((StatusCode::ACCEPTED, Json(d)))
}
