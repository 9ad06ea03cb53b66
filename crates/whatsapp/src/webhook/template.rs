//! `message_template_status_update` webhooks (template review outcomes).

use serde::{Deserialize, Serialize};

use crate::lenient::{self, open_enum};

open_enum! {
    /// `value.event` of a template status update.
    pub enum TemplateEvent / Other {
        Approved => "APPROVED",
        Rejected => "REJECTED",
        Pending => "PENDING",
        Paused => "PAUSED",
        Disabled => "DISABLED",
        Flagged => "FLAGGED",
        PendingDeletion => "PENDING_DELETION",
        Deleted => "DELETED",
        Reinstated => "REINSTATED",
        InAppeal => "IN_APPEAL",
        LimitExceeded => "LIMIT_EXCEEDED",
        Archived => "ARCHIVED",
        Unarchived => "UNARCHIVED",
        Locked => "LOCKED",
        Unlocked => "UNLOCKED",
    }
}

impl Default for TemplateEvent {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

/// `value` of a `message_template_status_update` change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    #[serde(default)]
    pub event: TemplateEvent,
    /// Sent as a JSON number by Meta; kept as its exact decimal string (a
    /// string on the wire is accepted too). Serialised back as a number when
    /// it is all digits.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        serialize_with = "template_id_as_number"
    )]
    pub message_template_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message_template_language: String,
    /// `NONE`, `INVALID_FORMAT`, `ABUSIVE_CONTENT`, ...
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message_template_category: Option<String>,
    /// Only when rejected with `INVALID_FORMAT`.
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub rejection_info: Option<RejectionInfo>,
    /// Only when disabled.
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_info: Option<DisableInfo>,
    /// Only when locked / unlocked.
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub other_info: Option<OtherInfo>,
}

fn template_id_as_number<S: serde::Serializer>(id: &str, s: S) -> Result<S::Ok, S::Error> {
    match id.parse::<u64>() {
        Ok(n) if !id.starts_with('0') || id == "0" => s.serialize_u64(n),
        _ => s.serialize_str(id),
    }
}

/// `rejection_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionInfo {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub recommendation: Option<String>,
}

/// `disable_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableInfo {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_date: Option<String>,
}

/// `other_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherInfo {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}
