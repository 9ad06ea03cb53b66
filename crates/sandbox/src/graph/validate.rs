//! Validation of send bodies (`POST /{phone_number_id}/messages`) with Meta's
//! error codes: 100 for missing/mistyped parameters, 131009 for values
//! outside the documented limits.

use serde_json::{Map, Value};

use super::errors::GraphError;

pub(super) type Obj = Map<String, Value>;

/// A validated send request.
#[derive(Debug, Clone)]
pub(crate) struct SendRequest {
    /// `to`, or `recipient` when there is no `to`, exactly as given.
    pub to_input: String,
    /// Normalised recipient; empty until a `recipient` BSUID is resolved.
    pub wa_id: String,
    /// The BSUID of a send addressed by `recipient` only.
    pub recipient: Option<String>,
    pub kind: String,
    pub content: Value,
    pub context: Option<String>,
    pub biz_opaque: Option<String>,
    pub template: Option<TemplateSend>,
}

#[derive(Debug, Clone)]
pub(crate) struct TemplateSend {
    pub name: String,
    pub language: String,
    pub components: Vec<Value>,
}

const TYPES: &[&str] = &[
    "audio",
    "contacts",
    "document",
    "image",
    "interactive",
    "location",
    "reaction",
    "sticker",
    "template",
    "text",
    "video",
];
const MEDIA: &[&str] = &["image", "video", "audio", "document", "sticker"];

pub(super) fn required(path: &str) -> GraphError {
    GraphError::param(format!("The parameter {path} is required."))
}

pub(super) fn mistyped(path: &str, what: &str) -> GraphError {
    GraphError::param(format!("Param {path} must be {what}."))
}

pub(super) fn invalid_value(details: impl Into<String>) -> GraphError {
    GraphError::code(131009, details)
}

pub(crate) fn opt_str<'a>(
    o: &'a Obj,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, GraphError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(mistyped(path, "a string")),
    }
}

pub(crate) fn req_str<'a>(o: &'a Obj, key: &str, path: &str) -> Result<&'a str, GraphError> {
    opt_str(o, key, path)?.ok_or_else(|| required(path))
}

pub(super) fn opt_obj<'a>(
    o: &'a Obj,
    key: &str,
    path: &str,
) -> Result<Option<&'a Obj>, GraphError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(mistyped(path, "a JSON object")),
    }
}

pub(super) fn req_obj<'a>(o: &'a Obj, key: &str, path: &str) -> Result<&'a Obj, GraphError> {
    opt_obj(o, key, path)?.ok_or_else(|| required(path))
}

pub(super) fn req_arr<'a>(o: &'a Obj, key: &str, path: &str) -> Result<&'a Vec<Value>, GraphError> {
    match o.get(key) {
        None | Some(Value::Null) => Err(required(path)),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(mistyped(path, "an array")),
    }
}

pub(super) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, GraphError> {
    v.as_object().ok_or_else(|| mistyped(path, "a JSON object"))
}

pub(super) fn max_len(s: &str, max: usize, path: &str) -> Result<(), GraphError> {
    if s.chars().count() > max {
        return Err(invalid_value(format!(
            "{path} must be at most {max} characters long"
        )));
    }
    Ok(())
}

pub(super) fn non_empty(s: &str, max: usize, path: &str) -> Result<(), GraphError> {
    if s.trim().is_empty() {
        return Err(invalid_value(format!("{path} must not be empty")));
    }
    max_len(s, max, path)
}

/// Normalises a recipient (`+1 (650) 555-1234` -> `16505551234`).
pub(crate) fn normalize_to(input: &str) -> Result<String, GraphError> {
    let cleaned: String = input
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
        .collect();
    if cleaned.len() < 5 || cleaned.len() > 15 || !cleaned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_value(format!(
            "Recipient phone number {input:?} is not a valid phone number"
        )));
    }
    Ok(cleaned)
}

