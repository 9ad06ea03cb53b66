//! The control API under `/_sandbox/` (a prefix Meta never uses): customers,
//! numbers, templates, faults, clock, webhooks and counters.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{App, OpError};
use crate::catalog::{self, TemplateSpec, TemplateStatusUpdate};
use crate::config::{NumberSpec, digits};
use crate::customer::{self, InboundMessage};
use crate::faults::Faults;
use crate::lifecycle;
use crate::script::{self, Script};
use crate::state::{Counters, CustomerProfile, UserIdMode};

type Q = Query<HashMap<String, String>>;
type Shared = State<Arc<App>>;

pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/_sandbox/health",
            get(|| async { Json(json!({ "ok": true })) }),
        )
        .route("/_sandbox/numbers", get(numbers).post(add_number))
        .route(
            "/_sandbox/webhook",
            get(get_webhook).put(set_webhook).post(set_webhook),
        )
        .route("/_sandbox/webhook/pause", post(pause))
        .route("/_sandbox/webhook/resume", post(resume))
        .route("/_sandbox/webhooks", get(webhook_log))
        .route(
            "/_sandbox/faults",
            get(get_faults).put(set_faults).post(set_faults),
        )
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance_clock))
        .route("/_sandbox/inbound", post(inbound))
        .route(
            "/_sandbox/customers/{wa_id}",
            put(set_customer).get(get_customer),
        )
        .route(
            "/_sandbox/customers/{wa_id}/messages",
            get(customer_messages),
        )
        .route("/_sandbox/customers/{wa_id}/read", post(customer_read))
        .route("/_sandbox/customers/{wa_id}/user_id", get(customer_user_id))
        .route("/_sandbox/messages", get(messages))
        .route("/_sandbox/messages/{*wamid}", get(message))
        .route("/_sandbox/scripts", post(run_script))
        .route("/_sandbox/templates", get(templates).post(add_template))
        .route("/_sandbox/templates/{id}/status", post(template_status))
        .route("/_sandbox/errors", post(system_error))
        .route("/_sandbox/counters", get(counters))
        .route("/_sandbox/counters/reset", post(reset_counters))
}

/// JSON body extractor whose rejection is a JSON `{"error": ...}` 400.
pub(crate) struct Body<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = OpError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| OpError::bad_request(e.to_string()))?;
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| OpError::bad_request(format!("invalid body: {e}")))
    }
}

async fn numbers(State(app): Shared) -> Json<Value> {
    let st = app.lock();
    let list: Vec<Value> = st
        .numbers
        .values()
        .map(|n| {
            let mut v = serde_json::to_value(&n.spec).unwrap_or(Value::Null);
            v["rate_limit"] = json!(n.rate_limit);
            v
        })
        .collect();
    Json(json!({ "numbers": list }))
}

pub(crate) fn add_number_op(app: &App, spec: NumberSpec) -> Result<(), OpError> {
    spec.validate()
        .map_err(|e| OpError::bad_request(e.to_string()))?;
    let default_rate = app.config.default_rate_limit;
    app.lock().add_number(spec, default_rate);
    Ok(())
}

async fn add_number(State(app): Shared, Body(spec): Body<NumberSpec>) -> Result<Response, OpError> {
    add_number_op(&app, spec.clone())?;
    Ok((StatusCode::CREATED, Json(spec)).into_response())
}

#[derive(Deserialize)]
struct WebhookTarget {
    url: Option<String>,
    app_secret: Option<String>,
}

async fn get_webhook(State(app): Shared) -> Json<Value> {
    let st = app.lock();
    Json(json!({ "url": st.webhook_url, "paused": *app.paused.borrow() }))
}

