//! Applying a batch's routed events: all of one tenant's events in one
//! transaction of that tenant (so PostgreSQL's row-level security scopes
//! every write), in the batch's order; a tenant whose transaction fails
//! leaves the others' applied.

use super::super::apply::{Applied, InboundEvent, KnownContacts, apply};
use super::record_id;
use crate::state::AppState;
use domain::{TenantId, Timestamp, WebhookId};
use futures::StreamExt as _;
use std::collections::HashMap;
use store::channels::Channel;

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

/// How many tenants' transactions of one batch run at once: enough that
/// the next tenant's contact look-up (on a reader) and its wait for
/// SQLite's one writer overlap the current tenant's write, and that
/// PostgreSQL commits several at once; few enough to leave the pool to the
/// rest of the server.
const TENANTS_AT_ONCE: usize = 4;

/// One tenant's events of a batch, and what became of them: whether each
/// was held, in order, or why the tenant's transaction failed (then
/// nothing of it was written).
pub(super) struct TenantResult {
    pub events: Vec<ForTenant>,
    pub held: anyhow::Result<Vec<bool>>,
}

/// Applies `routed` (the events of the webhooks `ids`, webhook after
/// webhook, each one's events in body order), one transaction per tenant.
pub(super) async fn apply_by_tenant(
    state: &AppState,
    routed: Vec<ForTenant>,
    ids: &[WebhookId],
    now: Timestamp,
) -> Vec<TenantResult> {
    let mut groups: Vec<(TenantId, Vec<ForTenant>)> = Vec::new();
    let mut place: HashMap<TenantId, usize> = HashMap::new();
    for r in routed {
        let tenant = r.channel.tenant_id;
        let at = *place.entry(tenant).or_insert_with(|| {
            groups.push((tenant, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(r);
    }
    futures::stream::iter(groups)
        .map(|(tenant, events)| async move {
            let held = apply_tenant(state, tenant, &events, ids, now).await;
            TenantResult { events, held }
        })
        .buffered(TENANTS_AT_ONCE)
        .collect()
        .await
}

/// Applies one tenant's `events` in one transaction; whether each was
/// held (the tenant is suspended, or the plan's contact limit keeps a new
/// customer's message out).
async fn apply_tenant(
    state: &AppState,
    tenant: TenantId,
    events: &[ForTenant],
    ids: &[WebhookId],
    now: Timestamp,
) -> anyhow::Result<Vec<bool>> {
    let applied: Vec<&InboundEvent> = events
        .iter()
        .filter(|r| !r.suspended)
        .map(|r| &r.event)
        .collect();
    // Off the writer: the senders' contacts, read before the transaction.
    let mut known = KnownContacts::read(state, tenant, &applied).await?;
    let mut tx = state.store.tenant(tenant).await?;
    let mut held = Vec::with_capacity(events.len());
    for r in events {
        let hold = r.suspended
            || apply(&mut tx, &r.channel, &r.event, &mut known, now).await?
                == Applied::OverContactLimit;
        if hold {
            let id = record_id(ids[r.webhook], r.index);
            let payload = serde_json::to_string(&r.event)?;
            tx.insert_held_event(id, r.channel.id, &payload, now)
                .await?;
        }
        held.push(hold);
    }
    tx.commit().await?;
    Ok(held)
}
