//! Sending: the rules every sender obeys (checked before anything is
//! queued), the queueing itself (message row and send job in one
//! transaction), and the delivery to Meta with reconciliation, so a crash
//! never sends a message twice.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::limits::Limit;
use domain::messaging::MessageStatus;
use domain::{ChannelId, ConversationId, MessageId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::StoreError;
use store::channels::ChannelStatus;
use store::inbox::{Message, NewOutbound, StatusUpdate};
use whatsapp::outgoing::{OutgoingContent, ReplyContext};
use whatsapp::{ErrorClass, OutgoingMessage};

/// By default a send in flight when the process died is resent only after
/// this long without any word from Meta about it (see docs/SENDING.md;
/// `SWITCHBOARD_RECONCILE_SECONDS`).
pub const RECONCILE_SECONDS: i64 = 120;

/// Which lane a message waits in: replies go before bulk sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    #[default]
    Conversational,
    Bulk,
}

impl Lane {
    pub fn priority(self) -> i64 {
        match self {
            Lane::Conversational => 0,
            Lane::Bulk => 10,
        }
    }
}

/// Where and what to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub conversation_id: Option<ConversationId>,
    pub channel_id: Option<ChannelId>,
    /// The customer's WhatsApp id, when no conversation is named.
    pub to: Option<String>,
    pub reply_to: Option<String>,
    pub content: OutgoingContent,
    pub lane: Lane,
}

fn check_wa_id(to: &str) -> AppResult<()> {
    if to.is_empty() || to.len() > 20 || !to.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::validation(
            "to",
            "a WhatsApp id: digits only, with country code",
        ));
    }
    Ok(())
}

/// Checks the rules and queues the message. Returns it as stored.
pub async fn queue_message(
    state: &AppState,
    tenant: TenantId,
    out: Outgoing,
) -> AppResult<Message> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let conversation = match (out.conversation_id, out.to.as_deref()) {
        (Some(id), _) => tx.find_conversation(id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::validation("conversation_id", "no such conversation"),
            other => other.into(),
        })?,
        (None, Some(to)) => {
            check_wa_id(to)?;
            let channel = match out.channel_id {
                Some(id) => tx.find_channel(id).await.map_err(|e| match e {
                    StoreError::NotFound => AppError::validation("channel_id", "no such channel"),
                    other => other.into(),
                })?,
                None => {
                    let mut all = tx.list_channels().await?;
                    if all.len() != 1 {
                        return Err(AppError::validation(
                            "channel_id",
                            "name the number to send from (this tenant has several, or none)",
                        ));
                    }
                    all.remove(0)
                }
            };
            let contact = tx.upsert_contact(to, None, None, now).await?;
            tx.upsert_conversation(contact.id, channel.id, now).await?
        }
        (None, None) => {
            return Err(AppError::validation("to", "give `to` or `conversation_id`"));
        }
    };
    let channel = tx
        .find_channel(conversation.channel_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Rule(
                "channel_removed",
                "this conversation's number was disconnected".into(),
            ),
            other => other.into(),
        })?;
    if channel.status != ChannelStatus::Active {
        return Err(AppError::Rule(
            "channel_needs_credentials",
            "Meta rejected this number's access token; update its credentials first".into(),
        ));
    }
    let contact = tx.find_contact(conversation.contact_id).await?;
    if contact.opted_out_at.is_some() {
        return Err(AppError::Rule(
            "contact_opted_out",
            "this contact opted out of messages".into(),
        ));
    }
    let is_template = matches!(out.content, OutgoingContent::Template { .. });
    if !is_template && !conversation.window_open(now) {
        return Err(AppError::Rule(
            "outside_customer_service_window",
            "the customer has not written in the last 24 hours: only templates may be sent".into(),
        ));
    }
    crate::tenancy::limits::take(&mut tx, Limit::MessagesThisMonth, now).await?;
    let content = serde_json::to_value(&out.content).map_err(AppError::internal)?;
    let id = MessageId::new();
    let message = tx
        .insert_outbound_message(NewOutbound {
            id,
            conversation: conversation.id,
            channel: channel.id,
            kind: out.content.kind(),
            content: &content,
            reply_to_wamid: out.reply_to.as_deref(),
            now,
        })
        .await?;
    tx.note_outbound(conversation.id, now).await?;
    tx.insert_event(
        "message.queued",
        Some(id.as_uuid()),
        &json!({ "conversation_id": conversation.id, "message_id": id, "kind": message.kind }),
        now,
    )
    .await?;
    crate::jobs::enqueue_send(&mut tx, id, out.lane, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(message)
}

