//! Genesys' setup and lookup routes: Open Messaging integrations
//! (`…/messaging/integrations/open`, create / list / get / patch) and
//! messaging conversations (`GET /api/v2/conversations/messages/{id}`).
//! Authentication is checked in front of them ([`super::auth::guard`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::state::{IntegrationRecord, Shared, bad_request, not_found};
use crate::wire;

/// `POST /api/v2/conversations/messaging/integrations/open`.
pub(crate) async fn create_integration(State(app): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body must be a JSON object.");
    };
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let Some(name) = field("name") else {
        return bad_request("name is required.");
    };
    let Some(url) = field("outboundNotificationWebhookUrl") else {
        return bad_request("outboundNotificationWebhookUrl is required.");
    };
    let Some(secret) = field("outboundNotificationWebhookSignatureSecretToken") else {
        return bad_request("outboundNotificationWebhookSignatureSecretToken is required.");
    };
    let headers = match webhook_headers(body.get("webhookHeaders")) {
        Ok(h) => h.unwrap_or_default(),
        Err(m) => return bad_request(m),
    };
    let record = IntegrationRecord {
        integration: wire::Integration {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            status: Some("Active".to_owned()),
            create_status: Some("Completed".to_owned()),
            outbound_notification_webhook_url: Some(url),
        },
        secret,
        headers,
    };
    let integration = record.integration.clone();
    app.lock().add_integration(record);
    axum::Json(integration).into_response()
}

/// `GET /api/v2/conversations/messaging/integrations/open`.
pub(crate) async fn list_integrations(State(app): State<Arc<Shared>>) -> Response {
    let entities: Vec<wire::Integration> = app
        .lock()
        .integrations
        .iter()
        .map(|r| r.integration.clone())
        .collect();
    let total = entities.len();
    axum::Json(json!({ "entities": entities, "pageSize": total, "pageNumber": 1, "total": total }))
        .into_response()
}

/// `GET /api/v2/conversations/messaging/integrations/open/{id}`.
pub(crate) async fn get_integration(
    State(app): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    match app.lock().integration(&id) {
        Some(r) => axum::Json(r.integration.clone()).into_response(),
        None => not_found(&format!("Integration {id} not found.")),
    }
}

/// `PATCH /api/v2/conversations/messaging/integrations/open/{id}`: the
/// fields present are changed, the others kept.
pub(crate) async fn update_integration(
    State(app): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("The request body must be a JSON object.");
    };
    let text = |name: &str| match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(format!("{name} must be a non-empty string.")),
    };
    let (name, url, secret) = match (
        text("name"),
        text("outboundNotificationWebhookUrl"),
        text("outboundNotificationWebhookSignatureSecretToken"),
    ) {
        (Ok(n), Ok(u), Ok(s)) => (n, u, s),
        (Err(m), _, _) | (_, Err(m), _) | (_, _, Err(m)) => return bad_request(&m),
    };
    let headers = match webhook_headers(body.get("webhookHeaders")) {
        Ok(h) => h,
        Err(m) => return bad_request(m),
    };
    let mut st = app.lock();
    let Some(record) = st.integration_mut(&id) else {
        return not_found(&format!("Integration {id} not found."));
    };
    if let Some(name) = name {
        record.integration.name = name;
    }
    if let Some(url) = url {
        record.integration.outbound_notification_webhook_url = Some(url);
    }
    if let Some(secret) = secret {
        record.secret = secret;
    }
    if let Some(headers) = headers {
        record.headers = headers;
    }
    axum::Json(record.integration.clone()).into_response()
}

/// `webhookHeaders`: absent, or an object of strings.
fn webhook_headers(
    value: Option<&Value>,
) -> Result<Option<BTreeMap<String, String>>, &'static str> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err("webhookHeaders values must be strings."),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err("webhookHeaders must be an object."),
    }
}

/// `GET /api/v2/conversations/messages/{id}`.
pub(crate) async fn get_conversation(
    State(app): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let st = app.lock();
    let Some(conversation) = st.conversations.get(&id) else {
        return not_found(&format!("Conversation {id} not found."));
    };
    let state = if conversation.ended {
        "disconnected"
    } else {
        "connected"
    };
    axum::Json(wire::Conversation {
        id: id.clone(),
        participants: ["customer", "agent"]
            .into_iter()
            .map(|purpose| wire::Participant {
                purpose: Some(purpose.to_owned()),
                state: Some(state.to_owned()),
            })
            .collect(),
    })
    .into_response()
}
