//! `/app/bookings`: the calendar. A day (`?date=YYYY-MM-DD`, today in the
//! settings' zone by default) or, with `?view=week`, its week from Monday;
//! the bookings by start time, grouped by day; filters by resource and
//! status; links to the day or week before and after. A day with more
//! bookings than a page holds ends with "More →".

use super::{Opt, form_id, status_label, status_opts};
use crate::auth::{Authorized, perm};
use crate::booking::availability::day_bounds;
use crate::booking::bookings::{BookingView, list_bookings};
use crate::booking::catalogue;
use crate::booking::local_time::{self, parse_date, wall};
use crate::booking::settings::Settings;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::query;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use store::booking::{BookingFilter, BookingStatus};

/// Bookings a page of the calendar lists at most.
const PER_PAGE: u32 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarQuery {
    date: String,
    /// `week`; anything else is a day.
    view: String,
    resource: String,
    status: String,
    cursor: String,
}

/// A booking as a row of the calendar.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    /// `09:00–09:30`.
    pub time: String,
    pub reference: String,
    pub service: String,
    pub resource: String,
    pub customer: String,
    pub phone: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

/// One day of the calendar.
#[derive(Debug, Clone)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `Monday 3 March 2025`.
    pub label: String,
    pub today: bool,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "booking_calendar.html")]
struct CalendarPage {
    shell: Shell,
    tab: &'static str,
    /// `day` or `week`.
    view: &'static str,
    /// What the page shows (`Monday 3 March 2025`, `Week of 3 March 2025`).
    title: String,
    date: String,
    time_zone: String,
    days: Vec<Day>,
    count: usize,
    /// Links: the day or week before and after, today, the other view.
    prev: String,
    next: String,
    today: String,
    day_view: String,
    week_view: String,
    resources: Vec<Opt>,
    statuses: Vec<Opt>,
    more: Option<String>,
    error: Option<String>,
}

fn shift(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap_or(d)
}

fn day_label(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// A link to the calendar on `date` in `view`, with the filters.
fn link(date: Date, view: &str, resource: &str, status: &str) -> String {
    let date = date.to_string();
    let view = if view == "week" { "week" } else { "" };
    let q = query(&[
        ("date", &date),
        ("view", view),
        ("resource", resource),
        ("status", status),
    ]);
    format!("{}?{q}", super::HOME)
}

fn row(s: &Settings, b: &BookingView) -> Row {
    let (from, to) = (wall(s, b.starts_at), wall(s, b.ends_at));
    let status = BookingStatus::parse(&b.status).unwrap_or(BookingStatus::Pending);
    Row {
        id: b.id.to_string(),
        time: format!("{}–{}", from.strftime("%H:%M"), to.strftime("%H:%M")),
        reference: b.reference.clone(),
        service: b.service_name.clone(),
        resource: b.resource_name.clone(),
        customer: b.customer_name.clone(),
        phone: super::phone(&b.contact_phone),
        status: status.as_str(),
        status_label: status_label(status),
    }
}

pub async fn view_calendar(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Response> {
    let settings = local_time::settings_for_reading(&state, &ctx).await?;
    let today = local_time::today(&settings, state.now());
    let mut errors = Vec::new();
    let date = match q.date.trim() {
        "" => today,
        raw => parse_date("date", raw).unwrap_or_else(|e| {
            errors.push(e);
            today
        }),
    };
    let view = if q.view == "week" { "week" } else { "day" };
    let (first, days) = match view {
        "week" => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            (shift(date, -back), 7)
        }
        _ => (date, 1),
    };
    let last = shift(first, days - 1);
    let resource = form_id("resource", &q.resource).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let status = match q.status.as_str() {
        "" => None,
        s => BookingStatus::parse(s).or_else(|| {
            errors.push(AppError::validation("status", "choose one of the list"));
            None
        }),
    };
    let filter = BookingFilter {
        from: Some(day_bounds(&settings, first).0),
        to: Some(day_bounds(&settings, last).1),
        status,
        resource,
        ..BookingFilter::default()
    };
    let page = PageQuery {
        limit: Some(PER_PAGE),
        cursor: Some(q.cursor.clone()),
    }
    .request();
    let found = match page {
        Ok(p) => match list_bookings(&state, &ctx, &filter, p).await {
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut error = Vec::new();
    for e in errors {
        error.push(inline(&e).ok_or(e)?);
    }
    let (items, next) = found.map_or((Vec::new(), None), |f| (f.items, f.next));
    let mut groups: Vec<Day> = (0..days)
        .map(|i| {
            let d = shift(first, i);
            Day {
                date: d.to_string(),
                label: day_label(d),
                today: d == today,
                rows: Vec::new(),
            }
        })
        .collect();
    for b in &items {
        let on = wall(&settings, b.starts_at).date().to_string();
        if let Some(g) = groups.iter_mut().find(|g| g.date == on) {
            g.rows.push(row(&settings, b));
        }
    }
    let step = days;
    let more = next.map(|n| {
        let cursor = n.to_string();
        let q = query(&[
            ("date", &date.to_string()),
            ("view", if view == "week" { "week" } else { "" }),
            ("resource", &q.resource),
            ("status", &q.status),
            ("cursor", &cursor),
        ]);
        format!("{}?{q}", super::HOME)
    });
    let resources = catalogue::list_resources(&state, &ctx)
        .await?
        .into_iter()
        .map(|r| Opt {
            selected: Some(r.id) == resource,
            id: r.id.to_string(),
            name: if r.active {
                r.name
            } else {
                format!("{} (inactive)", r.name)
            },
        })
        .collect();
    Ok(render(&CalendarPage {
        shell: shell.with_tab("bookings"),
        tab: "calendar",
        view,
        title: match view {
            "week" => format!("Week of {}", first.strftime("%-d %B %Y")),
            _ => day_label(date),
        },
        date: date.to_string(),
        time_zone: settings.time_zone.clone(),
        count: items.len(),
        days: groups,
        prev: link(shift(date, -step), view, &q.resource, &q.status),
        next: link(shift(date, step), view, &q.resource, &q.status),
        today: link(today, view, &q.resource, &q.status),
        day_view: link(date, "day", &q.resource, &q.status),
        week_view: link(date, "week", &q.resource, &q.status),
        resources,
        statuses: status_opts(&q.status),
        more,
        error: (!error.is_empty()).then(|| error.join("; ")),
    }))
}