async fn set_webhook(
    State(app): Shared,
    Body(t): Body<WebhookTarget>,
) -> Result<Json<Value>, OpError> {
    if let Some(u) = &t.url {
        url::Url::parse(u).map_err(|e| OpError::bad_request(format!("url: {e}")))?;
    }
    let mut st = app.lock();
    st.webhook_url = t.url.clone();
    if let Some(s) = t.app_secret {
        st.app_secret = s;
    }
    Ok(Json(json!({ "url": t.url })))
}

async fn pause(State(app): Shared) -> Json<Value> {
    app.paused.send_replace(true);
    Json(json!({ "paused": true }))
}

async fn resume(State(app): Shared) -> Json<Value> {
    app.paused.send_replace(false);
    Json(json!({ "paused": false }))
}

async fn webhook_log(State(app): Shared, Query(q): Q) -> Json<Value> {
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    let st = app.lock();
    let skip = st.webhook_log.len().saturating_sub(limit);
    let list: Vec<_> = st.webhook_log.iter().skip(skip).cloned().collect();
    Json(json!({ "webhooks": list }))
}

async fn get_faults(State(app): Shared) -> Json<Faults> {
    Json(app.lock().faults.clone())
}

pub(crate) fn set_faults_op(app: &App, faults: Faults) -> Result<(), OpError> {
    faults.validate().map_err(OpError::bad_request)?;
    let mut st = app.lock();
    if let Some(seed) = faults.seed {
        use rand::SeedableRng;
        st.rng = rand::rngs::StdRng::seed_from_u64(seed);
        st.webhook_rng = rand::rngs::StdRng::seed_from_u64(seed.wrapping_add(1));
    }
    st.faults = faults;
    Ok(())
}

async fn set_faults(
    State(app): Shared,
    Body(faults): Body<Faults>,
) -> Result<Json<Faults>, OpError> {
    set_faults_op(&app, faults.clone())?;
    Ok(Json(faults))
}

async fn clock(State(app): Shared) -> Json<Value> {
    let st = app.lock();
    Json(json!({ "now": st.now(), "offset_seconds": st.clock_offset }))
}

pub(crate) fn advance_clock_op(app: &App, by: Duration) -> i64 {
    let mut st = app.lock();
    st.clock_offset = st
        .clock_offset
        .saturating_add(i64::try_from(by.as_secs()).unwrap_or(i64::MAX));
    st.now()
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(app): Shared, Body(a): Body<Advance>) -> Json<Value> {
    Json(json!({ "now": advance_clock_op(&app, Duration::from_secs(a.seconds)) }))
}

async fn inbound(
    State(app): Shared,
    Body(msg): Body<InboundMessage>,
) -> Result<Json<Value>, OpError> {
    let receipt = customer::receive(&app, msg)?;
    Ok(Json(json!(receipt)))
}

