//! A schedule of business hours as a value: parsed once from what people
//! give ([`HoursInput`]) into [`Hours`], which can only hold a valid
//! schedule, and the pure rules over it ([`is_open`], [`closed_since`]).
//!
//! Hours are wall-clock hours in the schedule's zone: "09:00–17:00" is
//! open while the clocks there show 09:00 to 16:59, whatever the UTC
//! offset that day. On the night clocks go forward, an hour that does not
//! exist is never open; on the night they go back, an hour that happens
//! twice is open (or closed) both times. Holidays are dates in the
//! schedule's zone, closed all day.

use crate::automations::definition::Errors;
use crate::error::{AppError, AppResult, FieldError};
use domain::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// Ranges per day, at most.
pub const MAX_RANGES_PER_DAY: usize = 12;
/// Holidays per schedule, at most.
pub const MAX_HOLIDAYS: usize = 400;
/// A welcome or away message's length, at most (WhatsApp's for a text).
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// How far back [`closed_since`] looks for the end of the last open range.
const LOOKBACK_DAYS: usize = 400;
/// Minutes in a day: `24:00`, the end of a range that runs to midnight.
const MIDNIGHT: u16 = 24 * 60;

/// The weekdays, Monday first, as the API spells them.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// An opening range of a day, `HH:MM` to `HH:MM` in the schedule's zone
/// (the end may be `24:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "17:00")]
    pub end: String,
}

/// The opening ranges of each weekday; a day without any is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    pub monday: Vec<TimeRange>,
    pub tuesday: Vec<TimeRange>,
    pub wednesday: Vec<TimeRange>,
    pub thursday: Vec<TimeRange>,
    pub friday: Vec<TimeRange>,
    pub saturday: Vec<TimeRange>,
    pub sunday: Vec<TimeRange>,
}

impl WeeklyHours {
    /// The days, Monday first.
    pub fn days(&self) -> [&Vec<TimeRange>; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    fn days_mut(&mut self) -> [&mut Vec<TimeRange>; 7] {
        [
            &mut self.monday,
            &mut self.tuesday,
            &mut self.wednesday,
            &mut self.thursday,
            &mut self.friday,
            &mut self.saturday,
            &mut self.sunday,
        ]
    }
}

/// A schedule as people give it (the API's body, the dashboard's form).
#[derive(Debug, Clone, Default)]
pub struct HoursInput {
    pub enabled: bool,
    /// `None`: the workspace's time zone.
    pub time_zone: Option<String>,
    pub weekly: WeeklyHours,
    /// `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    /// Blank is none.
    pub welcome_message: Option<String>,
    pub away_message: Option<String>,
}

/// A valid schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Hours {
    pub enabled: bool,
    /// The zone's canonical IANA name.
    pub time_zone: String,
    zone: TimeZone,
    /// Per weekday (Monday first), ranges as minutes of the day, sorted
    /// and apart.
    days: [Vec<(u16, u16)>; 7],
    holidays: BTreeSet<Date>,
    pub welcome_message: Option<String>,
    pub away_message: Option<String>,
}

