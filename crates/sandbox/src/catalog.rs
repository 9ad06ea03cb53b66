//! Template store operations shared by the Graph routes, the control API and
//! the [`crate::Sandbox`] handle: seeding, status transitions (with the
//! `message_template_status_update` webhook) and send-time checks.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, OpError};
use crate::graph::errors::GraphError;
use crate::graph::validate::TemplateSend;
use crate::state::{State, Template};
use crate::webhook::{Event, template_update_value};

/// Statuses a template can be moved to.
pub const TEMPLATE_STATUSES: &[&str] = &[
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "IN_APPEAL",
    "PENDING_DELETION",
    "DELETED",
    "LIMIT_EXCEEDED",
    "ARCHIVED",
];
/// Template categories.
pub const CATEGORIES: &[&str] = &["MARKETING", "UTILITY", "AUTHENTICATION"];

/// A template to seed directly (control API / handle), bypassing review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateSpec {
    pub waba_id: String,
    pub name: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_category")]
    pub category: String,
    /// Management-API components; default: one BODY `"Hello {{1}}"`.
    #[serde(default)]
    pub components: Option<Value>,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default)]
    pub parameter_format: Option<String>,
}

impl TemplateSpec {
    /// An approved UTILITY template with body `"Hello {{1}}"`.
    pub fn approved(waba_id: &str, name: &str, language: &str) -> Self {
        Self {
            waba_id: waba_id.to_owned(),
            name: name.to_owned(),
            language: language.to_owned(),
            category: default_category(),
            components: None,
            status: default_status(),
            parameter_format: None,
        }
    }
}

fn default_language() -> String {
    "en_US".to_owned()
}
fn default_category() -> String {
    "UTILITY".to_owned()
}
fn default_status() -> String {
    "APPROVED".to_owned()
}

/// A review decision: `{"status":"REJECTED","reason":"INVALID_FORMAT","rejection_info":{...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub rejection_info: Option<Value>,
}

impl TemplateStatusUpdate {
    pub fn new(status: &str) -> Self {
        Self {
            status: status.to_owned(),
            reason: None,
            rejection_info: None,
        }
    }
}

/// Checks a template name: lowercase letters, digits, underscores, <= 512.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Seeds a template (no webhook).
pub(crate) fn add(app: &App, spec: TemplateSpec) -> Result<Template, OpError> {
    if !valid_name(&spec.name) {
        return Err(OpError::bad_request(
            "name must be lowercase letters, digits and underscores",
        ));
    }
    let category = spec.category.to_uppercase();
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(OpError::bad_request(format!(
            "category must be one of {CATEGORIES:?}"
        )));
    }
    let status = spec.status.to_uppercase();
    if !TEMPLATE_STATUSES.contains(&status.as_str()) {
        return Err(OpError::bad_request(format!(
            "status must be one of {TEMPLATE_STATUSES:?}"
        )));
    }
    let mut st = app.lock();
    if !st.waba_exists(&spec.waba_id) {
        return Err(OpError::not_found(format!(
            "unknown waba_id {}",
            spec.waba_id
        )));
    }
    if find(&st, &spec.waba_id, &spec.name, &spec.language).is_some() {
        return Err(OpError::bad_request(
            "a template with this name and language already exists",
        ));
    }
    let t = Template {
        id: st.new_object_id(),
        waba_id: spec.waba_id,
        name: spec.name,
        language: spec.language,
        category,
        status,
        components: spec
            .components
            .unwrap_or_else(|| json!([{ "type": "BODY", "text": "Hello {{1}}" }])),
        parameter_format: spec
            .parameter_format
            .unwrap_or_else(|| "POSITIONAL".to_owned())
            .to_uppercase(),
        rejected_reason: "NONE".to_owned(),
        extra: serde_json::Map::new(),
    };
    st.templates.insert(t.id.clone(), t.clone());
    Ok(t)
}

