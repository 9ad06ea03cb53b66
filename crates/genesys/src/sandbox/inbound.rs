//! The inbound routes (`POST /api/v2/conversations/messages/{integration}/
//! inbound/open/{message,receipt,event}`): Genesys' validation and answers,
//! conversation assignment, de-duplication on `channel.messageId`, fetching
//! of attachment URLs, and the optional auto-reply.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::state::{Shared, bad_request, not_found};
use super::{Fetched, RecordedEvent, RecordedInbound, RecordedReceipt, agent};
use crate::wire;

const ID_TYPES: &[&str] = &["Phone", "Email", "Opaque"];
const MEDIA_TYPES: &[&str] = &["Image", "Video", "Audio", "File"];
const RECEIPT_STATUSES: &[&str] = &[
    "Delivered",
    "Failed",
    "Read",
    "Sent",
    "Published",
    "Removed",
];
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// `POST …/{integration}/inbound/open/message[?prefetchConversationId=true]`.
pub(crate) async fn create_message(
    State(app): State<Arc<Shared>>,
    Path(integration): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if app.lock().integration(&integration).is_none() {
        return not_found(&format!("Integration {integration} not found."));
    }
    let message = match parse_message(&body) {
        Ok(m) => m,
        Err(m) => return bad_request(&m),
    };
    let key = message
        .channel
        .message_id
        .clone()
        .map(|id| (integration.clone(), id));
    if let Some(answer) = repeated(&app, key.as_ref()) {
        return answer;
    }
    let mut fetched = Vec::new();
    for attachment in message.content.iter().filter_map(|c| c.attachment.as_ref()) {
        fetched.push(fetch(&app, &attachment.url).await);
    }
    let prefetch = query
        .get("prefetchConversationId")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let answer = {
        let mut st = app.lock();
        if let Some(key) = &key
            && let Some(first) = st.answers.get(key).cloned()
        {
            st.duplicates += 1;
            return (StatusCode::ACCEPTED, axum::Json(first)).into_response();
        }
        let conversation_id = st.conversation_for(&integration, &message.channel.from.id);
        let genesys_id = uuid::Uuid::new_v4().simple().to_string();
        let answer = echo(
            &integration,
            &genesys_id,
            &message,
            prefetch.then_some(&conversation_id),
        );
        st.inbound.push(RecordedInbound {
            integration: integration.clone(),
            conversation_id,
            genesys_id,
            body: message.clone(),
            fetched,
        });
        if let Some(key) = key {
            st.answers.insert(key, answer.clone());
        }
        answer
    };
    if app.auto_reply
        && let Some(text) = message.text.as_deref().filter(|t| !t.trim().is_empty())
    {
        let app = Arc::clone(&app);
        let reply = format!("Agent: you said «{text}»");
        let to = message.channel.from.id.clone();
        tokio::spawn(async move {
            if let Err(e) = agent::send(&app, &integration, &to, Some(&reply), None, None).await {
                tracing::debug!(error = %e, "sandbox auto-reply failed");
            }
        });
    }
    (StatusCode::ACCEPTED, axum::Json(answer)).into_response()
}

/// The first answer again when `key` was seen before (counted).
fn repeated(app: &Shared, key: Option<&(String, String)>) -> Option<Response> {
    let key = key?;
    let mut st = app.lock();
    let first = st.answers.get(key).cloned()?;
    st.duplicates += 1;
    Some((StatusCode::ACCEPTED, axum::Json(first)).into_response())
}

/// Validates like Genesys, then reads the typed message.
fn parse_message(body: &[u8]) -> Result<wire::InboundMessage, String> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Err("The request body is not valid JSON.".to_owned());
    };
    check_channel(&value)?;
    let has_text = value["text"].as_str().is_some_and(|t| !t.is_empty());
    let has_content = value["content"].as_array().is_some_and(|c| !c.is_empty());
    if !has_text && !has_content {
        return Err("should have required property 'content' / '.text'".to_owned());
    }
    let message: wire::InboundMessage =
        serde_json::from_value(value).map_err(|e| format!("The message is malformed: {e}"))?;
    for content in &message.content {
        if content.content_type == "Attachment" {
            let Some(a) = &content.attachment else {
                return Err("An Attachment content needs an attachment.".to_owned());
            };
            if !MEDIA_TYPES.contains(&a.media_type.as_str()) {
                return Err(
                    "attachment.mediaType must be one of Image, Video, Audio, File.".to_owned(),
                );
            }
            if url::Url::parse(&a.url).is_err() {
                return Err("attachment.url must be an absolute URL.".to_owned());
            }
        }
    }
    Ok(message)
}

