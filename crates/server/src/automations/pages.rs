//! Automations in the dashboard (docs/DASHBOARD.md, "Automations"): the
//! workflows' list with its enable / disable, duplicate and delete
//! buttons; the builder ([`form`]) and the dry run ([`dry_run`]); and the execution log
//! of runs with retry and cancel ([`runs`]); the auto-tag rules
//! ([`auto_tags`]); business hours ([`hours`]); a workflow's next run and
//! secrets, with "Make new secrets" ([`secrets`]). Adapters over
//! [`super::workflows`]: each parses the form or query, calls one rule and
//! renders. Every handler asks for `campaigns:manage`, which the rules
//! check too.

mod auto_tags;
mod choices;
mod dry_run;
mod form;
mod hours;
mod runs;
mod secrets;

use super::workflows::{self as rules, WorkflowChanges};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use choices::Choices;
use domain::WorkflowId;
use serde::Deserialize;

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/automations/{id}";
    const RULES: &str = "/app/automations/auto-tag-rules";
    Router::new()
        .route(
            "/app/automations",
            get(view_workflows).post(form::create_workflow),
        )
        .route("/app/automations/new", get(form::view_new_workflow))
        .route("/app/automations/runs", get(runs::view_runs))
        .route("/app/automations/runs/{id}", get(runs::view_run))
        .route("/app/automations/runs/{id}/retry", post(runs::retry_run))
        .route("/app/automations/runs/{id}/cancel", post(runs::cancel_run))
        .route(
            RULES,
            get(auto_tags::view_auto_tag_rules).post(auto_tags::create_auto_tag_rule),
        )
        .route(
            &format!("{RULES}/{{id}}/enabled"),
            post(auto_tags::update_auto_tag_rule_enabled),
        )
        .route(
            &format!("{RULES}/{{id}}/move"),
            post(auto_tags::move_auto_tag_rule),
        )
        .route(
            &format!("{RULES}/{{id}}/delete"),
            post(auto_tags::delete_auto_tag_rule),
        )
        .route(
            hours::PAGE,
            get(hours::view_business_hours).post(hours::update_business_hours),
        )
        .route(
            &format!("{}/{{id}}", hours::PAGE),
            get(hours::view_number_hours).post(hours::update_number_hours),
        )
        .route(
            &format!("{}/{{id}}/delete", hours::PAGE),
            post(hours::delete_number_hours),
        )
        .route(ONE, get(form::view_workflow).post(form::update_workflow))
        .route(&format!("{ONE}/dry-run"), get(dry_run::view_dry_run))
        .route(
            &format!("{ONE}/secrets/roll"),
            post(secrets::roll_workflow_secrets),
        )
        .route(&format!("{ONE}/enabled"), post(update_enabled))
        .route(&format!("{ONE}/duplicate"), post(duplicate_workflow))
        .route(&format!("{ONE}/delete"), post(delete_workflow))
}

/// One workflow as the list shows it.
struct WorkflowRow {
    id: String,
    name: String,
    description: String,
    trigger_type: String,
    trigger: String,
    enabled: bool,
    version: i64,
    updated: String,
}

#[derive(Template)]
#[template(path = "automations.html")]
struct ListPage {
    shell: Shell,
    tab: &'static str,
    rows: Vec<WorkflowRow>,
    ok: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// What the last action did: `enabled`, `disabled`, `duplicated`,
    /// `deleted`.
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    let m = match done {
        "enabled" => "Enabled: it starts runs for new events from now on.",
        "disabled" => "Disabled: it starts no new runs; runs under way go on.",
        "duplicated" => "Duplicated: the copy is disabled until you enable it.",
        "deleted" => "Deleted. Its runs under way were cancelled; its runs stay in the log.",
        _ => return None,
    };
    Some(m.to_owned())
}

async fn list_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let workflows = rules::list_workflows(state, ctx).await?;
    let choices = Choices::load(state, ctx).await?;
    let rows = workflows
        .into_iter()
        .map(|s| WorkflowRow {
            id: s.workflow.id.to_string(),
            trigger: choices.trigger(&s.definition.trigger),
            trigger_type: s.workflow.trigger_type,
            enabled: s.workflow.enabled,
            version: s.workflow.version,
            updated: when(s.workflow.updated_at, now),
            description: s.workflow.description,
            name: s.workflow.name,
        })
        .collect();
    Ok(render(&ListPage {
        shell: shell.with_tab("automations"),
        tab: "workflows",
        rows,
        ok,
        error,
    }))
}

pub async fn view_workflows(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_page(&state, shell, &ctx, flash(&q.done), None).await
}

/// The list again with a refusal it can explain, or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = list_page(state, shell, ctx, None, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("/app/automations?done={what}")).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct EnabledForm {
    /// `true` to enable, anything else to disable.
    #[serde(default)]
    enabled: String,
}

/// Enables or disables a workflow.
pub async fn update_enabled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    Form(f): Form<EnabledForm>,
) -> AppResult<Response> {
    let enabled = f.enabled == "true";
    let changes = WorkflowChanges {
        enabled: Some(enabled),
        ..WorkflowChanges::default()
    };
    match rules::update_workflow(&state, &ctx, id, changes).await {
        Ok(_) => Ok(done(if enabled { "enabled" } else { "disabled" })),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn duplicate_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Response> {
    match rules::duplicate_workflow(&state, &ctx, id).await {
        Ok(_) => Ok(done("duplicated")),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn delete_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Response> {
    match rules::delete_workflow(&state, &ctx, id).await {
        Ok(()) => Ok(done("deleted")),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}
