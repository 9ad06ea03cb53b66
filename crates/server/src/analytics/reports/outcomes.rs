//! What the workspace's sending and automation came to: campaigns and
//! templates (sent, delivered, read, replied, failed, on the day each
//! message was queued), automation runs, and bookings (on the day they
//! start) with the no-show rate.

use super::{Reading, Span};
use crate::analytics::tally::metric;
use crate::error::AppResult;
use serde::Serialize;
use std::collections::BTreeMap;
use store::analytics::{DailyCount, Named};
use utoipa::ToSchema;

/// How far a set of messages got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Funnel {
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    /// Customers who wrote back within 72 hours (campaigns only).
    pub replied: i64,
    pub failed: i64,
}

impl Funnel {
    fn add(&mut self, stage: &str, n: i64) {
        match stage {
            "sent" => self.sent += n,
            "delivered" => self.delivered += n,
            "read" => self.read += n,
            "replied" => self.replied += n,
            "failed" => self.failed += n,
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignResult {
    pub campaign_id: String,
    /// `None`: deleted since.
    pub name: Option<String>,
    pub template: String,
    #[serde(flatten)]
    pub funnel: Funnel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TemplateResult {
    pub template: String,
    #[serde(flatten)]
    pub funnel: Funnel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FunnelDay {
    pub day: String,
    #[serde(flatten)]
    pub funnel: Funnel,
}

/// Campaigns and templates over a span.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignsReport {
    pub span: Span,
    pub previous_span: Span,
    pub time_zone: String,
    /// All templates' messages queued in the span, and in the span before.
    pub totals: Funnel,
    pub previous: Funnel,
    pub campaigns: Vec<CampaignResult>,
    pub templates: Vec<TemplateResult>,
    /// Every day of the span: all templates' messages queued that day.
    pub template_days: Vec<FunnelDay>,
}

/// The campaigns report of `r`'s span.
pub async fn campaigns(r: &mut Reading) -> AppResult<CampaignsReport> {
    let (from, to) = r.span.keys();
    let names = r.tx.analytics_names(Named::Campaigns).await?;
    let mut campaigns: BTreeMap<(String, String), Funnel> = BTreeMap::new();
    for c in r.tx.analytics_daily(metric::CAMPAIGN, &from, &to).await? {
        let stage = &c.metric[metric::CAMPAIGN.len()..];
        campaigns
            .entry((c.subject.clone(), c.detail.clone()))
            .or_default()
            .add(stage, c.value);
    }
    let mut templates: BTreeMap<String, Funnel> = BTreeMap::new();
    let mut days = empty_days::<Funnel>(r.span);
    let mut totals = Funnel::default();
    for c in r.tx.analytics_daily(metric::TEMPLATE, &from, &to).await? {
        let stage = &c.metric[metric::TEMPLATE.len()..];
        totals.add(stage, c.value);
        templates
            .entry(c.subject.clone())
            .or_default()
            .add(stage, c.value);
        if let Some(d) = days.get_mut(&c.day) {
            d.add(stage, c.value);
        }
    }
    let previous_span = r.span.previous();
    let (pfrom, pto) = previous_span.keys();
    let mut previous = Funnel::default();
    for c in r.tx.analytics_daily(metric::TEMPLATE, &pfrom, &pto).await? {
        previous.add(&c.metric[metric::TEMPLATE.len()..], c.value);
    }
    Ok(CampaignsReport {
        span: r.span,
        previous_span,
        time_zone: r.zone_name.clone(),
        totals,
        previous,
        campaigns: campaigns
            .into_iter()
            .map(|((id, template), funnel)| CampaignResult {
                name: id.parse().ok().and_then(|u| names.get(&u).cloned()),
                campaign_id: id,
                template,
                funnel,
            })
            .collect(),
        templates: templates
            .into_iter()
            .map(|(template, funnel)| TemplateResult { template, funnel })
            .collect(),
        template_days: days
            .into_iter()
            .map(|(day, funnel)| FunnelDay { day, funnel })
            .collect(),
    })
}

fn empty_days<T: Default>(span: Span) -> BTreeMap<String, T> {
    span.days()
        .into_iter()
        .map(|d| (d.to_string(), T::default()))
        .collect()
}

/// Runs of one workflow, or of all on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Runs {
    pub completed: i64,
    pub failed: i64,
}

impl Runs {
    fn add(&mut self, c: &DailyCount) {
        match &c.metric[metric::AUTOMATION.len()..] {
            "completed" => self.completed += c.value,
            "failed" => self.failed += c.value,
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkflowRuns {
    pub workflow_id: String,
    pub name: Option<String>,
    #[serde(flatten)]
    pub runs: Runs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RunsDay {
    pub day: String,
    #[serde(flatten)]
    pub runs: Runs,
}

/// Automation runs over a span (on the day each finished).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AutomationsReport {
    pub span: Span,
    pub previous_span: Span,
    pub time_zone: String,
    pub totals: Runs,
    /// The span before's totals.
    pub previous: Runs,
    pub workflows: Vec<WorkflowRuns>,
    pub days: Vec<RunsDay>,
}

/// The automations report of `r`'s span.
pub async fn automations(r: &mut Reading) -> AppResult<AutomationsReport> {
    let (from, to) = r.span.keys();
    let names = r.tx.analytics_names(Named::Workflows).await?;
    let mut totals = Runs::default();
    let mut workflows: BTreeMap<String, Runs> = BTreeMap::new();
    let mut days = empty_days::<Runs>(r.span);
    for c in r.tx.analytics_daily(metric::AUTOMATION, &from, &to).await? {
        totals.add(&c);
        workflows.entry(c.subject.clone()).or_default().add(&c);
        if let Some(d) = days.get_mut(&c.day) {
            d.add(&c);
        }
    }
    let previous_span = r.span.previous();
    let (pfrom, pto) = previous_span.keys();
    let mut previous = Runs::default();
    for c in
        r.tx.analytics_daily(metric::AUTOMATION, &pfrom, &pto)
            .await?
    {
        previous.add(&c);
    }
    Ok(AutomationsReport {
        span: r.span,
        previous_span,
        time_zone: r.zone_name.clone(),
        totals,
        previous,
        workflows: workflows
            .into_iter()
            .map(|(id, runs)| WorkflowRuns {
                name: id.parse().ok().and_then(|u| names.get(&u).cloned()),
                workflow_id: id,
                runs,
            })
            .collect(),
        days: days
            .into_iter()
            .map(|(day, runs)| RunsDay { day, runs })
            .collect(),
    })
}

/// Bookings by status, and how many of those that were due ended as a
/// no-show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Bookings {
    pub total: i64,
    pub pending: i64,
    pub confirmed: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub no_show: i64,
    /// `no_show / (completed + no_show)` in percent, one decimal; `None`
    /// when none was completed or missed.
    pub no_show_rate: Option<f64>,
}

impl Bookings {
    fn add(&mut self, status: &str, n: i64) {
        self.total += n;
        match status {
            "pending" => self.pending += n,
            "confirmed" => self.confirmed += n,
            "completed" => self.completed += n,
            "cancelled" => self.cancelled += n,
            "no_show" => self.no_show += n,
            _ => {}
        }
        let due = self.completed + self.no_show;
        self.no_show_rate =
            (due > 0).then(|| (self.no_show as f64 * 1000.0 / due as f64).round() / 10.0);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ServiceBookings {
    pub service_id: String,
    pub name: Option<String>,
    #[serde(flatten)]
    pub bookings: Bookings,
}

/// Bookings starting in a span, by service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingsReport {
    pub span: Span,
    pub previous_span: Span,
    pub time_zone: String,
    pub totals: Bookings,
    /// The span before's totals.
    pub previous: Bookings,
    pub services: Vec<ServiceBookings>,
}

/// The bookings report of `r`'s span.
pub async fn bookings(r: &mut Reading) -> AppResult<BookingsReport> {
    let (from, to) = r.span.keys();
    let names = r.tx.analytics_names(Named::Services).await?;
    let mut totals = Bookings::default();
    let mut services: BTreeMap<String, Bookings> = BTreeMap::new();
    for c in r.tx.analytics_daily(metric::BOOKING, &from, &to).await? {
        let status = &c.metric[metric::BOOKING.len()..];
        totals.add(status, c.value);
        services
            .entry(c.subject.clone())
            .or_default()
            .add(status, c.value);
    }
    let previous_span = r.span.previous();
    let (pfrom, pto) = previous_span.keys();
    let mut previous = Bookings::default();
    for c in r.tx.analytics_daily(metric::BOOKING, &pfrom, &pto).await? {
        previous.add(&c.metric[metric::BOOKING.len()..], c.value);
    }
    Ok(BookingsReport {
        span: r.span,
        previous_span,
        time_zone: r.zone_name.clone(),
        totals,
        previous,
        services: services
            .into_iter()
            .map(|(id, bookings)| ServiceBookings {
                name: id.parse().ok().and_then(|u| names.get(&u).cloned()),
                service_id: id,
                bookings,
            })
            .collect(),
    })
}
