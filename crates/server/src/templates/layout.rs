//! A template's parts as Meta's components describe them, and what the
//! customer sees once its parameters are filled in: the pure renderer
//! behind the previews (the authoring form, the composer, the API) and
//! behind a sent template message in a thread. A parameter without a
//! value shows its example, or `{{name}}` if it has none.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The `{{…}}` placeholders of a text, each once, in order of first use.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 2..];
    }
    out
}

/// `text` with each `{{name}}` replaced by `value(name)`.
pub fn fill(text: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = after[..end].trim();
        if name.is_empty() {
            out.push_str(&rest[start..start + 2 + end + 2]);
        } else {
            out.push_str(&value(name));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Parameter values: the header's, the body's (by parameter name: `1`,
/// `first_name`), and the buttons' (by the button's position, `0`…: a
/// URL button's suffix or a copy-code button's code). A media header's
/// value is the media's URL, under `link`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Values {
    pub header: BTreeMap<String, String>,
    pub body: BTreeMap<String, String>,
    pub buttons: BTreeMap<String, String>,
}

/// What the customer sees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Rendered {
    /// A text header.
    pub header: Option<String>,
    /// A media header: `image`, `video`, `document` or `location`.
    pub media: Option<String>,
    /// The media's URL, when a value gave one.
    pub media_link: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<RenderedButton>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RenderedButton {
    /// `quick_reply`, `url`, `phone_number`, `copy_code`, or another of Meta's.
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    /// Where it leads: a URL button's address, a phone button's number, a
    /// copy-code button's code.
    pub target: Option<String>,
}

impl Rendered {
    /// The message as plain text (header, body, footer), for snippets.
    pub fn plain(&self) -> String {
        [
            self.header.clone(),
            Some(self.body.clone()),
            self.footer.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// A parameter to fill in when sending.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Variable {
    /// `header`, `body` or `button`.
    pub component: String,
    /// Its key in [`Values`]: the parameter's name, `link` for a media
    /// header, the button's position for a button.
    pub key: String,
    pub example: Option<String>,
}

/// A template's header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT`, `LOCATION`.
    pub format: String,
    pub text: String,
    /// The example of a text header's parameter, or of the media.
    pub example: Option<String>,
}

/// A template's button.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Button {
    /// Lower case: `quick_reply`, `url`, `phone_number`, `copy_code`…
    pub kind: String,
    pub text: String,
    pub url: Option<String>,
    pub phone_number: Option<String>,
    /// A URL button's example URL, a copy-code button's example code.
    pub example: Option<String>,
}

/// A template's parts, read from Meta's components.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub header: Option<Header>,
    pub body: String,
    /// The body's examples by parameter name.
    pub body_examples: BTreeMap<String, String>,
    pub footer: Option<String>,
    pub buttons: Vec<Button>,
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The first string of an example that is a string or an array of them.
fn first_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Named examples (`[{"param_name": "x", "example": "y"}]`) as a map.
fn named_examples(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((text_of(p, "param_name")?, text_of(p, "example")?)))
        .filter(|(_, e)| !e.is_empty())
        .collect()
}

impl Layout {
    /// Reads Meta's components (`type` in either case); what it does not
    /// know it leaves out.
    pub fn from_components(components: &Value) -> Layout {
        let mut layout = Layout::default();
        for c in components.as_array().into_iter().flatten() {
            let kind = text_of(c, "type").unwrap_or_default().to_uppercase();
            let example = c.get("example");
            match kind.as_str() {
                "HEADER" => {
                    let format = text_of(c, "format").unwrap_or_else(|| "TEXT".into());
                    let text = text_of(c, "text").unwrap_or_default();
                    let example = example.and_then(|e| {
                        first_string(e.get("header_text"))
                            .or_else(|| {
                                named_examples(e.get("header_text_named_params"))
                                    .into_values()
                                    .next()
                            })
                            .or_else(|| first_string(e.get("header_handle")))
                    });
                    layout.header = Some(Header {
                        format: format.to_uppercase(),
                        text,
                        example,
                    });
                }
                "BODY" => {
                    layout.body = text_of(c, "text").unwrap_or_default();
                    let positional = example
                        .and_then(|e| e.get("body_text"))
                        .and_then(Value::as_array)
                        .and_then(|rows| rows.first())
                        .and_then(Value::as_array);
                    if let Some(values) = positional {
                        for (i, v) in values.iter().enumerate() {
                            if let Some(s) = v.as_str().filter(|s| !s.is_empty()) {
                                layout
                                    .body_examples
                                    .insert((i + 1).to_string(), s.to_owned());
                            }
                        }
                    }
                    layout.body_examples.extend(named_examples(
                        example.and_then(|e| e.get("body_text_named_params")),
                    ));
                }
                "FOOTER" => layout.footer = text_of(c, "text").filter(|t| !t.is_empty()),
                "BUTTONS" => {
                    for b in c
                        .get("buttons")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        layout.buttons.push(Button {
                            kind: text_of(b, "type").unwrap_or_default().to_lowercase(),
                            text: text_of(b, "text").unwrap_or_default(),
                            url: text_of(b, "url"),
                            phone_number: text_of(b, "phone_number"),
                            example: first_string(b.get("example")),
                        });
                    }
                }
                _ => {}
            }
        }
        layout
    }

    /// The parameters a send fills in, in order: the header's, the body's,
    /// then the buttons'.
    pub fn variables(&self) -> Vec<Variable> {
        let var = |component: &str, key: String, example: Option<String>| Variable {
            component: component.to_owned(),
            key,
            example,
        };
        let mut out = Vec::new();
        if let Some(h) = &self.header {
            match h.format.as_str() {
                "TEXT" => {
                    if let Some(name) = placeholders(&h.text).into_iter().next() {
                        out.push(var("header", name, h.example.clone()));
                    }
                }
                "LOCATION" => {}
                _ => out.push(var("header", "link".into(), h.example.clone())),
            }
        }
        for name in placeholders(&self.body) {
            let example = self.body_examples.get(&name).cloned();
            out.push(var("body", name, example));
        }
        for (i, b) in self.buttons.iter().enumerate() {
            match b.kind.as_str() {
                "url" if b.url.as_deref().is_some_and(|u| u.contains("{{")) => {
                    out.push(var("button", i.to_string(), self.url_suffix_example(b)));
                }
                "copy_code" => out.push(var("button", i.to_string(), b.example.clone())),
                _ => {}
            }
        }
        out
    }

    /// The part of a URL button's example after its fixed address.
    fn url_suffix_example(&self, b: &Button) -> Option<String> {
        let fixed = b.url.as_deref()?.split("{{").next()?;
        let example = b.example.as_deref()?;
        Some(example.strip_prefix(fixed).unwrap_or(example).to_owned()).filter(|s| !s.is_empty())
    }

    /// What the customer sees with `values` filled in.
    pub fn render(&self, values: &Values) -> Rendered {
        let given = |map: &BTreeMap<String, String>, k: &str| {
            map.get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let or_example = |v: Option<String>, example: Option<&String>, name: &str| {
            v.or_else(|| example.cloned())
                .unwrap_or_else(|| format!("{{{{{name}}}}}"))
        };
        let mut out = Rendered {
            body: fill(&self.body, |n| {
                or_example(given(&values.body, n), self.body_examples.get(n), n)
            }),
            footer: self.footer.clone(),
            ..Rendered::default()
        };
        if let Some(h) = &self.header {
            if h.format == "TEXT" {
                out.header = Some(fill(&h.text, |n| {
                    or_example(given(&values.header, n), h.example.as_ref(), n)
                }));
            } else {
                out.media = Some(h.format.to_lowercase());
                out.media_link = given(&values.header, "link");
            }
        }
        for (i, b) in self.buttons.iter().enumerate() {
            let value = given(&values.buttons, &i.to_string());
            let target = match b.kind.as_str() {
                "url" => b.url.as_deref().map(|u| {
                    fill(u, |n| {
                        or_example(value.clone(), self.url_suffix_example(b).as_ref(), n)
                    })
                }),
                "phone_number" => b.phone_number.clone(),
                "copy_code" => value.or_else(|| b.example.clone()),
                _ => None,
            };
            let text = match (b.kind.as_str(), b.text.is_empty()) {
                ("copy_code", true) => "Copy offer code".to_owned(),
                _ => b.text.clone(),
            };
            out.buttons.push(RenderedButton {
                kind: b.kind.clone(),
                text,
                target,
            });
        }
        out
    }
}

/// The values a sent template message carried (its `template` object as
/// the send body had it), keyed as [`Values`] keys them.
pub fn values_of_sent(template: &Value) -> Values {
    let mut values = Values::default();
    let comps = template.get("components").and_then(Value::as_array);
    for c in comps.into_iter().flatten() {
        let params = c.get("parameters").and_then(Value::as_array);
        let params: Vec<&Value> = params.into_iter().flatten().collect();
        match text_of(c, "type")
            .unwrap_or_default()
            .to_lowercase()
            .as_str()
        {
            "header" => {
                for p in params {
                    if let Some(t) = text_of(p, "text") {
                        let name = text_of(p, "parameter_name").unwrap_or_else(|| "1".into());
                        values.header.insert(name, t);
                    } else if let Some(link) = ["image", "video", "document"]
                        .iter()
                        .find_map(|k| p.get(*k).and_then(|m| text_of(m, "link")))
                    {
                        values.header.insert("link".into(), link);
                    }
                }
            }
            "body" => {
                for (i, p) in params.iter().enumerate() {
                    let shown = text_of(p, "text").or_else(|| {
                        ["currency", "date_time"]
                            .iter()
                            .find_map(|k| p.get(*k).and_then(|x| text_of(x, "fallback_value")))
                    });
                    let name = text_of(p, "parameter_name").unwrap_or_else(|| (i + 1).to_string());
                    if let Some(v) = shown {
                        values.body.insert(name, v);
                    }
                }
            }
            "button" => {
                let index = c
                    .get("index")
                    .and_then(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .or_else(|| Some(i.to_string()))
                    })
                    .unwrap_or_default();
                let shown = params
                    .first()
                    .and_then(|p| text_of(p, "text").or_else(|| text_of(p, "coupon_code")));
                if let Some(v) = shown {
                    values.buttons.insert(index, v);
                }
            }
            _ => {}
        }
    }
    values
}
