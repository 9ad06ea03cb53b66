//! `/app/analytics`: messages and conversations over the span against the
//! span before, per day (two bar charts and their figures), the busiest
//! hours of the week (a heatmap), per number and per kind.

use super::{AnalyticsQuery, Figure, Frame, MESSAGES, load, short_day};
use crate::analytics::charts::{Series, bars, heatmap};
use crate::analytics::reports::messages::{DayTotals, KindTotals, MessagesReport, messages};
use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A number's row.
struct NumberRow {
    phone: String,
    messages_in: i64,
    messages_out: i64,
    messages_failed: i64,
}

/// What the page shows of the report.
struct Shown {
    figures: Vec<Figure>,
    messages_chart: String,
    conversations_chart: String,
    hours_chart: String,
    /// The busiest hours as rows of 24 (weekday name, counts).
    hours: Vec<(&'static str, Vec<i64>)>,
    days: Vec<DayTotals>,
    numbers: Vec<NumberRow>,
    kinds: Vec<KindTotals>,
}

#[derive(Template)]
#[template(path = "analytics_messages.html")]
struct MessagesPage {
    shell: Shell,
    frame: Frame,
    report: Option<Shown>,
}

fn shown(r: MessagesReport) -> Shown {
    let (t, p) = (&r.totals, &r.previous);
    let figures = vec![
        Figure::new("messages-in", "Messages in", t.messages_in, p.messages_in),
        Figure::new(
            "messages-out",
            "Messages out",
            t.messages_out,
            p.messages_out,
        ),
        Figure::new(
            "messages-failed",
            "Failed to send",
            t.messages_failed,
            p.messages_failed,
        ),
        Figure::new(
            "conversations-opened",
            "Conversations opened",
            t.conversations_opened,
            p.conversations_opened,
        ),
        Figure::new(
            "conversations-resolved",
            "Conversations resolved",
            t.conversations_resolved,
            p.conversations_resolved,
        ),
    ];
    let labels: Vec<String> = r.days.iter().map(|d| short_day(&d.day)).collect();
    let column = |f: fn(&DayTotals) -> i64| r.days.iter().map(f).collect::<Vec<i64>>();
    let (ins, outs) = (
        column(|d| d.totals.messages_in),
        column(|d| d.totals.messages_out),
    );
    let (opened, resolved) = (
        column(|d| d.totals.conversations_opened),
        column(|d| d.totals.conversations_resolved),
    );
    let messages_chart = bars(
        "Messages per day",
        &labels,
        &[
            Series {
                name: "In",
                values: &ins,
                class: "series-in",
            },
            Series {
                name: "Out",
                values: &outs,
                class: "series-out",
            },
        ],
    );
    let conversations_chart = bars(
        "Conversations per day",
        &labels,
        &[
            Series {
                name: "Opened",
                values: &opened,
                class: "series-opened",
            },
            Series {
                name: "Resolved",
                values: &resolved,
                class: "series-resolved",
            },
        ],
    );
    let mut cells = [[0i64; 24]; 7];
    for (row, values) in cells.iter_mut().zip(&r.busiest_hours) {
        for (cell, v) in row.iter_mut().zip(values) {
            *cell = *v;
        }
    }
    let hours_chart = heatmap("Customers' messages by hour", &WEEKDAYS, &cells);
    Shown {
        figures,
        messages_chart,
        conversations_chart,
        hours_chart,
        hours: WEEKDAYS.into_iter().zip(cells.map(Vec::from)).collect(),
        numbers: r
            .numbers
            .into_iter()
            .map(|n| NumberRow {
                phone: n.phone.unwrap_or_else(|| "(disconnected)".to_owned()),
                messages_in: n.messages_in,
                messages_out: n.messages_out,
                messages_failed: n.messages_failed,
            })
            .collect(),
        kinds: r.kinds,
        days: r.days,
    }
}

pub async fn view_messages(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AnalyticsRead>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let (frame, report) = load(&state, &ctx, MESSAGES, &q, messages).await?;
    let status = frame.status;
    let mut res = render(&MessagesPage {
        shell: shell.with_tab("analytics"),
        frame,
        report: report.map(shown),
    });
    *res.status_mut() = status;
    Ok(res)
}
