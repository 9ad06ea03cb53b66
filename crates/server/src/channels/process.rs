//! Processing a stored webhook: every entry, change, message and status
//! in it, each routed by the `metadata.phone_number_id` its value carries
//! (messages, statuses, echoes, calls, any field naming a number) to
//! exactly one tenant, and only account-level events without one (templates,
//! `account_update`, …) by WABA id; then applied under unique keys so
//! repeats and reorderings are harmless.

use super::apply::{Applied, InboundEvent, KnownContacts, apply};
use crate::state::AppState;
use domain::{TenantId, TenantStatus, WebhookId};
use store::channels::Channel;
use store::{StoreError, SystemTx};
use whatsapp::WebhookEvent;

/// What became of the events of one stored webhook.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Processed {
    pub applied: usize,
    pub held: usize,
    pub unroutable: usize,
}

/// An event routed to a channel's tenant (held if the tenant is suspended).
struct ForTenant {
    channel: Channel,
    suspended: bool,
    /// The event's place in the webhook's body.
    index: usize,
    event: InboundEvent,
}

/// An event no tenant owns, kept for the operator.
struct ForNobody {
    phone_number_id: Option<String>,
    waba_id: Option<String>,
    reason: &'static str,
    payload: String,
}

/// Processes stored webhook `id` completely: routing in one read-only
/// system transaction, then one transaction per tenant for all of that
/// tenant's events (in their order in the body), then one that records the
/// events nobody owns and marks the webhook processed. That last one is
/// returned uncommitted, for the caller to commit with its own bookkeeping
/// (`None`: it was processed already). Safe to run twice: every tenant
/// write is keyed, and a processed webhook is not routed again.
pub async fn process_webhook(
    state: &AppState,
    id: WebhookId,
) -> anyhow::Result<Option<(Processed, SystemTx)>> {
    let now = state.now();
    let mut sys = state.store.system_read().await?;
    let webhook = sys.find_webhook(id).await?;
    if webhook.status == "processed" {
        sys.commit().await?;
        return Ok(None);
    }
    let (routed, nobody) = match whatsapp::parse_webhook(&webhook.body) {
        Ok(payload) => route_all(&mut sys, webhook.source_tenant, &payload).await?,
        // Signed by Meta but not JSON we can read: keep it for the operator.
        Err(e) => {
            let unparseable = ForNobody {
                phone_number_id: None,
                waba_id: None,
                reason: "unparseable",
                payload: e.to_string(),
            };
            (Vec::new(), vec![unparseable])
        }
    };
    sys.commit().await?;

    let mut outcome = Processed::default();
    let mut by_tenant: Vec<(TenantId, Vec<ForTenant>)> = Vec::new();
    for r in routed {
        let tenant = r.channel.tenant_id;
        match by_tenant.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, events)) => events.push(r),
            None => by_tenant.push((tenant, vec![r])),
        }
    }
    for (tenant, events) in by_tenant {
        let applied: Vec<&InboundEvent> = events
            .iter()
            .filter(|r| !r.suspended)
            .map(|r| &r.event)
            .collect();
        let known = KnownContacts::read(state, tenant, &applied).await?;
        let mut tx = state.store.tenant(tenant).await?;
        for r in &events {
            // Held while the tenant is suspended, or while the plan's
            // contact limit keeps a new customer's message out.
            let hold = r.suspended
                || apply(&mut tx, &r.channel, &r.event, &known, now).await?
                    == Applied::OverContactLimit;
            if hold {
                let held = record_id(id, r.index);
                tx.insert_held_event(held, r.channel.id, &serde_json::to_string(&r.event)?, now)
                    .await?;
                outcome.held += 1;
            } else {
                outcome.applied += 1;
            }
        }
        tx.commit().await?;
    }

    let mut sys = state.store.system().await?;
    for (index, n) in nobody.into_iter().enumerate() {
        sys.insert_unroutable(&store::webhooks::Unroutable {
            id: record_id(id, index),
            delivery_id: id.as_uuid(),
            phone_number_id: n.phone_number_id,
            waba_id: n.waba_id,
            reason: n.reason.to_owned(),
            payload: n.payload,
            created_at: now.as_millis(),
        })
        .await?;
        outcome.unroutable += 1;
    }
    sys.mark_webhook_processed(id, now).await?;
    for (label, n) in [
        ("applied", outcome.applied),
        ("held", outcome.held),
        ("unroutable", outcome.unroutable),
    ] {
        metrics::counter!("switchboard_webhook_events_total", "outcome" => label)
            .increment(n as u64);
    }
    Ok(Some((outcome, sys)))
}

