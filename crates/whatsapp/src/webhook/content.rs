//! Per-type content of inbound messages (`messages[].<type>`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::interactive::InteractiveReply;
use super::message::{InboundMessage, typed};
use crate::lenient;
use crate::shared::{ContactCard, Location};

/// What an inbound message carries, by `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    Text(Text),
    Image(Media),
    Video(Media),
    /// Voice notes have `voice: Some(true)`.
    Audio(Media),
    Document(Media),
    Sticker(Media),
    Location(Location),
    /// Shared vCards (a list).
    Contacts(Vec<ContactCard>),
    /// Reply to one of our interactive messages.
    Interactive(InteractiveReply),
    /// Tap on a template quick-reply button.
    Button(ButtonReply),
    Reaction(Reaction),
    Order(Order),
    System(System),
    /// `type: unsupported`; details are in the message's `errors` (131051).
    Unsupported {
        /// Newer payloads name the unsupported kind (`unsupported.type`).
        kind: Option<String>,
    },
    /// The user opened the chat for the first time.
    RequestWelcome,
    /// The user edited an earlier message.
    Edit {
        original_message_id: Option<String>,
        message: Option<Box<InboundMessage>>,
    },
    /// The user deleted an earlier message.
    Revoke {
        original_message_id: Option<String>,
    },
    /// An unknown `type`, or a known one whose content did not parse. `raw`
    /// is the whole message object as received.
    Unknown {
        kind: String,
        raw: Value,
    },
}

impl MessageContent {
    /// The wire `type` string.
    pub fn kind(&self) -> &str {
        match self {
            Self::Text(_) => "text",
            Self::Image(_) => "image",
            Self::Video(_) => "video",
            Self::Audio(_) => "audio",
            Self::Document(_) => "document",
            Self::Sticker(_) => "sticker",
            Self::Location(_) => "location",
            Self::Contacts(_) => "contacts",
            Self::Interactive(_) => "interactive",
            Self::Button(_) => "button",
            Self::Reaction(_) => "reaction",
            Self::Order(_) => "order",
            Self::System(_) => "system",
            Self::Unsupported { .. } => "unsupported",
            Self::RequestWelcome => "request_welcome",
            Self::Edit { .. } => "edit",
            Self::Revoke { .. } => "revoke",
            Self::Unknown { kind, .. } => kind,
        }
    }

    /// The media object for image/video/audio/document/sticker.
    pub fn media(&self) -> Option<&Media> {
        match self {
            Self::Image(m)
            | Self::Video(m)
            | Self::Audio(m)
            | Self::Document(m)
            | Self::Sticker(m) => Some(m),
            _ => None,
        }
    }

    /// Types the content of a raw message object; never fails.
    pub(crate) fn from_message(map: Map<String, Value>) -> Self {
        let kind = map
            .get("type")
            .and_then(lenient::scalar_to_string)
            .unwrap_or_default();
        let body = map.get(kind.as_str());
        let parsed = match kind.as_str() {
            "text" => typed(body).map(Self::Text),
            "image" => typed(body).map(Self::Image),
            "video" => typed(body).map(Self::Video),
            "audio" => typed(body).map(Self::Audio),
            "document" => typed(body).map(Self::Document),
            "sticker" => typed(body).map(Self::Sticker),
            "location" => typed(body).map(Self::Location),
            "contacts" => typed(body).map(Self::Contacts),
            "interactive" => body
                .cloned()
                .map(|v| Self::Interactive(InteractiveReply::from_value(v))),
            "button" => typed(body).map(Self::Button),
            "reaction" => typed(body).map(Self::Reaction),
            "order" => typed(body).map(Self::Order),
            "system" => typed(body).map(Self::System),
            "unsupported" => Some(Self::Unsupported {
                kind: body
                    .and_then(|b| b.get("type"))
                    .and_then(lenient::scalar_to_string),
            }),
            "request_welcome" => Some(Self::RequestWelcome),
            "edit" => body.map(|b| Self::Edit {
                original_message_id: b
                    .get("original_message_id")
                    .and_then(lenient::scalar_to_string),
                message: match b.get("message") {
                    Some(Value::Object(m)) => Some(Box::new(InboundMessage::from_map(m.clone()))),
                    _ => None,
                },
            }),
            "revoke" => body.map(|b| Self::Revoke {
                original_message_id: b
                    .get("original_message_id")
                    .and_then(lenient::scalar_to_string),
            }),
            _ => None,
        };
        parsed.unwrap_or(Self::Unknown {
            kind,
            raw: Value::Object(map),
        })
    }

