//! `/api/v1/booking/services` and `/api/v1/booking/resources`: the
//! catalogue's routes, adapters over [`crate::booking::catalogue`].

use crate::auth::{Authorized, perm};
use crate::booking::catalogue::{self, ResourceInput, ResourceKind, ServiceInput};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::pagination::Paged;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ResourceId, ServiceId, Timestamp};
use serde::{Deserialize, Serialize};
use store::booking::{Resource, Service};
use utoipa::ToSchema;

/// A service of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: ServiceId,
    pub name: String,
    pub description: Option<String>,
    /// In the currency's minor units.
    pub price_minor: i64,
    pub currency: String,
    /// `€25.00`.
    pub price_label: String,
    pub duration_minutes: i64,
    pub category: Option<String>,
    pub icon: Option<String>,
    pub active: bool,
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Service> for ServiceView {
    fn from(s: Service) -> Self {
        ServiceView {
            price_label: crate::crm::deals::money::format(s.price_minor, &s.currency),
            id: s.id,
            name: s.name,
            description: s.description,
            price_minor: s.price_minor,
            currency: s.currency,
            duration_minutes: s.duration_minutes,
            category: s.category,
            icon: s.icon,
            active: s.active,
            position: s.position,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    /// 1 to 24 characters (a WhatsApp list row's title).
    #[schema(min_length = 1, max_length = 24)]
    pub name: String,
    /// Up to 72 characters (a list row's description).
    #[schema(max_length = 72)]
    pub description: Option<String>,
    #[schema(minimum = 0, maximum = 1e15)]
    pub price_minor: Option<i64>,
    /// ISO 4217.
    #[schema(pattern = "^[A-Z]{3}$", min_length = 3, max_length = 3)]
    pub currency: String,
    #[schema(minimum = 5, maximum = 720)]
    pub duration_minutes: i64,
    #[schema(max_length = 24)]
    pub category: Option<String>,
    /// An emoji.
    #[schema(max_length = 8)]
    pub icon: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    #[schema(min_length = 1, max_length = 24)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 72)]
    pub description: Option<Option<String>>,
    #[schema(minimum = 0, maximum = 1e15)]
    pub price_minor: Option<i64>,
    #[schema(pattern = "^[A-Z]{3}$", min_length = 3, max_length = 3)]
    pub currency: Option<String>,
    #[schema(minimum = 5, maximum = 720)]
    pub duration_minutes: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 24)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 8)]
    pub icon: Option<Option<String>>,
    pub active: Option<bool>,
    /// The catalogue's order (0 first).
    #[schema(minimum = 0, maximum = 1000000)]
    pub position: Option<i64>,
}

