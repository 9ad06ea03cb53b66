//! The `call_http` step: a request to an integrator's endpoint, signed
//! like outbound webhooks (`Switchboard-Signature`, with the workflow's
//! own secret) and under the same address rules (the webhook client's
//! resolver refuses private and reserved addresses as it connects).
//!
//! The request is made with no transaction open ([`super::run`] reads
//! what it needs, lets go of the run, calls, then takes the run again to
//! record the answer). A crash between the answer and that record repeats
//! the call, so each carries `Idempotency-Key: <run id>:<step>`, the same
//! for every attempt of that step of that run.

use super::definition::HttpMethod;
use crate::error::{AppError, AppResult};
use crate::hooks::{deliver, signature, ssrf};
use crate::state::AppState;
use domain::Timestamp;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use store::TenantTx;
use store::workflows::WorkflowRun;

/// Bytes of an answer read, at most; the rest is not read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A request ready to go.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub method: HttpMethod,
    /// JSON, for every method but `GET`.
    pub body: String,
    /// The workflow's signing secret, opened.
    pub secret: String,
    pub idempotency_key: String,
}

/// What came back: the status and the body read as JSON (`null` when it
/// is not).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub json: Value,
}

/// The request of `call_http` at `pc` of `run`: `body`, or by default what
/// the run is about (its ids and its contact).
pub async fn prepare(
    state: &AppState,
    tx: &mut TenantTx,
    run: &WorkflowRun,
    pc: usize,
    url: &str,
    method: HttpMethod,
    body: Option<&Value>,
) -> AppResult<Request> {
    let sealed = tx.workflow_secrets(run.workflow_id).await?.secret_sealed;
    let secret = sealed
        .and_then(|s| state.secrets.open_str(&s).ok())
        .ok_or_else(|| {
            AppError::Rule(
                "no_signing_secret",
                "the workflow has no signing secret: save it again to make one".into(),
            )
        })?;
    let body = match body {
        Some(b) => b.clone(),
        None => about(tx, run).await?,
    };
    Ok(Request {
        url: url.to_owned(),
        method,
        body: body.to_string(),
        secret,
        idempotency_key: format!("{}:{pc}", run.id),
    })
}

/// The default body: the run, its trigger and its contact.
async fn about(tx: &mut TenantTx, run: &WorkflowRun) -> AppResult<Value> {
    let contact = match run.contact_id {
        Some(id) => {
            let c = tx.find_contact(id).await?;
            serde_json::json!({
                "id": c.id,
                "name": c.name,
                "wa_id": c.wa_id,
                "attributes": c.attributes,
            })
        }
        None => Value::Null,
    };
    Ok(serde_json::json!({
        "workflow_id": run.workflow_id,
        "run_id": run.id,
        "trigger_event": run.trigger_event,
        "trigger_event_id": run.trigger_event_id,
        "conversation_id": run.conversation_id,
        "message_id": run.message_id,
        "contact": contact,
    }))
}

/// Makes the request; a refusal (`code`, `reason`) when it could not be
/// made or the answer is not a 2xx.
pub async fn send(state: &AppState, r: &Request, now: Timestamp) -> AppResult<Answer> {
    let refused = |reason: String| AppError::Rule("http_call_failed", reason);
    let url = url::Url::parse(&r.url).map_err(|e| refused(format!("invalid URL: {e}")))?;
    if !state.config.webhooks.allow_private && ssrf::literal_is_forbidden(&url) {
        return Err(refused(
            "the URL names an address automations may not reach".into(),
        ));
    }
    let t = now.as_unix_seconds();
    let signed = signature::header(&[r.secret.as_str()], t, r.body.as_bytes());
    let mut headers = HeaderMap::new();
    let own = [
        (CONTENT_TYPE, "application/json".to_owned()),
        (USER_AGENT, "Switchboard-Automations/1".to_owned()),
        (HeaderName::from_static("switchboard-signature"), signed),
        (
            HeaderName::from_static("idempotency-key"),
            r.idempotency_key.clone(),
        ),
    ];
    for (k, v) in own {
        let v = HeaderValue::from_str(&v).map_err(|e| refused(e.to_string()))?;
        headers.insert(k, v);
    }
    let client = &state.hooks.client;
    let request = match r.method {
        HttpMethod::Get => client.get(url),
        HttpMethod::Post => client.post(url).body(r.body.clone()),
        HttpMethod::Put => client.put(url).body(r.body.clone()),
    };
    let mut response = request
        .headers(headers)
        .send()
        .await
        .map_err(|e| refused(deliver::describe(e)))?;
    let status = response.status().as_u16();
    let mut kept = Vec::new();
    while kept.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    if !(200..300).contains(&status) {
        return Err(refused(format!("the endpoint answered HTTP {status}")));
    }
    Ok(Answer {
        status,
        json: serde_json::from_slice(&kept).unwrap_or(Value::Null),
    })
}

/// The attribute values `save` picks from `answer` (keys whose pointer
/// finds nothing are left out; an empty pointer is the whole answer).
pub fn saved(answer: &Value, save: &BTreeMap<String, String>) -> Map<String, Value> {
    save.iter()
        .filter_map(|(key, pointer)| {
            let v = answer.pointer(pointer)?;
            (!v.is_null()).then(|| (key.clone(), v.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saved_picks_pointers_and_skips_what_is_missing() {
        let answer =
            json!({"order": {"status": "shipped", "items": [{"sku": "A1"}]}, "none": null});
        let save: BTreeMap<String, String> = [
            ("status", "/order/status"),
            ("first_sku", "/order/items/0/sku"),
            ("missing", "/order/eta"),
            ("nothing", "/none"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let got = saved(&answer, &save);
        assert_eq!(got.len(), 2);
        assert_eq!(got["status"], "shipped");
        assert_eq!(got["first_sku"], "A1");
    }
}
