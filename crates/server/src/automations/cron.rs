//! Wall-clock times in a time zone: cron expressions (a schedule trigger)
//! and "the next 09:00 on a weekday" (a `wait_until` step), both read in
//! the tenant's zone with its daylight-saving rules.
//!
//! A cron expression has the five classic fields, `minute hour
//! day-of-month month day-of-week`, each `*`, a number, a range `a-b`, a
//! step `*/n` or `a-b/n`, or a list of those (`1,15,30-40/5`). Months and
//! days of the week may be named (`jan`, `mon`); Sunday is 0 or 7. As in
//! Vixie cron, when both day fields are restricted a day matching either
//! fires.
//!
//! Daylight saving: a wall time the clocks skip (02:30 on the night they
//! jump forward) fires at the same time after the jump (03:30), once; a
//! wall time that happens twice (01:30 on the night they go back) fires
//! the first time only. So no fire is lost and none is doubled.

use domain::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Days searched for the next fire at most (leap days come every four
/// years, a 31st of February never).
const SEARCH_DAYS: i32 = 366 * 5;

/// A parsed cron expression, each field a set of allowed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Whether the day-of-month field was `*` (Vixie cron's rule).
    any_day: bool,
    any_weekday: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
/// Sunday first, as cron counts (0).
pub const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Cron {
    /// Reads `expr`; what is wrong with it, in words.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err(
                "write five fields: minute hour day-of-month month day-of-week (such as `0 9 * * 1-5`)"
                    .into(),
            );
        };
        let weekdays = field(weekday, 0, 7, &WEEKDAYS, "day of the week")?;
        // 7 is Sunday too.
        let weekdays = (weekdays | (weekdays >> 7)) & 0x7f;
        Ok(Cron {
            minutes: field(minute, 0, 59, &[], "minute")?,
            hours: u32::try_from(field(hour, 0, 23, &[], "hour")?).unwrap_or(u32::MAX),
            days: u32::try_from(field(day, 1, 31, &[], "day of the month")?).unwrap_or(u32::MAX),
            months: u16::try_from(field(month, 1, 12, &MONTHS, "month")?).unwrap_or(u16::MAX),
            weekdays: u8::try_from(weekdays).unwrap_or(u8::MAX),
            any_day: day == "*",
            any_weekday: weekday == "*",
        })
    }

    /// Every day at `hour:minute`, on `weekdays` only when some are given
    /// (0 is Sunday).
    pub fn daily(hour: u8, minute: u8, weekdays: &[u8]) -> Cron {
        let days: u8 = weekdays.iter().fold(0, |all, d| all | (1 << (d % 7)));
        Cron {
            minutes: 1 << minute.min(59),
            hours: 1 << hour.min(23),
            days: u32::MAX,
            months: u16::MAX,
            weekdays: if days == 0 { 0x7f } else { days },
            any_day: true,
            any_weekday: days == 0,
        }
    }

    fn day_fires(&self, d: Date) -> bool {
        let by_day = self.days & (1 << d.day()) != 0;
        let weekday = d.weekday().to_sunday_zero_offset();
        let by_weekday = self.weekdays & (1 << weekday) != 0;
        let day_ok = match (self.any_day, self.any_weekday) {
            (false, false) => by_day || by_weekday,
            _ => by_day && by_weekday,
        };
        day_ok && self.months & (1 << d.month()) != 0
    }

    /// The first fire strictly after `after`, in zone `tz`; `None` for an
    /// expression that never fires (`0 0 31 2 *`).
    pub fn next_after(&self, tz: &TimeZone, after: Timestamp) -> Option<Timestamp> {
        let after_ts = jiff::Timestamp::from_millisecond(after.as_millis()).ok()?;
        let start = tz.to_datetime(after_ts);
        let start_minute = start.with().second(0).subsec_nanosecond(0).build().ok()?;
        let mut date = start.date();
        for _ in 0..SEARCH_DAYS {
            if self.day_fires(date) {
                for hour in 0..24i8 {
                    if self.hours & (1 << hour) == 0 {
                        continue;
                    }
                    for minute in 0..60i8 {
                        if self.minutes & (1 << minute) == 0 {
                            continue;
                        }
                        let wall =
                            DateTime::from_parts(date, jiff::civil::time(hour, minute, 0, 0));
                        if wall <= start_minute {
                            continue;
                        }
                        let Ok(at) = tz.to_timestamp(wall) else {
                            continue;
                        };
                        // A wall time in a gap moves past the jump; one
                        // in an overlap is its first instant. Either way
                        // the fire must be after `after`.
                        if at > after_ts {
                            return Some(Timestamp::from_millis(at.as_millisecond()));
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

/// One field's allowed values as bits, from `min` to `max`.
fn field(text: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<u64, String> {
    let bad = |why: &str| format!("the {what} field `{text}` {why}");
    let value = |s: &str| -> Result<u32, String> {
        let s = s.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == s) {
            // Months count from 1, days of the week from 0.
            return Ok(u32::try_from(i).unwrap_or(0) + min);
        }
        let n: u32 = s.parse().map_err(|_| bad("is not a number or a name"))?;
        if !(min..=max).contains(&n) {
            return Err(bad(&format!("must be from {min} to {max}")));
        }
        Ok(n)
    };
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| bad("has a step that is not a number"))?;
                if step == 0 {
                    return Err(bad("has a step of 0"));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, max),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(bad("has a range that ends before it starts"));
        }
        let mut v = from;
        while v <= to {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

/// Reads `HH:MM` (00:00 to 23:59) into hour and minute.
pub fn parse_hh_mm(text: &str) -> Option<(u8, u8)> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// The number of a weekday name (`sun` is 0), any case.
pub fn weekday_number(name: &str) -> Option<u8> {
    let name = name.trim().to_ascii_lowercase();
    let i = WEEKDAYS.iter().position(|d| name.starts_with(d))?;
    u8::try_from(i).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tz: &TimeZone, wall: &str) -> Timestamp {
        let dt: DateTime = wall.parse().unwrap();
        Timestamp::from_millis(tz.to_timestamp(dt).unwrap().as_millisecond())
    }

    fn wall(tz: &TimeZone, t: Timestamp) -> String {
        let ts = jiff::Timestamp::from_millisecond(t.as_millis()).unwrap();
        tz.to_datetime(ts).strftime("%Y-%m-%d %H:%M %a").to_string()
    }

    fn fires(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
        let tz = TimeZone::get(zone).unwrap();
        let cron = Cron::parse(expr).unwrap();
        let mut t = at(&tz, from);
        (0..n)
            .map(|_| {
                t = cron.next_after(&tz, t).unwrap();
                wall(&tz, t)
            })
            .collect()
    }

    #[test]
    fn weekdays_at_nine_skip_the_weekend() {
        assert_eq!(
            fires("0 9 * * mon-fri", "Europe/Lisbon", "2026-12-04T09:00", 3),
            [
                "2026-12-07 09:00 Mon",
                "2026-12-08 09:00 Tue",
                "2026-12-09 09:00 Wed"
            ]
        );
    }

    #[test]
    fn steps_lists_and_sunday_as_seven() {
        assert_eq!(
            fires("*/20 8,17 * * 7", "UTC", "2026-12-05T23:59", 4),
            [
                "2026-12-06 08:00 Sun",
                "2026-12-06 08:20 Sun",
                "2026-12-06 08:40 Sun",
                "2026-12-06 17:00 Sun"
            ]
        );
    }

    #[test]
    fn either_day_field_fires_when_both_are_restricted() {
        // The 1st of the month, or any Friday.
        assert_eq!(
            fires("0 12 1 * fri", "UTC", "2026-12-26T00:00", 2),
            ["2027-01-01 12:00 Fri", "2027-01-08 12:00 Fri"]
        );
        assert_eq!(
            fires("0 12 2 * fri", "UTC", "2026-12-26T00:00", 2),
            ["2027-01-01 12:00 Fri", "2027-01-02 12:00 Sat"]
        );
    }

    #[test]
    fn a_skipped_wall_time_fires_after_the_jump_once() {
        // New York jumps from 02:00 to 03:00 on 2027-03-14.
        assert_eq!(
            fires("30 2 * * *", "America/New_York", "2027-03-13T03:00", 3),
            [
                "2027-03-14 03:30 Sun",
                "2027-03-15 02:30 Mon",
                "2027-03-16 02:30 Tue"
            ]
        );
        // Every quarter hour: 02:xx does not exist, 03:xx comes once each.
        assert_eq!(
            fires("*/15 * * * *", "America/New_York", "2027-03-14T01:40", 4),
            [
                "2027-03-14 01:45 Sun",
                "2027-03-14 03:00 Sun",
                "2027-03-14 03:15 Sun",
                "2027-03-14 03:30 Sun"
            ]
        );
    }

    #[test]
    fn a_repeated_wall_time_fires_the_first_time_only() {
        // Lisbon goes back from 02:00 to 01:00 on 2027-10-31.
        let tz = TimeZone::get("Europe/Lisbon").unwrap();
        let cron = Cron::parse("30 1 * * *").unwrap();
        let first = cron.next_after(&tz, at(&tz, "2027-10-30T12:00")).unwrap();
        let second = cron.next_after(&tz, first).unwrap();
        assert_eq!(wall(&tz, first), "2027-10-31 01:30 Sun");
        assert_eq!(wall(&tz, second), "2027-11-01 01:30 Mon");
        // 25 hours apart: the repeated 01:30 (an hour after the first)
        // did not fire.
        assert_eq!(second.as_millis() - first.as_millis(), 25 * 3_600_000);
    }

    #[test]
    fn impossible_and_malformed_expressions() {
        let tz = TimeZone::UTC;
        let never = Cron::parse("0 0 31 2 *").unwrap();
        assert_eq!(never.next_after(&tz, Timestamp::from_millis(0)), None);
        for bad in [
            "",
            "* * * *",
            "60 * * * *",
            "* 24 * * *",
            "*/0 * * * *",
            "5-1 * * * *",
            "x * * * *",
            "* * * * 8",
        ] {
            assert!(Cron::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Cron::parse("0 9 1 jan,JUL *").is_ok());
    }

    #[test]
    fn daily_times_and_their_weekdays() {
        let tz = TimeZone::get("Europe/Lisbon").unwrap();
        let c = Cron::daily(9, 0, &[1, 3]);
        let t = c.next_after(&tz, at(&tz, "2026-12-07T09:00")).unwrap();
        assert_eq!(wall(&tz, t), "2026-12-09 09:00 Wed");
        assert_eq!(parse_hh_mm("09:05"), Some((9, 5)));
        assert_eq!(parse_hh_mm("24:00"), None);
        assert_eq!(parse_hh_mm("9:05"), None);
        assert_eq!(weekday_number("Monday"), Some(1));
        assert_eq!(weekday_number("sun"), Some(0));
        assert_eq!(weekday_number("noday"), None);
    }
}
