//! Bookings: made by the bot (pending until the customer confirms), by
//! the team in the dashboard or through the API (confirmed), moved,
//! cancelled, and settled as completed or a no-show, each with its
//! history.
//!
//! **Never double-booked.** [`book_in`] and [`reschedule_in`] lock the
//! resource (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's one writer
//! already runs writes one at a time), read what it holds then, and
//! insert only if [`fits`] says it still has room, all in one
//! transaction: two customers racing for the last place cannot both get
//! it.
//!
//! The bot only offers the slots [`super::availability`] computes. The
//! team may book any future time (outside the hours too, as a business
//! does for a favour), but never beyond a resource's capacity. When the
//! team makes, moves or cancels a booking, the customer is told on
//! WhatsApp under the rules of sending; a refusal (the 24-hour window has
//! closed, the customer opted out) is answered, not an error.

use super::availability::{Held, fits};
use super::changed;
use super::settings::{self, Settings};
use crate::auth::TenantCtx;
use crate::channels::send::{Lane, Outgoing, SentBy};
use crate::error::{AppError, AppResult};
use crate::scheduled::Content;
use crate::state::AppState;
use domain::events::{BookingRef, BookingRescheduled, BookingStatusChanged, Event};
use domain::messaging::WaId;
use domain::{BookingId, ChannelId, ContactId, Permission, ResourceId, ServiceId, Timestamp};
use serde::Serialize;
use serde_json::json;
use store::TenantTx;
use store::booking::{
    Booking, BookingFilter, BookingStatus, HistoryEntry, NewHistoryEntry, Resource,
};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// Who made a change, as events and the history name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Bot,
    Dashboard,
    Api,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Bot => "bot",
            Via::Dashboard => "dashboard",
            Via::Api => "api",
        }
    }
}

/// A booking to make.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub service_id: ServiceId,
    /// `None`: the first resource giving the service that is free then.
    pub resource_id: Option<ResourceId>,
    pub contact_id: ContactId,
    /// The number the customer is told on; the bot's first number when
    /// `None`.
    pub channel_id: Option<ChannelId>,
    pub starts_at: Timestamp,
    /// The contact's name when `None`.
    pub customer_name: Option<String>,
    /// One of the settings' methods; the first when `None`.
    pub payment_method: Option<String>,
    pub notes: Option<String>,
    pub status: BookingStatus,
}

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

pub(crate) fn booking_ref(b: &Booking, via: Via) -> BookingRef {
    BookingRef {
        booking_id: b.id,
        reference: b.reference.clone(),
        service_id: b.service_id,
        resource_id: b.resource_id,
        contact_id: b.contact_id,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        status: b.status.as_str().to_owned(),
        via: via.as_str().to_owned(),
    }
}

/// Letters and digits that cannot be misread (no 0/O, 1/I/L).
const REFERENCE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A fresh reference, `BK-` and six characters.
fn reference() -> String {
    let code: String = (0..6)
        .map(|_| {
            let i = rand::random_range(0..REFERENCE_ALPHABET.len());
            char::from(REFERENCE_ALPHABET[i])
        })
        .collect();
    format!("BK-{code}")
}

/// The first reminder still to come for a booking starting at `starts_at`
/// as of `now`: the largest offset whose time is after `now`.
pub fn next_reminder(starts_at: Timestamp, offsets: &[i64], now: Timestamp) -> Option<Timestamp> {
    offsets
        .iter()
        .map(|m| starts_at.plus_seconds(-m * 60))
        .filter(|at| *at > now && *at < starts_at)
        .min()
}

/// What a booking holds, from its start to the end of its buffer.
fn until(settings: &Settings, ends_at: Timestamp) -> Timestamp {
    ends_at.plus_seconds(settings.buffer_minutes * 60)
}

