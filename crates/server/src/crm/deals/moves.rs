//! A deal's way through its pipeline: moving it to another stage (with a
//! row of stage history and a `deal.stage_changed` event), winning, losing
//! (with a reason) and reopening it. All need `inbox:write`.

use super::{Deal, deal_changed, deal_ref, text};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::events::{DealLost, DealStageChanged, Event};
use domain::{DealId, Permission, StageId, Timestamp};
use serde_json::json;
use store::crm::deals::{self as stored, DealFilter, DealStatus, NewStageChange};
use store::{StoreError, TenantTx};

/// Moves an open deal to `stage` (of its pipeline or another one). Moving
/// it where it is changes nothing.
pub async fn move_deal(
    state: &AppState,
    ctx: &TenantCtx,
    id: DealId,
    stage: StageId,
) -> AppResult<Deal> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut deal = tx.find_deal(id).await?;
    let to = tx.find_stage(stage).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("stage_id", "no such stage"),
        other => other.into(),
    })?;
    if deal.status != DealStatus::Open {
        return Err(closed());
    }
    if deal.stage_id != to.id {
        shift(&mut tx, ctx, &mut deal, &to, now).await?;
        deal = tx.find_deal(id).await?;
    }
    tx.commit().await?;
    Ok(deal.into())
}

/// Marks an open deal won.
pub async fn win_deal(state: &AppState, ctx: &TenantCtx, id: DealId) -> AppResult<Deal> {
    close(state, ctx, id, None).await
}

/// Marks an open deal lost, for `reason` (1 to 500 characters).
pub async fn lose_deal(
    state: &AppState,
    ctx: &TenantCtx,
    id: DealId,
    reason: &str,
) -> AppResult<Deal> {
    close(state, ctx, id, Some(reason)).await
}

async fn close(
    state: &AppState,
    ctx: &TenantCtx,
    id: DealId,
    lost_for: Option<&str>,
) -> AppResult<Deal> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut deal = tx.find_deal(id).await?;
    let reason = lost_for.map(|r| text("reason", r, 500)).transpose()?;
    if deal.status != DealStatus::Open {
        return Err(closed());
    }
    deal.status = if reason.is_some() {
        DealStatus::Lost
    } else {
        DealStatus::Won
    };
    deal.lost_reason = reason.clone();
    deal.closed_at = Some(now);
    deal.updated_at = now;
    tx.update_deal(&deal).await?;
    let (event, action) = match reason.clone() {
        Some(reason) => (
            Event::DealLost(DealLost {
                deal: deal_ref(&deal),
                reason,
            }),
            "lose",
        ),
        None => (Event::DealWon(deal_ref(&deal)), "win"),
    };
    let details =
        json!({ "reason": reason, "value_minor": deal.value_minor, "currency": deal.currency });
    deal_changed(&mut tx, ctx, id, event, action, details, now).await?;
    tx.commit().await?;
    Ok(deal.into())
}

/// Opens a won or lost deal again, in the stage it was in.
pub async fn reopen_deal(state: &AppState, ctx: &TenantCtx, id: DealId) -> AppResult<Deal> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut deal = tx.find_deal(id).await?;
    if deal.status == DealStatus::Open {
        return Err(AppError::Rule(
            "deal_open",
            "this deal is open already".into(),
        ));
    }
    let was = deal.status.as_str();
    deal.status = DealStatus::Open;
    deal.lost_reason = None;
    deal.closed_at = None;
    deal.updated_at = now;
    tx.update_deal(&deal).await?;
    let event = Event::DealReopened(deal_ref(&deal));
    deal_changed(
        &mut tx,
        ctx,
        id,
        event,
        "reopen",
        json!({ "was": was }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(deal.into())
}

/// Moves every deal of `stage` (open or closed) to `to`, each with its
/// stage change: a stage being removed is emptied first.
pub(crate) async fn empty_stage(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    stage: StageId,
    to: &stored::Stage,
    now: Timestamp,
) -> AppResult<()> {
    let filter = DealFilter {
        stage: Some(stage),
        ..Default::default()
    };
    for mut deal in tx.board_deals(&filter, i64::MAX).await? {
        shift(tx, ctx, &mut deal, to, now).await?;
    }
    Ok(())
}

/// Puts `deal` in stage `to`: the row, its stage history, the event and
/// the audit entry.
async fn shift(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    deal: &mut stored::Deal,
    to: &stored::Stage,
    now: Timestamp,
) -> AppResult<()> {
    let (from_pipeline, from_stage) = (deal.pipeline_id, deal.stage_id);
    let from_name = std::mem::take(&mut deal.names.stage);
    deal.pipeline_id = to.pipeline_id;
    deal.stage_id = to.id;
    deal.names.stage = to.name.clone();
    deal.updated_at = now;
    tx.update_deal(deal).await?;
    let actor = ctx.principal_key();
    tx.insert_stage_change(&NewStageChange {
        deal_id: deal.id,
        from: Some((from_stage, &from_name)),
        to: (to.id, &to.name),
        user_id: ctx.user_id(),
        actor: &actor,
        at: now,
    })
    .await?;
    let event = Event::DealStageChanged(DealStageChanged {
        deal: deal_ref(deal),
        from_pipeline_id: from_pipeline,
        from_stage_id: from_stage,
        from_stage_name: from_name.clone(),
        to_stage_id: to.id,
        to_stage_name: to.name.clone(),
    });
    let details = json!({ "from": from_name, "to": to.name });
    deal_changed(tx, ctx, deal.id, event, "move", details, now).await
}

fn closed() -> AppError {
    AppError::Rule(
        "deal_closed",
        "this deal is won or lost: reopen it first".into(),
    )
}