/// `channel.from.id`, `channel.from.idType` and `channel.time` are required.
fn check_channel(value: &Value) -> Result<(), String> {
    let from = &value["channel"]["from"];
    if from["id"].as_str().is_none_or(|s| s.trim().is_empty()) {
        return Err("should have required property 'channel.from.id'".to_owned());
    }
    match from["idType"].as_str() {
        None => return Err("should have required property 'channel.from.idType'".to_owned()),
        Some(t) if !ID_TYPES.contains(&t) => {
            return Err("channel.from.idType should be equal to one of the allowed values: Phone, Email, Opaque".to_owned());
        }
        Some(_) => {}
    }
    match value["channel"]["time"].as_str() {
        None => Err("should have required property 'channel.time'".to_owned()),
        Some(t) if OffsetDateTime::parse(t, &Rfc3339).is_err() => Err(
            "channel.time should be an ISO-8601 date-time such as 2025-06-08T20:59:43.000Z"
                .to_owned(),
        ),
        Some(_) => Ok(()),
    }
}

/// The normalized message Genesys answers with.
fn echo(
    integration: &str,
    genesys_id: &str,
    message: &wire::InboundMessage,
    conversation_id: Option<&String>,
) -> Value {
    let mut channel = json!({
        "id": integration,
        "platform": "Open",
        "type": "Private",
        "to": { "id": integration },
        "from": message.channel.from,
        "time": message.channel.time,
    });
    if let Some(id) = &message.channel.message_id {
        channel["messageId"] = json!(id);
    }
    if let Some(metadata) = &message.channel.metadata {
        channel["metadata"] = json!(metadata);
    }
    let mut answer = json!({
        "id": genesys_id,
        "channel": channel,
        "type": "Text",
        "direction": "Inbound",
    });
    if let Some(text) = &message.text {
        answer["text"] = json!(text);
    }
    if !message.content.is_empty() {
        answer["content"] = json!(message.content);
    }
    if let Some(id) = conversation_id {
        answer["conversationId"] = json!(id);
    }
    answer
}

/// GETs an attachment URL like Genesys does on receipt (status 0: not
/// reachable).
async fn fetch(app: &Shared, url: &str) -> Fetched {
    let result = app.http.get(url).timeout(FETCH_TIMEOUT).send().await;
    let (status, mime, bytes) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let mime = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await.map(|b| b.len()).unwrap_or(0);
            (status, mime, bytes)
        }
        Err(e) => {
            tracing::debug!(error = %e, "sandbox could not fetch an attachment");
            (0, None, 0)
        }
    };
    Fetched {
        url: url.to_owned(),
        status,
        bytes,
        mime,
    }
}

/// `POST …/{integration}/inbound/open/receipt`: 200 with the receipt.
pub(crate) async fn create_receipt(
    State(app): State<Arc<Shared>>,
    Path(integration): Path<String>,
    body: Bytes,
) -> Response {
    if app.lock().integration(&integration).is_none() {
        return not_found(&format!("Integration {integration} not found."));
    }
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body is not valid JSON.");
    };
    if value["id"].as_str().is_none_or(|s| s.trim().is_empty()) {
        return bad_request("should have required property 'id'");
    }
    match value["status"].as_str() {
        None => return bad_request("should have required property 'status'"),
        Some(s) if !RECEIPT_STATUSES.contains(&s) => {
            return bad_request(
                "status should be equal to one of the allowed values: Delivered, Failed, Read, Sent, Published, Removed",
            );
        }
        Some(_) => {}
    }
    let receipt: wire::Receipt = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("The receipt is malformed: {e}")),
    };
    app.lock().receipts.push(RecordedReceipt {
        integration,
        body: receipt.clone(),
    });
    axum::Json(receipt).into_response()
}

/// `POST …/{integration}/inbound/open/event`: 202 with the event.
pub(crate) async fn create_event(
    State(app): State<Arc<Shared>>,
    Path(integration): Path<String>,
    body: Bytes,
) -> Response {
    if app.lock().integration(&integration).is_none() {
        return not_found(&format!("Integration {integration} not found."));
    }
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body is not valid JSON.");
    };
    if let Err(m) = check_channel(&value) {
        return bad_request(&m);
    }
    let events_ok = value["events"].as_array().is_some_and(|events| {
        !events.is_empty() && events.iter().all(|e| e["eventType"].as_str().is_some())
    });
    if !events_ok {
        return bad_request("should have required property 'events' with at least one eventType");
    }
    let event: wire::InboundEvent = match serde_json::from_value(value) {
        Ok(e) => e,
        Err(e) => return bad_request(&format!("The event is malformed: {e}")),
    };
    app.lock().events.push(RecordedEvent {
        integration,
        body: event.clone(),
    });
    (StatusCode::ACCEPTED, axum::Json(event)).into_response()
}
