//! What is said to Genesys (`genesys_outbox`): a customer's message, a
//! receipt for an agent's message, a typing event. Rows of one hand-over
//! go in the order they were queued, one at a time: the head is claimed
//! for a while, sent, and settled; a message still waiting for its media
//! holds the rows behind it. Each row is queued at most once (`dedupe`).

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{HandoverId, MessageId, Timestamp};
use uuid::Uuid;

/// What a row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    Message,
    Receipt,
    Typing,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Message => "message",
            OutboxKind::Receipt => "receipt",
            OutboxKind::Typing => "typing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "message" => Some(OutboxKind::Message),
            "receipt" => Some(OutboxKind::Receipt),
            "typing" => Some(OutboxKind::Typing),
            _ => None,
        }
    }
}

/// A row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: Uuid,
    pub handover_id: HandoverId,
    pub kind: OutboxKind,
    pub dedupe: String,
    pub message_id: Option<MessageId>,
    /// A receipt's or event's body (JSON).
    pub body: Option<String>,
    /// `waiting`, `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub claimed_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub genesys_message_id: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    handover_id: Uuid,
    kind: String,
    dedupe: String,
    message_id: Option<Uuid>,
    body: Option<String>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    claimed_until: Option<i64>,
    last_error: Option<String>,
    genesys_message_id: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl From<Row> for OutboxItem {
    fn from(r: Row) -> Self {
        OutboxItem {
            id: r.id,
            handover_id: HandoverId::from_uuid(r.handover_id),
            kind: OutboxKind::parse(&r.kind).unwrap_or(OutboxKind::Typing),
            dedupe: r.dedupe,
            message_id: r.message_id.map(MessageId::from_uuid),
            body: r.body,
            state: r.state,
            attempts: r.attempts,
            next_attempt_at: Timestamp::from_millis(r.next_attempt_at),
            claimed_until: r.claimed_until.map(Timestamp::from_millis),
            last_error: r.last_error,
            genesys_message_id: r.genesys_message_id,
            created_at: Timestamp::from_millis(r.created_at),
            sent_at: r.sent_at.map(Timestamp::from_millis),
        }
    }
}

const COLUMNS: &str = "id, handover_id, kind, dedupe, message_id, body, state, attempts, \
     next_attempt_at, claimed_until, last_error, genesys_message_id, created_at, sent_at";

/// A row to queue.
#[derive(Debug, Clone)]
pub struct NewOutboxItem<'a> {
    pub handover_id: HandoverId,
    pub kind: OutboxKind,
    pub dedupe: &'a str,
    pub message_id: Option<MessageId>,
    pub body: Option<&'a str>,
    /// Waits for its message's media before it can go.
    pub waiting: bool,
    pub now: Timestamp,
}

/// What the head of a hand-over's queue allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    /// Nothing left to send.
    Empty,
    /// The head is a customer's message waiting for its media.
    Waiting { message_id: Option<MessageId> },
    /// The head waits (for its media, its next attempt, or another
    /// worker's claim); `until` when it is a time.
    Blocked { until: Option<Timestamp> },
    /// Claimed for this caller.
    Claimed(Box<OutboxItem>),
}

