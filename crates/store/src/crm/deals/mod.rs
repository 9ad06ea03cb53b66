//! Deals in pipelines: `deals` ([`Deal`]), the pipelines and stages they
//! move through ([`pipelines`]), and every stage a deal entered
//! ([`history`]). A deleted contact or user leaves their deals with
//! `contact_id` / `owner_id` NULL (triggers in `0015_deals.sql`).

pub mod history;
pub mod pipelines;

pub use history::{NewStageChange, StageChange, StageTotal};
pub use pipelines::{Pipeline, Stage};

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ContactId, DealId, PipelineId, StageId, Timestamp, UserId};
use uuid::Uuid;

/// Where a deal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl DealStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DealStatus::Open => "open",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(DealStatus::Open),
            "won" => Some(DealStatus::Won),
            "lost" => Some(DealStatus::Lost),
            _ => None,
        }
    }
}

/// A deal as stored, with the names of what it points at (read with it).
#[derive(Debug, Clone)]
pub struct Deal {
    pub id: DealId,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub contact_id: Option<ContactId>,
    pub owner_id: Option<UserId>,
    pub title: String,
    pub value_minor: i64,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub expected_close_on: Option<String>,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Read only: the names of the stage, pipeline, contact and owner.
    pub names: DealNames,
}

/// The names a deal shows (ignored when writing).
#[derive(Debug, Clone, Default)]
pub struct DealNames {
    pub stage: String,
    pub pipeline: String,
    /// The contact's name (the team's, else their WhatsApp profile's),
    /// else `+<WhatsApp id>`, else phone.
    pub contact: Option<String>,
    /// The owner's name, else email.
    pub owner: Option<String>,
}

/// Which deals a list shows (every part optional).
#[derive(Debug, Clone, Copy, Default)]
pub struct DealFilter {
    pub pipeline: Option<PipelineId>,
    pub stage: Option<StageId>,
    pub status: Option<DealStatus>,
    pub owner: Option<UserId>,
    pub contact: Option<ContactId>,
}

#[derive(sqlx::FromRow)]
struct DealRow {
    id: Uuid,
    pipeline_id: Uuid,
    stage_id: Uuid,
    contact_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    title: String,
    value_minor: i64,
    currency: String,
    expected_close_on: Option<String>,
    status: String,
    lost_reason: Option<String>,
    closed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    stage_name: String,
    pipeline_name: String,
    contact_found: Option<Uuid>,
    contact_team_name: Option<String>,
    contact_profile_name: Option<String>,
    contact_wa_id: Option<String>,
    contact_phone: Option<String>,
    owner_name: Option<String>,
    owner_email: Option<String>,
}

impl TryFrom<DealRow> for Deal {
    type Error = StoreError;
    fn try_from(r: DealRow) -> StoreResult<Self> {
        let contact = r.contact_found.map(|_| {
            r.contact_team_name
                .filter(|n| !n.trim().is_empty())
                .or(r.contact_profile_name)
                .filter(|n| !n.trim().is_empty())
                .or_else(|| r.contact_wa_id.map(|w| format!("+{w}")))
                .or(r.contact_phone)
                .unwrap_or_else(|| "Unknown contact".to_owned())
        });
        let owner = r.owner_email.map(|email| {
            r.owner_name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(email)
        });
        Ok(Deal {
            id: DealId::from_uuid(r.id),
            pipeline_id: PipelineId::from_uuid(r.pipeline_id),
            stage_id: StageId::from_uuid(r.stage_id),
            contact_id: r.contact_id.map(ContactId::from_uuid),
            owner_id: r.owner_id.map(UserId::from_uuid),
            title: r.title,
            value_minor: r.value_minor,
            currency: r.currency,
            expected_close_on: r.expected_close_on,
            status: DealStatus::parse(&r.status).ok_or_else(|| StoreError::corrupt(&r.status))?,
            lost_reason: r.lost_reason,
            closed_at: r.closed_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            names: DealNames {
                stage: r.stage_name,
                pipeline: r.pipeline_name,
                contact,
                owner,
            },
        })
    }
}

fn deals(rows: Vec<DealRow>) -> StoreResult<Vec<Deal>> {
    rows.into_iter().map(Deal::try_from).collect()
}

