//! A local stand-in for Genesys Cloud (like `crates/sandbox` is for Meta):
//! OAuth client credentials, the Open Messaging API and an agent who answers
//! through the integration's signed outbound webhook. For tests and demos.
//!
//! # Pointing a client at it
//!
//! [`GenesysSandbox::base_url`] (e.g. `http://127.0.0.1:4590`) replaces both
//! `https://login.{host}` and `https://api.{host}`
//! (`GenesysClient::new(Some(base_url), …)`); the host is ignored. The
//! default OAuth client is `sandbox-client` / `sandbox-secret`.
//!
//! # Routes
//!
//! | route | |
//! |---|---|
//! | `POST /oauth/token` | Basic auth + `grant_type=client_credentials` |
//! | `POST/GET /api/v2/conversations/messaging/integrations/open` | create / list |
//! | `GET/PATCH /api/v2/conversations/messaging/integrations/open/{id}` | |
//! | `POST /api/v2/conversations/messages/{integration}/inbound/open/message` | 202 |
//! | `POST …/inbound/open/receipt` (200), `POST …/inbound/open/event` (202) | |
//! | `GET /api/v2/conversations/messages/{conversationId}` | participants |
//! | `GET /downloads/{id}` | agent attachments, no auth |
//! | `/_genesys/…` | control routes, see `control.rs` |
//!
//! Every `/api/v2` call needs a valid Bearer token (else 401
//! `bad.credentials`); every answer carries `inin-correlation-id`.

mod agent;
mod api;
mod auth;
mod cli;
mod control;
mod inbound;
mod state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use cli::{SandboxArgs, run};

use crate::wire;
use state::{Failures, IntegrationRecord, Shared};

/// How a [`GenesysSandbox`] behaves.
#[derive(Clone, Debug)]
pub struct SandboxOptions {
    /// Accepted `(client_id, client_secret)` pairs.
    pub clients: Vec<(String, String)>,
    /// `expires_in` of issued tokens; they stop working after it.
    pub token_lifetime_seconds: i64,
    /// The agent answers every inbound text: "Agent: you said «…»".
    pub auto_reply: bool,
    /// `None`: 127.0.0.1 on a free port.
    pub listen: Option<SocketAddr>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            clients: vec![("sandbox-client".to_owned(), "sandbox-secret".to_owned())],
            token_lifetime_seconds: 86_399,
            auto_reply: false,
            listen: None,
        }
    }
}

/// A file the agent sends, served by the sandbox at `{base}/downloads/{id}`.
#[derive(Clone, Debug)]
pub struct AgentAttachment {
    /// `Image`, `Video`, `Audio` or `File`.
    pub media_type: String,
    pub mime: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// An accepted inbound message.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedInbound {
    pub integration: String,
    pub conversation_id: String,
    /// The id Genesys gave the message (32 hex digits).
    pub genesys_id: String,
    pub body: wire::InboundMessage,
    /// One per attachment, in order: what fetching its URL gave.
    pub fetched: Vec<Fetched>,
}

/// The outcome of fetching an attachment URL (`status` 0: unreachable).
#[derive(Clone, Debug, Serialize)]
pub struct Fetched {
    pub url: String,
    pub status: u16,
    pub bytes: usize,
    pub mime: Option<String>,
}

/// An accepted receipt.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedReceipt {
    pub integration: String,
    pub body: wire::Receipt,
}

/// An accepted customer event.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedEvent {
    pub integration: String,
    pub body: wire::InboundEvent,
}

