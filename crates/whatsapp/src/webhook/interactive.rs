//! `interactive` content of inbound messages: replies to our buttons, lists
//! and flows.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::message::typed;
use crate::lenient;

/// `interactive` content: the user's answer to our interactive message.
#[derive(Debug, Clone, PartialEq)]
pub enum InteractiveReply {
    /// Reply button tapped; `id` is the id we set.
    ButtonReply { id: String, title: String },
    /// List row chosen; `id` is the row id we set.
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// Flow completed.
    NfmReply {
        name: Option<String>,
        body: Option<String>,
        response_json: Option<String>,
    },
    /// Unknown `interactive.type` or malformed reply; the raw `interactive`
    /// object.
    Other { kind: String, raw: Value },
}

#[derive(Deserialize)]
struct IdTitle {
    #[serde(deserialize_with = "lenient::string")]
    id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    title: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Nfm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    body: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    response_json: Option<String>,
}

impl InteractiveReply {
    /// The `interactive.type` string.
    pub fn kind(&self) -> &str {
        match self {
            Self::ButtonReply { .. } => "button_reply",
            Self::ListReply { .. } => "list_reply",
            Self::NfmReply { .. } => "nfm_reply",
            Self::Other { kind, .. } => kind,
        }
    }

    /// The id we attached to the tapped button or chosen row.
    pub fn reply_id(&self) -> Option<&str> {
        match self {
            Self::ButtonReply { id, .. } | Self::ListReply { id, .. } => Some(id),
            _ => None,
        }
    }

    pub(crate) fn from_value(raw: Value) -> Self {
        let kind = raw
            .get("type")
            .and_then(lenient::scalar_to_string)
            .unwrap_or_default();
        let inner = raw.get(kind.as_str());
        let parsed = match kind.as_str() {
            "button_reply" => typed::<IdTitle>(inner).map(|b| Self::ButtonReply {
                id: b.id,
                title: b.title,
            }),
            "list_reply" => typed::<IdTitle>(inner).map(|l| Self::ListReply {
                id: l.id,
                title: l.title,
                description: l.description,
            }),
            "nfm_reply" => typed::<Nfm>(inner).map(|n| Self::NfmReply {
                name: n.name,
                body: n.body,
                response_json: n.response_json,
            }),
            _ => None,
        };
        parsed.unwrap_or(Self::Other { kind, raw })
    }

    pub(crate) fn to_value(&self) -> Result<Value, serde_json::Error> {
        use serde_json::json;
        Ok(match self {
            Self::ButtonReply { id, title } => {
                json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } })
            }
            Self::ListReply {
                id,
                title,
                description,
            } => {
                let mut row = json!({ "id": id, "title": title });
                if let (Some(d), Value::Object(m)) = (description, &mut row) {
                    m.insert("description".into(), Value::String(d.clone()));
                }
                json!({ "type": "list_reply", "list_reply": row })
            }
            Self::NfmReply {
                name,
                body,
                response_json,
            } => {
                let mut nfm = Map::new();
                for (k, v) in [
                    ("name", name),
                    ("body", body),
                    ("response_json", response_json),
                ] {
                    if let Some(v) = v {
                        nfm.insert(k.into(), Value::String(v.clone()));
                    }
                }
                json!({ "type": "nfm_reply", "nfm_reply": nfm })
            }
            Self::Other { raw, .. } => raw.clone(),
        })
    }
}
