//! A workspace's service-level targets: how soon a customer should have a
//! first answer, and a conversation be resolved. Breaches in the
//! response-times report are measured against them.

use super::reports::response::{Targets, targets};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult, FieldError};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::Permission;
use domain::events::AnalyticsSettingsUpdated;
use serde::Deserialize;
use serde_json::json;
use store::analytics::AnalyticsSettings;
use utoipa::ToSchema;

/// The longest target, in minutes (30 days).
pub const MAX_MINUTES: i64 = 30 * 24 * 60;

/// Targets as set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsInput {
    /// Minutes from a customer's message to a person's first answer (1 to
    /// 43200).
    pub first_response_minutes: i64,
    /// Minutes from opening to resolution (1 to 43200).
    pub resolution_minutes: i64,
}

/// The workspace's targets (`analytics:read`).
pub async fn get_targets(state: &AppState, ctx: &TenantCtx) -> AppResult<Targets> {
    ctx.require(Permission::AnalyticsRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let t = targets(&mut tx).await?;
    tx.commit().await?;
    Ok(t)
}

/// Sets the workspace's targets (`settings:manage`); audited as
/// `analytics.targets`, told as `analytics_settings.updated`.
pub async fn set_targets(
    state: &AppState,
    ctx: &TenantCtx,
    input: TargetsInput,
) -> AppResult<Targets> {
    ctx.require(Permission::SettingsManage)?;
    let mut errors = Vec::new();
    for (field, value) in [
        ("first_response_minutes", input.first_response_minutes),
        ("resolution_minutes", input.resolution_minutes),
    ] {
        if !(1..=MAX_MINUTES).contains(&value) {
            errors.push(FieldError {
                field: field.to_owned(),
                message: format!("from 1 to {MAX_MINUTES} minutes"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let before = targets(&mut tx).await?;
    // A workspace the counts never reached gets an empty zone: the
    // consumer rebuilds it when it first comes by, as it would have.
    let zone = tx
        .find_analytics_settings()
        .await?
        .map(|s| s.zone)
        .unwrap_or_default();
    let after = Targets {
        first_response_minutes: input.first_response_minutes,
        resolution_minutes: input.resolution_minutes,
    };
    if after != before {
        tx.upsert_analytics_settings(&AnalyticsSettings {
            first_response_minutes: after.first_response_minutes,
            resolution_minutes: after.resolution_minutes,
            zone,
            updated_at: now,
        })
        .await?;
        let event = AnalyticsSettingsUpdated {
            first_response_minutes: after.first_response_minutes,
            resolution_minutes: after.resolution_minutes,
        };
        record(&mut tx, Event::AnalyticsSettingsUpdated(event), now);
        let details = json!({ "from": before, "to": after });
        let target = ("tenant", ctx.tenant_id.to_string());
        crate::audit::tenant_change(&mut tx, ctx, now, "analytics.targets", target, details)
            .await?;
    }
    tx.commit().await?;
    Ok(after)
}
