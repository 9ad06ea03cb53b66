//! `GET/POST /{v}/{phone_number_id}/whatsapp_business_profile`: the business
//! profile shown to customers, kept per number so a later GET reflects a POST.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::fields::{NodeType, select};
use super::{Params, auth_number, check_version, into_response};
use crate::app::App;

/// Fields documented on Meta's `WhatsAppBusinessProfile` node.
const NODE: NodeType = NodeType {
    name: "WhatsAppBusinessProfile",
    documented: &[
        "about",
        "address",
        "description",
        "email",
        "messaging_product",
        "profile_picture_url",
        "vertical",
        "websites",
    ],
};

/// Without `fields=` every profile field is answered.
const DEFAULT_FIELDS: &[&str] = NODE.documented;

/// Meta's `vertical` enum (old and current names).
const VERTICALS: &[&str] = &[
    "UNDEFINED",
    "OTHER",
    "ALCOHOL",
    "APPAREL",
    "AUTO",
    "BEAUTY",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GOVT",
    "GROCERY",
    "HEALTH",
    "HOTEL",
    "MATRIMONY_SERVICE",
    "NONPROFIT",
    "NOT_A_BIZ",
    "ONLINE_GAMBLING",
    "OTC_DRUGS",
    "PHYSICAL_GAMBLING",
    "PROF_SERVICES",
    "RESTAURANT",
    "RETAIL",
    "TRAVEL",
];

/// Text fields and their character limits (Meta: about 139, address 256,
/// description 512, email 128).
const TEXT_LIMITS: &[(&str, usize)] = &[
    ("about", 139),
    ("address", 256),
    ("description", 512),
    ("email", 128),
];

/// At most this many websites, each at most 256 characters.
const MAX_WEBSITES: usize = 2;
const MAX_WEBSITE_LEN: usize = 256;

/// A fresh number's profile: Meta's default about text and no vertical yet.
fn defaults() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("about".into(), json!("Hey there! I am using WhatsApp."));
    m.insert("vertical".into(), json!("UNDEFINED"));
    m
}

/// `GET .../whatsapp_business_profile` -> `{"data":[{...}]}`.
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path((version, pnid)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_number(&app, &headers, &q, &pnid, "get")?;
        let st = app.lock();
        let n = st
            .numbers
            .get(&pnid)
            .ok_or_else(|| GraphError::no_object(&pnid, "get"))?;
        let mut values = defaults();
        values.extend(n.profile.clone());
        let mut one = select(
            &values,
            &NODE,
            q.get("fields").map(String::as_str),
            DEFAULT_FIELDS,
        )?;
        one["messaging_product"] = json!("whatsapp");
        Ok(json!({ "data": [one] }))
    })();
    into_response(r)
}

/// `POST .../whatsapp_business_profile` -> `{"success":true}`.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path((version, pnid)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_number(&app, &headers, &q, &pnid, "post")?;
        let changes = parse_update(&body, &app.base_url)?;
        let mut st = app.lock();
        let n = st
            .numbers
            .get_mut(&pnid)
            .ok_or_else(|| GraphError::no_object(&pnid, "post"))?;
        for (k, v) in changes {
            n.profile.insert(k, v);
        }
        Ok(json!({ "success": true }))
    })();
    into_response(r)
}

/// Validates an update body loosely, as Meta does, and returns the profile
/// fields to store. An empty string clears a field (pywa sends `""` for `None`).
fn parse_update(body: &[u8], base_url: &str) -> Result<Map<String, Value>, GraphError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::invalid(format!("Invalid JSON: {e}")))?;
    let o = v
        .as_object()
        .ok_or_else(|| GraphError::invalid("Request body must be a JSON object"))?;
    match o.get("messaging_product").and_then(Value::as_str) {
        Some(p) if p.eq_ignore_ascii_case("whatsapp") => {}
        Some(p) => {
            return Err(GraphError::param(format!(
                "Param messaging_product must be one of {{WHATSAPP}} - got {p:?}."
            )));
        }
        None => {
            return Err(GraphError::param(
                "The parameter messaging_product is required.",
            ));
        }
    }
    let mut out = Map::new();
    for (field, max) in TEXT_LIMITS {
        if let Some(text) = text_field(o, field, *max)? {
            out.insert((*field).to_owned(), json!(text));
        }
    }
    if let Some(vertical) = vertical(o)? {
        out.insert("vertical".into(), json!(vertical));
    }
    if let Some(sites) = websites(o)? {
        out.insert("websites".into(), sites);
    }
    if let Some(handle) = text_field(o, "profile_picture_handle", usize::MAX)? {
        out.insert("profile_picture_url".into(), picture_url(base_url, &handle));
    }
    Ok(out)
}

