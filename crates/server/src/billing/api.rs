//! The tenant's usage (`/api/v1/usage`).

use super::usage::{LimitUsage, PeriodUsage, UsageReport};
use crate::auth::{Authorized, perm};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_usage))
}

/// One billing period's counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    /// The period's first instant (RFC 3339, UTC).
    pub start: String,
    /// The next period's first instant.
    pub end: String,
    /// Every metric, 0 when nothing was counted: `messages_out` (all
    /// categories), `messages_out.marketing`, `messages_out.utility`,
    /// `messages_out.authentication`, `messages_out.service`,
    /// `messages_in`, `api_calls` (requests with an API key).
    #[schema(example = json!({"messages_out": 812, "messages_out.marketing": 700,
        "messages_out.utility": 100, "messages_out.authentication": 0,
        "messages_out.service": 12, "messages_in": 95, "api_calls": 4410}))]
    pub counts: BTreeMap<String, i64>,
}

impl From<PeriodUsage> for PeriodView {
    fn from(p: PeriodUsage) -> Self {
        PeriodView {
            start: p.start.to_rfc3339(),
            end: p.end.to_rfc3339(),
            counts: p
                .counts
                .into_iter()
                .map(|(m, n)| (m.as_str().to_owned(), n))
                .collect(),
        }
    }
}

/// A plan limit and what is used of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitView {
    /// The limit's name in the plan: `messages_per_month`, `agents`
    /// (seats), `numbers`, `contacts`.
    pub limit: String,
    pub used: i64,
    /// `null`: unlimited.
    pub allowed: Option<i64>,
    /// `normal`, `near` (80 % or more) or `reached` (100 %).
    pub level: String,
}

impl From<LimitUsage> for LimitView {
    fn from(l: LimitUsage) -> Self {
        LimitView {
            limit: l.limit.to_owned(),
            used: l.used,
            allowed: l.allowed,
            level: l.level.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub current: PeriodView,
    pub limits: Vec<LimitView>,
    /// Earlier periods of the last year with any usage, newest first.
    pub history: Vec<PeriodView>,
}

impl From<UsageReport> for UsageView {
    fn from(r: UsageReport) -> Self {
        UsageView {
            current: r.current.into(),
            limits: r.limits.into_iter().map(Into::into).collect(),
            history: r.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// My usage: this billing period's counters, the plan's limits as used,
/// and the last year's periods.
#[utoipa::path(get, path = "/api/v1/usage", tag = "tenant",
    responses((status = 200, body = UsageView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_usage(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<UsageView>> {
    let report = super::usage::usage_report(&state, &ctx).await?;
    Ok(Json(report.into()))
}
