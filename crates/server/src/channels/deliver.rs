//! Delivery to Meta: one attempt to hand a queued message to the Graph
//! API, with reconciliation, so a crash never sends a message twice (see
//! docs/SENDING.md), paced per number ([`super::pacing`]).

use super::apply::status_event;
use crate::events::record;
use crate::state::AppState;
use domain::events::MessageError;
use domain::messaging::MessageStatus;
use domain::{MessageId, TenantId, TenantStatus, Timestamp};
use store::channels::{Channel, ChannelStatus};
use store::inbox::{Message, StatusApplied, StatusUpdate};
use store::{StoreError, TenantTx};
use whatsapp::outgoing::{OutgoingContent, ReplyContext};
use whatsapp::{ErrorClass, GraphError, OutgoingMessage, SendResponse};

/// What a send attempt concluded.
pub enum SendAttempt {
    /// Already settled, or nothing to send.
    Settled,
    /// Sent, or failed for good: the result is written in this transaction,
    /// left for the caller to commit (with its own bookkeeping).
    Recorded(TenantTx),
    /// Try again in `after_ms`.
    Retry { reason: String, after_ms: i64 },
    /// Held back until something changes (new credentials for its number,
    /// its tenant reactivated); the reason is shown on the message.
    Wait { reason: String },
}

/// Why a message waits while its number needs new credentials.
pub const WAITING_FOR_CREDENTIALS: &str =
    "the number needs new credentials; sent once they are replaced";
/// Why a message waits while its tenant is suspended.
pub const WAITING_FOR_REACTIVATION: &str = "the account is suspended; sent once it is reactivated";
/// Why a message fails when its number was disconnected before it went.
pub const NUMBER_DISCONNECTED: &str = "the number was disconnected before the message was sent";

/// One attempt to hand queued message `id` of `tenant` to Meta.
pub async fn deliver(
    state: &AppState,
    tenant: TenantId,
    id: MessageId,
) -> anyhow::Result<SendAttempt> {
    let now = state.now();
    // Look first, without the write lock: most attempts only need to read
    // before they send.
    let mut tx = state.store.tenant_read(tenant).await?;
    let message = match tx.find_message(id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Ok(SendAttempt::Settled),
        Err(e) => return Err(e.into()),
    };
    if message.status != MessageStatus::Queued {
        return Ok(SendAttempt::Settled);
    }
    // A send was in flight when a previous attempt died: Meta may have it.
    let marker = tx.find_send_attempt(id).await?;
    if let Some(started) = marker {
        if tx.message_reached_meta(id).await? {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            tx.set_send_attempt(id, None).await?;
            tx.commit().await?;
            return Ok(SendAttempt::Settled);
        }
        let settle = started.plus_seconds(state.config.reconcile_seconds);
        if now < settle {
            return Ok(SendAttempt::Retry {
                reason: "waiting to learn whether an interrupted send reached Meta".into(),
                after_ms: settle.as_millis() - now.as_millis(),
            });
        }
    }
    if tx.find_tenant().await?.status == TenantStatus::Suspended {
        drop(tx);
        return wait(state, tenant, id, WAITING_FOR_REACTIVATION).await;
    }
    let channel = match tx.find_channel(message.channel_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            fail(&mut tx, id, None, NUMBER_DISCONNECTED, now).await?;
            return Ok(SendAttempt::Recorded(tx));
        }
        Err(e) => return Err(e.into()),
    };
    match channel.status {
        ChannelStatus::Active => {}
        ChannelStatus::NeedsCredentials => {
            drop(tx);
            return wait(state, tenant, id, WAITING_FOR_CREDENTIALS).await;
        }
        // Any other status (restricted, disabled, offboarded…): this
        // number cannot send, and waiting would not change that.
        #[allow(unreachable_patterns)]
        _ => {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            fail(&mut tx, id, None, &cannot_send(&channel), now).await?;
            return Ok(SendAttempt::Recorded(tx));
        }
    }
    let conversation = tx.find_conversation(message.conversation_id).await?;
    let contact = tx.find_contact(conversation.contact_id).await?;
    tx.commit().await?;
    let Some(to) = contact.wa_id.clone() else {
        let mut tx = state.store.tenant(tenant).await?;
        fail(&mut tx, id, None, "no WhatsApp id for this contact", now).await?;
        return Ok(SendAttempt::Recorded(tx));
    };

    // Claim the send (compare-and-set on the in-flight marker) and the
    // number's next slot together; a crash before the slot comes leaves a
    // marker for a send that never left, which reconciliation resends. The
    // claim is synced: lost to a power cut after the send, the message
    // would go again.
    let now = state.now();
    let mut tx = state.store.tenant_synced(tenant).await?;
    if !tx.begin_send_attempt(id, marker, now).await? {
        // Another run of this job is sending it (or it was settled).
        tx.commit().await?;
        return Ok(SendAttempt::Retry {
            reason: "another attempt of this send is in flight".into(),
            after_ms: 1000,
        });
    }
    if message.waiting_reason.is_some() {
        tx.set_message_waiting(id, None, now).await?;
    }
    let slot =
        crate::channels::pacing::reserve_slot(&mut tx, channel.id, channel.rate_limit).await?;
    tx.commit().await?;
    crate::channels::pacing::wait_for(slot).await;

    let token = state.secrets.open_str(&channel.access_token)?;
    let body = graph_body(&message, to)?;
    let result = call_meta(state, &channel, &token, &body).await;
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let outcome = record_answer(&mut tx, &message, &channel, result, now).await?;
    Ok(match outcome {
        Answer::Recorded => SendAttempt::Recorded(tx),
        Answer::Retry { reason, after_ms } => {
            tx.commit().await?;
            SendAttempt::Retry { reason, after_ms }
        }
        Answer::Wait => {
            tx.commit().await?;
            SendAttempt::Wait {
                reason: WAITING_FOR_CREDENTIALS.into(),
            }
        }
    })
}

