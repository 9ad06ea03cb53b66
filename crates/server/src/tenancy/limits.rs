//! The plan's limits: one check per limit, used by every rule that takes a
//! unit of one (a seat, a number, a contact, a message this month).
//!
//! [`take`] runs inside the transaction that takes the unit: it locks the
//! tenant's resource until that transaction ends, counts what is in use and
//! refuses the last-plus-one, so two concurrent requests can never both take
//! the last unit (see `TenantTx::lock_resource`).

use crate::error::{AppError, AppResult};
use domain::{PlanLimits, Timestamp};
use store::TenantTx;

/// A limited resource of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Active (not disabled) users, whatever their role.
    Seats,
    /// Connected WhatsApp numbers.
    Numbers,
    /// Contacts.
    Contacts,
    /// Outbound messages queued since the start of the month (UTC).
    MessagesThisMonth,
    /// Workflows (automations), enabled or not.
    Workflows,
    /// Outbound webhook endpoints, enabled or not.
    WebhookEndpoints,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Limit::Seats => "seats",
            Limit::Numbers => "numbers",
            Limit::Contacts => "contacts",
            Limit::MessagesThisMonth => "messages",
            Limit::Workflows => "workflows",
            Limit::WebhookEndpoints => "webhook_endpoints",
        }
    }

    fn of(self, limits: &PlanLimits) -> Option<i64> {
        match self {
            Limit::Seats => limits.agents,
            Limit::Numbers => limits.numbers,
            Limit::Contacts => limits.contacts,
            Limit::MessagesThisMonth => limits.messages_per_month,
            Limit::Workflows => limits.workflows,
            Limit::WebhookEndpoints => limits.webhook_endpoints,
        }
    }

    async fn used(self, tx: &mut TenantTx, now: Timestamp) -> store::StoreResult<i64> {
        match self {
            Limit::Seats => tx.count_active_users().await,
            Limit::Numbers => tx.count_channels().await,
            Limit::Contacts => tx.count_contacts().await,
            Limit::MessagesThisMonth => {
                let metric = domain::usage::Metric::MessagesOutTotal.as_str();
                tx.usage_count(month_start(now), metric).await
            }
            Limit::Workflows => tx.count_workflows().await,
            Limit::WebhookEndpoints => tx.count_hook_endpoints().await,
        }
    }
}

/// Checks that the tenant may take one more unit of `limit`, and keeps
/// every other taker of it waiting until the caller's transaction ends
/// (when the plan limits it: without a limit there is nothing to check).
/// Call it before inserting the unit, in the same transaction.
pub async fn take(tx: &mut TenantTx, limit: Limit, now: Timestamp) -> AppResult<()> {
    let plan = tx.find_plan().await?;
    // No limit: nothing to count (a count is a scan of what is in use, on
    // every send and every new contact) and no race to guard.
    let Some(allowed) = limit.of(&plan.limits) else {
        return Ok(());
    };
    tx.lock_resource(limit.name()).await?;
    let used = limit.used(tx, now).await?;
    if PlanLimits::admits(Some(allowed), used) {
        return Ok(());
    }
    let (code, what) = match limit {
        Limit::MessagesThisMonth => (
            "quota_exceeded",
            format!("{allowed} messages a month; {used} sent"),
        ),
        Limit::Seats => ("plan_limit_reached", format!("{allowed} users")),
        Limit::Numbers => ("plan_limit_reached", format!("{allowed} number(s)")),
        Limit::Contacts => ("plan_limit_reached", format!("{allowed} contacts")),
        Limit::Workflows => ("plan_limit_reached", format!("{allowed} workflow(s)")),
        Limit::WebhookEndpoints => (
            "plan_limit_reached",
            format!("{allowed} webhook endpoint(s)"),
        ),
    };
    Err(AppError::TooManyRequests(
        code,
        format!("the {} plan allows {what}", plan.name),
        0,
    ))
}

/// [`take`] for `n` units at once: refuses (taking nothing) unless all of
/// them fit, and (when the plan limits it) keeps every other taker waiting
/// until the caller's transaction ends.
pub async fn take_many(tx: &mut TenantTx, limit: Limit, n: i64, now: Timestamp) -> AppResult<bool> {
    let plan = tx.find_plan().await?;
    let Some(allowed) = limit.of(&plan.limits) else {
        return Ok(true);
    };
    tx.lock_resource(limit.name()).await?;
    Ok(limit.used(tx, now).await? + n <= allowed)
}

/// How many more units of `limit` the tenant's plan allows now (`None`:
/// no limit). For a rule about to take many at once (a campaign's
/// recipients), to refuse up front with a clear answer; each unit is
/// still taken with [`take`].
pub async fn remaining(tx: &mut TenantTx, limit: Limit, now: Timestamp) -> AppResult<Option<i64>> {
    let plan = tx.find_plan().await?;
    let Some(allowed) = limit.of(&plan.limits) else {
        return Ok(None);
    };
    let used = limit.used(tx, now).await?;
    Ok(Some((allowed - used).max(0)))
}

/// The first day of `now`'s month, UTC (the quota period).
pub fn month_start(now: Timestamp) -> Timestamp {
    domain::usage::period_start(now)
}
