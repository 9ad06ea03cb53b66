//! The rules of workflows and their runs: create, change (each new
//! definition is a new version; runs under way keep theirs), enable,
//! disable, duplicate, delete; list and read runs with their steps, retry
//! a failed run from its failed step, cancel one under way; and a dry run
//! that shows what a workflow would do for a contact without doing it.
//! Managing automations is `campaigns:manage`, like the rest of the
//! tenant's outreach.

use super::definition::{self, Definition};
use super::{inbound, schedule, trigger};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use crate::tenancy::limits::{self, Limit};
use domain::events::{Event, WorkflowRef, WorkflowUpdated};
use domain::{Permission, Timestamp, WorkflowId};
use serde_json::{Value, json};
use store::events::CursorStart;
use store::workflows::{RunStatus, Workflow};
use store::{StoreError, TenantTx};

/// Workflows per tenant, at most.
pub const MAX_WORKFLOWS: i64 = 200;
/// Characters in a name, at most.
pub const MAX_NAME: usize = 100;
/// Characters in a description, at most.
pub const MAX_DESCRIPTION: usize = 500;

/// A workflow with its current definition.
#[derive(Debug, Clone)]
pub struct Shown {
    pub workflow: Workflow,
    pub definition: Definition,
}

/// What a new workflow is.
#[derive(Debug, Clone)]
pub struct NewWorkflow {
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub definition: Definition,
}

/// What may change about a workflow; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct WorkflowChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub definition: Option<Definition>,
}

/// A name as automations keep it: trimmed, 1 to [`MAX_NAME`] characters
/// (a 422 on `name` otherwise). Workflows, drips and auto-tag rules share it.
pub(crate) fn name(raw: &str) -> AppResult<String> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME {
        return Err(AppError::validation(
            "name",
            format!("1 to {MAX_NAME} characters"),
        ));
    }
    Ok(n.to_owned())
}

fn description(raw: &str) -> AppResult<String> {
    let d = raw.trim();
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::validation(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(d.to_owned())
}

/// `d` checked, and everything it names found in the tenant.
async fn checked(tx: &mut TenantTx, d: &Definition) -> AppResult<Value> {
    definition::check(d)?;
    check_names(tx, &definition::names(d), "definition.").await?;
    serde_json::to_value(d).map_err(AppError::internal)
}

/// Finds everything `names` lists in the tenant; a missing one is a
/// validation error at its path (after `prefix`).
pub(super) async fn check_names(
    tx: &mut TenantTx,
    names: &definition::Names,
    prefix: &str,
) -> AppResult<()> {
    let missing = |path: &str, what: &str| {
        AppError::validation(format!("{prefix}{path}"), format!("no such {what}"))
    };
    for (path, id) in &names.tags {
        found(tx.find_tag(*id).await).ok_or_else(|| missing(path, "tag"))??;
    }
    for (path, id) in &names.users {
        found(tx.find_user(*id).await).ok_or_else(|| missing(path, "user"))??;
    }
    for (path, id) in &names.teams {
        found(tx.find_team(*id).await).ok_or_else(|| missing(path, "team"))??;
    }
    for (path, id) in &names.channels {
        found(tx.find_channel(*id).await).ok_or_else(|| missing(path, "number"))??;
    }
    for (path, id) in &names.stages {
        found(tx.find_stage(*id).await).ok_or_else(|| missing(path, "stage"))??;
    }
    for (path, id) in &names.drips {
        found(tx.find_drip(*id).await).ok_or_else(|| missing(path, "drip"))??;
    }
    if !names.attributes.is_empty() {
        let defs = tx.all_contact_attributes().await?;
        for (path, key) in &names.attributes {
            if !defs.iter().any(|d| d.key == *key) {
                return Err(missing(path, "attribute"));
            }
        }
    }
    Ok(())
}

/// `None` for a row that is not there; the row's result otherwise.
fn found<T>(r: Result<T, StoreError>) -> Option<AppResult<T>> {
    match r {
        Err(StoreError::NotFound) => None,
        other => Some(other.map_err(AppError::from)),
    }
}

/// The workflow's reference in its events.
fn event_ref(w: &Workflow) -> WorkflowRef {
    WorkflowRef {
        workflow_id: w.id,
        name: w.name.clone(),
        version: w.version,
        enabled: w.enabled,
        trigger: w.trigger_type.clone(),
    }
}

/// A name another workflow has, as the API's 409.
fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(
            "workflow_name_taken",
            "another workflow has this name".into(),
        ),
        other => other.into(),
    }
}

/// Creates a workflow (version 1). Enabled, it starts runs for events
/// from now on, never for earlier ones.
pub async fn create_workflow(
    state: &AppState,
    ctx: &TenantCtx,
    new: NewWorkflow,
) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let shown = insert(state, &mut tx, ctx, new, now).await?;
    tx.commit().await?;
    Ok(shown)
}

