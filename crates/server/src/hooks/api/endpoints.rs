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
use domain::EndpointId;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// `https://…` (plain `http://` only where the deployment allows it),
    /// at most 2,048 characters, no user name or password.
    #[schema(min_length = 1, max_length = 2048)]
    pub url: String,
    /// Event names (`message.received`), families (`message.*`) or `*`.
    #[schema(min_items = 1, max_items = 100)]
    pub events: Vec<String>,
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
              (status = 422, description = "Invalid, or a URL webhooks may not reach (`webhook_url_forbidden`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiJson(body): ApiJson<CreateEndpoint>,
) -> AppResult<(StatusCode, Json<CreatedEndpoint>)> {
    let input = rules::NewEndpoint {
        url: body.url,
        events: body.events,
        description: body.description,
        enabled: body.enabled,
        headers: body.headers,
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
