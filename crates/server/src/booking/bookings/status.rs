//! A booking's status: the moves it may make ([`may_move`]) and making
//! one ([`set_status_in`]).

use super::{Via, booking_ref, history, notes};
use crate::auth::TenantCtx;
use crate::booking::changed;
use crate::error::{AppError, AppResult};
use domain::events::{BookingStatusChanged, Event};
use domain::{BookingId, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::booking::{Booking, BookingStatus};

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
