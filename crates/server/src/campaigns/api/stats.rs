//! A campaign's figures and recipients (`/api/v1/campaigns/{id}/stats`,
//! `/recipients`, `/recipients.csv`): adapters over
//! [`crate::campaigns::stats`].

use crate::auth::{Authorized, perm};
use crate::campaigns::stats::{self as rules, CampaignStats, recipient_reason, recipient_state};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::pagination::{Paged, page_limit};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use domain::{CampaignId, ContactId, MessageId, Timestamp};
use serde::{Deserialize, Serialize};
use store::campaigns::recipients::RecipientRow;
use store::page::PageRequest;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(campaign_stats))
        .routes(routes!(campaign_recipients))
        .routes(routes!(export_recipients))
}

/// A campaign's figures, with its funnel.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    /// `draft`, `scheduled`, `running`, `paused`, `finished`, `cancelled`.
    pub status: String,
    pub status_reason: Option<String>,
    #[serde(flatten)]
    pub stats: CampaignStats,
    /// Recipients who reached at least each step, in order: Sent,
    /// Delivered, Read, Replied.
    pub funnel: Vec<FunnelStep>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub step: String,
    pub recipients: i64,
}

/// A campaign's figures, live (`inbox:read`).
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign_id}/stats", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, body = StatsView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn campaign_stats(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<Json<StatsView>> {
    let (c, stats) = rules::campaign_stats(&state, &ctx, id).await?;
    Ok(Json(StatsView {
        status: c.status.as_str().to_owned(),
        status_reason: c.status_reason,
        funnel: stats
            .funnel()
            .into_iter()
            .map(|(step, recipients)| FunnelStep {
                step: step.to_owned(),
                recipients,
            })
            .collect(),
        stats,
    }))
}

/// One recipient of a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientView {
    pub contact_id: ContactId,
    pub name: Option<String>,
    pub wa_id: Option<String>,
    /// `pending`, `skipped`, `failed`, `cancelled`, or once queued its
    /// message's `queued`, `sent`, `delivered`, `read`, `failed`, or
    /// `replied`.
    pub state: String,
    /// Why it was skipped or failed (`code: text`).
    pub reason: Option<String>,
    pub message_id: Option<MessageId>,
    /// Messages queued for it (2 after a retry).
    pub attempts: i64,
    pub updated_at: Timestamp,
}

fn view(r: RecipientRow) -> RecipientView {
    let reason = Some(recipient_reason(&r)).filter(|s| !s.is_empty());
    RecipientView {
        state: recipient_state(&r),
        reason,
        contact_id: r.contact_id,
        name: r.contact_name,
        wa_id: r.wa_id,
        message_id: r.message_id,
        attempts: r.attempts,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecipientQuery {
    /// Only recipients in this state: `pending`, `queued`, `skipped`,
    /// `failed`, `cancelled`, or a message's `message:sent`,
    /// `message:delivered`, `message:read`, `message:failed`…
    #[param(pattern = "^(pending|queued|skipped|failed|cancelled|message:[a-z_]+)?$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

fn status_filter(q: &RecipientQuery) -> AppResult<Option<String>> {
    let s = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let ok = |s: &str| {
        ["pending", "queued", "skipped", "failed", "cancelled"].contains(&s)
            || s.strip_prefix("message:").is_some_and(|m| {
                !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
    };
    match s {
        Some(s) if !ok(s) => Err(AppError::validation(
            "status",
            "a recipient or message state",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A campaign's recipients one by one, in contact order (`inbox:read`).
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign_id}/recipients", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path), RecipientQuery),
    responses((status = 200, body = Paged<RecipientView>), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn campaign_recipients(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<CampaignId>,
    ApiQuery(q): ApiQuery<RecipientQuery>,
) -> AppResult<Json<Paged<RecipientView>>> {
    let status = status_filter(&q)?;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            c.parse::<uuid::Uuid>()
                .map_err(|_| AppError::validation("cursor", "not a cursor from this API"))?,
        ),
        None => None,
    };
    let page = PageRequest::new(after, page_limit(q.limit)?);
    let rows = rules::campaign_recipients(&state, &ctx, id, status.as_deref(), page).await?;
    Ok(Json(Paged::from_page(rows, view)))
}

/// Every recipient of a campaign as CSV: contact, number, state, reason,
/// message id, attempts (`inbox:read`).
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign_id}/recipients.csv", tag = "campaigns",
    params(("campaign_id" = CampaignId, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_recipients(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<CampaignId>,
) -> AppResult<impl IntoResponse> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "contact_id",
        "name",
        "wa_id",
        "state",
        "reason",
        "message_id",
        "attempts",
    ];
    out.write_record(header_row).map_err(AppError::internal)?;
    let mut after = None;
    loop {
        let page = PageRequest::new(after, 200);
        let rows = rules::campaign_recipients(&state, &ctx, id, None, page).await?;
        for r in &rows.items {
            let record = [
                r.contact_id.to_string(),
                crate::crm::export::neutralise(r.contact_name.clone().unwrap_or_default()),
                r.wa_id.clone().unwrap_or_default(),
                recipient_state(r),
                crate::crm::export::neutralise(recipient_reason(r)),
                r.message_id.map(|m| m.to_string()).unwrap_or_default(),
                r.attempts.to_string(),
            ];
            out.write_record(&record).map_err(AppError::internal)?;
        }
        match rows.next.filter(|_| !rows.items.is_empty()) {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    let name = format!("attachment; filename=\"campaign-{id}-recipients.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    ))
}
