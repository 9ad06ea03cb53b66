//! The WhatsApp bubble the dashboard draws for a template, and the inputs
//! of its parameters. The bubble is rendered here, on the server, so every
//! page shows it without JavaScript; each filled part also carries its raw
//! text (`data-text`) so the page's script can fill it again as values
//! are typed (app.js, "Template previews").

use crate::templates::layout::{Layout, Rendered, Values};

/// A part of the bubble with parameters: what it shows, and its raw text.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub shown: String,
    pub raw: String,
}

#[derive(Debug, Clone)]
pub struct BubbleButton {
    pub index: usize,
    pub kind: String,
    pub text: String,
    /// Where it leads (a URL, a number, a code), filled in.
    pub target: Option<Filled>,
}

/// A template as the customer would see it.
#[derive(Debug, Clone, Default)]
pub struct Bubble {
    pub header: Option<Filled>,
    /// A media header: `image`, `video`, `document`, `location`.
    pub media: Option<String>,
    pub body: Filled,
    pub footer: Option<String>,
    pub buttons: Vec<BubbleButton>,
}

impl Bubble {
    /// The bubble of `layout` with `values` (examples where one is missing).
    pub fn of(layout: &Layout, values: &Values) -> Bubble {
        let r: Rendered = layout.render(values);
        Bubble {
            header: layout
                .header
                .as_ref()
                .filter(|h| h.format == "TEXT")
                .zip(r.header)
                .map(|(h, shown)| Filled {
                    shown,
                    raw: h.text.clone(),
                }),
            media: r.media,
            body: Filled {
                shown: r.body,
                raw: layout.body.clone(),
            },
            footer: r.footer,
            buttons: layout
                .buttons
                .iter()
                .zip(r.buttons)
                .enumerate()
                .map(|(index, (b, shown))| BubbleButton {
                    index,
                    kind: shown.kind,
                    text: shown.text,
                    target: shown.target.map(|t| Filled {
                        raw: match b.kind.as_str() {
                            "url" => b.url.clone().unwrap_or_default(),
                            "copy_code" => "{{code}}".to_owned(),
                            _ => t.clone(),
                        },
                        shown: t,
                    }),
                })
                .collect(),
        }
    }

    pub fn media_label(&self) -> String {
        match self.media.as_deref() {
            Some("image") => "🖼 Image".into(),
            Some("video") => "🎬 Video".into(),
            Some("document") => "📄 Document".into(),
            Some("location") => "📍 Location".into(),
            Some(other) => other.to_owned(),
            None => String::new(),
        }
    }
}

/// An input for one parameter of a template.
#[derive(Debug, Clone)]
pub struct VarInput {
    /// `header`, `body` or `button`.
    pub part: String,
    pub key: String,
    /// The form field: `hdr_<key>`, `var_<key>` or `btn_<key>`.
    pub name: String,
    pub label: String,
    pub example: String,
    pub value: String,
}

/// The inputs of `layout`'s parameters, holding `values`.
pub fn inputs(layout: &Layout, values: &Values) -> Vec<VarInput> {
    layout
        .variables()
        .into_iter()
        .map(|v| {
            let (prefix, map, label) = match v.component.as_str() {
                "header" if v.key == "link" => {
                    ("hdr_", &values.header, "Header media URL".to_owned())
                }
                "header" => ("hdr_", &values.header, format!("Header {{{{{}}}}}", v.key)),
                "body" => ("var_", &values.body, format!("{{{{{}}}}}", v.key)),
                _ => {
                    let n = v.key.parse::<usize>().unwrap_or_default() + 1;
                    ("btn_", &values.buttons, format!("Button {n}"))
                }
            };
            VarInput {
                value: map.get(&v.key).cloned().unwrap_or_default(),
                name: format!("{prefix}{}", v.key),
                part: v.component,
                label,
                example: v.example.unwrap_or_default(),
                key: v.key,
            }
        })
        .collect()
}

/// Values from form fields named as [`inputs`] names them.
pub fn values_from_form(fields: &[(String, String)]) -> Values {
    let mut values = Values::default();
    for (k, v) in fields {
        let (map, key) = if let Some(key) = k.strip_prefix("hdr_") {
            (&mut values.header, key)
        } else if let Some(key) = k.strip_prefix("var_") {
            (&mut values.body, key)
        } else if let Some(key) = k.strip_prefix("btn_") {
            (&mut values.buttons, key)
        } else {
            continue;
        };
        if !v.trim().is_empty() {
            map.insert(key.to_owned(), v.trim().to_owned());
        }
    }
    values
}
