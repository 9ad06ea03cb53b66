//! Endpoints: create, list, change, delete, roll the signing secret, send
//! a test event. The secret is shown once (in the answers to create and
//! roll); extra header values are never shown again. Every rule needs
//! `webhooks:manage`, is audited and records a `webhook_endpoint.*` event.

use super::cloud_settings::{check_verify_token, cloud_settings, own_channels, reverify};
use super::settings::{description, open_headers, seal_headers};
use super::{fanout, jobs, patterns, signature, ssrf};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use crate::tenancy::limits::{self, Limit};
use domain::events::{Event, WebhookEndpointRef};
use domain::{ChannelId, DeliveryId, EndpointId, EventId, Permission, Timestamp};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use store::TenantTx;
use store::hooks::deliveries::{DeliveryStatus, NewHookDelivery};
use store::hooks::{HookEndpoint, HookFormat};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

pub use super::log::Delivery;

/// The longest overlap of a rolled secret, in hours.
pub const MAX_OVERLAP_HOURS: i64 = 72;
/// The overlap when none is given.
pub const DEFAULT_OVERLAP_HOURS: i64 = 24;

/// An endpoint to create.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    /// Ignored (and left empty) for a Cloud-API endpoint.
    pub events: Vec<String>,
    pub description: Option<String>,
    /// `true` when `None`.
    pub enabled: Option<bool>,
    pub headers: Option<BTreeMap<String, String>>,
    pub format: HookFormat,
    /// Cloud API only: the numbers whose webhooks it takes (none: all).
    pub channel_ids: Option<Vec<ChannelId>>,
    /// Cloud API only, required: its `hub.verify_token`.
    pub verify_token: Option<String>,
    /// Cloud API only: the signing secret (the bot's app secret); one is
    /// made when `None`.
    pub secret: Option<String>,
}

/// A change to an endpoint; `None` leaves a field as it is. An empty
/// `description` clears it; `headers` replaces them all (empty: none).
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub headers: Option<BTreeMap<String, String>>,
    /// Cloud API only: its numbers (empty: all).
    pub channel_ids: Option<Vec<ChannelId>>,
    /// Cloud API only.
    pub verify_token: Option<String>,
}

