//! Wall time in the booking settings' zone, for the pages: the settings
//! as the team reads them (for the zone and the hours), today, a day and a
//! time as people type them (`YYYY-MM-DD`, `HH:MM`) turned into an
//! instant, and an instant shown as a day and a time.
//!
//! A wall time the clocks skip (a spring-forward night) is read as the
//! settings' hours read it: moved forward by the gap.

use super::settings::{self, Settings};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, Timestamp};
use jiff::civil::{Date, DateTime};

/// The booking settings for reading bookings (`inbox:read`): the calendar
/// and a booking's page need the zone and the hours, not the right to
/// configure.
pub(crate) async fn settings_for_reading(state: &AppState, ctx: &TenantCtx) -> AppResult<Settings> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = settings::current(&mut tx).await?;
    tx.commit().await?;
    Ok(s)
}

/// `at` as wall time in the settings' zone.
pub(crate) fn wall(s: &Settings, at: Timestamp) -> DateTime {
    s.hours.wall(at)
}

/// Today in the settings' zone as of `now`.
pub(crate) fn today(s: &Settings, now: Timestamp) -> Date {
    wall(s, now).date()
}

/// A day as typed (`YYYY-MM-DD`), or a 422 on `field`.
pub(crate) fn parse_date(field: &str, raw: &str) -> AppResult<Date> {
    Date::strptime("%Y-%m-%d", raw.trim())
        .map_err(|_| AppError::validation(field, "a date: YYYY-MM-DD"))
}

/// A time of day as typed (`HH:MM`, `:SS` ignored) in minutes after
/// midnight, or a 422 on `field`.
pub(crate) fn parse_time(field: &str, raw: &str) -> AppResult<u16> {
    let bad = || AppError::validation(field, "a time: HH:MM");
    let raw = raw.trim();
    let hm = if raw.len() == 8 {
        raw.get(..5).ok_or_else(bad)?
    } else {
        raw
    };
    let (h, m) = hm.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || hm.len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The instant the settings' zone shows `date` at `minutes` after
/// midnight.
pub(crate) fn instant(s: &Settings, date: Date, minutes: u16) -> Timestamp {
    s.hours.instant(date, minutes)
}

/// The instant of a day and a time as typed; refusals name `date_field`
/// and `time_field`.
pub(crate) fn starts_at(
    s: &Settings,
    (date_field, date): (&str, &str),
    (time_field, time): (&str, &str),
) -> AppResult<Timestamp> {
    let day = parse_date(date_field, date);
    let minutes = parse_time(time_field, time);
    match (day, minutes) {
        (Ok(d), Ok(m)) => Ok(instant(s, d, m)),
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.extend(b);
            Err(AppError::Validation(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_typed() {
        assert_eq!(parse_time("time", "09:30").unwrap(), 570);
        assert_eq!(parse_time("time", "23:59:00").unwrap(), 1439);
        for bad in ["24:00", "9:30", "09:60", "", "0930", "ab:cd", "abcd€x"] {
            assert!(parse_time("time", bad).is_err(), "{bad}");
        }
        assert!(parse_date("date", "2025-02-30").is_err());
        assert_eq!(
            parse_date("date", " 2025-03-01 ").unwrap().to_string(),
            "2025-03-01"
        );
    }

    #[test]
    fn a_day_and_a_time_are_an_instant_in_the_settings_zone() {
        let input = settings::SettingsInput {
            time_zone: Some("Europe/Lisbon".into()),
            ..Default::default()
        };
        let s = Settings::parse(input, "UTC", None).unwrap();
        // 1 July: Lisbon is on UTC+1.
        let t = starts_at(&s, ("date", "2025-07-01"), ("time", "10:00")).unwrap();
        assert_eq!(t.as_millis(), 1_751_360_400_000);
        let w = wall(&s, t);
        assert_eq!((w.hour(), w.minute()), (10, 0));
        let Err(AppError::Validation(f)) = starts_at(&s, ("date", "x"), ("time", "y")) else {
            panic!("refused");
        };
        let fields: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["date", "time"]);
    }
}
