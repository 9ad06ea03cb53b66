//! Attempts: every request made for a delivery, with its answer.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use crate::events::StoredEvent;
use domain::{DeliveryId, EndpointId, Timestamp};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAttempt {
    pub id: Uuid,
    pub delivery_id: DeliveryId,
    pub endpoint_id: EndpointId,
    /// Its number in its delivery's series (1, 2, …).
    pub attempt: i64,
    pub started_at: Timestamp,
    /// `None` when no answer came (timeout, connection error).
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// The first 4 KiB of the answer.
    pub response_body: Option<String>,
    pub error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    delivery_id: Uuid,
    endpoint_id: Uuid,
    attempt: i64,
    started_at: i64,
    status_code: Option<i64>,
    latency_ms: i64,
    response_body: Option<String>,
    error: Option<String>,
}

impl From<Row> for HookAttempt {
    fn from(r: Row) -> Self {
        HookAttempt {
            id: r.id,
            delivery_id: DeliveryId::from_uuid(r.delivery_id),
            endpoint_id: EndpointId::from_uuid(r.endpoint_id),
            attempt: r.attempt,
            started_at: Timestamp::from_millis(r.started_at),
            status_code: r.status_code,
            latency_ms: r.latency_ms,
            response_body: r.response_body,
            error: r.error,
        }
    }
}

impl TenantTx {
    pub async fn insert_hook_attempt(&mut self, a: &HookAttempt) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO hook_attempts (tenant_id, id, delivery_id, endpoint_id, attempt, \
               started_at, status_code, latency_ms, response_body, error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(self.tenant.as_uuid())
        .bind(a.id)
        .bind(a.delivery_id.as_uuid())
        .bind(a.endpoint_id.as_uuid())
        .bind(a.attempt)
        .bind(a.started_at.as_millis())
        .bind(a.status_code)
        .bind(a.latency_ms)
        .bind(&a.response_body)
        .bind(&a.error)
        .execute(c)
        .await)
        .map(drop)
    }

    /// A delivery's attempts, oldest first.
    pub async fn list_hook_attempts(
        &mut self,
        delivery: DeliveryId,
    ) -> StoreResult<Vec<HookAttempt>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT id, delivery_id, endpoint_id, attempt, started_at, status_code, latency_ms, \
                    response_body, error \
             FROM hook_attempts WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .bind(delivery.as_uuid())
        .fetch_all(c)
        .await
        })?;
        Ok(rows.into_iter().map(HookAttempt::from).collect())
    }

    /// How many attempts since `since` got no 2xx answer.
    pub async fn count_failed_hook_attempts(&mut self, since: Timestamp) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM hook_attempts WHERE tenant_id = $1 AND started_at >= $2 \
               AND (status_code IS NULL OR status_code < 200 OR status_code >= 300)"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)
    }

    /// Up to `limit` of the log's events created in `[since, until)` and
    /// numbered after `after_seq`, in order (for replaying a time range).
    pub async fn events_created_between(
        &mut self,
        since: Timestamp,
        until: Timestamp,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>> {
        let seqs: Vec<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT seq FROM events WHERE tenant_id = $1 AND seq > $2 \
               AND created_at >= $3 AND created_at < $4 ORDER BY seq LIMIT $5"
        )
        .bind(self.tenant.as_uuid())
        .bind(after_seq)
        .bind(since.as_millis())
        .bind(until.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        let (Some(first), Some(last)) = (seqs.first(), seqs.last()) else {
            return Ok(Vec::new());
        };
        // One read of the stretch of the log they span, keeping only them.
        let wanted: std::collections::HashSet<i64> = seqs.iter().copied().collect();
        let span = last - first + 1;
        let events = self.events_after(first - 1, span).await?;
        Ok(events
            .into_iter()
            .filter(|e| wanted.contains(&e.seq))
            .collect())
    }
}

impl TenantTx {
    /// How many outbound messages are in `status` and (with `since`) were
    /// last changed since then: figures for the tenant's health page.
    pub async fn count_outbound_in_status(
        &mut self,
        status: &str,
        since: Option<Timestamp>,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND direction = 'out' \
               AND status = $2 AND ($3 IS NULL OR updated_at >= $3)"
        )
        .bind(self.tenant.as_uuid())
        .bind(status)
        .bind(since.map(Timestamp::as_millis))
        .fetch_one(c)
        .await)
    }
}