/// Whether `resource` (locked in `tx`) has room `from`..`to`, not
/// counting booking `except`.
async fn has_room(
    tx: &mut TenantTx,
    resource: &Resource,
    from: Timestamp,
    to: Timestamp,
    except: Option<BookingId>,
) -> AppResult<bool> {
    let held: Vec<Held> = tx
        .taken_between(&[resource.id], from, to)
        .await?
        .iter()
        .filter(|b| Some(b.id) != except)
        .map(Held::from)
        .collect();
    Ok(fits(resource.capacity, from, to, &held))
}

/// The resources that may take a booking of `service`: `wanted` (which
/// must give it), or every active one giving it, by name.
async fn candidates(
    tx: &mut TenantTx,
    service: ServiceId,
    wanted: Option<ResourceId>,
) -> AppResult<Vec<ResourceId>> {
    let all = tx.list_resources().await?;
    match wanted {
        Some(id) => {
            let r = all.iter().find(|r| r.id == id).ok_or_else(|| {
                AppError::validation("resource_id", "not a resource of this workspace")
            })?;
            if !r.active || !r.service_ids.contains(&service) {
                return Err(AppError::validation(
                    "resource_id",
                    "this resource does not give this service (or is inactive)",
                ));
            }
            Ok(vec![id])
        }
        None => Ok(all
            .iter()
            .filter(|r| r.active && r.service_ids.contains(&service))
            .map(|r| r.id)
            .collect()),
    }
}

fn slot_taken() -> AppError {
    AppError::Conflict(
        "slot_taken",
        "this time is no longer free: choose another".into(),
    )
}

/// Makes a booking in `tx` (see the module's note on capacity).
pub async fn book_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    settings: &Settings,
    input: NewBooking,
    via: Via,
    now: Timestamp,
) -> AppResult<Booking> {
    if input.starts_at <= now {
        return Err(AppError::validation("starts_at", "must be in the future"));
    }
    let service = tx
        .find_service(input.service_id)
        .await
        .map_err(|_| AppError::validation("service_id", "not a service of this workspace"))?;
    if !service.active {
        return Err(AppError::validation(
            "service_id",
            "this service is inactive",
        ));
    }
    let contact = tx
        .find_contact(input.contact_id)
        .await
        .map_err(|_| AppError::validation("contact_id", "not a contact of this workspace"))?;
    let channel_id = match input.channel_id {
        Some(c) => {
            tx.find_channel(c).await.map_err(|_| {
                AppError::validation("channel_id", "not a number of this workspace")
            })?;
            Some(c)
        }
        None => settings.channel_ids.first().copied(),
    };
    let methods = settings.payment_methods();
    let payment_method = match input.payment_method {
        Some(m) if methods.contains(&m.as_str()) => m,
        Some(_) => {
            return Err(AppError::validation(
                "payment_method",
                format!("one of the workspace's: {}", methods.join(", ")),
            ));
        }
        None => methods.first().copied().unwrap_or("on_site").to_owned(),
    };
    let customer_name = match input.customer_name {
        Some(n) => domain::values::display_name(&n, 100)
            .map_err(|e| AppError::validation("customer_name", e.message))?,
        None => contact
            .name
            .clone()
            .or_else(|| contact.profile_name.clone())
            .unwrap_or_else(|| contact.wa_id.clone().unwrap_or_default()),
    };
    let notes = notes(input.notes)?;
    let ends_at = input.starts_at.plus_seconds(service.duration_minutes * 60);
    let blocks_until = until(settings, ends_at);
    let mut chosen = None;
    for id in candidates(tx, service.id, input.resource_id).await? {
        let resource = tx.lock_booking_resource(id).await?;
        if has_room(tx, &resource, input.starts_at, blocks_until, None).await? {
            chosen = Some(resource);
            break;
        }
    }
    let resource = chosen.ok_or_else(slot_taken)?;
    let mut reference = reference();
    while tx.booking_reference_taken(&reference).await? {
        reference = self::reference();
    }
    let booking = Booking {
        id: BookingId::new(),
        reference,
        service_id: service.id,
        resource_id: resource.id,
        contact_id: contact.id,
        channel_id,
        starts_at: input.starts_at,
        ends_at,
        blocks_until,
        status: input.status,
        customer_name,
        payment_method,
        price_minor: service.price_minor,
        currency: service.currency.clone(),
        notes,
        source: via.as_str().to_owned(),
        remind_at: next_reminder(input.starts_at, &settings.reminder_minutes, now),
        created_at: now,
        updated_at: now,
        service_name: service.name.clone(),
        resource_name: resource.name.clone(),
        contact_phone: contact.wa_id.clone().unwrap_or_default(),
    };
    tx.insert_booking(&booking).await?;
    history(tx, ctx, &booking, "created", None, now).await?;
    let details = json!({ "reference": booking.reference, "service": service.name,
        "resource": resource.name, "starts_at": booking.starts_at, "via": via.as_str() });
    let event = Event::BookingCreated(booking_ref(&booking, via));
    changed(
        tx,
        ctx,
        event,
        "booking.create",
        ("booking", booking.id.to_string()),
        details,
        now,
    )
    .await?;
    Ok(booking)
}

