//! The business hours form: its fields as posted (and shown again), read
//! into an [`HoursInput`], and which field a refusal's path is about.
//! A weekday is one text field of ranges (`09:00-12:00, 13:00-17:00`),
//! holidays one date per line: the form works without the script.

use crate::automations::hours::{Hours, HoursInput, TimeRange, WeeklyHours};
use serde::Deserialize;

/// The form as posted, and as shown again after a refusal.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HoursFields {
    /// `true` when ticked.
    #[serde(default)]
    pub enabled: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub monday: String,
    #[serde(default)]
    pub tuesday: String,
    #[serde(default)]
    pub wednesday: String,
    #[serde(default)]
    pub thursday: String,
    #[serde(default)]
    pub friday: String,
    #[serde(default)]
    pub saturday: String,
    #[serde(default)]
    pub sunday: String,
    /// One date per line (or comma separated).
    #[serde(default)]
    pub holidays: String,
    #[serde(default)]
    pub welcome_message: String,
    #[serde(default)]
    pub away_message: String,
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

impl HoursFields {
    /// A blank form for a new schedule: enabled, weekdays 09:00–17:00, in
    /// `zone`.
    pub fn blank(zone: &str) -> HoursFields {
        let day = "09:00-17:00".to_owned();
        HoursFields {
            enabled: "true".into(),
            time_zone: zone.to_owned(),
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            ..HoursFields::default()
        }
    }

    /// The form showing `h`.
    pub fn of(h: &Hours) -> HoursFields {
        let w = h.weekly();
        HoursFields {
            enabled: if h.enabled { "true" } else { "" }.into(),
            time_zone: h.time_zone.clone(),
            monday: written(&w.monday),
            tuesday: written(&w.tuesday),
            wednesday: written(&w.wednesday),
            thursday: written(&w.thursday),
            friday: written(&w.friday),
            saturday: written(&w.saturday),
            sunday: written(&w.sunday),
            holidays: h.holidays().join("\n"),
            welcome_message: h.welcome_message.clone().unwrap_or_default(),
            away_message: h.away_message.clone().unwrap_or_default(),
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

    /// What the form says, for the rules to check.
    pub fn input(&self) -> HoursInput {
        let text = |s: &str| Some(s.to_owned()).filter(|t| !t.trim().is_empty());
        HoursInput {
            enabled: self.enabled == "true",
            time_zone: text(&self.time_zone),
            weekly: WeeklyHours {
                monday: ranges(&self.monday),
                tuesday: ranges(&self.tuesday),
                wednesday: ranges(&self.wednesday),
                thursday: ranges(&self.thursday),
                friday: ranges(&self.friday),
                saturday: ranges(&self.saturday),
                sunday: ranges(&self.sunday),
            },
            holidays: self
                .holidays
                .split([',', '\n'])
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            welcome_message: text(&self.welcome_message),
            away_message: text(&self.away_message),
        }
    }
}

/// The form field a refusal's path is about (`weekly.monday[1].end` →
/// `monday`, `holidays[0]` → `holidays`); `""` for none.
pub fn field_of(path: &str) -> &'static str {
    let head = path.split(['[', '.']).collect::<Vec<_>>();
    let name = match head.as_slice() {
        ["weekly", day, ..] => *day,
        [first, ..] => *first,
        [] => "",
    };
    const FIELDS: [&str; 11] = [
        "time_zone",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "holidays",
        "welcome_message",
        "away_message",
    ];
    FIELDS.into_iter().find(|f| *f == name).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_from_text_and_refusals_find_their_field() {
        let f = HoursFields {
            monday: " 09:00-12:00, 13:00 – 17:00 ;".into(),
            tuesday: "9".into(),
            holidays: "2025-12-25\n\n2026-01-01, ".into(),
            ..HoursFields::default()
        };
        let input = f.input();
        assert_eq!(written(&input.weekly.monday), "09:00-12:00, 13:00-17:00");
        assert_eq!(input.weekly.tuesday[0].end, "");
        assert_eq!(input.holidays, ["2025-12-25", "2026-01-01"]);
        assert!(!input.enabled && input.time_zone.is_none() && input.away_message.is_none());
        assert_eq!(field_of("weekly.monday[1].end"), "monday");
        assert_eq!(field_of("holidays[0]"), "holidays");
        assert_eq!(field_of("welcome_message"), "welcome_message");
        assert_eq!(field_of("weekly"), "");
    }
}
