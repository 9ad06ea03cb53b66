//! Durable consumer cursors: where each consumer of the event log (the live
//! stream, outbound webhooks, automations…) is in each tenant's log.
//!
//! A consumer reads and moves its cursor in the same transaction as its own
//! writes: a crash before COMMIT leaves the cursor where it was (the events
//! are read again), a crash after never repeats them. [`TenantTx::lock_cursor`]
//! locks the cursor's row until the transaction ends, so two nodes running
//! the same consumer take turns and never process one event twice.

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{TenantId, Timestamp};
use uuid::Uuid;

/// Where a consumer's cursor starts when it does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorStart {
    /// Before the tenant's first event: the consumer sees the whole log.
    Beginning,
    /// After the tenant's newest event: only what happens from now on.
    Latest,
}

impl TenantTx {
    /// The last event number `consumer` has processed for this tenant,
    /// creating its cursor at `start` if it has none. The cursor's row stays
    /// locked until this transaction ends (on PostgreSQL: a second node
    /// running the same consumer waits here, then reads the position the
    /// first one committed). A new cursor's `updated_at` is 0 until it first
    /// moves, which also puts it first in [`SystemTx::tenants_behind`].
    pub async fn lock_cursor(&mut self, consumer: &str, start: CursorStart) -> StoreResult<i64> {
        // The no-op update takes the row lock and makes RETURNING yield the
        // existing row; a missing row is inserted (and locked by that).
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "INSERT INTO event_cursors (tenant_id, consumer, last_seq, updated_at) \
             VALUES ($1, $2, CASE WHEN $3 THEN \
                 (SELECT COALESCE(MAX(seq), 0) FROM events WHERE tenant_id = $1) \
               ELSE 0 END, 0) \
             ON CONFLICT (tenant_id, consumer) DO UPDATE SET consumer = excluded.consumer \
             RETURNING last_seq"
        )
        .bind(self.tenant.as_uuid())
        .bind(consumer)
        .bind(start == CursorStart::Latest)
        .fetch_one(c)
        .await)
    }

    /// Moves `consumer`'s cursor to `seq` (the last event it processed), in
    /// the transaction that holds the consumer's own writes. A cursor never
    /// moves back: an older `seq` leaves it where it is.
    pub async fn advance_cursor(
        &mut self,
        consumer: &str,
        seq: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO event_cursors (tenant_id, consumer, last_seq, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, consumer) DO UPDATE SET \
               last_seq = CASE WHEN excluded.last_seq > event_cursors.last_seq \
                               THEN excluded.last_seq ELSE event_cursors.last_seq END, \
               updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(consumer)
        .bind(seq)
        .bind(now.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }
}

impl SystemTx {
    /// Up to `limit` tenants with committed events `consumer` has not
    /// processed (a tenant it has no cursor for counts as at 0): the work
    /// list of a consumer that serves every tenant. The tenants whose
    /// cursor moved longest ago come first, so with more tenants behind
    /// than `limit` none waits for ever.
    pub async fn tenants_behind(
        &mut self,
        consumer: &str,
        limit: i64,
    ) -> StoreResult<Vec<TenantId>> {
        self.behind(consumer, "", limit).await
    }

    /// [`Self::tenants_behind`], among the tenants with a row in `table`
    /// (a consumer with nothing to do for the others, such as the outbound
    /// webhooks' fan-out, which only serves tenants with an endpoint).
    pub async fn tenants_behind_having(
        &mut self,
        consumer: &str,
        table: Table,
        limit: i64,
    ) -> StoreResult<Vec<TenantId>> {
        let exists: Vec<String> = table
            .names()
            .iter()
            .map(|t| format!("EXISTS (SELECT 1 FROM {t} x WHERE x.tenant_id = n.tenant_id)"))
            .collect();
        let only = format!("AND ({})", exists.join(" OR "));
        self.behind(consumer, &only, limit).await
    }

    async fn behind(
        &mut self,
        consumer: &str,
        only: &str,
        limit: i64,
    ) -> StoreResult<Vec<TenantId>> {
        let sql = format!(
            "SELECT n.tenant_id FROM event_counters n \
             LEFT JOIN event_cursors k ON k.tenant_id = n.tenant_id AND k.consumer = $1 \
             WHERE n.last_seq > COALESCE(k.last_seq, 0) {only} \
             ORDER BY COALESCE(k.updated_at, 0), n.tenant_id LIMIT $2"
        );
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(consumer)
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }
}

/// The tables whose rows mark the tenants a consumer serves
/// ([`SystemTx::tenants_behind_having`]).
#[derive(Debug, Clone, Copy)]
pub enum Table {
    HookEndpoints,
    Teams,
    /// Workflows or auto-tag rules.
    Automations,
    /// Business hours (the workspace's or a number's).
    BusinessHours,
    /// Drip sequences.
    Drips,
    /// The booking bot's settings.
    Booking,
    /// Numbers linked to Genesys.
    GenesysLinks,
}

impl Table {
    /// A tenant with a row in any of these is served.
    fn names(self) -> &'static [&'static str] {
        match self {
            Table::HookEndpoints => &["hook_endpoints"],
            Table::Teams => &["teams"],
            Table::Automations => &["workflows", "auto_tag_rules"],
            Table::BusinessHours => &["business_hours"],
            Table::Drips => &["drips"],
            Table::Booking => &["booking_settings"],
            Table::GenesysLinks => &["genesys_links"],
        }
    }
}
