//! The delivery log (per endpoint, with every attempt) and replays. The
//! tenant's execution log, which lists deliveries beside campaign runs, is
//! [`super::executions`].

use super::{jobs, patterns};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{DeliveryId, EndpointId, Permission, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use store::hooks::attempts::HookAttempt;
use store::hooks::deliveries::{DeliveryQuery, DeliveryStatus, HookDelivery, NewHookDelivery};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// One event on its way to one endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub endpoint_url: String,
    /// The event's id (the body's `id`; the same on every attempt).
    pub event_id: domain::EventId,
    pub event: String,
    /// The event's number in the tenant's log (`null` for test events).
    pub event_seq: Option<i64>,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts in the current series.
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    /// The last answer's HTTP status (`null`: none, or no answer).
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Delivery {
    pub fn from_stored(d: HookDelivery, endpoint_url: String) -> Self {
        Delivery {
            id: d.id,
            endpoint_id: d.endpoint_id,
            endpoint_url,
            event_id: d.event_id,
            event: d.event_name,
            event_seq: d.event_seq,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// One request made for a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attempt {
    /// Its number in its series (1, 2, …).
    pub attempt: i64,
    pub started_at: Timestamp,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// The answer's first 4 KiB.
    pub response_body: Option<String>,
    pub error: Option<String>,
}

impl From<HookAttempt> for Attempt {
    fn from(a: HookAttempt) -> Self {
        Attempt {
            attempt: a.attempt,
            started_at: a.started_at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_body: a.response_body,
            error: a.error,
        }
    }
}

/// A delivery with the body it sends and every attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    /// The JSON body sent (the same bytes on every attempt).
    pub payload: Value,
    pub attempts: Vec<Attempt>,
}

/// Which deliveries a log shows.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    pub event: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// What to replay to an endpoint.
#[derive(Debug, Clone, Copy)]
pub enum ReplayScope {
    /// Every dead-lettered delivery.
    Dead,
    /// Every event of the log created in `[since, until)` that the endpoint
    /// subscribes to.
    Range { since: Timestamp, until: Timestamp },
}

pub(super) fn status(raw: Option<&str>) -> AppResult<Option<DeliveryStatus>> {
    raw.map(|s| {
        DeliveryStatus::parse(s)
            .ok_or_else(|| AppError::validation("status", "one of pending, delivered, dead"))
    })
    .transpose()
}

/// An endpoint's deliveries, newest first.
pub async fn list_deliveries(
    state: &AppState,
    ctx: &TenantCtx,
    endpoint: EndpointId,
    filter: DeliveryFilter,
    page: PageRequest,
) -> AppResult<Page<Delivery>> {
    ctx.require(Permission::WebhooksManage)?;
    let q = DeliveryQuery {
        endpoint_id: Some(endpoint),
        status: status(filter.status.as_deref())?,
        event_name: filter.event,
        since: filter.since,
        until: filter.until,
    };
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_hook_endpoint(endpoint).await?;
    let found = tx.list_hook_deliveries(&q, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found
            .items
            .into_iter()
            .map(|(d, url)| Delivery::from_stored(d, url))
            .collect(),
        next: found.next,
    })
}

/// One delivery with its body and every attempt.
pub async fn get_delivery(
    state: &AppState,
    ctx: &TenantCtx,
    id: DeliveryId,
) -> AppResult<DeliveryDetail> {
    ctx.require(Permission::WebhooksManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let d = tx.find_hook_delivery(id).await?;
    let endpoint = tx.find_hook_endpoint(d.endpoint_id).await?;
    let attempts = tx.list_hook_attempts(id).await?;
    tx.commit().await?;
    let payload = serde_json::from_str(&d.body).unwrap_or(Value::Null);
    Ok(DeliveryDetail {
        delivery: Delivery::from_stored(d, endpoint.url),
        payload,
        attempts: attempts.into_iter().map(Attempt::from).collect(),
    })
}

/// Delivers again: a new series of attempts, same body.
pub async fn replay_delivery(
    state: &AppState,
    ctx: &TenantCtx,
    id: DeliveryId,
) -> AppResult<Delivery> {
    ctx.require(Permission::WebhooksManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_hook_delivery(id).await?;
    let endpoint = tx.find_hook_endpoint(d.endpoint_id).await?;
    let series = new_series(&d, now);
    tx.restart_hook_delivery(id, series).await?;
    jobs::enqueue_attempt(&mut tx, id, series, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "webhook_delivery.replay",
        ("webhook_delivery", id.to_string()),
        json!({ "endpoint_id": endpoint.id, "event": d.event_name }),
    )
    .await?;
    let d = tx.find_hook_delivery(id).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(Delivery::from_stored(d, endpoint.url))
}

/// A series start after `d`'s current one (jobs of the old series stop).
fn new_series(d: &HookDelivery, now: Timestamp) -> Timestamp {
    now.max(d.series_started_at.plus_millis(1))
}

/// Replays every dead delivery of an endpoint, or every event of a time
/// range it subscribes to (creating the deliveries missing, restarting the
/// others); how many deliveries it queued.
pub async fn replay_endpoint(
    state: &AppState,
    ctx: &TenantCtx,
    endpoint: EndpointId,
    scope: ReplayScope,
) -> AppResult<u64> {
    ctx.require(Permission::WebhooksManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let e = tx.find_hook_endpoint(endpoint).await?;
    let mut queued = 0u64;
    match scope {
        ReplayScope::Dead => {
            for id in tx.hook_delivery_ids(endpoint, DeliveryStatus::Dead).await? {
                let d = tx.find_hook_delivery(id).await?;
                let series = new_series(&d, now);
                tx.restart_hook_delivery(id, series).await?;
                jobs::enqueue_attempt(&mut tx, id, series, now).await?;
                queued += 1;
            }
        }
        ReplayScope::Range { since, until } => {
            if until <= since {
                return Err(AppError::validation("until", "must be after `since`"));
            }
            // A range replays events of the log; a Cloud-API endpoint takes
            // Meta's webhooks, whose deliveries replay one by one or as
            // dead letters.
            if e.format == store::hooks::HookFormat::CloudApi {
                return Err(AppError::Rule(
                    "replay_range_not_supported",
                    "a Cloud API endpoint replays its deliveries (one, or the dead-lettered), not a range of events".into(),
                ));
            }
            let mut after = 0;
            loop {
                let events = tx.events_created_between(since, until, after, 500).await?;
                let Some(last) = events.last().map(|ev| ev.seq) else {
                    break;
                };
                after = last;
                for ev in events
                    .iter()
                    .filter(|ev| patterns::any_matches(&e.events, &ev.name))
                {
                    if let Some(d) = tx.find_hook_delivery_of(endpoint, ev.id).await? {
                        let series = new_series(&d, now);
                        tx.restart_hook_delivery(d.id, series).await?;
                        jobs::enqueue_attempt(&mut tx, d.id, series, now).await?;
                    } else {
                        let id = DeliveryId::new();
                        let body = super::fanout::body(
                            ctx.tenant_id,
                            ev.id,
                            &ev.name,
                            ev.version,
                            Some(ev.seq),
                            ev.created_at,
                            &ev.payload,
                        );
                        tx.insert_hook_delivery(&NewHookDelivery {
                            id,
                            endpoint_id: endpoint,
                            event_id: ev.id,
                            event_name: &ev.name,
                            event_seq: Some(ev.seq),
                            body: &body,
                            now,
                        })
                        .await?;
                        jobs::enqueue_attempt(&mut tx, id, now, now).await?;
                    }
                    queued += 1;
                }
            }
        }
    }
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "webhook_endpoint.replay",
        ("webhook_endpoint", endpoint.to_string()),
        json!({ "deliveries": queued }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(queued)
}

pub use super::executions::{Execution, ExecutionFilter, list_executions};