impl TenantTx {
    /// Queues `item` unless a row with its `dedupe` exists; whether it did.
    pub async fn queue_genesys_outbox(&mut self, item: &NewOutboxItem<'_>) -> StoreResult<bool> {
        let state = if item.waiting { "waiting" } else { "pending" };
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO genesys_outbox (tenant_id, id, handover_id, kind, dedupe, message_id, \
                 body, state, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9) \
             ON CONFLICT (tenant_id, dedupe) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(item.handover_id.as_uuid())
        .bind(item.kind.as_str())
        .bind(item.dedupe)
        .bind(item.message_id.map(|m| m.as_uuid()))
        .bind(item.body)
        .bind(state)
        .bind(item.now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Lets the message rows of `message` that wait for its media go; the
    /// hand-overs they belong to.
    pub async fn release_genesys_outbox(
        &mut self,
        message: MessageId,
    ) -> StoreResult<Vec<HandoverId>> {
        let rows: Vec<(Uuid,)> = run!(&mut self.tx, |c| sqlx::query_as(
            "UPDATE genesys_outbox SET state = 'pending' \
             WHERE tenant_id = $1 AND message_id = $2 AND state = 'waiting' RETURNING handover_id"
        )
        .bind(self.tenant.as_uuid())
        .bind(message.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(h,)| HandoverId::from_uuid(h))
            .collect())
    }

    /// Claims the head of `handover`'s queue until `hold_until`, if it may
    /// go at `now`.
    pub async fn claim_genesys_outbox(
        &mut self,
        handover: HandoverId,
        now: Timestamp,
        hold_until: Timestamp,
    ) -> StoreResult<Head> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_outbox \
             WHERE tenant_id = $1 AND handover_id = $2 AND state IN ('waiting', 'pending') \
             ORDER BY created_at, id LIMIT 1"
        );
        let head = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(handover.as_uuid())
        .fetch_optional(c)
        .await)?;
        let Some(head) = head.map(OutboxItem::from) else {
            return Ok(Head::Empty);
        };
        if head.state == "waiting" {
            return Ok(Head::Waiting {
                message_id: head.message_id,
            });
        }
        let free_at = head
            .claimed_until
            .map_or(head.next_attempt_at, |c| c.max(head.next_attempt_at));
        if free_at > now {
            return Ok(Head::Blocked {
                until: Some(free_at),
            });
        }
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_outbox SET claimed_until = $3 \
             WHERE tenant_id = $1 AND id = $2 AND state = 'pending' \
               AND (claimed_until IS NULL OR claimed_until <= $4)"
        )
        .bind(self.tenant.as_uuid())
        .bind(head.id)
        .bind(hold_until.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if n == 0 {
            return Ok(Head::Blocked { until: None });
        }
        Ok(Head::Claimed(Box::new(head)))
    }

    /// Row `id` reached Genesys (as Genesys' message `genesys_id`, for a
    /// message).
    pub async fn settle_genesys_outbox_sent(
        &mut self,
        id: Uuid,
        genesys_id: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_outbox SET state = 'sent', sent_at = $3, genesys_message_id = $4, \
                 attempts = attempts + 1, claimed_until = NULL, last_error = NULL \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id)
        .bind(now.as_millis())
        .bind(genesys_id)
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Row `id` is tried again at `at` (`failed`: never, Genesys refused
    /// it for good).
    pub async fn settle_genesys_outbox_later(
        &mut self,
        id: Uuid,
        error: &str,
        at: Option<Timestamp>,
    ) -> StoreResult<()> {
        let (state, at) = match at {
            Some(at) => ("pending", at.as_millis()),
            None => ("failed", 0),
        };
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_outbox SET state = $3, \
                 next_attempt_at = CASE WHEN $3 = 'failed' THEN next_attempt_at ELSE $4 END, \
                 attempts = attempts + 1, claimed_until = NULL, last_error = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id)
        .bind(state)
        .bind(at)
        .bind(error)
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Every row of `handover`, in order.
    pub async fn list_genesys_outbox(
        &mut self,
        handover: HandoverId,
    ) -> StoreResult<Vec<OutboxItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_outbox WHERE tenant_id = $1 AND handover_id = $2 \
             ORDER BY created_at, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(handover.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The customer's message Genesys knows as `genesys_id`, if we sent it.
    pub async fn find_genesys_outbox_by_genesys_id(
        &mut self,
        genesys_id: &str,
    ) -> StoreResult<Option<OutboxItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_outbox WHERE tenant_id = $1 \
               AND kind = 'message' AND genesys_message_id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(genesys_id)
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// Customers' messages sent to Genesys and agents' replies since
    /// `since`: the bridge's traffic, for its per-minute limit.
    pub async fn genesys_traffic_since(&mut self, since: Timestamp) -> StoreResult<i64> {
        let (n,): (i64,) = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM genesys_outbox WHERE tenant_id = $1 \
                       AND kind = 'message' AND sent_at >= $2) \
                  + (SELECT COUNT(*) FROM genesys_replies WHERE tenant_id = $1 \
                       AND created_at >= $2)"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)?;
        Ok(n)
    }
}
