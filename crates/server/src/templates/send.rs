//! From a library template and its values to the `template` object of a
//! send: the header's, body's and buttons' parameters in the shape Meta
//! takes them (named ones with their `parameter_name`). Unlike a preview,
//! a send needs every value: a missing one is refused with its field
//! (`values.body.2`), never filled with an example.

use super::layout::{Layout, Values};
use crate::error::{AppError, AppResult, FieldError};
use store::templates::Template;
use whatsapp::outgoing::{
    MediaBody, Template as SendTemplate, TemplateComponent, TemplateParameter,
};

/// Longest parameter value Meta takes in a body.
pub const MAX_VALUE: usize = 1024;

/// The send body of template `t` with `values`.
pub fn send_content(t: &Template, values: &Values) -> AppResult<SendTemplate> {
    let layout = Layout::from_components(&t.components);
    let named = t
        .parameter_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("NAMED"));
    let mut faults = Vec::new();
    let mut need = |map: &std::collections::BTreeMap<String, String>, part: &str, key: &str| {
        let v = map
            .get(key)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default();
        if v.is_empty() {
            faults.push(FieldError {
                field: format!("values.{part}.{key}"),
                message: "a value is needed".into(),
            });
        } else if v.chars().count() > MAX_VALUE {
            faults.push(FieldError {
                field: format!("values.{part}.{key}"),
                message: format!("at most {MAX_VALUE} characters"),
            });
        }
        v
    };
    let text = |name: &str, v: String| {
        if named {
            TemplateParameter::named(name, v)
        } else {
            TemplateParameter::text(v)
        }
    };
    let mut header = Vec::new();
    let mut body = Vec::new();
    let mut buttons = Vec::new();
    for var in layout.variables() {
        match var.component.as_str() {
            "header" if var.key == "link" => {
                let link = need(&values.header, "header", "link");
                let media = MediaBody {
                    link: Some(link),
                    ..MediaBody::default()
                };
                let format = layout.header.as_ref().map(|h| h.format.as_str());
                header.push(match format {
                    Some("VIDEO") => TemplateParameter::Video { video: media },
                    Some("DOCUMENT") => TemplateParameter::Document { document: media },
                    _ => TemplateParameter::Image { image: media },
                });
            }
            "header" => {
                let v = need(&values.header, "header", &var.key);
                header.push(text(&var.key, v));
            }
            "body" => {
                let v = need(&values.body, "body", &var.key);
                body.push(text(&var.key, v));
            }
            _ => {
                let v = need(&values.buttons, "buttons", &var.key);
                let index: u8 = var.key.parse().unwrap_or_default();
                let kind = layout
                    .buttons
                    .get(usize::from(index))
                    .map(|b| b.kind.as_str());
                buttons.push(match kind {
                    Some("copy_code") => TemplateComponent::button(
                        "copy_code",
                        index,
                        vec![TemplateParameter::CouponCode { coupon_code: v }],
                    ),
                    _ => TemplateComponent::url_button(index, v),
                });
            }
        }
    }
    if !faults.is_empty() {
        return Err(AppError::Validation(faults));
    }
    let mut out = SendTemplate::new(&t.name, &t.language);
    if !header.is_empty() {
        out = out.with_component(TemplateComponent::header(header));
    }
    if !body.is_empty() {
        out = out.with_component(TemplateComponent::body(body));
    }
    for b in buttons {
        out = out.with_component(b);
    }
    Ok(out)
}
