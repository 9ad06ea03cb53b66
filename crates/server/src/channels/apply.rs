//! Applying one routed inbound event to its tenant's inbox: messages
//! (contact, conversation, message, media, consent keywords; edits and
//! deletions of earlier ones in [`super::revisions`]), statuses
//! ([`super::statuses`]), the business's own messages from the WhatsApp
//! Business app ([`super::echoes`]), and what Meta reports about the
//! account ([`super::account`]). Every write is keyed, so applying an
//! event twice changes nothing.

pub use super::senders::KnownContacts;
use super::senders::{SenderFacts, apply_system, sender_contact};
pub use super::statuses::status_event;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{
    ConversationRef, ConversationStatusChanged, MessageRef, WhatsAppUnhandled, WhatsAppUpdate,
};
use domain::{TenantId, TenantStatus, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::TenantTx;
use store::channels::Channel;
use store::inbox::{ConversationStatus, Message, NewInbound};
use whatsapp::webhook::{Contact, MessageContent};
use whatsapp::{InboundMessage, Status};

/// One routed inbound event, parsed once: the form it is applied in, and
/// held in (as JSON) while it cannot be applied.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboundEvent {
    Message {
        contact: Option<Contact>,
        message: Box<InboundMessage>,
    },
    Status {
        status: Box<Status>,
    },
    /// A message the business sent from the WhatsApp Business app.
    Echo {
        message: Box<InboundMessage>,
    },
    /// Anything else, by Meta's webhook field.
    Other {
        field: String,
        value: Value,
    },
}

impl InboundEvent {
    /// The ids (WhatsApp id, business-scoped user id) of the customer whose
    /// contact this event may create.
    pub fn sender(&self) -> Option<(Option<&str>, Option<&str>)> {
        match self {
            InboundEvent::Message { message, contact } => Some((
                message
                    .from
                    .as_deref()
                    .or(contact.as_ref().and_then(|c| c.wa_id.as_deref())),
                message
                    .from_user_id
                    .as_deref()
                    .or(contact.as_ref().and_then(|c| c.user_id.as_deref())),
            )),
            InboundEvent::Echo { message } => Some((message.to.as_deref(), None)),
            _ => None,
        }
    }
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// It needs a new contact and the plan's contact limit is reached:
    /// nothing was written; the caller holds it.
    OverContactLimit,
}

/// Applies one event to `channel`'s tenant inbox, in `tx`. `known` may
/// hold the sender's contact as read before `tx` began, and learns the
/// contacts `tx` finds or writes (for the events after this one in `tx`).
pub async fn apply(
    tx: &mut TenantTx,
    channel: &Channel,
    event: &InboundEvent,
    known: &mut KnownContacts,
    now: Timestamp,
) -> anyhow::Result<Applied> {
    match event {
        InboundEvent::Message { contact, message } => {
            apply_message(tx, channel, contact.as_ref(), message, known, now).await
        }
        InboundEvent::Status { status } => {
            super::statuses::apply_statuses(tx, &[(channel, status)], now).await?;
            Ok(Applied::Done)
        }
        InboundEvent::Echo { message } => {
            super::echoes::apply_echo(tx, channel, message, known, now).await
        }
        InboundEvent::Other { field, value } => {
            let update = WhatsAppUpdate {
                channel_id: channel.id,
                field: field.clone(),
                value: value.clone(),
            };
            let event = match field.as_str() {
                "errors" => unhandled(channel, "errors", value.clone()),
                f if f.starts_with("message_template") || f.starts_with("template") => {
                    Event::WhatsAppTemplateUpdated(update)
                }
                _ => {
                    super::account::apply_account_update(tx, channel, field, value, now).await?;
                    Event::WhatsAppAccountUpdated(update)
                }
            };
            record(tx, event, now);
            Ok(Applied::Done)
        }
    }
}

pub(super) fn unhandled(channel: &Channel, reason: &str, value: Value) -> Event {
    Event::WhatsAppUnhandled(WhatsAppUnhandled {
        channel_id: channel.id,
        reason: reason.to_owned(),
        value,
    })
}

