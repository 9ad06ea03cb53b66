//! The baseline: the least an axum server can do for the same requests. It
//! reads each webhook body and answers 200, and answers the API's reads with
//! a small fixed JSON page, so every scenario's figure can be given as a
//! ratio to what this machine does with no work at all behind the socket.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::net::SocketAddr;

fn page() -> Value {
    json!({
        "items": [{
            "id": "0190f3a2-7c1e-7000-8000-000000000001",
            "direction": "in",
            "wamid": "wamid.baseline",
            "kind": "text",
            "content": { "type": "text", "text": { "body": "hello" } },
            "status": "received",
            "created_at": "2026-01-01T00:00:00Z"
        }],
        "next_cursor": null
    })
}

async fn receive(body: Bytes) -> StatusCode {
    // Touch the body so the read is not optimised into nothing.
    if body.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

async fn read_page() -> axum::Json<Value> {
    axum::Json(page())
}

pub fn app() -> Router {
    Router::new()
        .route("/readyz", get(|| async { "ok" }))
        .route("/webhooks/whatsapp", post(receive))
        .route("/api/v1/conversations", get(read_page))
        .route("/api/v1/conversations/{id}/messages", get(read_page))
}

/// Serves the baseline until killed.
pub async fn run(listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app()).await?;
    Ok(())
}
