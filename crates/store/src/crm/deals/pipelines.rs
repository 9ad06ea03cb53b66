//! `pipelines` and their ordered `pipeline_stages`.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{PipelineId, StageId, Timestamp};
use uuid::Uuid;

/// A pipeline with its stages in board order.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    pub stages: Vec<Stage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One stage of a pipeline.
#[derive(Debug, Clone)]
pub struct Stage {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub name: String,
    /// 0, 1, 2… in board order.
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct PipelineRow {
    id: Uuid,
    name: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct StageRow {
    id: Uuid,
    pipeline_id: Uuid,
    name: String,
    position: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<StageRow> for Stage {
    fn from(r: StageRow) -> Self {
        Stage {
            id: StageId::from_uuid(r.id),
            pipeline_id: PipelineId::from_uuid(r.pipeline_id),
            name: r.name,
            position: r.position,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

fn with_stages(rows: Vec<PipelineRow>, stages: &[Stage]) -> Vec<Pipeline> {
    rows.into_iter()
        .map(|r| {
            let id = PipelineId::from_uuid(r.id);
            Pipeline {
                id,
                name: r.name,
                stages: stages
                    .iter()
                    .filter(|s| s.pipeline_id == id)
                    .cloned()
                    .collect(),
                created_at: Timestamp::from_millis(r.created_at),
                updated_at: Timestamp::from_millis(r.updated_at),
            }
        })
        .collect()
}

const STAGE_COLUMNS: &str = "id, pipeline_id, name, position, created_at, updated_at";

impl TenantTx {
    /// Inserts `p` with its stages.
    pub async fn insert_pipeline(&mut self, p: &Pipeline) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO pipelines (tenant_id, id, name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(self.tenant.as_uuid())
        .bind(p.id.as_uuid())
        .bind(&p.name)
        .bind(p.created_at.as_millis())
        .bind(p.updated_at.as_millis())
        .execute(c)
        .await)?;
        for s in &p.stages {
            self.insert_stage(s).await?;
        }
        Ok(())
    }

    /// A pipeline with its stages.
    pub async fn find_pipeline(&mut self, id: PipelineId) -> StoreResult<Pipeline> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, PipelineRow>(
            "SELECT id, name, created_at, updated_at FROM pipelines \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?
        .or_not_found()?;
        let stages = self.list_stages(Some(id)).await?;
        Ok(with_stages(vec![row], &stages).remove(0))
    }

    /// Pipelines, oldest first (the first is the board's default).
    pub async fn list_pipelines(&mut self, page: PageRequest) -> StoreResult<Page<Pipeline>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, PipelineRow>(
            "SELECT id, name, created_at, updated_at FROM pipelines \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let stages = self.list_stages(None).await?;
        Ok(page.finish(with_stages(rows, &stages), |p| p.id.as_uuid()))
    }

    pub async fn count_pipelines(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pipelines WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    pub async fn rename_pipeline(
        &mut self,
        id: PipelineId,
        name: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE pipelines SET name = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(name)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Removes a pipeline and its stages (the caller checked it has no deals).
    pub async fn delete_pipeline(&mut self, id: PipelineId) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM pipeline_stages WHERE tenant_id = $1 AND pipeline_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM pipelines WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// The stages of `pipeline` (of every pipeline when `None`), in order.
    pub async fn list_stages(&mut self, pipeline: Option<PipelineId>) -> StoreResult<Vec<Stage>> {
        let sql = format!(
            "SELECT {STAGE_COLUMNS} FROM pipeline_stages \
             WHERE tenant_id = $1 AND ($2 IS NULL OR pipeline_id = $2) \
             ORDER BY pipeline_id, position, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, StageRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(pipeline.map(|p| p.as_uuid()))
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Stage::from).collect())
    }

    /// One stage of any of the tenant's pipelines.
    pub async fn find_stage(&mut self, id: StageId) -> StoreResult<Stage> {
        let sql =
            format!("SELECT {STAGE_COLUMNS} FROM pipeline_stages WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, StageRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    pub async fn insert_stage(&mut self, s: &Stage) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, name, position, \
               created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(s.pipeline_id.as_uuid())
        .bind(&s.name)
        .bind(s.position)
        .bind(s.created_at.as_millis())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes a stage's name, position and `updated_at`.
    pub async fn update_stage(&mut self, s: &Stage) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE pipeline_stages SET name = $3, position = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(s.position)
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn delete_stage(&mut self, id: StageId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM pipeline_stages WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// How many deals (open or closed) are in `pipeline`.
    pub async fn count_pipeline_deals(&mut self, pipeline: PipelineId) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND pipeline_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(pipeline.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// How many deals (open or closed) are in `stage`.
    pub async fn count_stage_deals(&mut self, stage: StageId) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND stage_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(stage.as_uuid())
        .fetch_one(c)
        .await)
    }
}
