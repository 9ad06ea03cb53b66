//! `GET /{v}/{waba_id}/message_templates`: filters, cursor paging, `summary=`,
//! and the template JSON (honouring `fields=`) shared with the get-one call.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::fields::{NodeType, select};
use super::{Params, auth_waba, check_version, into_response};
use crate::app::App;
use crate::catalog::{CATEGORIES, TEMPLATE_STATUSES};
use crate::state::Template;

/// Fields documented on Meta's message-template node.
const NODE: NodeType = NodeType {
    name: "WhatsAppBusinessHSM",
    documented: &[
        "id",
        "name",
        "language",
        "status",
        "category",
        "components",
        "parameter_format",
        "rejected_reason",
        "quality_score",
        "message_send_ttl_seconds",
        "correct_category",
        "previous_category",
        "library_template_name",
        "cta_url_link_tracking_opted_out",
        "sub_category",
        "degrees_of_freedom_spec",
    ],
};

/// Fields answered without `fields=`.
const DEFAULT_FIELDS: &[&str] = &[
    "id",
    "name",
    "language",
    "status",
    "category",
    "components",
    "parameter_format",
    "sub_category",
    "previous_category",
    "message_send_ttl_seconds",
];

/// Meta's default WABA template limit (unverified businesses).
const TEMPLATE_LIMIT: usize = 250;

/// Template JSON as the management API returns it, filtered by `fields`.
pub(crate) fn template_json(
    t: &Template,
    fields: Option<&str>,
    now: i64,
) -> Result<Value, GraphError> {
    let mut all = Map::new();
    all.insert("id".into(), json!(t.id));
    all.insert("name".into(), json!(t.name));
    all.insert("language".into(), json!(t.language));
    all.insert("status".into(), json!(t.status));
    all.insert("category".into(), json!(t.category));
    all.insert("components".into(), t.components.clone());
    all.insert("parameter_format".into(), json!(t.parameter_format));
    all.insert("rejected_reason".into(), json!(t.rejected_reason));
    all.insert(
        "quality_score".into(),
        json!({ "score": "UNKNOWN", "date": now }),
    );
    for (k, v) in &t.extra {
        all.insert(k.clone(), v.clone());
    }
    select(&all, &NODE, fields, DEFAULT_FIELDS)
}

/// A comma-separated filter value (`status=APPROVED,PENDING`), upper-cased.
fn list_filter(q: &Params, key: &str) -> Option<Vec<String>> {
    q.get(key).filter(|v| !v.trim().is_empty()).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Refuses enum filters with values Meta does not know.
fn check_filter(
    key: &str,
    values: Option<&Vec<String>>,
    allowed: &[&str],
) -> Result<(), GraphError> {
    for v in values.into_iter().flatten() {
        if !allowed.contains(&v.as_str()) {
            return Err(GraphError::param(format!(
                "Param {key} must be one of {{{}}} - got {v:?}.",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// All text of a template's components (for `content=` filters).
fn content_text(t: &Template) -> String {
    t.components
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase()
}

/// The filters Meta documents on this edge.
struct Filters {
    status: Option<Vec<String>>,
    category: Option<Vec<String>>,
    language: Option<Vec<String>>,
    quality_score: Option<Vec<String>>,
    name: Option<String>,
    content: Option<String>,
    name_or_content: Option<String>,
}

impl Filters {
    fn parse(q: &Params) -> Result<Self, GraphError> {
        let text = |k: &str| q.get(k).map(|v| v.to_lowercase()).filter(|v| !v.is_empty());
        let f = Self {
            status: list_filter(q, "status"),
            category: list_filter(q, "category"),
            language: list_filter(q, "language"),
            quality_score: list_filter(q, "quality_score"),
            name: text("name"),
            content: text("content"),
            name_or_content: text("name_or_content"),
        };
        check_filter("status", f.status.as_ref(), TEMPLATE_STATUSES)?;
        check_filter("category", f.category.as_ref(), CATEGORIES)?;
        check_filter(
            "quality_score",
            f.quality_score.as_ref(),
            &["GREEN", "YELLOW", "RED", "UNKNOWN"],
        )?;
        Ok(f)
    }

    /// Names match on a substring (Meta: "the name or part of it").
    fn matches(&self, t: &Template) -> bool {
        let within = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref()
                .is_none_or(|l| l.iter().any(|x| x.eq_ignore_ascii_case(v)))
        };
        let name = t.name.to_lowercase();
        let content = content_text(t);
        within(&self.status, &t.status)
            && within(&self.category, &t.category)
            && within(&self.language, &t.language)
            && within(&self.quality_score, "UNKNOWN")
            && self.name.as_ref().is_none_or(|n| name.contains(n.as_str()))
            && self
                .content
                .as_ref()
                .is_none_or(|c| content.contains(c.as_str()))
            && self
                .name_or_content
                .as_ref()
                .is_none_or(|s| name.contains(s.as_str()) || content.contains(s.as_str()))
    }
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

/// A paging link that repeats the original query (fields, filters, limit,
/// summary) with a new cursor, as Graph does.
fn page_link(base: &str, q: &Params, cursor_key: &str, cursor_value: &str) -> String {
    let mut keys: Vec<&String> = q
        .keys()
        .filter(|k| !matches!(k.as_str(), "after" | "before" | "access_token"))
        .collect();
    keys.sort();
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for k in keys {
        ser.append_pair(k, q.get(k).map(String::as_str).unwrap_or_default());
    }
    ser.append_pair(cursor_key, cursor_value);
    format!("{base}?{}", ser.finish())
}

/// `summary=total_count,message_template_count,...` (or `summary=true`).
fn summary(q: &Params, total: usize, in_waba: usize) -> Option<Value> {
    let wanted = q.get("summary").filter(|s| !s.trim().is_empty())?;
    let mut out = Map::new();
    for key in wanted.split(',').map(str::trim) {
        let v = match key {
            "true" | "total_count" => ("total_count", json!(total)),
            "message_template_count" => (key, json!(in_waba)),
            "message_template_limit" => (key, json!(TEMPLATE_LIMIT)),
            "are_translations_complete" => (key, json!(true)),
            _ => continue,
        };
        out.insert(v.0.to_owned(), v.1);
    }
    Some(Value::Object(out))
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
        let filters = Filters::parse(&q)?;
        let st = app.lock();
        let in_waba: Vec<&Template> = st
            .templates
            .values()
            .filter(|t| t.waba_id == waba)
            .collect();
        let all: Vec<&Template> = in_waba
            .iter()
            .copied()
            .filter(|t| filters.matches(t))
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
        let now = st.now();
        let data = all
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .map(|t| template_json(t, q.get("fields").map(String::as_str), now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut body = json!({ "data": data });
        if end > start {
            let base = format!("{}/{version}/{waba}/message_templates", app.base_url);
            let mut paging =
                json!({ "cursors": { "before": cursor(start), "after": cursor(end - 1) } });
            if end < all.len() {
                paging["next"] = json!(page_link(&base, &q, "after", &cursor(end - 1)));
            }
            if start > 0 {
                paging["previous"] = json!(page_link(&base, &q, "before", &cursor(start)));
            }
            body["paging"] = paging;
        }
        if let Some(s) = summary(&q, all.len(), in_waba.len()) {
            body["summary"] = s;
        }
        Ok(body)
    })();
    into_response(r)
}
