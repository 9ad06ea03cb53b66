//! Deliveries: one event on its way to one endpoint, with the exact body
//! sent, its status and its retry schedule.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{DeliveryId, EndpointId, EventId, Timestamp};
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (or for its endpoint to be enabled).
    Pending,
    /// An attempt got a 2xx answer.
    Delivered,
    /// Ran out of time; kept in the log, can be replayed.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "dead" => Some(DeliveryStatus::Dead),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HookDelivery {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub event_id: EventId,
    pub event_name: String,
    /// `None` for test events.
    pub event_seq: Option<i64>,
    /// The exact JSON body sent.
    pub body: String,
    pub status: DeliveryStatus,
    /// Attempts in the current series.
    pub attempts: i64,
    pub series_started_at: Timestamp,
    pub next_attempt_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_name: String,
    event_seq: Option<i64>,
    body: String,
    status: String,
    attempts: i64,
    series_started_at: i64,
    next_attempt_at: Option<i64>,
    last_status: Option<i64>,
    last_error: Option<String>,
    delivered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const COLUMNS: &str = "d.id, d.endpoint_id, d.event_id, d.event_name, d.event_seq, \
    d.body, d.status, d.attempts, d.series_started_at, d.next_attempt_at, d.last_status, \
    d.last_error, d.delivered_at, d.created_at, d.updated_at";

impl TryFrom<Row> for HookDelivery {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(HookDelivery {
            id: DeliveryId::from_uuid(r.id),
            endpoint_id: EndpointId::from_uuid(r.endpoint_id),
            event_id: EventId::from_uuid(r.event_id),
            event_name: r.event_name,
            event_seq: r.event_seq,
            body: r.body,
            status: DeliveryStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("delivery status {}", r.status)))?,
            attempts: r.attempts,
            series_started_at: Timestamp::from_millis(r.series_started_at),
            next_attempt_at: r.next_attempt_at.map(Timestamp::from_millis),
            last_status: r.last_status,
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

/// A delivery to create (pending, due at once).
#[derive(Debug, Clone)]
pub struct NewHookDelivery<'a> {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub event_id: EventId,
    pub event_name: &'a str,
    pub event_seq: Option<i64>,
    pub body: &'a str,
    pub now: Timestamp,
}

/// Which deliveries a log shows.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub endpoint_id: Option<EndpointId>,
    pub status: Option<DeliveryStatus>,
    pub event_name: Option<String>,
    /// Created at or after.
    pub since: Option<Timestamp>,
    /// Created before.
    pub until: Option<Timestamp>,
}

/// What an attempt concluded, written to its delivery.
#[derive(Debug, Clone)]
pub struct DeliverySettlement<'a> {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<&'a str>,
    pub now: Timestamp,
}

