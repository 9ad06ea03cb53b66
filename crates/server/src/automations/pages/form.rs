//! The builder (`/app/automations/new`, `/app/automations/{id}`): name,
//! description, enabled, and the definition. The page's script draws the
//! definition as a trigger, conditions and steps and keeps the "Advanced:
//! edit as JSON" textarea in step with it; that textarea is what the form
//! sends, so the page works without the script too. A definition that is
//! not JSON, or that the rules refuse, comes back with the reasons beside
//! the JSON and everything as typed. A saved workflow's page also holds
//! the dry run ([`super::dry_run`]), its next run and its secrets
//! ([`super::secrets`]).

use super::choices::Choices;
use super::secrets::About;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::automations::definition::{Definition, Trigger};
use crate::automations::workflows::{self as rules, NewWorkflow, Shown, WorkflowChanges};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::contact_name;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Timestamp, WorkflowId};
use serde::Deserialize;
use store::page::PageRequest;

/// The form as posted, and as shown again after a refusal.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WorkflowFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `true` when ticked.
    #[serde(default)]
    pub enabled: String,
    /// The whole definition as JSON.
    #[serde(default)]
    pub definition: String,
}

impl WorkflowFields {
    pub(super) fn of(s: &Shown) -> Self {
        WorkflowFields {
            name: s.workflow.name.clone(),
            description: s.workflow.description.clone(),
            enabled: s.workflow.enabled.to_string(),
            definition: pretty(&s.definition),
        }
    }

    fn is_enabled(&self) -> bool {
        self.enabled == "true"
    }
}

fn pretty(d: &Definition) -> String {
    serde_json::to_string_pretty(d).unwrap_or_default()
}

/// Something wrong with the definition, at its path (`steps[1].text`; empty
/// when the JSON itself does not read).
#[derive(Debug, Clone)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// A dry run's answer, ready for the page.
#[derive(Debug, Clone)]
pub struct DryView {
    pub contact_id: String,
    pub conditions_hold: bool,
    /// Path, type and what it would do, in order.
    pub steps: Vec<(String, String, String)>,
}

/// What the editor needs of a saved workflow.
#[derive(Debug, Clone, Copy)]
pub(super) struct Saved {
    pub id: WorkflowId,
    pub version: i64,
    pub next_fire_at: Option<Timestamp>,
}

impl Saved {
    pub(super) fn of(s: &Shown) -> Self {
        Saved {
            id: s.workflow.id,
            version: s.workflow.version,
            next_fire_at: s.workflow.next_fire_at,
        }
    }
}

#[derive(Template)]
#[template(path = "automation.html")]
struct EditorPage {
    shell: Shell,
    tab: &'static str,
    /// The saved workflow's id and version (none for a new one).
    id: Option<String>,
    version: i64,
    fields: WorkflowFields,
    /// A saved workflow's next run and secrets.
    about: Option<About>,
    choices: Choices,
    /// The newest contacts, for the dry run: id and name.
    contacts: Vec<(String, String)>,
    dry: Option<DryView>,
    dry_error: Option<String>,
    ok: Option<String>,
    error: Option<String>,
    problems: Vec<Problem>,
}

impl EditorPage {
    fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/app/automations/{id}"),
            None => "/app/automations".to_owned(),
        }
    }

    /// Whether contact `id` is the one the dry run was for.
    fn chosen(&self, id: &str) -> bool {
        self.dry.as_ref().is_some_and(|d| d.contact_id == id)
    }
}

/// What the editor shows besides the fields.
#[derive(Default)]
pub(super) struct Extras {
    pub dry: Option<DryView>,
    pub dry_error: Option<String>,
    pub ok: Option<String>,
    pub error: Option<String>,
    pub problems: Vec<Problem>,
}

pub(super) async fn editor(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    saved: Option<Saved>,
    fields: WorkflowFields,
    extras: Extras,
) -> AppResult<Response> {
    let choices = Choices::load(state, ctx).await?;
    let about = match &saved {
        Some(s) => Some(super::secrets::about(state, ctx, s).await?),
        None => None,
    };
    let contacts = match saved {
        Some(_) => {
            crate::inbox::contacts::list_contacts(state, ctx, None, PageRequest::new(None, 20))
                .await?
                .items
                .iter()
                .map(|c| (c.id.to_string(), contact_name(c)))
                .collect()
        }
        None => Vec::new(),
    };
    Ok(render(&EditorPage {
        shell: shell.with_tab("automations"),
        tab: "workflows",
        id: saved.map(|s| s.id.to_string()),
        version: saved.map_or(0, |s| s.version),
        fields,
        about,
        choices,
        contacts,
        dry: extras.dry,
        dry_error: extras.dry_error,
        ok: extras.ok,
        error: extras.error,
        problems: extras.problems,
    }))
}

