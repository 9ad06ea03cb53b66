//! Test helpers: a webhook receiver (tiny axum server) that verifies
//! signatures with its own HMAC code, and a Graph client built on reqwest.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use sandbox::{NumberSpec, Sandbox, SandboxConfig, TemplateSpec};
use serde_json::{Value, json};
use sha2::Sha256;

pub const PNID: &str = "106540352242922";
pub const WABA: &str = "102290129340398";
pub const TOKEN: &str = "test-token";
pub const DISPLAY_DIGITS: &str = "15550783881";
pub const CUSTOMER: &str = "16505551234";
pub const SECRET: &str = "test-app-secret";
pub const WAIT: Duration = Duration::from_secs(10);

/// One webhook POST the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub body: Vec<u8>,
    pub json: Value,
    pub signature_ok: bool,
    pub answered: u16,
}

struct RecvState {
    secret: String,
    hits: Mutex<Vec<Hit>>,
    responses: Mutex<VecDeque<u16>>,
}

/// Webhook receiver on 127.0.0.1:0.
pub struct Receiver {
    pub url: String,
    state: Arc<RecvState>,
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn receive(State(st): State<Arc<RecvState>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let expected = format!("sha256={}", hmac_hex(&st.secret, &body));
    let signature_ok = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str());
    let answered = st.responses.lock().unwrap().pop_front().unwrap_or(200);
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    st.hits.lock().unwrap().push(Hit {
        body: body.to_vec(),
        json,
        signature_ok,
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

impl Receiver {
    pub async fn start(secret: &str) -> Self {
        let state = Arc::new(RecvState {
            secret: secret.to_owned(),
            hits: Mutex::new(Vec::new()),
            responses: Mutex::new(VecDeque::new()),
        });
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, state }
    }

    /// The next POSTs are answered with these statuses (then 200).
    pub fn respond_with(&self, statuses: &[u16]) {
        self.state
            .responses
            .lock()
            .unwrap()
            .extend(statuses.iter().copied());
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }

    /// Bodies answered 200 (what the platform would have processed).
    pub fn accepted(&self) -> Vec<Value> {
        self.hits()
            .into_iter()
            .filter(|h| h.answered == 200)
            .map(|h| h.json)
            .collect()
    }

    /// Polls until `pred` holds on the hits; panics after [`WAIT`].
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let hits = self.hits();
            if pred(&hits) {
                assert!(hits.iter().all(|h| h.signature_ok), "bad signature");
                return hits;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; got {hits:#?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits for a body containing `needle` (e.g. a wamid) and returns it.
    pub async fn wait_body(&self, needle: &str) -> Value {
        let hits = self
            .wait_for(needle, |h| h.iter().any(|h| contains(&h.body, needle)))
            .await;
        hits.into_iter()
            .find(|h| contains(&h.body, needle))
            .map(|h| h.json)
            .unwrap()
    }

    /// (wamid, status) pairs in arrival order, from 200-answered bodies.
    pub fn statuses(&self) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for body in self.accepted() {
            for_each_value(&body, |v| {
                for s in v["statuses"].as_array().into_iter().flatten() {
                    out.push((
                        s["id"].as_str().unwrap().to_owned(),
                        s["status"].as_str().unwrap().to_owned(),
                        s.clone(),
                    ));
                }
            });
        }
        out
    }

    /// Status names of one wamid, in arrival order.
    pub fn statuses_of(&self, wamid: &str) -> Vec<String> {
        self.statuses()
            .into_iter()
            .filter(|(id, _, _)| id == wamid)
            .map(|(_, s, _)| s)
            .collect()
    }

    pub async fn wait_status(&self, wamid: &str, status: &str) -> Value {
        self.wait_for(&format!("{status} of {wamid}"), |_| {
            self.statuses_of(wamid).iter().any(|s| s == status)
        })
        .await;
        self.statuses()
            .into_iter()
            .find(|(id, s, _)| id == wamid && s == status)
            .map(|(_, _, v)| v)
            .unwrap()
    }

    /// Inbound message objects in arrival order.
    pub fn messages(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for body in self.accepted() {
            for_each_value(&body, |v| {
                out.extend(v["messages"].as_array().into_iter().flatten().cloned())
            });
        }
        out
    }
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Calls `f` on every `entry[].changes[].value`.
pub fn for_each_value(body: &Value, mut f: impl FnMut(&Value)) {
    for e in body["entry"].as_array().into_iter().flatten() {
        for c in e["changes"].as_array().into_iter().flatten() {
            f(&c["value"]);
        }
    }
}

/// A sandbox wired to a receiver, with a Graph client.
pub struct Env {
    pub sb: Sandbox,
    pub rx: Receiver,
    pub http: reqwest::Client,
    pub graph: String,
}

pub fn test_config() -> SandboxConfig {
    SandboxConfig {
        status_delay: Duration::from_millis(5),
        webhook_retry_backoff: Duration::from_millis(10),
        app_secret: SECRET.to_owned(),
        numbers: vec![NumberSpec {
            phone_number_id: PNID.into(),
            waba_id: WABA.into(),
            display_phone_number: "+1 555-078-3881".into(),
            verified_name: "Acme Support".into(),
            access_token: TOKEN.into(),
            rate_limit: Some(1000),
        }],
        ..SandboxConfig::default()
    }
}

impl Env {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut SandboxConfig)) -> Self {
        let rx = Receiver::start(SECRET).await;
        let mut cfg = test_config();
        cfg.webhook_url = Some(rx.url.clone());
        tweak(&mut cfg);
        let sb = Sandbox::start(cfg).await.unwrap();
        let graph = format!("{}/v23.0", sb.base_url());
        Self {
            sb,
            rx,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            graph,
        }
    }

    /// POST `{graph}/{PNID}/messages` with the number's token.
    pub async fn send(&self, body: Value) -> (u16, Value) {
        self.send_as(PNID, TOKEN, body).await
    }

    pub async fn send_as(&self, pnid: &str, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/{pnid}/messages", self.graph))
            .bearer_auth(token)
            .json(&body)
            .send();
        let r = r.await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}/{path}", self.graph));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/_sandbox/{path}", self.sb.base_url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A customer message opens the 24 h window; returns its wamid.
    pub async fn open_window(&self, customer: &str) -> String {
        let id = self.sb.send_text(PNID, customer, "hello").unwrap();
        self.rx.wait_body(&id).await;
        id
    }

    pub fn seed_template(&self, name: &str) -> String {
        self.sb
            .add_template(TemplateSpec::approved(WABA, name, "en_US"))
            .unwrap()
            .id
    }
}

pub fn text(to: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}})
}

pub fn template(to: &str, name: &str, params: &[&str]) -> Value {
    let params: Vec<Value> = params
        .iter()
        .map(|p| json!({"type": "text", "text": p}))
        .collect();
    json!({"messaging_product": "whatsapp", "to": to, "type": "template",
        "template": {"name": name, "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": params}]}})
}

pub fn wamid(resp: &Value) -> String {
    resp["messages"][0]["id"].as_str().unwrap().to_owned()
}

/// Asserts a Graph error envelope and returns it.
pub fn assert_error(resp: &(u16, Value), http: u16, code: i64) -> Value {
    assert_eq!(resp.0, http, "{resp:?}");
    let e = resp.1["error"].clone();
    assert_eq!(e["code"], code, "{resp:?}");
    assert!(
        e["message"].is_string() && e["type"].is_string() && e["fbtrace_id"].is_string(),
        "{e}"
    );
    e
}

/// Polls `cond` until it holds; panics after [`WAIT`].
pub async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