/// Every deal query: the deal with its stage, pipeline, contact and owner.
const SELECT: &str = "SELECT d.id, d.pipeline_id, d.stage_id, d.contact_id, d.owner_id, d.title, \
       d.value_minor, d.currency, d.expected_close_on, d.status, d.lost_reason, d.closed_at, \
       d.created_at, d.updated_at, s.name AS stage_name, p.name AS pipeline_name, \
       c.id AS contact_found, c.name AS contact_team_name, c.profile_name AS contact_profile_name, \
       c.wa_id AS contact_wa_id, c.phone AS contact_phone, \
       u.name AS owner_name, u.email AS owner_email \
     FROM deals d \
     JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id \
     JOIN pipelines p ON p.tenant_id = d.tenant_id AND p.id = d.pipeline_id \
     LEFT JOIN contacts c ON c.tenant_id = d.tenant_id AND c.id = d.contact_id \
     LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.owner_id";

/// The filter's conditions, on `$2`…`$6`.
const FILTER: &str = "d.tenant_id = $1 AND ($2 IS NULL OR d.pipeline_id = $2) \
     AND ($3 IS NULL OR d.stage_id = $3) AND ($4 IS NULL OR d.status = $4) \
     AND ($5 IS NULL OR d.owner_id = $5) AND ($6 IS NULL OR d.contact_id = $6)";

impl TenantTx {
    /// Inserts `d` (its `names` are ignored).
    pub async fn insert_deal(&mut self, d: &Deal) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO deals (tenant_id, id, pipeline_id, stage_id, contact_id, owner_id, \
               title, value_minor, currency, expected_close_on, status, lost_reason, closed_at, \
               created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(self.tenant.as_uuid())
        .bind(d.id.as_uuid())
        .bind(d.pipeline_id.as_uuid())
        .bind(d.stage_id.as_uuid())
        .bind(d.contact_id.map(|c| c.as_uuid()))
        .bind(d.owner_id.map(|u| u.as_uuid()))
        .bind(&d.title)
        .bind(d.value_minor)
        .bind(&d.currency)
        .bind(&d.expected_close_on)
        .bind(d.status.as_str())
        .bind(&d.lost_reason)
        .bind(d.closed_at.map(Timestamp::as_millis))
        .bind(d.created_at.as_millis())
        .bind(d.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes every field of `d` but its id and `created_at`.
    pub async fn update_deal(&mut self, d: &Deal) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE deals SET pipeline_id = $3, stage_id = $4, contact_id = $5, owner_id = $6, \
               title = $7, value_minor = $8, currency = $9, expected_close_on = $10, \
               status = $11, lost_reason = $12, closed_at = $13, updated_at = $14 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(d.id.as_uuid())
        .bind(d.pipeline_id.as_uuid())
        .bind(d.stage_id.as_uuid())
        .bind(d.contact_id.map(|c| c.as_uuid()))
        .bind(d.owner_id.map(|u| u.as_uuid()))
        .bind(&d.title)
        .bind(d.value_minor)
        .bind(&d.currency)
        .bind(&d.expected_close_on)
        .bind(d.status.as_str())
        .bind(&d.lost_reason)
        .bind(d.closed_at.map(Timestamp::as_millis))
        .bind(d.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_deal(&mut self, id: DealId) -> StoreResult<Deal> {
        let sql = format!("{SELECT} WHERE d.tenant_id = $1 AND d.id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, DealRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Deals matching `filter`, newest first.
    pub async fn list_deals(
        &mut self,
        filter: &DealFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Deal>> {
        let sql = format!(
            "{SELECT} WHERE {FILTER} AND ($7 IS NULL OR d.id < $7) ORDER BY d.id DESC LIMIT $8"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, DealRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.pipeline.map(|p| p.as_uuid()))
        .bind(filter.stage.map(|s| s.as_uuid()))
        .bind(filter.status.map(DealStatus::as_str))
        .bind(filter.owner.map(|u| u.as_uuid()))
        .bind(filter.contact.map(|c| c.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(deals(rows)?, |d| d.id.as_uuid()))
    }

    /// Up to `limit` deals matching `filter` for a board: the most recently
    /// changed first.
    pub async fn board_deals(&mut self, filter: &DealFilter, limit: i64) -> StoreResult<Vec<Deal>> {
        let sql = format!("{SELECT} WHERE {FILTER} ORDER BY d.updated_at DESC, d.id DESC LIMIT $7");
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, DealRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.pipeline.map(|p| p.as_uuid()))
        .bind(filter.stage.map(|s| s.as_uuid()))
        .bind(filter.status.map(DealStatus::as_str))
        .bind(filter.owner.map(|u| u.as_uuid()))
        .bind(filter.contact.map(|c| c.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
        deals(rows)
    }

    /// Removes a deal and its stage history.
    pub async fn delete_deal(&mut self, id: DealId) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM deal_stage_changes WHERE tenant_id = $1 AND deal_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM deals WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}