fn notes(raw: Option<String>) -> AppResult<Option<String>> {
    let n = raw.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if n.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::validation("notes", "at most 2000 characters"));
    }
    Ok(n)
}

async fn history(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    b: &Booking,
    action: &str,
    note: Option<&str>,
    now: Timestamp,
) -> AppResult<()> {
    let actor = ctx.principal_key();
    tx.insert_booking_history(&NewHistoryEntry {
        booking_id: b.id,
        action,
        status: b.status,
        starts_at: b.starts_at,
        actor: &actor,
        note,
        at: now,
    })
    .await?;
    Ok(())
}

/// Where a booking moves to: a start, and a resource (`None`: its own,
/// or the first free one giving its service if its own is taken then).
#[derive(Debug, Clone, Copy)]
pub struct Move {
    pub starts_at: Timestamp,
    pub resource: Option<ResourceId>,
}

/// Moves a booking that still holds its time (see [`Move`]).
pub async fn reschedule_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    settings: &Settings,
    id: BookingId,
    to: Move,
    via: Via,
    now: Timestamp,
) -> AppResult<Booking> {
    let Move {
        starts_at,
        resource,
    } = to;
    let mut b = tx.find_booking(id).await?;
    if !b.status.holds_time() {
        return Err(AppError::Conflict(
            "booking_closed",
            format!("a {} booking cannot be moved", b.status.as_str()),
        ));
    }
    if starts_at <= now {
        return Err(AppError::validation("starts_at", "must be in the future"));
    }
    let duration = b.ends_at.as_millis() - b.starts_at.as_millis();
    let ends_at = starts_at.plus_millis(duration);
    let blocks_until = until(settings, ends_at);
    let mut order = candidates(tx, b.service_id, resource).await?;
    if resource.is_none() {
        // Its own resource first.
        order.sort_by_key(|r| *r != b.resource_id);
    }
    let mut chosen = None;
    for r in order {
        let locked = tx.lock_booking_resource(r).await?;
        if has_room(tx, &locked, starts_at, blocks_until, Some(b.id)).await? {
            chosen = Some(locked);
            break;
        }
    }
    let resource = chosen.ok_or_else(slot_taken)?;
    let (previous_starts_at, previous_resource_id) = (b.starts_at, b.resource_id);
    b.starts_at = starts_at;
    b.ends_at = ends_at;
    b.blocks_until = blocks_until;
    b.resource_id = resource.id;
    b.resource_name = resource.name.clone();
    b.remind_at = next_reminder(starts_at, &settings.reminder_minutes, now);
    b.updated_at = now;
    tx.update_booking(&b).await?;
    history(tx, ctx, &b, "rescheduled", None, now).await?;
    let details = json!({ "reference": b.reference, "from": previous_starts_at,
        "to": starts_at, "resource": resource.name, "via": via.as_str() });
    let event = Event::BookingRescheduled(BookingRescheduled {
        booking: booking_ref(&b, via),
        previous_starts_at,
        previous_resource_id,
    });
    changed(
        tx,
        ctx,
        event,
        "booking.reschedule",
        ("booking", b.id.to_string()),
        details,
        now,
    )
    .await?;
    Ok(b)
}

