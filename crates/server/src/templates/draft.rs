//! A template as its author writes it (the API's body, the dashboard's
//! form), and its translation into Meta's components. The translation
//! does not judge: [`super::validate`] says whether Meta would take it,
//! and a draft that would not still previews.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A new template: everything but the account it goes to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub language: String,
    /// `marketing` or `utility`, any case.
    pub category: String,
    /// `positional` (`{{1}}`, `{{2}}`…) or `named` (`{{first_name}}`).
    pub parameter_format: String,
    pub header: Option<HeaderDraft>,
    pub body: BodyDraft,
    pub footer: Option<String>,
    pub buttons: Vec<ButtonDraft>,
}

/// The header: a line of text (with at most one parameter), or media
/// shown above the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderDraft {
    /// `text`, `image`, `video`, `document` or `location`.
    #[schema(example = "text")]
    pub format: String,
    /// A `text` header's text, up to 60 characters.
    #[serde(default)]
    pub text: Option<String>,
    /// A `text` header: the example of its parameter. A media header: an
    /// example of the media, as a handle of Meta's resumable upload
    /// (`4::aW…`) or a URL.
    #[serde(default)]
    pub example: Option<String>,
}

/// The body: up to 1,024 characters with its parameters, and an example
/// of each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyDraft {
    #[schema(example = "Hi {{1}}, your order {{2}} ships today.")]
    pub text: String,
    /// Each parameter's example, by its name: `{"1": "Ana", "2": "#1234"}`
    /// or `{"first_name": "Ana"}`.
    #[serde(default)]
    pub examples: BTreeMap<String, String>,
}

/// A button under the message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ButtonDraft {
    /// `quick_reply`, `url`, `phone_number` or `copy_code`.
    #[serde(rename = "type")]
    #[schema(example = "quick_reply")]
    pub kind: String,
    /// The label, up to 25 characters (WhatsApp writes a copy-code
    /// button's own).
    #[serde(default)]
    pub text: Option<String>,
    /// A `url` button's address; it may end with `{{1}}`, filled in when
    /// the template is sent.
    #[serde(default)]
    pub url: Option<String>,
    /// A `phone_number` button's number, `+` and digits.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// A `url` button ending with `{{1}}`: an example of the whole URL.
    /// A `copy_code` button: an example code (up to 15 characters).
    #[serde(default)]
    pub example: Option<String>,
}

/// Header formats, as the author writes them.
pub const HEADER_FORMATS: [&str; 5] = ["text", "image", "video", "document", "location"];
/// Button types, as the author writes them.
pub const BUTTON_TYPES: [&str; 4] = ["quick_reply", "url", "phone_number", "copy_code"];

/// Trims `s` and turns an empty one into `None`.
pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl TemplateDraft {
    /// Whether parameters are named (`{{first_name}}`) rather than numbered.
    pub fn named(&self) -> bool {
        self.parameter_format.trim().eq_ignore_ascii_case("named")
    }

    /// Meta's `parameter_format`.
    pub fn meta_parameter_format(&self) -> &'static str {
        if self.named() { "NAMED" } else { "POSITIONAL" }
    }

    /// Meta's components for this draft (`HEADER`, `BODY`, `FOOTER`,
    /// `BUTTONS`), examples included, whether or not Meta would take them.
    pub fn components(&self) -> Value {
        let mut out = Vec::new();
        if let Some(h) = &self.header {
            out.push(self.header_component(h));
        }
        let mut body = json!({ "type": "BODY", "text": self.body.text.trim() });
        let names = super::layout::placeholders(&self.body.text);
        if !names.is_empty() {
            let example = |n: &String| self.body.examples.get(n).map_or("", |e| e.trim());
            body["example"] = if self.named() {
                let params: Vec<Value> = names
                    .iter()
                    .map(|n| json!({ "param_name": n, "example": example(n) }))
                    .collect();
                json!({ "body_text_named_params": params })
            } else {
                let values: Vec<&str> = numbered(&names).iter().map(example).collect();
                json!({ "body_text": [values] })
            };
        }
        out.push(body);
        if let Some(f) = non_empty(self.footer.as_deref()) {
            out.push(json!({ "type": "FOOTER", "text": f }));
        }
        if !self.buttons.is_empty() {
            let buttons: Vec<Value> = self.buttons.iter().map(button_component).collect();
            out.push(json!({ "type": "BUTTONS", "buttons": buttons }));
        }
        Value::Array(out)
    }

    fn header_component(&self, h: &HeaderDraft) -> Value {
        let format = h.format.trim().to_uppercase();
        let mut c = json!({ "type": "HEADER", "format": format });
        let example = non_empty(h.example.as_deref());
        match format.as_str() {
            "TEXT" => {
                let text = h.text.as_deref().unwrap_or_default().trim();
                c["text"] = json!(text);
                if let Some(name) = super::layout::placeholders(text).first() {
                    let e = example.unwrap_or_default();
                    c["example"] = if self.named() {
                        json!({ "header_text_named_params": [{ "param_name": name, "example": e }] })
                    } else {
                        json!({ "header_text": [e] })
                    };
                }
            }
            "LOCATION" => {}
            _ => {
                if let Some(e) = example {
                    c["example"] = json!({ "header_handle": [e] });
                }
            }
        }
        c
    }
}

/// Positional names in number order (`1`, `2`…), whatever order the text
/// uses them in.
pub(crate) fn numbered(names: &[String]) -> Vec<String> {
    let mut sorted = names.to_vec();
    sorted.sort_by_key(|n| n.parse::<u32>().unwrap_or(u32::MAX));
    sorted
}

fn button_component(b: &ButtonDraft) -> Value {
    let kind = b.kind.trim().to_uppercase();
    let mut c = json!({ "type": kind });
    if kind != "COPY_CODE"
        && let Some(t) = non_empty(b.text.as_deref())
    {
        c["text"] = json!(t);
    }
    match kind.as_str() {
        "URL" => {
            let url = b.url.as_deref().unwrap_or_default().trim();
            c["url"] = json!(url);
            if url.contains("{{")
                && let Some(e) = non_empty(b.example.as_deref())
            {
                c["example"] = json!([e]);
            }
        }
        "PHONE_NUMBER" => {
            c["phone_number"] = json!(b.phone_number.as_deref().unwrap_or_default().trim());
        }
        "COPY_CODE" => {
            c["example"] = json!(b.example.as_deref().unwrap_or_default().trim());
        }
        _ => {}
    }
    c
}
