//! `POST /{v}/{phone_number_id}/messages`: sends and mark-as-read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::validate::{self, SendRequest};
use super::{Params, auth_number, check_version, into_response};
use crate::app::App;
use crate::config::NumberSpec;
use crate::faults::SendFault;
use crate::lifecycle::{self, Outcome};
use crate::ratelimit::TokenBucket;
use crate::state::{OutboundMessage, State as SbState, StatusStep};

pub(crate) async fn send(
    State(app): State<Arc<App>>,
    Path((version, pnid)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let number = match check_version(&version)
        .and_then(|()| auth_number(&app, &headers, &q, &pnid, "post"))
    {
        Ok(n) => n,
        Err(e) => return into_response(Err(e)),
    };
    let result = process(&app, &number, &body).await;
    if let Err(e) = &result {
        *app.lock()
            .counters_mut(&pnid)
            .rejected
            .entry(e.code.to_string())
            .or_default() += 1;
    }
    into_response(result)
}

async fn process(app: &Arc<App>, number: &NumberSpec, body: &[u8]) -> Result<Value, GraphError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::invalid(format!("Request body is not valid JSON: {e}")))?;
    let obj = parsed
        .as_object()
        .ok_or_else(|| GraphError::invalid("Request body must be a JSON object"))?;
    match validate::opt_str(obj, "messaging_product", "messaging_product")? {
        None => {
            return Err(GraphError::param(
                "The parameter messaging_product is required.",
            ));
        }
        Some("whatsapp") => {}
        Some(other) => {
            return Err(GraphError::param(format!(
                "Param messaging_product must be one of {{WHATSAPP}} - got {other:?}."
            )));
        }
    }
    if obj.contains_key("status") {
        return mark_read(app, number, obj);
    }
    let mut req = validate::send_request(obj)?;
    if let Some(user_id) = &req.recipient {
        req.wa_id = app
            .lock()
            .resolve_user_id(&number.phone_number_id, user_id)
            .ok_or_else(|| {
                GraphError::invalid(format!(
                    "Invalid parameter recipient: no WhatsApp user with business-scoped user ID {user_id} for this business"
                ))
            })?;
    }
    let (category, pricing_type) = precheck(app, number, &req)?;

    let fault = {
        let mut st = app.lock();
        let faults = st.faults.clone();
        faults.decide_send(&mut st.rng)
    };
    let mut failure = None;
    let mut hold_then_accept = None;
    match fault {
        SendFault::None => {}
        SendFault::Timeout {
            hold,
            then_accept: true,
        } => hold_then_accept = Some(hold),
        SendFault::Timeout {
            hold,
            then_accept: false,
        } => {
            app.sleep(hold).await;
            return Err(GraphError::code_default(131000));
        }
        SendFault::ServerError(status) => {
            let mut e = GraphError::code(2, "");
            e.message =
                "An unexpected error has occurred. Please retry your request later.".to_owned();
            e.details = None;
            return Err(e.with_http(status));
        }
        SendFault::Error { code, http_status } => {
            let mut e = GraphError::code_default(code);
            e.http = http_status.unwrap_or_else(|| http_for(app, code));
            return Err(e);
        }
        SendFault::AsyncFailure(code) => failure = Some(code),
    }

    let wamid = match hold_then_accept {
        None => accept(app, number, &req, category, pricing_type, failure)?,
        Some(hold) => {
            // Detached so that the message still goes out when the client
            // gives up and the connection (and this handler) is dropped.
            let (app, number, detached) = (Arc::clone(app), number.clone(), req.clone());
            let task = tokio::spawn(async move {
                if !app.sleep(hold).await {
                    return Err(GraphError::code_default(131000));
                }
                accept(&app, &number, &detached, category, pricing_type, failure)
            });
            task.await.map_err(|_| GraphError::code_default(131000))??
        }
    };
    let mut message = json!({ "id": wamid });
    if req.template.is_some() {
        message["message_status"] = json!("accepted");
    }
    // A send addressed by BSUID (`recipient`) names it back as `user_id`.
    let mut contact = json!({ "input": req.to_input, "wa_id": req.wa_id });
    if let Some(u) = &req.recipient {
        contact["user_id"] = json!(u);
    }
    Ok(json!({
        "messaging_product": "whatsapp",
        "contacts": [contact],
        "messages": [message],
    }))
}

fn http_for(app: &App, code: i64) -> u16 {
    match code {
        130429 | 131056 => app.config.throttle_http_status,
        c => super::errors::default_http_status(c),
    }
}