async fn apply_message(
    tx: &mut TenantTx,
    channel: &Channel,
    contact: Option<&Contact>,
    message: &InboundMessage,
    known: &mut KnownContacts,
    now: Timestamp,
) -> anyhow::Result<Applied> {
    let sent_at = message
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
    // An edit or deletion changes an earlier message; it is no message of
    // its own (and needs no contact).
    if matches!(
        message.content,
        MessageContent::Edit { .. } | MessageContent::Revoke { .. }
    ) {
        super::revisions::apply_revision(tx, channel, message, sent_at, now).await?;
        return Ok(Applied::Done);
    }
    let facts = SenderFacts {
        wa_id: message
            .from
            .as_deref()
            .or(contact.and_then(|c| c.wa_id.as_deref())),
        user_id: message
            .from_user_id
            .as_deref()
            .or(contact.and_then(|c| c.user_id.as_deref())),
        username: contact.and_then(|c| c.profile.as_ref()?.username.as_deref()),
        profile_name: contact.and_then(|c| c.profile.as_ref()?.name.as_deref()),
    };
    if facts.wa_id.is_none() && facts.user_id.is_none() {
        tracing::warn!(tenant_id = %channel.tenant_id, "inbound message without a sender id; kept as an event");
        let raw = serde_json::to_value(message)?;
        record(tx, unhandled(channel, "message_without_sender", raw), now);
        return Ok(Applied::Done);
    }
    let Some(contact) = sender_contact(tx, facts, known, now).await? else {
        return Ok(Applied::OverContactLimit);
    };
    let (conversation, opened) = tx.upsert_conversation(contact.id, channel.id, now).await?;
    let content = serde_json::to_value(message)?;
    let stored = tx
        .insert_inbound_message(NewInbound {
            conversation: conversation.id,
            channel: channel.id,
            wamid: &message.id,
            kind: message.kind(),
            content: &content,
            reply_to_wamid: message.context.as_ref().and_then(|c| c.id.as_deref()),
            provider_time: sent_at,
            now,
        })
        .await?;
    let Some(m) = stored else {
        // A repeat of a message we have: nothing changes.
        return Ok(Applied::Done);
    };
    crate::billing::usage::count_inbound(tx, now).await?;
    if opened {
        record(tx, conversation_opened(&conversation), now);
    }
    tx.note_inbound(conversation.id, sent_at, now).await?;
    if conversation.status == ConversationStatus::Resolved {
        let event = Event::ConversationStatusChanged(ConversationStatusChanged {
            conversation_id: conversation.id,
            status: ConversationStatus::Open.as_str().to_owned(),
            previous_status: conversation.status.as_str().to_owned(),
        });
        record(tx, event, now);
    }
    match &message.content {
        MessageContent::Text(text) => {
            if let Some(opt_out) = domain::messaging::consent_keyword(&text.body) {
                crate::inbox::contacts::set_consent(tx, &contact, opt_out, "keyword", now).await?;
                // Its consent may have changed: read it again if needed.
                known.forget(&contact);
            }
        }
        MessageContent::System(system) => {
            apply_system(tx, &contact, system, known, sent_at, now).await?
        }
        _ => {}
    }
    if let Some((wa_media_id, mime_type)) = super::media::media_of(&message.content)
        && let Some(media) = tx
            .insert_media(m.id, channel.id, wa_media_id, mime_type, now)
            .await?
    {
        let job = super::jobs::MediaJob { media_id: media.id };
        crate::jobs::enqueue::<super::jobs::FetchMedia>(tx, &job, now).await?;
    }
    record(tx, Event::MessageReceived(message_ref(&m)), now);
    Ok(Applied::Done)
}

/// The event of a conversation that just started.
pub fn conversation_opened(c: &store::inbox::Conversation) -> Event {
    Event::ConversationOpened(ConversationRef {
        conversation_id: c.id,
        contact_id: c.contact_id,
        channel_id: c.channel_id,
    })
}

/// A stored message, by its ids.
pub fn message_ref(m: &Message) -> MessageRef {
    MessageRef {
        message_id: m.id,
        conversation_id: m.conversation_id,
        channel_id: m.channel_id,
        kind: m.kind.clone(),
    }
}

/// Applies a tenant's held events in arrival order: on reactivation, and
/// when the plan's limits change. Stops at the first event that still
/// cannot be applied (the contact limit still reached), leaving it and
/// those after it held; a suspended tenant's events stay held.
pub async fn release_held(state: &AppState, tenant: TenantId) -> anyhow::Result<usize> {
    let mut released = 0;
    loop {
        let now = state.now();
        let mut tx = state.store.tenant(tenant).await?;
        if tx.find_tenant().await?.status == TenantStatus::Suspended {
            tx.commit().await?;
            return Ok(released);
        }
        let batch = tx.list_held_events(100).await?;
        if batch.is_empty() {
            tx.commit().await?;
            return Ok(released);
        }
        let channels = tx.list_channels().await?;
        let mut known = KnownContacts::default();
        for held in batch {
            let event: InboundEvent = serde_json::from_str(&held.payload)?;
            if let Some(channel) = channels.iter().find(|c| c.id == held.channel_id)
                && apply(&mut tx, channel, &event, &mut known, now).await?
                    == Applied::OverContactLimit
            {
                tx.commit().await?;
                return Ok(released);
            }
            tx.delete_held_event(held.id).await?;
            released += 1;
        }
        tx.commit().await?;
    }
}
