//! What each step of a subscriber did (`drip_sends`), subscribers as the
//! execution log lists them, and when a contact last wrote.

use super::subscribers::SubscriberRow;
use super::{DripSubscriber, SubscriberStatus};
use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use domain::{ContactId, DripId, DripSubscriberId, MessageId, Timestamp};
use uuid::Uuid;

/// What one step of a subscriber did.
#[derive(Debug, Clone, PartialEq)]
pub struct DripSend {
    pub subscriber_id: DripSubscriberId,
    pub step: i64,
    pub drip_id: DripId,
    /// `sent`, `skipped` or `failed`.
    pub outcome: String,
    /// `text`, `template`, or empty when nothing went.
    pub kind: String,
    pub message_id: Option<MessageId>,
    pub detail: Option<String>,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct SendRow {
    subscriber_id: Uuid,
    step: i64,
    drip_id: Uuid,
    outcome: String,
    kind: String,
    message_id: Option<Uuid>,
    detail: Option<String>,
    created_at: i64,
}

impl From<SendRow> for DripSend {
    fn from(r: SendRow) -> Self {
        DripSend {
            subscriber_id: DripSubscriberId::from_uuid(r.subscriber_id),
            step: r.step,
            drip_id: DripId::from_uuid(r.drip_id),
            outcome: r.outcome,
            kind: r.kind,
            message_id: r.message_id.map(MessageId::from_uuid),
            detail: r.detail,
            created_at: Timestamp::from_millis(r.created_at),
        }
    }
}

impl TenantTx {
    /// Adds `s` to its subscriber's history (a step done twice is a
    /// `Conflict`: the transaction that tried it must not commit).
    pub async fn insert_drip_send(&mut self, s: &DripSend) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO drip_sends (tenant_id, subscriber_id, step, drip_id, outcome, kind, \
                 message_id, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.subscriber_id.as_uuid())
        .bind(s.step)
        .bind(s.drip_id.as_uuid())
        .bind(&s.outcome)
        .bind(&s.kind)
        .bind(s.message_id.map(|m| m.as_uuid()))
        .bind(s.detail.as_deref())
        .bind(s.created_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Subscriber `id`'s history, step by step.
    pub async fn drip_sends(&mut self, id: DripSubscriberId) -> StoreResult<Vec<DripSend>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, SendRow>(
            "SELECT subscriber_id, step, drip_id, outcome, kind, message_id, detail, created_at \
             FROM drip_sends WHERE tenant_id = $1 AND subscriber_id = $2 ORDER BY step"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await
        })?;
        Ok(rows.into_iter().map(DripSend::from).collect())
    }
}

/// A subscriber as the execution log lists it: with its drip's name and
/// how many of its steps were sent.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedSubscriber {
    pub subscriber: DripSubscriber,
    pub drip_name: String,
    pub sent: i64,
}

impl TenantTx {
    /// Subscribers of every drip (in `status`, enrolled in `[since,
    /// until)`), newest first: the execution log's entries for drips.
    pub async fn list_drip_subscribers_log(
        &mut self,
        status: Option<SubscriberStatus>,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        page: PageRequest,
    ) -> StoreResult<Page<LoggedSubscriber>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            s: SubscriberRow,
            drip_name: String,
            sent: i64,
        }
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT s.id, s.drip_id, s.contact_id, s.status, s.exit_reason, s.exit_detail, s.step, \
                    s.next_at, s.via, s.enrolled_at, s.updated_at, s.finished_at, \
                    d.name AS drip_name, \
                    (SELECT COUNT(*) FROM drip_sends x WHERE x.tenant_id = s.tenant_id \
                       AND x.subscriber_id = s.id AND x.outcome = 'sent') AS sent \
             FROM drip_subscribers s JOIN drips d ON d.tenant_id = s.tenant_id AND d.id = s.drip_id \
             WHERE s.tenant_id = $1 AND ($2 IS NULL OR s.status = $2) \
               AND ($3 IS NULL OR s.enrolled_at >= $3) AND ($4 IS NULL OR s.enrolled_at < $4) \
               AND ($5 IS NULL OR s.id < $5) \
             ORDER BY s.id DESC LIMIT $6"
        )
        .bind(self.tenant.as_uuid())
        .bind(status.map(SubscriberStatus::as_str))
        .bind(since.map(Timestamp::as_millis))
        .bind(until.map(Timestamp::as_millis))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await
        })?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(LoggedSubscriber {
                    subscriber: r.s.try_into()?,
                    drip_name: r.drip_name,
                    sent: r.sent,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(items, |l| l.subscriber.id.as_uuid()))
    }
}

impl TenantTx {
    /// When the newest message from `contact` (in any of its
    /// conversations) was stored, by this server's clock.
    pub async fn last_inbound_stored_at(
        &mut self,
        contact: ContactId,
    ) -> StoreResult<Option<Timestamp>> {
        let at: Option<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT MAX(m.created_at) FROM messages m \
             JOIN conversations v ON v.tenant_id = m.tenant_id AND v.id = m.conversation_id \
             WHERE m.tenant_id = $1 AND v.contact_id = $2 AND m.direction = 'in'"
        )
        .bind(self.tenant.as_uuid())
        .bind(contact.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok(at.map(Timestamp::from_millis))
    }
}
