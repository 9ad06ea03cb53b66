//! Store tests on real engines: schema parity between the two migration
//! trees, PostgreSQL row-level security holding even against queries that
//! forget the tenant filter, commits that survive power loss, the event log's commit order and cursors,
//! fairness between tenants in the job queue, and sign-in failure counters
//! shared by every node.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod durability;
mod events;
mod fairness;
mod rls;
mod schema;
mod sign_in_failures;
mod upgrade;

use domain::{TenantId, TenantStatus, Timestamp};
use store::tenancy::NewTenant;

/// A new active tenant with nothing in it.
pub async fn new_tenant(store: &store::Store, slug: &str, now: Timestamp) -> TenantId {
    let mut sys = store.system().await.unwrap();
    let t = sys
        .insert_tenant(NewTenant {
            id: TenantId::new(),
            name: slug,
            slug,
            status: TenantStatus::Active,
            plan_code: "starter",
            now,
        })
        .await
        .unwrap();
    sys.commit().await.unwrap();
    t.id
}
