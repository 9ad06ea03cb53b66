//! The event log: every change a tenant could react to is a typed
//! [`Event`] (see `domain::events` and docs/EVENTS.md), recorded by
//! [`record`] in the transaction that makes the change, and read back in
//! commit order by consumers (the live stream today; outbound webhooks,
//! automations, the Genesys bridge and analytics next).
//!
//! Each tenant's events are numbered 1, 2, 3… in commit order, without gaps
//! (`store::events`): a reader that has seen number *n* can already see
//! every number before it. Readers keep a position in that numbering:
//! durable consumers in `event_cursors`, moved in the same transaction as
//! their own work ([`consume`]); the live stream in the client's
//! `Last-Event-ID`. Both read with [`read_after`].
//!
//! Areas never call each other to announce something: they record an
//! event, and whoever cares consumes it.

pub mod stream;

use crate::state::AppState;
pub use domain::events::Event;
use domain::{TenantId, Timestamp};
use futures::StreamExt as _;
use std::future::Future;
use store::TenantTx;
use store::events::{CursorStart, NewEvent, StoredEvent};

/// Records `event` in `tx`. It is written, and numbered, when `tx` commits,
/// and never if it does not.
pub fn record(tx: &mut TenantTx, event: Event, now: Timestamp) -> domain::EventId {
    let stored = NewEvent::new(event.name(), event.payload()).version(event.version());
    tx.record_event(stored, now)
}

/// A position in a tenant's log: the number of the last event read (0:
/// before the first).
pub type Position = i64;

/// Up to `limit` of `tenant`'s events after `after`, oldest first.
pub async fn read_after(
    state: &AppState,
    tenant: TenantId,
    after: Position,
    limit: i64,
) -> store::StoreResult<Vec<StoredEvent>> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let events = tx.events_after(after, limit).await?;
    tx.commit().await?;
    Ok(events)
}

/// The position after `tenant`'s newest event: where a reader that wants
/// only what happens from now on starts.
pub async fn latest(state: &AppState, tenant: TenantId) -> store::StoreResult<Position> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let seq = tx.latest_event_seq().await?;
    tx.commit().await?;
    Ok(seq)
}

/// The position of event `id`, if it is one of `tenant`'s.
pub async fn position_of(
    state: &AppState,
    tenant: TenantId,
    id: domain::EventId,
) -> store::StoreResult<Option<Position>> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let seq = tx.find_event_seq(id).await?;
    tx.commit().await?;
    Ok(seq)
}

/// A durable consumer of the event log: it sees every event of every
/// tenant exactly once, in commit order, and resumes where it stopped after
/// a crash.
pub trait Consumer: Send + Sync {
    /// The cursor's name, stable across releases.
    const NAME: &'static str;
    /// Where a tenant's cursor starts the first time.
    const START: CursorStart;

    /// Handles a batch of one tenant's events, writing in `tx` (the
    /// transaction that also moves the cursor past them).
    fn handle(
        &self,
        tx: &mut TenantTx,
        events: &[StoredEvent],
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Feeds `consumer` one batch of `tenant`'s events, up to `limit`, and
/// moves its cursor past them in the same transaction; returns how many
/// there were. Concurrent calls for one tenant and consumer take turns on
/// the cursor's row, so no event is handled twice.
pub async fn consume<C: Consumer>(
    state: &AppState,
    consumer: &C,
    tenant: TenantId,
    limit: i64,
) -> anyhow::Result<usize> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let position = tx.lock_cursor(C::NAME, C::START).await?;
    let events = tx.events_after(position, limit).await?;
    let Some(last) = events.last().map(|e| e.seq) else {
        tx.commit().await?;
        return Ok(0);
    };
    consumer.handle(&mut tx, &events).await?;
    tx.advance_cursor(C::NAME, last, now).await?;
    tx.commit().await?;
    Ok(events.len())
}

/// Feeds `consumer` every tenant's pending events until none is left;
/// returns how many it handled.
pub async fn consume_all<C: Consumer>(state: &AppState, consumer: &C) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let behind = {
            let mut sys = state.store.system_read().await?;
            let behind = sys.tenants_behind(C::NAME, 100).await?;
            sys.commit().await?;
            behind
        };
        if behind.is_empty() {
            return Ok(total);
        }
        for tenant in behind {
            total += consume(state, consumer, tenant, 500).await?;
        }
    }
}

/// One round of a consumer that serves every tenant (the template
/// library, analytics): each tenant whose cursor is behind (at most
/// [`TENANTS_PER_ROUND`]) gets one batch of up to `batch` events, one
/// tenant after another, handled by the consumer `make` builds for the
/// moment it starts. A tenant whose batch fails is logged and tried again
/// next round; the others go on. For the job runtime's pollers.
pub async fn poll_every<C: Consumer>(
    state: &AppState,
    batch: i64,
    make: impl Fn(Timestamp) -> C,
) -> anyhow::Result<usize> {
    let tenants = {
        let mut sys = state.store.system_read().await?;
        let t = sys.tenants_behind(C::NAME, TENANTS_PER_ROUND).await?;
        sys.commit().await?;
        t
    };
    let mut total = 0;
    for tenant in tenants {
        match consume(state, &make(state.now()), tenant, batch).await {
            Ok(n) => total += n,
            Err(e) => {
                tracing::error!(consumer = C::NAME, tenant_id = %tenant,
                    error = %format!("{e:#}"), "an event-log consumer failed");
            }
        }
    }
    Ok(total)
}

/// Tenants a round of [`poll_having`] or [`poll_every`] serves, at most.
const TENANTS_PER_ROUND: i64 = 100;
/// Tenants whose batches a round of [`poll_having`] handles at once: on
/// PostgreSQL one tenant's round trips no longer hold up the others' (on
/// SQLite their writes still take turns, their reads do not).
const TENANTS_AT_ONCE: usize = 4;

/// One round of a consumer that serves only the tenants with rows in
/// `table` (those with webhook endpoints, teams, automations): each such
/// tenant whose cursor is behind gets one batch of up to `batch` events
/// ([`TENANTS_AT_ONCE`] tenants at a time),
/// handled by the consumer `make` builds for the moment it starts. A
/// tenant whose batch fails is logged and tried again next round; the
/// others go on. Wakes the workers if anything was handled (a batch may
/// have queued jobs). For the job runtime's pollers.
pub async fn poll_having<C: Consumer>(
    state: &AppState,
    table: store::events::Table,
    batch: i64,
    make: impl Fn(Timestamp) -> C,
) -> anyhow::Result<usize> {
    let tenants = {
        let mut sys = state.store.system_read().await?;
        let t = sys
            .tenants_behind_having(C::NAME, table, TENANTS_PER_ROUND)
            .await?;
        sys.commit().await?;
        t
    };
    let make = &make;
    let batches = futures::stream::iter(tenants)
        .map(|tenant| async move {
            let handled = consume(state, &make(state.now()), tenant, batch).await;
            (tenant, handled)
        })
        .buffer_unordered(TENANTS_AT_ONCE);
    let mut total = 0;
    futures::pin_mut!(batches);
    while let Some((tenant, handled)) = batches.next().await {
        match handled {
            Ok(n) => total += n,
            Err(e) => {
                tracing::error!(consumer = C::NAME, tenant_id = %tenant,
                    error = %format!("{e:#}"), "an event-log consumer failed");
            }
        }
    }
    if total > 0 {
        state.wake_workers();
    }
    Ok(total)
}