/// Body: [`CustomerProfile`] plus an optional `user_id` (BSUID): a string
/// fixes it, `null` gives the customer none (pre-BSUID payloads), leaving it
/// out derives one.
async fn set_customer(
    State(app): Shared,
    Path(wa_id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<CustomerProfile>, OpError> {
    let mode = match body.get("user_id") {
        None => UserIdMode::Derived,
        Some(Value::Null) => UserIdMode::Absent,
        Some(Value::String(id)) if !id.is_empty() => UserIdMode::Fixed(id.clone()),
        Some(_) => {
            return Err(OpError::bad_request(
                "user_id must be a non-empty string or null",
            ));
        }
    };
    let profile: CustomerProfile = serde_json::from_value(body)
        .map_err(|e| OpError::bad_request(format!("invalid body: {e}")))?;
    let wa_id = digits(&wa_id);
    let mut st = app.lock();
    st.customers.insert(wa_id.clone(), profile.clone());
    st.user_id_modes.insert(wa_id, mode);
    Ok(Json(profile))
}

/// `?phone_number_id=` -> `{"user_id": "US.…"}` (`null`: none).
async fn customer_user_id(
    State(app): Shared,
    Path(wa_id): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, OpError> {
    let pnid = q
        .get("phone_number_id")
        .ok_or_else(|| OpError::bad_request("phone_number_id is required"))?;
    let user_id = app.lock().user_id(pnid, &digits(&wa_id));
    Ok(Json(json!({ "user_id": user_id })))
}

async fn get_customer(State(app): Shared, Path(wa_id): Path<String>) -> Json<CustomerProfile> {
    Json(app.lock().customer(&digits(&wa_id)))
}

async fn customer_messages(
    State(app): Shared,
    Path(wa_id): Path<String>,
    Query(q): Q,
) -> Json<Value> {
    let list = app.lock().outbound_for(
        q.get("phone_number_id").map(String::as_str),
        Some(&digits(&wa_id)),
    );
    Json(json!({ "messages": list }))
}

#[derive(Deserialize)]
struct ReadReq {
    phone_number_id: String,
    #[serde(default)]
    message_id: Option<String>,
}

async fn customer_read(
    State(app): Shared,
    Path(wa_id): Path<String>,
    Body(r): Body<ReadReq>,
) -> Json<Value> {
    let n = lifecycle::customer_read(
        &app,
        &r.phone_number_id,
        &digits(&wa_id),
        r.message_id.as_deref(),
    );
    Json(json!({ "read": n }))
}

async fn messages(State(app): Shared, Query(q): Q) -> Json<Value> {
    let to = q.get("to").map(|t| digits(t));
    let list = app
        .lock()
        .outbound_for(q.get("phone_number_id").map(String::as_str), to.as_deref());
    Json(json!({ "messages": list }))
}

async fn message(State(app): Shared, Path(wamid): Path<String>) -> Result<Json<Value>, OpError> {
    let st = app.lock();
    if let Some(m) = st.outbound.get(&wamid) {
        return Ok(Json(json!(m)));
    }
    if let Some(m) = st.inbound.get(&wamid) {
        return Ok(Json(json!(m)));
    }
    Err(OpError::not_found(format!("unknown message {wamid}")))
}

async fn run_script(State(app): Shared, Body(s): Body<Script>) -> Result<Json<Value>, OpError> {
    Ok(Json(json!(script::run(&app, s).await?)))
}

async fn templates(State(app): Shared, Query(q): Q) -> Json<Value> {
    let st = app.lock();
    let waba = q.get("waba_id");
    let list: Vec<_> = st
        .templates
        .values()
        .filter(|t| waba.is_none_or(|w| &t.waba_id == w))
        .cloned()
        .collect();
    Json(json!({ "templates": list }))
}

async fn add_template(
    State(app): Shared,
    Body(spec): Body<TemplateSpec>,
) -> Result<Response, OpError> {
    let t = catalog::add(&app, spec)?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

async fn template_status(
    State(app): Shared,
    Path(id): Path<String>,
    Body(u): Body<TemplateStatusUpdate>,
) -> Result<Json<Value>, OpError> {
    Ok(Json(json!(catalog::set_status(&app, &id, &u)?)))
}

#[derive(Deserialize)]
struct SystemError {
    phone_number_id: String,
    code: i64,
    #[serde(default)]
    details: Option<String>,
}

async fn system_error(
    State(app): Shared,
    Body(e): Body<SystemError>,
) -> Result<Json<Value>, OpError> {
    customer::system_error(&app, &e.phone_number_id, e.code, e.details.as_deref())?;
    Ok(Json(json!({ "success": true })))
}

async fn counters(State(app): Shared) -> Json<Counters> {
    Json(app.lock().counters.clone())
}

pub(crate) fn reset_counters_op(app: &App) {
    let mut st = app.lock();
    let numbers: Vec<String> = st.numbers.keys().cloned().collect();
    st.counters = Counters::default();
    st.callback_seen.clear();
    for n in numbers {
        st.counters_mut(&n);
    }
}

async fn reset_counters(State(app): Shared) -> Json<Counters> {
    reset_counters_op(&app);
    Json(app.lock().counters.clone())
}
