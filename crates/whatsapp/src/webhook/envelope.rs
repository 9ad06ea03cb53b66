//! The outer webhook envelope: `object` / `entry[]` / `changes[]` / `value`.

use serde::de::{self, DeserializeOwned};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::message::InboundMessage;
use super::status::Status;
use super::template::TemplateStatusUpdate;
use crate::lenient;

/// Subscription field carrying inbound messages, statuses and value errors.
pub const FIELD_MESSAGES: &str = "messages";
/// Subscription field carrying template review outcomes.
pub const FIELD_TEMPLATE_STATUS: &str = "message_template_status_update";
/// Subscription field carrying messages the business sent from the
/// WhatsApp Business app (coexistence).
pub const FIELD_MESSAGE_ECHOES: &str = "smb_message_echoes";
/// The only `object` value WhatsApp uses.
pub const OBJECT_WHATSAPP: &str = "whatsapp_business_account";

/// A whole `POST` body from Meta.
///
/// Deserialisation requires JSON objects for the payload and each entry, and
/// arrays (or `null`/absent) for `entry` and `changes`; everything below a
/// change is forgiving (see [`Change`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookPayload {
    /// Always `whatsapp_business_account` for WhatsApp (kept as received).
    pub object: String,
    /// One item per WABA.
    pub entry: Vec<Entry>,
}

impl WebhookPayload {
    /// Whether `object` is `whatsapp_business_account`.
    pub fn is_whatsapp(&self) -> bool {
        self.object == OBJECT_WHATSAPP
    }
}

/// `entry[]`: the changes of one WhatsApp Business Account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The WABA id (not the phone number id).
    pub id: String,
    /// Unix seconds; only on some non-message fields (JSON number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    pub changes: Vec<Change>,
}

/// Takes `key` out of `map` as a list of `T`; absent or `null` is empty.
fn take_list<T: DeserializeOwned, E: de::Error>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<Vec<T>, E> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => Vec::<T>::deserialize(v).map_err(|e| E::custom(format!("`{key}`: {e}"))),
    }
}

impl<'de> Deserialize<'de> for WebhookPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        Ok(Self {
            object: map
                .get("object")
                .and_then(lenient::scalar_to_string)
                .unwrap_or_default(),
            entry: take_list(&mut map, "entry")?,
        })
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        Ok(Self {
            id: map
                .get("id")
                .and_then(lenient::scalar_to_string)
                .unwrap_or_default(),
            time: map.get("time").and_then(lenient::value_i64),
            changes: take_list(&mut map, "changes")?,
        })
    }
}

/// `entry[].changes[]`: a subscription `field` and its `value`.
///
/// Deserialising a change never fails: a value that does not fit the typed
/// model of its field (or an unknown field) is kept raw in
/// [`ChangeValue::Other`].
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub value: ChangeValue,
}

/// The typed `value` of a change.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeValue {
    /// `field == "messages"`.
    Messages(MessagesValue),
    /// `field == "message_template_status_update"`.
    TemplateStatus(TemplateStatusUpdate),
    /// `field == "smb_message_echoes"`.
    MessageEchoes(EchoesValue),
    /// Any other field, or a value that did not fit the typed model; exactly
    /// as received (`null` when `value` was absent).
    Other(Value),
}