/// A BSUID (`US.13491208655302741918`) or parent BSUID (`US.ENT.…`).
fn is_user_id(s: &str) -> bool {
    let mut parts = s.split('.');
    let country = parts.next().unwrap_or_default();
    let mut rest: Vec<&str> = parts.collect();
    if rest.first() == Some(&"ENT") {
        rest.remove(0);
    }
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && matches!(rest.as_slice(), [digits] if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Validates a send body (not a mark-as-read body).
pub(crate) fn send_request(o: &Obj) -> Result<SendRequest, GraphError> {
    match opt_str(o, "recipient_type", "recipient_type")? {
        None | Some("individual") => {}
        Some("group") => {
            return Err(invalid_value(
                "recipient_type group is not supported by the sandbox",
            ));
        }
        Some(other) => {
            return Err(mistyped(
                "recipient_type",
                &format!("one of {{individual, group}} - got {other:?}"),
            ));
        }
    }
    // `to` wins when both are given; `recipient` alone is a BSUID.
    let recipient = opt_str(o, "recipient", "recipient")?;
    let (to_input, wa_id, recipient) = match (opt_str(o, "to", "to")?, recipient) {
        (Some(to), _) => (to.to_owned(), normalize_to(to)?, None),
        (None, Some(r)) => {
            if !is_user_id(r) {
                return Err(GraphError::param(format!(
                    "Param recipient must be a valid business-scoped user ID - got {r:?}."
                )));
            }
            (r.to_owned(), String::new(), Some(r.to_owned()))
        }
        (None, None) => return Err(required("to")),
    };
    let kind = opt_str(o, "type", "type")?.unwrap_or("text").to_owned();
    if !TYPES.contains(&kind.as_str()) {
        return Err(mistyped(
            "type",
            &format!(
                "one of {{{}}} - got {kind:?}",
                TYPES.join(", ").to_uppercase()
            ),
        ));
    }
    let context = match opt_obj(o, "context", "context")? {
        Some(c) => Some(req_str(c, "message_id", "context['message_id']")?.to_owned()),
        None => None,
    };
    let biz_opaque =
        opt_str(o, "biz_opaque_callback_data", "biz_opaque_callback_data")?.map(str::to_owned);
    if let Some(b) = &biz_opaque {
        max_len(b, 512, "biz_opaque_callback_data")?;
    }
    let mut template = None;
    let content = match kind.as_str() {
        "contacts" => {
            let arr = req_arr(o, "contacts", "contacts")?;
            contacts(arr)?;
            Value::Array(arr.clone())
        }
        k => {
            let c = req_obj(o, k, k)?;
            match k {
                "text" => text(c)?,
                "template" => template = Some(template_send(c)?),
                "interactive" => super::interactive::interactive(c)?,
                "reaction" => reaction(c)?,
                "location" => location(c)?,
                _ => media(k, c)?,
            }
            Value::Object(c.clone())
        }
    };
    Ok(SendRequest {
        to_input,
        wa_id,
        recipient,
        kind,
        content,
        context,
        biz_opaque,
        template,
    })
}

fn text(c: &Obj) -> Result<(), GraphError> {
    let body = req_str(c, "body", "text['body']")?;
    non_empty(body, 4096, "text['body']")?;
    match c.get("preview_url") {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(mistyped("text['preview_url']", "a boolean")),
    }
}

fn media(kind: &str, c: &Obj) -> Result<(), GraphError> {
    debug_assert!(MEDIA.contains(&kind));
    let id = opt_str(c, "id", &format!("{kind}['id']"))?;
    let link = opt_str(c, "link", &format!("{kind}['link']"))?;
    match (id, link) {
        (None, None) => return Err(required(&format!("{kind}['id'] or {kind}['link']"))),
        (Some(_), Some(_)) => {
            return Err(invalid_value(format!(
                "{kind} must have either id or link, not both"
            )));
        }
        (None, Some(l)) => {
            let ok = url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(GraphError::invalid(format!(
                    "Param {kind}['link'] is not a valid URL"
                )));
            }
        }
        (Some(_), None) => {}
    }
    if let Some(caption) = opt_str(c, "caption", &format!("{kind}['caption']"))? {
        if matches!(kind, "audio" | "sticker") {
            return Err(GraphError::invalid(format!(
                "Param {kind}['caption'] is not allowed for {kind}"
            )));
        }
        max_len(caption, 1024, &format!("{kind}['caption']"))?;
    }
    if opt_str(c, "filename", &format!("{kind}['filename']"))?.is_some() && kind != "document" {
        return Err(GraphError::invalid(format!(
            "Param {kind}['filename'] is only allowed for document"
        )));
    }
    Ok(())
}

fn template_send(c: &Obj) -> Result<TemplateSend, GraphError> {
    let name = req_str(c, "name", "template['name']")?.to_owned();
    let language = req_str(
        req_obj(c, "language", "template['language']")?,
        "code",
        "template['language']['code']",
    )?;
    let components = match c.get("components") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(mistyped("template['components']", "an array")),
    };
    for (i, comp) in components.iter().enumerate() {
        let path = format!("template['components'][{i}]");
        let o = as_obj(comp, &path)?;
        req_str(o, "type", &format!("{path}['type']"))?;
        if let Some(p) = o.get("parameters")
            && !p.is_array()
        {
            return Err(mistyped(&format!("{path}['parameters']"), "an array"));
        }
    }
    Ok(TemplateSend {
        name,
        language: language.to_owned(),
        components,
    })
}

