//! The rules of drips: create, change (subscribers under way follow the
//! new steps by index from their next step; one past the last step
//! completes), enable, disable, delete, read; their subscribers and a
//! subscriber's history. Managing drips is `campaigns:manage`, like the
//! rest of the tenant's automations.

use super::definition::{self, Definition};
use super::exits;
use crate::auth::TenantCtx;
use crate::automations::workflows::name;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{DripRef, DripUpdated, Event};
use domain::{DripId, DripSubscriberId, Permission, TagId, Timestamp};
use serde_json::json;
use store::drips::{Drip, DripSend, DripSubscriber, SubscriberStatus};
use store::events::CursorStart;
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};

/// Drips per tenant, at most.
pub const MAX_DRIPS: i64 = 200;

/// A drip with its definition read.
#[derive(Debug, Clone)]
pub struct Shown {
    pub drip: Drip,
    pub definition: Definition,
    /// Subscribers in each status.
    pub counts: Vec<(SubscriberStatus, i64)>,
}

impl Shown {
    pub fn count(&self, s: SubscriberStatus) -> i64 {
        self.counts
            .iter()
            .find(|(x, _)| *x == s)
            .map_or(0, |(_, n)| *n)
    }
}

/// What a new drip is.
#[derive(Debug, Clone)]
pub struct NewDrip {
    pub name: String,
    pub enabled: bool,
    pub definition: Definition,
}

/// What may change about a drip; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct DripChanges {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub definition: Option<Definition>,
}

/// `d` checked, its tags found in the tenant.
async fn checked(tx: &mut TenantTx, mut d: Definition) -> AppResult<Definition> {
    definition::check(&mut d)?;
    let tags: [(&str, Option<TagId>); 2] = [
        ("exit.tag_id", d.exit.tag_id),
        ("exit.goal_tag_id", d.exit.goal_tag_id),
    ];
    for (field, tag) in tags {
        if let Some(t) = tag {
            match tx.find_tag(t).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(AppError::validation(field, "no such tag"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(d)
}

/// The drip's definition as stored, read.
pub fn read(d: &Drip) -> AppResult<Definition> {
    serde_json::from_value(d.definition.clone()).map_err(AppError::internal)
}

/// The drip's reference in its events.
pub fn event_ref(d: &Drip, def: &Definition) -> DripRef {
    DripRef {
        drip_id: d.id,
        name: d.name.clone(),
        enabled: d.enabled,
        steps: i64::try_from(def.steps.len()).unwrap_or(i64::MAX),
    }
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict("drip_name_taken", "another drip has this name".into())
        }
        other => other.into(),
    }
}

/// Creates a drip. Its exits apply from now on.
pub async fn create_drip(state: &AppState, ctx: &TenantCtx, new: NewDrip) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let shown = insert(&mut tx, ctx, new, now).await?;
    tx.commit().await?;
    Ok(shown)
}

async fn insert(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    new: NewDrip,
    now: Timestamp,
) -> AppResult<Shown> {
    let name = name(&new.name)?;
    let definition = checked(tx, new.definition).await?;
    if tx.count_drips().await? >= MAX_DRIPS {
        return Err(AppError::Rule(
            "too_many_drips",
            format!("a workspace has at most {MAX_DRIPS} drips"),
        ));
    }
    let drip = Drip {
        id: DripId::new(),
        name,
        enabled: new.enabled,
        definition: serde_json::to_value(&definition).map_err(AppError::internal)?,
        created_at: now,
        updated_at: now,
    };
    tx.insert_drip(&drip).await.map_err(name_taken)?;
    // Exits are read from events recorded from here on (the cursor is
    // pinned now, not when the consumer first looks).
    tx.lock_cursor(exits::CONSUMER, CursorStart::Latest).await?;
    record(tx, Event::DripCreated(event_ref(&drip, &definition)), now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        "drip.create",
        ("drip", drip.id.to_string()),
        json!({ "name": drip.name, "enabled": drip.enabled, "steps": definition.steps.len() }),
    )
    .await?;
    Ok(Shown {
        drip,
        definition,
        counts: Vec::new(),
    })
}

/// The tenant's drips, by name, with their subscribers' counts.
pub async fn list_drips(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Shown>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut shown = Vec::new();
    for drip in tx.list_drips().await? {
        let definition = read(&drip)?;
        let counts = tx.count_drip_subscribers(drip.id).await?;
        shown.push(Shown {
            drip,
            definition,
            counts,
        });
    }
    tx.commit().await?;
    Ok(shown)
}

pub async fn get_drip(state: &AppState, ctx: &TenantCtx, id: DripId) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let drip = tx.find_drip(id).await?;
    let definition = read(&drip)?;
    let counts = tx.count_drip_subscribers(id).await?;
    tx.commit().await?;
    Ok(Shown {
        drip,
        definition,
        counts,
    })
}

