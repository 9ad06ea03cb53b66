//! Plans and usage: event payloads, beside the [`super::Event`] list that
//! names them.

use serde::{Deserialize, Serialize};

/// A tenant's usage reached 80 % (`near`) or 100 % (`reached`) of a plan
/// limit in the current billing period. Sent once per level per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageThresholdReached {
    /// The limit's name in the plan (`messages_per_month`).
    pub limit: String,
    /// `near` or `reached`.
    pub level: String,
    pub used: i64,
    pub allowed: i64,
    /// The billing period's first instant (RFC 3339).
    pub period_start: String,
}
