//! The analytics pages at `/app/analytics` (docs/DASHBOARD.md,
//! "Analytics"): adapters over [`super::reports`] and [`super::settings`],
//! like the API, drawn with [`super::charts`].
//!
//! - [`messages`]: messages and conversations, with the busiest hours;
//! - [`response`]: response and resolution times against the targets,
//!   and the targets form;
//! - [`outcomes`]: campaigns and templates, automations, bookings.
//!
//! Each page reads one report for a span of the workspace's days
//! (`?from=&to=`, the last 7 by default), offers the last 7, 30 and 90
//! days, and links to the report's CSV (the API's `….csv` route, which
//! the session cookie opens). A span that does not read is said on the
//! page (422) with the form as typed. Every chart has its figures in a
//! table beside it. Reading needs `analytics:read`, the targets form
//! `settings:manage`.

mod messages;
mod outcomes;
mod response;

use super::reports::{Reading, Span, SpanQuery, change_percent, read};
use super::tally::local_date;
use crate::auth::TenantCtx;
use crate::dashboard::paging::query;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::{Permission, Role};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

/// Messages and conversations, where the pages start.
pub const HOME: &str = "/app/analytics";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(HOME, get(messages::view_messages))
        .route(
            "/app/analytics/response-times",
            get(response::view_response_times),
        )
        .route("/app/analytics/targets", post(response::update_targets))
        .route("/app/analytics/campaigns", get(outcomes::view_campaigns))
        .route(
            "/app/analytics/automations",
            get(outcomes::view_automations),
        )
        .route("/app/analytics/bookings", get(outcomes::view_bookings))
}

/// Whether a role may open Analytics (`analytics:read`): the main menu
/// shows the entry by it.
pub fn may_read(role: &str) -> bool {
    role.parse::<Role>()
        .is_ok_and(|r| r.allows(Permission::AnalyticsRead))
}

/// A page's query: the span, and what was just done.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalyticsQuery {
    pub from: String,
    pub to: String,
    pub done: String,
}

impl AnalyticsQuery {
    pub fn span(&self) -> SpanQuery {
        SpanQuery {
            from: Some(self.from.clone()),
            to: Some(self.to.clone()),
        }
    }
}

/// One of the analytics pages.
#[derive(Debug, Clone, Copy)]
pub struct Tab {
    /// What the sub-menu lights: `messages`, `response-times`,
    /// `campaigns`, `automations` or `bookings`.
    pub name: &'static str,
    pub path: &'static str,
    /// Its report's CSV in the API.
    pub csv: &'static str,
}

pub const MESSAGES: Tab = Tab {
    name: "messages",
    path: HOME,
    csv: "/api/v1/analytics/messages.csv",
};
pub const RESPONSE_TIMES: Tab = Tab {
    name: "response-times",
    path: "/app/analytics/response-times",
    csv: "/api/v1/analytics/response-times.csv",
};
pub const CAMPAIGNS: Tab = Tab {
    name: "campaigns",
    path: "/app/analytics/campaigns",
    csv: "/api/v1/analytics/campaigns.csv",
};
pub const AUTOMATIONS: Tab = Tab {
    name: "automations",
    path: "/app/analytics/automations",
    csv: "/api/v1/analytics/automations.csv",
};
pub const BOOKINGS: Tab = Tab {
    name: "bookings",
    path: "/app/analytics/bookings",
    csv: "/api/v1/analytics/bookings.csv",
};

/// A link to the last few days.
#[derive(Debug, Clone)]
pub struct Quick {
    pub days: i64,
    pub href: String,
    pub current: bool,
}

/// What every analytics page shows around its report: the sub-menu, the
/// span form, the quick links, the CSV link and a refusal.
#[derive(Debug, Clone)]
pub struct Frame {
    pub tab: &'static str,
    pub path: &'static str,
    /// The span as typed (or as shown, when nothing was typed).
    pub from: String,
    pub to: String,
    /// `?from=…&to=…` of the span shown ("" on a refused one), kept by the
    /// sub-menu's links.
    pub query: String,
    /// The span in words (`1 Dec 2026 – 7 Dec 2026`), and the one before.
    pub span_label: String,
    pub previous_label: String,
    pub days: i64,
    pub time_zone: String,
    pub quick: Vec<Quick>,
    /// The report's CSV for the span.
    pub csv: Option<String>,
    pub error: Option<String>,
    /// 200, or 422 for a span that does not read.
    pub status: StatusCode,
}

fn span_query(span: Span) -> String {
    format!(
        "?{}",
        query(&[
            ("from", &span.from.to_string()),
            ("to", &span.to.to_string())
        ])
    )
}

