//! Inbound message objects (`value.messages[]`): the fields common to every
//! type. The per-type content lives in [`super::content`].

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{Error as _, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::MessageContent;
use super::envelope::WebhookError;
use crate::lenient;

/// One inbound message.
///
/// Deserialising never fails for a JSON object: an unknown `type`, or a known
/// type whose content object is missing/malformed, yields
/// [`MessageContent::Unknown`] carrying the whole raw message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Sender wa_id (phone digits); may be absent for BSUID-only users.
    pub from: Option<String>,
    /// Sender BSUID (business-scoped user id), newer payloads.
    pub from_user_id: Option<String>,
    pub from_parent_user_id: Option<String>,
    /// The customer, on echoes of messages the business sent from the
    /// WhatsApp Business app (`smb_message_echoes`).
    pub to: Option<String>,
    /// The wamid: de-duplication key, target of replies/reactions/read marks.
    pub id: String,
    /// Unix seconds as a string (as Meta sends it).
    pub timestamp: String,
    /// Quoted reply / forwarded markers.
    pub context: Option<Context>,
    /// Click-to-WhatsApp ad/post the user came from.
    pub referral: Option<Referral>,
    /// `customer_identity_changed` system messages may carry this.
    pub identity: Option<Identity>,
    /// Present e.g. on `unsupported` messages (code 131051).
    pub errors: Vec<WebhookError>,
    pub content: MessageContent,
}

impl InboundMessage {
    /// The message `type` (`text`, `image`, ..., or the unknown type name).
    pub fn kind(&self) -> &str {
        self.content.kind()
    }

    /// `timestamp` parsed as Unix seconds.
    pub fn timestamp_secs(&self) -> Option<i64> {
        self.timestamp.trim().parse().ok()
    }

    /// Builds the message from a raw JSON object; never fails.
    pub fn from_map(map: Map<String, Value>) -> Self {
        let string = |key: &str| map.get(key).and_then(lenient::scalar_to_string);
        Self {
            from: string("from"),
            from_user_id: string("from_user_id"),
            from_parent_user_id: string("from_parent_user_id"),
            to: string("to"),
            id: string("id").unwrap_or_default(),
            timestamp: string("timestamp").unwrap_or_default(),
            context: typed(map.get("context")),
            referral: typed(map.get("referral")),
            identity: typed(map.get("identity")),
            errors: match map.get("errors") {
                Some(Value::Array(items)) => items.iter().filter_map(|e| typed(Some(e))).collect(),
                _ => Vec::new(),
            },
            content: MessageContent::from_message(map),
        }
    }

    /// The Meta wire form of this message.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        if let MessageContent::Unknown { raw, .. } = &self.content {
            return Ok(raw.clone());
        }
        let mut map = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(v) = value {
                map.insert(key.to_owned(), v);
            }
        };
        put("from", self.from.clone().map(Value::String));
        put("from_user_id", self.from_user_id.clone().map(Value::String));
        put(
            "from_parent_user_id",
            self.from_parent_user_id.clone().map(Value::String),
        );
        put("to", self.to.clone().map(Value::String));
        put("id", Some(Value::String(self.id.clone())));
        put("timestamp", Some(Value::String(self.timestamp.clone())));
        put(
            "context",
            self.context
                .as_ref()
                .map(serde_json::to_value)
                .transpose()?,
        );
        put(
            "referral",
            self.referral
                .as_ref()
                .map(serde_json::to_value)
                .transpose()?,
        );
        put(
            "identity",
            self.identity
                .as_ref()
                .map(serde_json::to_value)
                .transpose()?,
        );
        if !self.errors.is_empty() {
            put("errors", Some(serde_json::to_value(&self.errors)?));
        }
        put("type", Some(Value::String(self.kind().to_owned())));
        if let Some(body) = self.content.body_value()? {
            put(self.kind(), Some(body));
        }
        Ok(Value::Object(map))
    }
}

/// Deserialises `value` as `T`, `None` when absent or not fitting.
pub(crate) fn typed<T: DeserializeOwned>(value: Option<&Value>) -> Option<T> {
    value.and_then(|v| T::deserialize(v).ok())
}

impl<'de> Deserialize<'de> for InboundMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        Ok(Self::from_map(map))
    }
}

impl Serialize for InboundMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().map_err(S::Error::custom)?.serialize(s)
    }
}

/// `messages[].context`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Business number (or phone id) that sent the quoted message.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<String>,
    /// wamid of the quoted message (for button replies: the message whose
    /// button was tapped).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub forwarded: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub frequently_forwarded: Option<bool>,
    /// Set when the user asks about a catalog product.
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_product: Option<ReferredProduct>,
}

impl Context {
    /// Forwarded once or many times.
    pub fn is_forwarded(&self) -> bool {
        self.forwarded == Some(true) || self.frequently_forwarded == Some(true)
    }
}

/// `context.referred_product`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferredProduct {
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
    pub product_retailer_id: Option<String>,
}

/// `messages[].referral` (Click-to-WhatsApp ad or post).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_url: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub headline: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<String>,
    /// `image` or `video`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_url: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_url: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub thumbnail_url: Option<String>,
    /// Click id for conversion attribution.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub ctwa_clid: Option<String>,
}

/// Top-level `identity` of a `customer_identity_changed` system message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub acknowledged: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_timestamp: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash: Option<String>,
}
