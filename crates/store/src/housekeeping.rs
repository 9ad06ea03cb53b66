//! Removing what has served its purpose: finished jobs, processed webhook
//! bodies, old events, spent idempotency keys, ended sessions, stale
//! sign-in failure counters and nodes gone quiet.
//!
//! Each call removes at most `limit` rows, oldest first, so a caller can
//! run one small batch per transaction and never hold the writer long.
//! Every statement finds its rows through an index on the age column
//! (migrations 0011, 0038 and 0039).

use crate::db::{SystemTx, exec};
use crate::error::StoreResult;
use domain::Timestamp;

/// What can be swept, each with the rule that makes a row old enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweepable {
    /// Jobs done or failed for good before the cutoff.
    FinishedJobs,
    /// Stored webhook bodies processed before the cutoff (their effects are
    /// in the inbox; pending ones are never touched).
    ProcessedWebhooks,
    /// Events recorded before the cutoff that every consumer of their
    /// tenant's log has already passed (an event a consumer has not
    /// processed yet is kept, however old), and the notes of which
    /// workflow run caused an event once the event is gone.
    Events,
    /// Idempotency keys created before the cutoff.
    IdempotencyKeys,
    /// User and operator sessions that expired or were revoked before the
    /// cutoff.
    Sessions,
    /// Outbound webhook attempts made before the cutoff, and deliveries
    /// settled (delivered or dead) before it; pending ones stay.
    WebhookDeliveries,
    /// Sign-in failure counters whose latest failure was before the cutoff
    /// (the caller passes the end of the throttle's longest window).
    SignInFailures,
    /// Nodes last seen before the cutoff (stopped without removing their
    /// row, or killed).
    Nodes,
}

impl Sweepable {
    pub const ALL: [Sweepable; 8] = [
        Sweepable::FinishedJobs,
        Sweepable::ProcessedWebhooks,
        Sweepable::Events,
        Sweepable::IdempotencyKeys,
        Sweepable::Sessions,
        Sweepable::WebhookDeliveries,
        Sweepable::SignInFailures,
        Sweepable::Nodes,
    ];

    /// The name used in logs, metrics and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Sweepable::FinishedJobs => "jobs",
            Sweepable::ProcessedWebhooks => "webhooks",
            Sweepable::Events => "events",
            Sweepable::IdempotencyKeys => "idempotency_keys",
            Sweepable::Sessions => "sessions",
            Sweepable::WebhookDeliveries => "webhook_deliveries",
            Sweepable::SignInFailures => "sign_in_failures",
            Sweepable::Nodes => "nodes",
        }
    }

    /// The statements that remove one batch (`$1` the cutoff in epoch
    /// milliseconds, `$2` the batch size). Sessions are two tables, and so
    /// are events with the workflow runs that caused them.
    fn statements(self) -> &'static [&'static str] {
        match self {
            Sweepable::FinishedJobs => &["DELETE FROM jobs WHERE id IN (\
                 SELECT id FROM jobs WHERE finished_at < $1 \
                 AND status IN ('done', 'failed') ORDER BY finished_at LIMIT $2)"],
            Sweepable::ProcessedWebhooks => &["DELETE FROM webhook_deliveries WHERE id IN (\
                 SELECT id FROM webhook_deliveries WHERE processed_at < $1 \
                 AND status = 'processed' ORDER BY processed_at LIMIT $2)"],
            Sweepable::Events => &[
                "DELETE FROM events WHERE (tenant_id, seq) IN (\
                 SELECT e.tenant_id, e.seq FROM events e WHERE e.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM event_cursors c \
                     WHERE c.tenant_id = e.tenant_id AND c.last_seq < e.seq) \
                 ORDER BY e.created_at LIMIT $2)",
                "DELETE FROM workflow_event_causes WHERE (tenant_id, event_id) IN (\
                 SELECT w.tenant_id, w.event_id FROM workflow_event_causes w \
                 WHERE w.created_at < $1 AND NOT EXISTS (SELECT 1 FROM events e \
                     WHERE e.tenant_id = w.tenant_id AND e.id = w.event_id) \
                 ORDER BY w.created_at LIMIT $2)",
            ],
            Sweepable::IdempotencyKeys => &["DELETE FROM idempotency_keys \
                 WHERE (tenant_id, principal, key) IN (\
                 SELECT tenant_id, principal, key FROM idempotency_keys \
                 WHERE created_at < $1 ORDER BY created_at LIMIT $2)"],
            Sweepable::Sessions => &[
                "DELETE FROM sessions WHERE token_hash IN (\
                 SELECT token_hash FROM sessions \
                 WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)",
                "DELETE FROM operator_sessions WHERE id IN (\
                 SELECT id FROM operator_sessions \
                 WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)",
            ],
            // An attempt is never younger than its delivery's settlement,
            // so a settled delivery's attempts are gone before it is.
            Sweepable::WebhookDeliveries => &[
                "DELETE FROM hook_attempts WHERE (tenant_id, id) IN (\
                 SELECT tenant_id, id FROM hook_attempts WHERE started_at < $1 \
                 ORDER BY started_at LIMIT $2)",
                "DELETE FROM hook_deliveries WHERE (tenant_id, id) IN (\
                 SELECT tenant_id, id FROM hook_deliveries WHERE updated_at < $1 \
                 AND status <> 'pending' ORDER BY updated_at LIMIT $2)",
            ],
            Sweepable::SignInFailures => &["DELETE FROM sign_in_failures WHERE key_hash IN (\
                 SELECT key_hash FROM sign_in_failures WHERE latest < $1 \
                 ORDER BY latest LIMIT $2)"],
            Sweepable::Nodes => &["DELETE FROM nodes WHERE id IN (\
                 SELECT id FROM nodes WHERE last_seen_at < $1 \
                 ORDER BY last_seen_at LIMIT $2)"],
        }
    }
}

impl SystemTx {
    /// Removes up to `limit` rows of `what` that are older than `cutoff`
    /// (per table for sessions); returns how many went.
    pub async fn sweep(
        &mut self,
        what: Sweepable,
        cutoff: Timestamp,
        limit: u32,
    ) -> StoreResult<u64> {
        let mut removed = 0;
        for sql in what.statements() {
            removed += exec!(&mut self.tx, |c| sqlx::query(*sql)
                .bind(cutoff.as_millis())
                .bind(i64::from(limit))
                .execute(c)
                .await)?;
        }
        Ok(removed)
    }
}
