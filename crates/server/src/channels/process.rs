//! Processing a stored webhook delivery: every entry, change, message and
//! status in it, each routed by `phone_number_id` (template events by WABA
//! id) to exactly one tenant, then applied under unique keys so repeats
//! and reorderings are harmless.

use crate::state::AppState;
use anyhow::Context as _;
use domain::messaging::MessageStatus;
use domain::{MessageId, TenantId, TenantStatus, Timestamp, WebhookId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::channels::Channel;
use store::inbox::{NewInbound, StatusUpdate};
use store::{StoreError, SystemTx, TenantTx};
use whatsapp::{InboundMessage, StatusKind, WebhookEvent};

/// One routed inbound event, in the form it is held in while its tenant is
/// suspended (and applied from when it is not).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboundEvent {
    Message {
        contact: Option<Value>,
        message: Value,
    },
    Status {
        status: Value,
    },
    Other {
        field: String,
        value: Value,
    },
}

/// What became of one delivery.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub applied: usize,
    pub held: usize,
    pub unroutable: usize,
}

/// An event routed to a channel's tenant (held if the tenant is suspended).
struct ForTenant {
    channel: Channel,
    suspended: bool,
    event: InboundEvent,
}

/// An event no tenant owns, kept for the operator.
struct ForNobody {
    phone_number_id: Option<String>,
    waba_id: Option<String>,
    reason: &'static str,
    payload: String,
}

/// Processes delivery `id` completely: routing in one read-only system
/// transaction, then one transaction per tenant for all of that tenant's
/// events (in their order in the body), then one that records the events
/// nobody owns, marks the delivery processed and completes its job (`job`,
/// held by `worker`). Safe to run twice: every tenant write is keyed, and a
/// processed delivery is not routed again.
pub async fn process_delivery(
    state: &AppState,
    id: WebhookId,
    (job, worker): (uuid::Uuid, &str),
) -> anyhow::Result<Outcome> {
    let now = state.now();
    let mut sys = state.store.system_read().await?;
    let delivery = sys.find_delivery(id).await?;
    if delivery.status == "processed" {
        sys.commit().await?;
        state.store.complete_job(job, worker, now).await?;
        return Ok(Outcome::default());
    }
    let (routed, nobody) = match whatsapp::parse_webhook(&delivery.body) {
        Ok(payload) => route_all(&mut sys, delivery.source_tenant, &payload).await?,
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

    let mut outcome = Outcome::default();
    let mut by_tenant: Vec<(TenantId, Vec<ForTenant>)> = Vec::new();
    for r in routed {
        let tenant = r.channel.tenant_id;
        match by_tenant.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, events)) => events.push(r),
            None => by_tenant.push((tenant, vec![r])),
        }
    }
    for (tenant, events) in by_tenant {
        let mut tx = state.store.tenant(tenant).await?;
        for r in &events {
            if r.suspended {
                tx.insert_held_event(r.channel.id, &serde_json::to_string(&r.event)?, now)
                    .await?;
                outcome.held += 1;
            } else {
                apply(&mut tx, &r.channel, &r.event, now).await?;
                outcome.applied += 1;
            }
        }
        tx.commit().await?;
    }

    let mut sys = state.store.system().await?;
    for n in &nobody {
        sys.insert_unroutable(
            id,
            n.phone_number_id.as_deref(),
            n.waba_id.as_deref(),
            n.reason,
            &n.payload,
            now,
        )
        .await?;
    }
    sys.mark_delivery_processed(id, now).await?;
    // False if the lease was lost: the other holder finds it processed.
    sys.complete_job(job, worker, now).await?;
    sys.commit().await?;
    outcome.unroutable = nobody.len();
    for (label, n) in [
        ("applied", outcome.applied),
        ("held", outcome.held),
        ("unroutable", outcome.unroutable),
    ] {
        metrics::counter!("switchboard_webhook_events_total", "outcome" => label)
            .increment(n as u64);
    }
    Ok(outcome)
}

