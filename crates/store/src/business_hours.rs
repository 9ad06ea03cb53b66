//! Business hours (`business_hours`): the workspace's schedule (no
//! number) and numbers' own, which override it; and the welcome and away
//! messages conversations were given (`business_hours_replies`). The
//! weekly ranges and holidays are JSON to the store: the server reads and
//! checks them.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{BusinessHoursId, ChannelId, ConversationId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A schedule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    pub id: BusinessHoursId,
    /// `None`: the workspace's schedule; else the number's own.
    pub channel_id: Option<ChannelId>,
    /// Off: always open, and no welcome or away message.
    pub enabled: bool,
    pub time_zone: String,
    pub weekly: Value,
    pub holidays: Value,
    pub welcome_message: Option<String>,
    pub away_message: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    channel_id: Option<Uuid>,
    enabled: i64,
    time_zone: String,
    weekly: String,
    holidays: String,
    welcome_message: Option<String>,
    away_message: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for BusinessHours {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(BusinessHours {
            id: BusinessHoursId::from_uuid(r.id),
            channel_id: r.channel_id.map(ChannelId::from_uuid),
            enabled: r.enabled != 0,
            time_zone: r.time_zone,
            weekly: serde_json::from_str(&r.weekly).map_err(StoreError::corrupt)?,
            holidays: serde_json::from_str(&r.holidays).map_err(StoreError::corrupt)?,
            welcome_message: r.welcome_message,
            away_message: r.away_message,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "id, channel_id, enabled, time_zone, weekly, holidays, welcome_message, \
     away_message, created_at, updated_at";

/// Which message a conversation was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    Welcome,
    Away,
}

impl ReplyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Welcome => "welcome",
            ReplyKind::Away => "away",
        }
    }
}

impl TenantTx {
    /// Writes `h` as the schedule of its number (or the workspace's):
    /// inserted, or replacing the one there (which keeps its id and
    /// `created_at`). Answers whether it was inserted.
    pub async fn upsert_business_hours(&mut self, h: &BusinessHours) -> StoreResult<bool> {
        let existing = self.find_business_hours(h.channel_id).await?;
        let n = if existing.is_some() {
            exec!(&mut self.tx, |c| sqlx::query(
                "UPDATE business_hours SET enabled = $3, time_zone = $4, weekly = $5, \
                     holidays = $6, welcome_message = $7, away_message = $8, updated_at = $9 \
                 WHERE tenant_id = $1 AND ((channel_id IS NULL AND $2 IS NULL) OR channel_id = $2)"
            )
            .bind(self.tenant.as_uuid())
            .bind(h.channel_id.map(|c| c.as_uuid()))
            .bind(i64::from(h.enabled))
            .bind(&h.time_zone)
            .bind(h.weekly.to_string())
            .bind(h.holidays.to_string())
            .bind(h.welcome_message.as_deref())
            .bind(h.away_message.as_deref())
            .bind(h.updated_at.as_millis())
            .execute(c)
            .await)?
        } else {
            exec!(&mut self.tx, |c| {
                sqlx::query(
                "INSERT INTO business_hours (tenant_id, id, channel_id, enabled, time_zone, weekly, \
                     holidays, welcome_message, away_message, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )
            .bind(self.tenant.as_uuid())
            .bind(h.id.as_uuid())
            .bind(h.channel_id.map(|c| c.as_uuid()))
            .bind(i64::from(h.enabled))
            .bind(&h.time_zone)
            .bind(h.weekly.to_string())
            .bind(h.holidays.to_string())
            .bind(h.welcome_message.as_deref())
            .bind(h.away_message.as_deref())
            .bind(h.created_at.as_millis())
            .bind(h.updated_at.as_millis())
            .execute(c)
            .await
            })?
        };
        (n > 0).then_some(()).or_not_found()?;
        Ok(existing.is_none())
    }

    /// The schedule of number `channel` (`None`: the workspace's), if it
    /// has one.
    pub async fn find_business_hours(
        &mut self,
        channel: Option<ChannelId>,
    ) -> StoreResult<Option<BusinessHours>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM business_hours WHERE tenant_id = $1 \
             AND ((channel_id IS NULL AND $2 IS NULL) OR channel_id = $2)"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.map(|c| c.as_uuid()))
        .fetch_optional(c)
        .await)?;
        row.map(BusinessHours::try_from).transpose()
    }

    /// The schedule that applies to number `channel`: its own if it has
    /// one, else the workspace's (`None`: neither has one).
    pub async fn find_applying_business_hours(
        &mut self,
        channel: Option<ChannelId>,
    ) -> StoreResult<Option<BusinessHours>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM business_hours WHERE tenant_id = $1 \
             AND (channel_id IS NULL OR channel_id = $2) \
             ORDER BY CASE WHEN channel_id IS NULL THEN 1 ELSE 0 END LIMIT 1"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.map(|c| c.as_uuid()))
        .fetch_optional(c)
        .await)?;
        row.map(BusinessHours::try_from).transpose()
    }

    /// Every schedule of the tenant, the workspace's first.
    pub async fn list_business_hours(&mut self) -> StoreResult<Vec<BusinessHours>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM business_hours WHERE tenant_id = $1 \
             ORDER BY CASE WHEN channel_id IS NULL THEN 0 ELSE 1 END, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(BusinessHours::try_from).collect()
    }

    /// Deletes the schedule of number `channel` (`None`: the workspace's).
    pub async fn delete_business_hours(&mut self, channel: Option<ChannelId>) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM business_hours WHERE tenant_id = $1 \
             AND ((channel_id IS NULL AND $2 IS NULL) OR channel_id = $2)"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.map(|c| c.as_uuid()))
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Notes that `conversation` is given its `kind` message for the
    /// period starting at `period_start`; `false` if it was already (the
    /// message is not to go again).
    pub async fn insert_business_hours_reply(
        &mut self,
        conversation: ConversationId,
        kind: ReplyKind,
        period_start: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO business_hours_replies (tenant_id, conversation_id, kind, period_start, \
                 created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .bind(kind.as_str())
        .bind(period_start.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        Ok(n > 0)
    }
}
