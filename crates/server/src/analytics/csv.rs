//! Each report's main table as CSV: the same figures the API answers in
//! JSON, one row per day, agent or team, campaign, workflow or service.

use super::reports::messages::MessagesReport;
use super::reports::outcomes::{AutomationsReport, BookingsReport, CampaignsReport};
use super::reports::response::{Performance, ResponseReport};
use crate::crm::export::neutralise;
use crate::error::{AppError, AppResult};

/// A table: its header and its rows.
pub struct Table {
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV text (names neutralised against spreadsheet
    /// formulas).
    pub fn to_csv(&self) -> AppResult<Vec<u8>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(self.header).map_err(AppError::internal)?;
        for row in &self.rows {
            out.write_record(row).map_err(AppError::internal)?;
        }
        out.into_inner()
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn name(n: &Option<String>) -> String {
    neutralise(n.clone().unwrap_or_default())
}

pub fn messages(r: &MessagesReport) -> Table {
    Table {
        header: &[
            "day",
            "messages_in",
            "messages_out",
            "messages_failed",
            "conversations_opened",
            "conversations_resolved",
        ],
        rows: r
            .days
            .iter()
            .map(|d| {
                let t = &d.totals;
                vec![
                    d.day.clone(),
                    t.messages_in.to_string(),
                    t.messages_out.to_string(),
                    t.messages_failed.to_string(),
                    t.conversations_opened.to_string(),
                    t.conversations_resolved.to_string(),
                ]
            })
            .collect(),
    }
}

pub fn response_times(r: &ResponseReport) -> Table {
    let row = |group: &str, id: Option<String>, n: &Option<String>, p: &Performance| {
        vec![
            group.to_owned(),
            opt(id),
            name(n),
            p.first_response.count.to_string(),
            opt(p.first_response.median_seconds),
            opt(p.first_response.p90_seconds),
            p.resolution.count.to_string(),
            opt(p.resolution.median_seconds),
            opt(p.resolution.p90_seconds),
            p.breaches.to_string(),
        ]
    };
    let mut rows = vec![row("all", None, &None, &r.overall)];
    rows.extend(
        r.agents
            .iter()
            .map(|a| row("agent", a.user_id.clone(), &a.name, &a.performance)),
    );
    rows.extend(
        r.teams
            .iter()
            .map(|t| row("team", t.team_id.clone(), &t.name, &t.performance)),
    );
    Table {
        header: &[
            "group",
            "id",
            "name",
            "first_response_count",
            "first_response_median_seconds",
            "first_response_p90_seconds",
            "resolution_count",
            "resolution_median_seconds",
            "resolution_p90_seconds",
            "breaches",
        ],
        rows,
    }
}

pub fn campaigns(r: &CampaignsReport) -> Table {
    Table {
        header: &[
            "campaign_id",
            "name",
            "template",
            "sent",
            "delivered",
            "read",
            "replied",
            "failed",
        ],
        rows: r
            .campaigns
            .iter()
            .map(|c| {
                let f = &c.funnel;
                vec![
                    c.campaign_id.clone(),
                    name(&c.name),
                    neutralise(c.template.clone()),
                    f.sent.to_string(),
                    f.delivered.to_string(),
                    f.read.to_string(),
                    f.replied.to_string(),
                    f.failed.to_string(),
                ]
            })
            .collect(),
    }
}

pub fn automations(r: &AutomationsReport) -> Table {
    Table {
        header: &["workflow_id", "name", "completed", "failed"],
        rows: r
            .workflows
            .iter()
            .map(|w| {
                vec![
                    w.workflow_id.clone(),
                    name(&w.name),
                    w.runs.completed.to_string(),
                    w.runs.failed.to_string(),
                ]
            })
            .collect(),
    }
}

pub fn bookings(r: &BookingsReport) -> Table {
    Table {
        header: &[
            "service_id",
            "name",
            "total",
            "pending",
            "confirmed",
            "completed",
            "cancelled",
            "no_show",
            "no_show_rate",
        ],
        rows: r
            .services
            .iter()
            .map(|s| {
                let b = &s.bookings;
                vec![
                    s.service_id.clone(),
                    name(&s.name),
                    b.total.to_string(),
                    b.pending.to_string(),
                    b.confirmed.to_string(),
                    b.completed.to_string(),
                    b.cancelled.to_string(),
                    b.no_show.to_string(),
                    opt(b.no_show_rate),
                ]
            })
            .collect(),
    }
}