/// The Graph API body that hands `message` to `to`.
pub(super) fn graph_body(message: &Message, to: String) -> anyhow::Result<OutgoingMessage> {
    let content: OutgoingContent = serde_json::from_value(message.content.clone())?;
    Ok(OutgoingMessage {
        messaging_product: whatsapp::outgoing::MESSAGING_PRODUCT.to_owned(),
        recipient_type: "individual".to_owned(),
        to: Some(to),
        recipient: None,
        content,
        context: message
            .reply_to_wamid
            .clone()
            .map(|id| ReplyContext { message_id: id }),
        biz_opaque_callback_data: Some(message.id.to_string()),
    })
}

/// One call to Meta's send endpoint for `channel`, timed.
pub(super) async fn call_meta(
    state: &AppState,
    channel: &Channel,
    token: &str,
    body: &OutgoingMessage,
) -> Result<SendResponse, GraphError> {
    let started = std::time::Instant::now();
    let result = state
        .graph
        .send(&channel.phone_number_id, token, body)
        .await;
    metrics::histogram!("switchboard_graph_send_seconds").record(started.elapsed().as_secs_f64());
    result
}

/// Records in `tx` that Meta accepted the sends of `sent` (each message
/// with the wamid Meta gave it): the wamid, the send marker cleared, and
/// the status `sent` (forward only) with its event, in a few statements for
/// all of them.
pub(super) async fn record_accepted(
    tx: &mut TenantTx,
    sent: &[(Message, Option<String>)],
    now: Timestamp,
) -> anyhow::Result<()> {
    if sent.is_empty() {
        return Ok(());
    }
    let wamids: Vec<(MessageId, Option<&str>)> =
        sent.iter().map(|(m, w)| (m.id, w.as_deref())).collect();
    tx.record_accepted_sends(&wamids, now).await?;
    let update = StatusUpdate {
        status: MessageStatus::Sent,
        occurred_at: now,
        error_code: None,
        error_title: None,
        error_detail: None,
        now,
    };
    let reports: Vec<_> = sent.iter().map(|(m, _)| (m.id, update.clone())).collect();
    let outcomes = tx.record_message_statuses(&reports).await?;
    for ((message, _), outcome) in sent.iter().zip(outcomes) {
        if outcome.applied == StatusApplied::Advanced
            && let Some(event) = status_event(message, MessageStatus::Sent, None)
        {
            record(tx, event, now);
        }
    }
    metrics::counter!("switchboard_graph_sends_total", "outcome" => "sent")
        .increment(sent.len() as u64);
    Ok(())
}