/// Moves a template to a new status and emits the status-update webhook.
pub(crate) fn set_status(
    app: &App,
    id: &str,
    update: &TemplateStatusUpdate,
) -> Result<Template, OpError> {
    let status = update.status.to_uppercase();
    if !TEMPLATE_STATUSES.contains(&status.as_str()) {
        return Err(OpError::bad_request(format!(
            "status must be one of {TEMPLATE_STATUSES:?}"
        )));
    }
    let mut st = app.lock();
    let now = st.now();
    let Some(t) = st.templates.get_mut(id) else {
        return Err(OpError::not_found(format!("unknown template id {id}")));
    };
    let default_reason = if status == "REJECTED" {
        "INVALID_FORMAT"
    } else {
        "NONE"
    };
    let reason = update
        .reason
        .clone()
        .unwrap_or_else(|| default_reason.to_owned());
    t.status = status.clone();
    t.rejected_reason = if status == "REJECTED" {
        reason.clone()
    } else {
        "NONE".to_owned()
    };
    let t = t.clone();
    let rejection_info = update
        .rejection_info
        .as_ref()
        .filter(|_| status == "REJECTED");
    let value = template_update_value(&t, &status, &reason, rejection_info);
    app.emit(
        &mut st,
        Event::Template {
            waba_id: t.waba_id.clone(),
            time: now,
            value,
        },
    );
    Ok(t)
}

pub(crate) fn find<'a>(
    st: &'a State,
    waba_id: &str,
    name: &str,
    language: &str,
) -> Option<&'a Template> {
    st.templates
        .values()
        .find(|t| t.waba_id == waba_id && t.name == name && t.language == language)
}

/// Distinct `{{...}}` placeholders of a text, in order.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
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

fn component<'a>(components: &'a Value, kind: &str) -> Option<&'a Value> {
    components.as_array()?.iter().find(|c| {
        c.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(kind))
    })
}

fn send_params<'a>(t: &'a TemplateSend, kind: &str) -> Vec<&'a Value> {
    t.components
        .iter()
        .filter(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(kind))
        })
        .filter_map(|c| c.get("parameters").and_then(Value::as_array))
        .flatten()
        .collect()
}

/// Send-time template checks: exists in that language (132001), APPROVED
/// (132015 paused, 132016 disabled, 132001 otherwise), parameter counts
/// (132000) and header media format (132012). Returns the category.
pub(crate) fn check_send(
    st: &State,
    waba_id: &str,
    send: &TemplateSend,
) -> Result<String, GraphError> {
    let missing = || {
        GraphError::code(
            132001,
            format!(
                "template name ({}) does not exist in {}",
                send.name, send.language
            ),
        )
    };
    let t = find(st, waba_id, &send.name, &send.language).ok_or_else(missing)?;
    match t.status.as_str() {
        "APPROVED" => {}
        "PAUSED" => {
            return Err(GraphError::code(
                132015,
                format!("Template {} is paused", t.name),
            ));
        }
        "DISABLED" => {
            return Err(GraphError::code(
                132016,
                format!("Template {} is disabled", t.name),
            ));
        }
        _ => return Err(missing()),
    }
    if let Some(header) = component(&t.components, "HEADER") {
        let format = header
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or("TEXT")
            .to_uppercase();
        let given = send_params(send, "header");
        if format == "TEXT" {
            let want = placeholders(header.get("text").and_then(Value::as_str).unwrap_or("")).len();
            count_matches("header", given.len(), want)?;
        } else {
            let Some(p) = given.first() else {
                return Err(GraphError::code(
                    132000,
                    format!("header: expected one {format} parameter, received none"),
                ));
            };
            let got = p
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_uppercase();
            if got != format {
                return Err(GraphError::code(
                    132012,
                    format!("header: Format mismatch, expected {format}, received {got}"),
                ));
            }
        }
    }
    let body_text = component(&t.components, "BODY")
        .and_then(|b| b.get("text"))
        .and_then(Value::as_str);
    let expected = placeholders(body_text.unwrap_or(""));
    let given = send_params(send, "body");
    count_matches("body", given.len(), expected.len())?;
    if t.parameter_format == "NAMED" {
        for p in &given {
            let name = p
                .get("parameter_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !expected.iter().any(|e| e == name) {
                return Err(GraphError::code(
                    132000,
                    format!("body: unknown or missing parameter_name {name:?}"),
                ));
            }
        }
    }
    Ok(t.category.clone())
}

fn count_matches(part: &str, got: usize, want: usize) -> Result<(), GraphError> {
    if got == want {
        return Ok(());
    }
    Err(GraphError::code(
        132000,
        format!(
            "{part}: number of localizable_params ({got}) does not match the expected number of params ({want})"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_parsing() {
        assert_eq!(
            placeholders("Hi {{1}}, order {{2}} ships {{1}}"),
            vec!["1", "2"]
        );
        assert_eq!(placeholders("Hi {{ first_name }}"), vec!["first_name"]);
        assert!(placeholders("no params {{").is_empty());
        assert!(valid_name("order_update_2"));
        assert!(!valid_name("Order"));
    }
}
