//! Bookings as the API and the dashboard show them, with the reads
//! that list them and show one with its history.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{BookingId, ChannelId, ContactId, Permission, ResourceId, ServiceId, Timestamp};
use serde::Serialize;
use store::booking::{Booking, BookingFilter, HistoryEntry};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// A booking with whether the customer was told of the change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Changed {
    #[serde(flatten)]
    pub booking: BookingView,
    /// Whether a WhatsApp message telling the customer was queued.
    pub customer_notified: bool,
    /// Why not, when not (`outside_window`, `opted_out`, …).
    pub notify_error: Option<String>,
}

/// A booking as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    pub id: BookingId,
    /// What the customer is told (`BK-7F3K2A`).
    pub reference: String,
    pub service_id: ServiceId,
    pub service_name: String,
    pub resource_id: ResourceId,
    pub resource_name: String,
    pub contact_id: ContactId,
    /// The customer's WhatsApp number.
    pub contact_phone: String,
    pub channel_id: Option<ChannelId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// `pending`, `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    pub customer_name: String,
    /// `on_site`, `bank_transfer` or `payment_link`.
    pub payment_method: String,
    /// The service's price when booked, in minor units.
    pub price_minor: i64,
    pub currency: String,
    pub notes: Option<String>,
    /// `bot`, `dashboard` or `api`.
    pub source: String,
    /// The next reminder's time, if one is still to go.
    pub remind_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Booking> for BookingView {
    fn from(b: Booking) -> Self {
        BookingView {
            id: b.id,
            reference: b.reference,
            service_id: b.service_id,
            service_name: b.service_name,
            resource_id: b.resource_id,
            resource_name: b.resource_name,
            contact_id: b.contact_id,
            contact_phone: b.contact_phone,
            channel_id: b.channel_id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            status: b.status.as_str().to_owned(),
            customer_name: b.customer_name,
            payment_method: b.payment_method,
            price_minor: b.price_minor,
            currency: b.currency,
            notes: b.notes,
            source: b.source,
            remind_at: b.remind_at,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// One row of a booking's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryView {
    /// `created`, `confirmed`, `rescheduled`, `completed`, `cancelled`, `no_show`.
    pub action: String,
    pub status: String,
    /// The booking's start after this change.
    pub starts_at: Timestamp,
    /// `user:<id>`, `api_key:<id>`, `system:bot`…
    pub actor: String,
    pub note: Option<String>,
    pub at: Timestamp,
}

impl From<HistoryEntry> for HistoryView {
    fn from(h: HistoryEntry) -> Self {
        HistoryView {
            action: h.action,
            status: h.status.as_str().to_owned(),
            starts_at: h.starts_at,
            actor: h.actor,
            note: h.note,
            at: h.at,
        }
    }
}

/// A booking with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingDetail {
    #[serde(flatten)]
    pub booking: BookingView,
    pub history: Vec<HistoryView>,
}

/// Bookings matching `filter`, by start time.
pub async fn list_bookings(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &BookingFilter,
    page: PageRequest,
) -> AppResult<Page<BookingView>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_bookings(filter, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(BookingView::from).collect(),
        next: found.next,
    })
}

/// A booking with its history.
pub async fn get_booking(
    state: &AppState,
    ctx: &TenantCtx,
    id: BookingId,
) -> AppResult<BookingDetail> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let b = tx.find_booking(id).await?;
    let history = tx.list_booking_history(id).await?;
    tx.commit().await?;
    Ok(BookingDetail {
        booking: b.into(),
        history: history.into_iter().map(HistoryView::from).collect(),
    })
}
