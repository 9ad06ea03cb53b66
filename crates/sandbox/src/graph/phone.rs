//! Phone-number node (`GET /{v}/{phone_number_id}?fields=`), the WABA's
//! `phone_numbers` edge and register.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::fields::{NodeType, select};
use super::{Params, auth_number, auth_waba, check_version, into_response};
use crate::app::App;
use crate::config::DEFAULT_RATE_LIMIT;
use crate::state::Number;

/// Fields Meta answers when `fields=` is absent.
const DEFAULT_FIELDS: &[&str] = &[
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "last_onboarded_time",
    "webhook_configuration",
    "id",
];

/// Fields documented on Meta's `WhatsAppBusinessPhoneNumber` node.
const NODE: NodeType = NodeType {
    name: "WhatsAppBusinessPhoneNumber",
    documented: &[
        "id",
        "account_mode",
        "certificate",
        "code_verification_status",
        "conversational_automation",
        "country_code",
        "country_dial_code",
        "display_phone_number",
        "eligibility_for_api_business_global_search",
        "health_status",
        "is_official_business_account",
        "is_on_biz_app",
        "is_pin_enabled",
        "is_preverified_number",
        "last_onboarded_time",
        "messaging_limit_tier",
        "name_status",
        "new_certificate",
        "new_display_name",
        "new_name_status",
        "official_business_account",
        "platform_type",
        "quality_rating",
        "quality_score",
        "search_visibility",
        "status",
        "throughput",
        "verified_name",
        "webhook_configuration",
        "whatsapp_business_manager_messaging_limit",
    ],
};

/// Every field the sandbox has a value for, in Meta's shapes.
fn all_fields(n: &Number, webhook_url: Option<&str>) -> Map<String, Value> {
    let id = &n.spec.phone_number_id;
    let level = if n.rate_limit > DEFAULT_RATE_LIMIT {
        "HIGH"
    } else {
        "STANDARD"
    };
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("id", json!(id));
    put("verified_name", json!(n.spec.verified_name));
    put("display_phone_number", json!(n.spec.display_phone_number));
    put("quality_rating", json!("GREEN"));
    put("quality_score", json!({ "score": "GREEN" }));
    put("code_verification_status", json!("VERIFIED"));
    put("platform_type", json!("CLOUD_API"));
    put("throughput", json!({ "level": level }));
    put("name_status", json!("APPROVED"));
    put("new_name_status", json!("NONE"));
    put("messaging_limit_tier", json!("TIER_UNLIMITED"));
    put(
        "whatsapp_business_manager_messaging_limit",
        json!("TIER_UNLIMITED"),
    );
    put("status", json!("CONNECTED"));
    put("account_mode", json!("LIVE"));
    put("is_official_business_account", json!(false));
    put("is_on_biz_app", json!(false));
    put("is_pin_enabled", json!(false));
    put("is_preverified_number", json!(false));
    put("search_visibility", json!("VISIBLE"));
    put("last_onboarded_time", json!(graph_time(n.onboarded_at)));
    put("health_status", health_status(id, &n.spec.waba_id));
    put(
        "conversational_automation",
        json!({ "id": id, "enable_welcome_message": false, "prompts": [], "commands": [] }),
    );
    if let Some(url) = webhook_url {
        put("webhook_configuration", json!({ "application": url }));
    }
    m
}

/// `health_status`: the number and its WABA can both send.
fn health_status(phone_number_id: &str, waba_id: &str) -> Value {
    json!({
        "can_send_message": "AVAILABLE",
        "entities": [
            { "entity_type": "PHONE_NUMBER", "id": phone_number_id, "can_send_message": "AVAILABLE" },
            { "entity_type": "WABA", "id": waba_id, "can_send_message": "AVAILABLE" },
        ],
    })
}

/// Graph's datetime format, e.g. `2024-05-01T09:30:00+0000`.
pub(crate) fn graph_time(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}+0000",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 -> (year, month, day) (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Selects `fields` (comma-separated) or the default set.
fn select_number(
    n: &Number,
    webhook_url: Option<&str>,
    fields: Option<&str>,
) -> Result<Value, GraphError> {
    select(&all_fields(n, webhook_url), &NODE, fields, DEFAULT_FIELDS)
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
    select_number(
        n,
        st.webhook_url.as_deref(),
        q.get("fields").map(String::as_str),
    )
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
            .map(|n| {
                select_number(
                    n,
                    st.webhook_url.as_deref(),
                    q.get("fields").map(String::as_str),
                )
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_time_formats_like_meta() {
        assert_eq!(graph_time(0), "1970-01-01T00:00:00+0000");
        assert_eq!(graph_time(1_709_251_199), "2024-02-29T23:59:59+0000");
        assert_eq!(graph_time(1_735_689_600), "2025-01-01T00:00:00+0000");
    }
}
