//! Usage counters and the API rate limit's shared state (migration 0040).
//!
//! A counter is added to in the transaction that does what it counts, by
//! one upsert, so concurrent writers (on one node or several) never lose
//! a count. The rate limit's row is moved on by one statement that checks
//! and takes a request at once (`domain::rate` explains the numbers).

use crate::db::{SystemTx, TenantTx, run};
use crate::error::StoreResult;
use domain::{TenantId, Timestamp};
use uuid::Uuid;

/// One counter of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCount {
    pub period_start: Timestamp,
    pub metric: String,
    pub count: i64,
}

/// One tenant's counter, for the operator's view across tenants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUsageCount {
    pub tenant_id: TenantId,
    pub metric: String,
    pub count: i64,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    period_start: i64,
    metric: String,
    count: i64,
}

impl From<CountRow> for UsageCount {
    fn from(r: CountRow) -> Self {
        UsageCount {
            period_start: Timestamp::from_millis(r.period_start),
            metric: r.metric,
            count: r.count,
        }
    }
}

impl TenantTx {
    /// Adds `n` to a counter of the period starting at `period_start` and
    /// returns its new value.
    pub async fn add_usage(
        &mut self,
        period_start: Timestamp,
        metric: &str,
        n: i64,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO usage_counters (tenant_id, period_start, metric, count) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_id, period_start, metric) \
                 DO UPDATE SET count = usage_counters.count + excluded.count \
                 RETURNING count",
            )
            .bind(self.tenant.as_uuid())
            .bind(period_start.as_millis())
            .bind(metric)
            .bind(n)
            .fetch_one(c)
            .await
        })
    }

    /// One counter's value (0 when nothing was counted).
    pub async fn usage_count(&mut self, period_start: Timestamp, metric: &str) -> StoreResult<i64> {
        let n = run!(&mut self.tx, |c| {
            sqlx::query_scalar::<_, i64>(
                "SELECT count FROM usage_counters \
                 WHERE tenant_id = $1 AND period_start = $2 AND metric = $3",
            )
            .bind(self.tenant.as_uuid())
            .bind(period_start.as_millis())
            .bind(metric)
            .fetch_optional(c)
            .await
        })?;
        Ok(n.unwrap_or(0))
    }

    /// Every counter of the periods starting at or after `since`, newest
    /// period first, then by metric.
    pub async fn usage_history(&mut self, since: Timestamp) -> StoreResult<Vec<UsageCount>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, CountRow>(
                "SELECT period_start, metric, count FROM usage_counters \
                 WHERE tenant_id = $1 AND period_start >= $2 \
                 ORDER BY period_start DESC, metric",
            )
            .bind(self.tenant.as_uuid())
            .bind(since.as_millis())
            .fetch_all(c)
            .await
        })?;
        Ok(rows.into_iter().map(UsageCount::from).collect())
    }

    /// Takes one request under the API rate limit if the stored arrival
    /// time allows it: moves it to `max(tat, now) + interval` when
    /// `max(tat, now) - now <= tolerance`, and returns the new value;
    /// `None` when refused (nothing changes). All in microseconds.
    pub async fn take_rate_slot(
        &mut self,
        now: i64,
        interval: i64,
        tolerance: i64,
    ) -> StoreResult<Option<i64>> {
        run!(&mut self.tx, |c| {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO api_rate_limits (tenant_id, tat) VALUES ($1, $2 + $3) \
                 ON CONFLICT (tenant_id) DO UPDATE SET \
                     tat = CASE WHEN api_rate_limits.tat > $2 THEN api_rate_limits.tat ELSE $2 END + $3 \
                 WHERE CASE WHEN api_rate_limits.tat > $2 THEN api_rate_limits.tat ELSE $2 END - $2 <= $4 \
                 RETURNING tat",
            )
            .bind(self.tenant.as_uuid())
            .bind(now)
            .bind(interval)
            .bind(tolerance)
            .fetch_optional(c)
            .await
        })
    }

    /// The stored arrival time of the API rate limit, if any request was
    /// ever taken.
    pub async fn rate_slot(&mut self) -> StoreResult<Option<i64>> {
        run!(&mut self.tx, |c| {
            sqlx::query_scalar::<_, i64>("SELECT tat FROM api_rate_limits WHERE tenant_id = $1")
                .bind(self.tenant.as_uuid())
                .fetch_optional(c)
                .await
        })
    }
}

impl SystemTx {
    /// Every tenant's counters of one period.
    pub async fn usage_of_period(
        &mut self,
        period_start: Timestamp,
    ) -> StoreResult<Vec<TenantUsageCount>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, (Uuid, String, i64)>(
                "SELECT tenant_id, metric, count FROM usage_counters WHERE period_start = $1 \
                 ORDER BY tenant_id, metric",
            )
            .bind(period_start.as_millis())
            .fetch_all(c)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(tenant, metric, count)| TenantUsageCount {
                tenant_id: TenantId::from_uuid(tenant),
                metric,
                count,
            })
            .collect())
    }
}
