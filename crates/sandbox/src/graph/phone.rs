//! Phone-number node (`GET /{v}/{phone_number_id}?fields=`), WABA number list,
//! register, subscribed_apps and WABA info.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::{Params, auth_number, auth_waba, check_version, into_response};
use crate::app::App;
use crate::config::DEFAULT_RATE_LIMIT;
use crate::state::Number;

const DEFAULT_FIELDS: &[&str] = &[
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
];

fn all_fields(n: &Number) -> Map<String, Value> {
    let level = if n.rate_limit > DEFAULT_RATE_LIMIT {
        "HIGH"
    } else {
        "STANDARD"
    };
    let mut m = Map::new();
    m.insert("verified_name".into(), json!(n.spec.verified_name));
    m.insert(
        "display_phone_number".into(),
        json!(n.spec.display_phone_number),
    );
    m.insert("quality_rating".into(), json!("GREEN"));
    m.insert("code_verification_status".into(), json!("VERIFIED"));
    m.insert("platform_type".into(), json!("CLOUD_API"));
    m.insert("throughput".into(), json!({ "level": level }));
    m.insert("name_status".into(), json!("APPROVED"));
    m.insert("messaging_limit_tier".into(), json!("TIER_UNLIMITED"));
    m.insert(
        "whatsapp_business_manager_messaging_limit".into(),
        json!("TIER_UNLIMITED"),
    );
    m.insert("status".into(), json!("CONNECTED"));
    m.insert("account_mode".into(), json!("LIVE"));
    m.insert("is_official_business_account".into(), json!(false));
    m.insert("id".into(), json!(n.spec.phone_number_id));
    m
}

/// Selects `fields` (comma-separated) or the default set; unknown field -> 100.
fn select(n: &Number, fields: Option<&str>) -> Result<Value, GraphError> {
    let all = all_fields(n);
    let wanted: Vec<&str> = match fields.filter(|f| !f.trim().is_empty()) {
        Some(f) => f
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        None => DEFAULT_FIELDS.to_vec(),
    };
    let mut out = Map::new();
    for f in wanted {
        let v = all.get(f).ok_or_else(|| {
            GraphError::param(format!(
                "Tried accessing nonexisting field ({f}) on node type (WhatsAppBusinessPhoneNumber)"
            ))
        })?;
        out.insert(f.to_owned(), v.clone());
    }
    out.insert("id".into(), json!(n.spec.phone_number_id));
    Ok(Value::Object(out))
}

/// `GET /{v}/{phone_number_id}`.
pub(crate) fn info(
    app: &App,
    headers: &HeaderMap,
    q: &Params,
    id: &str,
) -> Result<Value, GraphError> {
    auth_number(app, headers, q, id, "get")?;
    let st = app.lock();
    let n = st
        .numbers
        .get(id)
        .ok_or_else(|| GraphError::no_object(id, "get"))?;
    select(n, q.get("fields").map(String::as_str))
}

/// `GET /{v}/{waba_id}` (auth already checked).
pub(crate) fn waba_info(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Switchboard Sandbox WABA",
        "currency": "USD",
        "timezone_id": "1",
        "message_template_namespace": format!("sandbox_{id}"),
    })
}

pub(crate) async fn list_numbers(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        auth_waba(&app, &headers, &q, &waba, "get")?;
        let st = app.lock();
        let data = st
            .numbers
            .values()
            .filter(|n| n.spec.waba_id == waba)
            .map(|n| select(n, q.get("fields").map(String::as_str)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(
            json!({ "data": data, "paging": { "cursors": { "before": "QVFIUmJl", "after": "QVFIUmFm" } } }),
        )
    })();
    into_response(r)
}

/// `POST /{v}/{phone_number_id}/register` -> `{"success":true}`.
pub(crate) async fn register(
    State(app): State<Arc<App>>,
    Path((version, pnid)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = check_version(&version)
        .and_then(|()| auth_number(&app, &headers, &q, &pnid, "post"))
        .map(|_| json!({ "success": true }));
    into_response(r)
}

pub(crate) async fn subscribe(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = check_version(&version)
        .and_then(|()| auth_waba(&app, &headers, &q, &waba, "post"))
        .map(|()| json!({ "success": true }));
    into_response(r)
}

pub(crate) async fn subscribed_apps(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = check_version(&version).and_then(|()| auth_waba(&app, &headers, &q, &waba, "get")).map(|()| {
        json!({ "data": [{ "whatsapp_business_api_data": { "id": "1000000000000001", "name": "Switchboard Sandbox" } }] })
    });
    into_response(r)
}
