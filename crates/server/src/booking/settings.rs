//! The workspace's booking settings: which numbers the bot answers on, its
//! greeting and language, the hours bookings can be made in (weekly
//! hours, holidays and closures in a time zone), the booking window
//! (minimum notice, how far ahead, buffer, slot length), the idle timeout,
//! reminders, payment methods and custom replies.
//!
//! [`Settings`] can only hold valid settings; a workspace that never set
//! them has [`Settings::defaults`] (the bot answering nowhere).

use super::{changed, language::Language};
use crate::auth::TenantCtx;
use crate::automations::hours::{Hours, HoursInput, TimeRange, WeeklyHours};
use crate::error::{AppError, AppResult, FieldError};
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

const DEFAULT_GREETING: &str = "Hi! I can book an appointment for you.";

/// Monday to Friday, 09:00 to 17:00.
fn default_weekly() -> WeeklyHours {
    let day = || {
        vec![TimeRange {
            start: "09:00".into(),
            end: "17:00".into(),
        }]
    };
    WeeklyHours {
        monday: day(),
        tuesday: day(),
        wednesday: day(),
        thursday: day(),
        friday: day(),
        ..WeeklyHours::default()
    }
}

fn in_range(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<i64>,
    default: i64,
    (min, max): (i64, i64),
) -> i64 {
    let v = value.unwrap_or(default);
    if !(min..=max).contains(&v) {
        errors.push(FieldError {
            field: field.into(),
            message: format!("from {min} to {max}"),
        });
    }
    v
}

fn date(raw: &str) -> Option<Date> {
    Date::strptime("%Y-%m-%d", raw.trim()).ok()
}

fn text(errors: &mut Vec<FieldError>, field: String, raw: &str, max: usize) -> Option<String> {
    match domain::values::display_name(raw, max) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError {
                field,
                message: e.message,
            });
            None
        }
    }
}

/// A longer text (a reply): trimmed, 1 to `max` characters, line breaks
/// allowed.
fn long_text(errors: &mut Vec<FieldError>, field: String, raw: &str, max: usize) -> String {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max {
        errors.push(FieldError {
            field,
            message: format!("1 to {max} characters"),
        });
    }
    t.to_owned()
}

impl Settings {
    /// What a workspace that never set its settings has: the bot off.
    pub fn defaults(zone: &str) -> AppResult<Settings> {
        Settings::parse(SettingsInput::default(), zone, None)
    }

