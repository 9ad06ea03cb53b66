//! Setup and bookkeeping bodies: Open Messaging integrations, messaging
//! conversations, the Genesys error body and the OAuth token answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Creates (`POST …/integrations/open`) or updates (`PATCH …/open/{id}`) an
/// Open Messaging integration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationRequest {
    pub name: String,
    pub outbound_notification_webhook_url: String,
    pub outbound_notification_webhook_signature_secret_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_headers: Option<BTreeMap<String, String>>,
}

/// An Open Messaging integration as Genesys describes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    /// The integration id (a UUID).
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `Active` or `Inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Initiated`, then `Completed` or `Error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_notification_webhook_url: Option<String>,
}

/// One participant of a messaging conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// `customer`, `agent`, `acd`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// `connected`, `disconnected`, `terminated`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `GET /api/v2/conversations/messages/{conversationId}` (the fields we use).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    #[serde(default)]
    pub participants: Vec<Participant>,
}

impl Conversation {
    /// Ended: it has participants and every one is `disconnected` or
    /// `terminated`.
    pub fn ended(&self) -> bool {
        !self.participants.is_empty()
            && self.participants.iter().all(|p| {
                p.state.as_deref().is_some_and(|s| {
                    s.eq_ignore_ascii_case("disconnected") || s.eq_ignore_ascii_case("terminated")
                })
            })
    }
}

/// Genesys' error body: `{"message","code","status","contextId",…}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
}

/// The answer of `POST /oauth/token` (OAuth's snake_case, not camelCase).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    pub expires_in: i64,
}