/// Routes every event of a parsed delivery: those a tenant owns, and those
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
    for event in payload.events() {
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
                contact: contact.and_then(|c| serde_json::to_value(c).ok()),
                message: message.to_value().context("re-encoding a message")?,
            },
        ),
        WebhookEvent::Status {
            phone_number_id,
            status,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Status {
                status: serde_json::to_value(status)?,
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
            field,
            value,
        } => (
            Route::Waba(waba_id),
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

/// Applies one event to a tenant's inbox.
pub async fn apply(
    tx: &mut TenantTx,
    channel: &Channel,
    event: &InboundEvent,
    now: Timestamp,
) -> anyhow::Result<()> {
    match event {
        InboundEvent::Message { contact, message } => {
            apply_message(tx, channel, contact.as_ref(), message, now).await
        }
        InboundEvent::Status { status } => apply_status(tx, status, now).await,
        InboundEvent::Other { field, value } => {
            tx.insert_event(
                &format!("whatsapp.{field}"),
                Some(channel.id.as_uuid()),
                &json!({ "channel_id": channel.id, "value": value }),
                now,
            )
            .await?;
            Ok(())
        }
    }
}

async fn apply_message(
    tx: &mut TenantTx,
    channel: &Channel,
    contact: Option<&Value>,
    raw: &Value,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Value::Object(map) = raw else {
        return Ok(());
    };
    let message = InboundMessage::from_map(map.clone());
    let Some(sender) = message
        .from
        .clone()
        .or_else(|| message.from_user_id.clone())
    else {
        tracing::warn!(tenant_id = %channel.tenant_id, "inbound message without a sender id; kept as an event");
        tx.insert_event("whatsapp.message_without_sender", None, raw, now)
            .await?;
        return Ok(());
    };
    let profile_name = contact.and_then(|c| c["profile"]["name"].as_str());
    let contact = tx
        .upsert_contact(&sender, message.from_user_id.as_deref(), profile_name, now)
        .await?;
    let conversation = tx.upsert_conversation(contact.id, channel.id, now).await?;
    let sent_at = message
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
    let stored = tx
        .insert_inbound_message(NewInbound {
            conversation: conversation.id,
            channel: channel.id,
            wamid: &message.id,
            kind: message.kind(),
            content: raw,
            reply_to_wamid: message.context.as_ref().and_then(|c| c.id.as_deref()),
            provider_time: sent_at,
            now,
        })
        .await?;
    if let Some(m) = stored {
        tx.note_inbound(conversation.id, sent_at, now).await?;
        if let whatsapp::webhook::MessageContent::Text(text) = &message.content
            && let Some(opt_out) = domain::messaging::consent_keyword(&text.body)
        {
            set_consent(tx, &contact, opt_out, "keyword", now).await?;
        }
        if let Some((wa_media_id, mime_type)) = super::media::media_of(&message.content)
            && let Some(media) = tx
                .insert_media(m.id, channel.id, wa_media_id, mime_type, now)
                .await?
        {
            crate::jobs::enqueue_media_fetch(tx, media.id, now).await?;
        }
        tx.insert_event(
            "message.received",
            Some(m.id.as_uuid()),
            &json!({ "conversation_id": conversation.id, "message_id": m.id, "kind": m.kind }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records a contact's opt-out (`true`) or opt-in, once, with an event.
pub async fn set_consent(
    tx: &mut TenantTx,
    contact: &store::inbox::Contact,
    opt_out: bool,
    via: &str,
    now: Timestamp,
) -> store::StoreResult<()> {
    if contact.opted_out_at.is_some() == opt_out {
        return Ok(());
    }
    tx.set_contact_opt_out(contact.id, opt_out.then_some(now), now)
        .await?;
    tx.insert_event(
        if opt_out {
            "contact.opted_out"
        } else {
            "contact.opted_in"
        },
        Some(contact.id.as_uuid()),
        &json!({ "contact_id": contact.id, "via": via }),
        now,
    )
    .await?;
    Ok(())
}

async fn apply_status(tx: &mut TenantTx, raw: &Value, now: Timestamp) -> anyhow::Result<()> {
    let status: whatsapp::Status = serde_json::from_value(raw.clone())?;
    let next = match &status.status {
        StatusKind::Sent => MessageStatus::Sent,
        StatusKind::Delivered => MessageStatus::Delivered,
        StatusKind::Read => MessageStatus::Read,
        StatusKind::Failed => MessageStatus::Failed,
        _ => {
            tx.insert_event("whatsapp.status", None, raw, now).await?;
            return Ok(());
        }
    };
    // Match by wamid; if our send's answer was never recorded (a crash
    // between Meta's 200 and our commit), by the message id we put in
    // biz_opaque_callback_data.
    let message = match tx.find_message_by_wamid(&status.id).await {
        Ok(m) => Some(m),
        Err(StoreError::NotFound) => {
            let ours = status
                .biz_opaque_callback_data
                .as_deref()
                .and_then(|d| d.parse::<MessageId>().ok());
            match ours {
                Some(id) => match tx.find_message(id).await {
                    Ok(m) => {
                        tx.set_message_wamid(m.id, &status.id, now).await?;
                        Some(m)
                    }
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            }
        }
        Err(e) => return Err(e.into()),
    };
    let Some(message) = message else {
        tx.insert_event("whatsapp.status_unmatched", None, raw, now)
            .await?;
        return Ok(());
    };
    let error = status.errors.first();
    let occurred = status
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
    let changed = tx
        .apply_message_status(
            message.id,
            StatusUpdate {
                status: next,
                occurred_at: occurred,
                error_code: error.and_then(|e| e.code),
                error_title: error.and_then(|e| e.title.as_deref()),
                error_detail: error.and_then(|e| e.details()),
                now,
            },
        )
        .await?;
    if changed {
        tx.insert_event(
            "message.status",
            Some(message.id.as_uuid()),
            &json!({ "conversation_id": message.conversation_id, "message_id": message.id, "status": next }),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Applies a tenant's held events in arrival order (on reactivation).
pub async fn release_held(state: &AppState, tenant: TenantId) -> anyhow::Result<usize> {
    let mut released = 0;
    loop {
        let now = state.now();
        let mut tx = state.store.tenant(tenant).await?;
        let batch = tx.list_held_events(100).await?;
        if batch.is_empty() {
            tx.commit().await?;
            return Ok(released);
        }
        let channels = tx.list_channels().await?;
        for held in batch {
            let event: InboundEvent = serde_json::from_str(&held.payload)?;
            if let Some(channel) = channels.iter().find(|c| c.id == held.channel_id) {
                apply(&mut tx, channel, &event, now).await?;
            }
            tx.delete_held_event(held.id).await?;
            released += 1;
        }
        tx.commit().await?;
    }
}
