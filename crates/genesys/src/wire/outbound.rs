//! What Genesys POSTs to our outbound webhook (reference §4): agent and bot
//! messages (`type` `Text` or `Structured`), typing events (`Event`) and
//! receipts (`Receipt`), all as one [`OutboundMessage`] shape.

use serde::{Deserialize, Serialize};

use super::inbound::{Content, Party, Reason, TypingEvent};

/// `channel` of an outbound message. `id` is the integration id; `to.id` is
/// the `from.id` we used inbound (the customer's wa_id).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundChannel {
    pub id: String,
    /// `Open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `Private`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub to: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// What Genesys POSTs to our webhook. `id` is the Genesys message id, to be
/// echoed as `id` in receipts and used to de-duplicate redeliveries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMessage {
    pub id: String,
    pub channel: OutboundChannel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// `Outbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// `Human` or `Bot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_entity: Option<String>,
    /// `Text`, `Structured`, `Event` or `Receipt`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default)]
    pub content: Vec<Content>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TypingEvent>,
    /// Set on `Receipt` messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}