/// A day as people read it in a span: `3 Dec 2026`.
pub fn long_day(d: Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

/// A day as a chart labels it: `Dec 3`.
pub fn short_day(day: &str) -> String {
    Date::strptime("%Y-%m-%d", day)
        .map(|d| d.strftime("%b %-d").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

impl Frame {
    fn new(tab: Tab, q: &AnalyticsQuery, today: Date, zone: String) -> Frame {
        let quick = [7, 30, 90]
            .into_iter()
            .map(|days: i64| {
                let from = today.checked_sub((days - 1).days()).unwrap_or(today);
                Quick {
                    days,
                    href: format!("{}{}", tab.path, span_query(Span { from, to: today })),
                    current: false,
                }
            })
            .collect();
        Frame {
            tab: tab.name,
            path: tab.path,
            from: q.from.trim().to_owned(),
            to: q.to.trim().to_owned(),
            query: String::new(),
            span_label: String::new(),
            previous_label: String::new(),
            days: 0,
            time_zone: zone,
            quick,
            csv: None,
            error: None,
            status: StatusCode::OK,
        }
    }

    fn shown(mut self, tab: Tab, span: Span, today: Date) -> Frame {
        let q = span_query(span);
        let previous = span.previous();
        for quick in &mut self.quick {
            quick.current = span.to == today && span.day_count() == quick.days;
        }
        if self.from.is_empty() {
            self.from = span.from.to_string();
        }
        if self.to.is_empty() {
            self.to = span.to.to_string();
        }
        self.csv = Some(format!("{}{q}", tab.csv));
        self.query = q;
        self.span_label = format!("{} – {}", long_day(span.from), long_day(span.to));
        self.previous_label = format!("{} – {}", long_day(previous.from), long_day(previous.to));
        self.days = span.day_count();
        self
    }
}

/// Reads `report` for the span `q` asks for, with the page's frame; a
/// span that does not read gives the frame with its reason and no report.
pub async fn load<T>(
    state: &AppState,
    ctx: &TenantCtx,
    tab: Tab,
    q: &AnalyticsQuery,
    report: impl AsyncFnOnce(&mut Reading) -> AppResult<T>,
) -> AppResult<(Frame, Option<T>)> {
    let read_all = async |r: &mut Reading| {
        let today = local_date(&r.zone, r.now);
        let (span, zone) = (r.span, r.zone_name.clone());
        Ok((today, span, zone, report(r).await?))
    };
    match read(state, ctx, &q.span(), read_all).await {
        Ok((today, span, zone, out)) => Ok((
            Frame::new(tab, q, today, zone).shown(tab, span, today),
            Some(out),
        )),
        Err(e @ AppError::Validation(_)) => {
            let today =
                async |r: &mut Reading| Ok((local_date(&r.zone, r.now), r.zone_name.clone()));
            let (today, zone) = read(state, ctx, &SpanQuery::default(), today).await?;
            let mut frame = Frame::new(tab, q, today, zone);
            frame.error = inline(&e);
            frame.status = e.status();
            Ok((frame, None))
        }
        Err(e) => Err(e),
    }
}

/// A figure against the span before.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: &'static str,
    pub label: &'static str,
    pub value: i64,
    pub previous: i64,
    /// `+25%`, `−10%`, `±0%` (also for nothing then and now), or `new`
    /// when there was nothing before.
    pub change: String,
    /// `up`, `down` or `flat`, for the stylesheet.
    pub trend: &'static str,
}

impl Figure {
    pub fn new(id: &'static str, label: &'static str, value: i64, previous: i64) -> Figure {
        let (change, trend) = match change_percent(value, previous) {
            Some(p) if p > 0 => (format!("+{p}%"), "up"),
            Some(p) if p < 0 => (format!("−{}%", p.unsigned_abs()), "down"),
            Some(_) => ("±0%".to_owned(), "flat"),
            None if value > 0 => ("new".to_owned(), "up"),
            None => ("±0%".to_owned(), "flat"),
        };
        Figure {
            id,
            label,
            value,
            previous,
            change,
            trend,
        }
    }
}

/// A duration as people read it: `45s`, `4m 10s`, `2h 5m`, `3d 4h`; `—`
/// for none.
pub fn duration(seconds: Option<i64>) -> String {
    let Some(s) = seconds else {
        return "—".to_owned();
    };
    let s = s.max(0);
    let pair = |big: i64, big_unit: &str, small: i64, small_unit: &str| {
        if small == 0 {
            format!("{big}{big_unit}")
        } else {
            format!("{big}{big_unit} {small}{small_unit}")
        }
    };
    match s {
        0..60 => format!("{s}s"),
        60..3600 => pair(s / 60, "m", s % 60, "s"),
        3600..86_400 => pair(s / 3600, "h", s % 3600 / 60, "m"),
        _ => pair(s / 86_400, "d", s % 86_400 / 3600, "h"),
    }
}

/// `part` of `whole` in percent, one decimal (`—` of nothing).
pub fn rate(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".to_owned();
    }
    let r = (part as f64 * 1000.0 / whole as f64).round() / 10.0;
    format!("{r}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(duration(None), "—");
        assert_eq!(duration(Some(45)), "45s");
        assert_eq!(duration(Some(250)), "4m 10s");
        assert_eq!(duration(Some(240)), "4m");
        assert_eq!(duration(Some(2 * 3600 + 5 * 60 + 9)), "2h 5m");
        assert_eq!(duration(Some(3 * 86_400 + 4 * 3600)), "3d 4h");
    }

    #[test]
    fn figures_say_their_change() {
        assert_eq!(Figure::new("a", "A", 15, 10).change, "+50%");
        assert_eq!(Figure::new("a", "A", 5, 10).change, "−50%");
        assert_eq!(Figure::new("a", "A", 10, 10).change, "±0%");
        assert_eq!(Figure::new("a", "A", 3, 0).change, "new");
        assert_eq!(Figure::new("a", "A", 0, 0).change, "±0%");
        assert_eq!(rate(1, 3), "33.3%");
        assert_eq!(rate(1, 0), "—");
        assert!(may_read("viewer") && may_read("owner") && !may_read("agent"));
    }
}
