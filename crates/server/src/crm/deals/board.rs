//! What the dashboard's deal pages read, each in one transaction: the
//! board of a pipeline (a column per stage with its open deals and their
//! totals per currency), the choices of the deal forms, and a contact's
//! deals. All need `inbox:read`.

use super::{Deal, DealDetail, Pipeline, Stage, StageChange, money};
use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{ContactId, DealId, Permission, PipelineId, UserId};
use store::TenantTx;
use store::crm::deals::{DealFilter, DealStatus};
use store::page::{Page, PageRequest};

/// The most cards a column shows (the list view has the rest).
pub const CARDS_PER_COLUMN: usize = 100;
/// The most open deals a board reads.
const BOARD_DEALS: i64 = 2_000;

/// A teammate who can own deals.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: UserId,
    pub name: String,
}

/// One stage's column.
#[derive(Debug, Clone)]
pub struct Column {
    pub stage: Stage,
    pub deals: Vec<Deal>,
    /// Open deals in the stage (more than `deals` when cut).
    pub count: i64,
    /// Their value, one entry per currency (`€1,250.00`).
    pub totals: Vec<String>,
}

/// A pipeline's board.
#[derive(Debug, Clone)]
pub struct Board {
    /// Every pipeline, for the chooser.
    pub pipelines: Vec<Pipeline>,
    /// The chosen one (`None`: the tenant has none yet).
    pub pipeline: Option<Pipeline>,
    pub columns: Vec<Column>,
    pub won: i64,
    pub lost: i64,
    pub members: Vec<Member>,
    /// The currency new deals start with: the newest deal's, else USD.
    pub currency: String,
}

/// The board of `pipeline` (the oldest pipeline when `None`).
pub async fn board(
    state: &AppState,
    ctx: &TenantCtx,
    pipeline: Option<PipelineId>,
) -> AppResult<Board> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let pipelines = all_pipelines(&mut tx).await?;
    let chosen = match pipeline {
        Some(id) => Some(tx.find_pipeline(id).await?.into()),
        None => pipelines.first().cloned(),
    };
    let members = members(&mut tx).await?;
    let newest = tx
        .list_deals(&DealFilter::default(), PageRequest::new(None, 1))
        .await?;
    let currency = newest
        .items
        .first()
        .map_or_else(|| "USD".to_owned(), |d| d.currency.clone());
    let Some(p) = chosen else {
        tx.commit().await?;
        return Ok(Board {
            pipelines,
            pipeline: None,
            columns: Vec::new(),
            won: 0,
            lost: 0,
            members,
            currency,
        });
    };
    let filter = DealFilter {
        pipeline: Some(p.id),
        status: Some(DealStatus::Open),
        ..Default::default()
    };
    let deals: Vec<Deal> = tx
        .board_deals(&filter, BOARD_DEALS)
        .await?
        .into_iter()
        .map(Deal::from)
        .collect();
    let totals = tx.stage_totals(p.id).await?;
    let (won, lost) = tx.closed_deal_counts(p.id).await?;
    tx.commit().await?;
    let columns = p
        .stages
        .iter()
        .map(|stage| {
            let mine = totals.iter().filter(|t| t.stage_id == stage.id);
            Column {
                stage: stage.clone(),
                deals: deals
                    .iter()
                    .filter(|d| d.stage_id == stage.id)
                    .take(CARDS_PER_COLUMN)
                    .cloned()
                    .collect(),
                count: mine.clone().map(|t| t.deals).sum(),
                totals: mine
                    .map(|t| money::format(t.value_minor, &t.currency))
                    .collect(),
            }
        })
        .collect();
    Ok(Board {
        pipelines,
        pipeline: Some(p),
        columns,
        won,
        lost,
        members,
        currency,
    })
}

/// What the deal forms offer: the pipelines with their stages, the
/// teammates who can own a deal, and (for a deal started from a contact's
/// page) that contact's id and name.
#[derive(Debug, Clone)]
pub struct DealChoices {
    pub pipelines: Vec<Pipeline>,
    pub members: Vec<Member>,
    pub contact: Option<(ContactId, String)>,
}

/// The choices of the new-deal form.
pub async fn deal_choices(
    state: &AppState,
    ctx: &TenantCtx,
    contact: Option<ContactId>,
) -> AppResult<DealChoices> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contact = match contact {
        Some(id) => {
            let c = tx.find_contact(id).await?;
            Some((id, crate::dashboard::render::contact_name(&c)))
        }
        None => None,
    };
    let choices = DealChoices {
        pipelines: all_pipelines(&mut tx).await?,
        members: members(&mut tx).await?,
        contact,
    };
    tx.commit().await?;
    Ok(choices)
}

/// A page of deals matching `filter`, and the choices of the list's
/// filters.
pub async fn deal_list(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &DealFilter,
    page: PageRequest,
) -> AppResult<(Page<Deal>, DealChoices)> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_deals(filter, page).await?;
    let choices = DealChoices {
        pipelines: all_pipelines(&mut tx).await?,
        members: members(&mut tx).await?,
        contact: None,
    };
    tx.commit().await?;
    let deals = Page {
        items: found.items.into_iter().map(Deal::from).collect(),
        next: found.next,
    };
    Ok((deals, choices))
}

/// A deal with its history, and the choices of its forms.
pub async fn deal_page(
    state: &AppState,
    ctx: &TenantCtx,
    id: DealId,
) -> AppResult<(DealDetail, DealChoices)> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let deal = tx.find_deal(id).await?;
    let history = tx.list_stage_changes(id).await?;
    let choices = DealChoices {
        pipelines: all_pipelines(&mut tx).await?,
        members: members(&mut tx).await?,
        contact: None,
    };
    tx.commit().await?;
    let detail = DealDetail {
        deal: deal.into(),
        stage_history: history.into_iter().map(StageChange::from).collect(),
    };
    Ok((detail, choices))
}

/// A contact's deals for the block on their page.
#[derive(Debug, Clone)]
pub struct ContactDeals {
    pub contact_id: ContactId,
    /// Newest first, up to 50.
    pub deals: Vec<Deal>,
}

/// A contact's deals, newest first (up to 50), for the contact's page.
pub async fn contact_deals(
    state: &AppState,
    ctx: &TenantCtx,
    contact: ContactId,
) -> AppResult<ContactDeals> {
    ctx.require(Permission::InboxRead)?;
    let filter = DealFilter {
        contact: Some(contact),
        ..Default::default()
    };
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_deals(&filter, PageRequest::new(None, 50)).await?;
    tx.commit().await?;
    Ok(ContactDeals {
        contact_id: contact,
        deals: found.items.into_iter().map(Deal::from).collect(),
    })
}

async fn all_pipelines(tx: &mut TenantTx) -> AppResult<Vec<Pipeline>> {
    let page = tx
        .list_pipelines(PageRequest::new(None, PageRequest::MAX_LIMIT))
        .await?;
    Ok(page.items.into_iter().map(Pipeline::from).collect())
}

/// Active teammates, by name.
async fn members(tx: &mut TenantTx) -> AppResult<Vec<Member>> {
    let users = tx
        .list_users(PageRequest::new(None, PageRequest::MAX_LIMIT))
        .await?;
    let mut out: Vec<Member> = users
        .items
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| Member {
            id: u.id,
            name: if u.name.trim().is_empty() {
                u.email
            } else {
                u.name
            },
        })
        .collect();
    out.sort_by_key(|m| m.name.to_lowercase());
    Ok(out)
}
