//! Control-API types of simulated customer messages.

use serde::{Deserialize, Serialize};

/// A message a simulated customer sends to a business number.
///
/// JSON: `{"phone_number_id":"…","from":"16505551234","profile_name":"Sheena",
/// "type":"text","body":"Hi"}` — the fields after `type` depend on the type
/// (see [`InboundContent`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub phone_number_id: String,
    /// Customer wa_id (digits; `+` and formatting are stripped).
    pub from: String,
    /// Profile name (`contacts[].profile.name`); remembered for later
    /// messages of this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// wamid of the business message being replied to. Button/list replies
    /// default to the last interactive message sent to this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Mark the message as forwarded (`context.forwarded`).
    #[serde(default)]
    pub forwarded: bool,
    /// Click-to-WhatsApp referral attached to the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    #[serde(flatten)]
    pub content: InboundContent,
}

impl InboundMessage {
    /// A plain text message.
    pub fn text(phone_number_id: &str, from: &str, body: &str) -> Self {
        Self::new(
            phone_number_id,
            from,
            InboundContent::Text {
                body: body.to_owned(),
            },
        )
    }

    pub fn new(phone_number_id: &str, from: &str, content: InboundContent) -> Self {
        Self {
            phone_number_id: phone_number_id.to_owned(),
            from: from.to_owned(),
            profile_name: None,
            context: None,
            forwarded: false,
            referral: None,
            content,
        }
    }
}

/// Content of an inbound message, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundContent {
    Text {
        body: String,
    },
    Image(InboundMedia),
    Video(InboundMedia),
    Audio(InboundMedia),
    Document(InboundMedia),
    Sticker(InboundMedia),
    Location {
        latitude: f64,
        longitude: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Contacts {
        contacts: Vec<ContactCard>,
    },
    /// Tap on an interactive reply button (`interactive.button_reply`).
    ButtonReply {
        id: String,
        title: String,
    },
    /// Choice from an interactive list (`interactive.list_reply`).
    ListReply {
        id: String,
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    /// Tap on a template quick-reply button (`type: button`).
    Button {
        payload: String,
        text: String,
    },
    Reaction {
        message_id: String,
        emoji: String,
    },
    /// A message type the Cloud API does not support (errors 131051).
    Unsupported,
    /// `system` / `user_changed_number` (no `contacts` in the webhook).
    System {
        new_wa_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
}

/// Media sent by a customer; the sandbox stores it so the client can fetch it
/// through `GET /{v}/{media_id}` and the download URL.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InboundMedia {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// File content, base64; default: a few placeholder bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_base64: Option<String>,
    /// Audio only: voice note.
    #[serde(default)]
    pub voice: bool,
    /// Sticker only.
    #[serde(default)]
    pub animated: bool,
}

/// A shared contact card (subset of Meta's vCard object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactCard {
    pub name: ContactName,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<ContactPhone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactName {
    pub formatted_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactPhone {
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Click-to-WhatsApp referral.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Referral {
    pub source_url: String,
    pub source_id: String,
    /// `ad` or `post`.
    pub source_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
}

/// Result of delivering an inbound message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundReceipt {
    /// wamid of the inbound message (for replies, reactions, mark-as-read).
    pub id: String,
    pub timestamp: i64,
}
