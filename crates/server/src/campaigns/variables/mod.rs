//! A campaign's template parameters, filled for each recipient. Each
//! parameter of the template gets a text that may use the quick replies' contact placeholders
//! (`{{contact.first_name}}`, `{{contact.<attribute>}}`…,
//! [`crate::crm::quick_replies::placeholders`]): a constant is a text
//! without placeholders, a contact field is a placeholder alone, and a
//! `fallback` is used when a placeholder has no value for the contact. A
//! recipient whose parameter would still be empty is skipped with a
//! reason: Meta refuses empty parameters.
//!
//! Parameters are named by where they go in the message:
//! - the body's as the template writes them: `1`, `2`… or `first_name`;
//! - a text header's with `header.`: `header.1`, `header.name`;
//! - a media header's as `header.image`, `header.video` or
//!   `header.document`: a link (`https://…`) or an uploaded media id;
//! - a URL button's dynamic suffix as `button.<index>`, a copy-code
//!   button's code as `code.<index>` (`index`: the button's place, from 0).

use crate::crm::quick_replies::placeholders::{Values, fill};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::inbox::Contact;
use utoipa::ToSchema;
use whatsapp::outgoing::{MediaBody, Template, TemplateComponent, TemplateParameter};

/// The longest text or fallback, in characters.
pub const MAX_TEXT: usize = 1024;

/// How one template parameter is filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// The parameter: the body's `1`, `2`… or its name; `header.1` (or
    /// `header.<name>`) in a text header; `header.image`, `header.video` or
    /// `header.document` for a media header (a link or a media id);
    /// `button.<index>` for a URL button's suffix; `code.<index>` for a
    /// copy-code button.
    pub parameter: String,
    /// The value: a constant, or a text with contact placeholders such as
    /// `{{contact.first_name}}` or `{{contact.city}}`.
    pub text: String,
    /// Used instead when a placeholder has no value for the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// The `{{…}}` placeholders of `text`, in order of first use.
fn placeholders_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = &after[end + 2..];
    }
    found
}