    /// The settings `input` describes (defaults where it is silent), in
    /// `zone` unless it names one; or every field at fault.
    pub fn parse(
        input: SettingsInput,
        zone: &str,
        updated_at: Option<Timestamp>,
    ) -> AppResult<Settings> {
        let mut errors = Vec::new();
        let weekly = input.weekly.unwrap_or_else(default_weekly);
        let hours = Hours::parse(
            &HoursInput {
                enabled: true,
                time_zone: input.time_zone.clone(),
                weekly,
                holidays: input.holidays.unwrap_or_default(),
                welcome_message: None,
                away_message: None,
            },
            zone,
        );
        let hours = match hours {
            Ok(h) => Some(h),
            Err(AppError::Validation(fields)) => {
                errors.extend(fields);
                None
            }
            Err(other) => return Err(other),
        };
        let mut channel_ids = input.channel_ids.unwrap_or_default();
        channel_ids.sort();
        channel_ids.dedup();
        let greeting = long_text(
            &mut errors,
            "greeting".into(),
            input.greeting.as_deref().unwrap_or(DEFAULT_GREETING),
            1024,
        );
        let closures = input.closures.unwrap_or_default();
        if closures.len() > MAX_CLOSURES {
            errors.push(FieldError {
                field: "closures".into(),
                message: format!("at most {MAX_CLOSURES}"),
            });
        }
        let mut closed = Vec::new();
        let mut clean_closures = Vec::new();
        for (i, c) in closures.into_iter().enumerate() {
            let (Some(start), Some(end)) = (date(&c.start), date(&c.end)) else {
                errors.push(FieldError {
                    field: format!("closures[{i}]"),
                    message: "write the dates as YYYY-MM-DD".into(),
                });
                continue;
            };
            if end < start {
                errors.push(FieldError {
                    field: format!("closures[{i}].end"),
                    message: "must be on or after the start".into(),
                });
                continue;
            }
            let reason = c
                .reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .and_then(|r| text(&mut errors, format!("closures[{i}].reason"), r, 200));
            closed.push((start, end));
            clean_closures.push(Closure {
                start: start.to_string(),
                end: end.to_string(),
                reason,
            });
        }
        let min_notice_minutes = in_range(
            &mut errors,
            "min_notice_minutes",
            input.min_notice_minutes,
            60,
            (0, 43_200),
        );
        let max_days_ahead = in_range(
            &mut errors,
            "max_days_ahead",
            input.max_days_ahead,
            30,
            (1, 365),
        );
        let buffer_minutes = in_range(
            &mut errors,
            "buffer_minutes",
            input.buffer_minutes,
            0,
            (0, 480),
        );
        let slot_minutes = in_range(
            &mut errors,
            "slot_minutes",
            input.slot_minutes,
            30,
            (5, 240),
        );
        let idle_minutes = in_range(
            &mut errors,
            "idle_minutes",
            input.idle_minutes,
            30,
            (1, 10_080),
        );
        let mut reminder_minutes = input.reminder_minutes.unwrap_or_else(|| vec![1440]);
        reminder_minutes.sort_unstable_by(|a, b| b.cmp(a));
        reminder_minutes.dedup();
        if reminder_minutes.len() > MAX_REMINDERS
            || reminder_minutes.iter().any(|m| !(5..=20_160).contains(m))
        {
            errors.push(FieldError {
                field: "reminder_minutes".into(),
                message: format!("at most {MAX_REMINDERS}, each from 5 to 20160 minutes"),
            });
        }
        let reminder_template = match input.reminder_template {
            Some(t) => {
                let name = t.name.trim().to_owned();
                let language = t.language.trim().to_owned();
                if name.is_empty() || name.len() > 512 || language.is_empty() || language.len() > 15
                {
                    errors.push(FieldError {
                        field: "reminder_template".into(),
                        message: "a template's name and language code".into(),
                    });
                }
                Some(ReminderTemplate { name, language })
            }
            None => None,
        };
        let payment = input.payment.unwrap_or(Payment {
            on_site: true,
            bank_transfer: None,
            payment_link: None,
        });
        let payment = check_payment(&mut errors, payment);
        let responses = input.responses.unwrap_or_default();
        if responses.len() > MAX_RESPONSES {
            errors.push(FieldError {
                field: "responses".into(),
                message: format!("at most {MAX_RESPONSES}"),
            });
        }
        let mut clean_responses = Vec::new();
        for (i, r) in responses.into_iter().enumerate() {
            if r.keywords.is_empty() || r.keywords.len() > 20 {
                errors.push(FieldError {
                    field: format!("responses[{i}].keywords"),
                    message: "1 to 20 keywords".into(),
                });
            }
            let keywords = r
                .keywords
                .iter()
                .enumerate()
                .filter_map(|(j, k)| {
                    text(&mut errors, format!("responses[{i}].keywords[{j}]"), k, 100)
                })
                .collect();
            let reply = long_text(&mut errors, format!("responses[{i}].reply"), &r.reply, 4096);
            clean_responses.push(CustomResponse { keywords, reply });
        }
        match hours {
            Some(hours) if errors.is_empty() => Ok(Settings {
                channel_ids,
                greeting,
                language: input.language.unwrap_or_default(),
                time_zone: hours.time_zone.clone(),
                weekly: hours.weekly(),
                holidays: hours.holidays(),
                closures: clean_closures,
                min_notice_minutes,
                max_days_ahead,
                buffer_minutes,
                slot_minutes,
                idle_minutes,
                reminder_minutes,
                reminder_template,
                payment,
                responses: clean_responses,
                updated_at,
                hours,
                closed,
            }),
            _ => Err(AppError::Validation(errors)),
        }
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

fn check_payment(errors: &mut Vec<FieldError>, p: Payment) -> Payment {
    let blank = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let bank_transfer = blank(p.bank_transfer);
    let payment_link = blank(p.payment_link);
    if bank_transfer
        .as_ref()
        .is_some_and(|b| b.chars().count() > 500)
    {
        errors.push(FieldError {
            field: "payment.bank_transfer".into(),
            message: "at most 500 characters".into(),
        });
    }
    if let Some(link) = &payment_link {
        let ok = url::Url::parse(link).is_ok_and(|u| u.scheme() == "https") && link.len() <= 500;
        if !ok {
            errors.push(FieldError {
                field: "payment.payment_link".into(),
                message: "an https:// link of at most 500 characters".into(),
            });
        }
    }
    if !p.on_site && bank_transfer.is_none() && payment_link.is_none() {
        errors.push(FieldError {
            field: "payment".into(),
            message: "offer at least one way to pay".into(),
        });
    }
    Payment {
        on_site: p.on_site,
        bank_transfer,
        payment_link,
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
