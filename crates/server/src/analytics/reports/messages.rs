//! Messages and conversations: totals against the span before, each day,
//! each number and each kind, and the busiest hours of the week.

use super::{Reading, Span};
use crate::analytics::tally::metric;
use crate::error::AppResult;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use store::analytics::{DailyCount, Named};
use utoipa::ToSchema;

/// Messages and conversations over a span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Totals {
    pub messages_in: i64,
    pub messages_out: i64,
    /// Outbound messages that failed (counted on the day they were queued).
    pub messages_failed: i64,
    /// Conversations that started or reopened.
    pub conversations_opened: i64,
    pub conversations_resolved: i64,
}

impl Totals {
    fn add(&mut self, c: &DailyCount) {
        let slot = match c.metric.as_str() {
            metric::MESSAGES_IN => &mut self.messages_in,
            metric::MESSAGES_OUT => &mut self.messages_out,
            metric::MESSAGES_FAILED => &mut self.messages_failed,
            metric::OPENED => &mut self.conversations_opened,
            metric::RESOLVED => &mut self.conversations_resolved,
            _ => return,
        };
        *slot += c.value;
    }
}

/// One day's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayTotals {
    /// `YYYY-MM-DD`, local.
    pub day: String,
    #[serde(flatten)]
    pub totals: Totals,
}

/// One number's messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NumberTotals {
    pub channel_id: String,
    /// Its display phone number (`None`: disconnected since).
    pub phone: Option<String>,
    pub messages_in: i64,
    pub messages_out: i64,
    pub messages_failed: i64,
}

/// One kind's messages (`text`, `image`, `template`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct KindTotals {
    pub kind: String,
    pub messages_in: i64,
    pub messages_out: i64,
}

/// The messages report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessagesReport {
    pub span: Span,
    /// The span of the same length just before, compared with.
    pub previous_span: Span,
    /// The workspace's IANA time zone: days and hours are its.
    pub time_zone: String,
    pub totals: Totals,
    pub previous: Totals,
    /// Every day of the span, in order (days without messages included).
    pub days: Vec<DayTotals>,
    pub numbers: Vec<NumberTotals>,
    pub kinds: Vec<KindTotals>,
    /// Customers' messages by weekday (Monday first) and local hour: 7
    /// rows of 24.
    pub busiest_hours: Vec<Vec<i64>>,
}

/// The messages report of `r`'s span.
pub async fn messages(r: &mut Reading) -> AppResult<MessagesReport> {
    let current = counts(r, r.span).await?;
    let previous_span = r.span.previous();
    let before = counts(r, previous_span).await?;
    let mut days: BTreeMap<String, Totals> = r
        .span
        .days()
        .into_iter()
        .map(|d| (d.to_string(), Totals::default()))
        .collect();
    let (mut totals, mut previous) = (Totals::default(), Totals::default());
    let mut numbers: BTreeMap<String, NumberTotals> = BTreeMap::new();
    let mut kinds: BTreeMap<String, KindTotals> = BTreeMap::new();
    for c in &current {
        totals.add(c);
        if let Some(d) = days.get_mut(&c.day) {
            d.add(c);
        }
        if !c.metric.starts_with("messages.") {
            continue;
        }
        let n = numbers
            .entry(c.subject.clone())
            .or_insert_with(|| NumberTotals {
                channel_id: c.subject.clone(),
                phone: None,
                messages_in: 0,
                messages_out: 0,
                messages_failed: 0,
            });
        let k = kinds.entry(c.detail.clone()).or_insert_with(|| KindTotals {
            kind: c.detail.clone(),
            messages_in: 0,
            messages_out: 0,
        });
        match c.metric.as_str() {
            metric::MESSAGES_IN => {
                n.messages_in += c.value;
                k.messages_in += c.value;
            }
            metric::MESSAGES_OUT => {
                n.messages_out += c.value;
                k.messages_out += c.value;
            }
            _ => n.messages_failed += c.value,
        }
    }
    for c in &before {
        previous.add(c);
    }
    let phones = r.tx.analytics_names(Named::Channels).await?;
    let numbers = numbers
        .into_values()
        .map(|mut n| {
            n.phone = n
                .channel_id
                .parse()
                .ok()
                .and_then(|id| phones.get(&id).cloned());
            n
        })
        .collect();
    let mut kinds: Vec<KindTotals> = kinds.into_values().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.messages_in + k.messages_out));
    Ok(MessagesReport {
        span: r.span,
        previous_span,
        time_zone: r.zone_name.clone(),
        totals,
        previous,
        days: days
            .into_iter()
            .map(|(day, totals)| DayTotals { day, totals })
            .collect(),
        numbers,
        kinds,
        busiest_hours: busiest_hours(r).await?,
    })
}

/// The daily counts of messages and conversations over `span`.
async fn counts(r: &mut Reading, span: Span) -> AppResult<Vec<DailyCount>> {
    let (from, to) = span.keys();
    let mut rows = r.tx.analytics_daily("messages.", &from, &to).await?;
    rows.extend(r.tx.analytics_daily("conversations.", &from, &to).await?);
    Ok(rows)
}

/// Customers' messages by weekday and hour over the span.
async fn busiest_hours(r: &mut Reading) -> AppResult<Vec<Vec<i64>>> {
    let (from, to) = r.span.keys();
    let mut grid = vec![vec![0i64; 24]; 7];
    for h in
        r.tx.analytics_hourly(metric::MESSAGES_IN, &from, &to)
            .await?
    {
        let Ok(day) = Date::strptime("%Y-%m-%d", &h.day) else {
            continue;
        };
        let weekday = day.weekday().to_monday_zero_offset() as usize;
        if let Some(cell) = grid[weekday].get_mut(h.hour.clamp(0, 23) as usize) {
            *cell += h.value;
        }
    }
    Ok(grid)
}