impl ChangeValue {
    /// Types `value` according to `field`, keeping it raw when it does not fit.
    pub fn parse(field: &str, value: Value) -> Self {
        match field {
            FIELD_MESSAGES => match MessagesValue::deserialize(&value) {
                Ok(v) => Self::Messages(v),
                Err(_) => Self::Other(value),
            },
            FIELD_TEMPLATE_STATUS => match TemplateStatusUpdate::deserialize(&value) {
                Ok(v) => Self::TemplateStatus(v),
                Err(_) => Self::Other(value),
            },
            FIELD_MESSAGE_ECHOES => match EchoesValue::deserialize(&value) {
                Ok(v) => Self::MessageEchoes(v),
                Err(_) => Self::Other(value),
            },
            _ => Self::Other(value),
        }
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        Ok(match raw {
            Value::Object(mut map) => {
                let field = map
                    .get("field")
                    .and_then(lenient::scalar_to_string)
                    .unwrap_or_default();
                let value = map.remove("value").unwrap_or(Value::Null);
                Change {
                    value: ChangeValue::parse(&field, value),
                    field,
                }
            }
            other => Change {
                field: String::new(),
                value: ChangeValue::Other(other),
            },
        })
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("field", &self.field)?;
        match &self.value {
            ChangeValue::Messages(v) => map.serialize_entry("value", v)?,
            ChangeValue::TemplateStatus(v) => map.serialize_entry("value", v)?,
            ChangeValue::MessageEchoes(v) => map.serialize_entry("value", v)?,
            ChangeValue::Other(v) => map.serialize_entry("value", v)?,
        }
        map.end()
    }
}

/// `value` of a `messages` change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagesValue {
    /// `"whatsapp"`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub messaging_product: String,
    /// The business number the events belong to (routing key:
    /// `phone_number_id`). Required: a value without it is unroutable and is
    /// kept raw as [`ChangeValue::Other`] instead.
    pub metadata: Metadata,
    /// Profiles of the users involved (with inbound messages; also on newer
    /// status webhooks).
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contacts: Vec<Contact>,
    #[serde(
        default,
        deserialize_with = "lenient::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub messages: Vec<InboundMessage>,
    #[serde(
        default,
        deserialize_with = "lenient::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub statuses: Vec<Status>,
    /// Out-of-band errors not tied to one message.
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<WebhookError>,
}

impl MessagesValue {
    /// The contact matching a user id (`wa_id`) or BSUID (`user_id`); if
    /// nothing matches and the value has exactly one contact, that one (a
    /// value describes a single conversation partner).
    pub fn contact_for(&self, wa_id: Option<&str>, user_id: Option<&str>) -> Option<&Contact> {
        let matched = self.contacts.iter().find(|c| {
            (wa_id.is_some() && c.wa_id.as_deref() == wa_id)
                || (user_id.is_some() && c.user_id.as_deref() == user_id)
        });
        match (matched, self.contacts.as_slice()) {
            (Some(c), _) => Some(c),
            (None, [only]) => Some(only),
            _ => None,
        }
    }
}

/// `value` of a `smb_message_echoes` change: messages the business sent
/// from the WhatsApp Business app, each shaped like an inbound message
/// with `from` the business number and `to` the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EchoesValue {
    #[serde(default, deserialize_with = "lenient::string")]
    pub messaging_product: String,
    /// The business number (routing key: `phone_number_id`). Required.
    pub metadata: Metadata,
    #[serde(
        default,
        deserialize_with = "lenient::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub message_echoes: Vec<InboundMessage>,
}

/// The business number a change's raw `value` names in
/// `metadata.phone_number_id`, if it names one.
pub fn value_phone_number_id(value: &Value) -> Option<&str> {
    value
        .get("metadata")?
        .get("phone_number_id")?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// `value.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Human-readable number; formatting may vary, never key on it.
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_phone_number: String,
    /// Stable id of the business phone number: the routing key.
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone_number_id: String,
}

/// `value.contacts[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The user's WhatsApp id (phone digits). May be absent for users known
    /// only by BSUID.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub wa_id: Option<String>,
    /// Business-scoped user id (BSUID), newer payloads.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_user_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile: Option<Profile>,
}

/// `contacts[].profile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub username: Option<String>,
}

/// An error object inside a webhook (`value.errors[]`, `messages[].errors[]`,
/// `statuses[].errors[]`): `{code, title, message, error_data: {details}, href}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookError {
    /// Meta error code (see [`crate::error::codes`]).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<i64>,
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
    pub message: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_data: Option<WebhookErrorData>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub href: Option<String>,
}

impl WebhookError {
    /// `error_data.details`, the most useful text.
    pub fn details(&self) -> Option<&str> {
        self.error_data.as_ref().and_then(|d| d.details.as_deref())
    }
}

/// `errors[].error_data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookErrorData {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
}
