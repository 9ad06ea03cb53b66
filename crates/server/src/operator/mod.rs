//! The platform operator: signing in, tenants, plans, the audit log,
//! health across tenants and the deployment's nodes. The tenant life-cycle itself lives in
//! `crate::tenancy`, shared with `switchboard admin`.

pub mod api;
pub mod health;
pub mod nodes;
pub mod pages;
pub mod plans;
pub mod sessions;
pub mod tenants;
