//! Processing stored webhooks: every entry, change, message and status
//! in them, each routed to exactly one tenant ([`route`]), then applied
//! under unique keys so repeats and reorderings are harmless.
//!
//! Webhooks are processed in batches (the `webhook.process` jobs a worker
//! claimed together): one read-only system transaction reads and routes
//! them all; then (on SQLite; on PostgreSQL one transaction per tenant)
//! one write transaction applies every tenant's events of the batch, each
//! tenant's in its own scope ([`tenants`]), webhooks in the
//! order given, each webhook's events in body order, and, widened to the
//! system scope, keeps the events nobody owns and marks every webhook
//! processed. If that transaction fails, the batch is applied again one
//! transaction per tenant, and a webhook one of whose tenants still fails
//! is processed again on its own, so it holds back no other. One webhook is
//! a batch of one.

mod route;
mod tenants;

use crate::hooks::cloud::Forward;
use crate::state::AppState;
use anyhow::anyhow;
use domain::{TenantId, Timestamp, WebhookId};
use route::{ForNobody, Router};
use std::collections::{HashMap, HashSet};
use store::SystemTx;
use store::webhooks::{StoredWebhook, Unroutable};
use tenants::{ForTenant, TenantEvents};

/// What became of the events of one stored webhook.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Processed {
    pub applied: usize,
    pub held: usize,
    pub unroutable: usize,
}

/// What processing a batch of stored webhooks came to.
pub struct Processing {
    /// Per webhook, in the order given: what became of its events (`None`:
    /// it was processed before), or why it could not be processed now (it
    /// is not marked processed; running it again is safe).
    pub webhooks: Vec<anyhow::Result<Option<Processed>>>,
    /// The transaction that keeps the events nobody owns and marks the
    /// webhooks processed, uncommitted, for the caller to commit with its
    /// own bookkeeping; `None` when it has nothing to do.
    pub sys: Option<SystemTx>,
}

/// Processes stored webhook `id` completely (a batch of one, see
/// [`process_webhooks`]); `None`: it was processed already.
pub async fn process_webhook(
    state: &AppState,
    id: WebhookId,
) -> anyhow::Result<Option<(Processed, SystemTx)>> {
    let Processing { mut webhooks, sys } = process_webhooks(state, &[id]).await?;
    match (webhooks.pop().transpose()?.flatten(), sys) {
        (Some(done), Some(sys)) => Ok(Some((done, sys))),
        _ => Ok(None),
    }
}

/// Processes the stored webhooks `ids` together. Safe to run twice, or
/// after a crash anywhere in it: every tenant write is keyed, and a
/// processed webhook is not routed again. An error is the batch's
/// (reading, routing, or its last transaction): nothing of it is marked
/// processed then.
pub async fn process_webhooks(state: &AppState, ids: &[WebhookId]) -> anyhow::Result<Processing> {
    let now = state.now();
    let (mut stages, routed, forwards) = route(state, ids).await?;
    let groups = tenants::by_tenant(routed, forwards);
    // One transaction for the whole batch; if it fails, one per tenant, and
    // a webhook one of whose tenants fails then on its own. On PostgreSQL,
    // one per tenant from the start: its commits run side by side, and a
    // transaction over many tenants holds each one's event counter until it
    // ends, so concurrent batches queued behind each other for them (the
    // statuses of twenty numbers' campaigns crawled at about 30/s).
    let mut sys = None;
    let one_transaction = state.store.engine() == store::Engine::Sqlite;
    if groups.is_empty() {
        // Nothing a tenant owns: only the bookkeeping below.
    } else if !one_transaction {
        apply_tenant_by_tenant(state, &mut stages, &groups, ids, now).await;
    } else {
        match tenants::apply_together(state, &groups, ids, now).await {
            Ok((held, tx)) => {
                count_held(&mut stages, &groups, held.into_iter().map(Ok).collect());
                sys = Some(tx);
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), webhooks = ids.len(), "applying a batch of webhooks in one transaction failed; applying it tenant by tenant");
                apply_tenant_by_tenant(state, &mut stages, &groups, ids, now).await;
            }
        }
    }
    let mut webhooks = Vec::with_capacity(ids.len());
    let mut unmarked = Vec::new();
    for stage in stages {
        webhooks.push(match stage {
            Stage::Before => Ok(None),
            Stage::Settled(done) => Ok(Some(done)),
            Stage::Failed(e) => Err(e),
            Stage::Applied(w) => {
                let done = w.outcome.clone();
                unmarked.push(w);
                Ok(Some(done))
            }
        });
    }
    let sys = match sys {
        Some(sys) => Some(finish(sys, unmarked, now).await?),
        None if unmarked.is_empty() => None,
        None => Some(finish(state.store.system().await?, unmarked, now).await?),
    };
    Ok(Processing { webhooks, sys })
}

