//! Answers of `POST /{phone_number_id}/messages` (reference §2.2).

use serde::{Deserialize, Deserializer, Serialize};

use super::whatsapp;
use crate::lenient;

/// Successful send (HTTP 200 = accepted, not delivered).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    #[serde(default = "whatsapp")]
    pub messaging_product: String,
    #[serde(default)]
    pub contacts: Vec<SendContact>,
    #[serde(default)]
    pub messages: Vec<SentMessage>,
}

impl SendResponse {
    /// The wamid of the (first) sent message.
    pub fn message_id(&self) -> Option<&str> {
        self.messages.first().map(|m| m.id.as_str())
    }

    /// The normalised wa_id of the (first) recipient: store this one.
    pub fn wa_id(&self) -> Option<&str> {
        self.contacts.first().and_then(|c| c.wa_id.as_deref())
    }
}

/// `contacts[]` of a send response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendContact {
    /// Our `to`, verbatim.
    #[serde(default, deserialize_with = "lenient::string")]
    pub input: String,
    /// Normalised wa_id (may differ from `input`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub wa_id: Option<String>,
    /// BSUID, newer versions.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<String>,
}

/// `messages[]` of a send response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// The wamid statuses will refer to.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Template sends: `accepted`, `held_for_quality_assessment`, `paused`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_status: Option<String>,
}

/// `{"success": true}` answers (mark-as-read, deletes, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessResponse {
    #[serde(default, deserialize_with = "lenient_success")]
    pub success: bool,
}

fn lenient_success<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(lenient::opt_bool(d)?.unwrap_or(false))
}
