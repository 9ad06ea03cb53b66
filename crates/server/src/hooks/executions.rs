//! The tenant's execution log: what ran on its behalf, newest first —
//! webhook deliveries (this area's) and campaign runs (read from the
//! campaigns' store), merged by id (both are time-ordered UUIDs), each
//! kind filtered by its own statuses.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use store::campaigns::CampaignStatus;
use store::hooks::deliveries::{DeliveryQuery, DeliveryStatus};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// An entry of the execution log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Execution {
    pub id: uuid::Uuid,
    /// `webhook_delivery` or `campaign_run`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `dead` for deliveries; `running`,
    /// `paused`, `finished` or `cancelled` for campaign runs.
    pub status: String,
    /// What it was about: for a delivery, the endpoint's URL and the event.
    pub subject: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub details: Value,
}

#[derive(Debug, Clone, Default)]
pub struct ExecutionFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// The kinds of the log.
const KINDS: &str = "one of webhook_delivery, campaign_run";

/// What ran on the tenant's behalf, newest first.
pub async fn list_executions(
    state: &AppState,
    ctx: &TenantCtx,
    filter: ExecutionFilter,
    page: PageRequest,
) -> AppResult<Page<Execution>> {
    ctx.require(Permission::TenantRead)?;
    let (deliveries, campaigns) = match filter.kind.as_deref() {
        None => (true, true),
        Some("webhook_delivery") => (true, false),
        Some("campaign_run") => (false, true),
        Some(_) => return Err(AppError::validation("type", KINDS)),
    };
    // A status names one kind's state: the other kind has none in it.
    let (delivery_status, campaign_status) = match filter.status.as_deref() {
        None => (None, None),
        Some(s) => match (DeliveryStatus::parse(s), CampaignStatus::parse(s)) {
            (Some(d), _) => (Some(Some(d)), None),
            (None, Some(c)) if c.as_str() != "draft" && c.as_str() != "scheduled" => {
                (None, Some(Some(c)))
            }
            _ => {
                return Err(AppError::validation(
                    "status",
                    "pending, delivered, dead, running, paused, finished or cancelled",
                ));
            }
        },
    };
    let deliveries = deliveries && campaign_status.is_none();
    let campaigns = campaigns && delivery_status.is_none();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut items = Vec::new();
    let mut more = false;
    if deliveries {
        let q = DeliveryQuery {
            endpoint_id: None,
            status: delivery_status.flatten(),
            event_name: None,
            since: filter.since,
            until: filter.until,
        };
        let found = tx.list_hook_deliveries(&q, page).await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(|(d, url)| delivery(d, url)));
    }
    if campaigns {
        let status = campaign_status.flatten();
        let found = tx
            .list_campaign_runs(status, filter.since, filter.until, page)
            .await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(campaign_run));
    }
    tx.commit().await?;
    // Both lists are newest first by id: merged, the page is the newest
    // `limit` of them, and the next one starts after its last.
    items.sort_by_key(|e| std::cmp::Reverse(e.id));
    let limit = page.limit as usize;
    more |= items.len() > limit;
    items.truncate(limit);
    let next = if more {
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Page { items, next })
}

fn delivery(d: store::hooks::deliveries::HookDelivery, url: String) -> Execution {
    Execution {
        id: d.id.as_uuid(),
        kind: "webhook_delivery".into(),
        status: d.status.as_str().to_owned(),
        subject: format!("{} → {url}", d.event_name),
        started_at: d.created_at,
        finished_at: match d.status {
            DeliveryStatus::Delivered => d.delivered_at,
            DeliveryStatus::Dead => Some(d.updated_at),
            DeliveryStatus::Pending => None,
        },
        details: json!({
            "delivery_id": d.id,
            "endpoint_id": d.endpoint_id,
            "endpoint_url": url,
            "event": d.event_name,
            "event_id": d.event_id,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "next_attempt_at": d.next_attempt_at,
        }),
    }
}

fn campaign_run(c: store::campaigns::Campaign) -> Execution {
    Execution {
        id: c.id.as_uuid(),
        kind: "campaign_run".into(),
        status: c.status.as_str().to_owned(),
        subject: format!(
            "{}: {} ({}) to {} recipients",
            c.name, c.template_name, c.template_language, c.recipient_count
        ),
        started_at: c.started_at.unwrap_or(c.created_at),
        finished_at: c.finished_at,
        details: json!({
            "campaign_id": c.id,
            "name": c.name,
            "channel_id": c.channel_id,
            "template": format!("{} ({})", c.template_name, c.template_language),
            "recipients": c.recipient_count,
            "reason": c.status_reason,
        }),
    }
}
