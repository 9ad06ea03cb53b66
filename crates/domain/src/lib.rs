//! Switchboard's domain: identifiers, values parsed once, and the pure rules
//! the rest of the platform enforces. No IO lives here.
//!
//! - [`ids`]: one UUIDv7 newtype per entity, so a `UserId` can never be passed
//!   where a `TenantId` is expected.
//! - [`time`]: [`Timestamp`] and the injectable [`Clock`].
//! - [`tenancy`]: tenant status, slugs and plan limits.
//! - [`access`]: roles, permissions and the permission matrix.
//! - [`values`]: small validated values such as [`Email`].
//! - [`nodes`]: the kinds of process a deployment runs.
//! - [`usage`]: metered usage, billing periods and the warnings near a limit.
//! - [`rate`]: the API rate limit (GCRA).
//! - [`events`]: the domain events every area records and consumes.
#![forbid(unsafe_code)]

pub mod access;
pub mod events;
pub mod ids;
pub mod messaging;
pub mod nodes;
pub mod rate;
pub mod tenancy;
pub mod time;
pub mod usage;
pub mod values;

pub use access::{Permission, Role};
pub use ids::*;
pub use nodes::NodeKind;
pub use tenancy::{Feature, PlanCode, PlanFeatures, PlanLimits, PlanPrices, Slug, TenantStatus};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use values::Email;

/// A value failed validation. `field` names the input at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidValue {
    pub field: &'static str,
    pub message: String,
}

impl InvalidValue {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
