//! Each tenant's event log, in commit order, and the durable cursors its
//! consumers read it through.
//!
//! A transaction records events into a buffer ([`TenantTx::record_event`]);
//! they are written when it commits. Only then does it take the tenant's
//! next sequence numbers from `event_counters`, which locks the tenant's
//! counter row until COMMIT. On PostgreSQL that row lock makes a tenant's
//! event-writing commits happen one after the other in sequence order, so a
//! reader that sees event N can already see every event below N: a
//! consumer that keeps the last number it processed never skips an event
//! committed late (as it could with ids taken before commit). Buffering
//! keeps the lock for the few statements at the end of the transaction, not
//! for its whole life. A transaction that rolls back takes its numbers back
//! with it, so the log has no gaps. On SQLite writers take turns anyway.

mod cursors;
mod timeline;

pub use cursors::{CursorStart, Table};

use crate::db::{SystemTx, TenantTx, Tx, exec, run, values_rows};
use crate::error::{StoreError, StoreResult};
use domain::{EventId, TenantId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// An event to record: a stable dotted name (`message.received`), the
/// version of its payload's shape, what it is about, and the payload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub name: &'static str,
    pub version: i64,
    pub subject_id: Option<Uuid>,
    pub payload: Value,
    /// The contact and the conversation the payload names (its
    /// `contact_id` and `conversation_id`): a contact's timeline is found
    /// through them.
    pub contact_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
}

impl NewEvent {
    /// Version 1 of `name`, about nothing in particular.
    pub fn new(name: &'static str, payload: Value) -> Self {
        let named = |key: &str| {
            payload
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
        };
        NewEvent {
            name,
            version: 1,
            subject_id: None,
            contact_id: named("contact_id"),
            conversation_id: named("conversation_id"),
            payload,
        }
    }
    pub fn subject(mut self, id: Uuid) -> Self {
        self.subject_id = Some(id);
        self
    }
    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }
}

/// An event recorded in a transaction that has not committed yet. Its id
/// is known at once (callers may reference it); its number only at commit.
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    id: EventId,
    event: NewEvent,
    created_at: Timestamp,
}

/// One entry of a tenant's event log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The tenant's sequence number: 1, 2, 3… in commit order, no gaps.
    pub seq: i64,
    pub id: EventId,
    pub name: String,
    pub version: i64,
    pub subject_id: Option<Uuid>,
    pub payload: Value,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    id: Uuid,
    name: String,
    version: i64,
    subject_id: Option<Uuid>,
    payload: String,
    created_at: i64,
}

impl TryFrom<Row> for StoredEvent {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(StoredEvent {
            seq: r.seq,
            id: EventId::from_uuid(r.id),
            name: r.name,
            version: r.version,
            subject_id: r.subject_id,
            payload: serde_json::from_str(&r.payload).map_err(StoreError::corrupt)?,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

/// Rows per `INSERT` when writing a buffer (10 parameters each; see
/// [`crate::placeholders::PARAMS_PER_STATEMENT`]).
const ROWS_PER_INSERT: usize = crate::placeholders::rows_per_statement(10);

/// Writes `tenant`'s buffered events: takes their numbers with one upsert of
/// the tenant's counter (which holds the row lock until the transaction
/// ends), then inserts them.
pub(crate) async fn write_pending(
    tx: &mut Tx,
    tenant: TenantId,
    events: &[PendingEvent],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(events.len()).map_err(StoreError::corrupt)?;
    if let Tx::Sqlite(_) = tx {
        // One writer at a time: nothing can take numbers between reading
        // the counter and inserting, so one statement does both (numbers
        // follow the counter; the `events_counted` trigger moves it). The
        // writer's time is the webhook processing's bottleneck, and each
        // statement costs it two thread hops in sqlx's SQLite driver.
        for (offset, chunk) in (0i64..)
            .step_by(ROWS_PER_INSERT)
            .zip(events.chunks(ROWS_PER_INSERT))
        {
            let sql = format!(
                "INSERT INTO events (tenant_id, seq, id, name, version, subject_id, payload, created_at, \
                                     contact_id, conversation_id) \
                 SELECT v.column1, b.base + v.column2, v.column3, v.column4, v.column5, v.column6, \
                        v.column7, v.column8, v.column9, v.column10 \
                 FROM (VALUES {}) AS v, \
                      (SELECT COALESCE((SELECT last_seq FROM event_counters WHERE tenant_id = $1), 0) \
                       AS base) AS b",
                values_rows(chunk.len(), 10, |p| format!("({})", p.join(", ")))
            );
            insert_rows(tx, &sql, tenant, offset + 1, chunk).await?;
        }
        return Ok(());
    }
    let last: i64 = run!(&mut *tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO event_counters (tenant_id, last_seq) VALUES ($1, $2) \
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_counters.last_seq + excluded.last_seq \
         RETURNING last_seq"
    )
    .bind(tenant.as_uuid())
    .bind(n)
    .fetch_one(c)
    .await
    })?;
    let mut seq = last - n + 1;
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO events (tenant_id, seq, id, name, version, subject_id, payload, created_at, \
                                 contact_id, conversation_id) \
             VALUES {}",
            values_rows(chunk.len(), 10, |p| format!("({})", p.join(", ")))
        );
        insert_rows(tx, &sql, tenant, seq, chunk).await?;
        seq += chunk.len() as i64;
    }
    Ok(())
}

