//! Settings → Pipelines (`settings:manage`): create a pipeline (the first
//! one's form suggests Lead, Qualified, Proposal, Negotiation), rename or
//! delete one, and add, rename, reorder or remove its stages.

use super::{refusal, show, unprocessable};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::deals::pipelines::{self as rules, SUGGESTED_STAGES};
use crate::crm::deals::stages;
use crate::dashboard::page::Shell;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{PipelineId, StageId};
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct StageRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct PipelineRow {
    pub id: String,
    pub name: String,
    pub deals: i64,
    pub stages: Vec<StageRow>,
}

/// What the create form shows (again).
#[derive(Debug, Clone, Default)]
pub struct PipelineDraft {
    pub name: String,
    pub stages: String,
}

#[derive(Template)]
#[template(path = "settings_pipelines.html")]
struct PipelinesPage {
    shell: Shell,
    tab: &'static str,
    pipelines: Vec<PipelineRow>,
    draft: PipelineDraft,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    draft: Option<PipelineDraft>,
    error: Option<String>,
) -> AppResult<Response> {
    let found = rules::pipelines_with_deal_counts(state, ctx).await?;
    let draft = draft.unwrap_or_else(|| {
        if found.is_empty() {
            PipelineDraft {
                name: "Sales".to_owned(),
                stages: SUGGESTED_STAGES.join("\n"),
            }
        } else {
            PipelineDraft::default()
        }
    });
    let pipelines = found
        .into_iter()
        .map(|(p, deals)| PipelineRow {
            id: p.id.to_string(),
            name: p.name,
            deals,
            stages: p
                .stages
                .into_iter()
                .map(|s| StageRow {
                    id: s.id.to_string(),
                    name: s.name,
                })
                .collect(),
        })
        .collect();
    Ok(show(&PipelinesPage {
        shell: shell.with_tab("settings"),
        tab: "pipelines",
        pipelines,
        draft,
        error,
    }))
}

pub async fn view_pipelines(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None).await
}

/// Back to the page (at `anchor`), or the page again with the refusal.
async fn done<T>(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    result: AppResult<T>,
    anchor: &str,
    draft: Option<PipelineDraft>,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/app/settings/pipelines{anchor}")).into_response()),
        Err(e) => {
            let msg = refusal(e)?;
            Ok(unprocessable(
                page(state, shell, ctx, draft, Some(msg)).await?,
            ))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PipelineForm {
    name: String,
    /// One stage per line.
    stages: String,
}

pub async fn create_pipeline(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<PipelineForm>,
) -> AppResult<Response> {
    let stages: Vec<String> = form
        .stages
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let r = rules::create_pipeline(&state, &ctx, &form.name, &stages).await;
    let anchor = r
        .as_ref()
        .map(|p| format!("#pipeline-{}", p.id))
        .unwrap_or_default();
    let draft = PipelineDraft {
        name: form.name.clone(),
        stages: form.stages.clone(),
    };
    done(&state, shell, &ctx, r, &anchor, Some(draft)).await
}

pub async fn update_pipeline(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
    Form(form): Form<PipelineForm>,
) -> AppResult<Response> {
    let change = rules::PipelineChange {
        name: Some(form.name),
        stages: None,
    };
    let r = rules::update_pipeline(&state, &ctx, id, change).await;
    done(&state, shell, &ctx, r, &format!("#pipeline-{id}"), None).await
}

pub async fn delete_pipeline(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
) -> AppResult<Response> {
    let r = rules::delete_pipeline(&state, &ctx, id).await;
    done(&state, shell, &ctx, r, "", None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    name: String,
    /// Where the stage moves (0 first; empty: it stays).
    position: String,
    /// Where a removed stage's deals go (empty: nowhere, refused if any).
    move_to: String,
}

pub async fn create_stage(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
    Form(form): Form<StageForm>,
) -> AppResult<Response> {
    let r = stages::add_stage(&state, &ctx, id, &form.name, None).await;
    done(&state, shell, &ctx, r, &format!("#pipeline-{id}"), None).await
}

pub async fn update_stage(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath((id, stage)): ApiPath<(PipelineId, StageId)>,
    Form(form): Form<StageForm>,
) -> AppResult<Response> {
    let position = match form.position.trim() {
        "" => Ok(None),
        p => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| crate::error::AppError::validation("position", "a number")),
    };
    let r = match position {
        Ok(position) => {
            stages::update_stage(&state, &ctx, id, stage, Some(&form.name), position).await
        }
        Err(e) => Err(e),
    };
    done(&state, shell, &ctx, r, &format!("#pipeline-{id}"), None).await
}

pub async fn delete_stage(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath((id, stage)): ApiPath<(PipelineId, StageId)>,
    Form(form): Form<StageForm>,
) -> AppResult<Response> {
    let r = match super::form_id::<StageId>("move_to", &form.move_to) {
        Ok(move_to) => stages::remove_stage(&state, &ctx, id, stage, move_to).await,
        Err(e) => Err(e),
    };
    done(&state, shell, &ctx, r, &format!("#pipeline-{id}"), None).await
}
