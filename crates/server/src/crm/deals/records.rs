//! Deals themselves: create, list with filters, read with their stage
//! history, change, delete. Reading needs `inbox:read`, the rest
//! `inbox:write`. The contact (optional) must be the tenant's; the owner
//! (optional) an active user of the tenant.

use super::{Deal, DealDetail, StageChange, date, deal_changed, deal_ref, money, text};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::events::{DealUpdated, Event};
use domain::{ContactId, DealId, Permission, PipelineId, StageId, UserId};
use serde_json::json;
use store::crm::deals::{self as stored, DealFilter, DealNames, DealStatus, NewStageChange};
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};

/// A deal to create.
#[derive(Debug, Clone, Default)]
pub struct NewDeal {
    pub title: String,
    pub pipeline_id: Option<PipelineId>,
    /// The pipeline's first stage when `None`.
    pub stage_id: Option<StageId>,
    pub value_minor: i64,
    pub currency: String,
    pub contact_id: Option<ContactId>,
    pub owner_id: Option<UserId>,
    /// `YYYY-MM-DD`.
    pub expected_close_on: Option<String>,
}

/// A change to a deal; `None` leaves a field as it is, `Some(None)`
/// clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct DealChange {
    pub title: Option<String>,
    pub value_minor: Option<i64>,
    pub currency: Option<String>,
    pub contact_id: Option<Option<ContactId>>,
    pub owner_id: Option<Option<UserId>>,
    pub expected_close_on: Option<Option<String>>,
}

/// Creates an open deal in its stage (the first of the pipeline unless
/// given), with the first row of its stage history.
pub async fn create_deal(state: &AppState, ctx: &TenantCtx, input: NewDeal) -> AppResult<Deal> {
    ctx.require(Permission::InboxWrite)?;
    let title = text("title", &input.title, 200)?;
    let value_minor = money::value_minor(input.value_minor)?;
    let currency = money::currency(&input.currency)?;
    let expected_close_on = input
        .expected_close_on
        .as_deref()
        .map(|d| date("expected_close_on", d))
        .transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let pipeline = match (input.pipeline_id, input.stage_id) {
        (Some(p), _) => Some(p),
        (None, Some(s)) => Some(tx.find_stage(s).await.map_err(no("stage_id"))?.pipeline_id),
        (None, None) => None,
    }
    .ok_or_else(|| AppError::validation("pipeline_id", "a pipeline (or a stage) is required"))?;
    let pipeline = tx
        .find_pipeline(pipeline)
        .await
        .map_err(no("pipeline_id"))?;
    let stage = match input.stage_id {
        Some(id) => pipeline
            .stages
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| AppError::validation("stage_id", "not a stage of this pipeline"))?,
        None => pipeline
            .stages
            .first()
            .ok_or_else(|| AppError::validation("pipeline_id", "this pipeline has no stage"))?,
    };
    check_links(&mut tx, input.contact_id, input.owner_id).await?;
    let deal = stored::Deal {
        id: DealId::new(),
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        contact_id: input.contact_id,
        owner_id: input.owner_id,
        title,
        value_minor,
        currency,
        expected_close_on,
        status: DealStatus::Open,
        lost_reason: None,
        closed_at: None,
        created_at: now,
        updated_at: now,
        names: DealNames::default(),
    };
    tx.insert_deal(&deal).await?;
    let actor = ctx.principal_key();
    tx.insert_stage_change(&NewStageChange {
        deal_id: deal.id,
        from: None,
        to: (stage.id, &stage.name),
        user_id: ctx.user_id(),
        actor: &actor,
        at: now,
    })
    .await?;
    let details = json!({ "title": deal.title, "pipeline": pipeline.name, "stage": stage.name,
        "value_minor": deal.value_minor, "currency": deal.currency });
    let event = Event::DealCreated(deal_ref(&deal));
    deal_changed(&mut tx, ctx, deal.id, event, "create", details, now).await?;
    let deal = tx.find_deal(deal.id).await?;
    tx.commit().await?;
    Ok(deal.into())
}

