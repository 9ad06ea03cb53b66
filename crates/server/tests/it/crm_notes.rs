//! (being written)

use testkit::{TestApp, TestTenant};

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids.
pub async fn seed(_app: &TestApp, _t: &TestTenant) {}