/// Runs `sql`, an insert of `chunk`'s rows numbered from `first`, with
/// each row's ten parameters bound in `events`' column order.
async fn insert_rows(
    tx: &mut Tx,
    sql: &str,
    tenant: TenantId,
    first: i64,
    chunk: &[PendingEvent],
) -> StoreResult<()> {
    let payloads: Vec<String> = chunk.iter().map(|e| e.event.payload.to_string()).collect();
    exec!(&mut *tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for (i, (e, payload)) in chunk.iter().zip(&payloads).enumerate() {
            q = q
                .bind(tenant.as_uuid())
                .bind(first + i as i64)
                .bind(e.id.as_uuid())
                .bind(e.event.name)
                .bind(e.event.version)
                .bind(e.event.subject_id)
                .bind(payload.as_str())
                .bind(e.created_at.as_millis())
                .bind(e.event.contact_id)
                .bind(e.event.conversation_id);
        }
        q.execute(c).await
    })?;
    Ok(())
}

/// Writes a system transaction's buffered events, tenant by tenant in
/// ascending tenant id order: two transactions that both record events for
/// tenants A and B lock their counters in the same order, so they never
/// deadlock.
pub(crate) async fn write_pending_by_tenant(
    tx: &mut Tx,
    mut events: Vec<(TenantId, PendingEvent)>,
) -> StoreResult<()> {
    // Stable: each tenant's events keep the order they were recorded in.
    events.sort_by_key(|(t, _)| t.as_uuid());
    let mut rest = events.as_slice();
    while let Some((tenant, _)) = rest.first() {
        let tenant = *tenant;
        let n = rest.iter().take_while(|(t, _)| *t == tenant).count();
        let (mine, later) = rest.split_at(n);
        let mine: Vec<PendingEvent> = mine.iter().map(|(_, e)| e.clone()).collect();
        write_pending(tx, tenant, &mine).await?;
        rest = later;
    }
    Ok(())
}

impl TenantTx {
    /// Records `event` to be written when this transaction commits (and
    /// forgotten if it does not). Returns the event's id. Until the commit
    /// the event is not in the log, not even for this transaction's reads.
    pub fn record_event(&mut self, event: NewEvent, now: Timestamp) -> EventId {
        let id = EventId::new();
        self.events.push(PendingEvent {
            id,
            event,
            created_at: now,
        });
        id
    }

    /// The ids of the events recorded in this transaction so far (not yet
    /// written), in the order they were recorded.
    pub fn pending_event_ids(&self) -> Vec<EventId> {
        self.events.iter().map(|e| e.id).collect()
    }

    /// Up to `limit` committed events numbered after `after_seq`, in order.
    pub async fn events_after(
        &mut self,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT seq, id, name, version, subject_id, payload, created_at FROM events \
             WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(after_seq)
        .bind(limit)
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(StoredEvent::try_from).collect()
    }

    /// The number of the tenant's newest committed event; 0 when it has none.
    pub async fn latest_event_seq(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// The number of event `id`, if the tenant has it: to resume a client
    /// that last saw an event by id (an SSE `Last-Event-ID`).
    pub async fn find_event_seq(&mut self, id: EventId) -> StoreResult<Option<i64>> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT seq FROM events WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)
    }
}

impl SystemTx {
    /// Records `event` for `tenant`, written when this transaction commits
    /// (see [`TenantTx::record_event`]).
    pub fn record_event(&mut self, tenant: TenantId, event: NewEvent, now: Timestamp) -> EventId {
        let id = EventId::new();
        self.events.push((
            tenant,
            PendingEvent {
                id,
                event,
                created_at: now,
            },
        ));
        id
    }
}
