//! Settings → Activity: the execution log (what ran on the tenant's
//! behalf) with type, status and date filters, pages, and each entry's
//! JSON details.

use super::form;
use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::log_page;
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::hooks::log::{self, ExecutionFilter};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

/// The filters and page, as the URL carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityQuery {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub cursor: String,
}

impl ActivityQuery {
    fn filters(&self) -> [(&'static str, &str); 4] {
        [
            ("type", &self.kind),
            ("status", &self.status),
            ("since", &self.since),
            ("until", &self.until),
        ]
    }

    pub fn filtered(&self) -> bool {
        self.filters().iter().any(|(_, v)| !v.is_empty())
    }

    fn filter(&self) -> AppResult<ExecutionFilter> {
        Ok(ExecutionFilter {
            kind: Some(self.kind.clone()).filter(|s| !s.is_empty()),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            since: form::time_bound("since", &self.since, false)?,
            until: form::time_bound("until", &self.until, true)?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ExecutionRow {
    pub kind: String,
    pub status: String,
    pub subject: String,
    pub started: String,
    pub finished: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "settings_activity.html")]
struct ActivityPage {
    shell: Shell,
    tab: &'static str,
    entries: Vec<ExecutionRow>,
    q: ActivityQuery,
    older: Option<String>,
    error: Option<String>,
}

pub async fn view_activity(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::TenantRead>,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let page = log_page(q.filter(), &q.cursor, &q.filters(), |filter, page| {
        log::list_executions(&state, &ctx, filter, page)
    })
    .await?;
    let (entries, older, error) = (page.items, page.older, page.error);
    Ok(render(&ActivityPage {
        shell: shell.with_tab("settings"),
        tab: "activity",
        entries: entries
            .into_iter()
            .map(|e| ExecutionRow {
                kind: e.kind.replace('_', " "),
                started: when(e.started_at, now),
                finished: e.finished_at.map(|t| when(t, now)).unwrap_or_default(),
                details: serde_json::to_string_pretty(&e.details).unwrap_or_default(),
                status: e.status,
                subject: e.subject,
            })
            .collect(),
        q,
        older,
        error,
    }))
}
