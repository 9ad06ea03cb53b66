//! `/api/v1/booking/settings`, `/api/v1/booking/services`,
//! `/api/v1/booking/resources`, `/api/v1/availability` and
//! `/api/v1/bookings`: adapters over [`super`]'s rules.

use super::availability::{self, DayAvailability};
use super::bookings::{self as rules, BookingDetail, BookingView, Changed, NewBooking, Via};
use super::bot::SessionView;
use super::catalogue::{self, ResourceInput, ResourceKind, ServiceInput};
use super::settings::{self, Settings, SettingsInput};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{BookingId, ChannelId, ContactId, ConversationId, ResourceId, ServiceId, Timestamp};
use serde::{Deserialize, Serialize};
use store::booking::{BookingFilter, BookingStatus, Resource, Service};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_services, create_service))
        .routes(routes!(get_service, update_service, delete_service))
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource, delete_resource))
        .routes(routes!(get_availability))
        .routes(routes!(list_bookings, create_booking))
        .routes(routes!(get_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(set_booking_status))
        .routes(routes!(get_booking_session))
}

/// Where the customer of a conversation is with the booking bot (404 if
/// the bot never spoke there).
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/booking-session", tag = "booking",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = SessionView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_booking_session(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<SessionView>> {
    super::bot::session_of(&state, &ctx, id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// The booking settings (defaults, with the bot answering nowhere, until
/// first set).
#[utoipa::path(get, path = "/api/v1/booking/settings", tag = "booking",
    responses((status = 200, body = Settings)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_settings(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Json<Settings>> {
    Ok(Json(settings::get_settings(&state, &ctx).await?))
}

/// Set the booking settings. Fields left out take their defaults.
#[utoipa::path(put, path = "/api/v1/booking/settings", tag = "booking",
    request_body = SettingsInput,
    responses((status = 200, body = Settings),
              (status = 422, description = "Invalid, or a number that is not the workspace's.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_settings(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<SettingsInput>,
) -> AppResult<Json<Settings>> {
    Ok(Json(settings::set_settings(&state, &ctx, body).await?))
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The service's id.
    pub service: ServiceId,
    /// `YYYY-MM-DD` in the booking settings' time zone.
    #[param(format = Date)]
    pub date: String,
    /// Only this resource's slots.
    pub resource: Option<ResourceId>,
}

/// The free slots of a service on a day: within the booking hours and
/// window, with the resources free at each.
#[utoipa::path(get, path = "/api/v1/availability", tag = "booking",
    params(AvailabilityQuery),
    responses((status = 200, body = DayAvailability), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_availability(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> AppResult<Json<DayAvailability>> {
    Ok(Json(
        availability::availability(&state, &ctx, q.service, &q.date, q.resource).await?,
    ))
}

/// A booking's status as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    Pending,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl From<StatusName> for BookingStatus {
    fn from(s: StatusName) -> Self {
        match s {
            StatusName::Pending => BookingStatus::Pending,
            StatusName::Confirmed => BookingStatus::Confirmed,
            StatusName::Completed => BookingStatus::Completed,
            StatusName::Cancelled => BookingStatus::Cancelled,
            StatusName::NoShow => BookingStatus::NoShow,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingQuery {
    /// Starting at or after.
    pub from: Option<Timestamp>,
    /// Starting before.
    pub to: Option<Timestamp>,
    pub status: Option<StatusName>,
    pub service_id: Option<ServiceId>,
    pub resource_id: Option<ResourceId>,
    pub contact_id: Option<ContactId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// Bookings by start time, filtered by time, status, service, resource
/// and contact.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "booking",
    params(BookingQuery),
    responses((status = 200, body = Paged<BookingView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_bookings(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<BookingQuery>,
) -> AppResult<Json<Paged<BookingView>>> {
    let filter = BookingFilter {
        from: q.from,
        to: q.to,
        status: q.status.map(Into::into),
        service: q.service_id,
        resource: q.resource_id,
        contact: q.contact_id,
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let page = rules::list_bookings(&state, &ctx, &filter, page).await?;
    Ok(Json(Paged::from_page(page, |b| b)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBooking {
    pub service_id: ServiceId,
    /// The first free resource giving the service when left out.
    pub resource_id: Option<ResourceId>,
    pub contact_id: ContactId,
    /// The number the customer is told on (the bot's first number when
    /// left out).
    pub channel_id: Option<ChannelId>,
    /// Any future time; capacity always applies.
    pub starts_at: Timestamp,
    /// The contact's name when left out.
    #[schema(min_length = 1, max_length = 100)]
    pub customer_name: Option<String>,
    /// `on_site`, `bank_transfer` or `payment_link`: one the settings offer.
    pub payment_method: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// Tell the customer on WhatsApp (default true).
    pub notify: Option<bool>,
}

/// Book a customer in (confirmed). The customer is told on WhatsApp
/// unless `notify` is false; if the rules of sending refuse (the window
/// is closed), the booking is made and `notify_error` says why.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "booking",
    request_body = CreateBooking,
    responses((status = 201, body = Changed),
              (status = 409, description = "The resource is full then (`slot_taken`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_booking(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(b): ApiJson<CreateBooking>,
) -> AppResult<(StatusCode, Json<Changed>)> {
    let input = NewBooking {
        service_id: b.service_id,
        resource_id: b.resource_id,
        contact_id: b.contact_id,
        channel_id: b.channel_id,
        starts_at: b.starts_at,
        customer_name: b.customer_name,
        payment_method: b.payment_method,
        notes: b.notes,
        status: BookingStatus::Confirmed,
    };
    let out =
        rules::create_booking(&state, &ctx, input, Via::Api, b.notify.unwrap_or(true)).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A booking with its history.
#[utoipa::path(get, path = "/api/v1/bookings/{booking_id}", tag = "booking",
    params(("booking_id" = BookingId, Path)),
    responses((status = 200, body = BookingDetail)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_booking(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<BookingId>,
) -> AppResult<Json<BookingDetail>> {
    Ok(Json(rules::get_booking(&state, &ctx, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBooking {
    pub starts_at: Timestamp,
    /// Another resource giving the service; its own (or the first free)
    /// when left out.
    pub resource_id: Option<ResourceId>,
    /// Tell the customer on WhatsApp (default true).
    pub notify: Option<bool>,
}

/// Move a pending or confirmed booking to another time.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/reschedule", tag = "booking",
    params(("booking_id" = BookingId, Path)), request_body = RescheduleBooking,
    responses((status = 200, body = Changed),
              (status = 409, description = "Full then (`slot_taken`), or the booking is closed (`booking_closed`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<BookingId>,
    ApiJson(b): ApiJson<RescheduleBooking>,
) -> AppResult<Json<Changed>> {
    let notify = b.notify.unwrap_or(true);
    Ok(Json(
        rules::reschedule_booking(
            &state,
            &ctx,
            id,
            b.starts_at,
            b.resource_id,
            Via::Api,
            notify,
        )
        .await?,
    ))
}

/// A status a booking can be moved to (never back to pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewStatus {
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl From<NewStatus> for BookingStatus {
    fn from(s: NewStatus) -> Self {
        match s {
            NewStatus::Confirmed => BookingStatus::Confirmed,
            NewStatus::Completed => BookingStatus::Completed,
            NewStatus::Cancelled => BookingStatus::Cancelled,
            NewStatus::NoShow => BookingStatus::NoShow,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBookingStatus {
    /// `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: NewStatus,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Tell the customer of a cancellation on WhatsApp (default true).
    pub notify: Option<bool>,
}

/// Confirm, complete, cancel or mark a no-show. Pending → confirmed or
/// cancelled; confirmed → completed, no-show or cancelled; completed and
/// no-show can be corrected into each other; cancelled is final.
#[utoipa::path(post, path = "/api/v1/bookings/{booking_id}/status", tag = "booking",
    params(("booking_id" = BookingId, Path)), request_body = SetBookingStatus,
    responses((status = 200, body = Changed),
              (status = 409, description = "Not a move the booking can make (`invalid_transition`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn set_booking_status(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<BookingId>,
    ApiJson(b): ApiJson<SetBookingStatus>,
) -> AppResult<Json<Changed>> {
    let notify = b.notify.unwrap_or(true);
    Ok(Json(
        rules::set_status(&state, &ctx, id, b.status.into(), b.note, Via::Api, notify).await?,
    ))
}
