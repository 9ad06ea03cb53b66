//! Test helpers: a started sandbox with a logged-in client and one
//! integration, and a webhook receiver (tiny axum server) that records what
//! the sandbox's agent POSTs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use genesys::wire::{InboundChannel, InboundMessage, Integration, IntegrationRequest, Party};
use genesys::{GenesysClient, GenesysSandbox, SandboxOptions, Session};

pub const HOST: &str = "mypurecloud.ie";
pub const CLIENT_ID: &str = "sandbox-client";
pub const CLIENT_SECRET: &str = "sandbox-secret";
pub const CUSTOMER: &str = "16505551234";
pub const SECRET: &str = "webhook-secret";

/// A sandbox, a client pointed at it and a token.
pub struct Env {
    pub sandbox: GenesysSandbox,
    pub client: GenesysClient,
    pub token: String,
}

impl Env {
    pub async fn start() -> Self {
        Self::with(SandboxOptions::default()).await
    }

    pub async fn with(options: SandboxOptions) -> Self {
        let sandbox = GenesysSandbox::start(options).await.unwrap();
        let client = GenesysClient::new(Some(sandbox.base_url()), Duration::from_secs(10)).unwrap();
        let token = client
            .token(HOST, CLIENT_ID, CLIENT_SECRET)
            .await
            .unwrap()
            .access_token;
        Self {
            sandbox,
            client,
            token,
        }
    }

    pub fn session(&self) -> Session<'_> {
        Session {
            host: HOST,
            token: &self.token,
        }
    }

    /// Creates an integration whose webhook goes to `url`.
    pub async fn integration(&self, url: &str) -> Integration {
        self.client
            .create_integration(&self.session(), &request(url))
            .await
            .unwrap()
    }
}

pub fn request(url: &str) -> IntegrationRequest {
    IntegrationRequest {
        name: "acme-whatsapp-+15550783881".to_owned(),
        outbound_notification_webhook_url: url.to_owned(),
        outbound_notification_webhook_signature_secret_token: SECRET.to_owned(),
        webhook_headers: Some([("X-Tenant".to_owned(), "acme".to_owned())].into()),
    }
}

/// A text message from `from`.
pub fn text_from(from: &str, message_id: Option<&str>, text: &str) -> InboundMessage {
    InboundMessage {
        channel: InboundChannel {
            message_id: message_id.map(str::to_owned),
            from: Party {
                nickname: Some("Sheena Nelson".to_owned()),
                ..Party::phone(from)
            },
            time: "2025-06-08T20:59:43.000Z".to_owned(),
            metadata: None,
        },
        text: Some(text.to_owned()),
        content: Vec::new(),
    }
}

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

struct Recv {
    hits: Mutex<Vec<Hit>>,
    answer: Mutex<u16>,
    /// When set, answers 401 to bodies whose signature does not verify.
    secret: Option<String>,
}

/// The bridge's outbound webhook, played by the test.
pub struct Receiver {
    pub url: String,
    state: Arc<Recv>,
}

async fn receive(State(st): State<Arc<Recv>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get(genesys::signature::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    st.hits.lock().unwrap().push(Hit {
        headers,
        body: body.to_vec(),
    });
    if let Some(secret) = &st.secret
        && !genesys::signature::verify(secret, &body, signature.as_deref())
    {
        return StatusCode::UNAUTHORIZED;
    }
    StatusCode::from_u16(*st.answer.lock().unwrap()).unwrap()
}

impl Receiver {
    pub async fn start() -> Self {
        Self::start_checking(None).await
    }

    /// A receiver that refuses (401) badly signed bodies.
    pub async fn start_checking(secret: Option<&str>) -> Self {
        let state = Arc::new(Recv {
            hits: Mutex::new(Vec::new()),
            answer: Mutex::new(200),
            secret: secret.map(str::to_owned),
        });
        let app = Router::new()
            .route("/genesys/outbound", post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/genesys/outbound", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, state }
    }

    pub fn answer_with(&self, status: u16) {
        *self.state.answer.lock().unwrap() = status;
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }

    /// Waits (bounded) until at least `n` bodies arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Hit> {
        for _ in 0..200 {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("expected {n} webhook bodies, got {}", self.hits().len());
    }
}

/// A plain HTTP client for raw requests.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}
