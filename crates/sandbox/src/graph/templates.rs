//! `GET/POST/DELETE /{v}/{waba_id}/message_templates`, `GET/POST /{v}/{template_id}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::validate::{opt_str, req_str};
use super::{Params, auth_waba, check_version, into_response};
use crate::app::App;
use crate::catalog::{self, CATEGORIES, TemplateStatusUpdate};
use crate::state::Template;

const FIELDS: &[&str] = &[
    "id",
    "name",
    "language",
    "status",
    "category",
    "components",
    "parameter_format",
    "rejected_reason",
    "quality_score",
];

/// Template JSON as the management API returns it, filtered by `fields`.
fn template_json(t: &Template, fields: Option<&str>) -> Result<Value, GraphError> {
    let mut all = Map::new();
    all.insert("id".into(), json!(t.id));
    all.insert("name".into(), json!(t.name));
    all.insert("language".into(), json!(t.language));
    all.insert("status".into(), json!(t.status));
    all.insert("category".into(), json!(t.category));
    all.insert("components".into(), t.components.clone());
    all.insert("parameter_format".into(), json!(t.parameter_format));
    all.insert("rejected_reason".into(), json!(t.rejected_reason));
    let Some(fields) = fields.filter(|f| !f.trim().is_empty()) else {
        all.remove("rejected_reason");
        return Ok(Value::Object(all));
    };
    let mut out = Map::new();
    for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        if !FIELDS.contains(&f) {
            return Err(GraphError::param(format!(
                "Tried accessing nonexisting field ({f}) on node type (WhatsAppBusinessHSM)"
            )));
        }
        let v = if f == "quality_score" {
            json!({ "score": "UNKNOWN" })
        } else {
            all.get(f).cloned().unwrap_or(Value::Null)
        };
        out.insert(f.to_owned(), v);
    }
    out.insert("id".into(), json!(t.id));
    Ok(Value::Object(out))
}

fn cursor(i: usize) -> String {
    STANDARD.encode(format!("sandbox-cursor:{i}"))
}

fn parse_cursor(c: &str) -> Option<usize> {
    let raw = STANDARD.decode(c).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("sandbox-cursor:")?
        .parse()
        .ok()
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_waba(&app, &headers, &q, &waba, "get")?;
        let st = app.lock();
        let filter =
            |key: &str, value: &str| q.get(key).is_none_or(|f| f.eq_ignore_ascii_case(value));
        let all: Vec<&Template> = st
            .templates
            .values()
            .filter(|t| t.waba_id == waba)
            .filter(|t| filter("name", &t.name) && filter("status", &t.status))
            .filter(|t| filter("category", &t.category) && filter("language", &t.language))
            .collect();
        let limit = q
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(25)
            .clamp(1, 1000);
        let start = match (
            q.get("after").and_then(|c| parse_cursor(c)),
            q.get("before").and_then(|c| parse_cursor(c)),
        ) {
            (Some(a), _) => a + 1,
            (None, Some(b)) => b.saturating_sub(limit),
            (None, None) => 0,
        };
        let end = (start + limit).min(all.len());
        let data = all
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .map(|t| template_json(t, q.get("fields").map(String::as_str)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut body = json!({ "data": data });
        if end > start {
            let mut paging =
                json!({ "cursors": { "before": cursor(start), "after": cursor(end - 1) } });
            if end < all.len() {
                paging["next"] = json!(format!(
                    "{}/{version}/{waba}/message_templates?limit={limit}&after={}",
                    app.base_url,
                    cursor(end - 1)
                ));
            }
            if start > 0 {
                paging["previous"] = json!(format!(
                    "{}/{version}/{waba}/message_templates?limit={limit}&before={}",
                    app.base_url,
                    cursor(start)
                ));
            }
            body["paging"] = paging;
        }
        if q.get("summary").is_some_and(|s| s.contains("total_count")) {
            body["summary"] = json!({ "total_count": all.len() });
        }
        Ok(body)
    })();
    into_response(r)
}

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_waba(&app, &headers, &q, &waba, "post")?;
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| GraphError::invalid(format!("Invalid JSON: {e}")))?;
        let o = v
            .as_object()
            .ok_or_else(|| GraphError::invalid("Request body must be a JSON object"))?;
        let name = req_str(o, "name", "name")?;
        if !catalog::valid_name(name) {
            return Err(GraphError::invalid(
                "Param name may only contain lowercase alphanumeric characters and underscores (_)",
            ));
        }
        let language = req_str(o, "language", "language")?;
        let category = req_str(o, "category", "category")?.to_uppercase();
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(GraphError::param(format!(
                "Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got {category:?}."
            )));
        }
        let components = match o.get("components") {
            Some(Value::Array(a)) if !a.is_empty() => Value::Array(a.clone()),
            Some(Value::Array(_)) | None => {
                return Err(GraphError::param("The parameter components is required."));
            }
            Some(_) => return Err(GraphError::param("Param components must be an array.")),
        };
        let has_body = components.as_array().is_some_and(|a| {
            a.iter().any(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
            })
        });
        if !has_body {
            return Err(GraphError::invalid(
                "Message template components must include a BODY component",
            ));
        }
        let format = opt_str(o, "parameter_format", "parameter_format")?
            .unwrap_or("POSITIONAL")
            .to_uppercase();
        let spec = catalog::TemplateSpec {
            waba_id: waba.clone(),
            name: name.to_owned(),
            language: language.to_owned(),
            category: category.clone(),
            components: Some(components),
            status: "PENDING".to_owned(),
            parameter_format: Some(format),
        };
        let t = catalog::add(&app, spec).map_err(|e| {
            if e.message.contains("already exists") {
                GraphError::code(100, "Content in this language already exists")
                    .with_subcode(2388024)
            } else {
                GraphError::invalid(e.message)
            }
        })?;
        let mut status = t.status.clone();
        if app.config.auto_approve_templates {
            let approved = catalog::set_status(&app, &t.id, &TemplateStatusUpdate::new("APPROVED"))
                .map_err(|e| GraphError::code(131000, e.message))?;
            status = approved.status;
        }
        Ok(json!({ "id": t.id, "status": status, "category": t.category }))
    })();
    into_response(r)
}

pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_waba(&app, &headers, &q, &waba, "delete")?;
        let name = q
            .get("name")
            .ok_or_else(|| GraphError::param("The parameter name is required."))?;
        let hsm_id = q.get("hsm_id");
        let mut st = app.lock();
        let ids: Vec<String> = st
            .templates
            .values()
            .filter(|t| t.waba_id == waba && &t.name == name && hsm_id.is_none_or(|h| h == &t.id))
            .map(|t| t.id.clone())
            .collect();
        if ids.is_empty() {
            return Err(GraphError::invalid(format!(
                "Message template \"{name}\" was not found"
            )));
        }
        for id in ids {
            st.templates.remove(&id);
        }
        Ok(json!({ "success": true }))
    })();
    into_response(r)
}

/// `GET /{v}/{template_id}`.
pub(crate) fn get_one(app: &App, id: &str, q: &Params) -> Result<Value, GraphError> {
    let st = app.lock();
    let t = st
        .templates
        .get(id)
        .ok_or_else(|| GraphError::no_object(id, "get"))?;
    template_json(t, q.get("fields").map(String::as_str))
}

/// `POST /{v}/{template_id}`: edit components and/or category. An edit sends
/// the template back to review (`PENDING`) unless templates auto-approve.
pub(crate) fn edit(app: &App, id: &str, body: &[u8]) -> Result<Value, GraphError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::invalid(format!("Invalid JSON: {e}")))?;
    let components = v.get("components").cloned();
    let category = v
        .get("category")
        .and_then(Value::as_str)
        .map(str::to_uppercase);
    if components.is_none() && category.is_none() {
        return Err(GraphError::param("The parameter components is required."));
    }
    if let Some(c) = &category
        && !CATEGORIES.contains(&c.as_str())
    {
        return Err(GraphError::invalid(format!("Invalid category {c}")));
    }
    {
        let mut st = app.lock();
        let t = st
            .templates
            .get_mut(id)
            .ok_or_else(|| GraphError::no_object(id, "post"))?;
        if let Some(c) = components {
            t.components = c;
        }
        if let Some(c) = category {
            t.category = c;
        }
    }
    let next = if app.config.auto_approve_templates {
        "APPROVED"
    } else {
        "PENDING"
    };
    catalog::set_status(app, id, &TemplateStatusUpdate::new(next))
        .map_err(|e| GraphError::code(131000, e.message))?;
    Ok(json!({ "success": true }))
}
