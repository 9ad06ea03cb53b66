//! The execution log of automations: runs, newest first, filtered by
//! workflow and status, 50 a page (`/app/automations/runs`), and one run
//! with each step it took (`/app/automations/runs/{id}`), with "Retry from
//! the failed step" for a failed run and "Cancel" for one under way.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::automations::runs as rules;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::log_page;
use crate::dashboard::render::{contact_name, when};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::tenancy::zone::display_local;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Timestamp, WorkflowId, WorkflowRunId};
use serde::Deserialize;
use serde_json::Value;
use store::workflows::{RunFilter, RunStatus, RunStep, WorkflowRun};

/// The filters and page, as the URL carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    pub workflow_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cursor: String,
}

impl RunsQuery {
    fn filters(&self) -> [(&'static str, &str); 2] {
        [("workflow_id", &self.workflow_id), ("status", &self.status)]
    }

    pub fn filtered(&self) -> bool {
        self.filters().iter().any(|(_, v)| !v.is_empty())
    }

    fn filter(&self) -> AppResult<RunFilter> {
        let workflow = match self.workflow_id.trim() {
            "" => None,
            w => Some(
                w.parse::<WorkflowId>()
                    .map_err(|_| AppError::validation("workflow", "choose a workflow"))?,
            ),
        };
        let status = match self.status.trim() {
            "" => None,
            s => Some(RunStatus::parse(s).ok_or_else(|| {
                AppError::validation(
                    "status",
                    "running, waiting, completed, failed, cancelled or skipped",
                )
            })?),
        };
        Ok(RunFilter {
            workflow,
            status,
            ..RunFilter::default()
        })
    }
}

/// The statuses the filter offers.
const STATUSES: [&str; 6] = [
    "running",
    "waiting",
    "completed",
    "failed",
    "cancelled",
    "skipped",
];

/// One run as the log shows it.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: String,
    pub workflow_id: String,
    pub workflow: String,
    pub version: i64,
    pub status: &'static str,
    pub trigger_event: String,
    pub contact_id: Option<String>,
    pub started: String,
    pub finished: String,
    pub error: String,
}