fn reaction(c: &Obj) -> Result<(), GraphError> {
    let id = req_str(c, "message_id", "reaction['message_id']")?;
    if !id.starts_with("wamid.") {
        return Err(invalid_value(
            "reaction['message_id'] is not a valid message id",
        ));
    }
    if let Some(e) = opt_str(c, "emoji", "reaction['emoji']")? {
        max_len(e, 10, "reaction['emoji']")?;
    }
    Ok(())
}

fn location(c: &Obj) -> Result<(), GraphError> {
    let coord = |key: &str, limit: f64| -> Result<(), GraphError> {
        let path = format!("location['{key}']");
        let v = c.get(key).ok_or_else(|| required(&path))?;
        let n = v.as_f64().ok_or_else(|| mistyped(&path, "a number"))?;
        if n.abs() > limit {
            return Err(invalid_value(format!("{path} is out of range")));
        }
        Ok(())
    };
    coord("latitude", 90.0)?;
    coord("longitude", 180.0)?;
    opt_str(c, "name", "location['name']")?;
    opt_str(c, "address", "location['address']")?;
    Ok(())
}

fn contacts(arr: &[Value]) -> Result<(), GraphError> {
    if arr.is_empty() {
        return Err(required("contacts"));
    }
    for (i, card) in arr.iter().enumerate() {
        let path = format!("contacts[{i}]");
        let card = as_obj(card, &path)?;
        let name = req_obj(card, "name", &format!("{path}['name']"))?;
        req_str(
            name,
            "formatted_name",
            &format!("{path}['name']['formatted_name']"),
        )?;
        if let Some(p) = card.get("phones")
            && !p.is_array()
        {
            return Err(mistyped(&format!("{path}['phones']"), "an array"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(v: Value) -> Result<SendRequest, GraphError> {
        send_request(v.as_object().unwrap())
    }

    #[test]
    fn accepts_reference_bodies_and_rejects_bad_ones() {
        let ok = check(json!({"to": "+1 650-555-1234", "type": "text", "text": {"body": "hi"}}))
            .unwrap();
        assert_eq!(ok.wa_id, "16505551234");
        assert_eq!(ok.to_input, "+1 650-555-1234");
        assert_eq!(check(json!({"to": "1650555"})).unwrap_err().code, 100);
        let by_id =
            check(json!({"recipient": "US.13491208655302741918", "text": {"body": "x"}})).unwrap();
        assert_eq!(by_id.recipient.as_deref(), Some("US.13491208655302741918"));
        assert_eq!(by_id.to_input, "US.13491208655302741918");
        let both =
            check(json!({"to": "1650555", "recipient": "US.1", "text": {"body": "x"}})).unwrap();
        assert_eq!((both.wa_id.as_str(), both.recipient), ("1650555", None));
        assert_eq!(
            check(json!({"recipient": "16505551234", "text": {"body": "x"}}))
                .unwrap_err()
                .code,
            100
        );
        assert!(is_user_id("US.ENT.11815799212886844830"));
        assert!(!is_user_id("us.1") && !is_user_id("US.") && !is_user_id("US.1.2"));
        assert_eq!(
            check(json!({"type": "text", "text": {"body": "x"}}))
                .unwrap_err()
                .code,
            100
        );
        assert_eq!(
            check(json!({"to": "abc", "text": {"body": "x"}}))
                .unwrap_err()
                .code,
            131009
        );
        assert_eq!(
            check(json!({"to": "1650555", "type": "poll", "poll": {}}))
                .unwrap_err()
                .code,
            100
        );
        let four = json!({"to": "1650555", "type": "interactive", "interactive": {"type": "button",
            "body": {"text": "b"}, "action": {"buttons": [
            {"type":"reply","reply":{"id":"1","title":"a"}},{"type":"reply","reply":{"id":"2","title":"b"}},
            {"type":"reply","reply":{"id":"3","title":"c"}},{"type":"reply","reply":{"id":"4","title":"d"}}]}}});
        assert_eq!(check(four).unwrap_err().code, 131009);
        let both =
            json!({"to": "1650555", "type": "image", "image": {"id": "1", "link": "https://x/y"}});
        assert_eq!(check(both).unwrap_err().code, 131009);
        let audio_caption =
            json!({"to": "1650555", "type": "audio", "audio": {"id": "1", "caption": "c"}});
        assert_eq!(check(audio_caption).unwrap_err().code, 100);
    }
}
