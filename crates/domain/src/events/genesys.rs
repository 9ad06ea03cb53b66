//! The Genesys Cloud bridge: event payloads, beside the [`super::Event`]
//! list that names them.

use crate::ids::{ChannelId, ConversationId, GenesysLinkId, HandoverId};
use serde::{Deserialize, Serialize};

/// The workspace's Genesys credentials changed (never the secret itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysAccountUpdated {
    /// The region's host (`mypurecloud.ie`).
    pub region: String,
    pub client_id: String,
}

/// A number's link to an Open Messaging integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysLinkRef {
    pub link_id: GenesysLinkId,
    pub channel_id: ChannelId,
    /// Genesys' id of the integration.
    pub integration_id: String,
    /// `all` (every conversation of the number goes to Genesys) or
    /// `handover` (only those handed over).
    pub routing: String,
}

/// A conversation's hand-over to Genesys, or its return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysHandover {
    pub handover_id: HandoverId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    /// Handed over: `routing` (the number sends everything), `keyword`,
    /// `automation`, `agent` (someone in the inbox) or `api`. Returned:
    /// `ended` (Genesys ended its conversation), `taken_back` (someone in
    /// the inbox or the API) or `unlinked` (the number's link was removed).
    pub reason: String,
    /// Who: `user:<id>`, `api_key:<id>`, `automation`, `customer`,
    /// `genesys`, `system`.
    pub by: String,
}

/// A Genesys agent's reply that did not go out on WhatsApp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysReplyRefused {
    pub handover_id: HandoverId,
    pub conversation_id: ConversationId,
    /// Genesys' id of the agent's message.
    pub genesys_message_id: String,
    /// Our reason (`outside_customer_service_window`, `contact_opted_out`,
    /// `quota_exceeded`, …) and the receipt reason Genesys was given.
    pub code: String,
    pub receipt_reason: String,
}
