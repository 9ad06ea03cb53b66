//! Deals in pipelines (docs/DESIGN.md, "CRM: pipelines and deals").
//! Pipelines with ordered stages are the catalogue (`settings:manage`,
//! [`pipelines`], [`stages`]); deals move through them (`inbox:write`, [`records`] and
//! [`moves`]); the dashboard's board and forms read through [`board`].
//! Won and lost are a deal's status, not stages. Every change is audited
//! and recorded as a `pipeline.*` or `deal.*` event in its transaction.

pub mod board;
pub mod money;
pub mod moves;
pub mod pipelines;
pub mod records;
pub mod stages;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use domain::events::{DealRef, Event};
use domain::{ContactId, DealId, PipelineId, StageId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::TenantTx;
use store::crm::deals as stored;
use utoipa::ToSchema;

/// Where a deal stands. Won and lost are outcomes, not stages: a closed
/// deal keeps the stage it was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl From<stored::DealStatus> for DealStatus {
    fn from(s: stored::DealStatus) -> Self {
        match s {
            stored::DealStatus::Open => DealStatus::Open,
            stored::DealStatus::Won => DealStatus::Won,
            stored::DealStatus::Lost => DealStatus::Lost,
        }
    }
}

impl From<DealStatus> for stored::DealStatus {
    fn from(s: DealStatus) -> Self {
        match s {
            DealStatus::Open => stored::DealStatus::Open,
            DealStatus::Won => stored::DealStatus::Won,
            DealStatus::Lost => stored::DealStatus::Lost,
        }
    }
}

impl DealStatus {
    pub fn as_str(self) -> &'static str {
        stored::DealStatus::from(self).as_str()
    }
}

/// One stage of a pipeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stage {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub name: String,
    /// 0, 1, 2… in board order.
    pub position: i64,
}

impl From<stored::Stage> for Stage {
    fn from(s: stored::Stage) -> Self {
        Stage {
            id: s.id,
            pipeline_id: s.pipeline_id,
            name: s.name,
            position: s.position,
        }
    }
}

/// A pipeline with its stages in board order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    pub stages: Vec<Stage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<stored::Pipeline> for Pipeline {
    fn from(p: stored::Pipeline) -> Self {
        Pipeline {
            id: p.id,
            name: p.name,
            stages: p.stages.into_iter().map(Stage::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A deal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deal {
    pub id: DealId,
    pub title: String,
    pub pipeline_id: PipelineId,
    pub pipeline_name: String,
    pub stage_id: StageId,
    pub stage_name: String,
    /// In the currency's minor units (cents): `125050` EUR is €1,250.50.
    pub value_minor: i64,
    /// ISO 4217.
    pub currency: String,
    pub contact_id: Option<ContactId>,
    /// The contact's name as the dashboard shows it.
    pub contact_name: Option<String>,
    /// A user of the tenant.
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close_on: Option<String>,
    pub status: DealStatus,
    /// Set when the deal is lost.
    pub lost_reason: Option<String>,
    /// When it was won or lost (`null` while open).
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Deal {
    /// The value as people read it (`€1,250.50`).
    pub fn value_label(&self) -> String {
        money::format(self.value_minor, &self.currency)
    }
}

impl From<stored::Deal> for Deal {
    fn from(d: stored::Deal) -> Self {
        Deal {
            id: d.id,
            title: d.title,
            pipeline_id: d.pipeline_id,
            pipeline_name: d.names.pipeline,
            stage_id: d.stage_id,
            stage_name: d.names.stage,
            value_minor: d.value_minor,
            currency: d.currency,
            contact_id: d.contact_id,
            contact_name: d.names.contact,
            owner_id: d.owner_id,
            owner_name: d.names.owner,
            expected_close_on: d.expected_close_on,
            status: d.status.into(),
            lost_reason: d.lost_reason,
            closed_at: d.closed_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// One row of a deal's stage history: a stage it entered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageChange {
    /// `null` on the first row: the stage the deal was created in.
    pub from_stage_id: Option<StageId>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: StageId,
    /// The stages' names at the time.
    pub to_stage_name: String,
    /// The user who moved it, if a user did.
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    /// Who moved it: `user:<id>`, `api_key:<id>`, …
    pub changed_by: String,
    pub changed_at: Timestamp,
}

impl From<stored::StageChange> for StageChange {
    fn from(c: stored::StageChange) -> Self {
        StageChange {
            from_stage_id: c.from_stage_id,
            from_stage_name: c.from_stage_name,
            to_stage_id: c.to_stage_id,
            to_stage_name: c.to_stage_name,
            user_id: c.user_id,
            user_name: c.user_name,
            changed_by: c.actor,
            changed_at: c.changed_at,
        }
    }
}

/// A deal with its stage history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealDetail {
    #[serde(flatten)]
    pub deal: Deal,
    pub stage_history: Vec<StageChange>,
}

/// Trimmed text of 1 to `max` characters without control characters.
pub(crate) fn text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    domain::values::display_name(raw, max).map_err(|e| AppError::validation(field, e.message))
}

/// A `YYYY-MM-DD` calendar date.
pub(crate) fn date(field: &'static str, raw: &str) -> AppResult<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let raw = raw.trim();
    if raw.len() != 10 {
        return Err(AppError::validation(field, "a date: YYYY-MM-DD"));
    }
    time::Date::parse(raw, format)
        .ok()
        .and_then(|d| d.format(format).ok())
        .ok_or_else(|| AppError::validation(field, "a date: YYYY-MM-DD"))
}

/// What events say about a deal.
pub(crate) fn deal_ref(d: &stored::Deal) -> DealRef {
    DealRef {
        deal_id: d.id,
        title: d.title.clone(),
        pipeline_id: d.pipeline_id,
        stage_id: d.stage_id,
        contact_id: d.contact_id,
        owner_id: d.owner_id,
        value_minor: d.value_minor,
        currency: d.currency.clone(),
        status: d.status.as_str().to_owned(),
    }
}

/// Records `event` and the audit entry `deal.<action>` for deal `id`.
pub(crate) async fn deal_changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    id: DealId,
    event: Event,
    action: &str,
    details: Value,
    now: Timestamp,
) -> AppResult<()> {
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("deal.{action}"),
        ("deal", id.to_string()),
        details,
    )
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_calendar_days() {
        assert_eq!(super::date("d", " 2026-02-28 ").unwrap(), "2026-02-28");
        for bad in [
            "2026-02-30",
            "2026-2-3",
            "26-02-03",
            "2026/02/03",
            "tomorrow",
            "",
        ] {
            assert!(super::date("d", bad).is_err(), "{bad}");
        }
    }
}
