//! Business hours (docs/DESIGN.md, "Business hours"): the workspace's
//! schedule, and optionally a number's own that overrides it for that
//! number — a time zone, weekly ranges, holidays, enabled or not, and a
//! welcome and an away message.
//!
//! - [`schedule`]: the schedule as a value, its checks, and the pure
//!   rules [`is_open`] and [`closed_since`];
//! - this module: the rules that read and change schedules, and
//!   [`is_open_in`], what conditions ask;
//! - [`replies`]: the consumer of the event log that sends the welcome and
//!   away messages.
//!
//! [`super::api_hours`] and the dashboard's tab are thin adapters.

pub mod replies;
pub mod schedule;

pub use schedule::{Hours, HoursInput, TimeRange, WEEKDAYS, WeeklyHours, closed_since, is_open};

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{BusinessHoursRef, Event};
use domain::{BusinessHoursId, ChannelId, Permission, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::business_hours::BusinessHours;
use store::events::CursorStart;

/// A stored schedule, read.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub stored: BusinessHours,
    pub hours: Hours,
}

impl Schedule {
    /// Reads a stored schedule (checked when it was written; one that no
    /// longer reads is an internal error).
    fn of(stored: BusinessHours) -> AppResult<Schedule> {
        let weekly: WeeklyHours =
            serde_json::from_value(stored.weekly.clone()).map_err(AppError::internal)?;
        let holidays: Vec<String> =
            serde_json::from_value(stored.holidays.clone()).map_err(AppError::internal)?;
        let input = HoursInput {
            enabled: stored.enabled,
            time_zone: Some(stored.time_zone.clone()),
            weekly,
            holidays,
            welcome_message: stored.welcome_message.clone(),
            away_message: stored.away_message.clone(),
        };
        let hours = Hours::parse(&input, &stored.time_zone)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored business hours: {e:?}")))?;
        Ok(Schedule { stored, hours })
    }

    fn event_ref(&self) -> BusinessHoursRef {
        BusinessHoursRef {
            channel_id: self.stored.channel_id,
            enabled: self.hours.enabled,
            time_zone: self.hours.time_zone.clone(),
            welcome: self.hours.welcome_message.is_some(),
            away: self.hours.away_message.is_some(),
        }
    }
}

/// Refuses a number the tenant does not have (404, like any other id).
async fn number_exists(tx: &mut TenantTx, channel: Option<ChannelId>) -> AppResult<()> {
    if let Some(c) = channel {
        tx.find_channel(c).await?;
    }
    Ok(())
}

async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    s: &Schedule,
    verb: &str,
    now: Timestamp,
) -> AppResult<()> {
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("business_hours.{verb}"),
        ("business_hours", s.stored.id.to_string()),
        json!({ "channel_id": s.stored.channel_id, "enabled": s.hours.enabled,
                "time_zone": s.hours.time_zone }),
    )
    .await
}

/// The schedule of number `channel` (`None`: the workspace's); 404 when
/// it has none of its own (or the tenant has no such number).
pub async fn get_hours(
    state: &AppState,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
) -> AppResult<Schedule> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    number_exists(&mut tx, channel).await?;
    let stored = tx.find_business_hours(channel).await?;
    tx.commit().await?;
    Schedule::of(stored.ok_or(AppError::NotFound)?)
}

/// The tenant's schedules and the workspace's time zone (a new
/// schedule's default).
#[derive(Debug, Clone)]
pub struct Listed {
    /// The workspace's first.
    pub schedules: Vec<Schedule>,
    pub time_zone: String,
}

/// Every schedule of the tenant, with the workspace's time zone.
pub async fn list_hours(state: &AppState, ctx: &TenantCtx) -> AppResult<Listed> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let all = tx.list_business_hours().await?;
    let time_zone = crate::tenancy::zone::tenant_zone(&mut tx).await?;
    tx.commit().await?;
    let schedules = all
        .into_iter()
        .map(Schedule::of)
        .collect::<AppResult<_>>()?;
    Ok(Listed {
        schedules,
        time_zone,
    })
}

/// Sets the schedule of number `channel` (`None`: the workspace's),
/// creating or replacing it. Its messages apply to messages received from
/// now on, never to history.
pub async fn set_hours(
    state: &AppState,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
    input: HoursInput,
) -> AppResult<Schedule> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    number_exists(&mut tx, channel).await?;
    let zone = crate::tenancy::zone::tenant_zone(&mut tx).await?;
    let hours = Hours::parse(&input, &zone)?;
    let first = tx.list_business_hours().await?.is_empty();
    let row = BusinessHours {
        id: BusinessHoursId::new(),
        channel_id: channel,
        enabled: hours.enabled,
        time_zone: hours.time_zone.clone(),
        weekly: serde_json::to_value(hours.weekly()).map_err(AppError::internal)?,
        holidays: serde_json::to_value(hours.holidays()).map_err(AppError::internal)?,
        welcome_message: hours.welcome_message.clone(),
        away_message: hours.away_message.clone(),
        created_at: now,
        updated_at: now,
    };
    let inserted = tx.upsert_business_hours(&row).await?;
    if first {
        // The messages apply from here on: the consumer (idle while the
        // tenant had no schedule) starts at the log's end.
        tx.lock_cursor(replies::CONSUMER, CursorStart::Latest)
            .await?;
        let latest = tx.latest_event_seq().await?;
        tx.advance_cursor(replies::CONSUMER, latest, now).await?;
    }
    let stored = tx
        .find_business_hours(channel)
        .await?
        .ok_or(AppError::NotFound)?;
    let schedule = Schedule { stored, hours };
    record(
        &mut tx,
        Event::BusinessHoursUpdated(schedule.event_ref()),
        now,
    );
    let verb = if inserted { "create" } else { "update" };
    audit(&mut tx, ctx, &schedule, verb, now).await?;
    tx.commit().await?;
    Ok(schedule)
}

/// Deletes number `channel`'s own schedule (`None`: the workspace's); the
/// workspace's applies to the number again.
pub async fn delete_hours(
    state: &AppState,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    number_exists(&mut tx, channel).await?;
    let stored = tx
        .find_business_hours(channel)
        .await?
        .ok_or(AppError::NotFound)?;
    let schedule = Schedule::of(stored)?;
    tx.delete_business_hours(channel).await?;
    record(
        &mut tx,
        Event::BusinessHoursDeleted(schedule.event_ref()),
        now,
    );
    audit(&mut tx, ctx, &schedule, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The schedule that applies to number `channel_id`: its own if it has
/// one, else the workspace's (`None` for no number: the workspace's).
pub async fn applying(
    tx: &mut TenantTx,
    channel_id: Option<ChannelId>,
) -> AppResult<Option<Hours>> {
    match tx.find_applying_business_hours(channel_id).await? {
        Some(stored) => Ok(Some(Schedule::of(stored)?.hours)),
        None => Ok(None),
    }
}

/// Whether the business is open at `at` for number `channel_id`: by the
/// number's own schedule if it has one, else the workspace's. Without a
/// schedule, or with the applying one disabled, it is always open. For
/// conditions (`within_business_hours`).
pub async fn is_open_in(
    tx: &mut TenantTx,
    channel_id: Option<ChannelId>,
    at: Timestamp,
) -> AppResult<bool> {
    Ok(applying(tx, channel_id)
        .await?
        .is_none_or(|h| is_open(&h, at)))
}
