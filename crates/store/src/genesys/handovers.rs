//! Conversations' time with Genesys (`genesys_handovers`): from the
//! hand-over to the hand-back, at most one open per conversation.

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ChannelId, ConversationId, GenesysLinkId, HandoverId, TenantId, Timestamp};
use uuid::Uuid;

/// A conversation's time with Genesys.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    pub id: HandoverId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    pub link_id: GenesysLinkId,
    /// The customer as Genesys knows them (`channel.from.id`).
    pub wa_id: String,
    pub genesys_conversation_id: Option<String>,
    pub reason: String,
    pub handed_by: String,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub end_reason: Option<String>,
    pub ended_by: Option<String>,
    pub check_at: Option<Timestamp>,
}

impl Handover {
    pub fn is_open(&self) -> bool {
        self.ended_at.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    conversation_id: Uuid,
    channel_id: Uuid,
    link_id: Uuid,
    wa_id: String,
    genesys_conversation_id: Option<String>,
    reason: String,
    handed_by: String,
    started_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    ended_by: Option<String>,
    check_at: Option<i64>,
}

impl From<Row> for Handover {
    fn from(r: Row) -> Self {
        Handover {
            id: HandoverId::from_uuid(r.id),
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            link_id: GenesysLinkId::from_uuid(r.link_id),
            wa_id: r.wa_id,
            genesys_conversation_id: r.genesys_conversation_id,
            reason: r.reason,
            handed_by: r.handed_by,
            started_at: Timestamp::from_millis(r.started_at),
            ended_at: r.ended_at.map(Timestamp::from_millis),
            end_reason: r.end_reason,
            ended_by: r.ended_by,
            check_at: r.check_at.map(Timestamp::from_millis),
        }
    }
}

const COLUMNS: &str = "id, conversation_id, channel_id, link_id, wa_id, genesys_conversation_id, \
     reason, handed_by, started_at, ended_at, end_reason, ended_by, check_at";

/// A hand-over to open.
#[derive(Debug, Clone)]
pub struct NewHandover<'a> {
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    pub link_id: GenesysLinkId,
    pub wa_id: &'a str,
    pub reason: &'a str,
    pub handed_by: &'a str,
    pub now: Timestamp,
}

/// The bridge's figures, as the statistics call shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenesysStats {
    /// Hand-overs ever (conversation mappings).
    pub total_mappings: i64,
    /// Messages both ways: customers' sent to Genesys, agents' replies.
    pub total_messages: i64,
    /// Hand-overs open now.
    pub active_conversations: i64,
    /// Messages both ways since `since`.
    pub messages_since: i64,
}