/// Whether a booking may go from `from` to `to`: pending → confirmed or
/// cancelled; confirmed → completed, no-show or cancelled; completed and
/// no-show may be corrected into each other; cancelled is final.
pub fn may_move(from: BookingStatus, to: BookingStatus) -> bool {
    use BookingStatus::*;
    matches!(
        (from, to),
        (Pending, Confirmed | Cancelled)
            | (Confirmed, Completed | NoShow | Cancelled)
            | (Completed, NoShow)
            | (NoShow, Completed)
    )
}

/// Sets a booking's status (see [`may_move`]); a cancelled one frees its
/// time and gets no more reminders.
pub async fn set_status_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    id: BookingId,
    status: BookingStatus,
    note: Option<String>,
    via: Via,
    now: Timestamp,
) -> AppResult<Booking> {
    let mut b = tx.find_booking(id).await?;
    if b.status == status {
        return Ok(b);
    }
    if !may_move(b.status, status) {
        return Err(AppError::Conflict(
            "invalid_transition",
            format!(
                "a {} booking cannot become {}",
                b.status.as_str(),
                status.as_str()
            ),
        ));
    }
    let note = notes(note)?;
    let previous = b.status;
    b.status = status;
    if !status.holds_time() {
        b.remind_at = None;
    }
    b.updated_at = now;
    tx.update_booking(&b).await?;
    history(tx, ctx, &b, status.as_str(), note.as_deref(), now).await?;
    let r = booking_ref(&b, via);
    let event = if status == BookingStatus::Cancelled {
        Event::BookingCancelled(r)
    } else {
        Event::BookingStatusChanged(BookingStatusChanged {
            booking: r,
            previous_status: previous.as_str().to_owned(),
        })
    };
    let details = json!({ "reference": b.reference, "from": previous.as_str(),
        "to": status.as_str(), "note": note, "via": via.as_str() });
    let action = if status == BookingStatus::Cancelled {
        "booking.cancel".to_owned()
    } else {
        format!("booking.{}", status.as_str())
    };
    changed(
        tx,
        ctx,
        event,
        &action,
        ("booking", b.id.to_string()),
        details,
        now,
    )
    .await?;
    Ok(b)
}

/// Tells the customer `text` about booking `b` on its number, in a
/// savepoint: a refusal by the rules of sending is answered (and undone),
/// anything else is an error.
pub(crate) async fn tell(
    tx: &mut TenantTx,
    b: &Booking,
    text: String,
    now: Timestamp,
) -> AppResult<Option<String>> {
    let (Some(channel), Some(to)) = (b.channel_id, WaId::parse(&b.contact_phone).ok()) else {
        return Ok(Some("no_number".into()));
    };
    let out = Outgoing {
        conversation_id: None,
        channel_id: Some(channel),
        to: Some(to),
        reply_to: None,
        content: Content::Text { text }.outgoing(),
        lane: Lane::Conversational,
    };
    queue_or_refusal(tx, out, now).await
}

/// Queues `out` under the rules of sending in a savepoint of `tx`: `None`
/// when queued, the rule's code when one refused it (and nothing of it
/// stays), an error otherwise. What every message of the booking area
/// goes through (the bot's replies, reminders, the team's notices).
pub(crate) async fn queue_or_refusal(
    tx: &mut TenantTx,
    out: Outgoing,
    now: Timestamp,
) -> AppResult<Option<String>> {
    let queued = crate::channels::send::queue_or_refusal(tx, SentBy::Bot, out, now).await?;
    Ok(queued.err().map(|(code, _)| code))
}

