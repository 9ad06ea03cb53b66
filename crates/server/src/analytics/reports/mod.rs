//! The reports: what the pages, the API and CSV show, read from the counts
//! and the followed conversations for a span of the workspace's days, with
//! the span just before it for comparison.
//!
//! Every report is a plain function over a read transaction and a
//! [`Span`]; the adapters only parse the span and render.

pub mod messages;
pub mod outcomes;
pub mod response;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, Timestamp};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use store::TenantTx;
use utoipa::{IntoParams, ToSchema};

/// The longest span a report covers, in days.
pub const MAX_DAYS: i64 = 366;
/// The span a report covers when none is asked for: the last 7 days.
pub const DEFAULT_DAYS: i64 = 7;

/// A span of local days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Span {
    #[schema(value_type = String, example = "2026-12-01")]
    #[serde(serialize_with = "as_string")]
    pub from: Date,
    #[schema(value_type = String, example = "2026-12-07")]
    #[serde(serialize_with = "as_string")]
    pub to: Date,
}

fn as_string<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The span a report is asked for (`from` and `to`, `YYYY-MM-DD`, both
/// included; the last 7 days by default).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpanQuery {
    /// First day, `YYYY-MM-DD` in the workspace's time zone.
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

impl Span {
    /// The span `q` asks for, as of `today`; a 422 naming the field at
    /// fault for a day that is not one, an end before the start, or more
    /// than [`MAX_DAYS`].
    pub fn parse(q: &SpanQuery, today: Date) -> AppResult<Span> {
        let day = |field: &str, raw: &Option<String>| -> AppResult<Option<Date>> {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => Date::strptime("%Y-%m-%d", s)
                    .map(Some)
                    .map_err(|_| AppError::validation(field, "a date: YYYY-MM-DD")),
            }
        };
        let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
        let to = to.unwrap_or(today);
        let from = match from {
            Some(f) => f,
            None => to
                .checked_sub((DEFAULT_DAYS - 1).days())
                .map_err(|_| AppError::validation("to", "a date: YYYY-MM-DD"))?,
        };
        let span = Span { from, to };
        if to < from {
            return Err(AppError::validation("to", "on or after `from`"));
        }
        if span.day_count() > MAX_DAYS {
            return Err(AppError::validation(
                "from",
                format!("at most {MAX_DAYS} days before `to`"),
            ));
        }
        Ok(span)
    }

    /// How many days it covers.
    pub fn day_count(self) -> i64 {
        i64::from((self.to - self.from).get_days()) + 1
    }

    /// The span of the same length just before this one.
    pub fn previous(self) -> Span {
        let len = self.day_count();
        let to = self.from.yesterday().unwrap_or(self.from);
        let from = to.checked_sub((len - 1).days()).unwrap_or(to);
        Span { from, to }
    }

    /// Its days, in order.
    pub fn days(self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = self.from;
        while d <= self.to {
            out.push(d);
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        out
    }

    /// Its first and last day as stored (`YYYY-MM-DD`).
    pub fn keys(self) -> (String, String) {
        (self.from.to_string(), self.to.to_string())
    }

    /// The instants it covers in `zone`: from the first day's start up to
    /// (not including) the start of the day after the last.
    pub fn instants(self, zone: &TimeZone) -> (Timestamp, Timestamp) {
        let start = |d: Date| {
            let ts = zone
                .to_timestamp(d.at(0, 0, 0, 0))
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            Timestamp::from_millis(ts.as_millisecond())
        };
        let after = self.to.tomorrow().unwrap_or(self.to);
        (start(self.from), start(after))
    }
}

/// What every report is read with: the transaction, the workspace's zone,
/// the span asked for and the moment.
pub struct Reading {
    pub tx: TenantTx,
    pub zone_name: String,
    pub zone: TimeZone,
    pub span: Span,
    pub now: Timestamp,
}

/// Opens a reading of the caller's workspace for `q` (`analytics:read`).
pub async fn reading(state: &AppState, ctx: &TenantCtx, q: &SpanQuery) -> AppResult<Reading> {
    ctx.require(Permission::AnalyticsRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let zone_name = crate::tenancy::zone::tenant_zone(&mut tx).await?;
    let zone = TimeZone::get(&zone_name).map_err(AppError::internal)?;
    let now = state.now();
    let today = super::tally::local_date(&zone, now);
    let span = Span::parse(q, today)?;
    Ok(Reading {
        tx,
        zone_name,
        zone,
        span,
        now,
    })
}

/// Reads one report of the caller's workspace for `q` (`analytics:read`):
/// `report` is one of [`messages::messages`], [`response::response_times`],
/// [`outcomes::campaigns`], [`outcomes::automations`],
/// [`outcomes::bookings`].
pub async fn read<T>(
    state: &AppState,
    ctx: &TenantCtx,
    q: &SpanQuery,
    report: impl AsyncFnOnce(&mut Reading) -> AppResult<T>,
) -> AppResult<T> {
    let mut r = reading(state, ctx, q).await?;
    let out = report(&mut r).await?;
    r.tx.commit().await?;
    Ok(out)
}

/// The `q`-th quantile (0 < q ≤ 1) of `values` by the nearest-rank method:
/// the smallest value with at least `q` of them at or below it. `None`
/// when there are none. Sorts `values`.
pub fn quantile(values: &mut [i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (q * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

/// A change from `before` to `now` in percent, rounded to a whole number;
/// `None` when there was nothing before.
pub fn change_percent(now: i64, before: i64) -> Option<i64> {
    (before != 0).then(|| ((now - before) as f64 * 100.0 / before as f64).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::strptime("%Y-%m-%d", s).unwrap()
    }

    #[test]
    fn a_span_defaults_to_the_last_seven_days_and_refuses_nonsense() {
        let today = d("2026-12-07");
        let s = Span::parse(&SpanQuery::default(), today).unwrap();
        assert_eq!((s.from, s.to, s.day_count()), (d("2026-12-01"), today, 7));
        assert_eq!(
            s.previous(),
            Span {
                from: d("2026-11-24"),
                to: d("2026-11-30")
            }
        );
        let q = |f: &str, t: &str| SpanQuery {
            from: Some(f.into()),
            to: Some(t.into()),
        };
        assert!(Span::parse(&q("2026-12-08", "2026-12-07"), today).is_err());
        assert!(Span::parse(&q("2026-13-01", "2026-12-07"), today).is_err());
        assert!(Span::parse(&q("2025-01-01", "2026-12-07"), today).is_err());
        let feb = Span::parse(&q("2028-02-28", "2028-03-01"), today).unwrap();
        assert_eq!(feb.days().len(), 3, "a leap day is a day");
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        assert_eq!(quantile(&mut [], 0.5), None);
        assert_eq!(quantile(&mut [7], 0.9), Some(7));
        assert_eq!(quantile(&mut [4, 1, 3, 2], 0.5), Some(2));
        assert_eq!(
            quantile(&mut [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9),
            Some(90)
        );
        assert_eq!(
            quantile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9),
            Some(10)
        );
    }

    #[test]
    fn a_span_covers_whole_local_days_across_a_clock_change() {
        let zone = TimeZone::get("Europe/Lisbon").unwrap();
        let s = Span {
            from: d("2026-03-29"),
            to: d("2026-03-29"),
        };
        let (a, b) = s.instants(&zone);
        assert_eq!(
            b.as_millis() - a.as_millis(),
            23 * 3_600_000,
            "the spring-forward day"
        );
        assert_eq!(change_percent(150, 100), Some(50));
        assert_eq!(change_percent(5, 0), None);
    }
}