/// `HH:MM` as minutes of the day; `24:00` only where `end`.
fn minutes(raw: &str, end: bool) -> Result<u16, String> {
    let bad = || "write the time as HH:MM (00:00 to 23:59, or 24:00 as an end)".to_owned();
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    match (h, m) {
        (24, 0) if end => Ok(MIDNIGHT),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A day's ranges, checked (by path `weekly.<day>[i]…`) and sorted.
fn day_ranges(day: &str, ranges: &[TimeRange], errors: &mut Errors) -> Vec<(u16, u16)> {
    let path = format!("weekly.{day}");
    if ranges.len() > MAX_RANGES_PER_DAY {
        errors.push((
            path.clone(),
            format!("at most {MAX_RANGES_PER_DAY} ranges a day"),
        ));
    }
    let mut out = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        let start =
            minutes(&r.start, false).map_err(|e| errors.push((format!("{path}[{i}].start"), e)));
        let end = minutes(&r.end, true).map_err(|e| errors.push((format!("{path}[{i}].end"), e)));
        let (Ok(start), Ok(end)) = (start, end) else {
            continue;
        };
        if end <= start {
            errors.push((format!("{path}[{i}].end"), "must be after the start".into()));
            continue;
        }
        out.push((start, end, i));
    }
    out.sort_unstable();
    for w in out.windows(2) {
        let ((_, prev_end, a), (start, _, b)) = (w[0], w[1]);
        if start < prev_end {
            let (a, b) = (a.min(b), a.max(b));
            errors.push((
                format!("{path}[{b}]"),
                format!("overlaps {path}[{a}]: ranges of a day may not overlap"),
            ));
        }
    }
    out.into_iter().map(|(s, e, _)| (s, e)).collect()
}

/// A message text: trimmed, blank is none, at most [`MAX_MESSAGE_CHARS`].
fn message(raw: Option<&str>, field: &str, errors: &mut Errors) -> Option<String> {
    let text = raw.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > MAX_MESSAGE_CHARS {
        errors.push((
            field.into(),
            format!("at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Some(text.to_owned())
}

impl Hours {
    /// The schedule `input` describes, in `default_zone` unless it names
    /// one; or every field at fault (`time_zone`,
    /// `weekly.monday[0].start`, `holidays[1]`, `welcome_message`…).
    pub fn parse(input: &HoursInput, default_zone: &str) -> AppResult<Hours> {
        let mut errors: Errors = Vec::new();
        let zone_name = input
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty());
        let time_zone = match crate::tenancy::zone::check_zone(zone_name.unwrap_or(default_zone)) {
            Ok(z) => Some(z),
            Err(AppError::Validation(fields)) => {
                errors.extend(fields.into_iter().map(|f| (f.field, f.message)));
                None
            }
            Err(other) => return Err(other),
        };
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for ((name, ranges), out) in WEEKDAYS.iter().zip(input.weekly.days()).zip(&mut days) {
            *out = day_ranges(name, ranges, &mut errors);
        }
        if input.holidays.len() > MAX_HOLIDAYS {
            errors.push(("holidays".into(), format!("at most {MAX_HOLIDAYS} dates")));
        }
        let mut holidays = BTreeSet::new();
        for (i, raw) in input.holidays.iter().enumerate() {
            match Date::strptime("%Y-%m-%d", raw.trim()) {
                Ok(d) => {
                    holidays.insert(d);
                }
                Err(_) => errors.push((
                    format!("holidays[{i}]"),
                    "write the date as YYYY-MM-DD".into(),
                )),
            }
        }
        let welcome_message = message(
            input.welcome_message.as_deref(),
            "welcome_message",
            &mut errors,
        );
        let away_message = message(input.away_message.as_deref(), "away_message", &mut errors);
        match time_zone {
            Some(time_zone) if errors.is_empty() => {
                let zone = TimeZone::get(&time_zone).map_err(AppError::internal)?;
                Ok(Hours {
                    enabled: input.enabled,
                    time_zone,
                    zone,
                    days,
                    holidays,
                    welcome_message,
                    away_message,
                })
            }
            _ => Err(AppError::Validation(
                errors
                    .into_iter()
                    .map(|(field, message)| FieldError { field, message })
                    .collect(),
            )),
        }
    }

    /// The weekly ranges, `HH:MM` (sorted by start).
    pub fn weekly(&self) -> WeeklyHours {
        let mut w = WeeklyHours::default();
        for (out, ranges) in w.days_mut().into_iter().zip(&self.days) {
            *out = ranges
                .iter()
                .map(|&(s, e)| TimeRange {
                    start: hhmm(s),
                    end: hhmm(e),
                })
                .collect();
        }
        w
    }

    /// The holidays, `YYYY-MM-DD`, oldest first.
    pub fn holidays(&self) -> Vec<String> {
        self.holidays.iter().map(|d| d.to_string()).collect()
    }

    /// What [`Self::parse`] reads back into this schedule.
    pub fn input(&self) -> HoursInput {
        HoursInput {
            enabled: self.enabled,
            time_zone: Some(self.time_zone.clone()),
            weekly: self.weekly(),
            holidays: self.holidays(),
            welcome_message: self.welcome_message.clone(),
            away_message: self.away_message.clone(),
        }
    }

    /// `at` as wall time in the schedule's zone.
    pub(crate) fn wall(&self, at: Timestamp) -> DateTime {
        let ts = jiff::Timestamp::from_millisecond(at.as_millis())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        self.zone.to_datetime(ts)
    }

    /// The ranges of `date`: none on a holiday.
    pub(crate) fn ranges_on(&self, date: Date) -> &[(u16, u16)] {
        if self.holidays.contains(&date) {
            return &[];
        }
        let i = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        self.days.get(i).map_or(&[], Vec::as_slice)
    }

    /// The instant the wall clock shows minute `m` of `date` (`24:00`:
    /// the next day's midnight); times in a gap are read as the module of
    /// the tenant's zone says (moved forward).
    pub(crate) fn instant(&self, date: Date, m: u16) -> Timestamp {
        let (date, m) = match (m, date.tomorrow()) {
            (MIDNIGHT, Ok(next)) => (next, 0),
            _ => (date, m.min(MIDNIGHT - 1)),
        };
        let hour = i8::try_from(m / 60).unwrap_or(0);
        let minute = i8::try_from(m % 60).unwrap_or(0);
        let wall = date.at(hour, minute, 0, 0);
        let ts = self
            .zone
            .to_timestamp(wall)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        Timestamp::from_millis(ts.as_millisecond())
    }
}

fn minute_of(wall: DateTime) -> u16 {
    u16::try_from(i32::from(wall.hour()) * 60 + i32::from(wall.minute())).unwrap_or(0)
}

/// Whether `schedule` is open at `at`: enabled, not a holiday, and the
/// wall clock in its zone within one of the day's ranges. A disabled
/// schedule is always open.
pub fn is_open(schedule: &Hours, at: Timestamp) -> bool {
    if !schedule.enabled {
        return true;
    }
    let wall = schedule.wall(at);
    let m = minute_of(wall);
    schedule
        .ranges_on(wall.date())
        .iter()
        .any(|&(start, end)| start <= m && m < end)
}

/// When the closed period holding `at` began: the end of the last range
/// that ended by then (holidays have none). It is the same instant for
/// every moment of one closed period, so it names the period. A schedule
/// with no range in the [`LOOKBACK_DAYS`] before `at` has been closed
/// since the epoch. Meaningful only where [`is_open`] is false.
pub fn closed_since(schedule: &Hours, at: Timestamp) -> Timestamp {
    let wall = schedule.wall(at);
    let now = minute_of(wall);
    let mut day = wall.date();
    for back in 0..LOOKBACK_DAYS {
        let ended = schedule
            .ranges_on(day)
            .iter()
            .map(|&(_, end)| end)
            .filter(|&end| back > 0 || end <= now)
            .max();
        if let Some(end) = ended {
            return schedule.instant(day, end);
        }
        day = match day.yesterday() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    Timestamp::from_millis(0)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
