//! `POST/DELETE /{v}/{waba_id}/message_templates`, `GET/POST /{v}/{template_id}`
//! (the list lives in `template_list`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::errors::GraphError;
use super::template_body::{parse_create, parse_edit};
use super::template_list::template_json;
use super::{Params, auth_waba, check_version, into_response};
use crate::app::App;
use crate::catalog::{self, TemplateStatusUpdate};

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
        let req = parse_create(&body)?;
        let spec = catalog::TemplateSpec {
            waba_id: waba.clone(),
            name: req.name,
            language: req.language,
            category: req.category,
            components: Some(req.components),
            status: "PENDING".to_owned(),
            parameter_format: Some(req.parameter_format),
        };
        let t = catalog::add(&app, spec).map_err(|e| {
            if e.message.contains("already exists") {
                GraphError::code(100, "Content in this language already exists")
                    .with_subcode(2388024)
            } else {
                GraphError::invalid(e.message)
            }
        })?;
        if let Some(stored) = app.lock().templates.get_mut(&t.id) {
            stored.extra = req.extra;
        }
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
    template_json(t, q.get("fields").map(String::as_str), st.now())
}

/// `POST /{v}/{template_id}`: edit components, category, parameter format or
/// other documented fields. An edit sends the template back to review
/// (`PENDING`) unless templates auto-approve. Answers `success` plus the
/// template's id, name and category (what pywa's `UpdatedTemplate` reads).
pub(crate) fn edit(app: &App, id: &str, body: &[u8]) -> Result<Value, GraphError> {
    let req = parse_edit(body)?;
    let (name, category) = {
        let mut st = app.lock();
        let t = st
            .templates
            .get_mut(id)
            .ok_or_else(|| GraphError::no_object(id, "post"))?;
        if let Some(c) = req.components {
            t.components = c;
        }
        if let Some(c) = req.category
            && c != t.category
        {
            t.extra
                .insert("previous_category".into(), json!(t.category));
            t.category = c;
        }
        if let Some(f) = req.parameter_format {
            t.parameter_format = f;
        }
        t.extra.extend(req.extra);
        (t.name.clone(), t.category.clone())
    };
    let next = if app.config.auto_approve_templates {
        "APPROVED"
    } else {
        "PENDING"
    };
    catalog::set_status(app, id, &TemplateStatusUpdate::new(next))
        .map_err(|e| GraphError::code(131000, e.message))?;
    Ok(json!({ "success": true, "id": id, "name": name, "category": category }))
}
