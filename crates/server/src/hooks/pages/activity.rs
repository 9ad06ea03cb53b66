//! Settings → Activity: the execution log (what ran on the tenant's
//! behalf) with type, status and date filters, pages, and each entry's
//! JSON details.

use super::form;
use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::hooks::log::{self, ExecutionFilter};
use crate::http::pagination::PageQuery;
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
    let request = PageQuery {
        limit: Some(50),
        cursor: Some(q.cursor.clone()),
    }
    .request();
    let found = match q.filter().and_then(|f| request.map(|p| (f, p))) {
        Ok((filter, page)) => log::list_executions(&state, &ctx, filter, page).await,
        Err(e) => Err(e),
    };
    let (entries, next, error) = match found {
        Ok(f) => (f.items, f.next, None),
        Err(e) => match inline(&e) {
            Some(msg) => (Vec::new(), None, Some(msg)),
            None => return Err(e),
        },
    };
    let older = next.map(|n| {
        let cursor = n.to_string();
        let mut pairs = q.filters().to_vec();
        pairs.push(("cursor", &cursor));
        form::query(&pairs)
    });
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
