//! The simulated agent: builds outbound webhook bodies exactly like Genesys
//! (reference §4), signs them with the integration's secret and POSTs them
//! with the integration's `webhookHeaders`; serves agent attachments at
//! `GET /downloads/{id}` (no auth, like a presigned URL).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AgentAttachment;
use super::state::{Download, Shared, State as SandboxState, not_found, now_rfc3339};
use crate::signature;

/// Genesys waits this long for the webhook's answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
const AGENT_NICKNAME: &str = "Sandbox Agent";

/// Where an integration's webhooks go.
struct Target {
    url: String,
    secret: String,
    headers: Vec<(String, String)>,
}

fn target(st: &SandboxState, integration: &str) -> anyhow::Result<Target> {
    let record = st
        .integration(integration)
        .with_context(|| format!("unknown integration {integration}"))?;
    let url = record
        .integration
        .outbound_notification_webhook_url
        .clone()
        .with_context(|| format!("integration {integration} has no webhook URL"))?;
    Ok(Target {
        url,
        secret: record.secret.clone(),
        headers: record
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// `channel` of an outbound body.
fn channel(integration: &str, message_id: &str, to: Value) -> Value {
    json!({
        "id": integration,
        "platform": "Open",
        "type": "Private",
        "messageId": message_id,
        "to": to,
        "from": { "nickname": AGENT_NICKNAME, "id": integration, "idType": "Opaque" },
        "time": now_rfc3339(),
    })
}

/// The agent of the (integration, `to`) conversation sends text and/or an
/// attachment; signed with `sign_with` instead of the integration's secret
/// when given. Returns our server's status and the Genesys message id.
pub(crate) async fn send(
    app: &Arc<Shared>,
    integration: &str,
    to: &str,
    text: Option<&str>,
    attachment: Option<AgentAttachment>,
    sign_with: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let message_id = uuid::Uuid::new_v4().simple().to_string();
    let (target, bytes) = {
        let mut st = app.lock();
        let target = target(&st, integration)?;
        let conversation_id = st.conversation_for(integration, to);
        let mut content = Vec::new();
        if let Some(a) = attachment {
            let id = uuid::Uuid::new_v4().to_string();
            content.push(json!({
                "contentType": "Attachment",
                "attachment": {
                    "id": id,
                    "mediaType": a.media_type,
                    "url": format!("{}/downloads/{id}", app.base_url),
                    "mime": a.mime,
                    "filename": a.filename,
                    "contentSizeBytes": a.bytes.len(),
                },
            }));
            st.downloads.insert(
                id,
                Download {
                    mime: a.mime,
                    bytes: a.bytes,
                },
            );
        }
        let mut body = json!({
            "id": message_id,
            "channel": channel(integration, &message_id, json!({ "id": to, "idType": "Phone" })),
            "conversationId": conversation_id,
            "direction": "Outbound",
            "originatingEntity": "Human",
            "type": "Text",
            "content": content,
        });
        if let Some(text) = text {
            body["text"] = json!(text);
        }
        let bytes = serde_json::to_vec(&body)?;
        st.sent
            .insert(message_id.clone(), (integration.to_owned(), bytes.clone()));
        (target, bytes)
    };
    let secret = sign_with.unwrap_or(&target.secret);
    let status = post(app, &target, secret, bytes).await?;
    Ok((status, message_id))
}

/// The agent starts typing (an `Event` body).
pub(crate) async fn typing(app: &Arc<Shared>, integration: &str, to: &str) -> anyhow::Result<u16> {
    let message_id = uuid::Uuid::new_v4().simple().to_string();
    let (target, bytes) = {
        let mut st = app.lock();
        let target = target(&st, integration)?;
        let conversation_id = st.conversation_for(integration, to);
        let body = json!({
            "id": message_id,
            "channel": channel(integration, &message_id, json!({ "id": to })),
            "conversationId": conversation_id,
            "direction": "Outbound",
            "type": "Event",
            "events": [{ "eventType": "Typing", "typing": { "type": "On", "duration": 5000 } }],
        });
        (target, serde_json::to_vec(&body)?)
    };
    post(app, &target, &target.secret, bytes).await
}

/// The agent read customer message `genesys_id` (a `Receipt` body with
/// status `Read`, its `id` the message's Genesys id).
pub(crate) async fn read(
    app: &Arc<Shared>,
    integration: &str,
    to: &str,
    genesys_id: &str,
) -> anyhow::Result<u16> {
    let (target, bytes) = {
        let mut st = app.lock();
        let target = target(&st, integration)?;
        let conversation_id = st.conversation_for(integration, to);
        let body = json!({
            "id": genesys_id,
            "channel": channel(integration, genesys_id, json!({ "id": to, "idType": "Phone" })),
            "conversationId": conversation_id,
            "direction": "Outbound",
            "type": "Receipt",
            "status": "Read",
            "isFinalReceipt": true,
        });
        (target, serde_json::to_vec(&body)?)
    };
    post(app, &target, &target.secret, bytes).await
}

/// Sends an earlier agent message's body again, unchanged.
pub(crate) async fn redeliver(app: &Arc<Shared>, message_id: &str) -> anyhow::Result<u16> {
    let (target, bytes) = {
        let st = app.lock();
        let Some((integration, bytes)) = st.sent.get(message_id) else {
            bail!("no agent message {message_id}");
        };
        (target(&st, integration)?, bytes.clone())
    };
    post(app, &target, &target.secret, bytes).await
}

/// One signed POST; our server's status.
async fn post(app: &Shared, target: &Target, secret: &str, bytes: Vec<u8>) -> anyhow::Result<u16> {
    let mut request = app
        .http
        .post(&target.url)
        .timeout(WEBHOOK_TIMEOUT)
        .header(header::CONTENT_TYPE, "application/json")
        .header(signature::HEADER, signature::sign(secret, &bytes));
    for (name, value) in &target.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            request = request.header(n, v);
        }
    }
    let response = request
        .body(bytes)
        .send()
        .await
        .with_context(|| "the outbound webhook could not be delivered")?;
    Ok(response.status().as_u16())
}

/// `GET /downloads/{id}`.
pub(crate) async fn get_download(
    State(app): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let st = app.lock();
    match st.downloads.get(&id) {
        Some(d) => ([(header::CONTENT_TYPE, d.mime.clone())], d.bytes.clone()).into_response(),
        None => not_found(&format!("Download {id} not found.")),
    }
}