impl TenantTx {
    /// Opens a hand-over of `h.conversation_id` unless one is open; the
    /// open one and whether this call opened it.
    pub async fn open_genesys_handover(
        &mut self,
        h: &NewHandover<'_>,
    ) -> StoreResult<(Handover, bool)> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO genesys_handovers (tenant_id, id, conversation_id, channel_id, link_id, \
                 wa_id, reason, handed_by, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_id, conversation_id) WHERE ended_at IS NULL DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(HandoverId::new().as_uuid())
        .bind(h.conversation_id.as_uuid())
        .bind(h.channel_id.as_uuid())
        .bind(h.link_id.as_uuid())
        .bind(h.wa_id)
        .bind(h.reason)
        .bind(h.handed_by)
        .bind(h.now.as_millis())
        .execute(c)
        .await
        })?;
        let open = self
            .find_open_handover(h.conversation_id)
            .await?
            .or_not_found()?;
        Ok((open, n > 0))
    }

    /// The open hand-over of `conversation`, if it is with Genesys.
    pub async fn find_open_handover(
        &mut self,
        conversation: ConversationId,
    ) -> StoreResult<Option<Handover>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_handovers \
             WHERE tenant_id = $1 AND conversation_id = $2 AND ended_at IS NULL"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// The open hand-over of customer `wa_id` on link `link` (where an
    /// agent's message goes).
    pub async fn find_open_handover_of_customer(
        &mut self,
        link: GenesysLinkId,
        wa_id: &str,
    ) -> StoreResult<Option<Handover>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_handovers \
             WHERE tenant_id = $1 AND link_id = $2 AND wa_id = $3 AND ended_at IS NULL"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(link.as_uuid())
        .bind(wa_id)
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// Hand-over `id`.
    pub async fn find_handover(&mut self, id: HandoverId) -> StoreResult<Handover> {
        let sql =
            format!("SELECT {COLUMNS} FROM genesys_handovers WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// Hand-overs, newest first; only open ones when `open_only`, only
    /// those of `conversation` when given.
    pub async fn list_handovers(
        &mut self,
        open_only: bool,
        conversation: Option<ConversationId>,
        page: PageRequest,
    ) -> StoreResult<Page<Handover>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_handovers \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) \
               AND ($3 = 0 OR ended_at IS NULL) AND ($4 IS NULL OR conversation_id = $4) \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(i64::from(open_only))
        .bind(conversation.map(|c| c.as_uuid()))
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows.into_iter().map(Into::into).collect();
        Ok(page.finish(items, |h: &Handover| h.id.as_uuid()))
    }

    /// Records Genesys' conversation of hand-over `id` and when to next
    /// ask whether it ended.
    pub async fn set_handover_conversation(
        &mut self,
        id: HandoverId,
        genesys_conversation_id: &str,
        check_at: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_handovers SET genesys_conversation_id = $3, \
                 check_at = COALESCE(check_at, $4) \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(genesys_conversation_id)
        .bind(check_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Takes hand-over `id`'s check due at `now` (moving the next one to
    /// `next`): whether this caller got it (another node may have).
    pub async fn claim_handover_check(
        &mut self,
        id: HandoverId,
        now: Timestamp,
        next: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_handovers SET check_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND ended_at IS NULL AND check_at <= $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .bind(next.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Ends hand-over `id` if it is open; whether it was.
    pub async fn end_genesys_handover(
        &mut self,
        id: HandoverId,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_handovers SET ended_at = $3, end_reason = $4, ended_by = $5, \
                 check_at = NULL \
             WHERE tenant_id = $1 AND id = $2 AND ended_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .bind(reason)
        .bind(by)
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// The open hand-overs of link `link` (ended when it is removed).
    pub async fn open_handovers_of_link(
        &mut self,
        link: GenesysLinkId,
    ) -> StoreResult<Vec<Handover>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_handovers \
             WHERE tenant_id = $1 AND link_id = $2 AND ended_at IS NULL ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(link.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The bridge's figures; `messages_since` counts from `since`.
    pub async fn genesys_stats(&mut self, since: Timestamp) -> StoreResult<GenesysStats> {
        let (total, active): (i64, i64) = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ended_at IS NULL THEN 1 ELSE 0 END), 0) \
             FROM genesys_handovers WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)?;
        let (sent, sent_since): (i64, i64) = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM genesys_outbox WHERE tenant_id = $1 AND kind = 'message' AND state = 'sent'"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)?;
        let (replies, replies_since): (i64, i64) = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM genesys_replies WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)?;
        Ok(GenesysStats {
            total_mappings: total,
            total_messages: sent + replies,
            active_conversations: active,
            messages_since: sent_since + replies_since,
        })
    }
}

impl SystemTx {
    /// Open hand-overs whose check is due at `now`, across tenants, at
    /// most `limit`, earliest first.
    pub async fn handovers_to_check(
        &mut self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<(TenantId, HandoverId)>> {
        let rows: Vec<(Uuid, Uuid)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT tenant_id, id FROM genesys_handovers \
             WHERE ended_at IS NULL AND check_at IS NOT NULL AND check_at <= $1 \
             ORDER BY check_at LIMIT $2"
        )
        .bind(now.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(t, h)| (TenantId::from_uuid(t), HandoverId::from_uuid(h)))
            .collect())
    }
}