/// Applies `groups` one transaction per tenant, counting what became of
/// each webhook's events into `stages`; in a batch of several, a webhook one
/// of whose tenants failed is processed again on its own, so it holds back
/// no other.
async fn apply_tenant_by_tenant(
    state: &AppState,
    stages: &mut [Stage],
    groups: &[TenantEvents],
    ids: &[WebhookId],
    now: Timestamp,
) {
    let held = tenants::apply_by_tenant(state, groups, ids, now).await;
    count_held(stages, groups, held);
    if ids.len() > 1 {
        for (stage, id) in stages.iter_mut().zip(ids) {
            if matches!(stage, Stage::Failed(_)) {
                *stage = alone(state, *id).await;
            }
        }
    }
}

/// How far one webhook of a batch got.
enum Stage {
    /// It was processed before (or is a repeat within the batch).
    Before,
    /// Its events are applied; it is still to be marked processed.
    Applied(Unmarked),
    /// Processed on its own, and marked so.
    Settled(Processed),
    /// Not processed: it is missing, or a transaction of one of its
    /// tenants failed.
    Failed(anyhow::Error),
}

/// A webhook whose tenants' events are applied: what it had, and the
/// events nobody owns, still to keep.
struct Unmarked {
    id: WebhookId,
    outcome: Processed,
    nobody: Vec<ForNobody>,
}

/// Reads and routes the webhooks `ids` in one read-only system
/// transaction: where each stands, the events tenants own, webhook after
/// webhook, each one's in body order, and the tenants' shares of them to
/// forward to their bots.
async fn route(
    state: &AppState,
    ids: &[WebhookId],
) -> anyhow::Result<(Vec<Stage>, Vec<ForTenant>, Vec<(TenantId, Forward)>)> {
    let mut sys = state.store.system_read().await?;
    let found: HashMap<WebhookId, StoredWebhook> = sys
        .find_webhooks(ids)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let mut router = Router::default();
    let mut routed = Vec::new();
    let mut forwards = Vec::new();
    let mut seen = HashSet::new();
    let mut stages = Vec::with_capacity(ids.len());
    for (w, id) in ids.iter().enumerate() {
        let stage = match found.get(id) {
            _ if !seen.insert(*id) => Stage::Before,
            None => Stage::Failed(anyhow!("stored webhook {id} not found")),
            Some(webhook) if webhook.status == "processed" => Stage::Before,
            Some(webhook) => {
                let nobody = router
                    .route_webhook(&mut sys, w, webhook, &mut routed, &mut forwards)
                    .await?;
                Stage::Applied(Unmarked {
                    id: *id,
                    outcome: Processed {
                        unroutable: nobody.len(),
                        ..Processed::default()
                    },
                    nobody,
                })
            }
        };
        stages.push(stage);
    }
    sys.commit().await?;
    Ok((stages, routed, forwards))
}