/// Routes every event of a parsed webhook: those a tenant owns, and those
/// nobody does. Each distinct number or WABA is looked up once (a batch
/// usually carries several events of one number).
async fn route_all(
    sys: &mut SystemTx,
    source: Option<TenantId>,
    payload: &whatsapp::WebhookPayload,
) -> anyhow::Result<(Vec<ForTenant>, Vec<ForNobody>)> {
    let (mut routed, mut nobody) = (Vec::new(), Vec::new());
    // Each route's channels, with whether their tenant is suspended.
    let mut resolved: Vec<(Route<'_>, Vec<(Channel, bool)>)> = Vec::new();
    for (index, event) in payload.events().enumerate() {
        let (routing, inbound) = inbound_event(event)?;
        let channels = match resolved.iter().find(|(r, _)| *r == routing) {
            Some((_, channels)) => channels,
            None => {
                let mut channels = Vec::new();
                for channel in route(sys, source, routing).await? {
                    let suspended =
                        sys.find_tenant(channel.tenant_id).await?.status == TenantStatus::Suspended;
                    channels.push((channel, suspended));
                }
                resolved.push((routing, channels));
                &resolved[resolved.len() - 1].1
            }
        };
        if channels.is_empty() {
            let (pnid, waba) = match routing {
                Route::Number(n) => (Some(n), Some(event.waba_id())),
                Route::Waba(w) => (None, Some(w)),
            };
            nobody.push(ForNobody {
                phone_number_id: pnid.map(str::to_owned),
                waba_id: waba.map(str::to_owned),
                reason: if source.is_some() {
                    "not_this_tenants_number"
                } else {
                    "unknown_number"
                },
                payload: serde_json::to_string(&inbound)?,
            });
            continue;
        }
        for (channel, suspended) in channels {
            routed.push(ForTenant {
                channel: channel.clone(),
                suspended: *suspended,
                index,
                event: inbound.clone(),
            });
        }
    }
    Ok((routed, nobody))
}

/// How one parsed event is routed, and the form it is applied (or held) in.
fn inbound_event(event: WebhookEvent<'_>) -> anyhow::Result<(Route<'_>, InboundEvent)> {
    Ok(match event {
        WebhookEvent::Message {
            phone_number_id,
            contact,
            message,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Message {
                contact: contact.cloned(),
                message: Box::new(message.clone()),
            },
        ),
        WebhookEvent::Status {
            phone_number_id,
            status,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Status {
                status: Box::new(status.clone()),
            },
        ),
        WebhookEvent::Echo {
            phone_number_id,
            message,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Echo {
                message: Box::new(message.clone()),
            },
        ),
        WebhookEvent::ValueError {
            phone_number_id,
            error,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Other {
                field: "errors".into(),
                value: serde_json::to_value(error)?,
            },
        ),
        WebhookEvent::TemplateStatus {
            waba_id, update, ..
        } => (
            Route::Waba(waba_id),
            InboundEvent::Other {
                field: "message_template_status_update".into(),
                value: serde_json::to_value(update)?,
            },
        ),
        WebhookEvent::Other {
            waba_id,
            phone_number_id,
            field,
            value,
        } => (
            phone_number_id.map_or(Route::Waba(waba_id), Route::Number),
            InboundEvent::Other {
                field: field.to_owned(),
                value: value.clone(),
            },
        ),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Number(&'a str),
    Waba(&'a str),
}

/// The channels an event belongs to: exactly one for a number, the
/// tenant's channels of a WABA for account-level events. On a tenant's own
/// webhook URL, only that tenant's channels count.
async fn route(
    sys: &mut SystemTx,
    source: Option<TenantId>,
    r: Route<'_>,
) -> anyhow::Result<Vec<Channel>> {
    let found = match r {
        Route::Number(pnid) => match sys.find_channel_by_phone_number_id(pnid).await {
            Ok(c) => vec![c],
            Err(StoreError::NotFound) => vec![],
            Err(e) => return Err(e.into()),
        },
        Route::Waba(waba) => {
            // One event per tenant owning numbers of this WABA.
            let mut seen = std::collections::HashSet::new();
            sys.find_channels_by_waba(waba)
                .await?
                .into_iter()
                .filter(|c| seen.insert(c.tenant_id))
                .collect()
        }
    };
    Ok(found
        .into_iter()
        .filter(|c| source.is_none_or(|t| t == c.tenant_id))
        .collect())
}

/// The id a held or unroutable event is kept under: the webhook's id (a
/// UUIDv7, so held events are released in arrival order) with the event's
/// place (in the body, or among the unroutable ones) in its last four
/// bytes. Processing the webhook again, after a crash or by a second node
/// whose lease overlapped, gives the same ids, so nothing is kept twice.
fn record_id(webhook: WebhookId, index: usize) -> uuid::Uuid {
    let mut bytes = *webhook.as_uuid().as_bytes();
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    bytes[12..].copy_from_slice(&index.to_be_bytes());
    uuid::Uuid::from_bytes(bytes)
}
