//! The event log: every change a tenant could react to is a typed
//! [`Event`] (see `domain::events` and docs/EVENTS.md), recorded by
//! [`record`] in the transaction that makes the change, and read back in
//! commit order by consumers (the live stream today; outbound webhooks,
//! automations, the Genesys bridge and analytics next).
//!
//! Areas never call each other to announce something: they record an
//! event, and whoever cares consumes it.

pub mod stream;

use domain::Timestamp;
pub use domain::events::Event;
use store::TenantTx;

/// Records `event` in `tx`: it becomes visible to consumers when, and only
/// if, `tx` commits.
pub async fn record(tx: &mut TenantTx, event: Event, now: Timestamp) -> store::StoreResult<()> {
    tx.insert_event(event.name(), None, &event.payload(), now)
        .await
        .map(drop)
}
