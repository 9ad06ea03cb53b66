//! Applying one routed inbound event to its tenant's inbox: messages
//! (contact, conversation, message, media, consent keywords), statuses
//! (forward only) and everything else Meta reports about the number.
//! Every write is keyed, so applying an event twice changes nothing.

pub use super::senders::KnownContacts;
use super::senders::{SenderFacts, sender_contact};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{
    ConversationRef, ConversationStatusChanged, MessageError, MessageFailed, MessageRef,
    WhatsAppUnhandled, WhatsAppUpdate,
};
use domain::messaging::MessageStatus;
use domain::{MessageId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::channels::Channel;
use store::inbox::{ConversationStatus, Direction, Message, NewInbound, StatusUpdate};
use store::{StoreError, TenantTx};
use whatsapp::webhook::{Contact, MessageContent};
use whatsapp::{InboundMessage, Status, StatusKind};

/// One routed inbound event, parsed once: the form it is applied in, and
/// held in (as JSON) while its tenant is suspended.
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
    /// Anything else, by Meta's webhook field.
    Other {
        field: String,
        value: Value,
    },
}

impl InboundEvent {
    /// The WhatsApp id of a message's sender.
    pub fn sender(&self) -> Option<&str> {
        match self {
            InboundEvent::Message { message, .. } => {
                message.from.as_deref().or(message.from_user_id.as_deref())
            }
            _ => None,
        }
    }
}

/// Applies one event to `channel`'s tenant inbox, in `tx`. `known` may
/// hold the sender's contact as read before `tx` began.
pub async fn apply(
    tx: &mut TenantTx,
    channel: &Channel,
    event: &InboundEvent,
    known: &KnownContacts,
    now: Timestamp,
) -> anyhow::Result<()> {
    match event {
        InboundEvent::Message { contact, message } => {
            apply_message(tx, channel, contact.as_ref(), message, known, now).await
        }
        InboundEvent::Status { status } => apply_status(tx, channel, status, now).await,
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
                _ => Event::WhatsAppAccountUpdated(update),
            };
            record(tx, event, now);
            Ok(())
        }
    }
}

fn unhandled(channel: &Channel, reason: &str, value: Value) -> Event {
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
    known: &KnownContacts,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(sender) = message.from.as_deref().or(message.from_user_id.as_deref()) else {
        tracing::warn!(tenant_id = %channel.tenant_id, "inbound message without a sender id; kept as an event");
        let raw = serde_json::to_value(message)?;
        record(tx, unhandled(channel, "message_without_sender", raw), now);
        return Ok(());
    };
    let profile_name = contact.and_then(|c| c.profile.as_ref()?.name.as_deref());
    let facts = SenderFacts {
        wa_id: sender,
        user_id: message.from_user_id.as_deref(),
        profile_name,
    };
    let contact = sender_contact(tx, facts, known.get(sender), now).await?;
    let (conversation, opened) = tx.upsert_conversation(contact.id, channel.id, now).await?;
    let sent_at = message
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
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
        return Ok(());
    };
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
    if let MessageContent::Text(text) = &message.content
        && let Some(opt_out) = domain::messaging::consent_keyword(&text.body)
    {
        crate::inbox::contacts::set_consent(tx, &contact, opt_out, "keyword", now).await?;
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
    Ok(())
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

/// The event of an outbound message reaching `status`, if it has one.
pub fn status_event(
    m: &Message,
    status: MessageStatus,
    error: Option<MessageError>,
) -> Option<Event> {
    let r = message_ref(m);
    Some(match status {
        MessageStatus::Sent => Event::MessageSent(r),
        MessageStatus::Delivered => Event::MessageDelivered(r),
        MessageStatus::Read => Event::MessageRead(r),
        MessageStatus::Failed => Event::MessageFailed(MessageFailed {
            message: r,
            error: error.unwrap_or(MessageError {
                code: None,
                title: "failed".into(),
            }),
        }),
        MessageStatus::Received | MessageStatus::Queued => return None,
    })
}

async fn apply_status(
    tx: &mut TenantTx,
    channel: &Channel,
    status: &Status,
    now: Timestamp,
) -> anyhow::Result<()> {
    let next = match &status.status {
        StatusKind::Sent => MessageStatus::Sent,
        StatusKind::Delivered => MessageStatus::Delivered,
        StatusKind::Read => MessageStatus::Read,
        StatusKind::Failed => MessageStatus::Failed,
        _ => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_unknown", raw), now);
            return Ok(());
        }
    };
    let message = match find_status_target(tx, status, now).await? {
        Some(m) if m.direction == Direction::Outbound => m,
        // Statuses are about what the business sent: one naming a
        // customer's message changes nothing.
        Some(_) => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_for_inbound", raw), now);
            return Ok(());
        }
        None => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_unmatched", raw), now);
            return Ok(());
        }
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
        let failure = error.map(|e| MessageError {
            code: e.code,
            title: e.title.clone().unwrap_or_default(),
        });
        if let Some(event) = status_event(&message, next, failure) {
            record(tx, event, now);
        }
    }
    Ok(())
}

/// The message a status is about: by wamid; or, if our send's answer was
/// never recorded (a crash between Meta's 200 and our commit), by the
/// message id we put in `biz_opaque_callback_data` (and the wamid is
/// recorded now).
async fn find_status_target(
    tx: &mut TenantTx,
    status: &Status,
    now: Timestamp,
) -> anyhow::Result<Option<Message>> {
    match tx.find_message_by_wamid(&status.id).await {
        Ok(m) => return Ok(Some(m)),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let Some(id) = status
        .biz_opaque_callback_data
        .as_deref()
        .and_then(|d| d.parse::<MessageId>().ok())
    else {
        return Ok(None);
    };
    match tx.find_message(id).await {
        Ok(m) => {
            tx.set_message_wamid(m.id, &status.id, now).await?;
            Ok(Some(m))
        }
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
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
                apply(&mut tx, channel, &event, &KnownContacts::default(), now).await?;
            }
            tx.delete_held_event(held.id).await?;
            released += 1;
        }
        tx.commit().await?;
    }
}
