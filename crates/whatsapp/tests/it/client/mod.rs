//! `GraphClient` against a tiny in-process HTTP server that records requests
//! and answers with Meta-shaped bodies from the reference.

mod errors;
mod resources;
mod send;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use whatsapp::GraphClient;

pub(crate) const TOKEN: &str = "EAAG-test-token";
pub(crate) const PHONE_ID: &str = "106540352242922";

#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    /// Path and query.
    pub(crate) uri: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Recorded {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    pub(crate) delay: Duration,
}

#[derive(Default)]
pub(crate) struct Fake {
    pub(crate) requests: Mutex<Vec<Recorded>>,
    pub(crate) replies: Mutex<VecDeque<Reply>>,
}

pub(crate) struct Server {
    pub(crate) fake: Arc<Fake>,
    pub(crate) base: String,
}

impl Server {
    pub(crate) async fn start() -> Self {
        let fake = Arc::new(Fake::default());
        let app = Router::new().fallback(handle).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            fake,
            base: format!("http://{addr}"),
        }
    }

    pub(crate) fn client(&self) -> GraphClient {
        GraphClient::builder().base_url(&self.base).build().unwrap()
    }

    pub(crate) fn reply_json(&self, status: u16, body: Value) {
        self.reply(
            status,
            "application/json",
            serde_json::to_vec(&body).unwrap(),
        );
    }

    pub(crate) fn reply(&self, status: u16, content_type: &'static str, body: Vec<u8>) {
        let reply = Reply {
            status,
            content_type,
            body,
            delay: Duration::ZERO,
        };
        self.fake.replies.lock().unwrap().push_back(reply);
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.fake.requests.lock().unwrap().clone()
    }

    pub(crate) fn last(&self) -> Recorded {
        self.requests().pop().expect("no request recorded")
    }
}

async fn handle(State(fake): State<Arc<Fake>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    fake.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        uri,
        headers: parts.headers,
        body,
    });
    let reply = fake.replies.lock().unwrap().pop_front();
    let Some(reply) = reply else {
        return axum::Json(send_ok("wamid.DEFAULT")).into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let status = StatusCode::from_u16(reply.status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

pub(crate) fn send_ok(wamid: &str) -> Value {
    json!({"messaging_product":"whatsapp",
           "contacts":[{"input":"16505551234","wa_id":"16505551234"}],
           "messages":[{"id": wamid}]})
}

pub(crate) fn assert_bearer(r: &Recorded) {
    let auth = r
        .headers
        .get(header::AUTHORIZATION)
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(auth, format!("Bearer {TOKEN}"));
}
