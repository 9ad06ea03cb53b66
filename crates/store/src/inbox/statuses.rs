//! The status history of outbound messages, and their current status.

use crate::db::{TenantTx, Tx, exec, run};
use crate::error::{StoreError, StoreResult};
use crate::placeholders::{list, rows_per_statement, values};
use domain::messaging::MessageStatus;
use domain::{MessageId, Timestamp};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A status report from Meta about one of our messages.
#[derive(Debug, Clone)]
pub struct StatusUpdate<'a> {
    pub status: MessageStatus,
    pub occurred_at: Timestamp,
    pub error_code: Option<i64>,
    pub error_title: Option<&'a str>,
    pub error_detail: Option<&'a str>,
    pub now: Timestamp,
}

/// What a status report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusApplied {
    /// The message's current status moved forward to it.
    Advanced,
    /// Recorded in the history, but the message is already past it (a
    /// `delivered` after `read`, anything after `failed`).
    OutOfOrder,
    /// A repeat of a status the history has.
    Repeat,
}

/// What one of several status reports did (see
/// [`TenantTx::record_message_statuses`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusOutcome {
    pub applied: StatusApplied,
    /// The message's current status when the report was applied.
    pub before: MessageStatus,
}

/// One row of a message's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub status: MessageStatus,
    pub occurred_at: Timestamp,
    /// It arrived after a later status and did not change the message.
    pub out_of_order: bool,
}

/// Parameters per message of [`advance_messages_sql`].
const ADVANCE_WIDTH: usize = 7;

/// The statement that moves `n` messages to their new statuses: `$1` the
/// tenant, then per message its id, status, rank, error code, title and
/// detail, and the time. The `IN` repeats the join on purpose: without
/// it, SQLite (3.51) drives the update from the tenant's messages (an
/// index on `tenant_id` alone) and probes the list for each, a scan of
/// every message of the tenant; with it, from the list, one seek per
/// message (the test below holds this).
fn advance_messages_sql(n: usize) -> String {
    format!(
        "WITH v AS (VALUES {}) \
         UPDATE messages SET status = v.column2, status_rank = v.column3, \
             error_code = COALESCE(v.column4, messages.error_code), \
             error_title = COALESCE(v.column5, messages.error_title), \
             error_detail = COALESCE(v.column6, messages.error_detail), \
             updated_at = v.column7 \
         FROM v \
         WHERE messages.tenant_id = $1 AND messages.id = v.column1 \
           AND messages.id IN (SELECT column1 FROM v) \
           AND messages.status_rank < v.column3 AND messages.status <> 'failed'",
        values(n, ADVANCE_WIDTH, 2, |p| format!("({p})"))
    )
}

impl TenantTx {
    /// Applies a status report (see [`Self::record_message_status`]);
    /// returns whether the current status changed.
    pub async fn apply_message_status(
        &mut self,
        id: MessageId,
        s: StatusUpdate<'_>,
    ) -> StoreResult<bool> {
        Ok(self.record_message_status(id, s).await? == StatusApplied::Advanced)
    }

    /// Applies a status report. The history keeps every distinct status
    /// once, flagged when it came out of order; the message's current
    /// status only moves forward (a late `delivered` never overwrites
    /// `read`, and `failed` is final).
    pub async fn record_message_status(
        &mut self,
        id: MessageId,
        s: StatusUpdate<'_>,
    ) -> StoreResult<StatusApplied> {
        let outcomes = self.record_message_statuses(&[(id, s)]).await?;
        Ok(outcomes
            .first()
            .map_or(StatusApplied::Repeat, |o| o.applied))
    }