async fn insert(
    state: &AppState,
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    new: NewWorkflow,
    now: Timestamp,
) -> AppResult<Shown> {
    limits::take(tx, Limit::Workflows, now).await?;
    let workflow = Workflow {
        id: WorkflowId::new(),
        name: name(&new.name)?,
        description: description(&new.description)?,
        enabled: new.enabled,
        version: 1,
        trigger_type: new.definition.trigger.kind().to_owned(),
        next_fire_at: None,
        created_at: now,
        updated_at: now,
    };
    let stored = checked(tx, &new.definition).await?;
    if tx.count_workflows().await? >= MAX_WORKFLOWS {
        return Err(AppError::Rule(
            "too_many_workflows",
            format!("a workspace has at most {MAX_WORKFLOWS} workflows"),
        ));
    }
    tx.insert_workflow(&workflow, &stored)
        .await
        .map_err(name_taken)?;
    // Runs start for events from here on (the cursor is pinned now, not
    // when the consumer first looks).
    tx.lock_cursor(trigger::CONSUMER, CursorStart::Latest)
        .await?;
    inbound::ensure_secrets(state, tx, workflow.id, false).await?;
    let mut workflow = workflow;
    workflow.next_fire_at = schedule::arm(tx, &workflow, &new.definition, now)
        .await
        .map_err(AppError::internal)?;
    record(tx, Event::WorkflowCreated(event_ref(&workflow)), now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        "workflow.create",
        ("workflow", workflow.id.to_string()),
        json!({ "name": workflow.name, "enabled": workflow.enabled, "trigger": workflow.trigger_type }),
    )
    .await?;
    Ok(Shown {
        workflow,
        definition: new.definition,
    })
}

/// The tenant's workflows, by name, with their definitions.
pub async fn list_workflows(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Shown>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut shown = Vec::new();
    for workflow in tx.list_workflows().await? {
        let definition = read(&mut tx, &workflow).await?;
        shown.push(Shown {
            workflow,
            definition,
        });
    }
    tx.commit().await?;
    Ok(shown)
}

/// The current definition of `w`.
pub(super) async fn read(tx: &mut TenantTx, w: &Workflow) -> AppResult<Definition> {
    let stored = tx.workflow_definition(w.id, w.version).await?;
    serde_json::from_value(stored).map_err(AppError::internal)
}

pub async fn get_workflow(state: &AppState, ctx: &TenantCtx, id: WorkflowId) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let workflow = tx.find_workflow(id).await?;
    let definition = read(&mut tx, &workflow).await?;
    tx.commit().await?;
    Ok(Shown {
        workflow,
        definition,
    })
}

/// Changes a workflow. A new definition becomes a new version: runs under
/// way finish on the one they started on. Nothing changed, nothing is
/// recorded.
pub async fn update_workflow(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowId,
    changes: WorkflowChanges,
) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut w = tx.find_workflow(id).await?;
    let mut definition = read(&mut tx, &w).await?;
    let mut changed = Vec::new();
    if let Some(n) = &changes.name {
        let n = name(n)?;
        if n != w.name {
            w.name = n;
            changed.push("name");
        }
    }
    if let Some(d) = &changes.description {
        let d = description(d)?;
        if d != w.description {
            w.description = d;
            changed.push("description");
        }
    }
    if let Some(new) = changes.definition {
        let stored = checked(&mut tx, &new).await?;
        if new != definition {
            w.version += 1;
            w.trigger_type = new.trigger.kind().to_owned();
            tx.insert_workflow_version(w.id, w.version, &stored, now)
                .await?;
            definition = new;
            changed.push("definition");
        }
    }
    if let Some(e) = changes.enabled
        && e != w.enabled
    {
        w.enabled = e;
        changed.push("enabled");
    }
    if changed.is_empty() {
        tx.commit().await?;
        return Ok(Shown {
            workflow: w,
            definition,
        });
    }
    w.updated_at = now;
    tx.update_workflow(&w).await.map_err(name_taken)?;
    inbound::ensure_secrets(state, &mut tx, w.id, false).await?;
    w.next_fire_at = schedule::arm(&mut tx, &w, &definition, now)
        .await
        .map_err(AppError::internal)?;
    let event = WorkflowUpdated {
        workflow: event_ref(&w),
        changed: changed.iter().map(|c| (*c).to_owned()).collect(),
    };
    record(&mut tx, Event::WorkflowUpdated(event), now);
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "workflow.update",
        ("workflow", w.id.to_string()),
        json!({ "changed": changed, "version": w.version, "enabled": w.enabled }),
    )
    .await?;
    tx.commit().await?;
    Ok(Shown {
        workflow: w,
        definition,
    })
}

/// A disabled copy of a workflow, named "… (copy)" (or "… (copy 2)"…).
pub async fn duplicate_workflow(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowId,
) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let w = tx.find_workflow(id).await?;
    let definition = read(&mut tx, &w).await?;
    let taken: Vec<String> = tx
        .list_workflows()
        .await?
        .into_iter()
        .map(|w| w.name.to_lowercase())
        .collect();
    let base: String = w.name.chars().take(MAX_NAME - 12).collect();
    let copy_name = (1..)
        .map(|n| match n {
            1 => format!("{base} (copy)"),
            n => format!("{base} (copy {n})"),
        })
        .find(|c| !taken.contains(&c.to_lowercase()))
        .unwrap_or_default();
    let new = NewWorkflow {
        name: copy_name,
        description: w.description.clone(),
        enabled: false,
        definition,
    };
    let shown = insert(state, &mut tx, ctx, new, now).await?;
    tx.commit().await?;
    Ok(shown)
}

/// Deletes a workflow and cancels its runs under way; its runs stay in
/// the execution log.
pub async fn delete_workflow(state: &AppState, ctx: &TenantCtx, id: WorkflowId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let w = tx.find_workflow(id).await?;
    for mut run in tx.active_workflow_runs(id).await? {
        run.end(
            RunStatus::Cancelled,
            Some("its workflow was deleted".into()),
            now,
        );
        tx.update_workflow_run(&run).await?;
    }
    tx.delete_workflow(id).await?;
    record(&mut tx, Event::WorkflowDeleted(event_ref(&w)), now);
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "workflow.delete",
        ("workflow", id.to_string()),
        json!({ "name": w.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
