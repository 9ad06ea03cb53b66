//! The booking bot's tables: the workspace's settings
//! (`booking_settings`, [`BookingSettings`]), its catalogue ([`catalogue`]:
//! services and the staff or resources giving them), bookings with their
//! history ([`bookings`]) and each customer's place in the bot's
//! conversation ([`sessions`]). Hours, payment methods and custom replies
//! are JSON to the store: the server reads and checks them.

pub mod bookings;
pub mod catalogue;
pub mod sessions;

pub use bookings::{Booking, BookingFilter, BookingStatus, HistoryEntry, NewHistoryEntry};
pub use catalogue::{Resource, Service};
pub use sessions::BotSession;

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::Timestamp;
use serde_json::Value;

/// The workspace's booking settings as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingSettings {
    /// The numbers the bot answers on (JSON array of ids).
    pub channel_ids: Value,
    pub greeting: String,
    pub language: String,
    pub time_zone: String,
    pub weekly: Value,
    pub holidays: Value,
    pub closures: Value,
    pub min_notice_minutes: i64,
    pub max_days_ahead: i64,
    pub buffer_minutes: i64,
    pub slot_minutes: i64,
    pub idle_minutes: i64,
    pub reminder_minutes: Value,
    pub reminder_template: Option<String>,
    pub reminder_language: Option<String>,
    pub payment: Value,
    pub responses: Value,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    channel_ids: String,
    greeting: String,
    language: String,
    time_zone: String,
    weekly: String,
    holidays: String,
    closures: String,
    min_notice_minutes: i64,
    max_days_ahead: i64,
    buffer_minutes: i64,
    slot_minutes: i64,
    idle_minutes: i64,
    reminder_minutes: String,
    reminder_template: Option<String>,
    reminder_language: Option<String>,
    payment: String,
    responses: String,
    updated_at: i64,
}

fn json(s: &str) -> StoreResult<Value> {
    serde_json::from_str(s).map_err(StoreError::corrupt)
}

impl TryFrom<SettingsRow> for BookingSettings {
    type Error = StoreError;
    fn try_from(r: SettingsRow) -> StoreResult<Self> {
        Ok(BookingSettings {
            channel_ids: json(&r.channel_ids)?,
            greeting: r.greeting,
            language: r.language,
            time_zone: r.time_zone,
            weekly: json(&r.weekly)?,
            holidays: json(&r.holidays)?,
            closures: json(&r.closures)?,
            min_notice_minutes: r.min_notice_minutes,
            max_days_ahead: r.max_days_ahead,
            buffer_minutes: r.buffer_minutes,
            slot_minutes: r.slot_minutes,
            idle_minutes: r.idle_minutes,
            reminder_minutes: json(&r.reminder_minutes)?,
            reminder_template: r.reminder_template,
            reminder_language: r.reminder_language,
            payment: json(&r.payment)?,
            responses: json(&r.responses)?,
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

impl TenantTx {
    /// The workspace's booking settings, if it ever set them.
    pub async fn find_booking_settings(&mut self) -> StoreResult<Option<BookingSettings>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SettingsRow>(
            "SELECT channel_ids, greeting, language, time_zone, weekly, holidays, closures, \
                 min_notice_minutes, max_days_ahead, buffer_minutes, slot_minutes, idle_minutes, \
                 reminder_minutes, reminder_template, reminder_language, payment, responses, \
                 updated_at \
             FROM booking_settings WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(BookingSettings::try_from).transpose()
    }

    /// Writes the workspace's booking settings (inserted or replaced).
    pub async fn upsert_booking_settings(&mut self, s: &BookingSettings) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO booking_settings (tenant_id, channel_ids, greeting, language, time_zone, \
                 weekly, holidays, closures, min_notice_minutes, max_days_ahead, buffer_minutes, \
                 slot_minutes, idle_minutes, reminder_minutes, reminder_template, \
                 reminder_language, payment, responses, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $18, $19) \
             ON CONFLICT (tenant_id) DO UPDATE SET channel_ids = excluded.channel_ids, \
                 greeting = excluded.greeting, language = excluded.language, \
                 time_zone = excluded.time_zone, weekly = excluded.weekly, \
                 holidays = excluded.holidays, closures = excluded.closures, \
                 min_notice_minutes = excluded.min_notice_minutes, \
                 max_days_ahead = excluded.max_days_ahead, \
                 buffer_minutes = excluded.buffer_minutes, slot_minutes = excluded.slot_minutes, \
                 idle_minutes = excluded.idle_minutes, \
                 reminder_minutes = excluded.reminder_minutes, \
                 reminder_template = excluded.reminder_template, \
                 reminder_language = excluded.reminder_language, payment = excluded.payment, \
                 responses = excluded.responses, updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.channel_ids.to_string())
        .bind(&s.greeting)
        .bind(&s.language)
        .bind(&s.time_zone)
        .bind(s.weekly.to_string())
        .bind(s.holidays.to_string())
        .bind(s.closures.to_string())
        .bind(s.min_notice_minutes)
        .bind(s.max_days_ahead)
        .bind(s.buffer_minutes)
        .bind(s.slot_minutes)
        .bind(s.idle_minutes)
        .bind(s.reminder_minutes.to_string())
        .bind(s.reminder_template.as_deref())
        .bind(s.reminder_language.as_deref())
        .bind(s.payment.to_string())
        .bind(s.responses.to_string())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