/// The message telling the customer of the team's change to `b`.
fn staff_message(
    settings: &Settings,
    b: &Booking,
    which: fn(&super::language::Words) -> &'static str,
) -> String {
    let words = settings.language.words();
    let when = settings.language.when(settings.hours.wall(b.starts_at));
    super::language::fill(
        which(words),
        &[
            ("service", &b.service_name),
            ("when", &when),
            ("reference", &b.reference),
        ],
    )
}

/// What the team did, and whether the customer was told.
async fn told(
    tx: &mut TenantTx,
    settings: &Settings,
    b: Booking,
    which: fn(&super::language::Words) -> &'static str,
    notify: bool,
    now: Timestamp,
) -> AppResult<Changed> {
    let notify_error = if notify {
        tell(tx, &b, staff_message(settings, &b, which), now).await?
    } else {
        Some("not_requested".into())
    };
    Ok(Changed {
        customer_notified: notify_error.is_none(),
        notify_error,
        booking: b.into(),
    })
}

/// Makes a booking for a customer (the team or the API: confirmed), and
/// tells them when `notify`.
pub async fn create_booking(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewBooking,
    via: Via,
    notify: bool,
) -> AppResult<Changed> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let settings = settings::current(&mut tx).await?;
    let b = book_in(&mut tx, ctx, &settings, input, via, now).await?;
    let out = told(&mut tx, &settings, b, |w| w.staff_booked, notify, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(out)
}

/// Moves a booking, and tells the customer when `notify`.
pub async fn reschedule_booking(
    state: &AppState,
    ctx: &TenantCtx,
    id: BookingId,
    starts_at: Timestamp,
    resource: Option<ResourceId>,
    via: Via,
    notify: bool,
) -> AppResult<Changed> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let settings = settings::current(&mut tx).await?;
    let to = Move {
        starts_at,
        resource,
    };
    let b = reschedule_in(&mut tx, ctx, &settings, id, to, via, now).await?;
    let out = told(&mut tx, &settings, b, |w| w.staff_moved, notify, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(out)
}

/// Sets a booking's status; a cancellation is told to the customer when
/// `notify`.
pub async fn set_status(
    state: &AppState,
    ctx: &TenantCtx,
    id: BookingId,
    status: BookingStatus,
    note: Option<String>,
    via: Via,
    notify: bool,
) -> AppResult<Changed> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let settings = settings::current(&mut tx).await?;
    let b = set_status_in(&mut tx, ctx, id, status, note, via, now).await?;
    let tell_it = notify && status == BookingStatus::Cancelled;
    let out = told(&mut tx, &settings, b, |w| w.staff_cancelled, tell_it, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_reminder_is_the_earliest_still_to_come() {
        let start = Timestamp::from_millis(10 * 86_400_000);
        let day_before = start.plus_seconds(-86_400);
        let two_hours = start.plus_seconds(-7200);
        let offsets = [1440, 120];
        assert_eq!(
            next_reminder(start, &offsets, Timestamp::from_millis(0)),
            Some(day_before)
        );
        assert_eq!(next_reminder(start, &offsets, day_before), Some(two_hours));
        assert_eq!(next_reminder(start, &offsets, two_hours), None);
        assert_eq!(next_reminder(start, &[], Timestamp::from_millis(0)), None);
    }

    #[test]
    fn statuses_move_only_forward_and_cancelled_is_final() {
        use BookingStatus::*;
        assert!(may_move(Pending, Confirmed));
        assert!(may_move(Confirmed, Cancelled));
        assert!(may_move(Completed, NoShow));
        assert!(!may_move(Cancelled, Confirmed));
        assert!(!may_move(Pending, Completed));
        assert!(!may_move(Completed, Pending));
    }

    #[test]
    fn references_are_readable() {
        for _ in 0..100 {
            let r = reference();
            assert_eq!(r.len(), 9);
            assert!(r.starts_with("BK-"));
            assert!(!r[3..].contains(['0', 'O', '1', 'I', 'L']), "{r}");
        }
    }
}
