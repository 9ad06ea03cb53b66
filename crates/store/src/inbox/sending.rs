//! The reads and claims of a batch of sends: many queued messages looked
//! up, and claimed for one attempt each, in a few statements.

use super::messages::{Message, Row, SELECT};
use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use crate::placeholders::{list, rows_per_statement, values};
use domain::{ChannelId, MessageId, Timestamp};
use std::collections::HashMap;
use uuid::Uuid;

/// A queued message as a send needs it.
#[derive(Debug, Clone)]
pub struct ToSend {
    pub message: Message,
    /// The customer's WhatsApp id (none: the contact has only a
    /// business-scoped id).
    pub wa_id: Option<String>,
    /// When an earlier attempt started and did not finish.
    pub attempt_started: Option<Timestamp>,
}

impl TenantTx {
    /// The messages of `ids` that exist, with their recipient and send
    /// marker, in no particular order.
    pub async fn find_messages_to_send(&mut self, ids: &[MessageId]) -> StoreResult<Vec<ToSend>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "{SELECT} WHERE tenant_id = $1 AND id IN ({})",
                list(chunk.len(), 2)
            );
            let rows = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            let sql = format!(
                "SELECT m.id, k.wa_id, m.send_attempted_at FROM messages m \
                 JOIN conversations v ON v.tenant_id = m.tenant_id AND v.id = m.conversation_id \
                 JOIN contacts k ON k.tenant_id = v.tenant_id AND k.id = v.contact_id \
                 WHERE m.tenant_id = $1 AND m.id IN ({})",
                list(chunk.len(), 2)
            );
            let extra: Vec<(Uuid, Option<String>, Option<i64>)> = run!(&mut self.tx, |c| {
                let mut q =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(self.tenant.as_uuid());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            let mut extra: HashMap<Uuid, (Option<String>, Option<i64>)> =
                extra.into_iter().map(|(id, w, a)| (id, (w, a))).collect();
            for row in rows {
                let message = Message::try_from(row)?;
                let (wa_id, attempt) = extra.remove(&message.id.as_uuid()).unwrap_or_default();
                found.push(ToSend {
                    message,
                    wa_id,
                    attempt_started: attempt.map(Timestamp::from_millis),
                });
            }
        }
        Ok(found)
    }

    /// How many messages number `channel` has queued, not yet sent.
    pub async fn count_queued_messages(&mut self, channel: ChannelId) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM messages \
             WHERE tenant_id = $1 AND channel_id = $2 AND status = 'queued'"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// Marks a send in flight at `at` for each of `ids` that is queued with
    /// no send in flight ([`TenantTx::begin_send_attempt`] for a batch);
    /// answers the ids claimed. Of two runs of one send, only one claims it.
    pub async fn begin_send_attempts(
        &mut self,
        ids: &[MessageId],
        at: Timestamp,
    ) -> StoreResult<Vec<MessageId>> {
        let mut claimed = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "UPDATE messages SET send_attempted_at = $2 \
                 WHERE tenant_id = $1 AND status = 'queued' AND send_attempted_at IS NULL \
                   AND id IN ({}) RETURNING id",
                list(chunk.len(), 3)
            );
            let ids: Vec<Uuid> = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(at.as_millis());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            claimed.extend(ids.into_iter().map(MessageId::from_uuid));
        }
        Ok(claimed)
    }

    /// Records Meta's acceptance of sends: each message's wamid (where Meta
    /// gave one) and its send marker cleared, in one statement for many
    /// (the statuses move on through [`TenantTx::record_message_statuses`]).
    pub async fn record_accepted_sends(
        &mut self,
        sends: &[(MessageId, Option<&str>)],
        now: Timestamp,
    ) -> StoreResult<()> {
        for chunk in sends.chunks(rows_per_statement(ACCEPTED_WIDTH)) {
            let sql = accepted_sends_sql(chunk.len());
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(now.as_millis());
                for (id, wamid) in chunk {
                    q = q.bind(id.as_uuid()).bind(*wamid);
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }
}

/// Parameters per message of [`accepted_sends_sql`].
const ACCEPTED_WIDTH: usize = 2;

/// The statement recording `n` accepted sends: `$1` the tenant, `$2` the
/// time, then per message its id and wamid. Driven by the list, one seek
/// per message (see `advance_messages_sql` for why the `IN` is there).
fn accepted_sends_sql(n: usize) -> String {
    format!(
        "WITH v AS (VALUES {}) \
         UPDATE messages SET wamid = COALESCE(v.column2, messages.wamid), \
             send_attempted_at = NULL, updated_at = $2 \
         FROM v \
         WHERE messages.tenant_id = $1 AND messages.id = v.column1 \
           AND messages.id IN (SELECT column1 FROM v)",
        values(n, ACCEPTED_WIDTH, 3, |p| format!("({p})"))
    )
}

#[cfg(test)]
mod tests {
    /// On SQLite the statement seeks each message by its key.
    #[tokio::test]
    async fn accepted_sends_seek_each_message_by_key() {
        let plan = super::super::plan_on_messages(&super::accepted_sends_sql(3), 2 + 3 * 2).await;
        assert_eq!(
            plan,
            ["SEARCH messages USING INDEX sqlite_autoindex_messages_1 (tenant_id=? AND id=?)"]
        );
    }
}
