//! Welcome and away messages: a durable consumer of the event log
//! (`automations.hours`) that serves only tenants with business hours.
//! On `message.received`, by the schedule that applies to the number the
//! customer wrote to (enabled):
//! - the first message of a conversation gets the welcome message, if
//!   one is set;
//! - a message while closed gets the away message, if one is set, at most
//!   once per conversation per closed period (named by when it began,
//!   [`super::closed_since`]).
//!
//! Each is noted in `business_hours_replies` under a unique key in the
//! transaction that queues it and moves the cursor, so a replayed event
//! never sends twice. Messages go through `queue_message`, under every
//! rule of sending; a refusal (opted out, quota, window) is logged and
//! the consumer goes on. Whether the message came in during hours is
//! judged at the time it was stored, not when the consumer reads it.

use super::{Schedule, closed_since, is_open};
use crate::channels::send::{Lane, Outgoing, SentBy, queue_message};
use crate::events::{Consumer, poll_having};
use crate::scheduled::Content;
use crate::state::AppState;
use domain::events::MessageRef;
use domain::{ChannelId, ConversationId, Timestamp};
use futures::future::BoxFuture;
use store::TenantTx;
use store::business_hours::ReplyKind;
use store::events::{CursorStart, StoredEvent, Table};

/// The consumer's cursor name.
pub const CONSUMER: &str = "automations.hours";
/// Events per batch (one transaction).
const BATCH: i64 = 200;

/// The consumer, as of `now`.
pub struct Replies {
    pub now: Timestamp,
}

impl Consumer for Replies {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let mut schedules = Vec::new();
        for stored in tx.list_business_hours().await? {
            let id = stored.id;
            match Schedule::of(stored) {
                Ok(s) => schedules.push(s),
                Err(e) => tracing::error!(tenant_id = %tx.tenant_id(), business_hours_id = %id,
                    error = %e, "stored business hours do not read"),
            }
        }
        for event in events.iter().filter(|e| e.name == "message.received") {
            let m: MessageRef = match serde_json::from_value(event.payload.clone()) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(tenant_id = %tx.tenant_id(), event_id = %event.id,
                        error = %e, "a message.received payload does not read");
                    continue;
                }
            };
            let Some(s) = applying(&schedules, m.channel_id) else {
                continue;
            };
            if s.hours.enabled {
                reply(tx, s, &m, event.created_at, self.now).await?;
            }
        }
        Ok(())
    }
}

/// The number's own schedule, else the workspace's.
fn applying(schedules: &[Schedule], channel: ChannelId) -> Option<&Schedule> {
    let own = schedules
        .iter()
        .find(|s| s.stored.channel_id == Some(channel));
    own.or_else(|| schedules.iter().find(|s| s.stored.channel_id.is_none()))
}

/// The welcome and away messages message `m` (stored at `at`) calls for.
async fn reply(
    tx: &mut TenantTx,
    s: &Schedule,
    m: &MessageRef,
    at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let conversation = m.conversation_id;
    if let Some(text) = &s.hours.welcome_message
        && tx.is_first_inbound(conversation, m.message_id).await?
        && tx
            .insert_business_hours_reply(
                conversation,
                ReplyKind::Welcome,
                Timestamp::from_millis(0),
                now,
            )
            .await?
    {
        send(tx, conversation, text, ReplyKind::Welcome, now).await?;
    }
    if let Some(text) = &s.hours.away_message
        && !is_open(&s.hours, at)
    {
        let period = closed_since(&s.hours, at);
        if tx
            .insert_business_hours_reply(conversation, ReplyKind::Away, period, now)
            .await?
        {
            send(tx, conversation, text, ReplyKind::Away, now).await?;
        }
    }
    Ok(())
}

/// Queues `text` in `conversation` under the rules of sending; a refusal
/// is logged, anything else fails the batch (tried again next round).
async fn send(
    tx: &mut TenantTx,
    conversation: ConversationId,
    text: &str,
    kind: ReplyKind,
    now: Timestamp,
) -> anyhow::Result<()> {
    let out = Outgoing {
        conversation_id: Some(conversation),
        channel_id: None,
        to: None,
        reply_to: None,
        content: Content::Text {
            text: text.to_owned(),
        }
        .outgoing(),
        lane: Lane::Conversational,
    };
    match queue_message(tx, SentBy::BusinessHours, out, now).await {
        Ok(message) => {
            tracing::info!(tenant_id = %tx.tenant_id(), conversation_id = %conversation,
                message_id = %message.id, kind = kind.as_str(), "business hours message queued");
            Ok(())
        }
        Err(e) => match e.refusal() {
            Some((code, _)) => {
                tracing::info!(tenant_id = %tx.tenant_id(), conversation_id = %conversation,
                    kind = kind.as_str(), %code, "business hours message refused");
                Ok(())
            }
            None => Err(anyhow::anyhow!("{e:#}")),
        },
    }
}

/// One round of the consumer: every tenant with business hours whose
/// cursor is behind gets one batch. Registered as a poller
/// ([`crate::automations::jobs`]).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::BusinessHours, BATCH, |now| {
        Replies { now }
    }))
}