/// Changes a drip. Nothing changed, nothing is recorded.
pub async fn update_drip(
    state: &AppState,
    ctx: &TenantCtx,
    id: DripId,
    changes: DripChanges,
) -> AppResult<Shown> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut d = tx.find_drip(id).await?;
    let mut definition = read(&d)?;
    let mut changed = Vec::new();
    if let Some(n) = &changes.name {
        let n = name(n)?;
        if n != d.name {
            d.name = n;
            changed.push("name");
        }
    }
    if let Some(new) = changes.definition {
        let new = checked(&mut tx, new).await?;
        for (what, differs) in [
            ("steps", new.steps != definition.steps),
            ("exit", new.exit != definition.exit),
            ("quiet_hours", new.quiet_hours != definition.quiet_hours),
        ] {
            if differs {
                changed.push(what);
            }
        }
        definition = new;
        d.definition = serde_json::to_value(&definition).map_err(AppError::internal)?;
    }
    if let Some(e) = changes.enabled
        && e != d.enabled
    {
        d.enabled = e;
        changed.push("enabled");
    }
    if !changed.is_empty() {
        d.updated_at = now;
        tx.update_drip(&d).await.map_err(name_taken)?;
        let event = DripUpdated {
            drip: event_ref(&d, &definition),
            changed: changed.iter().map(|c| (*c).to_owned()).collect(),
        };
        record(&mut tx, Event::DripUpdated(event), now);
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            "drip.update",
            ("drip", d.id.to_string()),
            json!({ "changed": changed, "enabled": d.enabled }),
        )
        .await?;
    }
    let counts = tx.count_drip_subscribers(id).await?;
    tx.commit().await?;
    Ok(Shown {
        drip: d,
        definition,
        counts,
    })
}

/// Deletes a drip with its subscribers and their history (the messages
/// it sent stay in their conversations).
pub async fn delete_drip(state: &AppState, ctx: &TenantCtx, id: DripId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_drip(id).await?;
    let definition = read(&d)?;
    tx.delete_drip(id).await?;
    record(&mut tx, Event::DripDeleted(event_ref(&d, &definition)), now);
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "drip.delete",
        ("drip", id.to_string()),
        json!({ "name": d.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A drip's subscribers (in `status`, if given), newest first.
pub async fn list_subscribers(
    state: &AppState,
    ctx: &TenantCtx,
    id: DripId,
    status: Option<SubscriberStatus>,
    page: PageRequest,
) -> AppResult<Page<DripSubscriber>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_drip(id).await?;
    let found = tx.list_drip_subscribers(id, status, page).await?;
    tx.commit().await?;
    Ok(found)
}

/// One subscriber of drip `drip` with its history, step by step.
pub async fn get_subscriber(
    state: &AppState,
    ctx: &TenantCtx,
    drip: DripId,
    id: DripSubscriberId,
) -> AppResult<(DripSubscriber, Vec<DripSend>)> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_drip_subscriber(id).await?;
    if s.drip_id != drip {
        return Err(AppError::NotFound);
    }
    let history = tx.drip_sends(id).await?;
    tx.commit().await?;
    Ok((s, history))
}

/// The contacts of `ids` that are still there (for naming subscribers).
pub async fn contacts_of(
    state: &AppState,
    ctx: &TenantCtx,
    ids: &[domain::ContactId],
) -> AppResult<Vec<store::inbox::Contact>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.find_contacts(ids).await?;
    tx.commit().await?;
    Ok(found)
}
