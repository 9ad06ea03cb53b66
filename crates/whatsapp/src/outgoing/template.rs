//! `template` object of a template send.

use serde::{Deserialize, Serialize};

use super::MediaBody;
use crate::lenient;
use crate::shared::Location;

/// An approved template to send, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    /// Must match an approved translation exactly (`en_US` is not `en`).
    pub language: TemplateLanguage,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<TemplateComponent>,
}

impl Template {
    /// A template without parameters.
    pub fn new(name: impl Into<String>, language_code: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            language: TemplateLanguage {
                code: language_code.into(),
                policy: None,
            },
            components: Vec::new(),
        }
    }

    /// Appends a component.
    pub fn with_component(mut self, component: TemplateComponent) -> Self {
        self.components.push(component);
        self
    }
}

/// `template.language`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLanguage {
    pub code: String,
    /// Legacy `"deterministic"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// `template.components[]`: parameters for the header, body or a button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateComponent {
    /// `header`, `body`, `button` (lower-case in send bodies).
    #[serde(rename = "type")]
    pub kind: String,
    /// Buttons: `quick_reply`, `url`, `copy_code`, `flow`, `catalog`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Buttons: position `"0"`..`"9"` (a number is accepted when reading).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub index: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<TemplateParameter>,
}

impl TemplateComponent {
    pub fn header(parameters: Vec<TemplateParameter>) -> Self {
        Self {
            kind: "header".to_owned(),
            sub_type: None,
            index: None,
            parameters,
        }
    }

    pub fn body(parameters: Vec<TemplateParameter>) -> Self {
        Self {
            kind: "body".to_owned(),
            sub_type: None,
            index: None,
            parameters,
        }
    }

    /// A button component of `sub_type` at `index`.
    pub fn button(
        sub_type: impl Into<String>,
        index: u8,
        parameters: Vec<TemplateParameter>,
    ) -> Self {
        Self {
            kind: "button".to_owned(),
            sub_type: Some(sub_type.into()),
            index: Some(index.to_string()),
            parameters,
        }
    }

    /// Quick-reply button whose tap comes back as inbound `button.payload`.
    pub fn quick_reply(index: u8, payload: impl Into<String>) -> Self {
        Self::button(
            "quick_reply",
            index,
            vec![TemplateParameter::Payload {
                payload: payload.into(),
            }],
        )
    }

    /// URL button with a dynamic suffix.
    pub fn url_button(index: u8, suffix: impl Into<String>) -> Self {
        Self::button("url", index, vec![TemplateParameter::text(suffix)])
    }
}

/// A template parameter, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateParameter {
    Text {
        text: String,
        /// For templates created with `parameter_format: NAMED`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parameter_name: Option<String>,
    },
    Currency {
        currency: Currency,
    },
    DateTime {
        date_time: DateTime,
    },
    Image {
        image: MediaBody,
    },
    Video {
        video: MediaBody,
    },
    Document {
        document: MediaBody,
    },
    Location {
        location: Location,
    },
    /// Quick-reply button payload.
    Payload {
        payload: String,
    },
    /// Copy-code button.
    CouponCode {
        coupon_code: String,
    },
    /// Flow / catalog buttons.
    Action {
        action: serde_json::Value,
    },
}

impl TemplateParameter {
    /// Positional text parameter.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text {
            text: text.into(),
            parameter_name: None,
        }
    }

    /// Named text parameter (`{{name}}`).
    pub fn named(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::Text {
            text: text.into(),
            parameter_name: Some(name.into()),
        }
    }
}

/// `currency` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    pub fallback_value: String,
    /// ISO 4217.
    pub code: String,
    /// Amount times 1000.
    pub amount_1000: i64,
}

/// `date_time` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateTime {
    pub fallback_value: String,
}
