//! Bodies of `POST /{v}/{waba_id}/message_templates` (create) and
//! `POST /{v}/{template_id}` (edit): every documented field is accepted and
//! loosely validated; truly invalid values get code 100.

use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::validate::{Obj, mistyped, opt_str, req_str};
use crate::catalog::{self, CATEGORIES};

/// Parameter formats of header/body variables.
const PARAMETER_FORMATS: &[&str] = &["POSITIONAL", "NAMED"];

/// Shortest and longest `message_send_ttl_seconds` (30 s .. 30 days);
/// `-1` asks for the category default.
const TTL_RANGE: std::ops::RangeInclusive<i64> = 30..=2_592_000;

/// Optional documented fields stored with the template and answered back.
const STORED: &[(&str, Kind)] = &[
    ("message_send_ttl_seconds", Kind::Ttl),
    ("sub_category", Kind::Str),
    ("cta_url_link_tracking_opted_out", Kind::Bool),
    ("degrees_of_freedom_spec", Kind::Object),
    ("library_template_name", Kind::Str),
];

/// Optional documented fields that only steer creation.
const ACCEPTED: &[(&str, Kind)] = &[
    ("allow_category_change", Kind::Bool),
    ("is_primary_device_delivery_only", Kind::Bool),
    ("library_template_body_inputs", Kind::Object),
    ("library_template_button_inputs", Kind::Array),
    ("display_format", Kind::Str),
];

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Object,
    Array,
    Ttl,
}

/// A validated create request.
pub(crate) struct CreateBody {
    pub name: String,
    pub language: String,
    pub category: String,
    pub components: Value,
    pub parameter_format: String,
    pub extra: Map<String, Value>,
}

/// A validated edit request: each part is optional, at least one is given.
pub(crate) struct EditBody {
    pub components: Option<Value>,
    pub category: Option<String>,
    pub parameter_format: Option<String>,
    pub extra: Map<String, Value>,
}

fn object(body: &[u8]) -> Result<Obj, GraphError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(GraphError::invalid("Request body must be a JSON object")),
        Err(e) => Err(GraphError::invalid(format!("Invalid JSON: {e}"))),
    }
}

pub(crate) fn parse_create(body: &[u8]) -> Result<CreateBody, GraphError> {
    let o = object(body)?;
    let name = req_str(&o, "name", "name")?;
    if !catalog::valid_name(name) {
        return Err(GraphError::invalid(
            "Param name may only contain lowercase alphanumeric characters and underscores (_)",
        ));
    }
    let language = req_str(&o, "language", "language")?;
    let category = category(req_str(&o, "category", "category")?)?;
    check_kinds(&o, ACCEPTED)?;
    let extra = check_kinds(&o, STORED)?;
    let from_library = extra.contains_key("library_template_name");
    let components = components(&o, !from_library)?.unwrap_or_else(|| json!([]));
    Ok(CreateBody {
        name: name.to_owned(),
        language: language.to_owned(),
        category,
        components,
        parameter_format: parameter_format(&o)?.unwrap_or_else(|| "POSITIONAL".to_owned()),
        extra,
    })
}

pub(crate) fn parse_edit(body: &[u8]) -> Result<EditBody, GraphError> {
    let o = object(body)?;
    let category = opt_str(&o, "category", "category")?
        .map(category)
        .transpose()?;
    let components = match o.get("components") {
        None | Some(Value::Null) => None,
        Some(_) => components(&o, true)?,
    };
    let parameter_format = parameter_format(&o)?;
    let extra = check_kinds(&o, STORED)?;
    if components.is_none() && category.is_none() && parameter_format.is_none() && extra.is_empty()
    {
        return Err(GraphError::param("The parameter components is required."));
    }
    Ok(EditBody {
        components,
        category,
        parameter_format,
        extra,
    })
}

fn category(raw: &str) -> Result<String, GraphError> {
    let c = raw.to_uppercase();
    if CATEGORIES.contains(&c.as_str()) {
        Ok(c)
    } else {
        Err(GraphError::param(format!(
            "Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got {raw:?}."
        )))
    }
}