/// Checks that need state but no tokens: sender != recipient, media ids,
/// template existence/status/parameters. Returns (category, pricing type).
fn precheck(
    app: &App,
    number: &NumberSpec,
    req: &SendRequest,
) -> Result<(String, String), GraphError> {
    let st = app.lock();
    let own = st
        .numbers
        .get(&number.phone_number_id)
        .map(|n| n.digits.clone())
        .unwrap_or_default();
    if req.wa_id == own {
        return Err(GraphError::code(131021, "Recipient cannot be sender."));
    }
    if let Some(id) = req.content.get("id").and_then(Value::as_str)
        && req.template.is_none()
        && st.media.get(id).is_none_or(|m| m.waba_id != number.waba_id)
    {
        return Err(GraphError::invalid(format!(
            "Param {}['id'] is not a valid whatsapp business account media attachment ID",
            req.kind
        )));
    }
    let window_open = st.window_open(&number.phone_number_id, &req.wa_id, app.window_secs());
    match &req.template {
        None => Ok(("service".to_owned(), "free_customer_service".to_owned())),
        Some(t) => {
            let category = crate::catalog::check_send(&st, &number.waba_id, t)?.to_lowercase();
            let free = category == "utility" && window_open;
            Ok((
                category,
                if free {
                    "free_customer_service"
                } else {
                    "regular"
                }
                .to_owned(),
            ))
        }
    }
}

/// Rate limits, then records the message and starts its status progression.
fn accept(
    app: &Arc<App>,
    number: &NumberSpec,
    req: &SendRequest,
    category: String,
    pricing_type: String,
    failure: Option<i64>,
) -> Result<String, GraphError> {
    let pnid = &number.phone_number_id;
    let mut st = app.lock();
    take_tokens(app, &mut st, pnid, &req.wa_id)?;
    let window_open = st.window_open(pnid, &req.wa_id, app.window_secs());
    let reachable = st.customer(&req.wa_id).reachable;
    let failure = failure
        .or_else(|| (!reachable).then_some(131026))
        .or_else(|| (req.template.is_none() && !window_open).then_some(131047));
    let wamid = st.new_wamid(&req.wa_id, false);
    let seq = st.current_seq();
    let now = st.now();
    let content = req.content.clone();
    st.insert_outbound(OutboundMessage {
        id: wamid.clone(),
        phone_number_id: pnid.clone(),
        to: req.wa_id.clone(),
        input: req.to_input.clone(),
        kind: req.kind.clone(),
        content,
        context: req.context.clone(),
        biz_opaque_callback_data: req.biz_opaque.clone(),
        category,
        pricing_type,
        status: "accepted".to_owned(),
        statuses: vec![StatusStep {
            status: "accepted".to_owned(),
            timestamp: now,
        }],
        error_code: None,
        accepted_at: now,
        seq,
    });
    let duplicate = req
        .biz_opaque
        .as_ref()
        .is_some_and(|b| !st.callback_seen.insert((pnid.clone(), b.clone())));
    let counters = st.counters_mut(pnid);
    counters.accepted += 1;
    if duplicate {
        counters.duplicate_callback_data += 1;
    }
    drop(st);
    app.outbound_notify.notify_waiters();
    lifecycle::spawn(
        Arc::clone(app),
        wamid.clone(),
        failure.map_or(Outcome::Deliver, Outcome::Fail),
    );
    Ok(wamid)
}

fn take_tokens(app: &App, st: &mut SbState, pnid: &str, wa_id: &str) -> Result<(), GraphError> {
    let allowed = st
        .numbers
        .get_mut(pnid)
        .is_some_and(|n| n.bucket.try_take());
    if !allowed {
        return Err(GraphError::code_default(130429).with_http(app.config.throttle_http_status));
    }
    if let Some(pair) = app.config.pair_rate_limit {
        let bucket = st
            .pair_buckets
            .entry((pnid.to_owned(), wa_id.to_owned()))
            .or_insert_with(|| TokenBucket::with_interval(pair.burst, pair.refill_every));
        if !bucket.try_take() {
            return Err(GraphError::code_default(131056).with_http(app.config.throttle_http_status));
        }
    }
    Ok(())
}

/// `{"messaging_product":"whatsapp","status":"read","message_id":"wamid..."}`.
fn mark_read(
    app: &App,
    number: &NumberSpec,
    obj: &Map<String, Value>,
) -> Result<Value, GraphError> {
    let status = validate::req_str(obj, "status", "status")?;
    if status != "read" {
        return Err(GraphError::param(format!(
            "Param status must be one of {{READ}} - got {status:?}."
        )));
    }
    let id = validate::req_str(obj, "message_id", "message_id")?;
    if let Some(t) = obj.get("typing_indicator") {
        let ok = t.get("type").and_then(Value::as_str) == Some("text");
        if !ok {
            return Err(GraphError::invalid(
                "Param typing_indicator['type'] must be one of {TEXT}",
            ));
        }
    }
    let mut st = app.lock();
    let Some(rec) = st
        .inbound
        .get_mut(id)
        .filter(|r| r.phone_number_id == number.phone_number_id)
    else {
        return Err(GraphError::invalid(format!(
            "Invalid parameter message_id: message {id} not found"
        )));
    };
    // Marking one message read marks all earlier ones in the chat read too.
    let (from, ts) = (rec.from.clone(), rec.timestamp);
    let mut newly = 0;
    for r in st.inbound.values_mut() {
        if r.phone_number_id == number.phone_number_id
            && r.from == from
            && r.timestamp <= ts
            && !r.read
        {
            r.read = true;
            newly += 1;
        }
    }
    st.counters_mut(&number.phone_number_id).marked_read += newly;
    Ok(json!({ "success": true }))
}
