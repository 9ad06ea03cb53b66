//! Shared server state (`Arc<App>`) used by the Graph routes, the control API,
//! the webhook deliverer and the public [`crate::Sandbox`] handle.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::{Notify, mpsc, watch};

use crate::config::SandboxConfig;
use crate::state::State;
use crate::webhook::Event;

pub(crate) struct App {
    pub config: SandboxConfig,
    state: Mutex<State>,
    events: mpsc::UnboundedSender<Event>,
    pub base_url: String,
    pub shutdown: watch::Receiver<bool>,
    /// Woken whenever an outbound message is accepted (scripts wait on it).
    pub outbound_notify: Notify,
    /// `true` while webhook delivery is paused.
    pub paused: watch::Sender<bool>,
    pub http: reqwest::Client,
    /// Key for signing media download URLs.
    pub url_key: [u8; 32],
}

impl App {
    pub fn new(
        config: SandboxConfig,
        base_url: String,
        events: mpsc::UnboundedSender<Event>,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let state = State::new(
            config.webhook_url.clone(),
            config.app_secret.clone(),
            config.seed,
        );
        let mut url_key = [0u8; 32];
        rand::fill(&mut url_key);
        let (paused, _) = watch::channel(false);
        Ok(Self {
            config,
            state: Mutex::new(state),
            events,
            base_url,
            shutdown,
            outbound_notify: Notify::new(),
            paused,
            http,
            url_key,
        })
    }

    /// Locks the state (a poisoned lock is recovered: the state stays usable).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a webhook event. Call while holding the state lock so that the
    /// queue order matches the order of state changes.
    pub fn emit(&self, st: &mut State, event: Event) {
        st.counters.webhooks.events += 1;
        // The receiver only disappears at shutdown; events are dropped then.
        let _ = self.events.send(event);
    }

    /// Sleeps unless the sandbox shuts down first; `false` = shutting down.
    pub async fn sleep(&self, d: Duration) -> bool {
        if *self.shutdown.borrow() {
            return false;
        }
        let mut rx = self.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(d) => true,
            _ = rx.changed() => false,
        }
    }

    /// The service window in seconds.
    pub fn window_secs(&self) -> i64 {
        i64::try_from(self.config.service_window.as_secs()).unwrap_or(i64::MAX)
    }
}

/// Error of a control-API / handle operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    pub status: u16,
    pub message: String,
}

impl OpError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            message: message.into(),
        }
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.status)
    }
}

impl std::error::Error for OpError {}

impl IntoResponse for OpError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(json!({ "error": self.message }))).into_response()
    }
}