    /// Applies several status reports, in order, as if one after the
    /// other (see [`Self::record_message_status`]), in a few statements for
    /// all of them: the messages' current statuses are read
    /// (and on PostgreSQL locked) once, each report is decided against the
    /// status the ones before it left, then one multi-row update moves each
    /// advanced message to its last status and one multi-row insert adds
    /// the history. A report for a message that does not exist is a
    /// [`StatusApplied::Repeat`] of nothing: callers look messages up first.
    pub async fn record_message_statuses(
        &mut self,
        reports: &[(MessageId, StatusUpdate<'_>)],
    ) -> StoreResult<Vec<StatusOutcome>> {
        let ids: Vec<MessageId> = {
            let mut seen = HashSet::new();
            reports
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| seen.insert(*id))
                .collect()
        };
        let mut current = self.lock_message_statuses(&ids).await?;
        // Decided in order, against what the reports before left.
        let mut outcomes = Vec::with_capacity(reports.len());
        let mut last: HashMap<MessageId, usize> = HashMap::new();
        let mut history: Vec<usize> = Vec::new();
        let mut firsts = HashSet::new();
        for (i, (id, s)) in reports.iter().enumerate() {
            let Some(now) = current.get_mut(id) else {
                outcomes.push(None);
                continue;
            };
            let before = *now;
            let advanced = before.advances_to(s.status);
            if advanced {
                *now = s.status;
                last.insert(*id, i);
            }
            if firsts.insert((*id, s.status)) {
                history.push(i);
            }
            outcomes.push(Some((advanced, before)));
        }
        let mut advanced: Vec<usize> = last.into_values().collect();
        advanced.sort_unstable();
        self.advance_messages(reports, &advanced).await?;
        let recorded = self
            .insert_status_history(reports, &history, &outcomes)
            .await?;
        Ok(reports
            .iter()
            .zip(outcomes)
            .enumerate()
            .map(|(i, ((id, s), outcome))| {
                let Some((advanced, before)) = outcome else {
                    return StatusOutcome {
                        applied: StatusApplied::Repeat,
                        before: s.status,
                    };
                };
                let applied = if advanced {
                    StatusApplied::Advanced
                } else if history.binary_search(&i).is_ok() && recorded.contains(&(*id, s.status)) {
                    StatusApplied::OutOfOrder
                } else {
                    StatusApplied::Repeat
                };
                StatusOutcome { applied, before }
            })
            .collect())
    }

    /// The current statuses of messages `ids` (those that exist), locked
    /// until the transaction ends on PostgreSQL (SQLite's one writer
    /// already keeps them).
    async fn lock_message_statuses(
        &mut self,
        ids: &[MessageId],
    ) -> StoreResult<HashMap<MessageId, MessageStatus>> {
        let lock = match self.tx {
            Tx::Postgres(_) => " ORDER BY id FOR UPDATE",
            Tx::Sqlite(_) => "",
        };
        let mut current = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT id, status FROM messages WHERE tenant_id = $1 AND id IN ({}){lock}",
                list(chunk.len(), 2)
            );
            let rows: Vec<(Uuid, String)> = run!(&mut self.tx, |c| {
                let mut q =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(self.tenant.as_uuid());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            for (id, status) in rows {
                let status = MessageStatus::parse(&status)
                    .ok_or_else(|| StoreError::corrupt(format!("status {status}")))?;
                current.insert(MessageId::from_uuid(id), status);
            }
        }
        Ok(current)
    }

    /// Moves each message of `reports[i]` for `i` in `advanced` (one per
    /// message: its last advancing report) to that report's status, under
    /// the same rule as [`Self::record_message_status`].
    async fn advance_messages(
        &mut self,
        reports: &[(MessageId, StatusUpdate<'_>)],
        advanced: &[usize],
    ) -> StoreResult<()> {
        for chunk in advanced.chunks(rows_per_statement(ADVANCE_WIDTH)) {
            let sql = advance_messages_sql(chunk.len());
            exec!(&mut self.tx, |c| {
                let mut q =
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(self.tenant.as_uuid());
                for &i in chunk {
                    let (id, s) = &reports[i];
                    q = q
                        .bind(id.as_uuid())
                        .bind(s.status.as_str())
                        .bind(s.status.rank())
                        .bind(s.error_code)
                        .bind(s.error_title)
                        .bind(s.error_detail)
                        .bind(s.now.as_millis());
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// Adds the history rows of `reports[i]` for `i` in `history` (each
    /// message's first report of each status), flagged out of order where
    /// the report did not advance its message; returns the rows that were
    /// new.
    async fn insert_status_history(
        &mut self,
        reports: &[(MessageId, StatusUpdate<'_>)],
        history: &[usize],
        outcomes: &[Option<(bool, MessageStatus)>],
    ) -> StoreResult<HashSet<(MessageId, MessageStatus)>> {
        const WIDTH: usize = 6;
        let history: Vec<usize> = history
            .iter()
            .copied()
            .filter(|&i| outcomes[i].is_some())
            .collect();
        let mut recorded = HashSet::with_capacity(history.len());
        for chunk in history.chunks(rows_per_statement(WIDTH)) {
            let sql = format!(
                "INSERT INTO message_statuses (tenant_id, message_id, status, occurred_at, \
                                               error_code, recorded_at, out_of_order) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING message_id, status",
                values(chunk.len(), WIDTH, 2, |p| format!("($1, {p})"))
            );
            let rows: Vec<(Uuid, String)> = run!(&mut self.tx, |c| {
                let mut q =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(self.tenant.as_uuid());
                for &i in chunk {
                    let (id, s) = &reports[i];
                    let advanced = outcomes[i].is_some_and(|(advanced, _)| advanced);
                    q = q
                        .bind(id.as_uuid())
                        .bind(s.status.as_str())
                        .bind(s.occurred_at.as_millis())
                        .bind(s.error_code)
                        .bind(s.now.as_millis())
                        .bind(i64::from(!advanced));
                }
                q.fetch_all(c).await
            })?;
            for (id, status) in rows {
                if let Some(status) = MessageStatus::parse(&status) {
                    recorded.insert((MessageId::from_uuid(id), status));
                }
            }
        }
        Ok(recorded)
    }

    /// The statuses a message went through, in the order they happened.
    pub async fn list_message_statuses(&mut self, id: MessageId) -> StoreResult<Vec<StatusEntry>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT status, occurred_at, out_of_order FROM message_statuses \
             WHERE tenant_id = $1 AND message_id = $2 ORDER BY occurred_at, recorded_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(s, t, late)| {
                MessageStatus::parse(&s)
                    .map(|status| StatusEntry {
                        status,
                        occurred_at: Timestamp::from_millis(t),
                        out_of_order: late != 0,
                    })
                    .ok_or_else(|| StoreError::corrupt(format!("status {s}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// On SQLite the bulk update seeks each message by its key, whatever
    /// the tenant's other messages: it never scans them.
    #[tokio::test]
    async fn the_bulk_update_seeks_each_message_by_key() {
        let sql = super::advance_messages_sql(3);
        let plan = super::super::plan_on_messages(&sql, 1 + 3 * super::ADVANCE_WIDTH).await;
        assert_eq!(
            plan,
            ["SEARCH messages USING INDEX sqlite_autoindex_messages_1 (tenant_id=? AND id=?)"]
        );
    }
}
