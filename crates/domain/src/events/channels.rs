//! The payloads of numbers, media, Meta's other updates and the outbound
//! webhooks' endpoints, beside the [`super::Event`] list that names them.

use crate::ids::{ChannelId, EndpointId, MediaId, MessageId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointRef {
    pub endpoint_id: EndpointId,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointDisabled {
    pub endpoint_id: EndpointId,
    pub url: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRef {
    pub channel_id: ChannelId,
    pub phone_number_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelStatusChanged {
    pub channel_id: ChannelId,
    /// `active`, `needs_credentials`, `restricted`, `disabled` or
    /// `offboarded`.
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaRef {
    pub media_id: MediaId,
    pub message_id: MessageId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFailed {
    pub media_id: MediaId,
    pub message_id: MessageId,
    pub reason: String,
}

/// A change Meta reported, as Meta sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatsAppUpdate {
    pub channel_id: ChannelId,
    /// Meta's webhook field (`account_update`, `message_template_status_update`, …).
    pub field: String,
    /// Meta's `value` object, unchanged.
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatsAppUnhandled {
    pub channel_id: ChannelId,
    /// `status_unmatched`, `status_for_inbound`, `status_unknown`,
    /// `message_without_sender`, `edit_unmatched`, `revoke_unmatched`,
    /// `echo_without_customer` or `errors`.
    pub reason: String,
    /// What Meta sent, unchanged.
    pub value: Value,
}
