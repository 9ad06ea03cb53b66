//! Metering: counting what a tenant uses, in the transaction that uses it,
//! telling the tenant when it nears a limit, and the usage report.
//!
//! Counters are per billing period (`domain::usage::period_start`). A
//! message counts when it is queued (failed sends included, as Meta's
//! own limits count attempts), as `messages_out` and as its category.
//! Crossing 80 % or 100 % of `messages_per_month` records
//! `usage.threshold_reached` exactly once: the counter's atomic increment
//! hands each value to one transaction only, so only one sees the crossing.

use crate::auth::TenantCtx;
use crate::email::notices::Notice;
use crate::error::AppResult;
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, UsageThresholdReached};
use domain::usage::{MessageCategory, Metric, UsageLevel, next_period_start, period_start};
use domain::{PlanLimits, Timestamp};
use store::TenantTx;

/// Months of history in the usage report, the current one included.
pub const HISTORY_MONTHS: usize = 12;

/// Counts one message queued to a customer, and warns when it takes the
/// month past 80 % or 100 % of the plan's messages.
pub async fn count_outbound(
    tx: &mut TenantTx,
    category: MessageCategory,
    now: Timestamp,
) -> AppResult<()> {
    let period = period_start(now);
    tx.add_usage(period, Metric::MessagesOut(category).as_str(), 1)
        .await?;
    let total = tx
        .add_usage(period, Metric::MessagesOutTotal.as_str(), 1)
        .await?;
    let allowed = tx.find_plan().await?.limits.messages_per_month;
    warn_on_crossing(tx, "messages_per_month", total - 1, total, allowed, now).await?;
    Ok(())
}

/// Counts one message received from a customer.
pub async fn count_inbound(tx: &mut TenantTx, now: Timestamp) -> store::StoreResult<()> {
    tx.add_usage(period_start(now), Metric::MessagesIn.as_str(), 1)
        .await
        .map(drop)
}

/// Messages queued this billing period (what `messages_per_month` limits).
pub async fn messages_this_period(tx: &mut TenantTx, now: Timestamp) -> AppResult<i64> {
    let metric = Metric::MessagesOutTotal.as_str();
    Ok(tx.usage_count(period_start(now), metric).await?)
}

/// The month's messages as a limit in use, when they are at 80 % of the
/// plan's or more (for the dashboard's banner; two reads).
pub async fn messages_warning(tx: &mut TenantTx, now: Timestamp) -> AppResult<Option<LimitUsage>> {
    let allowed = tx.find_plan().await?.limits.messages_per_month;
    if allowed.is_none() {
        return Ok(None);
    }
    let used = messages_this_period(tx, now).await?;
    let level = UsageLevel::of(used, allowed);
    Ok((level > UsageLevel::Normal).then_some(LimitUsage {
        limit: "messages_per_month",
        used,
        allowed,
        level,
    }))
}

/// Records `usage.threshold_reached` when `before → after` crosses a
/// level, and emails the owners and admins.
async fn warn_on_crossing(
    tx: &mut TenantTx,
    limit: &str,
    before: i64,
    after: i64,
    allowed: Option<i64>,
    now: Timestamp,
) -> AppResult<()> {
    let (Some(level), Some(allowed)) = (UsageLevel::crossed(before, after, allowed), allowed)
    else {
        return Ok(());
    };
    let event = UsageThresholdReached {
        limit: limit.to_owned(),
        level: level.as_str().to_owned(),
        used: after,
        allowed,
        period_start: period_start(now).to_rfc3339(),
    };
    record(tx, Event::UsageThresholdReached(event), now);
    let notice = Notice::UsageWarning {
        what: "messages".into(),
        used: after,
        allowed,
        reached: level == UsageLevel::Reached,
    };
    crate::email::notices::notify(tx, &notice, now).await?;
    Ok(())
}

/// One billing period's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodUsage {
    pub start: Timestamp,
    pub end: Timestamp,
    /// Every metric, zero when nothing was counted.
    pub counts: Vec<(Metric, i64)>,
}

impl PeriodUsage {
    pub fn count(&self, metric: Metric) -> i64 {
        self.counts
            .iter()
            .find(|(m, _)| *m == metric)
            .map_or(0, |(_, n)| *n)
    }
}

/// A limit of the plan with what is used of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitUsage {
    /// The limit's name in the plan (`messages_per_month`).
    pub limit: &'static str,
    pub used: i64,
    /// `None`: unlimited.
    pub allowed: Option<i64>,
    pub level: UsageLevel,
}

/// The usage report: this period, the plan's limits as used, and history.
#[derive(Debug, Clone)]
pub struct UsageReport {
    pub current: PeriodUsage,
    pub limits: Vec<LimitUsage>,
    /// Earlier periods with any usage, newest first.
    pub history: Vec<PeriodUsage>,
}

impl UsageReport {
    /// The most pressing limit, for the dashboard's banner.
    pub fn worst(&self) -> Option<&LimitUsage> {
        self.limits
            .iter()
            .filter(|l| l.level > UsageLevel::Normal)
            .max_by_key(|l| l.level)
    }
}

/// The caller's usage report.
pub async fn usage_report(state: &AppState, ctx: &TenantCtx) -> AppResult<UsageReport> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let report = report_in(&mut tx, state.now()).await?;
    tx.commit().await?;
    Ok(report)
}

/// [`usage_report`] inside a transaction the caller holds.
pub async fn report_in(tx: &mut TenantTx, now: Timestamp) -> AppResult<UsageReport> {
    let current_start = period_start(now);
    let mut since = current_start;
    for _ in 1..HISTORY_MONTHS {
        since = period_start(since.plus_seconds(-86_400));
    }
    let counts = tx.usage_history(since).await?;
    let mut periods: Vec<PeriodUsage> = Vec::new();
    for c in counts {
        let Some(metric) = Metric::parse(&c.metric) else {
            continue;
        };
        if periods.last().is_none_or(|p| p.start != c.period_start) {
            periods.push(empty_period(c.period_start));
        }
        if let Some(p) = periods.last_mut()
            && let Some(slot) = p.counts.iter_mut().find(|(m, _)| *m == metric)
        {
            slot.1 = c.count;
        }
    }
    let current = match periods.first() {
        Some(p) if p.start == current_start => periods.remove(0),
        _ => empty_period(current_start),
    };
    let plan = tx.find_plan().await?;
    let limits = limit_usage(
        &plan.limits,
        [
            (
                "messages_per_month",
                current.count(Metric::MessagesOutTotal),
            ),
            ("agents", tx.count_active_users().await?),
            ("numbers", tx.count_channels().await?),
            ("contacts", tx.count_contacts().await?),
        ],
    );
    Ok(UsageReport {
        current,
        limits,
        history: periods,
    })
}

fn empty_period(start: Timestamp) -> PeriodUsage {
    PeriodUsage {
        start,
        end: next_period_start(start),
        counts: Metric::ALL.iter().map(|m| (*m, 0)).collect(),
    }
}

/// Pairs what is used with the plan's limits of the same names.
fn limit_usage<const N: usize>(
    limits: &PlanLimits,
    used: [(&'static str, i64); N],
) -> Vec<LimitUsage> {
    let named = limits.named();
    used.into_iter()
        .map(|(limit, used)| {
            let allowed = named
                .iter()
                .find(|(name, _)| *name == limit)
                .and_then(|(_, l)| *l);
            LimitUsage {
                limit,
                used,
                allowed,
                level: UsageLevel::of(used, allowed),
            }
        })
        .collect()
}
