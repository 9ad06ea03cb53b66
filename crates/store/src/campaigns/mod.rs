//! Broadcasts (`campaigns`) and their recipients (`campaign_recipients`,
//! [`recipients`]). A campaign is one template, with its parameters
//! mapped ([`Campaign::variables`], JSON the server reads), sent from one
//! number to an audience ([`Campaign::audience`]), each recipient at most
//! once: a recipient row per contact, keyed by campaign and contact.

pub mod recipients;

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{CampaignId, ChannelId, TemplateId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// Where a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignStatus {
    /// Being prepared; nothing is sent.
    Draft,
    /// Waits for its start time.
    Scheduled,
    /// Sending.
    Running,
    /// Stopped by the team (or by a limit) until resumed.
    Paused,
    /// Every recipient handed over, skipped or failed.
    Finished,
    /// Stopped for good; recipients not yet sent to never will be.
    Cancelled,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 6] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Running,
        CampaignStatus::Paused,
        CampaignStatus::Finished,
        CampaignStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Finished => "finished",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Finished or cancelled: nothing more happens to it.
    pub fn is_over(self) -> bool {
        matches!(self, CampaignStatus::Finished | CampaignStatus::Cancelled)
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub channel_id: ChannelId,
    pub template_id: TemplateId,
    pub template_name: String,
    pub template_language: String,
    /// How each template parameter is filled (the server's JSON).
    pub variables: Value,
    /// Who it goes to (the server's JSON).
    pub audience: Value,
    pub status: CampaignStatus,
    pub status_reason: Option<String>,
    pub start_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub recipient_count: i64,
    /// The dispatcher's current round (see the migration).
    pub dispatch_round: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    channel_id: Uuid,
    template_id: Uuid,
    template_name: String,
    template_language: String,
    variables: String,
    audience: String,
    status: String,
    status_reason: Option<String>,
    start_at: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    recipient_count: i64,
    dispatch_round: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Campaign {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        let json = |s: &str| serde_json::from_str::<Value>(s).map_err(StoreError::corrupt);
        Ok(Campaign {
            id: CampaignId::from_uuid(r.id),
            name: r.name,
            channel_id: ChannelId::from_uuid(r.channel_id),
            template_id: TemplateId::from_uuid(r.template_id),
            template_name: r.template_name,
            template_language: r.template_language,
            variables: json(&r.variables)?,
            audience: json(&r.audience)?,
            status: CampaignStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("campaign status {}", r.status)))?,
            status_reason: r.status_reason,
            start_at: r.start_at.map(Timestamp::from_millis),
            started_at: r.started_at.map(Timestamp::from_millis),
            finished_at: r.finished_at.map(Timestamp::from_millis),
            recipient_count: r.recipient_count,
            dispatch_round: r.dispatch_round,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "id, name, channel_id, template_id, template_name, template_language, \
     variables, audience, status, status_reason, start_at, started_at, finished_at, \
     recipient_count, dispatch_round, created_at, updated_at";

impl TenantTx {
    pub async fn insert_campaign(&mut self, c: &Campaign) -> StoreResult<()> {
        exec!(&mut self.tx, |x| sqlx::query(
            "INSERT INTO campaigns (tenant_id, id, name, channel_id, template_id, template_name, \
                 template_language, variables, audience, status, status_reason, start_at, \
                 started_at, finished_at, recipient_count, dispatch_round, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        )
        .bind(self.tenant.as_uuid())
        .bind(c.id.as_uuid())
        .bind(&c.name)
        .bind(c.channel_id.as_uuid())
        .bind(c.template_id.as_uuid())
        .bind(&c.template_name)
        .bind(&c.template_language)
        .bind(c.variables.to_string())
        .bind(c.audience.to_string())
        .bind(c.status.as_str())
        .bind(c.status_reason.as_deref())
        .bind(c.start_at.map(Timestamp::as_millis))
        .bind(c.started_at.map(Timestamp::as_millis))
        .bind(c.finished_at.map(Timestamp::as_millis))
        .bind(c.recipient_count)
        .bind(c.dispatch_round)
        .bind(c.created_at.as_millis())
        .bind(c.updated_at.as_millis())
        .execute(x)
        .await)
        .map(drop)
    }

    /// Writes everything of `c` but its id and `created_at`.
    pub async fn update_campaign(&mut self, c: &Campaign) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |x| sqlx::query(
            "UPDATE campaigns SET name = $3, channel_id = $4, template_id = $5, \
                 template_name = $6, template_language = $7, variables = $8, audience = $9, \
                 status = $10, status_reason = $11, start_at = $12, started_at = $13, \
                 finished_at = $14, recipient_count = $15, dispatch_round = $16, updated_at = $17 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(c.id.as_uuid())
        .bind(&c.name)
        .bind(c.channel_id.as_uuid())
        .bind(c.template_id.as_uuid())
        .bind(&c.template_name)
        .bind(&c.template_language)
        .bind(c.variables.to_string())
        .bind(c.audience.to_string())
        .bind(c.status.as_str())
        .bind(c.status_reason.as_deref())
        .bind(c.start_at.map(Timestamp::as_millis))
        .bind(c.started_at.map(Timestamp::as_millis))
        .bind(c.finished_at.map(Timestamp::as_millis))
        .bind(c.recipient_count)
        .bind(c.dispatch_round)
        .bind(c.updated_at.as_millis())
        .execute(x)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_campaign(&mut self, id: CampaignId) -> StoreResult<Campaign> {
        let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |x| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(x)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Takes campaign `id`'s row lock for the rest of the transaction (on
    /// PostgreSQL; SQLite's writer is alone anyway) and reads it: the
    /// dispatcher and the team's pause, resume and cancel take turns.
    pub async fn lock_campaign(&mut self, id: CampaignId) -> StoreResult<Campaign> {
        exec!(&mut self.tx, |x| sqlx::query(
            "UPDATE campaigns SET status = status WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(x)
        .await)?;
        self.find_campaign(id).await
    }

    /// Campaigns, newest first.
    pub async fn list_campaigns(&mut self, page: PageRequest) -> StoreResult<Page<Campaign>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM campaigns WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |x| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(x)
        .await)?;
        let all = rows
            .into_iter()
            .map(Campaign::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(all, |c| c.id.as_uuid()))
    }

    /// Campaigns that started (the execution log's runs), newest first,
    /// optionally in `status`, started in `[since, until)`.
    pub async fn list_campaign_runs(
        &mut self,
        status: Option<CampaignStatus>,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        page: PageRequest,
    ) -> StoreResult<Page<Campaign>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM campaigns WHERE tenant_id = $1 AND started_at IS NOT NULL \
               AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR started_at >= $3) \
               AND ($4 IS NULL OR started_at < $4) AND ($5 IS NULL OR id < $5) \
             ORDER BY id DESC LIMIT $6"
        );
        let rows = run!(&mut self.tx, |x| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(status.map(CampaignStatus::as_str))
        .bind(since.map(Timestamp::as_millis))
        .bind(until.map(Timestamp::as_millis))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(x)
        .await)?;
        let all = rows
            .into_iter()
            .map(Campaign::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(all, |c| c.id.as_uuid()))
    }

    /// Deletes a campaign with its recipient rows (their messages stay).
    pub async fn delete_campaign(&mut self, id: CampaignId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |x| sqlx::query(
            "DELETE FROM campaigns WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(x)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Sets a number's messaging-limit tier (`None`: unknown).
    pub async fn set_channel_messaging_tier(
        &mut self,
        channel: ChannelId,
        tier: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |x| sqlx::query(
            "UPDATE channels SET messaging_tier = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .bind(tier)
        .bind(now.as_millis())
        .execute(x)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// A number's messaging-limit tier, as stored.
    pub async fn channel_messaging_tier(
        &mut self,
        channel: ChannelId,
    ) -> StoreResult<Option<String>> {
        let tier: Option<Option<String>> = run!(&mut self.tx, |x| sqlx::query_scalar(
            "SELECT messaging_tier FROM channels WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .fetch_optional(x)
        .await)?;
        tier.or_not_found()
    }
}
