//! Tenants and plans.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a tenant is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Trial,
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Trial => "trial",
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
}

impl FromStr for TenantStatus {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "trial" => Ok(Self::Trial),
            "active" => Ok(Self::Active),
            "suspended" => Ok(Self::Suspended),
            _ => Err(InvalidValue::new("status", format!("unknown status `{s}`"))),
        }
    }
}

/// A tenant's slug: its subdomain and its name at login.
/// Lowercase ASCII letters, digits and inner hyphens, 3 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Slug(String);

/// Names a tenant may not take, because they are hosts of the platform.
const RESERVED_SLUGS: &[&str] = &[
    "www", "api", "app", "admin", "operator", "static", "assets", "webhooks", "graph", "mail",
    "status", "docs", "sandbox",
];

impl Slug {
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let bad = |m: &str| Err(InvalidValue::new("slug", m));
        if !(3..=40).contains(&s.len()) {
            return bad("must be 3 to 40 characters");
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("only lowercase letters, digits and hyphens");
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return bad("hyphens only between letters or digits");
        }
        if RESERVED_SLUGS.contains(&s) {
            return bad("this name is reserved");
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A plan's code, such as `starter`.
pub type PlanCode = String;

/// What a plan allows per tenant. `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanLimits {
    #[schema(minimum = 0)]
    pub messages_per_month: Option<i64>,
    #[schema(minimum = 0)]
    pub agents: Option<i64>,
    #[schema(minimum = 0)]
    pub numbers: Option<i64>,
    #[schema(minimum = 0)]
    pub contacts: Option<i64>,
    /// Workflow runs started in a calendar month (UTC); a run over the
    /// limit is logged as skipped.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub workflow_runs_per_month: Option<i64>,
    /// Messages over the Genesys bridge per minute, both ways (customers'
    /// to Genesys, agents' replies); over it, the bridge waits.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub genesys_per_minute: Option<i64>,
    /// Requests a minute through the API with an API key, per tenant (with
    /// a burst of a tenth of it on top, at least 10); over it, `429`.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub api_requests_per_minute: Option<i64>,
    /// Workflows (automations) a tenant may have.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub workflows: Option<i64>,
    /// Outbound webhook endpoints a tenant may have.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub webhook_endpoints: Option<i64>,
}

/// What a plan switches on. A switch that is off answers `403
/// feature_not_in_plan` where the feature is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanFeatures {
    pub campaigns: bool,
    /// The booking bot.
    pub bot: bool,
    /// The Genesys Cloud bridge.
    pub genesys: bool,
    /// The API with API keys (the dashboard works without it).
    pub api: bool,
}

impl PlanFeatures {
    pub const ALL: PlanFeatures = PlanFeatures {
        campaigns: true,
        bot: true,
        genesys: true,
        api: true,
    };
}

/// A switchable feature of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Campaigns,
    Bot,
    Genesys,
    Api,
}

impl Feature {
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Campaigns => "campaigns",
            Feature::Bot => "bot",
            Feature::Genesys => "genesys",
            Feature::Api => "api",
        }
    }

    /// Whether `features` switch this one on.
    pub fn in_plan(self, features: &PlanFeatures) -> bool {
        match self {
            Feature::Campaigns => features.campaigns,
            Feature::Bot => features.bot,
            Feature::Genesys => features.genesys,
            Feature::Api => features.api,
        }
    }
}

/// What a plan costs, in the currency's smallest unit (cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanPrices {
    #[schema(minimum = 0)]
    pub monthly: i64,
    #[schema(minimum = 0)]
    pub yearly: i64,
    /// ISO 4217, lowercase (`usd`).
    pub currency: String,
}

impl PlanLimits {
    /// The plans every new deployment starts with, with their monthly price
    /// in US cents (a year costs ten months); the operator can edit them.
    pub fn defaults() -> [(&'static str, &'static str, PlanLimits, i64); 3] {
        [
            (
                "starter",
                "Starter",
                PlanLimits {
                    messages_per_month: Some(1_000),
                    agents: Some(5),
                    numbers: Some(1),
                    contacts: Some(5_000),
                    workflow_runs_per_month: Some(2_000),
                    genesys_per_minute: Some(60),
                    api_requests_per_minute: Some(600),
                    workflows: Some(20),
                    webhook_endpoints: Some(10),
                },
                2_900,
            ),
            (
                "professional",
                "Professional",
                PlanLimits {
                    messages_per_month: Some(10_000),
                    agents: Some(25),
                    numbers: Some(5),
                    contacts: Some(50_000),
                    workflow_runs_per_month: Some(50_000),
                    genesys_per_minute: Some(600),
                    api_requests_per_minute: Some(3_000),
                    workflows: Some(200),
                    webhook_endpoints: Some(50),
                },
                9_900,
            ),
            (
                "enterprise",
                "Enterprise",
                PlanLimits {
                    messages_per_month: None,
                    agents: None,
                    numbers: None,
                    contacts: None,
                    workflow_runs_per_month: None,
                    genesys_per_minute: None,
                    api_requests_per_minute: None,
                    workflows: None,
                    webhook_endpoints: None,
                },
                49_900,
            ),
        ]
    }

    /// Each limit with its name in the API (`limits.<name>`).
    pub fn named(&self) -> [(&'static str, Option<i64>); 9] {
        [
            ("messages_per_month", self.messages_per_month),
            ("agents", self.agents),
            ("numbers", self.numbers),
            ("contacts", self.contacts),
            ("workflow_runs_per_month", self.workflow_runs_per_month),
            ("genesys_per_minute", self.genesys_per_minute),
            ("api_requests_per_minute", self.api_requests_per_minute),
            ("workflows", self.workflows),
            ("webhook_endpoints", self.webhook_endpoints),
        ]
    }

    /// Whether one more unit fits when `used` are already taken.
    pub fn admits(limit: Option<i64>, used: i64) -> bool {
        limit.is_none_or(|l| used < l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_validated_once() {
        assert!(Slug::parse("acme-shoes").is_ok());
        for bad in [
            "ab",
            "Acme",
            "acme_shoes",
            "-acme",
            "acme-",
            "a--b",
            "api",
            "é-shop",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn unlimited_admits_everything_and_limits_stop_at_the_limit() {
        assert!(PlanLimits::admits(None, i64::MAX - 1));
        assert!(PlanLimits::admits(Some(5), 4));
        assert!(!PlanLimits::admits(Some(5), 5));
    }
}