/// The services, in catalogue order.
#[utoipa::path(get, path = "/api/v1/booking/services", tag = "booking",
    responses((status = 200, body = Paged<ServiceView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_services(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Json<Paged<ServiceView>>> {
    let items = catalogue::list_services(&state, &ctx).await?;
    Ok(Json(Paged {
        items: items.into_iter().map(ServiceView::from).collect(),
        next_cursor: None,
    }))
}

/// Add a service at the end of the catalogue.
#[utoipa::path(post, path = "/api/v1/booking/services", tag = "booking",
    request_body = CreateService,
    responses((status = 201, body = ServiceView), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_service(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(b): ApiJson<CreateService>,
) -> AppResult<(StatusCode, Json<ServiceView>)> {
    let input = ServiceInput {
        name: Some(b.name),
        description: Some(b.description),
        price_minor: Some(b.price_minor.unwrap_or(0)),
        currency: Some(b.currency),
        duration_minutes: Some(b.duration_minutes),
        category: Some(b.category),
        icon: Some(b.icon),
        active: b.active,
        position: None,
    };
    let s = catalogue::create_service(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[utoipa::path(get, path = "/api/v1/booking/services/{service_id}", tag = "booking",
    params(("service_id" = ServiceId, Path)),
    responses((status = 200, body = ServiceView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_service(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ServiceId>,
) -> AppResult<Json<ServiceView>> {
    Ok(Json(catalogue::get_service(&state, &ctx, id).await?.into()))
}

/// Change a service (bookings already made keep their price and times).
#[utoipa::path(patch, path = "/api/v1/booking/services/{service_id}", tag = "booking",
    params(("service_id" = ServiceId, Path)), request_body = UpdateService,
    responses((status = 200, body = ServiceView), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_service(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ServiceId>,
    ApiJson(b): ApiJson<UpdateService>,
) -> AppResult<Json<ServiceView>> {
    let input = ServiceInput {
        name: b.name,
        description: b.description,
        price_minor: b.price_minor,
        currency: b.currency,
        duration_minutes: b.duration_minutes,
        category: b.category,
        icon: b.icon,
        active: b.active,
        position: b.position,
    };
    Ok(Json(
        catalogue::update_service(&state, &ctx, id, input)
            .await?
            .into(),
    ))
}

/// Delete a service that has no bookings.
#[utoipa::path(delete, path = "/api/v1/booking/services/{service_id}", tag = "booking",
    params(("service_id" = ServiceId, Path)),
    responses((status = 204),
              (status = 409, description = "It has bookings (`service_in_use`): make it inactive.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_service(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ServiceId>,
) -> AppResult<StatusCode> {
    catalogue::delete_service(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff or a resource.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: ResourceId,
    pub name: String,
    /// `staff` or `resource`.
    pub kind: String,
    /// How many bookings it takes at once.
    pub capacity: i64,
    pub active: bool,
    /// The services it gives.
    pub service_ids: Vec<ServiceId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        ResourceView {
            id: r.id,
            name: r.name,
            kind: r.kind,
            capacity: r.capacity,
            active: r.active,
            service_ids: r.service_ids,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateResource {
    #[schema(min_length = 1, max_length = 24)]
    pub name: String,
    /// `staff` (default) or `resource`.
    pub kind: Option<ResourceKind>,
    /// Default 1.
    #[schema(minimum = 1, maximum = 1000)]
    pub capacity: Option<i64>,
    pub active: Option<bool>,
    /// Every current service when left out.
    #[schema(max_items = 200)]
    pub service_ids: Option<Vec<ServiceId>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    #[schema(min_length = 1, max_length = 24)]
    pub name: Option<String>,
    pub kind: Option<ResourceKind>,
    #[schema(minimum = 1, maximum = 1000)]
    pub capacity: Option<i64>,
    pub active: Option<bool>,
    #[schema(max_items = 200)]
    pub service_ids: Option<Vec<ServiceId>>,
}

/// Staff and resources, by name.
#[utoipa::path(get, path = "/api/v1/booking/resources", tag = "booking",
    responses((status = 200, body = Paged<ResourceView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_resources(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Json<Paged<ResourceView>>> {
    let items = catalogue::list_resources(&state, &ctx).await?;
    Ok(Json(Paged {
        items: items.into_iter().map(ResourceView::from).collect(),
        next_cursor: None,
    }))
}

/// Add staff or a resource.
#[utoipa::path(post, path = "/api/v1/booking/resources", tag = "booking",
    request_body = CreateResource,
    responses((status = 201, body = ResourceView), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_resource(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(b): ApiJson<CreateResource>,
) -> AppResult<(StatusCode, Json<ResourceView>)> {
    let input = ResourceInput {
        name: Some(b.name),
        kind: b.kind,
        capacity: b.capacity,
        active: b.active,
        service_ids: b.service_ids,
    };
    let r = catalogue::create_resource(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/booking/resources/{resource_id}", tag = "booking",
    params(("resource_id" = ResourceId, Path)),
    responses((status = 200, body = ResourceView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_resource(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ResourceId>,
) -> AppResult<Json<ResourceView>> {
    Ok(Json(
        catalogue::get_resource(&state, &ctx, id).await?.into(),
    ))
}

/// Change staff or a resource (a lower capacity leaves bookings made).
#[utoipa::path(patch, path = "/api/v1/booking/resources/{resource_id}", tag = "booking",
    params(("resource_id" = ResourceId, Path)), request_body = UpdateResource,
    responses((status = 200, body = ResourceView), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_resource(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ResourceId>,
    ApiJson(b): ApiJson<UpdateResource>,
) -> AppResult<Json<ResourceView>> {
    let input = ResourceInput {
        name: b.name,
        kind: b.kind,
        capacity: b.capacity,
        active: b.active,
        service_ids: b.service_ids,
    };
    Ok(Json(
        catalogue::update_resource(&state, &ctx, id, input)
            .await?
            .into(),
    ))
}

/// Delete staff or a resource that has no bookings.
#[utoipa::path(delete, path = "/api/v1/booking/resources/{resource_id}", tag = "booking",
    params(("resource_id" = ResourceId, Path)),
    responses((status = 204),
              (status = 409, description = "It has bookings (`resource_in_use`): make it inactive.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_resource(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ResourceId>,
) -> AppResult<StatusCode> {
    catalogue::delete_resource(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
