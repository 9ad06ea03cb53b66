//! Delivery statuses of messages we sent (`value.statuses[]`).

use serde::{Deserialize, Serialize};

use super::envelope::WebhookError;
use crate::lenient::{self, open_enum};

open_enum! {
    /// `statuses[].status`. Ordering/merging rules live in the domain crate.
    pub enum StatusKind / Unknown {
        /// Accepted by WhatsApp servers (one tick).
        Sent => "sent",
        /// On the device.
        Delivered => "delivered",
        /// Opened (only with read receipts on).
        Read => "read",
        /// Voice note played.
        Played => "played",
        /// Could not be sent or delivered; see `errors`.
        Failed => "failed",
        /// Legacy.
        Deleted => "deleted",
    }
}

impl Default for StatusKind {
    fn default() -> Self {
        Self::Unknown(String::new())
    }
}

/// One status update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// wamid returned by our send call.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// Absent `status` (never seen) gives `Unknown("")`.
    #[serde(default)]
    pub status: StatusKind,
    /// Unix seconds as a string.
    #[serde(default, deserialize_with = "lenient::string")]
    pub timestamp: String,
    /// Recipient wa_id (or group id).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient_id: Option<String>,
    /// Recipient BSUID, newer payloads.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient_user_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_recipient_user_id: Option<String>,
    /// Echo of the value set on send.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub biz_opaque_callback_data: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub conversation: Option<Conversation>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub pricing: Option<Pricing>,
    /// Only on `failed`.
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<WebhookError>,
}

impl Status {
    /// `timestamp` parsed as Unix seconds.
    pub fn timestamp_secs(&self) -> Option<i64> {
        self.timestamp.trim().parse().ok()
    }

    /// Code of the first error (the reason of a `failed` status).
    pub fn error_code(&self) -> Option<i64> {
        self.errors.first().and_then(|e| e.code)
    }
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Usually only on the first `sent`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_timestamp: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub origin: Option<ConversationOrigin>,
}

/// `conversation.origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationOrigin {
    /// `marketing`, `utility`, `authentication`, `service`, ...
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
}

/// `statuses[].pricing`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// Being deprecated in favour of `type`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub billable: Option<bool>,
    /// `PMP` (per-message pricing) or legacy `CBP`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pricing_model: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
}