/// Deals matching `filter`, newest first.
pub async fn list_deals(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &DealFilter,
    page: PageRequest,
) -> AppResult<Page<Deal>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_deals(filter, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(Deal::from).collect(),
        next: found.next,
    })
}

/// A deal with its stage history.
pub async fn get_deal(state: &AppState, ctx: &TenantCtx, id: DealId) -> AppResult<DealDetail> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let deal = tx.find_deal(id).await?;
    let history = tx.list_stage_changes(id).await?;
    tx.commit().await?;
    Ok(DealDetail {
        deal: deal.into(),
        stage_history: history.into_iter().map(StageChange::from).collect(),
    })
}

/// Changes a deal's details (not its stage or status: see
/// [`super::moves`]). A change that changes nothing records nothing.
pub async fn update_deal(
    state: &AppState,
    ctx: &TenantCtx,
    id: DealId,
    change: DealChange,
) -> AppResult<Deal> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut deal = tx.find_deal(id).await?;
    let mut changed = Vec::new();
    if let Some(t) = &change.title {
        set(
            &mut deal.title,
            text("title", t, 200)?,
            "title",
            &mut changed,
        );
    }
    if let Some(v) = change.value_minor {
        set(
            &mut deal.value_minor,
            money::value_minor(v)?,
            "value_minor",
            &mut changed,
        );
    }
    if let Some(c) = &change.currency {
        set(
            &mut deal.currency,
            money::currency(c)?,
            "currency",
            &mut changed,
        );
    }
    if let Some(d) = &change.expected_close_on {
        let d = d
            .as_deref()
            .map(|d| date("expected_close_on", d))
            .transpose()?;
        set(
            &mut deal.expected_close_on,
            d,
            "expected_close_on",
            &mut changed,
        );
    }
    let contact = change.contact_id.filter(|c| *c != deal.contact_id);
    let owner = change.owner_id.filter(|o| *o != deal.owner_id);
    check_links(&mut tx, contact.flatten(), owner.flatten()).await?;
    if let Some(c) = contact {
        set(&mut deal.contact_id, c, "contact_id", &mut changed);
    }
    if let Some(o) = owner {
        set(&mut deal.owner_id, o, "owner_id", &mut changed);
    }
    if !changed.is_empty() {
        deal.updated_at = now;
        tx.update_deal(&deal).await?;
        let event = Event::DealUpdated(DealUpdated {
            deal: deal_ref(&deal),
            changed: changed.iter().map(|f| (*f).to_owned()).collect(),
        });
        deal_changed(
            &mut tx,
            ctx,
            id,
            event,
            "update",
            json!({ "changed": changed }),
            now,
        )
        .await?;
        deal = tx.find_deal(id).await?;
    }
    tx.commit().await?;
    Ok(deal.into())
}

/// Deletes a deal with its stage history.
pub async fn delete_deal(state: &AppState, ctx: &TenantCtx, id: DealId) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let deal = tx.find_deal(id).await?;
    tx.delete_deal(id).await?;
    let details = json!({ "title": deal.title });
    let event = Event::DealDeleted(deal_ref(&deal));
    deal_changed(&mut tx, ctx, id, event, "delete", details, now).await?;
    tx.commit().await?;
    Ok(())
}

fn set<T: PartialEq>(field: &mut T, value: T, name: &'static str, changed: &mut Vec<&str>) {
    if *field != value {
        *field = value;
        changed.push(name);
    }
}

/// A missing id given in the body: the field at fault, not a 404.
fn no(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::validation(field, "no such item in this workspace"),
        other => other.into(),
    }
}

/// The contact exists; the owner is an active user.
async fn check_links(
    tx: &mut TenantTx,
    contact: Option<ContactId>,
    owner: Option<UserId>,
) -> AppResult<()> {
    if let Some(c) = contact {
        tx.find_contact(c).await.map_err(no("contact_id"))?;
    }
    if let Some(u) = owner {
        let user = tx.find_user(u).await.map_err(no("owner_id"))?;
        if user.disabled_at.is_some() {
            return Err(AppError::validation("owner_id", "this user is disabled"));
        }
    }
    Ok(())
}