/// What a delivery attempt concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Already settled, or nothing to send: the job is done.
    Done,
    /// Sent or failed for good, and the job completed in the transaction
    /// that recorded it.
    Finished,
    /// Try again in `after_ms`.
    Retry { reason: String, after_ms: i64 },
}

/// One attempt to hand a queued message to Meta, for job `job` held by
/// `worker`.
pub async fn deliver(
    state: &AppState,
    tenant: TenantId,
    id: MessageId,
    (job, worker): (uuid::Uuid, &str),
) -> anyhow::Result<Delivery> {
    let now = state.now();
    // Look first, without the write lock: most attempts only need to read
    // before they send.
    let mut tx = state.store.tenant_read(tenant).await?;
    let message = match tx.find_message(id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Ok(Delivery::Done),
        Err(e) => return Err(e.into()),
    };
    if message.status != MessageStatus::Queued {
        return Ok(Delivery::Done);
    }
    // A send was in flight when a previous attempt died: Meta may have it.
    let marker = tx.find_send_attempt(id).await?;
    if let Some(started) = marker {
        if tx.message_reached_meta(id).await? {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            tx.set_send_attempt(id, None).await?;
            tx.commit().await?;
            return Ok(Delivery::Done);
        }
        let settle = started.plus_seconds(state.config.reconcile_seconds);
        if now < settle {
            return Ok(Delivery::Retry {
                reason: "waiting to learn whether an interrupted send reached Meta".into(),
                after_ms: settle.as_millis() - now.as_millis(),
            });
        }
    }
    let channel = tx.find_channel(message.channel_id).await?;
    if channel.status != ChannelStatus::Active {
        return Ok(Delivery::Retry {
            reason: "channel needs credentials".into(),
            after_ms: 60_000,
        });
    }
    let conversation = tx.find_conversation(message.conversation_id).await?;
    let contact = tx.find_contact(conversation.contact_id).await?;
    tx.commit().await?;
    let Some(to) = contact.wa_id.clone() else {
        let mut tx = state.store.tenant(tenant).await?;
        fail(&mut tx, id, None, "no WhatsApp id for this contact", now).await?;
        tx.commit().await?;
        return Ok(Delivery::Done);
    };
    let content: OutgoingContent = serde_json::from_value(message.content.clone())?;

    // Claim the send (compare-and-set on the in-flight marker) and the
    // number's next slot together; a crash before the slot comes leaves a
    // marker for a send that never left, which reconciliation resends.
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    if !tx.begin_send_attempt(id, marker, now).await? {
        // Another run of this job is sending it (or it was settled).
        tx.commit().await?;
        return Ok(Delivery::Retry {
            reason: "another attempt of this send is in flight".into(),
            after_ms: 1000,
        });
    }
    let slot =
        crate::channels::pacing::reserve_slot(&mut tx, channel.id, channel.rate_limit).await?;
    tx.commit().await?;
    crate::channels::pacing::wait_for(slot).await;

    let token = state.secrets.open_str(&channel.access_token)?;
    let mut body = OutgoingMessage {
        messaging_product: whatsapp::outgoing::MESSAGING_PRODUCT.to_owned(),
        recipient_type: "individual".to_owned(),
        to: Some(to),
        recipient: None,
        content,
        context: None,
        biz_opaque_callback_data: Some(id.to_string()),
    };
    if let Some(reply) = &message.reply_to_wamid {
        body.context = Some(ReplyContext {
            message_id: reply.clone(),
        });
    }
    let started = std::time::Instant::now();
    let result = state
        .graph
        .send(&channel.phone_number_id, &token, &body)
        .await;
    metrics::histogram!("switchboard_graph_send_seconds").record(started.elapsed().as_secs_f64());

    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let outcome = match result {
        Ok(resp) => {
            if let Some(wamid) = resp.messages.first().map(|m| m.id.clone()) {
                tx.set_message_wamid(id, &wamid, now).await?;
            }
            let update = StatusUpdate {
                status: MessageStatus::Sent,
                occurred_at: now,
                error_code: None,
                error_title: None,
                error_detail: None,
                now,
            };
            tx.apply_message_status(id, update).await?;
            tx.set_send_attempt(id, None).await?;
            tx.insert_event(
                "message.status",
                Some(id.as_uuid()),
                &json!({ "conversation_id": message.conversation_id, "message_id": id, "status": "sent" }),
                now,
            )
            .await?;
            metrics::counter!("switchboard_graph_sends_total", "outcome" => "sent").increment(1);
            Delivery::Finished
        }
        Err(e) => {
            let ambiguous = matches!(e, whatsapp::GraphError::Transport { .. })
                || e.http_status().is_some_and(|s| s >= 500);
            let code = e.code();
            match e.class() {
                ErrorClass::Retryable { advice } => {
                    if !ambiguous {
                        // Meta answered with a refusal: it did not take the message.
                        tx.set_send_attempt(id, None).await?;
                    }
                    metrics::counter!("switchboard_graph_sends_total", "outcome" => "retry")
                        .increment(1);
                    let jitter: f64 = rand::random();
                    let delay = advice.jittered_delay(1, jitter);
                    Delivery::Retry {
                        reason: e.to_string(),
                        after_ms: i64::try_from(delay.as_millis()).unwrap_or(60_000).max(1),
                    }
                }
                ErrorClass::Permanent { .. } => {
                    let meta = e.meta();
                    let title = meta
                        .map(|m| m.message.clone())
                        .unwrap_or_else(|| e.to_string());
                    let detail = meta.and_then(|m| m.details().map(str::to_owned));
                    tx.set_send_attempt(id, None).await?;
                    fail(&mut tx, id, code, &title, now).await?;
                    if let Some(d) = detail {
                        tracing::debug!(%d, "send failed permanently");
                    }
                    metrics::counter!("switchboard_graph_sends_total", "outcome" => "failed")
                        .increment(1);
                    Delivery::Finished
                }
                ErrorClass::Credentials { .. } => {
                    tx.set_send_attempt(id, None).await?;
                    tx.set_channel_status(
                        channel.id,
                        ChannelStatus::NeedsCredentials,
                        Some(&e.to_string()),
                        now,
                    )
                    .await?;
                    tx.insert_event(
                        "channel.needs_credentials",
                        Some(channel.id.as_uuid()),
                        &json!({ "channel_id": channel.id }),
                        now,
                    )
                    .await?;
                    metrics::counter!("switchboard_graph_sends_total", "outcome" => "credentials")
                        .increment(1);
                    Delivery::Retry {
                        reason: "channel needs credentials".into(),
                        after_ms: 60_000,
                    }
                }
            }
        }
    };
    if outcome == Delivery::Finished {
        tx.complete_job(job, worker, now).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

async fn fail(
    tx: &mut store::TenantTx,
    id: MessageId,
    code: Option<i64>,
    title: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    let m = tx.find_message(id).await?;
    tx.apply_message_status(
        id,
        StatusUpdate {
            status: MessageStatus::Failed,
            occurred_at: now,
            error_code: code,
            error_title: Some(title),
            error_detail: None,
            now,
        },
    )
    .await?;
    tx.insert_event(
        "message.status",
        Some(id.as_uuid()),
        &json!({ "conversation_id": m.conversation_id, "message_id": id, "status": "failed", "error_code": code }),
        now,
    )
    .await?;
    Ok(())
}
