//! The workspace's booking settings: which numbers the bot answers on, its
//! greeting and language, the hours bookings can be made in (weekly
//! hours, holidays and closures in a time zone), the booking window
//! (minimum notice, how far ahead, buffer, slot length), the idle timeout,
//! reminders, payment methods and custom replies.
//!
//! [`Settings`] can only hold valid settings; a workspace that never set
//! them has [`Settings::defaults`] (the bot answering nowhere). The
//! checks that make them valid are in `checks`.

mod checks;

use super::{changed, language::Language};
use crate::auth::TenantCtx;
use crate::automations::hours::{Hours, WeeklyHours};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::events::{BookingSettingsUpdated, Event};
use domain::{ChannelId, Permission, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::TenantTx;
use store::booking::BookingSettings;
use store::events::CursorStart;
use utoipa::ToSchema;

/// Custom replies, at most.
pub const MAX_RESPONSES: usize = 50;
/// Closures, at most.
pub const MAX_CLOSURES: usize = 100;
/// Reminders per booking, at most.
pub const MAX_REMINDERS: usize = 3;

/// A closed stretch of days (both included), in the settings' zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub start: String,
    /// `YYYY-MM-DD`, on or after `start`.
    #[schema(format = Date)]
    pub end: String,
    pub reason: Option<String>,
}

/// How customers can pay; at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Pay at the appointment.
    #[serde(default)]
    pub on_site: bool,
    /// Bank transfer: the account details told to the customer, with the
    /// booking's reference to quote.
    #[schema(max_length = 500)]
    pub bank_transfer: Option<String>,
    /// A payment link (https) told to the customer.
    #[schema(max_length = 500)]
    pub payment_link: Option<String>,
}

/// Keywords that, at any point of the conversation, get a fixed reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomResponse {
    /// Matched as whole words, ignoring case and accents.
    #[schema(min_items = 1, max_items = 20)]
    pub keywords: Vec<String>,
    #[schema(min_length = 1, max_length = 4096)]
    pub reply: String,
}

/// The template reminders go out as (the customer's window may be closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderTemplate {
    pub name: String,
    /// Its language code (`en_US`).
    pub language: String,
}

/// Valid booking settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Settings {
    /// The numbers the bot answers on (none: it is off).
    pub channel_ids: Vec<ChannelId>,
    pub greeting: String,
    /// The language of the bot's own words: `en`, `es` or `pt`.
    pub language: Language,
    pub time_zone: String,
    pub weekly: WeeklyHours,
    /// `YYYY-MM-DD`, closed all day.
    pub holidays: Vec<String>,
    pub closures: Vec<Closure>,
    /// How long before its start a booking can be made at the latest.
    pub min_notice_minutes: i64,
    /// How many days ahead bookings can be made.
    pub max_days_ahead: i64,
    /// Free time kept after each booking on its resource.
    pub buffer_minutes: i64,
    /// Slots start every this many minutes within the hours.
    pub slot_minutes: i64,
    /// A customer silent this long in the middle of booking starts over.
    pub idle_minutes: i64,
    /// Minutes before the start at which reminders go (`[1440]`: a day
    /// before). Empty: no reminders.
    pub reminder_minutes: Vec<i64>,
    /// The approved template reminders use; none: a text, sent only
    /// while the customer's window is open.
    pub reminder_template: Option<ReminderTemplate>,
    pub payment: Payment,
    pub responses: Vec<CustomResponse>,
    /// `null` until the settings are first saved.
    pub updated_at: Option<Timestamp>,
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) hours: Hours,
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) closed: Vec<(Date, Date)>,
}

/// Settings as people give them: every field optional (a default).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub channel_ids: Option<Vec<ChannelId>>,
    #[schema(max_length = 1024)]
    pub greeting: Option<String>,
    pub language: Option<Language>,
    /// IANA name; the workspace's when left out.
    pub time_zone: Option<String>,
    pub weekly: Option<WeeklyHours>,
    pub holidays: Option<Vec<String>>,
    pub closures: Option<Vec<Closure>>,
    #[schema(minimum = 0, maximum = 43200)]
    pub min_notice_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 365)]
    pub max_days_ahead: Option<i64>,
    #[schema(minimum = 0, maximum = 480)]
    pub buffer_minutes: Option<i64>,
    #[schema(minimum = 5, maximum = 240)]
    pub slot_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 10080)]
    pub idle_minutes: Option<i64>,
    pub reminder_minutes: Option<Vec<i64>>,
    pub reminder_template: Option<ReminderTemplate>,
    pub payment: Option<Payment>,
    pub responses: Option<Vec<CustomResponse>>,
}

impl Settings {
    /// What a workspace that never set its settings has: the bot off.
    pub fn defaults(zone: &str) -> AppResult<Settings> {
        Settings::parse(SettingsInput::default(), zone, None)
    }