impl RunRow {
    fn new(r: &WorkflowRun, now: Timestamp) -> Self {
        RunRow {
            id: r.id.to_string(),
            workflow_id: r.workflow_id.to_string(),
            workflow: r.workflow_name.clone(),
            version: r.version,
            status: r.status.as_str(),
            trigger_event: r.trigger_event.clone(),
            contact_id: r.contact_id.map(|c| c.to_string()),
            started: when(r.started_at, now),
            finished: r.finished_at.map(|t| when(t, now)).unwrap_or_default(),
            error: r.error.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "automation_runs.html")]
struct RunsPage {
    shell: Shell,
    tab: &'static str,
    runs: Vec<RunRow>,
    /// Every workflow, for the filter: id and name.
    workflows: Vec<(String, String)>,
    statuses: [&'static str; 6],
    q: RunsQuery,
    /// The query string of the next page, if there is one.
    older: Option<String>,
    error: Option<String>,
}

pub async fn view_runs(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<RunsQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let page = log_page(q.filter(), &q.cursor, &q.filters(), |filter, page| {
        rules::list_runs(&state, &ctx, filter, page)
    })
    .await?;
    let (runs, older, error) = (page.items, page.older, page.error);
    let workflows = crate::automations::workflows::list_workflows(&state, &ctx)
        .await?
        .into_iter()
        .map(|s| (s.workflow.id.to_string(), s.workflow.name))
        .collect();
    Ok(render(&RunsPage {
        shell: shell.with_tab("automations"),
        tab: "runs",
        runs: runs.iter().map(|r| RunRow::new(r, now)).collect(),
        workflows,
        statuses: STATUSES,
        q,
        older,
        error,
    }))
}

/// One step a run took, ready for the page.
#[derive(Debug, Clone)]
pub struct StepRow {
    pub n: i64,
    pub path: String,
    pub kind: String,
    /// What it did, in words, for the steps whose output says more than
    /// its JSON shows at a glance; else empty.
    pub summary: String,
    pub status: String,
    pub input: String,
    pub output: String,
    pub error: String,
    pub started: String,
    pub duration_ms: i64,
}

impl StepRow {
    fn new(s: RunStep, now: Timestamp) -> Self {
        StepRow {
            summary: summary(&s.kind, &s.output),
            n: s.n,
            input: serde_json::to_string_pretty(&s.input).unwrap_or_default(),
            output: serde_json::to_string_pretty(&s.output).unwrap_or_default(),
            error: s.error.unwrap_or_default(),
            started: when(s.started_at, now),
            duration_ms: s.duration_ms,
            path: s.path,
            kind: s.kind,
            status: s.status,
        }
    }
}

/// A logged step's output in words: when a wait goes on, whether a reply
/// came, what a call answered and saved.
fn summary(kind: &str, output: &Value) -> String {
    match kind {
        "wait_until" => {
            let until = serde_json::from_value::<Timestamp>(output["until"].clone());
            let zone = output["time_zone"].as_str().unwrap_or("UTC");
            match until {
                Ok(at) => format!("Goes on at {}", display_local(zone, at)),
                Err(_) => String::new(),
            }
        }
        "wait_for_reply" => match output["replied"].as_bool() {
            Some(true) => "They replied: took the “If they reply” steps".to_owned(),
            Some(false) => "No reply in time: took the “If no reply in time” steps".to_owned(),
            None => String::new(),
        },
        "call_http" => {
            let Some(status) = output["status"].as_i64() else {
                return String::new();
            };
            let saved: Vec<&str> = output["saved"]
                .as_object()
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            if saved.is_empty() {
                format!("Answered {status}; saved nothing")
            } else {
                format!("Answered {status}; saved {}", saved.join(", "))
            }
        }
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "automation_run.html")]
struct RunPage {
    shell: Shell,
    tab: &'static str,
    run: RunRow,
    contact: String,
    conversation_id: Option<String>,
    /// While waiting: when it goes on.
    wakes: String,
    can_retry: bool,
    can_cancel: bool,
    steps: Vec<StepRow>,
    ok: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RunQuery {
    /// `retried` or `cancelled` after a button.
    #[serde(default)]
    done: String,
}

async fn run_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: WorkflowRunId,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let (run, steps) = rules::get_run(state, ctx, id).await?;
    let contact = match run.contact_id {
        Some(c) => match crate::inbox::contacts::get_contact(state, ctx, c).await {
            Ok(d) => contact_name(&d.contact),
            Err(AppError::NotFound) => "a deleted contact".to_owned(),
            Err(e) => return Err(e),
        },
        None => String::new(),
    };
    Ok(render(&RunPage {
        shell: shell.with_tab("automations"),
        tab: "runs",
        contact,
        conversation_id: run.conversation_id.map(|c| c.to_string()),
        wakes: run.wake_at.map(|t| when(t, now)).unwrap_or_default(),
        can_retry: run.status == RunStatus::Failed,
        can_cancel: run.status.is_active(),
        steps: steps.into_iter().map(|s| StepRow::new(s, now)).collect(),
        run: RunRow::new(&run, now),
        ok,
        error,
    }))
}

pub async fn view_run(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
    Query(q): Query<RunQuery>,
) -> AppResult<Response> {
    let ok = match q.done.as_str() {
        "retried" => Some("Retrying from the failed step.".to_owned()),
        "cancelled" => Some("Cancelled.".to_owned()),
        _ => None,
    };
    run_page(&state, shell, &ctx, id, ok, None).await
}

/// Back to the run, or the run with a refusal it can explain.
async fn after(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: WorkflowRunId,
    result: AppResult<WorkflowRun>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/app/automations/runs/{id}?done={done}")).into_response())
        }
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = run_page(state, shell, ctx, id, None, Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

pub async fn retry_run(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
) -> AppResult<Response> {
    let result = rules::retry_run(&state, &ctx, id).await;
    after(&state, shell, &ctx, id, result, "retried").await
}

pub async fn cancel_run(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
) -> AppResult<Response> {
    let result = rules::cancel_run(&state, &ctx, id).await;
    after(&state, shell, &ctx, id, result, "cancelled").await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn new_steps_say_what_they_did() {
        let until = json!({"until": "2025-07-01T08:30:00Z", "time_zone": "Europe/Lisbon"});
        assert_eq!(
            summary("wait_until", &until),
            "Goes on at 2025-07-01 09:30 WEST"
        );
        assert!(
            summary(
                "wait_for_reply",
                &json!({"replied": true, "message_id": "m"})
            )
            .starts_with("They replied")
        );
        assert!(summary("wait_for_reply", &json!({"replied": false})).starts_with("No reply"));
        assert_eq!(
            summary(
                "call_http",
                &json!({"status": 200, "saved": {"plan": "pro", "tier": 2}})
            ),
            "Answered 200; saved plan, tier"
        );
        assert_eq!(summary("call_http", &json!(null)), "");
        assert_eq!(summary("add_note", &json!({"note_id": "n"})), "");
    }
}