    /// The `<type>` object for serialisation (`None` for bodiless types).
    pub(crate) fn body_value(&self) -> Result<Option<Value>, serde_json::Error> {
        use serde_json::to_value as to;
        Ok(match self {
            Self::Text(t) => Some(to(t)?),
            Self::Image(m)
            | Self::Video(m)
            | Self::Audio(m)
            | Self::Document(m)
            | Self::Sticker(m) => Some(to(m)?),
            Self::Location(l) => Some(to(l)?),
            Self::Contacts(c) => Some(to(c)?),
            Self::Interactive(i) => Some(i.to_value()?),
            Self::Button(b) => Some(to(b)?),
            Self::Reaction(r) => Some(to(r)?),
            Self::Order(o) => Some(to(o)?),
            Self::System(s) => Some(to(s)?),
            Self::Unsupported { kind } => kind.as_ref().map(|k| serde_json::json!({ "type": k })),
            Self::RequestWelcome | Self::Unknown { .. } => None,
            Self::Edit {
                original_message_id,
                message,
            } => {
                let mut m = Map::new();
                if let Some(id) = original_message_id {
                    m.insert("original_message_id".into(), Value::String(id.clone()));
                }
                if let Some(msg) = message {
                    m.insert("message".into(), msg.to_value()?);
                }
                Some(Value::Object(m))
            }
            Self::Revoke {
                original_message_id,
            } => Some(serde_json::json!({ "original_message_id": original_message_id })),
        })
    }
}

/// `text` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    #[serde(deserialize_with = "lenient::string")]
    pub body: String,
}

/// Content of image/video/audio/document/sticker messages. Download with
/// [`crate::GraphClient::fetch_media`] using `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Media id (valid ~7 days for inbound media).
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub mime_type: Option<String>,
    /// Base64 SHA-256 of the file as Meta reports it.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha256: Option<String>,
    /// image/video/document.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub caption: Option<String>,
    /// document only.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub filename: Option<String>,
    /// audio only: `true` for voice notes.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub voice: Option<bool>,
    /// sticker only.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub animated: Option<bool>,
    /// Newer payloads: lookaside URL (still needs Bearer auth).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
}

/// `button` content: a tapped template quick-reply button.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonReply {
    /// The payload we set in the template send.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload: Option<String>,
    /// The button label.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
}

/// `reaction` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// wamid of the message reacted to.
    #[serde(deserialize_with = "lenient::string")]
    pub message_id: String,
    /// Missing or empty when the user removed their reaction.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub emoji: Option<String>,
}

impl Reaction {
    /// The user removed a reaction.
    pub fn is_removal(&self) -> bool {
        self.emoji.as_deref().is_none_or(str::is_empty)
    }
}

/// `order` content (cart sent from a catalog).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub catalog_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub product_items: Vec<ProductItem>,
}

/// `order.product_items[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductItem {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub product_retailer_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<i64>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub item_price: Option<f64>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency: Option<String>,
}

/// `system` content (number change, identity change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<String>,
    /// `user_changed_number`, `customer_identity_changed`, ...
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// The user's new wa_id (`user_changed_number`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub wa_id: Option<String>,
    /// Older API versions' name for `wa_id`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_wa_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub identity: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer: Option<String>,
}

impl System {
    /// The new wa_id of a number change, from either field name.
    pub fn changed_to(&self) -> Option<&str> {
        self.wa_id.as_deref().or(self.new_wa_id.as_deref())
    }
}