    /// Reads stored settings (checked when written).
    pub fn of(stored: BookingSettings) -> AppResult<Settings> {
        let parse = |v: serde_json::Value| -> AppResult<SettingsInput> {
            serde_json::from_value(v).map_err(AppError::internal)
        };
        let input = parse(json!({
            "channel_ids": stored.channel_ids,
            "greeting": stored.greeting,
            "language": stored.language,
            "time_zone": stored.time_zone,
            "weekly": stored.weekly,
            "holidays": stored.holidays,
            "closures": stored.closures,
            "min_notice_minutes": stored.min_notice_minutes,
            "max_days_ahead": stored.max_days_ahead,
            "buffer_minutes": stored.buffer_minutes,
            "slot_minutes": stored.slot_minutes,
            "idle_minutes": stored.idle_minutes,
            "reminder_minutes": stored.reminder_minutes,
            "reminder_template": stored.reminder_template.zip(stored.reminder_language)
                .map(|(name, language)| json!({ "name": name, "language": language })),
            "payment": stored.payment,
            "responses": stored.responses,
        }))?;
        Settings::parse(input, "UTC", Some(stored.updated_at))
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored booking settings: {e:?}")))
    }

    fn stored(&self, now: Timestamp) -> BookingSettings {
        BookingSettings {
            channel_ids: json!(self.channel_ids),
            greeting: self.greeting.clone(),
            language: self.language.code().to_owned(),
            time_zone: self.time_zone.clone(),
            weekly: json!(self.weekly),
            holidays: json!(self.holidays),
            closures: json!(self.closures),
            min_notice_minutes: self.min_notice_minutes,
            max_days_ahead: self.max_days_ahead,
            buffer_minutes: self.buffer_minutes,
            slot_minutes: self.slot_minutes,
            idle_minutes: self.idle_minutes,
            reminder_minutes: json!(self.reminder_minutes),
            reminder_template: self.reminder_template.as_ref().map(|t| t.name.clone()),
            reminder_language: self.reminder_template.as_ref().map(|t| t.language.clone()),
            payment: json!(self.payment),
            responses: json!(self.responses),
            updated_at: now,
        }
    }

    /// Whether the bot answers on `channel`.
    pub fn answers_on(&self, channel: ChannelId) -> bool {
        self.channel_ids.contains(&channel)
    }

    /// Whether `date` falls in a closure.
    pub(crate) fn closed_on(&self, date: Date) -> bool {
        self.closed.iter().any(|&(s, e)| s <= date && date <= e)
    }

    /// The payment methods offered, as stored on a booking.
    pub fn payment_methods(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.payment.on_site {
            out.push("on_site");
        }
        if self.payment.bank_transfer.is_some() {
            out.push("bank_transfer");
        }
        if self.payment.payment_link.is_some() {
            out.push("payment_link");
        }
        out
    }
}

/// The workspace's settings in `tx` (defaults if never set).
pub async fn current(tx: &mut TenantTx) -> AppResult<Settings> {
    match tx.find_booking_settings().await? {
        Some(stored) => Settings::of(stored),
        None => Settings::defaults(&crate::tenancy::zone::tenant_zone(tx).await?),
    }
}

/// The booking settings.
pub async fn get_settings(state: &AppState, ctx: &TenantCtx) -> AppResult<Settings> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let settings = current(&mut tx).await?;
    tx.commit().await?;
    Ok(settings)
}

/// Sets the booking settings (fields left out take their defaults). The
/// numbers must be the workspace's.
pub async fn set_settings(
    state: &AppState,
    ctx: &TenantCtx,
    input: SettingsInput,
) -> AppResult<Settings> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let zone = crate::tenancy::zone::tenant_zone(&mut tx).await?;
    let mut settings = Settings::parse(input, &zone, Some(now))?;
    for (i, c) in settings.channel_ids.iter().enumerate() {
        if tx.find_channel(*c).await.is_err() {
            return Err(AppError::validation(
                format!("channel_ids[{i}]"),
                "not a number of this workspace",
            ));
        }
    }
    if tx.find_booking_settings().await?.is_none() {
        // The bot answers from here on: its consumer (idle while the
        // tenant had no settings) starts at the log's end.
        tx.lock_cursor(super::bot::CONSUMER, CursorStart::Latest)
            .await?;
        let latest = tx.latest_event_seq().await?;
        tx.advance_cursor(super::bot::CONSUMER, latest, now).await?;
    }
    tx.upsert_booking_settings(&settings.stored(now)).await?;
    settings.updated_at = Some(now);
    let event = Event::BookingSettingsUpdated(BookingSettingsUpdated {
        channel_ids: settings.channel_ids.clone(),
        time_zone: settings.time_zone.clone(),
    });
    let details = json!({ "channel_ids": settings.channel_ids, "time_zone": settings.time_zone });
    changed(
        &mut tx,
        ctx,
        event,
        "booking_settings.update",
        ("booking_settings", "workspace".into()),
        details,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(settings)
}
