//! Control routes for driving the sandbox on its own (JSON, no auth):
//!
//! | route | body / answer |
//! |---|---|
//! | `GET /_genesys/inbound` | every accepted inbound message |
//! | `GET /_genesys/receipts`, `GET /_genesys/events` | receipts, customer events |
//! | `GET /_genesys/integrations` | integrations |
//! | `POST /_genesys/agent/reply` | `{"integration","to","text"}` -> `{"status","messageId"}` |
//! | `POST /_genesys/conversations/{id}/end` | the agent disconnects (204) |
//! | `POST /_genesys/tokens/expire` | every issued token now answers 401 (204) |

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::agent;
use super::state::{Shared, not_found};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_genesys/inbound", get(list_inbound))
        .route("/_genesys/receipts", get(list_receipts))
        .route("/_genesys/events", get(list_events))
        .route("/_genesys/integrations", get(list_integrations))
        .route("/_genesys/agent/reply", post(create_agent_reply))
        .route("/_genesys/conversations/{id}/end", post(end_conversation))
        .route("/_genesys/tokens/expire", post(expire_tokens))
}

async fn list_inbound(State(app): State<Arc<Shared>>) -> Response {
    axum::Json(app.lock().inbound.clone()).into_response()
}

async fn list_receipts(State(app): State<Arc<Shared>>) -> Response {
    axum::Json(app.lock().receipts.clone()).into_response()
}

async fn list_events(State(app): State<Arc<Shared>>) -> Response {
    axum::Json(app.lock().events.clone()).into_response()
}

async fn list_integrations(State(app): State<Arc<Shared>>) -> Response {
    let all: Vec<_> = app
        .lock()
        .integrations
        .iter()
        .map(|r| r.integration.clone())
        .collect();
    axum::Json(all).into_response()
}

#[derive(Deserialize)]
struct AgentReply {
    integration: String,
    to: String,
    text: String,
}

async fn create_agent_reply(
    State(app): State<Arc<Shared>>,
    axum::Json(reply): axum::Json<AgentReply>,
) -> Response {
    match agent::send(
        &app,
        &reply.integration,
        &reply.to,
        Some(&reply.text),
        None,
        None,
    )
    .await
    {
        Ok((status, message_id)) => {
            axum::Json(json!({ "status": status, "messageId": message_id })).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": format!("{e:#}") })),
        )
            .into_response(),
    }
}

async fn end_conversation(State(app): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    if app.lock().end_conversation(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found(&format!("Conversation {id} not found."))
    }
}

async fn expire_tokens(State(app): State<Arc<Shared>>) -> Response {
    for token in app.lock().tokens.values_mut() {
        token.revoked = true;
    }
    StatusCode::NO_CONTENT.into_response()
}
