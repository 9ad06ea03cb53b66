//! A pipeline's stages, one at a time (add, rename / move, remove) or all
//! at once ([`lay_out`], for `PATCH /api/v1/pipelines/{id}`). A pipeline
//! keeps 1 to [`MAX_STAGES`] stages with distinct names and positions 0,
//! 1, 2…; a stage with deals in it is only removed by moving them to
//! another stage of the pipeline (`move_to`).

use super::pipelines::{changed, layout};
use super::{Stage, moves, text};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, PipelineId, StageId, Timestamp};
use store::TenantTx;
use store::crm::deals as stored;

/// The most stages a pipeline has.
pub const MAX_STAGES: usize = 30;

/// A stage in a pipeline's new layout: an existing one (`id`) or a new one.
#[derive(Debug, Clone)]
pub struct StageSpec {
    pub id: Option<StageId>,
    pub name: String,
}

/// Adds a stage at `position` (0 first; past the end or `None`: last).
pub async fn add_stage(
    state: &AppState,
    ctx: &TenantCtx,
    pipeline: PipelineId,
    name: &str,
    position: Option<i64>,
) -> AppResult<Stage> {
    ctx.require(Permission::SettingsManage)?;
    let position = position.map(non_negative).transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut p = tx.find_pipeline(pipeline).await?;
    let mut specs = specs_of(&p);
    let at = position.map_or(specs.len(), |i| i.min(specs.len()));
    specs.insert(
        at,
        StageSpec {
            id: None,
            name: name.to_owned(),
        },
    );
    p.stages = lay_out(&mut tx, &p, &specs, now).await?;
    changed(&mut tx, ctx, &p, "update", layout(&p), now).await?;
    tx.commit().await?;
    Ok(p.stages.remove(at).into())
}

/// Renames a stage and/or moves it to `position` (0 first; past the end:
/// last).
pub async fn update_stage(
    state: &AppState,
    ctx: &TenantCtx,
    pipeline: PipelineId,
    stage: StageId,
    name: Option<&str>,
    position: Option<i64>,
) -> AppResult<Stage> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut p = tx.find_pipeline(pipeline).await?;
    let mut specs = specs_of(&p);
    let from = specs
        .iter()
        .position(|s| s.id == Some(stage))
        .ok_or(AppError::NotFound)?;
    let position = position.map(non_negative).transpose()?;
    let mut spec = specs.remove(from);
    if let Some(name) = name {
        spec.name = name.to_owned();
    }
    let at = position.map_or(from, |i| i.min(specs.len()));
    specs.insert(at, spec);
    p.stages = lay_out(&mut tx, &p, &specs, now).await?;
    changed(&mut tx, ctx, &p, "update", layout(&p), now).await?;
    tx.commit().await?;
    Ok(p.stages.remove(at).into())
}

/// Removes a stage. Its deals (open or closed) move to `move_to`, another
/// stage of the pipeline, each with a stage change; without `move_to` a
/// stage with deals is kept (`409 stage_has_deals`). The last stage stays.
pub async fn remove_stage(
    state: &AppState,
    ctx: &TenantCtx,
    pipeline: PipelineId,
    stage: StageId,
    move_to: Option<StageId>,
) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut p = tx.find_pipeline(pipeline).await?;
    if !p.stages.iter().any(|s| s.id == stage) {
        return Err(AppError::NotFound);
    }
    if let Some(target) = move_to {
        let to = p
            .stages
            .iter()
            .find(|s| s.id == target && s.id != stage)
            .cloned()
            .ok_or_else(|| AppError::validation("move_to", "another stage of the same pipeline"))?;
        moves::empty_stage(&mut tx, ctx, stage, &to, now).await?;
    }
    let specs: Vec<StageSpec> = specs_of(&p)
        .into_iter()
        .filter(|s| s.id != Some(stage))
        .collect();
    p.stages = lay_out(&mut tx, &p, &specs, now).await?;
    changed(&mut tx, ctx, &p, "update", layout(&p), now).await?;
    tx.commit().await?;
    Ok(())
}

fn specs_of(p: &stored::Pipeline) -> Vec<StageSpec> {
    p.stages
        .iter()
        .map(|s| StageSpec {
            id: Some(s.id),
            name: s.name.clone(),
        })
        .collect()
}

fn non_negative(i: i64) -> AppResult<usize> {
    usize::try_from(i).map_err(|_| AppError::validation("position", "0 or more"))
}

/// Checked stage names: 1 to [`MAX_STAGES`] of them, each 1 to 40
/// characters, no two alike (ignoring case).
pub(super) fn stage_names(specs: &[StageSpec]) -> AppResult<Vec<String>> {
    if specs.is_empty() || specs.len() > MAX_STAGES {
        return Err(AppError::validation(
            "stages",
            format!("a pipeline has 1 to {MAX_STAGES} stages"),
        ));
    }
    let names = specs
        .iter()
        .map(|s| text("stages", &s.name, 40))
        .collect::<AppResult<Vec<_>>>()?;
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = names.iter().find(|n| !seen.insert(n.to_lowercase())) {
        return Err(AppError::validation(
            "stages",
            format!("two stages are called `{dup}`"),
        ));
    }
    Ok(names)
}

/// Writes `specs` as `p`'s stages, in order: listed stages are renamed and
/// moved, new ones added, the others removed (refused while deals are in
/// one). Answers the new stages.
pub(super) async fn lay_out(
    tx: &mut TenantTx,
    p: &stored::Pipeline,
    specs: &[StageSpec],
    now: Timestamp,
) -> AppResult<Vec<stored::Stage>> {
    let names = stage_names(specs)?;
    let mut kept = std::collections::HashSet::new();
    for id in specs.iter().filter_map(|s| s.id) {
        if !p.stages.iter().any(|s| s.id == id) || !kept.insert(id) {
            return Err(AppError::validation(
                "stages",
                format!("`{id}` is not a stage of this pipeline, or is listed twice"),
            ));
        }
    }
    for gone in p.stages.iter().filter(|s| !kept.contains(&s.id)) {
        let deals = tx.count_stage_deals(gone.id).await?;
        if deals > 0 {
            return Err(AppError::Conflict(
                "stage_has_deals",
                format!(
                    "stage `{}` has {deals} deal(s): move them to another stage first",
                    gone.name
                ),
            ));
        }
        tx.delete_stage(gone.id).await?;
    }
    let mut out = Vec::with_capacity(specs.len());
    for (i, (spec, name)) in specs.iter().zip(names).enumerate() {
        let position = i as i64;
        let stage = match spec.id.and_then(|id| p.stages.iter().find(|s| s.id == id)) {
            Some(old) => {
                let mut s = old.clone();
                if s.name != name || s.position != position {
                    (s.name, s.position, s.updated_at) = (name, position, now);
                    tx.update_stage(&s).await?;
                }
                s
            }
            None => {
                let s = stored::Stage {
                    id: StageId::new(),
                    pipeline_id: p.id,
                    name,
                    position,
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_stage(&s).await?;
                s
            }
        };
        out.push(stage);
    }
    Ok(out)
}
