//! `/api/v1/booking/settings`, `/api/v1/booking/services`,
//! `/api/v1/booking/resources`, `/api/v1/availability` and
//! `/api/v1/bookings`: adapters over [`super`]'s rules. The catalogue's
//! routes (services and resources) are in `catalogue`.

mod catalogue;

use super::availability::{self, DayAvailability};
use super::bookings::{self as rules, BookingDetail, BookingView, Changed, NewBooking, Via};
use super::bot::SessionView;
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
use serde::Deserialize;
use store::booking::{BookingFilter, BookingStatus};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(catalogue::list_services, catalogue::create_service))
        .routes(routes!(
            catalogue::get_service,
            catalogue::update_service,
            catalogue::delete_service
        ))
        .routes(routes!(
            catalogue::list_resources,
            catalogue::create_resource
        ))
        .routes(routes!(
            catalogue::get_resource,
            catalogue::update_resource,
            catalogue::delete_resource
        ))
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
