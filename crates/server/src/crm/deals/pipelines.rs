//! Pipelines: the catalogue deals move through, each with its ordered
//! stages ([`super::stages`] changes those one at a time). Changing it
//! needs `settings:manage`; reading it `inbox:read`. A pipeline with deals
//! is not deleted (`409 pipeline_has_deals`).

use super::stages::{StageSpec, lay_out, stage_names};
use super::{Pipeline, text};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use domain::events::{Event, PipelineRef};
use domain::{Permission, PipelineId, StageId, Timestamp};
use serde_json::json;
use store::crm::deals as stored;
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};

use crate::state::AppState;

/// The most pipelines a tenant has.
pub const MAX_PIPELINES: i64 = 50;
/// The stages the first pipeline's form suggests.
pub const SUGGESTED_STAGES: [&str; 4] = ["Lead", "Qualified", "Proposal", "Negotiation"];

/// A change to a pipeline; `None` leaves a part as it is. `stages` is the
/// complete new layout, in order: stages left out are removed.
#[derive(Debug, Clone, Default)]
pub struct PipelineChange {
    pub name: Option<String>,
    pub stages: Option<Vec<StageSpec>>,
}

/// Creates a pipeline with `stages` (names, in order; at least one).
pub async fn create_pipeline(
    state: &AppState,
    ctx: &TenantCtx,
    name: &str,
    stages: &[String],
) -> AppResult<Pipeline> {
    ctx.require(Permission::SettingsManage)?;
    let name = text("name", name, 60)?;
    let specs: Vec<StageSpec> = stages
        .iter()
        .map(|n| StageSpec {
            id: None,
            name: n.clone(),
        })
        .collect();
    let names = stage_names(&specs)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if tx.count_pipelines().await? >= MAX_PIPELINES {
        return Err(AppError::Rule(
            "too_many_pipelines",
            format!("a workspace has at most {MAX_PIPELINES} pipelines"),
        ));
    }
    let id = PipelineId::new();
    let p = stored::Pipeline {
        id,
        name,
        stages: names
            .into_iter()
            .enumerate()
            .map(|(i, name)| stored::Stage {
                id: StageId::new(),
                pipeline_id: id,
                name,
                position: i as i64,
                created_at: now,
                updated_at: now,
            })
            .collect(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_pipeline(&p).await.map_err(name_taken)?;
    let stage_names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
    changed(
        &mut tx,
        ctx,
        &p,
        "create",
        json!({ "stages": stage_names }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(p.into())
}

/// Pipelines with their stages, oldest first.
pub async fn list_pipelines(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Pipeline>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_pipelines(page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(Pipeline::from).collect(),
        next: found.next,
    })
}

pub async fn get_pipeline(
    state: &AppState,
    ctx: &TenantCtx,
    id: PipelineId,
) -> AppResult<Pipeline> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let p = tx.find_pipeline(id).await?;
    tx.commit().await?;
    Ok(p.into())
}

/// Every pipeline with its number of deals (open or closed), oldest
/// first: Settings → Pipelines.
pub async fn pipelines_with_deal_counts(
    state: &AppState,
    ctx: &TenantCtx,
) -> AppResult<Vec<(Pipeline, i64)>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx
        .list_pipelines(PageRequest::new(None, PageRequest::MAX_LIMIT))
        .await?;
    let mut out = Vec::with_capacity(found.items.len());
    for p in found.items {
        let deals = tx.count_pipeline_deals(p.id).await?;
        out.push((p.into(), deals));
    }
    tx.commit().await?;
    Ok(out)
}

/// Renames a pipeline and/or lays its stages out anew.
pub async fn update_pipeline(
    state: &AppState,
    ctx: &TenantCtx,
    id: PipelineId,
    change: PipelineChange,
) -> AppResult<Pipeline> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut p = tx.find_pipeline(id).await?;
    let name = change
        .name
        .as_deref()
        .map(|n| text("name", n, 60))
        .transpose()?;
    let before = layout(&p);
    if let Some(name) = name.filter(|n| *n != p.name) {
        tx.rename_pipeline(id, &name, now)
            .await
            .map_err(name_taken)?;
        p.name = name;
    }
    if let Some(specs) = &change.stages {
        p.stages = lay_out(&mut tx, &p, specs, now).await?;
    }
    if layout(&p) != before {
        changed(&mut tx, ctx, &p, "update", layout(&p), now).await?;
    }
    tx.commit().await?;
    Ok(p.into())
}

/// Deletes a pipeline and its stages; refused while it has deals.
pub async fn delete_pipeline(state: &AppState, ctx: &TenantCtx, id: PipelineId) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let p = tx.find_pipeline(id).await?;
    let deals = tx.count_pipeline_deals(id).await?;
    if deals > 0 {
        return Err(AppError::Conflict(
            "pipeline_has_deals",
            format!("this pipeline has {deals} deal(s): delete or move them first"),
        ));
    }
    tx.delete_pipeline(id).await?;
    changed(&mut tx, ctx, &p, "delete", json!({}), now).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) fn layout(p: &stored::Pipeline) -> serde_json::Value {
    let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
    json!({ "name": p.name, "stages": names })
}

/// A second pipeline with the same name.
fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(
            "pipeline_name_taken",
            "another pipeline has this name".into(),
        ),
        other => other.into(),
    }
}

/// The event and audit entry of a change (`create`, `update`, `delete`).
pub(super) async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    p: &stored::Pipeline,
    what: &str,
    details: serde_json::Value,
    now: Timestamp,
) -> AppResult<()> {
    let r = PipelineRef {
        pipeline_id: p.id,
        name: p.name.clone(),
    };
    let event = match what {
        "create" => Event::PipelineCreated(r),
        "delete" => Event::PipelineDeleted(r),
        _ => Event::PipelineUpdated(r),
    };
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("pipeline.{what}"),
        ("pipeline", p.id.to_string()),
        details,
    )
    .await
}
