//! WABA node (`GET /{v}/{waba_id}?fields=`) and its `subscribed_apps` edge.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::fields::{NodeType, select};
use super::{Params, auth_waba, check_version, into_response};
use crate::app::App;

/// Fields Meta answers when `fields=` is absent.
const DEFAULT_FIELDS: &[&str] = &[
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
];

/// Fields documented on Meta's `WhatsAppBusinessAccount` node.
const NODE: NodeType = NodeType {
    name: "WhatsAppBusinessAccount",
    documented: &[
        "id",
        "account_review_status",
        "analytics",
        "auth_international_rate_eligibility",
        "business_verification_status",
        "country",
        "currency",
        "disable_marketing_messages_on_cloud_api",
        "health_status",
        "is_enabled_for_insights",
        "is_shared_with_partners",
        "marketing_messages_lite_api_status",
        "marketing_messages_onboarding_status",
        "message_template_namespace",
        "name",
        "on_behalf_of_business_info",
        "owner_business_info",
        "ownership_type",
        "primary_funding_id",
        "purchase_order_number",
        "status",
        "subscribed_apps",
        "timezone_id",
    ],
};

/// The app the sandbox pretends every WABA is subscribed to.
fn sandbox_app() -> Value {
    json!({
        "id": "1000000000000001",
        "name": "Switchboard Sandbox",
        "link": "https://www.facebook.com/games/?app_id=1000000000000001",
    })
}

/// Every WABA field the sandbox has a value for, in Meta's shapes.
fn all_fields(id: &str) -> Map<String, Value> {
    let business = json!({ "id": "1000000000000002", "name": "Switchboard Sandbox Business" });
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("id", json!(id));
    put("name", json!("Switchboard Sandbox WABA"));
    put("currency", json!("USD"));
    put("timezone_id", json!("1"));
    put("message_template_namespace", json!(format!("sandbox_{id}")));
    put("status", json!("ACTIVE"));
    put("account_review_status", json!("APPROVED"));
    put("business_verification_status", json!("verified"));
    put("country", json!("US"));
    put("ownership_type", json!("SELF"));
    put("is_enabled_for_insights", json!(true));
    put("is_shared_with_partners", json!(false));
    put("disable_marketing_messages_on_cloud_api", json!(false));
    put("marketing_messages_lite_api_status", json!("INELIGIBLE"));
    put("owner_business_info", business);
    put(
        "health_status",
        json!({ "can_send_message": "AVAILABLE", "entities": [
            { "entity_type": "WABA", "id": id, "can_send_message": "AVAILABLE" }] }),
    );
    put(
        "subscribed_apps",
        json!({ "data": [{ "whatsapp_business_api_data": sandbox_app() }] }),
    );
    m
}

/// `GET /{v}/{waba_id}` (auth already checked).
pub(crate) fn info(id: &str, q: &Params) -> Result<Value, GraphError> {
    select(
        &all_fields(id),
        &NODE,
        q.get("fields").map(String::as_str),
        DEFAULT_FIELDS,
    )
}

/// `POST /{v}/{waba_id}/subscribed_apps` -> `{"success":true}`.
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

/// `GET /{v}/{waba_id}/subscribed_apps`.
pub(crate) async fn subscribed_apps(
    State(app): State<Arc<App>>,
    Path((version, waba)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = check_version(&version)
        .and_then(|()| auth_waba(&app, &headers, &q, &waba, "get"))
        .map(|()| json!({ "data": [{ "whatsapp_business_api_data": sandbox_app() }] }));
    into_response(r)
}
