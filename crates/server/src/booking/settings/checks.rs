//! Checking settings as people give them: [`Settings::parse`] turns a
//! [`SettingsInput`] into valid [`Settings`] (defaults where it is
//! silent), or answers every field at fault.

use super::{
    Closure, CustomResponse, MAX_CLOSURES, MAX_REMINDERS, MAX_RESPONSES, Payment, ReminderTemplate,
    Settings, SettingsInput,
};
use crate::automations::hours::{Hours, HoursInput, TimeRange, WeeklyHours};
use crate::error::{AppError, AppResult, FieldError};
use domain::Timestamp;
use jiff::civil::Date;

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