/// Counts each group's applied and held events into their webhooks'
/// outcomes; a group that failed fails every webhook it has events of.
fn count_held(stages: &mut [Stage], groups: &[TenantEvents], held: Vec<anyhow::Result<Vec<bool>>>) {
    for (group, held) in groups.iter().zip(held) {
        match held {
            Ok(held) => {
                for (r, held) in group.events.iter().zip(held) {
                    if let Stage::Applied(w) = &mut stages[r.webhook] {
                        if held {
                            w.outcome.held += 1;
                        } else {
                            w.outcome.applied += 1;
                        }
                    }
                }
            }
            Err(e) => {
                let error = format!("{e:#}");
                tracing::warn!(tenant_id = %group.tenant, error = %error, "applying a tenant's webhook events failed");
                for r in &group.events {
                    stages[r.webhook] = Stage::Failed(anyhow!("{error}"));
                }
            }
        }
    }
}

/// Processes webhook `id` on its own (one transaction per tenant),
/// committing all of it.
async fn alone(state: &AppState, id: WebhookId) -> Stage {
    let result = async {
        let now = state.now();
        let (mut stages, routed, forwards) = route(state, &[id]).await?;
        let groups = tenants::by_tenant(routed, forwards);
        let held = tenants::apply_by_tenant(state, &groups, &[id], now).await;
        count_held(&mut stages, &groups, held);
        match stages.pop() {
            Some(Stage::Applied(w)) => {
                let done = w.outcome.clone();
                let sys = state.store.system().await?;
                finish(sys, vec![w], now).await?.commit().await?;
                Ok(Stage::Settled(done))
            }
            Some(stage) => Ok(stage),
            None => Ok(Stage::Before),
        }
    };
    result.await.unwrap_or_else(Stage::Failed)
}

/// Keeps, in `sys`, the events nobody owns of the webhooks `done` and
/// marks them processed (one statement each); returns `sys` uncommitted.
async fn finish(
    mut sys: SystemTx,
    done: Vec<Unmarked>,
    now: Timestamp,
) -> anyhow::Result<SystemTx> {
    // Lost in a crash, the batch is only processed again (its bodies stay
    // stored, its job pending): see `Tx::commit_lazily`.
    sys.commit_lazily().await?;
    let mut total = Processed::default();
    let mut unroutable = Vec::new();
    let mut ids = Vec::with_capacity(done.len());
    for w in done {
        total.applied += w.outcome.applied;
        total.held += w.outcome.held;
        total.unroutable += w.outcome.unroutable;
        for (index, n) in w.nobody.into_iter().enumerate() {
            unroutable.push(Unroutable {
                id: record_id(w.id, index),
                delivery_id: w.id.as_uuid(),
                phone_number_id: n.phone_number_id,
                waba_id: n.waba_id,
                reason: n.reason.to_owned(),
                payload: n.payload,
                created_at: now.as_millis(),
            });
        }
        ids.push(w.id);
    }
    sys.insert_unroutables(&unroutable).await?;
    sys.mark_webhooks_processed(&ids, now).await?;
    for (label, n) in [
        ("applied", total.applied),
        ("held", total.held),
        ("unroutable", total.unroutable),
    ] {
        metrics::counter!("switchboard_webhook_events_total", "outcome" => label)
            .increment(n as u64);
    }
    Ok(sys)
}

/// The id a held or unroutable event is kept under: the webhook's id (a
/// UUIDv7, so held events are released in arrival order) with the event's
/// place (in the body, or among the unroutable ones) in its last four
/// bytes. Processing the webhook again, after a crash or by a second node
/// whose lease overlapped, gives the same ids, so nothing is kept twice.
fn record_id(webhook: WebhookId, index: usize) -> uuid::Uuid {
    let mut bytes = *webhook.as_uuid().as_bytes();
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    bytes[12..].copy_from_slice(&index.to_be_bytes());
    uuid::Uuid::from_bytes(bytes)
}
