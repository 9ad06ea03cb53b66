//! Bookings: made by the bot (pending until the customer confirms), by
//! the team in the dashboard or through the API (confirmed), moved,
//! cancelled, and settled as completed or a no-show, each with its
//! history.
//!
//! **Never double-booked.** [`book_in`] and [`reschedule_in`] lock the
//! resource (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's one writer
//! already runs writes one at a time), read what it holds then, and
//! insert only if [`fits`](super::availability::fits) says it still has
//! room, all in one transaction: two customers racing for the last place
//! cannot both get it.
//!
//! The bot only offers the slots [`super::availability`] computes. The
//! team may book any future time (outside the hours too, as a business
//! does for a favour), but never beyond a resource's capacity. When the
//! team makes, moves or cancels a booking, the customer is told on
//! WhatsApp under the rules of sending; a refusal (the 24-hour window has
//! closed, the customer opted out) is answered, not an error.
//!
//! Here: the team's rules ([`create_booking`], [`reschedule_booking`],
//! [`set_status`]) and what they share; `placing` makes and moves
//! bookings, `status` settles them, `views` shows them.

mod placing;
mod status;
mod views;

pub use placing::{Move, book_in, reschedule_in};
pub use status::{may_move, set_status_in};
pub use views::{BookingDetail, BookingView, Changed, HistoryView, get_booking, list_bookings};

use super::settings::{self, Settings};
use crate::auth::TenantCtx;
use crate::channels::send::{Lane, Outgoing, SentBy};
use crate::error::{AppError, AppResult};
use crate::scheduled::Content;
use crate::state::AppState;
use domain::events::BookingRef;
use domain::messaging::WaId;
use domain::{BookingId, ChannelId, ContactId, Permission, ResourceId, ServiceId, Timestamp};
use store::TenantTx;
use store::booking::{Booking, BookingStatus, NewHistoryEntry};

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

/// The first reminder still to come for a booking starting at `starts_at`
/// as of `now`: the largest offset whose time is after `now`.
pub fn next_reminder(starts_at: Timestamp, offsets: &[i64], now: Timestamp) -> Option<Timestamp> {
    offsets
        .iter()
        .map(|m| starts_at.plus_seconds(-m * 60))
        .filter(|at| *at > now && *at < starts_at)
        .min()
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

#[cfg(test)]
mod tests {
    use super::placing::reference;
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
