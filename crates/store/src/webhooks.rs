//! Stored webhooks (raw bodies, stored before Meta gets its 200; the table
//! is `webhook_deliveries`), events no tenant may have, and a suspended
//! tenant's held events. A "delivery" elsewhere is a send to Meta
//! (`channels::deliver`); here it is only the table's old name.

use crate::db::{SystemTx, TenantTx, exec, run, values_rows};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use crate::placeholders::{list, rows_per_statement, values};
use domain::{ChannelId, TenantId, Timestamp, WebhookId};
use uuid::Uuid;

/// A webhook body exactly as received.
#[derive(Debug, Clone)]
pub struct StoredWebhook {
    pub id: WebhookId,
    /// Set when it arrived on a tenant's own webhook URL.
    pub source_tenant: Option<TenantId>,
    pub body: Vec<u8>,
    pub status: String,
    pub received_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: Uuid,
    source_tenant: Option<Uuid>,
    body: Vec<u8>,
    status: String,
    received_at: i64,
}

impl From<WebhookRow> for StoredWebhook {
    fn from(r: WebhookRow) -> Self {
        Self {
            id: WebhookId::from_uuid(r.id),
            source_tenant: r.source_tenant.map(TenantId::from_uuid),
            body: r.body,
            status: r.status,
            received_at: Timestamp::from_millis(r.received_at),
        }
    }
}

/// A webhook body to store.
#[derive(Debug, Clone, Copy)]
pub struct NewWebhook<'a> {
    pub id: WebhookId,
    /// Set when it arrived on a tenant's own webhook URL.
    pub source_tenant: Option<TenantId>,
    pub body: &'a [u8],
    pub received_at: Timestamp,
}

/// An event given to nobody, kept for the operator.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unroutable {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    pub reason: String,
    pub payload: String,
    pub created_at: i64,
}

/// An inbound event held while its tenant is suspended.
#[derive(Debug, Clone)]
pub struct HeldEvent {
    pub id: Uuid,
    pub channel_id: ChannelId,
    pub payload: String,
}

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: Uuid,
    channel_id: Uuid,
    payload: String,
}

impl SystemTx {
    /// Inserts many deliveries in one statement (the webhook intake's group
    /// commit).
    pub async fn insert_webhooks(&mut self, deliveries: &[NewWebhook<'_>]) -> StoreResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, source_tenant, body, status, received_at) VALUES {}",
            values_rows(deliveries.len(), 4, |p| format!(
                "({}, {}, {}, 'pending', {})",
                p[0], p[1], p[2], p[3]
            ))
        );
        exec!(&mut self.tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for d in deliveries {
                q = q
                    .bind(d.id.as_uuid())
                    .bind(d.source_tenant.map(|t| t.as_uuid()))
                    .bind(d.body)
                    .bind(d.received_at.as_millis());
            }
            q.execute(c).await
        })?;
        Ok(())
    }

    pub async fn find_webhook(&mut self, id: WebhookId) -> StoreResult<StoredWebhook> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, WebhookRow>(
            "SELECT id, source_tenant, body, status, received_at FROM webhook_deliveries \
             WHERE id = $1"
        )
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// The stored webhooks among `ids` (in no particular order; an id
    /// with no webhook is left out): a batch's bodies in one read.
    pub async fn find_webhooks(&mut self, ids: &[WebhookId]) -> StoreResult<Vec<StoredWebhook>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT id, source_tenant, body, status, received_at FROM webhook_deliveries \
                 WHERE id IN ({})",
                list(chunk.len(), 1)
            );
            let rows = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as::<_, WebhookRow>(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            found.extend(rows.into_iter().map(StoredWebhook::from));
        }
        Ok(found)
    }

    /// Marks every webhook of `ids` processed (a batch's, in one statement).
    pub async fn mark_webhooks_processed(
        &mut self,
        ids: &[WebhookId],
        now: Timestamp,
    ) -> StoreResult<()> {
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "UPDATE webhook_deliveries SET status = 'processed', processed_at = $1 \
                 WHERE id IN ({})",
                list(chunk.len(), 2)
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(now.as_millis());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    pub async fn count_webhooks(&mut self, status: &str) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = $1"
        )
        .bind(status)
        .fetch_one(c)
        .await)
    }

    /// Keeps events nobody owns, in one statement per thousand; a second
    /// insert of one id (the webhook processed again) is a no-op.
    pub async fn insert_unroutables(&mut self, events: &[Unroutable]) -> StoreResult<()> {
        for chunk in events.chunks(rows_per_statement(7)) {
            let sql = format!(
                "INSERT INTO unroutable_events (id, delivery_id, phone_number_id, waba_id, \
                                                reason, payload, created_at) \
                 VALUES {} ON CONFLICT (id) DO NOTHING",
                values(chunk.len(), 7, 1, |p| format!("({p})"))
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for e in chunk {
                    q = q
                        .bind(e.id)
                        .bind(e.delivery_id)
                        .bind(e.phone_number_id.as_deref())
                        .bind(e.waba_id.as_deref())
                        .bind(&e.reason)
                        .bind(&e.payload)
                        .bind(e.created_at);
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// Unroutable events, newest first.
    pub async fn list_unroutable(&mut self, page: PageRequest) -> StoreResult<Page<Unroutable>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Unroutable>(
            "SELECT id, delivery_id, phone_number_id, waba_id, reason, payload, created_at \
             FROM unroutable_events WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
        )
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(rows, |u| u.id))
    }
}

impl TenantTx {
    /// Holds an event under `id`; an event already held under it is kept
    /// as it is (processing a webhook again holds nothing twice).
    pub async fn insert_held_event(
        &mut self,
        id: Uuid,
        channel: ChannelId,
        payload: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO held_events (tenant_id, id, channel_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id)
        .bind(channel.as_uuid())
        .bind(payload)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// The oldest held events, in arrival order.
    pub async fn list_held_events(&mut self, limit: i64) -> StoreResult<Vec<HeldEvent>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, HeldRow>(
            "SELECT id, channel_id, payload FROM held_events WHERE tenant_id = $1 \
             ORDER BY id LIMIT $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| HeldEvent {
                id: r.id,
                channel_id: ChannelId::from_uuid(r.channel_id),
                payload: r.payload,
            })
            .collect())
    }

    pub async fn delete_held_event(&mut self, id: Uuid) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM held_events WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id)
        .execute(c)
        .await)?;
        Ok(())
    }
}

impl SystemTx {
    /// Tenants on plan `plan_code` with held events (to release them when
    /// the plan's limits change), suspended tenants left out.
    pub async fn find_tenants_holding_events(
        &mut self,
        plan_code: &str,
    ) -> StoreResult<Vec<TenantId>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_scalar::<_, Uuid>(
            "SELECT DISTINCT t.id FROM tenants t JOIN held_events h ON h.tenant_id = t.id \
             WHERE t.plan_code = $1 AND t.status <> 'suspended' ORDER BY t.id"
        )
        .bind(plan_code)
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(TenantId::from_uuid).collect())
    }
}
