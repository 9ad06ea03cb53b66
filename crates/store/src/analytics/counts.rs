//! `analytics_counts`: one number per metric, subject, detail and local
//! hour, moved by deltas (a batch of events adds up its deltas first and
//! writes each key once).

use crate::db::{SystemTx, TenantTx, exec, run, values_rows};
use crate::error::StoreResult;
use domain::TenantId;
use uuid::Uuid;

/// A change to one count: `value` is added (negative to take back).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Count {
    /// Local date, `YYYY-MM-DD`.
    pub day: String,
    /// Local hour, 0..23.
    pub hour: i64,
    pub metric: String,
    pub subject: String,
    pub detail: String,
    pub value: i64,
}

/// A day's sum of one metric, subject and detail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DailyCount {
    pub day: String,
    pub metric: String,
    pub subject: String,
    pub detail: String,
    pub value: i64,
}

/// An hour's sum of one metric (all subjects and details).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HourlyCount {
    pub day: String,
    pub hour: i64,
    pub value: i64,
}

/// A workspace's sum of one metric over a span of days (the operator's
/// view across workspaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantTotal {
    pub tenant_id: TenantId,
    pub metric: String,
    pub value: i64,
}

/// Seven parameters per row.
const WIDTH: usize = 7;
const ROWS_PER_STATEMENT: usize = crate::placeholders::rows_per_statement(WIDTH);

impl TenantTx {
    /// Adds `deltas` to their counts (each key at most once per call: the
    /// caller sums its deltas first).
    pub async fn add_analytics_counts(&mut self, deltas: &[Count]) -> StoreResult<()> {
        for chunk in deltas.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO analytics_counts (tenant_id, day, hour, metric, subject, detail, value) \
                 VALUES {} ON CONFLICT (tenant_id, day, metric, subject, detail, hour) \
                 DO UPDATE SET value = analytics_counts.value + excluded.value",
                values_rows(chunk.len(), WIDTH, |p| format!("({})", p.join(", ")))
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for d in chunk {
                    q = q
                        .bind(self.tenant.as_uuid())
                        .bind(&d.day)
                        .bind(d.hour)
                        .bind(&d.metric)
                        .bind(&d.subject)
                        .bind(&d.detail)
                        .bind(d.value);
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// Daily sums of the metrics starting with `prefix` (`messages.`) for
    /// the local days `from..=to`.
    pub async fn analytics_daily(
        &mut self,
        prefix: &str,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<DailyCount>> {
        run!(&mut self.tx, |c| {
            sqlx::query_as::<_, DailyCount>(
            "SELECT day, metric, subject, detail, CAST(SUM(value) AS BIGINT) AS value FROM analytics_counts \
             WHERE tenant_id = $1 AND day >= $2 AND day <= $3 \
               AND metric >= $4 AND metric < $5 \
             GROUP BY day, metric, subject, detail ORDER BY day, metric, subject, detail"
        )
        .bind(self.tenant.as_uuid())
        .bind(from)
        .bind(to)
        .bind(prefix)
        .bind(prefix_end(prefix))
        .fetch_all(c)
        .await
        })
    }

    /// Hourly sums of `metric` for the local days `from..=to`.
    pub async fn analytics_hourly(
        &mut self,
        metric: &str,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<HourlyCount>> {
        run!(&mut self.tx, |c| sqlx::query_as::<_, HourlyCount>(
            "SELECT day, hour, CAST(SUM(value) AS BIGINT) AS value FROM analytics_counts \
             WHERE tenant_id = $1 AND day >= $2 AND day <= $3 AND metric = $4 \
             GROUP BY day, hour ORDER BY day, hour"
        )
        .bind(self.tenant.as_uuid())
        .bind(from)
        .bind(to)
        .bind(metric)
        .fetch_all(c)
        .await)
    }
}

impl SystemTx {
    /// Every workspace's sums of the metrics starting with `prefix` over
    /// the days `from..=to` (each workspace's own local days).
    pub async fn analytics_totals(
        &mut self,
        prefix: &str,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<TenantTotal>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            tenant_id: Uuid,
            metric: String,
            value: i64,
        }
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT tenant_id, metric, CAST(SUM(value) AS BIGINT) AS value FROM analytics_counts \
             WHERE day >= $1 AND day <= $2 AND metric >= $3 AND metric < $4 \
             GROUP BY tenant_id, metric"
        )
        .bind(from)
        .bind(to)
        .bind(prefix)
        .bind(prefix_end(prefix))
        .fetch_all(c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| TenantTotal {
                tenant_id: TenantId::from_uuid(r.tenant_id),
                metric: r.metric,
                value: r.value,
            })
            .collect())
    }
}

/// The first string after every string starting with `prefix` (metric
/// names are ASCII): `messages.` → `messages/`, so a prefix is a range.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    match end.pop() {
        Some(last) => end.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX)),
        None => end.push(char::MAX),
    }
    end
}
