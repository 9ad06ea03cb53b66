//! `interactive` object: reply buttons, lists and other interactive types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::MediaBody;

/// An interactive message. `kind` is `button` or `list` for the typed
/// helpers; other kinds (`cta_url`, `flow`, `product`, ...) keep their
/// action fields in [`InteractiveAction::extra`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interactive {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<InteractiveHeader>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<InteractiveText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<InteractiveText>,
    #[serde(default)]
    pub action: InteractiveAction,
}

impl Interactive {
    /// Up to 3 reply buttons (title <= 20 chars, id <= 256).
    pub fn buttons(body: impl Into<String>, buttons: Vec<ReplyButton>) -> Self {
        Self {
            kind: "button".to_owned(),
            header: None,
            body: Some(InteractiveText::new(body)),
            footer: None,
            action: InteractiveAction {
                buttons,
                ..InteractiveAction::default()
            },
        }
    }

    /// A list behind a button labelled `button` (<= 20 chars), up to 10
    /// sections and 10 rows in total.
    pub fn list(
        body: impl Into<String>,
        button: impl Into<String>,
        sections: Vec<ListSection>,
    ) -> Self {
        Self {
            kind: "list".to_owned(),
            header: None,
            body: Some(InteractiveText::new(body)),
            footer: None,
            action: InteractiveAction {
                button: Some(button.into()),
                sections,
                ..InteractiveAction::default()
            },
        }
    }

    /// Adds a text header (<= 60 chars).
    pub fn with_header_text(mut self, text: impl Into<String>) -> Self {
        self.header = Some(InteractiveHeader::text(text));
        self
    }

    /// Adds a footer (<= 60 chars).
    pub fn with_footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(InteractiveText::new(text));
        self
    }
}

/// `header`: text or media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractiveHeader {
    /// `text`, `image`, `video`, `document`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<MediaBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<MediaBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<MediaBody>,
}

impl InteractiveHeader {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            kind: "text".to_owned(),
            text: Some(text.into()),
            image: None,
            video: None,
            document: None,
        }
    }
}

/// `{"text": "..."}` (body and footer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractiveText {
    pub text: String,
}

impl InteractiveText {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

/// `action`: `buttons` for reply buttons, `button` + `sections` for lists;
/// fields of other interactive kinds are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InteractiveAction {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<ReplyButton>,
    /// List button label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<ListSection>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `action.buttons[]`: `{"type": "reply", "reply": {id, title}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    /// `"reply"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub reply: ReplyButtonBody,
}

impl ReplyButton {
    /// A reply button; `id` comes back in the inbound `button_reply.id`.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            kind: "reply".to_owned(),
            reply: ReplyButtonBody {
                id: id.into(),
                title: title.into(),
            },
        }
    }
}

/// `reply` of a reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButtonBody {
    pub id: String,
    pub title: String,
}

/// `action.sections[]` of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSection {
    /// Required when there is more than one section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub rows: Vec<ListRow>,
}

impl ListSection {
    pub fn new(title: impl Into<String>, rows: Vec<ListRow>) -> Self {
        Self {
            title: Some(title.into()),
            rows,
        }
    }
}

/// A list row (id <= 200, title <= 24, description <= 72 chars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl ListRow {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
