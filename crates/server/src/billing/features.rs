//! The plan's feature switches, checked where each feature is used.

use crate::error::{AppError, AppResult};
use domain::Feature;
use store::TenantTx;
use store::tenancy::Plan;

/// `403 feature_not_in_plan` unless `plan` switches `feature` on.
pub fn require(plan: &Plan, feature: Feature) -> AppResult<()> {
    if feature.in_plan(&plan.features) {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "feature_not_in_plan",
        format!(
            "the {} plan does not include {}; upgrade to use it",
            plan.name,
            describe(feature)
        ),
    ))
}

/// [`require`] for the tenant of `tx`.
pub async fn require_in(tx: &mut TenantTx, feature: Feature) -> AppResult<()> {
    require(&tx.find_plan().await?, feature)
}

/// Whether the tenant of `tx` has `feature` (for background work, which
/// skips what the plan leaves out instead of failing).
pub async fn has(tx: &mut TenantTx, feature: Feature) -> AppResult<bool> {
    Ok(feature.in_plan(&tx.find_plan().await?.features))
}

fn describe(feature: Feature) -> &'static str {
    match feature {
        Feature::Campaigns => "campaigns",
        Feature::Bot => "the booking bot",
        Feature::Genesys => "the Genesys Cloud bridge",
        Feature::Api => "the API with API keys",
    }
}
