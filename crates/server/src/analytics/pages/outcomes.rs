//! What sending and automation came to: `/app/analytics/campaigns`
//! (campaign results, template performance over time as lines and per
//! template), `/app/analytics/automations` (runs per day as bars and per
//! workflow) and `/app/analytics/bookings` (per service, with the no-show
//! rate).

use super::{AUTOMATIONS, AnalyticsQuery, BOOKINGS, CAMPAIGNS, Frame, load, rate, short_day};
use crate::analytics::charts::{Series, bars, lines};
use crate::analytics::reports::outcomes::{
    AutomationsReport, Bookings, BookingsReport, CampaignsReport, Funnel, FunnelDay, Runs, RunsDay,
    automations, bookings, campaigns,
};
use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

/// A row of a funnel's table: what it is, where it links, how far it got.
struct FunnelRow {
    id: String,
    name: String,
    /// The campaign's page (`None` for a template, or a deleted campaign).
    href: Option<String>,
    template: String,
    funnel: Funnel,
    delivered_rate: String,
    read_rate: String,
}

impl FunnelRow {
    fn new(id: String, name: String, href: Option<String>, template: String, f: Funnel) -> Self {
        FunnelRow {
            delivered_rate: rate(f.delivered, f.sent),
            read_rate: rate(f.read, f.sent),
            id,
            name,
            href,
            template,
            funnel: f,
        }
    }
}

struct CampaignsShown {
    chart: String,
    days: Vec<FunnelDay>,
    campaigns: Vec<FunnelRow>,
    templates: Vec<FunnelRow>,
}

#[derive(Template)]
#[template(path = "analytics_campaigns.html")]
struct CampaignsPage {
    shell: Shell,
    frame: Frame,
    report: Option<CampaignsShown>,
}

fn campaigns_shown(r: CampaignsReport) -> CampaignsShown {
    let labels: Vec<String> = r.template_days.iter().map(|d| short_day(&d.day)).collect();
    let column = |f: fn(&Funnel) -> i64| -> Vec<i64> {
        r.template_days.iter().map(|d| f(&d.funnel)).collect()
    };
    let (sent, delivered, read, failed) = (
        column(|f| f.sent),
        column(|f| f.delivered),
        column(|f| f.read),
        column(|f| f.failed),
    );
    let series = [
        ("Sent", &sent, "series-sent"),
        ("Delivered", &delivered, "series-delivered"),
        ("Read", &read, "series-read"),
        ("Failed", &failed, "series-failed"),
    ]
    .map(|(name, values, class)| Series {
        name,
        values,
        class,
    });
    let chart = lines("Template messages per day", &labels, &series);
    CampaignsShown {
        chart,
        campaigns: r
            .campaigns
            .into_iter()
            .map(|c| {
                let href = c
                    .name
                    .is_some()
                    .then(|| format!("/app/campaigns/{}", c.campaign_id));
                let name = c.name.unwrap_or_else(|| "(deleted)".to_owned());
                FunnelRow::new(c.campaign_id, name, href, c.template, c.funnel)
            })
            .collect(),
        templates: r
            .templates
            .into_iter()
            .map(|t| {
                FunnelRow::new(
                    t.template.clone(),
                    t.template,
                    None,
                    String::new(),
                    t.funnel,
                )
            })
            .collect(),
        days: r.template_days,
    }
}

pub async fn view_campaigns(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AnalyticsRead>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let (frame, report) = load(&state, &ctx, CAMPAIGNS, &q, campaigns).await?;
    let status = frame.status;
    let mut res = render(&CampaignsPage {
        shell: shell.with_tab("analytics"),
        frame,
        report: report.map(campaigns_shown),
    });
    *res.status_mut() = status;
    Ok(res)
}

struct WorkflowRow {
    id: String,
    name: String,
    runs: Runs,
    failed_rate: String,
}

struct AutomationsShown {
    totals: Runs,
    chart: String,
    days: Vec<RunsDay>,
    workflows: Vec<WorkflowRow>,
}

#[derive(Template)]
#[template(path = "analytics_automations.html")]
struct AutomationsPage {
    shell: Shell,
    frame: Frame,
    report: Option<AutomationsShown>,
}

fn automations_shown(r: AutomationsReport) -> AutomationsShown {
    let labels: Vec<String> = r.days.iter().map(|d| short_day(&d.day)).collect();
    let completed: Vec<i64> = r.days.iter().map(|d| d.runs.completed).collect();
    let failed: Vec<i64> = r.days.iter().map(|d| d.runs.failed).collect();
    let chart = bars(
        "Automation runs per day",
        &labels,
        &[
            Series {
                name: "Completed",
                values: &completed,
                class: "series-completed",
            },
            Series {
                name: "Failed",
                values: &failed,
                class: "series-failed",
            },
        ],
    );
    AutomationsShown {
        totals: r.totals,
        chart,
        days: r.days,
        workflows: r
            .workflows
            .into_iter()
            .map(|w| WorkflowRow {
                failed_rate: rate(w.runs.failed, w.runs.completed + w.runs.failed),
                name: w.name.unwrap_or_else(|| "(deleted)".to_owned()),
                id: w.workflow_id,
                runs: w.runs,
            })
            .collect(),
    }
}

pub async fn view_automations(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AnalyticsRead>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let (frame, report) = load(&state, &ctx, AUTOMATIONS, &q, automations).await?;
    let status = frame.status;
    let mut res = render(&AutomationsPage {
        shell: shell.with_tab("analytics"),
        frame,
        report: report.map(automations_shown),
    });
    *res.status_mut() = status;
    Ok(res)
}

struct ServiceRow {
    id: String,
    name: String,
    bookings: Bookings,
    no_show_rate: String,
}

fn no_show_rate(b: &Bookings) -> String {
    b.no_show_rate
        .map_or_else(|| "—".to_owned(), |r| format!("{r}%"))
}

struct BookingsShown {
    totals: Bookings,
    no_show_rate: String,
    services: Vec<ServiceRow>,
}

#[derive(Template)]
#[template(path = "analytics_bookings.html")]
struct BookingsPage {
    shell: Shell,
    frame: Frame,
    report: Option<BookingsShown>,
}

fn bookings_shown(r: BookingsReport) -> BookingsShown {
    BookingsShown {
        no_show_rate: no_show_rate(&r.totals),
        totals: r.totals,
        services: r
            .services
            .into_iter()
            .map(|s| ServiceRow {
                no_show_rate: no_show_rate(&s.bookings),
                name: s.name.unwrap_or_else(|| "(deleted)".to_owned()),
                id: s.service_id,
                bookings: s.bookings,
            })
            .collect(),
    }
}

pub async fn view_bookings(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AnalyticsRead>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    let (frame, report) = load(&state, &ctx, BOOKINGS, &q, bookings).await?;
    let status = frame.status;
    let mut res = render(&BookingsPage {
        shell: shell.with_tab("analytics"),
        frame,
        report: report.map(bookings_shown),
    });
    *res.status_mut() = status;
    Ok(res)
}
