//! Scheduled messages: event payloads, beside the [`super::Event`] list that names
//! them.

use crate::ids::{ChannelId, ContactId, ConversationId, MessageId, ScheduledMessageId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A scheduled message as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledMessageRef {
    pub scheduled_message_id: ScheduledMessageId,
    pub contact_id: ContactId,
    /// The number it goes from.
    pub channel_id: ChannelId,
    /// `text` or `template`.
    pub kind: String,
    /// When it is to be sent.
    pub send_at: Timestamp,
}

/// A scheduled message's time, content or number changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledMessageUpdated {
    #[serde(flatten)]
    pub scheduled: ScheduledMessageRef,
    /// What changed: `send_at`, `content`, `channel_id`.
    pub changed: Vec<String>,
}

/// A scheduled message's time came and its message was queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledMessageSent {
    #[serde(flatten)]
    pub scheduled: ScheduledMessageRef,
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
}

/// A scheduled message's time came and a rule refused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledMessageFailed {
    #[serde(flatten)]
    pub scheduled: ScheduledMessageRef,
    /// A stable code: the refusing rule's (`contact_opted_out`,
    /// `outside_customer_service_window`, `quota_exceeded`,
    /// `channel_restricted`…) or the scheduler's own (`too_late`).
    pub code: String,
    pub reason: String,
}
