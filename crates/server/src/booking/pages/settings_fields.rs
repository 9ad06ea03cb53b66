//! The booking settings form: its fields as posted (and shown again), read
//! into a [`SettingsInput`], and which field a refusal's path is about.
//! Everything is plain text the form works with without the script: a
//! weekday's ranges (`09:00-12:00, 13:00-17:00`), holidays one date per
//! line, closures one per line (`2025-08-01 to 2025-08-15 | Summer`),
//! reminders as minutes (`1440, 120`), custom replies one per line
//! (`price, cost | Our prices start at €20`, `\n` for a line break).
//!
//! Every setting is on the form: the rules give whatever is left out its
//! default, so what the API set is kept only if it is shown and posted
//! back.

use super::{Opt, Posted, number};
use crate::automations::hours::{TimeRange, WeeklyHours};
use crate::booking::language::Language;
use crate::booking::settings::{
    Closure, CustomResponse, Payment, ReminderTemplate, Settings, SettingsInput,
};
use crate::error::{AppError, AppResult, FieldError};
use domain::ChannelId;

/// The form as posted, and as shown again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct SettingsFields {
    /// The numbers ticked.
    pub channel_ids: Vec<String>,
    pub greeting: String,
    pub language: String,
    pub time_zone: String,
    pub monday: String,
    pub tuesday: String,
    pub wednesday: String,
    pub thursday: String,
    pub friday: String,
    pub saturday: String,
    pub sunday: String,
    pub holidays: String,
    pub closures: String,
    pub min_notice_minutes: String,
    pub max_days_ahead: String,
    pub buffer_minutes: String,
    pub slot_minutes: String,
    pub idle_minutes: String,
    pub reminder_minutes: String,
    pub reminder_template: String,
    pub reminder_language: String,
    pub on_site: bool,
    pub bank_transfer: String,
    pub payment_link: String,
    pub responses: String,
}

/// One weekday's row of the form.
pub struct DayRow {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// `09:00-12:00, 13:00-17:00` as ranges (an item without a dash is a
/// start without an end, which the rules refuse by its path).
fn ranges(raw: &str) -> Vec<TimeRange> {
    raw.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            let (start, end) = r.split_once(['-', '–']).unwrap_or((r, ""));
            TimeRange {
                start: start.trim().to_owned(),
                end: end.trim().to_owned(),
            }
        })
        .collect()
}

fn written(ranges: &[TimeRange]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("{}-{}", r.start, r.end))
        .collect();
    parts.join(", ")
}

