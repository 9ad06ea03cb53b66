//! Placing a booking in time: making one ([`book_in`]) and moving one
//! ([`reschedule_in`]), each on a locked resource that still has room
//! (see [`super`]'s note on capacity).

use super::{NewBooking, Via, booking_ref, history, next_reminder, notes};
use crate::auth::TenantCtx;
use crate::booking::availability::{Held, fits};
use crate::booking::changed;
use crate::booking::settings::Settings;
use crate::error::{AppError, AppResult};
use domain::events::{BookingRescheduled, Event};
use domain::{BookingId, ResourceId, ServiceId, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::booking::{Booking, Resource};

/// Letters and digits that cannot be misread (no 0/O, 1/I/L).
const REFERENCE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A fresh reference, `BK-` and six characters.
pub(super) fn reference() -> String {
    let code: String = (0..6)
        .map(|_| {
            let i = rand::random_range(0..REFERENCE_ALPHABET.len());
            char::from(REFERENCE_ALPHABET[i])
        })
        .collect();
    format!("BK-{code}")
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
