//! Applying a batch's routed events, each tenant's in that tenant's scope
//! (so PostgreSQL's row-level security scopes every write), in the batch's
//! order. Normally every tenant's events of the batch go into one
//! transaction, switching scope from tenant to tenant, which then widens to
//! the system scope for the batch's own bookkeeping: one commit for the
//! batch. If that transaction fails, nothing of it is written and the batch
//! is applied again one transaction per tenant, so a failing tenant leaves
//! the others' applied.

use super::super::apply::{Applied, InboundEvent, KnownContacts, apply};
use super::super::statuses::apply_statuses;
use super::record_id;
use crate::hooks::cloud::Forward;
use crate::state::AppState;
use domain::{TenantId, Timestamp, WebhookId};
use futures::StreamExt as _;
use std::collections::HashMap;
use store::channels::Channel;
use store::{SystemTx, TenantTx};
use whatsapp::Status;

/// An event routed to a channel's tenant (held if the tenant is suspended).
pub(super) struct ForTenant {
    /// The webhook's place in the batch.
    pub webhook: usize,
    /// The event's place in the webhook's body.
    pub index: usize,
    pub channel: Channel,
    pub suspended: bool,
    pub event: InboundEvent,
}

/// One tenant's events of a batch, in the batch's order, and its share of
/// the batch's webhooks to forward to its bots.
pub(super) struct TenantEvents {
    pub tenant: TenantId,
    pub events: Vec<ForTenant>,
    pub forwards: Vec<Forward>,
}

/// How many tenants' contact look-ups (or, one transaction per tenant,
/// transactions) of one batch run at once: enough that the next tenant's
/// look-up (on a reader) and its wait for SQLite's one writer overlap the
/// current tenant's write, and that PostgreSQL commits several at once; few
/// enough to leave the pool to the rest of the server.
const TENANTS_AT_ONCE: usize = 4;

/// Groups `routed` and `forwards` by tenant, tenants in the order of their
/// first event.
pub(super) fn by_tenant(
    routed: Vec<ForTenant>,
    forwards: Vec<(TenantId, Forward)>,
) -> Vec<TenantEvents> {
    let mut groups: Vec<TenantEvents> = Vec::new();
    let mut place: HashMap<TenantId, usize> = HashMap::new();
    let mut group_of = |tenant: TenantId, groups: &mut Vec<TenantEvents>| {
        *place.entry(tenant).or_insert_with(|| {
            groups.push(TenantEvents {
                tenant,
                events: Vec::new(),
                forwards: Vec::new(),
            });
            groups.len() - 1
        })
    };
    for r in routed {
        let at = group_of(r.channel.tenant_id, &mut groups);
        groups[at].events.push(r);
    }
    for (tenant, f) in forwards {
        let at = group_of(tenant, &mut groups);
        groups[at].forwards.push(f);
    }
    groups
}

/// Applies every group in one transaction, returned uncommitted and widened
/// to the system scope; per group, whether each event was held. `ids` are
/// the batch's webhooks (for the ids of held events).
pub(super) async fn apply_together(
    state: &AppState,
    groups: &[TenantEvents],
    ids: &[WebhookId],
    now: Timestamp,
) -> anyhow::Result<(Vec<Vec<bool>>, SystemTx)> {
    let Some(first) = groups.first() else {
        return Ok((Vec::new(), state.store.system().await?));
    };
    // Off the writer, before the transaction: every sender's contact.
    // (Indices, not references, into `groups`: a closure taking a
    // reference makes the future too general for the job runtime's `Send`.)
    let known: Vec<KnownContacts> = futures::stream::iter(0..groups.len())
        .map(|g| read_known(state, &groups[g]))
        .buffered(TENANTS_AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let mut tx = state.store.tenant(first.tenant).await?;
    let mut held = Vec::with_capacity(groups.len());
    for (group, mut known) in groups.iter().zip(known) {
        tx.switch_to(group.tenant).await?;
        held.push(apply_group(&mut tx, group, &mut known, ids, now).await?);
    }
    Ok((held, tx.into_system().await?))
}

/// Applies each group in a transaction of its own, committed; per group,
/// whether each event was held, or why its transaction failed (then
/// nothing of it was written).
pub(super) async fn apply_by_tenant(
    state: &AppState,
    groups: &[TenantEvents],
    ids: &[WebhookId],
    now: Timestamp,
) -> Vec<anyhow::Result<Vec<bool>>> {
    futures::stream::iter(0..groups.len())
        .map(|g| async move {
            let group = &groups[g];
            let mut known = read_known(state, group).await?;
            let mut tx = state.store.tenant(group.tenant).await?;
            // Lost in a crash, it is applied again (the batch is not marked
            // processed before it): on PostgreSQL each tenant's commit of a
            // batch would otherwise wait for its own flush to disk.
            tx.commit_lazily().await?;
            let held = apply_group(&mut tx, group, &mut known, ids, now).await?;
            tx.commit().await?;
            Ok(held)
        })
        .buffered(TENANTS_AT_ONCE)
        .collect()
        .await
}

/// The contacts of the senders of `group`'s events that are applied (not
/// held for a suspended tenant).
async fn read_known(state: &AppState, group: &TenantEvents) -> anyhow::Result<KnownContacts> {
    let applied: Vec<&InboundEvent> = group
        .events
        .iter()
        .filter(|r| !r.suspended)
        .map(|r| &r.event)
        .collect();
    Ok(KnownContacts::read(state, group.tenant, &applied).await?)
}

/// Applies one tenant's events in `tx` (in that tenant's scope); whether
/// each was held (the tenant is suspended, or the plan's contact limit
/// keeps a new customer's message out). Consecutive statuses are applied
/// together, in a few statements for all of them.
async fn apply_group(
    tx: &mut TenantTx,
    group: &TenantEvents,
    known: &mut KnownContacts,
    ids: &[WebhookId],
    now: Timestamp,
) -> anyhow::Result<Vec<bool>> {
    let mut held = Vec::with_capacity(group.events.len());
    let mut rest = group.events.as_slice();
    while let Some(r) = rest.first() {
        let statuses: Vec<(&Channel, &Status)> = rest
            .iter()
            .map_while(|r| match &r.event {
                InboundEvent::Status { status } if !r.suspended => Some((&r.channel, &**status)),
                _ => None,
            })
            .collect();
        if !statuses.is_empty() {
            apply_statuses(tx, &statuses, now).await?;
            held.extend(statuses.iter().map(|_| false));
            rest = &rest[statuses.len()..];
            continue;
        }
        let hold = r.suspended
            || apply(tx, &r.channel, &r.event, known, now).await? == Applied::OverContactLimit;
        if hold {
            let id = record_id(ids[r.webhook], r.index);
            let payload = serde_json::to_string(&r.event)?;
            tx.insert_held_event(id, r.channel.id, &payload, now)
                .await?;
        }
        held.push(hold);
        rest = &rest[1..];
    }
    crate::hooks::cloud::queue(tx, &group.forwards, now).await?;
    Ok(held)
}