/// The parameters of a template, as Meta's components (JSON) write it, in
/// reading order: header, body, buttons (see the module's naming).
pub fn template_parameters(components: &Value) -> Vec<String> {
    let components: Vec<&Value> = components.as_array().into_iter().flatten().collect();
    let of_type = |kind: &str| {
        components.iter().copied().find(|c| {
            c["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    };
    let mut found = Vec::new();
    if let Some(header) = of_type("HEADER") {
        match header["format"]
            .as_str()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some(media @ ("IMAGE" | "VIDEO" | "DOCUMENT")) => {
                found.push(format!("header.{}", media.to_ascii_lowercase()));
            }
            _ => {
                let text = header["text"].as_str().unwrap_or_default();
                found.extend(
                    placeholders_in(text)
                        .into_iter()
                        .map(|p| format!("header.{p}")),
                );
            }
        }
    }
    if let Some(body) = of_type("BODY") {
        found.extend(placeholders_in(body["text"].as_str().unwrap_or_default()));
    }
    let buttons = of_type("BUTTONS").and_then(|b| b["buttons"].as_array());
    for (index, button) in buttons.into_iter().flatten().enumerate() {
        let kind = button["type"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let url = button["url"].as_str().unwrap_or_default();
        if kind == "URL" && url.contains("{{") {
            found.push(format!("button.{index}"));
        } else if kind == "COPY_CODE" {
            found.push(format!("code.{index}"));
        }
    }
    found
}

/// Checks `vars` against the template's parameters: exactly one for each,
/// none for a parameter it does not have, texts within bounds. Returns
/// them in the template's order.
pub fn check(vars: Vec<Variable>, parameters: &[String]) -> AppResult<Vec<Variable>> {
    for (i, v) in vars.iter().enumerate() {
        if !parameters.contains(&v.parameter) {
            return Err(AppError::validation(
                format!("variables[{i}].parameter"),
                format!("the template has no parameter {{{{{}}}}}", v.parameter),
            ));
        }
        let too_long = |s: &str| s.chars().count() > MAX_TEXT;
        if v.text.trim().is_empty() || too_long(&v.text) {
            return Err(AppError::validation(
                format!("variables[{i}].text"),
                format!("1 to {MAX_TEXT} characters"),
            ));
        }
        let media = matches!(
            v.parameter.as_str(),
            "header.image" | "header.video" | "header.document"
        );
        let link_or_id = |t: &str| {
            t.contains("{{")
                || t.starts_with("https://")
                || (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        };
        if media && !link_or_id(v.text.trim()) {
            return Err(AppError::validation(
                format!("variables[{i}].text"),
                "a link (https://…) or an uploaded media id",
            ));
        }
        if v.fallback.as_deref().is_some_and(too_long) {
            return Err(AppError::validation(
                format!("variables[{i}].fallback"),
                format!("at most {MAX_TEXT} characters"),
            ));
        }
    }
    let mut ordered = Vec::with_capacity(parameters.len());
    for p in parameters {
        let mut matching = vars.iter().filter(|v| &v.parameter == p);
        match (matching.next(), matching.next()) {
            (Some(v), None) => ordered.push(v.clone()),
            (None, _) => {
                return Err(AppError::validation(
                    "variables",
                    format!("give a value for the template's {{{{{p}}}}}"),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(AppError::validation(
                    "variables",
                    format!("{{{{{p}}}}} is given twice"),
                ));
            }
        }
    }
    Ok(ordered)
}

/// The template message for `contact`, or the parameter that has no value
/// for them (as `{{1}}`).
pub fn message_for(
    name: &str,
    language: &str,
    vars: &[Variable],
    contact: &Contact,
) -> Result<Template, String> {
    let display = contact.name.as_deref().or(contact.profile_name.as_deref());
    let values = Values {
        contact_name: display,
        contact_phone: contact.phone.as_deref().or(contact.wa_id.as_deref()),
        contact_email: contact.email.as_deref(),
        attributes: Some(&contact.attributes),
        agent_name: None,
    };
    let (mut header, mut body, mut buttons) = (Vec::new(), Vec::new(), Vec::new());
    for v in vars {
        let (filled, empty) = fill(&v.text, &values);
        let value = match (empty.is_empty(), &v.fallback) {
            (true, _) => filled,
            (false, Some(f)) => f.clone(),
            (false, None) => return Err(format!("{{{{{}}}}}", v.parameter)),
        };
        let value = value.trim().to_owned();
        if value.is_empty() {
            return Err(format!("{{{{{}}}}}", v.parameter));
        }
        match v.parameter.split_once('.') {
            Some(("header", media @ ("image" | "video" | "document"))) => {
                header.push(media_parameter(media, value));
            }
            Some(("header", name)) => header.push(text_parameter(name, value)),
            Some((kind @ ("button" | "code"), index)) => {
                let index: u8 = index
                    .parse()
                    .map_err(|_| format!("{{{{{}}}}}", v.parameter))?;
                buttons.push(if kind == "code" {
                    TemplateComponent::button(
                        "copy_code",
                        index,
                        vec![TemplateParameter::CouponCode { coupon_code: value }],
                    )
                } else {
                    TemplateComponent::url_button(index, value)
                });
            }
            _ => body.push(text_parameter(&v.parameter, value)),
        }
    }
    let mut template = Template::new(name, language);
    if !header.is_empty() {
        template = template.with_component(TemplateComponent::header(header));
    }
    if !body.is_empty() {
        template = template.with_component(TemplateComponent::body(body));
    }
    for button in buttons {
        template = template.with_component(button);
    }
    Ok(template)
}

/// A text parameter: positional (`1`) or named (`first_name`).
fn text_parameter(name: &str, value: String) -> TemplateParameter {
    if name.chars().all(|c| c.is_ascii_digit()) {
        TemplateParameter::text(value)
    } else {
        TemplateParameter::named(name, value)
    }
}

/// A media header's parameter: a link, or the id of uploaded media.
fn media_parameter(kind: &str, value: String) -> TemplateParameter {
    let media = if value.starts_with("https://") || value.starts_with("http://") {
        MediaBody {
            link: Some(value),
            ..MediaBody::default()
        }
    } else {
        MediaBody {
            id: Some(value),
            ..MediaBody::default()
        }
    };
    match kind {
        "video" => TemplateParameter::Video { video: media },
        "document" => TemplateParameter::Document { document: media },
        _ => TemplateParameter::Image { image: media },
    }
}

#[cfg(test)]
mod tests;
