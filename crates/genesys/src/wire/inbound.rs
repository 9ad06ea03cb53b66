//! Bodies we send to Genesys: a customer's message
//! (`POST …/inbound/open/message`, [`InboundMessage`]) and its answer
//! ([`InboundMessageResponse`]), typing events ([`InboundEvent`]) and
//! delivery receipts for agent messages ([`Receipt`]). [`Party`],
//! [`Content`] and [`Attachment`] are shared with the outbound direction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A sender or recipient: `channel.from` inbound, `channel.to` outbound and
/// in receipts. Both `nickname` and `nickName` are read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub id: String,
    /// `Phone`, `Email` or `Opaque`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type: Option<String>,
    #[serde(default, alias = "nickName", skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

impl Party {
    /// A party identified by a phone number (the WhatsApp `wa_id`).
    pub fn phone(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            id_type: Some("Phone".to_owned()),
            ..Self::default()
        }
    }
}

/// `channel` of an inbound message or event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundChannel {
    /// Our id of the message (the wamid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub from: Party,
    /// ISO-8601 with `Z`, e.g. `2025-06-08T20:59:43.000Z`.
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ChannelMetadata>,
}

/// `channel.metadata`: attributes visible to Architect flows and scripts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMetadata {
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, String>,
}

/// `content[].attachment`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Image`, `Video`, `Audio` or `File`.
    pub media_type: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_size_bytes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One `content[]` item. Kinds other than attachments (`QuickReply`,
/// `ButtonResponse`, `Notification`, …) keep their fields in `other`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// `Attachment`, `QuickReply`, `ButtonResponse`, `Notification`, …
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Content {
    /// An `Attachment` content item.
    pub fn attachment(attachment: Attachment) -> Self {
        Self {
            content_type: "Attachment".to_owned(),
            attachment: Some(attachment),
            other: serde_json::Map::new(),
        }
    }
}

/// A customer's message (`POST …/inbound/open/message`). At least one of
/// `text` and `content` must be present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundMessage {
    pub channel: InboundChannel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Content>,
}

/// The answer to an inbound message: Genesys' message id and, with
/// `prefetchConversationId=true`, the conversation id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundMessageResponse {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// One `events[]` item, e.g. `{"eventType":"Typing","typing":{"type":"On"}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypingEvent {
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typing: Option<Typing>,
}

/// `events[].typing`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// `On` (or `Off`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
}

/// A customer event (`POST …/inbound/open/event`), e.g. typing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundEvent {
    pub channel: InboundChannel,
    pub events: Vec<TypingEvent>,
}

/// `channel` of a receipt: the customer the agent's message went to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptChannel {
    pub to: Party,
    pub time: String,
}

/// `reasons[]` of a failed receipt; `code` is one of Genesys' reason codes
/// (see [`super::reason_for_whatsapp_code`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The delivery outcome of an agent message (`POST …/inbound/open/receipt`);
/// `id` is the Genesys message id from the outbound webhook.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub id: String,
    pub channel: ReceiptChannel,
    /// `Delivered`, `Failed`, `Read` or `Sent`.
    pub status: String,
    /// `Outbound`.
    pub direction: String,
    #[serde(default)]
    pub is_final_receipt: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}
