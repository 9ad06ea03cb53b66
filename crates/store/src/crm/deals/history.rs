//! `deal_stage_changes`: every stage a deal entered, with who moved it;
//! and the board's per-stage totals.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{DealId, PipelineId, StageId, Timestamp, UserId};
use uuid::Uuid;

/// A row of a deal's stage history to write.
#[derive(Debug, Clone)]
pub struct NewStageChange<'a> {
    pub deal_id: DealId,
    /// `None` for the stage a deal was created in.
    pub from: Option<(StageId, &'a str)>,
    pub to: (StageId, &'a str),
    pub user_id: Option<UserId>,
    /// Who: `user:<id>`, `api_key:<id>`, …
    pub actor: &'a str,
    pub at: Timestamp,
}

/// A row of a deal's stage history, with the user's name.
#[derive(Debug, Clone)]
pub struct StageChange {
    pub id: Uuid,
    pub from_stage_id: Option<StageId>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: StageId,
    pub to_stage_name: String,
    pub user_id: Option<UserId>,
    /// The user's name (else email), if they are still a member.
    pub user_name: Option<String>,
    pub actor: String,
    pub changed_at: Timestamp,
}

/// Open deals in one stage and currency of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTotal {
    pub stage_id: StageId,
    pub currency: String,
    pub deals: i64,
    pub value_minor: i64,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: Uuid,
    from_stage_id: Option<Uuid>,
    from_stage_name: Option<String>,
    to_stage_id: Uuid,
    to_stage_name: String,
    user_id: Option<Uuid>,
    user_name: Option<String>,
    user_email: Option<String>,
    actor: String,
    changed_at: i64,
}

#[derive(sqlx::FromRow)]
struct TotalRow {
    stage_id: Uuid,
    currency: String,
    deals: i64,
    value_minor: i64,
}

impl TenantTx {
    pub async fn insert_stage_change(&mut self, c: &NewStageChange<'_>) -> StoreResult<()> {
        exec!(&mut self.tx, |conn| sqlx::query(
            "INSERT INTO deal_stage_changes (tenant_id, id, deal_id, from_stage_id, \
               from_stage_name, to_stage_id, to_stage_name, user_id, actor, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(c.deal_id.as_uuid())
        .bind(c.from.map(|(id, _)| id.as_uuid()))
        .bind(c.from.map(|(_, name)| name))
        .bind(c.to.0.as_uuid())
        .bind(c.to.1)
        .bind(c.user_id.map(|u| u.as_uuid()))
        .bind(c.actor)
        .bind(c.at.as_millis())
        .execute(conn)
        .await)
        .map(drop)
    }

    /// A deal's stage history, oldest first.
    pub async fn list_stage_changes(&mut self, deal: DealId) -> StoreResult<Vec<StageChange>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ChangeRow>(
            "SELECT h.id, h.from_stage_id, h.from_stage_name, h.to_stage_id, h.to_stage_name, \
                    h.user_id, u.name AS user_name, u.email AS user_email, h.actor, h.changed_at \
             FROM deal_stage_changes h \
             LEFT JOIN users u ON u.tenant_id = h.tenant_id AND u.id = h.user_id \
             WHERE h.tenant_id = $1 AND h.deal_id = $2 ORDER BY h.id"
        )
        .bind(self.tenant.as_uuid())
        .bind(deal.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| StageChange {
                id: r.id,
                from_stage_id: r.from_stage_id.map(StageId::from_uuid),
                from_stage_name: r.from_stage_name,
                to_stage_id: StageId::from_uuid(r.to_stage_id),
                to_stage_name: r.to_stage_name,
                user_id: r.user_id.map(UserId::from_uuid),
                user_name: r
                    .user_email
                    .map(|e| r.user_name.filter(|n| !n.trim().is_empty()).unwrap_or(e)),
                actor: r.actor,
                changed_at: Timestamp::from_millis(r.changed_at),
            })
            .collect())
    }

    /// The open deals of `pipeline` per stage and currency: how many and
    /// their value.
    pub async fn stage_totals(&mut self, pipeline: PipelineId) -> StoreResult<Vec<StageTotal>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, TotalRow>(
            "SELECT stage_id, currency, COUNT(*) AS deals, \
                    CAST(SUM(value_minor) AS BIGINT) AS value_minor \
             FROM deals WHERE tenant_id = $1 AND pipeline_id = $2 AND status = 'open' \
             GROUP BY stage_id, currency ORDER BY stage_id, currency"
        )
        .bind(self.tenant.as_uuid())
        .bind(pipeline.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| StageTotal {
                stage_id: StageId::from_uuid(r.stage_id),
                currency: r.currency,
                deals: r.deals,
                value_minor: r.value_minor,
            })
            .collect())
    }

    /// How many of `pipeline`'s deals are won and lost.
    pub async fn closed_deal_counts(&mut self, pipeline: PipelineId) -> StoreResult<(i64, i64)> {
        let (won, lost) = run!(&mut self.tx, |c| sqlx::query_as::<_, (i64, i64)>(
            "SELECT COALESCE(SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'lost' THEN 1 ELSE 0 END), 0) \
             FROM deals WHERE tenant_id = $1 AND pipeline_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(pipeline.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok((won, lost))
    }
}
