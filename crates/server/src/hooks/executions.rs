//! The tenant's execution log: what ran on its behalf, newest first —
//! webhook deliveries (this area's), campaign runs, workflow runs and drip
//! subscribers with the steps they were sent (read from their areas'
//! stores), merged by id (all are time-ordered UUIDs), each kind filtered
//! by its own statuses.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use store::campaigns::CampaignStatus;
use store::drips::{LoggedSubscriber, SubscriberStatus};
use store::hooks::deliveries::{DeliveryQuery, DeliveryStatus};
use store::page::{Page, PageRequest};
use store::workflows::{RunFilter, RunStatus, WorkflowRun};
use utoipa::ToSchema;

/// An entry of the execution log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Execution {
    pub id: uuid::Uuid,
    /// `webhook_delivery`, `campaign_run`, `workflow_run` or
    /// `drip_subscriber`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `dead` for deliveries; `running`,
    /// `paused`, `finished` or `cancelled` for campaign runs; `running`,
    /// `waiting`, `completed`, `failed`, `cancelled` or `skipped` for
    /// workflow runs; `active`, `completed` or `exited` for drip
    /// subscribers.
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
const KINDS: [&str; 4] = [
    "webhook_delivery",
    "campaign_run",
    "workflow_run",
    "drip_subscriber",
];

/// Whether a kind is in the page and with what status: `None` if the
/// kind filter leaves it out or the status is none of its own; else
/// `Some(None)` (any status) or `Some(Some(status))`.
fn kind_status<S>(
    included: bool,
    status: Option<&str>,
    parse: impl Fn(&str) -> Option<S>,
) -> Option<Option<S>> {
    if !included {
        return None;
    }
    match status {
        None => Some(None),
        Some(s) => parse(s).map(Some),
    }
}

/// What ran on the tenant's behalf, newest first.
pub async fn list_executions(
    state: &AppState,
    ctx: &TenantCtx,
    filter: ExecutionFilter,
    page: PageRequest,
) -> AppResult<Page<Execution>> {
    ctx.require(Permission::TenantRead)?;
    let kind = filter.kind.as_deref();
    if kind.is_some_and(|k| !KINDS.contains(&k)) {
        return Err(AppError::validation(
            "type",
            format!("one of {}", KINDS.join(", ")),
        ));
    }
    let wants = |k: &str| kind.is_none_or(|x| x == k);
    let status = filter.status.as_deref();
    // A status names the states of some kinds: the others have none in it.
    let deliveries = kind_status(wants("webhook_delivery"), status, DeliveryStatus::parse);
    let campaigns = kind_status(wants("campaign_run"), status, |s| {
        CampaignStatus::parse(s).filter(|c| !matches!(c.as_str(), "draft" | "scheduled"))
    });
    let runs = kind_status(wants("workflow_run"), status, RunStatus::parse);
    let drips = kind_status(wants("drip_subscriber"), status, SubscriberStatus::parse);
    if status.is_some()
        && deliveries.is_none()
        && campaigns.is_none()
        && runs.is_none()
        && drips.is_none()
    {
        return Err(AppError::validation(
            "status",
            "pending, delivered, dead, running, paused, finished, cancelled, waiting, \
             completed, failed, skipped, active or exited",
        ));
    }
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut items = Vec::new();
    let mut more = false;
    if let Some(status) = deliveries {
        let q = DeliveryQuery {
            endpoint_id: None,
            status,
            event_name: None,
            since: filter.since,
            until: filter.until,
        };
        let found = tx.list_hook_deliveries(&q, page).await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(|(d, url)| delivery(d, url)));
    }
    if let Some(status) = campaigns {
        let found = tx
            .list_campaign_runs(status, filter.since, filter.until, page)
            .await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(campaign_run));
    }
    if let Some(status) = runs {
        let filter = RunFilter {
            status,
            since: filter.since,
            until: filter.until,
            ..RunFilter::default()
        };
        let found = tx.list_workflow_runs(filter, page).await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(workflow_run));
    }
    if let Some(status) = drips {
        let found = tx
            .list_drip_subscribers_log(status, filter.since, filter.until, page)
            .await?;
        more |= found.next.is_some();
        items.extend(found.items.into_iter().map(drip_subscriber));
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

fn workflow_run(r: WorkflowRun) -> Execution {
    Execution {
        id: r.id.as_uuid(),
        kind: "workflow_run".into(),
        status: r.status.as_str().to_owned(),
        subject: format!(
            "{} (v{}) on {}",
            r.workflow_name, r.version, r.trigger_event
        ),
        started_at: r.started_at,
        finished_at: r.finished_at,
        details: json!({
            "run_id": r.id,
            "workflow_id": r.workflow_id,
            "workflow_name": r.workflow_name,
            "version": r.version,
            "trigger_event": r.trigger_event,
            "trigger_event_id": r.trigger_event_id,
            "contact_id": r.contact_id,
            "conversation_id": r.conversation_id,
            "error": r.error,
        }),
    }
}

fn drip_subscriber(l: LoggedSubscriber) -> Execution {
    let s = l.subscriber;
    Execution {
        id: s.id.as_uuid(),
        kind: "drip_subscriber".into(),
        status: s.status.as_str().to_owned(),
        subject: format!("{}: {} step(s) sent", l.drip_name, l.sent),
        started_at: s.enrolled_at,
        finished_at: s.finished_at,
        details: json!({
            "subscriber_id": s.id,
            "drip_id": s.drip_id,
            "drip_name": l.drip_name,
            "contact_id": s.contact_id,
            "via": s.via,
            "step": s.step,
            "next_at": s.next_at,
            "sent": l.sent,
            "exit_reason": s.exit_reason,
            "exit_detail": s.exit_detail,
        }),
    }
}
