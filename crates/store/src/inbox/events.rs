use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{EventId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// One entry of a tenant's event log (`message.received`,
/// `message.status`, `conversation.updated`, …).
#[derive(Debug, Clone)]
pub struct Event {
    pub id: EventId,
    pub kind: String,
    pub subject_id: Option<Uuid>,
    pub payload: Value,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    subject_id: Option<Uuid>,
    payload: String,
    created_at: i64,
}

impl TenantTx {
    pub async fn insert_event(
        &mut self,
        kind: &str,
        subject: Option<Uuid>,
        payload: &Value,
        now: Timestamp,
    ) -> StoreResult<EventId> {
        let id = EventId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO events (tenant_id, id, kind, subject_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(kind)
        .bind(subject)
        .bind(payload.to_string())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(id)
    }

    /// Events after `after` (exclusive), oldest first: the live stream
    /// resumes from the last id it sent.
    pub async fn list_events_after(
        &mut self,
        after: Option<EventId>,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT id, kind, subject_id, payload, created_at FROM events \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(after.map(|e| e.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Event {
                    id: EventId::from_uuid(r.id),
                    kind: r.kind,
                    subject_id: r.subject_id,
                    payload: serde_json::from_str(&r.payload).map_err(StoreError::corrupt)?,
                    created_at: Timestamp::from_millis(r.created_at),
                })
            })
            .collect()
    }
}

impl TenantTx {
    /// The newest event's id: where a stream that starts "from now" begins.
    pub async fn latest_event_id(&mut self) -> StoreResult<Option<EventId>> {
        let id: Option<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT id FROM events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(id.map(EventId::from_uuid))
    }
}