impl TenantTx {
    /// Creates `d` unless its endpoint already has a delivery of its event;
    /// whether it did.
    pub async fn insert_hook_delivery(&mut self, d: &NewHookDelivery<'_>) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO hook_deliveries (tenant_id, id, endpoint_id, event_id, event_name, \
               event_seq, body, status, attempts, series_started_at, next_attempt_at, \
               created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8, $8) \
             ON CONFLICT (tenant_id, endpoint_id, event_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(d.id.as_uuid())
        .bind(d.endpoint_id.as_uuid())
        .bind(d.event_id.as_uuid())
        .bind(d.event_name)
        .bind(d.event_seq)
        .bind(d.body)
        .bind(d.now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    pub async fn find_hook_delivery(&mut self, id: DeliveryId) -> StoreResult<HookDelivery> {
        let sql =
            format!("SELECT {COLUMNS} FROM hook_deliveries d WHERE d.tenant_id = $1 AND d.id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// The delivery of `event` to `endpoint`, if there is one.
    pub async fn find_hook_delivery_of(
        &mut self,
        endpoint: EndpointId,
        event: EventId,
    ) -> StoreResult<Option<HookDelivery>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM hook_deliveries d \
             WHERE d.tenant_id = $1 AND d.endpoint_id = $2 AND d.event_id = $3"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(endpoint.as_uuid())
        .bind(event.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(HookDelivery::try_from).transpose()
    }

    /// Deliveries matching `q`, newest first, each with its endpoint's URL.
    pub async fn list_hook_deliveries(
        &mut self,
        q: &DeliveryQuery,
        page: PageRequest,
    ) -> StoreResult<Page<(HookDelivery, String)>> {
        #[derive(sqlx::FromRow)]
        struct WithUrl {
            #[sqlx(flatten)]
            row: Row,
            url: String,
        }
        let sql = format!(
            "SELECT {COLUMNS}, e.url FROM hook_deliveries d \
             JOIN hook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id \
             WHERE d.tenant_id = $1 AND ($2 IS NULL OR d.id < $2) \
               AND ($3 IS NULL OR d.endpoint_id = $3) AND ($4 IS NULL OR d.status = $4) \
               AND ($5 IS NULL OR d.event_name = $5) AND ($6 IS NULL OR d.created_at >= $6) \
               AND ($7 IS NULL OR d.created_at < $7) \
             ORDER BY d.id DESC LIMIT $8"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, WithUrl>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(q.endpoint_id.map(|e| e.as_uuid()))
        .bind(q.status.map(DeliveryStatus::as_str))
        .bind(q.event_name.as_deref())
        .bind(q.since.map(Timestamp::as_millis))
        .bind(q.until.map(Timestamp::as_millis))
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows
            .into_iter()
            .map(|r| Ok((HookDelivery::try_from(r.row)?, r.url)))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(items, |(d, _)| d.id.as_uuid()))
    }

    /// Takes delivery `id` for an attempt of the series that started at
    /// `series`: only if it is pending, of that series, and due at `now`.
    /// Its next attempt moves to `hold_until`, so no other job sends it
    /// meanwhile; the attempt's outcome replaces that ([`Self::settle_hook_delivery`]).
    pub async fn claim_hook_delivery(
        &mut self,
        id: DeliveryId,
        series: Timestamp,
        now: Timestamp,
        hold_until: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE hook_deliveries SET next_attempt_at = $5, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending' \
               AND series_started_at = $3 AND COALESCE(next_attempt_at, 0) <= $4"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(series.as_millis())
        .bind(now.as_millis())
        .bind(hold_until.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Records an attempt's outcome on its delivery (one more attempt).
    pub async fn settle_hook_delivery(
        &mut self,
        id: DeliveryId,
        s: &DeliverySettlement<'_>,
    ) -> StoreResult<()> {
        let delivered_at = (s.status == DeliveryStatus::Delivered).then_some(s.now.as_millis());
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE hook_deliveries SET status = $3, attempts = attempts + 1, \
               next_attempt_at = $4, last_status = $5, last_error = $6, \
               delivered_at = COALESCE($7, delivered_at), updated_at = $8 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(s.status.as_str())
        .bind(s.next_attempt_at.map(Timestamp::as_millis))
        .bind(s.last_status)
        .bind(s.last_error)
        .bind(delivered_at)
        .bind(s.now.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Starts a new series of attempts for delivery `id`, due at once
    /// (pending again, attempts from 0, the retry window from `series`).
    pub async fn restart_hook_delivery(
        &mut self,
        id: DeliveryId,
        series: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE hook_deliveries SET status = 'pending', attempts = 0, \
               series_started_at = $3, next_attempt_at = NULL, updated_at = $3 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(series.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Dead-letters `endpoint`'s pending deliveries whose series began at
    /// or before `window_opened_by` (their retry window has closed by now);
    /// answers how many.
    pub async fn expire_hook_deliveries(
        &mut self,
        endpoint: EndpointId,
        window_opened_by: Timestamp,
        now: Timestamp,
    ) -> StoreResult<u64> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE hook_deliveries SET status = 'dead', next_attempt_at = NULL, updated_at = $4 \
             WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'pending' \
               AND series_started_at <= $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(endpoint.as_uuid())
        .bind(window_opened_by.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await)
    }

    /// The ids of `endpoint`'s deliveries in `status`, oldest first.
    pub async fn hook_delivery_ids(
        &mut self,
        endpoint: EndpointId,
        status: DeliveryStatus,
    ) -> StoreResult<Vec<DeliveryId>> {
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT id FROM hook_deliveries \
             WHERE tenant_id = $1 AND endpoint_id = $2 AND status = $3 ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .bind(endpoint.as_uuid())
        .bind(status.as_str())
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(DeliveryId::from_uuid).collect())
    }

    /// How many deliveries are in `status`, and (with `since`) were last
    /// changed since then.
    pub async fn count_hook_deliveries(
        &mut self,
        status: DeliveryStatus,
        since: Option<Timestamp>,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM hook_deliveries \
             WHERE tenant_id = $1 AND status = $2 AND ($3 IS NULL OR updated_at >= $3)"
        )
        .bind(self.tenant.as_uuid())
        .bind(status.as_str())
        .bind(since.map(Timestamp::as_millis))
        .fetch_one(c)
        .await)
    }
}