/// The non-blank lines of a text area.
fn lines(raw: &str) -> impl Iterator<Item = &str> {
    raw.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// `2025-08-01 to 2025-08-15 | reason` (one day: `2025-08-01 | reason`).
fn closure(line: &str) -> Closure {
    let (days, reason) = line.split_once('|').unwrap_or((line, ""));
    let days = days.replace(" to ", " ").replace(['–', '—'], " ");
    let parts: Vec<&str> = days.split_whitespace().collect();
    let (start, end) = match parts.as_slice() {
        [one] => (*one, *one),
        [start, end] => (*start, *end),
        _ => (days.trim(), ""),
    };
    Closure {
        start: start.to_owned(),
        end: end.to_owned(),
        reason: Some(reason.trim().to_owned()).filter(|r| !r.is_empty()),
    }
}

fn closure_line(c: &Closure) -> String {
    let days = if c.start == c.end {
        c.start.clone()
    } else {
        format!("{} to {}", c.start, c.end)
    };
    match &c.reason {
        Some(r) => format!("{days} | {r}"),
        None => days,
    }
}

/// `keywords, comma separated | the reply` (`\n` is a line break).
fn response(line: &str) -> CustomResponse {
    let (keywords, reply) = line.split_once('|').unwrap_or(("", line));
    CustomResponse {
        keywords: keywords
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        reply: reply.trim().replace("\\n", "\n"),
    }
}

fn response_line(r: &CustomResponse) -> String {
    format!(
        "{} | {}",
        r.keywords.join(", "),
        r.reply.replace('\n', "\\n")
    )
}

impl SettingsFields {
    /// The form showing `s`.
    pub fn of(s: &Settings) -> SettingsFields {
        let w = &s.weekly;
        let n = |v: i64| v.to_string();
        SettingsFields {
            channel_ids: s.channel_ids.iter().map(ToString::to_string).collect(),
            greeting: s.greeting.clone(),
            language: s.language.code().to_owned(),
            time_zone: s.time_zone.clone(),
            monday: written(&w.monday),
            tuesday: written(&w.tuesday),
            wednesday: written(&w.wednesday),
            thursday: written(&w.thursday),
            friday: written(&w.friday),
            saturday: written(&w.saturday),
            sunday: written(&w.sunday),
            holidays: s.holidays.join("\n"),
            closures: s
                .closures
                .iter()
                .map(closure_line)
                .collect::<Vec<_>>()
                .join("\n"),
            min_notice_minutes: n(s.min_notice_minutes),
            max_days_ahead: n(s.max_days_ahead),
            buffer_minutes: n(s.buffer_minutes),
            slot_minutes: n(s.slot_minutes),
            idle_minutes: n(s.idle_minutes),
            reminder_minutes: s
                .reminder_minutes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            reminder_template: s
                .reminder_template
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            reminder_language: s
                .reminder_template
                .as_ref()
                .map(|t| t.language.clone())
                .unwrap_or_default(),
            on_site: s.payment.on_site,
            bank_transfer: s.payment.bank_transfer.clone().unwrap_or_default(),
            payment_link: s.payment.payment_link.clone().unwrap_or_default(),
            responses: s
                .responses
                .iter()
                .map(response_line)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The form as posted.
    pub fn read(p: &Posted) -> SettingsFields {
        SettingsFields {
            channel_ids: p.all("channel_ids"),
            greeting: p.get("greeting"),
            language: p.get("language"),
            time_zone: p.get("time_zone"),
            monday: p.get("monday"),
            tuesday: p.get("tuesday"),
            wednesday: p.get("wednesday"),
            thursday: p.get("thursday"),
            friday: p.get("friday"),
            saturday: p.get("saturday"),
            sunday: p.get("sunday"),
            holidays: p.get("holidays"),
            closures: p.get("closures"),
            min_notice_minutes: p.get("min_notice_minutes"),
            max_days_ahead: p.get("max_days_ahead"),
            buffer_minutes: p.get("buffer_minutes"),
            slot_minutes: p.get("slot_minutes"),
            idle_minutes: p.get("idle_minutes"),
            reminder_minutes: p.get("reminder_minutes"),
            reminder_template: p.get("reminder_template"),
            reminder_language: p.get("reminder_language"),
            on_site: p.ticked("on_site"),
            bank_transfer: p.get("bank_transfer"),
            payment_link: p.get("payment_link"),
            responses: p.get("responses"),
        }
    }

    /// The weekday rows, Monday first.
    pub fn days(&self) -> Vec<DayRow> {
        let row = |name, label, value: &String| DayRow {
            name,
            label,
            value: value.clone(),
        };
        vec![
            row("monday", "Monday", &self.monday),
            row("tuesday", "Tuesday", &self.tuesday),
            row("wednesday", "Wednesday", &self.wednesday),
            row("thursday", "Thursday", &self.thursday),
            row("friday", "Friday", &self.friday),
            row("saturday", "Saturday", &self.saturday),
            row("sunday", "Sunday", &self.sunday),
        ]
    }

    /// The languages the bot speaks, the chosen one selected.
    pub fn languages(&self) -> Vec<Opt> {
        [("en", "English"), ("es", "Spanish"), ("pt", "Portuguese")]
            .into_iter()
            .map(|(id, name)| Opt {
                id: id.to_owned(),
                name: name.to_owned(),
                selected: self.language == id,
            })
            .collect()
    }

    /// Whether number `id` is ticked.
    pub fn answers_on(&self, id: &str) -> bool {
        self.channel_ids.iter().any(|c| c == id)
    }

    /// What the form says, for the rules to check, and the reasons it
    /// could not read some of it (a number that is not one; those fields
    /// are left out, the rules check the rest).
    pub fn input(&self) -> (SettingsInput, Vec<FieldError>) {
        let mut unread = Vec::new();
        let mut keep = |r: AppResult<Option<i64>>| match r {
            Ok(v) => v,
            Err(AppError::Validation(v)) => {
                unread.extend(v);
                None
            }
            Err(_) => None,
        };
        let min_notice_minutes = keep(number("min_notice_minutes", &self.min_notice_minutes));
        let max_days_ahead = keep(number("max_days_ahead", &self.max_days_ahead));
        let buffer_minutes = keep(number("buffer_minutes", &self.buffer_minutes));
        let slot_minutes = keep(number("slot_minutes", &self.slot_minutes));
        let idle_minutes = keep(number("idle_minutes", &self.idle_minutes));
        let reminder_minutes: Vec<i64> = self
            .reminder_minutes
            .split([',', ' ', '\n'])
            .filter_map(|m| keep(number("reminder_minutes", m)))
            .collect();
        let channel_ids: Vec<ChannelId> = self
            .channel_ids
            .iter()
            .filter_map(|raw| match raw.parse() {
                Ok(id) => Some(id),
                Err(_) => {
                    unread.push(FieldError {
                        field: "channel_ids".into(),
                        message: "choose numbers of the list".into(),
                    });
                    None
                }
            })
            .collect();
        let language = match self.language.as_str() {
            "en" | "" => Language::En,
            "es" => Language::Es,
            "pt" => Language::Pt,
            _ => {
                unread.push(FieldError {
                    field: "language".into(),
                    message: "choose a language".into(),
                });
                Language::En
            }
        };
        let template = (self.reminder_template.trim(), self.reminder_language.trim());
        let reminder_template = match template {
            ("", "") => None,
            (name, language) => Some(ReminderTemplate {
                name: name.to_owned(),
                language: language.to_owned(),
            }),
        };
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let input = SettingsInput {
            channel_ids: Some(channel_ids),
            greeting: Some(self.greeting.clone()),
            language: Some(language),
            time_zone: text(&self.time_zone),
            weekly: Some(WeeklyHours {
                monday: ranges(&self.monday),
                tuesday: ranges(&self.tuesday),
                wednesday: ranges(&self.wednesday),
                thursday: ranges(&self.thursday),
                friday: ranges(&self.friday),
                saturday: ranges(&self.saturday),
                sunday: ranges(&self.sunday),
            }),
            holidays: Some(
                self.holidays
                    .split([',', '\n'])
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            closures: Some(lines(&self.closures).map(closure).collect()),
            min_notice_minutes,
            max_days_ahead,
            buffer_minutes,
            slot_minutes,
            idle_minutes,
            reminder_minutes: Some(reminder_minutes),
            reminder_template,
            payment: Some(Payment {
                on_site: self.on_site,
                bank_transfer: text(&self.bank_transfer),
                payment_link: text(&self.payment_link),
            }),
            responses: Some(lines(&self.responses).map(response).collect()),
        };
        (input, unread)
    }
}

/// The form field a refusal's path is about (`weekly.monday[1].end` →
/// `monday`, `payment.payment_link` → `payment_link`, `closures[0].end` →
/// `closures`); `""` for none.
pub fn field_of(path: &str) -> &'static str {
    let head: Vec<&str> = path.split(['[', '.']).collect();
    let name = match head.as_slice() {
        ["weekly", day, ..] => *day,
        ["payment", which, ..] => *which,
        [first, ..] => *first,
        [] => "",
    };
    const FIELDS: [&str; 24] = [
        "channel_ids",
        "greeting",
        "language",
        "time_zone",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "holidays",
        "closures",
        "min_notice_minutes",
        "max_days_ahead",
        "buffer_minutes",
        "slot_minutes",
        "idle_minutes",
        "reminder_minutes",
        "reminder_template",
        "payment",
        "bank_transfer",
        "payment_link",
        "responses",
    ];
    FIELDS.into_iter().find(|f| *f == name).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_fields_read_back_what_they_show() {
        let c = closure("2025-08-01 to 2025-08-15 | Summer");
        assert_eq!(
            (c.start.as_str(), c.end.as_str()),
            ("2025-08-01", "2025-08-15")
        );
        assert_eq!(closure_line(&c), "2025-08-01 to 2025-08-15 | Summer");
        let one = closure("2025-12-24");
        assert_eq!((one.end.as_str(), one.reason), ("2025-12-24", None));
        assert_eq!(closure("a b c").end, "", "refused by the rules");
        let r = response("price, cost | From €20\\nAsk us");
        assert_eq!(r.keywords, ["price", "cost"]);
        assert_eq!(r.reply, "From €20\nAsk us");
        assert_eq!(response_line(&r), "price, cost | From €20\\nAsk us");
        assert!(response("no bar").keywords.is_empty());
        assert_eq!(
            written(&ranges("09:00 - 12:00, 13:00–17:00")),
            "09:00-12:00, 13:00-17:00"
        );
    }

    #[test]
    fn numbers_that_are_not_are_refused_by_field() {
        let f = SettingsFields {
            slot_minutes: "half an hour".into(),
            reminder_minutes: "1440, soon".into(),
            language: "fr".into(),
            ..SettingsFields::default()
        };
        let (input, unread) = f.input();
        let fields: Vec<&str> = unread.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["slot_minutes", "reminder_minutes", "language"]);
        assert_eq!(input.reminder_minutes, Some(vec![1440]), "the rest is read");
        let (ok, unread) = SettingsFields {
            buffer_minutes: "10".into(),
            ..SettingsFields::default()
        }
        .input();
        assert!(unread.is_empty());
        assert_eq!((ok.buffer_minutes, ok.slot_minutes), (Some(10), None));
        assert_eq!(ok.reminder_minutes, Some(vec![]), "blank: no reminders");
        assert_eq!(field_of("weekly.monday[0].end"), "monday");
        assert_eq!(field_of("payment.payment_link"), "payment_link");
        assert_eq!(field_of("responses[2].keywords[0]"), "responses");
        assert_eq!(field_of("weekly"), "");
    }
}
