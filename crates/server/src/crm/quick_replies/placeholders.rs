//! Filling a quick reply's placeholders: `{{contact.name}}`,
//! `{{contact.first_name}}`, `{{contact.phone}}`, `{{contact.email}}`,
//! `{{contact.<attribute key>}}` (a custom attribute's value),
//! `{{agent.name}}` and `{{agent.first_name}}`. Spaces inside the braces
//! are allowed. A placeholder that is unknown, or has no value for this
//! contact or agent, becomes empty and is reported.

use serde_json::{Map, Value};

/// What placeholders are filled from.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    /// The contact's custom attribute values by key.
    pub attributes: Option<&'a Map<String, Value>>,
    /// The agent inserting the reply (`None` for an API key).
    pub agent_name: Option<&'a str>,
}

/// `body` with every placeholder filled, and the placeholders left empty
/// (each once, in order, as written between the braces, trimmed).
pub fn fill(body: &str, values: &Values<'_>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(body.len());
    let mut empty: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = after[..end].trim();
        match value(name, values).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => {
                if !empty.iter().any(|e| e == name) {
                    empty.push(name.to_owned());
                }
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (out, empty)
}

fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or_default().to_owned()
}

fn value(name: &str, v: &Values<'_>) -> Option<String> {
    let owned = |s: Option<&str>| s.map(|s| s.trim().to_owned());
    match name {
        "contact.name" => owned(v.contact_name),
        "contact.first_name" => v.contact_name.map(first_word),
        "contact.phone" => owned(v.contact_phone),
        "contact.email" => owned(v.contact_email),
        "agent.name" => owned(v.agent_name),
        "agent.first_name" => v.agent_name.map(first_word),
        _ => {
            let key = name.strip_prefix("contact.")?;
            match v.attributes?.get(key)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(true) => Some("yes".to_owned()),
                Value::Bool(false) => Some("no".to_owned()),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_placeholders_are_filled_and_the_rest_reported() {
        let attrs = json!({ "plan": "gold", "seats": 3, "vip": true });
        let values = Values {
            contact_name: Some("Ana Souza"),
            contact_phone: Some("+16505551234"),
            attributes: attrs.as_object(),
            agent_name: Some("Bo Agent"),
            ..Values::default()
        };
        let (text, empty) = fill(
            "Hi {{contact.first_name}} ({{ contact.name }}), {{agent.name}} here. \
             Plan {{contact.plan}}, {{contact.seats}} seats, VIP {{contact.vip}}. \
             {{contact.email}}{{nope}}{{contact.missing}}{{nope}} {{unclosed",
            &values,
        );
        assert_eq!(
            text,
            "Hi Ana (Ana Souza), Bo Agent here. Plan gold, 3 seats, VIP yes.  {{unclosed"
        );
        assert_eq!(empty, ["contact.email", "nope", "contact.missing"]);
    }

    #[test]
    fn without_an_agent_or_attributes_those_stay_empty() {
        let (text, empty) = fill("{{agent.name}}:{{contact.plan}}", &Values::default());
        assert_eq!(text, ":");
        assert_eq!(empty, ["agent.name", "contact.plan"]);
    }
}
