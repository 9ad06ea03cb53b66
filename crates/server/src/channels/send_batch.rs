//! Sending many queued messages of one tenant at once (the send job's
//! batch): one read for all of them, one synced claim of their send
//! markers and their numbers' slots, the calls to Meta side by side each
//! at its slot, and one transaction recording every answer. Three
//! transactions for the batch where one send alone takes three.
//!
//! A message that needs more than the plain path (an interrupted attempt
//! to reconcile, a number or tenant that cannot send now, no WhatsApp id,
//! content that does not read) goes through [`deliver`] on its own first:
//! the batch adds no rule of its own.

use super::deliver::{
    Answer, SendAttempt, WAITING_FOR_CREDENTIALS, call_meta, deliver, graph_body, record_accepted,
    record_answer,
};
use super::pacing;
use crate::state::AppState;
use domain::messaging::MessageStatus;
use domain::{ChannelId, MessageId, TenantId, TenantStatus};
use std::collections::{HashMap, HashSet, VecDeque};
use store::channels::{Channel, ChannelStatus};
use store::inbox::ToSend;
use store::{StoreError, TenantTx};
use whatsapp::OutgoingMessage;

/// A message on the plain path: where it stands in the batch, and the
/// body that sends it.
struct Plain {
    index: usize,
    found: ToSend,
    body: OutgoingMessage,
}

/// One attempt to hand each of `ids` (queued messages of `tenant`) to Meta.
/// Answers the transaction holding the batch's results, for the caller to
/// commit, and what each attempt concluded, in the order of `ids` (never
/// [`SendAttempt::Recorded`]: a message sent alone is committed here).
pub async fn deliver_batch(
    state: &AppState,
    tenant: TenantId,
    ids: &[MessageId],
) -> anyhow::Result<(TenantTx, Vec<SendAttempt>)> {
    let mut attempts: Vec<Option<SendAttempt>> = ids.iter().map(|_| None).collect();
    let mut tx = state.store.tenant_read(tenant).await?;
    let mut found: HashMap<MessageId, ToSend> = tx
        .find_messages_to_send(ids)
        .await?
        .into_iter()
        .map(|f| (f.message.id, f))
        .collect();
    let suspended = tx.find_tenant().await?.status == TenantStatus::Suspended;
    let mut channels: HashMap<ChannelId, Channel> = HashMap::new();
    for f in found.values() {
        let id = f.message.channel_id;
        if channels.contains_key(&id) {
            continue;
        }
        match tx.find_channel(id).await {
            Ok(c) => {
                channels.insert(id, c);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;

    let mut plain = Vec::new();
    let mut alone = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        let Some(f) = found.remove(id) else {
            attempts[index] = Some(SendAttempt::Settled);
            continue;
        };
        if f.message.status != MessageStatus::Queued {
            attempts[index] = Some(SendAttempt::Settled);
            continue;
        }
        let active = channels
            .get(&f.message.channel_id)
            .is_some_and(|c| c.status == ChannelStatus::Active);
        let body = match (
            &f.wa_id,
            active && !suspended && f.attempt_started.is_none(),
        ) {
            (Some(to), true) => graph_body(&f.message, to.clone()).ok(),
            _ => None,
        };
        match body {
            Some(body) => plain.push(Plain {
                index,
                found: f,
                body,
            }),
            None => alone.push(index),
        }
    }
    for index in alone {
        attempts[index] = Some(match deliver(state, tenant, ids[index]).await? {
            SendAttempt::Recorded(tx) => {
                tx.commit().await?;
                SendAttempt::Settled
            }
            other => other,
        });
    }

    // Claim the sends and their slots together, synced (as a single send
    // does): a crash after this leaves markers that reconciliation reads.
    let now = state.now();
    let mut tx = state.store.tenant_synced(tenant).await?;
    let want: Vec<MessageId> = plain.iter().map(|p| p.found.message.id).collect();
    let claimed: HashSet<MessageId> = tx
        .begin_send_attempts(&want, now)
        .await?
        .into_iter()
        .collect();
    let mut sends = Vec::with_capacity(claimed.len());
    for p in plain {
        let m = &p.found.message;
        if !claimed.contains(&m.id) {
            // Another run of this send holds it (or it was settled).
            attempts[p.index] = Some(SendAttempt::Retry {
                reason: "another attempt of this send is in flight".into(),
                after_ms: 1000,
            });
            continue;
        }
        if m.waiting_reason.is_some() {
            tx.set_message_waiting(m.id, None, now).await?;
        }
        sends.push(p);
    }
    let mut slots: HashMap<ChannelId, VecDeque<i64>> = HashMap::new();
    for channel in channels.values() {
        let n = sends
            .iter()
            .filter(|p| p.found.message.channel_id == channel.id)
            .count();
        if n > 0 {
            let reserved =
                pacing::reserve_slots(&mut tx, channel.id, channel.rate_limit, n).await?;
            slots.insert(channel.id, reserved.into());
        }
    }
    tx.commit().await?;

    let mut tokens: HashMap<ChannelId, String> = HashMap::new();
    for id in slots.keys() {
        if let Some(c) = channels.get(id) {
            tokens.insert(*id, state.secrets.open_str(&c.access_token)?);
        }
    }
    let calls = sends.into_iter().map(|p| {
        let id = p.found.message.channel_id;
        let slot = slots.get_mut(&id).and_then(VecDeque::pop_front);
        let (channel, token) = (channels.get(&id), tokens.get(&id));
        async move {
            if let Some(slot) = slot {
                pacing::wait_for(slot).await;
            }
            let result = match (channel, token) {
                (Some(c), Some(t)) => Some(call_meta(state, c, t, &p.body).await),
                _ => None,
            };
            (p, result)
        }
    });
    let answered = futures::future::join_all(calls).await;

    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    // Meta's acceptances are recorded together, in a few statements for
    // the batch; anything else through the single send's path.
    let mut accepted = Vec::new();
    for (p, result) in answered {
        let id = p.found.message.channel_id;
        let (Some(result), Some(channel)) = (result, channels.get_mut(&id)) else {
            continue;
        };
        let result = match result {
            Ok(resp) => {
                let wamid = resp.messages.first().map(|m| m.id.clone());
                attempts[p.index] = Some(SendAttempt::Settled);
                accepted.push((p.found.message, wamid));
                continue;
            }
            Err(e) => Err(e),
        };
        let answer = record_answer(&mut tx, &p.found.message, channel, result, now).await?;
        attempts[p.index] = Some(match answer {
            Answer::Recorded => SendAttempt::Settled,
            Answer::Retry { reason, after_ms } => SendAttempt::Retry { reason, after_ms },
            Answer::Wait => {
                // Recorded once: the rest of the batch finds it marked.
                channel.status = ChannelStatus::NeedsCredentials;
                SendAttempt::Wait {
                    reason: WAITING_FOR_CREDENTIALS.into(),
                }
            }
        });
    }
    record_accepted(&mut tx, &accepted, now).await?;
    let attempts = attempts
        .into_iter()
        .map(|a| {
            a.unwrap_or(SendAttempt::Retry {
                reason: "the send was not attempted".into(),
                after_ms: 1000,
            })
        })
        .collect();
    Ok((tx, attempts))
}
