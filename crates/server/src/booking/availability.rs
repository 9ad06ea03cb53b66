//! When a service can be booked: the slots of a day, from the settings'
//! hours (in their zone, holidays and closures closed), the booking
//! window (minimum notice, days ahead), the slot length, the service's
//! duration, the buffer after each booking, and what the resources that
//! give the service already hold.
//!
//! Everything here but [`availability`] is a pure function of its
//! arguments; the same [`fits`] decides, inside the transaction that holds
//! the resource's lock, whether a booking can be made.

use super::settings::{self, Settings};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, ResourceId, ServiceId, Timestamp};
use jiff::civil::Date;
use serde::Serialize;
use store::booking::{Booking, Resource, Service};
use utoipa::ToSchema;

/// An interval a resource is held: from a booking's start to the end of
/// its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub resource: ResourceId,
    pub from: Timestamp,
    pub until: Timestamp,
}

impl From<&Booking> for Held {
    fn from(b: &Booking) -> Self {
        Held {
            resource: b.resource_id,
            from: b.starts_at,
            until: b.blocks_until,
        }
    }
}

/// Whether a resource of `capacity` can take one more booking holding it
/// `from`..`until`, given what it holds already (`held`: its own
/// intervals): at no moment of that time may it hold `capacity` already.
pub fn fits(capacity: i64, from: Timestamp, until: Timestamp, held: &[Held]) -> bool {
    // The most held at once within from..until is reached at one of the
    // starts there (or at `from`).
    let overlapping: Vec<&Held> = held
        .iter()
        .filter(|h| h.from < until && h.until > from)
        .collect();
    let mut points: Vec<Timestamp> = overlapping.iter().map(|h| h.from.max(from)).collect();
    points.push(from);
    points.into_iter().all(|p| {
        let at_once = overlapping
            .iter()
            .filter(|h| h.from <= p && p < h.until)
            .count();
        i64::try_from(at_once).unwrap_or(i64::MAX) < capacity
    })
}

/// One bookable time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Slot {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The start as the settings' zone shows it (`09:30`).
    pub time: String,
    /// The resources free then, by name.
    pub resource_ids: Vec<ResourceId>,
}

/// The resources that give `service` and are active, by name.
pub fn givers<'a>(service: &Service, resources: &'a [Resource]) -> Vec<&'a Resource> {
    resources
        .iter()
        .filter(|r| r.active && r.service_ids.contains(&service.id))
        .collect()
}

/// The days bookings may fall on as of `now`: today (in the settings'
/// zone) to `max_days_ahead` days later.
pub fn window(settings: &Settings, now: Timestamp) -> (Date, Date) {
    let today = settings.hours.wall(now).date();
    let last = today
        .checked_add(jiff::Span::new().days(settings.max_days_ahead))
        .unwrap_or(today);
    (today, last)
}

/// The slots of `service` on `date` as of `now`, given the resources
/// that give it and what they hold.
pub fn slots_on(
    settings: &Settings,
    service: &Service,
    givers: &[&Resource],
    held: &[Held],
    date: Date,
    now: Timestamp,
) -> Vec<Slot> {
    let (first, last) = window(settings, now);
    if !service.active
        || givers.is_empty()
        || date < first
        || date > last
        || settings.closed_on(date)
    {
        return Vec::new();
    }
    let earliest = now.plus_seconds(settings.min_notice_minutes * 60);
    let step = u16::try_from(settings.slot_minutes).unwrap_or(30).max(1);
    let duration = service.duration_minutes;
    let mut slots: Vec<Slot> = Vec::new();
    for &(open, close) in settings.hours.ranges_on(date) {
        let close_at = settings.hours.instant(date, close);
        let mut m = open;
        while m < close {
            let starts_at = settings.hours.instant(date, m);
            let ends_at = starts_at.plus_seconds(duration * 60);
            let wall = settings.hours.wall(starts_at);
            // A wall time the clocks skip (a spring-forward night) is no slot.
            let real = wall.date() == date
                && i32::from(wall.hour()) * 60 + i32::from(wall.minute()) == i32::from(m);
            if ends_at > close_at {
                break;
            }
            let fresh = slots.last().is_none_or(|s| s.starts_at < starts_at);
            if real && fresh && starts_at >= earliest {
                let until = ends_at.plus_seconds(settings.buffer_minutes * 60);
                let free: Vec<ResourceId> = givers
                    .iter()
                    .filter(|r| {
                        let own: Vec<Held> = held
                            .iter()
                            .filter(|h| h.resource == r.id)
                            .copied()
                            .collect();
                        fits(r.capacity, starts_at, until, &own)
                    })
                    .map(|r| r.id)
                    .collect();
                if !free.is_empty() {
                    slots.push(Slot {
                        starts_at,
                        ends_at,
                        time: format!("{:02}:{:02}", wall.hour(), wall.minute()),
                        resource_ids: free,
                    });
                }
            }
            m = m.saturating_add(step);
        }
    }
    slots
}

/// The instants `date` begins and ends in the settings' zone.
pub fn day_bounds(settings: &Settings, date: Date) -> (Timestamp, Timestamp) {
    (
        settings.hours.instant(date, 0),
        settings.hours.instant(date, 24 * 60),
    )
}

/// What a day of a service looks like.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayAvailability {
    pub service_id: ServiceId,
    /// `YYYY-MM-DD` in `time_zone`.
    #[schema(format = Date)]
    pub date: String,
    pub time_zone: String,
    pub slots: Vec<Slot>,
}

/// The free slots of `service` on `date` (`YYYY-MM-DD` in the settings'
/// zone), optionally of one resource.
pub async fn availability(
    state: &AppState,
    ctx: &TenantCtx,
    service: ServiceId,
    date: &str,
    resource: Option<ResourceId>,
) -> AppResult<DayAvailability> {
    ctx.require(Permission::InboxRead)?;
    let day = Date::strptime("%Y-%m-%d", date.trim())
        .map_err(|_| AppError::validation("date", "a date: YYYY-MM-DD"))?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let settings = settings::current(&mut tx).await?;
    let service = tx
        .find_service(service)
        .await
        .map_err(|_| AppError::validation("service", "not a service of this workspace"))?;
    let resources = tx.list_resources().await?;
    if let Some(r) = resource
        && !resources.iter().any(|x| x.id == r)
    {
        return Err(AppError::validation(
            "resource",
            "not a resource of this workspace",
        ));
    }
    let givers: Vec<&Resource> = givers(&service, &resources)
        .into_iter()
        .filter(|r| resource.is_none_or(|only| only == r.id))
        .collect();
    let (from, to) = day_bounds(&settings, day);
    let ids: Vec<ResourceId> = givers.iter().map(|r| r.id).collect();
    let held: Vec<Held> = tx
        .taken_between(&ids, from, to.plus_seconds(24 * 3600))
        .await?
        .iter()
        .map(Held::from)
        .collect();
    tx.commit().await?;
    Ok(DayAvailability {
        service_id: service.id,
        date: day.to_string(),
        time_zone: settings.time_zone.clone(),
        slots: slots_on(&settings, &service, &givers, &held, day, now),
    })
}

#[cfg(test)]
#[path = "availability_tests.rs"]
mod tests;
