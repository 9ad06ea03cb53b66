//! An agent's message from Genesys, as its webhook delivers it: sent on
//! WhatsApp in the customer's conversation under every rule of sending
//! (the 24-hour window, opt-out, the month's quota, the number's state
//! and pacing), once however often Genesys delivers it; or refused, and
//! Genesys told with a failed receipt giving the reason.
//!
//! An agent who writes to a customer whose conversation is not with
//! Genesys (Genesys kept its side open, or started it) takes the
//! conversation: it is handed over as it is.

use super::consumer::queue_receipt;
use super::handover::{self, Reason};
use super::render;
use crate::channels::apply::conversation_opened;
use crate::channels::send::{Lane, Outgoing, SentBy, queue_or_refusal};
use crate::error::AppResult;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::MessageId;
use domain::events::{ContactRef, GenesysReplyRefused};
use domain::messaging::WaId;
use genesys::wire::{OutboundMessage, Reason as ReceiptReason};
use store::TenantTx;
use store::genesys::GenesysLink;
use store::genesys::handovers::Handover;

/// What became of an agent's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Queued on WhatsApp as these messages.
    Sent(Vec<MessageId>),
    /// Refused with this receipt reason (Genesys was told).
    Refused(&'static str),
    /// Delivered before: nothing more done.
    Again,
    /// Not for a customer we can reach (`to` is not a WhatsApp id).
    Unroutable,
}

/// Takes agent message `m` for `link`'s number.
pub async fn take(state: &AppState, link: &GenesysLink, m: &OutboundMessage) -> AppResult<Taken> {
    let now = state.now();
    let mut tx = state.store.tenant(link.tenant_id).await?;
    let Some(handover) = handover_of(&mut tx, link, &m.channel.to.id, now).await? else {
        tx.commit().await?;
        return Ok(Taken::Unroutable);
    };
    if !tx.claim_genesys_reply(handover.id, &m.id, now).await? {
        tx.commit().await?;
        return Ok(Taken::Again);
    }
    if let Some(conversation) = &m.conversation_id
        && handover.genesys_conversation_id.as_ref() != Some(conversation)
    {
        // Genesys' conversation, even when no customer message named it
        // yet: the check for its end needs it.
        let check = now.plus_millis(state.config.genesys_check_seconds * 1000);
        tx.set_handover_conversation(handover.id, conversation, check)
            .await?;
    }
    let taken = match render::outgoing(m) {
        Err(unsendable) => {
            refuse(
                &mut tx,
                &handover,
                m,
                "unsupported_content",
                unsendable.reason,
                &unsendable.message,
                now,
            )
            .await?;
            Taken::Refused(unsendable.reason)
        }
        Ok(contents) => {
            let mut sent = Vec::new();
            let mut refused = None;
            for content in contents {
                let out = Outgoing {
                    conversation_id: Some(handover.conversation_id),
                    channel_id: None,
                    to: None,
                    reply_to: None,
                    content,
                    lane: Lane::Conversational,
                };
                match queue_or_refusal(&mut tx, SentBy::Genesys, out, now).await? {
                    Ok(message) => sent.push(message.id),
                    Err(r) => {
                        refused = Some(r);
                        break;
                    }
                }
            }
            match refused {
                // The first part went: the agent's message counts as sent
                // (its receipt follows the first part's status).
                Some((code, why)) if sent.is_empty() => {
                    let reason = render::refusal_reason(&code);
                    refuse(&mut tx, &handover, m, &code, reason, &why, now).await?;
                    Taken::Refused(reason)
                }
                _ => {
                    tx.settle_genesys_reply(handover.id, &m.id, sent.first().copied(), None)
                        .await?;
                    Taken::Sent(sent)
                }
            }
        }
    };
    tx.commit().await?;
    state.wake_workers();
    Ok(taken)
}

/// The open hand-over agent messages to `to` go to; a conversation not
/// with Genesys is handed over (the agent took it).
async fn handover_of(
    tx: &mut TenantTx,
    link: &GenesysLink,
    to: &str,
    now: domain::Timestamp,
) -> AppResult<Option<Handover>> {
    if let Some(h) = tx.find_open_handover_of_customer(link.id, to).await? {
        return Ok(Some(h));
    }
    let Ok(wa_id) = WaId::parse(to) else {
        return Ok(None);
    };
    let (contact, created) = tx.upsert_contact(wa_id.as_str(), None, None, now).await?;
    if created {
        let event = Event::ContactCreated(ContactRef {
            contact_id: contact.id,
        });
        record(tx, event, now);
    }
    let (conversation, opened) = tx
        .upsert_conversation(contact.id, link.channel_id, now)
        .await?;
    if opened {
        record(tx, conversation_opened(&conversation), now);
    }
    let (h, _) =
        handover::hand_over_in(tx, conversation.id, Reason::Genesys, "genesys", now).await?;
    Ok(Some(h))
}

/// Records agent message `m` as refused (`code`, ours) and queues the
/// failed receipt (`reason`, Genesys').
async fn refuse(
    tx: &mut TenantTx,
    handover: &Handover,
    m: &OutboundMessage,
    code: &str,
    reason: &'static str,
    why: &str,
    now: domain::Timestamp,
) -> AppResult<()> {
    tx.settle_genesys_reply(handover.id, &m.id, None, Some(code))
        .await?;
    let event = GenesysReplyRefused {
        handover_id: handover.id,
        conversation_id: handover.conversation_id,
        genesys_message_id: m.id.clone(),
        code: code.to_owned(),
        receipt_reason: reason.to_owned(),
    };
    record(tx, Event::GenesysReplyRefused(event), now);
    let r = ReceiptReason {
        code: reason.to_owned(),
        message: Some(why.to_owned()),
    };
    queue_receipt(tx, handover, &m.id, "Failed", Some(r), now)
        .await
        .map_err(crate::error::AppError::internal)
}