pub async fn view_new_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Response> {
    let blank = Definition {
        trigger: Trigger::MessageReceived {
            keywords: Vec::new(),
            pattern: None,
            first_in_conversation: false,
        },
        conditions: Vec::new(),
        steps: Vec::new(),
    };
    let fields = WorkflowFields {
        definition: pretty(&blank),
        ..WorkflowFields::default()
    };
    editor(&state, shell, &ctx, None, fields, Extras::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkflowQuery {
    /// `created` or `saved` after the form, `secrets` after new secrets.
    #[serde(default)]
    done: String,
}

pub async fn view_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    Query(q): Query<WorkflowQuery>,
) -> AppResult<Response> {
    let shown = rules::get_workflow(&state, &ctx, id).await?;
    let ok = match q.done.as_str() {
        "created" => Some("Created.".to_owned()),
        "saved" => Some("Saved.".to_owned()),
        "secrets" => Some(
            "New secrets made: the old inbound URL no longer works, and calls are signed with the new secret."
                .to_owned(),
        ),
        _ => None,
    };
    let extras = Extras {
        ok,
        ..Extras::default()
    };
    let saved = Some(Saved::of(&shown));
    editor(
        &state,
        shell,
        &ctx,
        saved,
        WorkflowFields::of(&shown),
        extras,
    )
    .await
}

/// The definition the form sent, or why it does not read.
fn parse(fields: &WorkflowFields) -> Result<Definition, Problem> {
    serde_json::from_str(&fields.definition).map_err(|e| Problem {
        path: String::new(),
        message: format!("This is not a workflow definition: {e}"),
    })
}

/// The form again, as typed, with what the rules refused: the
/// definition's problems beside the JSON, the rest at the top.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    saved: Option<Saved>,
    fields: WorkflowFields,
    e: AppError,
) -> AppResult<Response> {
    let status = e.status();
    let mut extras = Extras::default();
    match e {
        AppError::Validation(all) => {
            let (inside, outside): (Vec<_>, Vec<_>) = all.into_iter().partition(|f| {
                let p = f.field.trim_start_matches("definition.");
                ["trigger", "conditions", "steps"]
                    .iter()
                    .any(|root| p.starts_with(root))
            });
            extras.problems = inside
                .into_iter()
                .map(|f| Problem {
                    path: f.field.trim_start_matches("definition.").to_owned(),
                    message: f.message,
                })
                .collect();
            if !outside.is_empty() {
                extras.error = inline(&AppError::Validation(outside));
            }
        }
        other => match inline(&other) {
            Some(msg) => extras.error = Some(msg),
            None => return Err(other),
        },
    }
    if !extras.problems.is_empty() && extras.error.is_none() {
        extras.error = Some("Not saved: the definition needs changes (see beside it).".to_owned());
    }
    let mut res = editor(state, shell, ctx, saved, fields, extras).await?;
    *res.status_mut() = status;
    Ok(res)
}

/// The form again with a definition that does not read.
async fn unreadable_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    saved: Option<Saved>,
    fields: WorkflowFields,
    p: Problem,
) -> AppResult<Response> {
    let extras = Extras {
        error: Some("Not saved: the definition is not valid JSON for a workflow.".to_owned()),
        problems: vec![p],
        ..Extras::default()
    };
    let mut res = editor(state, shell, ctx, saved, fields, extras).await?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

pub async fn create_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(fields): Form<WorkflowFields>,
) -> AppResult<Response> {
    let definition = match parse(&fields) {
        Ok(d) => d,
        Err(p) => return unreadable_page(&state, shell, &ctx, None, fields, p).await,
    };
    let new = NewWorkflow {
        name: fields.name.clone(),
        description: fields.description.clone(),
        enabled: fields.is_enabled(),
        definition,
    };
    match rules::create_workflow(&state, &ctx, new).await {
        Ok(s) => Ok(
            Redirect::to(&format!("/app/automations/{}?done=created", s.workflow.id))
                .into_response(),
        ),
        Err(e) => refused(&state, shell, &ctx, None, fields, e).await,
    }
}

/// Saves the form: a new definition is a new version.
pub async fn update_workflow(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    Form(fields): Form<WorkflowFields>,
) -> AppResult<Response> {
    let current = rules::get_workflow(&state, &ctx, id).await?;
    let saved = Some(Saved::of(&current));
    let changes = parse(&fields).map(|definition| WorkflowChanges {
        name: Some(fields.name.clone()),
        description: Some(fields.description.clone()),
        enabled: Some(fields.is_enabled()),
        definition: Some(definition),
    });
    let result = match changes {
        Ok(c) => rules::update_workflow(&state, &ctx, id, c).await,
        Err(p) => return unreadable_page(&state, shell, &ctx, saved, fields, p).await,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/app/automations/{id}?done=saved")).into_response()),
        Err(e) => refused(&state, shell, &ctx, saved, fields, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_that_is_not_a_definition_says_why() {
        let fields = WorkflowFields {
            definition: r#"{"trigger": {"type": "sunrise"}, "steps": []}"#.to_owned(),
            ..WorkflowFields::default()
        };
        let p = parse(&fields).unwrap_err();
        assert!(p.message.contains("sunrise"), "{}", p.message);
        assert!(p.path.is_empty());
    }
}
