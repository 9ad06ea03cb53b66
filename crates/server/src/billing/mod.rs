//! Plans, usage and rate limits (docs/BILLING.md): what a tenant's plan
//! switches on ([`features`]), what it uses per billing period
//! ([`usage`]), the API's per-tenant rate limit ([`rate_limit`]) and the
//! API that shows usage ([`api`]). The operator edits plans in
//! `operator::plans`.

pub mod api;
pub mod features;
pub mod rate_limit;
pub mod usage;