/// A string field within `max` characters; `about` may not be cleared.
fn text_field(
    o: &Map<String, Value>,
    field: &str,
    max: usize,
) -> Result<Option<String>, GraphError> {
    let Some(v) = o.get(field) else {
        return Ok(None);
    };
    let text = v
        .as_str()
        .ok_or_else(|| GraphError::param(format!("Param {field} must be a string.")))?;
    let len = text.chars().count();
    if len > max {
        return Err(GraphError::param(format!(
            "Param {field} must be at most {max} characters long."
        )));
    }
    if field == "about" && text.trim().is_empty() {
        return Err(GraphError::param(
            "Param about must be at least 1 character long.",
        ));
    }
    if field == "email" && !text.is_empty() && !text.contains('@') {
        return Err(GraphError::param(
            "Param email must be a valid email address.",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// `vertical` from Meta's enum; `""` resets it to `UNDEFINED`.
fn vertical(o: &Map<String, Value>) -> Result<Option<String>, GraphError> {
    let Some(v) = o.get("vertical") else {
        return Ok(None);
    };
    let raw = v
        .as_str()
        .ok_or_else(|| GraphError::param("Param vertical must be a string."))?;
    if raw.is_empty() {
        return Ok(Some("UNDEFINED".to_owned()));
    }
    let upper = raw.to_ascii_uppercase();
    if VERTICALS.contains(&upper.as_str()) {
        Ok(Some(upper))
    } else {
        Err(GraphError::param(format!(
            "Param vertical must be one of {{{}}} - got {raw:?}.",
            VERTICALS.join(", ")
        )))
    }
}

/// `websites`: up to two http(s) URLs; `""` or `[]` clears them.
fn websites(o: &Map<String, Value>) -> Result<Option<Value>, GraphError> {
    let sites = match o.get("websites") {
        None => return Ok(None),
        Some(Value::String(s)) if s.is_empty() => return Ok(Some(json!([]))),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(GraphError::param("Param websites must be an array.")),
    };
    if sites.len() > MAX_WEBSITES {
        return Err(GraphError::param(format!(
            "Param websites must have at most {MAX_WEBSITES} elements."
        )));
    }
    for (i, site) in sites.iter().enumerate() {
        let url = site
            .as_str()
            .ok_or_else(|| GraphError::param(format!("Param websites[{i}] must be a string.")))?;
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || url.chars().count() > MAX_WEBSITE_LEN {
            return Err(GraphError::param(format!(
                "Param websites[{i}] must be a valid http(s) URL of at most {MAX_WEBSITE_LEN} characters."
            )));
        }
    }
    Ok(Some(Value::Array(sites.clone())))
}

/// The picture URL Meta would serve for an uploaded handle (`""` clears it).
fn picture_url(base_url: &str, handle: &str) -> Value {
    if handle.is_empty() {
        return Value::Null;
    }
    let tag: String = handle
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    json!(format!("{base_url}/whatsapp_business/profile/{tag}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<Map<String, Value>, GraphError> {
        parse_update(v.to_string().as_bytes(), "http://sb")
    }

    #[test]
    fn accepts_every_documented_field() {
        let out = parse(json!({"messaging_product": "whatsapp", "about": "Hi",
            "address": "1 Road", "description": "d", "email": "a@b.co", "vertical": "retail",
            "websites": ["https://a.example", "http://b.example"],
            "profile_picture_handle": "4::aW1h:ARb"}))
        .ok();
        let out = out.unwrap_or_default();
        assert_eq!(out["vertical"], "RETAIL");
        assert_eq!(out["websites"].as_array().map(Vec::len), Some(2));
        assert!(out["profile_picture_url"].is_string());
    }

    #[test]
    fn refuses_invalid_values() {
        let base = |k: &str, v: Value| {
            let mut b = json!({"messaging_product": "whatsapp"});
            b[k] = v;
            parse(b).is_err()
        };
        assert!(base("about", json!("")));
        assert!(base("about", json!("x".repeat(140))));
        assert!(base("vertical", json!("SPACESHIPS")));
        assert!(base(
            "websites",
            json!(["https://a", "https://b", "https://c"])
        ));
        assert!(base("websites", json!(["ftp://a"])));
        assert!(base("email", json!("nope")));
        assert!(parse(json!({"about": "Hi"})).is_err());
        assert!(!base("address", json!("")));
    }
}