/// Records in `tx` what Meta answered to the send of `message` (claimed
/// with a marker, which this clears unless the answer leaves it unknown
/// whether Meta took the message).
pub(super) async fn record_answer(
    tx: &mut TenantTx,
    message: &Message,
    channel: &Channel,
    result: Result<SendResponse, GraphError>,
    now: Timestamp,
) -> anyhow::Result<Answer> {
    let id = message.id;
    Ok(match result {
        Ok(resp) => {
            let wamid = resp.messages.first().map(|m| m.id.clone());
            record_accepted(tx, &[(message.clone(), wamid)], now).await?;
            Answer::Recorded
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
                    Answer::Retry {
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
                    fail(tx, id, code, &title, now).await?;
                    if let Some(d) = detail {
                        tracing::debug!(%d, "send failed permanently");
                    }
                    metrics::counter!("switchboard_graph_sends_total", "outcome" => "failed")
                        .increment(1);
                    Answer::Recorded
                }
                ErrorClass::Credentials { .. } => {
                    tx.set_send_attempt(id, None).await?;
                    super::setup::mark_needs_credentials(tx, channel, &e.to_string(), now).await?;
                    tx.set_message_waiting(id, Some(WAITING_FOR_CREDENTIALS), now)
                        .await?;
                    metrics::counter!("switchboard_graph_sends_total", "outcome" => "credentials")
                        .increment(1);
                    Answer::Wait
                }
            }
        }
    })
}

/// Holds message `id` back for `reason`, shown on the message.
async fn wait(
    state: &AppState,
    tenant: TenantId,
    id: MessageId,
    reason: &str,
) -> anyhow::Result<SendAttempt> {
    let mut tx = state.store.tenant(tenant).await?;
    tx.set_message_waiting(id, Some(reason), state.now())
        .await?;
    tx.commit().await?;
    Ok(SendAttempt::Wait {
        reason: reason.to_owned(),
    })
}

/// Why a number in a status other than active or needing credentials
/// cannot send.
fn cannot_send(channel: &Channel) -> String {
    match &channel.status_reason {
        Some(reason) => format!("the number is {}: {reason}", channel.status.as_str()),
        None => format!("the number is {}", channel.status.as_str()),
    }
}

/// Wakes the tenant's sends that wait, in the caller's transaction (new
/// credentials were saved, the tenant was reactivated): each runs again
/// and goes, or waits again if its number still cannot send.
pub async fn wake_waiting_sends(tx: &mut TenantTx, now: Timestamp) -> store::StoreResult<u64> {
    tx.wake_parked_jobs(crate::jobs::Queue::Send.as_str(), now)
        .await
}

/// The send job of message `id` was given up (`error`): a message still
/// queued fails with the reason, so none stays queued for ever.
pub async fn give_up(
    tx: &mut TenantTx,
    id: MessageId,
    error: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    match tx.find_message(id).await {
        Ok(m) if m.status == MessageStatus::Queued => {
            tx.set_send_attempt(id, None).await?;
            fail(tx, id, None, &format!("not sent: {error}"), now).await
        }
        Ok(_) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What Meta's answer to a send means for the message.
pub(super) enum Answer {
    /// Sent or failed for good, written in the transaction.
    Recorded,
    Retry {
        reason: String,
        after_ms: i64,
    },
    /// The number needs new credentials: the message waits for them.
    Wait,
}

/// Records that message `id` failed for good, with Meta's code if any.
async fn fail(
    tx: &mut TenantTx,
    id: MessageId,
    code: Option<i64>,
    title: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    let m = tx.find_message(id).await?;
    if m.waiting_reason.is_some() {
        tx.set_message_waiting(id, None, now).await?;
    }
    let changed = tx
        .apply_message_status(
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
    let error = MessageError {
        code,
        title: title.to_owned(),
    };
    if changed && let Some(event) = status_event(&m, MessageStatus::Failed, Some(error)) {
        record(tx, event, now);
    }
    Ok(())
}