/// An endpoint as its tenant sees it (never its secret or header values).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: EndpointId,
    pub url: String,
    /// Event patterns: names, `family.*` or `*` (empty for the Cloud API
    /// format).
    pub events: Vec<String>,
    /// `switchboard` (Switchboard's events) or `cloud_api` (Meta's
    /// webhooks for the tenant's numbers, as Meta sends them).
    #[schema(value_type = String, example = "switchboard")]
    pub format: &'static str,
    /// Cloud API format: the numbers whose webhooks it takes (`null`: all).
    pub channel_ids: Option<Vec<ChannelId>>,
    pub description: Option<String>,
    pub enabled: bool,
    /// The extra headers' names (their values are never shown again).
    pub header_names: Vec<String>,
    /// Why Switchboard disabled it, if it did.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed, if they do.
    pub failing_since: Option<Timestamp>,
    /// Share of the last 24 hours' attempts answered 2xx (`null`: none).
    pub success_rate_24h: Option<f64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An endpoint just made, with its signing secret (shown this once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedEndpoint {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// A new signing secret (shown this once), and until when the old one
/// signs too.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RolledSecret {
    pub secret: String,
    pub previous_valid_until: Timestamp,
}

/// Creates an endpoint. It receives the events recorded after it exists.
pub async fn create_endpoint(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewEndpoint,
) -> AppResult<CreatedEndpoint> {
    ctx.require(Permission::WebhooksManage)?;
    let url = ssrf::check_url(&state.config.webhooks, &input.url).await?;
    let cloud = cloud_settings(&input)?;
    let events = match input.format {
        HookFormat::Switchboard => patterns::validate(&input.events)?,
        HookFormat::CloudApi => Vec::new(),
    };
    let description = description(input.description.as_deref())?;
    let headers = seal_headers(state, input.headers.as_ref())?;
    let secret = input.secret.clone().unwrap_or_else(signature::new_secret);
    let enabled = input.enabled.unwrap_or(true);
    if let Some(token) = cloud.verify_token.as_deref() {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        own_channels(&mut tx, cloud.channel_ids.as_deref()).await?;
        tx.commit().await?;
        if enabled {
            super::cloud::verify(state, url.as_str(), token).await?;
        }
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    limits::take(&mut tx, Limit::WebhookEndpoints, now).await?;
    let endpoint = HookEndpoint {
        tenant_id: ctx.tenant_id,
        id: EndpointId::new(),
        url: url.to_string(),
        description,
        events,
        enabled,
        headers,
        secret: state.secrets.seal_str(&secret),
        previous_secret: None,
        previous_secret_until: None,
        from_seq: tx.latest_event_seq().await?,
        failing_since: None,
        disabled_reason: None,
        format: input.format,
        channel_ids: cloud.channel_ids,
        verify_token: cloud.verify_token.map(|t| state.secrets.seal_str(&t)),
        created_at: now,
        updated_at: now,
    };
    tx.insert_hook_endpoint(&endpoint).await?;
    changed(&mut tx, ctx, &endpoint, "create", now).await?;
    tx.commit().await?;
    let endpoint = view(state, endpoint, None)?;
    Ok(CreatedEndpoint { endpoint, secret })
}

/// Endpoints, newest first.
pub async fn list_endpoints(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Endpoint>> {
    ctx.require(Permission::WebhooksManage)?;
    let since = state.now().plus_seconds(-86_400);
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_hook_endpoints(page).await?;
    let tallies = tx.hook_attempt_tallies(since).await?;
    tx.commit().await?;
    let rate = |id| {
        tallies
            .iter()
            .find(|t| t.endpoint_id == id)
            .map(|t| t.succeeded as f64 / t.attempts as f64)
    };
    let items = found
        .items
        .into_iter()
        .map(|e| {
            let r = rate(e.id);
            view(state, e, r)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Page {
        items,
        next: found.next,
    })
}

/// One endpoint, with its success rate over 24 hours.
pub async fn get_endpoint(
    state: &AppState,
    ctx: &TenantCtx,
    id: EndpointId,
) -> AppResult<Endpoint> {
    ctx.require(Permission::WebhooksManage)?;
    let since = state.now().plus_seconds(-86_400);
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let e = tx.find_hook_endpoint(id).await?;
    let tallies = tx.hook_attempt_tallies(since).await?;
    tx.commit().await?;
    let rate = tallies
        .iter()
        .find(|t| t.endpoint_id == id)
        .map(|t| t.succeeded as f64 / t.attempts as f64);
    view(state, e, rate)
}

/// Changes an endpoint. Enabling a disabled one clears its failure streak
/// and sends the deliveries that waited (a new series of attempts each).
pub async fn update_endpoint(
    state: &AppState,
    ctx: &TenantCtx,
    id: EndpointId,
    change: EndpointChange,
) -> AppResult<Endpoint> {
    ctx.require(Permission::WebhooksManage)?;
    let url = match &change.url {
        Some(u) => Some(
            ssrf::check_url(&state.config.webhooks, u)
                .await?
                .to_string(),
        ),
        None => None,
    };
    let events = change
        .events
        .as_deref()
        .map(patterns::validate)
        .transpose()?;
    let headers = change
        .headers
        .as_ref()
        .map(|h| seal_headers(state, Some(h)))
        .transpose()?;
    if let Some(t) = &change.verify_token {
        check_verify_token(t)?;
    }
    reverify(state, ctx, id, url.as_deref(), &change).await?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut e = tx.find_hook_endpoint(id).await?;
    if e.format == HookFormat::Switchboard
        && (change.channel_ids.is_some() || change.verify_token.is_some())
    {
        return Err(AppError::validation(
            "format",
            "channel_ids and verify_token belong to Cloud API endpoints",
        ));
    }
    if e.format == HookFormat::CloudApi && change.events.as_ref().is_some_and(|ev| !ev.is_empty()) {
        return Err(AppError::validation(
            "events",
            "a Cloud API endpoint takes Meta's webhooks, not events",
        ));
    }
    if let Some(ids) = &change.channel_ids {
        own_channels(&mut tx, Some(ids)).await?;
        e.channel_ids = (!ids.is_empty()).then(|| ids.clone());
    }
    let was_enabled = e.enabled;
    if let Some(url) = url {
        e.url = url;
    }
    if let Some(events) = events {
        e.events = events;
    }
    if let Some(d) = &change.description {
        e.description = description(Some(d))?;
    }
    if let Some(h) = headers {
        e.headers = h;
    }
    if let Some(enabled) = change.enabled {
        e.enabled = enabled;
        if enabled {
            e.failing_since = None;
            e.disabled_reason = None;
        }
    }
    if let Some(t) = &change.verify_token {
        e.verify_token = Some(state.secrets.seal_str(t));
    }
    e.updated_at = now;
    tx.update_hook_endpoint(&e).await?;
    if e.enabled && !was_enabled {
        resume_waiting(&mut tx, id, now).await?;
    }
    changed(&mut tx, ctx, &e, "update", now).await?;
    tx.commit().await?;
    state.wake_workers();
    view(state, e, None)
}

/// Removes an endpoint and its delivery log.
pub async fn delete_endpoint(state: &AppState, ctx: &TenantCtx, id: EndpointId) -> AppResult<()> {
    ctx.require(Permission::WebhooksManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let e = tx.find_hook_endpoint(id).await?;
    tx.delete_hook_endpoint(id).await?;
    changed(&mut tx, ctx, &e, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// A new signing secret; the old one keeps signing for `overlap_hours`
/// (0 to 72, 24 when `None`).
pub async fn roll_secret(
    state: &AppState,
    ctx: &TenantCtx,
    id: EndpointId,
    overlap_hours: Option<i64>,
) -> AppResult<RolledSecret> {
    ctx.require(Permission::WebhooksManage)?;
    let overlap = overlap_hours.unwrap_or(DEFAULT_OVERLAP_HOURS);
    if !(0..=MAX_OVERLAP_HOURS).contains(&overlap) {
        return Err(AppError::validation(
            "overlap_hours",
            format!("must be 0 to {MAX_OVERLAP_HOURS}"),
        ));
    }
    let now = state.now();
    let secret = signature::new_secret();
    let until = now.plus_seconds(overlap * 3600);
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut e = tx.find_hook_endpoint(id).await?;
    (e.previous_secret, e.previous_secret_until) = if overlap > 0 {
        (Some(e.secret.clone()), Some(until))
    } else {
        (None, None)
    };
    e.secret = state.secrets.seal_str(&secret);
    e.updated_at = now;
    tx.update_hook_endpoint(&e).await?;
    changed(&mut tx, ctx, &e, "roll_secret", now).await?;
    tx.commit().await?;
    Ok(RolledSecret {
        secret,
        previous_valid_until: until,
    })
}

/// Queues a `webhook.test` event to this endpoint only (it is not in the
/// tenant's event log, and its `seq` is `null`).
pub async fn send_test(state: &AppState, ctx: &TenantCtx, id: EndpointId) -> AppResult<Delivery> {
    ctx.require(Permission::WebhooksManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let e = tx.find_hook_endpoint(id).await?;
    let event_id = EventId::new();
    let data = json!({
        "endpoint_id": e.id,
        "message": "A test event from Switchboard: your endpoint is reachable.",
    });
    let (name, body) = match e.format {
        HookFormat::Switchboard => (
            fanout::TEST_EVENT,
            fanout::body(
                ctx.tenant_id,
                event_id,
                fanout::TEST_EVENT,
                1,
                None,
                now,
                &data,
            ),
        ),
        HookFormat::CloudApi => (super::cloud::TEST_EVENT, super::cloud::test_body()),
    };
    let delivery = DeliveryId::new();
    tx.insert_hook_delivery(&NewHookDelivery {
        id: delivery,
        endpoint_id: id,
        event_id,
        event_name: name,
        event_seq: None,
        body: &body,
        now,
    })
    .await?;
    jobs::enqueue_attempt(&mut tx, delivery, now, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "webhook_endpoint.test",
        ("webhook_endpoint", id.to_string()),
        json!({ "delivery_id": delivery }),
    )
    .await?;
    let d = tx.find_hook_delivery(delivery).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(Delivery::from_stored(d, e.url))
}

/// Starts a new series for every delivery of `endpoint` that waited while
/// it was disabled.
async fn resume_waiting(tx: &mut TenantTx, endpoint: EndpointId, now: Timestamp) -> AppResult<()> {
    for d in tx
        .hook_delivery_ids(endpoint, DeliveryStatus::Pending)
        .await?
    {
        tx.restart_hook_delivery(d, now).await?;
        jobs::enqueue_attempt(tx, d, now, now).await?;
    }
    Ok(())
}

/// The audit entry and event of a change (`create`, `update`, `delete`,
/// `roll_secret`).
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    e: &HookEndpoint,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = WebhookEndpointRef {
        endpoint_id: e.id,
        url: e.url.clone(),
    };
    let event = match what {
        "create" => Event::WebhookEndpointCreated(r),
        "delete" => Event::WebhookEndpointDeleted(r),
        _ => Event::WebhookEndpointUpdated(r),
    };
    record(tx, event, now);
    let details = match what {
        "delete" | "roll_secret" => json!({ "url": e.url }),
        _ => json!({ "url": e.url, "events": e.events, "enabled": e.enabled }),
    };
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("webhook_endpoint.{what}"),
        ("webhook_endpoint", e.id.to_string()),
        details,
    )
    .await
}

fn view(state: &AppState, e: HookEndpoint, success_rate_24h: Option<f64>) -> AppResult<Endpoint> {
    let header_names = open_headers(state, e.headers.as_deref())?
        .into_keys()
        .collect();
    Ok(Endpoint {
        id: e.id,
        url: e.url,
        events: e.events,
        format: e.format.as_str(),
        channel_ids: e.channel_ids,
        description: e.description,
        enabled: e.enabled,
        header_names,
        disabled_reason: e.disabled_reason,
        failing_since: e.failing_since,
        success_rate_24h,
        created_at: e.created_at,
        updated_at: e.updated_at,
    })
}
