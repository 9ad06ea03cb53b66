//! The platform operator: tenants, plans, the audit log and health across
//! tenants.

pub mod api;
pub mod pages;