fn parameter_format(o: &Obj) -> Result<Option<String>, GraphError> {
    let Some(raw) = opt_str(o, "parameter_format", "parameter_format")? else {
        return Ok(None);
    };
    let f = raw.to_uppercase();
    if PARAMETER_FORMATS.contains(&f.as_str()) {
        Ok(Some(f))
    } else {
        Err(GraphError::param(format!(
            "Param parameter_format must be one of {{POSITIONAL, NAMED}} - got {raw:?}."
        )))
    }
}

/// `components`: a non-empty array with a BODY (unless not `required`, as for
/// library templates whose content comes from Meta).
fn components(o: &Obj, required: bool) -> Result<Option<Value>, GraphError> {
    let list = match o.get("components") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) | Some(Value::Null) | None if !required => return Ok(None),
        Some(Value::Array(_)) | Some(Value::Null) | None => {
            return Err(GraphError::param("The parameter components is required."));
        }
        Some(_) => return Err(mistyped("components", "an array")),
    };
    let has_body = list.iter().any(|c| {
        c.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
    });
    if !has_body {
        return Err(GraphError::invalid(
            "Message template components must include a BODY component",
        ));
    }
    Ok(Some(Value::Array(list.clone())))
}

/// Checks the type of each present field and returns the present ones.
fn check_kinds(o: &Obj, fields: &[(&str, Kind)]) -> Result<Map<String, Value>, GraphError> {
    let mut out = Map::new();
    for (field, kind) in fields {
        let Some(v) = o.get(*field).filter(|v| !v.is_null()) else {
            continue;
        };
        let ok = match kind {
            Kind::Str => v.is_string(),
            Kind::Bool => v.is_boolean(),
            Kind::Object => v.is_object(),
            Kind::Array => v.is_array(),
            Kind::Ttl => v
                .as_i64()
                .is_some_and(|n| n == -1 || TTL_RANGE.contains(&n)),
        };
        if !ok {
            return Err(mistyped(field, kind_text(*kind)));
        }
        out.insert((*field).to_owned(), v.clone());
    }
    Ok(out)
}

fn kind_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "a string",
        Kind::Bool => "a boolean",
        Kind::Object => "a JSON object",
        Kind::Array => "an array",
        Kind::Ttl => "an integer between 30 and 2592000 (or -1)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(v: Value) -> Result<CreateBody, GraphError> {
        parse_create(v.to_string().as_bytes())
    }

    fn base() -> Value {
        json!({"name": "promo", "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{first_name}}"}]})
    }

    #[test]
    fn create_accepts_documented_fields() {
        let mut b = base();
        b["parameter_format"] = json!("NAMED");
        b["allow_category_change"] = json!(true);
        b["message_send_ttl_seconds"] = json!(3600);
        b["sub_category"] = json!("ORDER_STATUS");
        b["cta_url_link_tracking_opted_out"] = json!(true);
        b["degrees_of_freedom_spec"] = json!({"creative_features_spec": {}});
        let c = create(b).ok();
        assert_eq!(
            c.as_ref().map(|c| c.parameter_format.as_str()),
            Some("NAMED")
        );
        assert_eq!(c.map(|c| c.extra.len()), Some(4));
    }

    #[test]
    fn create_refuses_invalid_values() {
        for (k, v) in [
            ("parameter_format", json!("FANCY")),
            ("message_send_ttl_seconds", json!(5)),
            ("allow_category_change", json!("yes")),
            ("category", json!("SPAM")),
        ] {
            let mut b = base();
            b[k] = v;
            assert!(create(b).is_err(), "{k}");
        }
    }

    #[test]
    fn library_templates_need_no_components() {
        let b = json!({"name": "lib", "language": "en_US", "category": "UTILITY",
            "library_template_name": "delivery_update_1"});
        assert!(create(b).is_ok());
    }

    #[test]
    fn edit_accepts_any_documented_part() {
        let e = parse_edit(
            json!({"message_send_ttl_seconds": 600})
                .to_string()
                .as_bytes(),
        );
        assert!(e.is_ok_and(|e| e.components.is_none() && e.extra.len() == 1));
        assert!(parse_edit(b"{}").is_err());
    }
}