/// A running sandbox. Stops on [`GenesysSandbox::shutdown`]; dropping it
/// aborts the server.
pub struct GenesysSandbox {
    app: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl GenesysSandbox {
    /// Binds `o.listen` (default 127.0.0.1:0) and serves on the current
    /// Tokio runtime.
    pub async fn start(o: SandboxOptions) -> anyhow::Result<GenesysSandbox> {
        let listen = o
            .listen
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let base_url = format!("http://{}", reachable(listener.local_addr()?));
        let app = Arc::new(Shared::new(&o, base_url)?);
        let router = router(Arc::clone(&app));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "Genesys sandbox stopped");
            }
        });
        Ok(GenesysSandbox {
            app,
            stop: Some(stop),
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// Stops the server (waiting up to 5 s for open requests).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    pub fn tokens_issued(&self) -> usize {
        self.app.lock().tokens_issued
    }

    /// Every issued token now answers 401.
    pub fn expire_tokens(&self) {
        for token in self.app.lock().tokens.values_mut() {
            token.revoked = true;
        }
    }

    /// Lifetime of tokens issued from now on (0 or less: already expired).
    pub fn set_token_lifetime(&self, seconds: i64) {
        self.app.lock().token_lifetime_seconds = seconds;
    }

    /// The next `n` calls to /api/v2/... (not /oauth) answer `status` with
    /// the Genesys error body, and `Retry-After: <retry_after>` when Some.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<i64>) {
        self.app.lock().failures = (n > 0).then_some(Failures {
            remaining: n,
            status,
            retry_after,
        });
    }

    pub fn integrations(&self) -> Vec<wire::Integration> {
        self.app
            .lock()
            .integrations
            .iter()
            .map(|r| r.integration.clone())
            .collect()
    }

    /// Adds an integration as if made in the Genesys admin UI (for "enter an
    /// existing id" flows).
    pub fn add_integration(&self, id: &str, webhook_url: &str, secret: &str) {
        self.app.lock().add_integration(IntegrationRecord {
            integration: wire::Integration {
                id: id.to_owned(),
                name: format!("sandbox-{id}"),
                status: Some("Active".to_owned()),
                create_status: Some("Completed".to_owned()),
                outbound_notification_webhook_url: Some(webhook_url.to_owned()),
            },
            secret: secret.to_owned(),
            headers: Default::default(),
        });
    }

    /// Every accepted inbound message, in order. A repeated
    /// `channel.messageId` is answered with the first answer and only counted
    /// in [`GenesysSandbox::duplicates`].
    pub fn inbound(&self) -> Vec<RecordedInbound> {
        self.app.lock().inbound.clone()
    }

    pub fn duplicates(&self) -> usize {
        self.app.lock().duplicates
    }

    pub fn receipts(&self) -> Vec<RecordedReceipt> {
        self.app.lock().receipts.clone()
    }

    pub fn events(&self) -> Vec<RecordedEvent> {
        self.app.lock().events.clone()
    }

    /// The agent of the conversation of (integration, customer `to`) sends
    /// text (and an attachment served by the sandbox at
    /// `{base}/downloads/{id}`) through the integration's signed outbound
    /// webhook; returns the HTTP status our server answered and the Genesys
    /// message id used. Without an open conversation, one is started.
    pub async fn agent_reply(
        &self,
        integration: &str,
        to: &str,
        text: Option<&str>,
        attachment: Option<AgentAttachment>,
    ) -> anyhow::Result<(u16, String)> {
        agent::send(&self.app, integration, to, text, attachment, None).await
    }

    /// Same body, re-sent unchanged (Genesys retrying a delivery): returns
    /// our status.
    pub async fn redeliver(&self, message_id: &str) -> anyhow::Result<u16> {
        agent::redeliver(&self.app, message_id).await
    }

    /// Same as [`GenesysSandbox::agent_reply`] but signs with `secret`
    /// instead of the integration's (to test refusal).
    pub async fn agent_reply_signed_with(
        &self,
        integration: &str,
        to: &str,
        text: &str,
        secret: &str,
    ) -> anyhow::Result<u16> {
        agent::send(&self.app, integration, to, Some(text), None, Some(secret))
            .await
            .map(|(status, _)| status)
    }

    /// The agent starts typing (an outbound `Event`).
    pub async fn agent_typing(&self, integration: &str, to: &str) -> anyhow::Result<u16> {
        agent::typing(&self.app, integration, to).await
    }

    /// The agent read the customer's message Genesys knows as
    /// `genesys_id` (a `Read` receipt through the webhook); our status.
    pub async fn agent_read(
        &self,
        integration: &str,
        to: &str,
        genesys_id: &str,
    ) -> anyhow::Result<u16> {
        agent::read(&self.app, integration, to, genesys_id).await
    }

    /// The agent disconnects: the conversation's participants become
    /// "disconnected"; the next inbound message from that customer starts a
    /// new conversation (new id).
    pub fn end_conversation(&self, conversation_id: &str) {
        self.app.lock().end_conversation(conversation_id);
    }

    /// The current (latest) conversation id of (integration, customer).
    pub fn conversation_of(&self, integration: &str, from_id: &str) -> Option<String> {
        self.app
            .lock()
            .latest
            .get(&(integration.to_owned(), from_id.to_owned()))
            .cloned()
    }
}

impl Drop for GenesysSandbox {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

fn router(app: Arc<Shared>) -> Router {
    const OPEN: &str = "/api/v2/conversations/messaging/integrations/open";
    const INBOUND: &str = "/api/v2/conversations/messages/{id}/inbound/open";
    let api = Router::new()
        .route(
            OPEN,
            post(api::create_integration).get(api::list_integrations),
        )
        .route(
            &format!("{OPEN}/{{id}}"),
            get(api::get_integration).patch(api::update_integration),
        )
        .route(
            "/api/v2/conversations/messages/{id}",
            get(api::get_conversation),
        )
        .route(&format!("{INBOUND}/message"), post(inbound::create_message))
        .route(&format!("{INBOUND}/receipt"), post(inbound::create_receipt))
        .route(&format!("{INBOUND}/event"), post(inbound::create_event))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            auth::guard,
        ));
    Router::new()
        .route("/oauth/token", post(auth::create_token))
        .route("/downloads/{id}", get(agent::get_download))
        .merge(api)
        .merge(control::router())
        .fallback(unknown_route)
        .layer(middleware::map_response(auth::correlation))
        .with_state(app)
}

async fn unknown_route() -> Response {
    state::not_found("No such route in the Genesys sandbox.")
}

/// An address clients can connect to (wildcard binds -> loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}
