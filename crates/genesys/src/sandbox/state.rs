//! The sandbox's shared state (`Arc<Shared>`): issued tokens, integrations,
//! conversations and everything recorded, behind one std `Mutex` that is
//! never held across an `.await`. Also the Genesys error body every route
//! answers with.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::{RecordedEvent, RecordedInbound, RecordedReceipt, SandboxOptions};
use crate::wire;

/// Name of the response header carrying the request's correlation id.
pub(crate) const CORRELATION_HEADER: &str = "inin-correlation-id";

/// State shared by the routes, the agent and the public handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// For outbound webhooks and attachment fetches.
    pub http: reqwest::Client,
    pub base_url: String,
    pub auto_reply: bool,
}

impl Shared {
    pub fn new(options: &SandboxOptions, base_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        Ok(Self {
            state: Mutex::new(State {
                clients: options.clients.clone(),
                token_lifetime_seconds: options.token_lifetime_seconds,
                ..State::default()
            }),
            http,
            base_url,
            auto_reply: options.auto_reply,
        })
    }

    /// Locks the state (a poisoned lock is recovered: the state stays usable).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub clients: Vec<(String, String)>,
    pub token_lifetime_seconds: i64,
    pub tokens: HashMap<String, IssuedToken>,
    pub tokens_issued: usize,
    pub failures: Option<Failures>,
    /// In creation order.
    pub integrations: Vec<IntegrationRecord>,
    pub conversations: HashMap<String, ConversationRecord>,
    /// (integration, customer id) -> latest conversation id.
    pub latest: HashMap<(String, String), String>,
    pub inbound: Vec<RecordedInbound>,
    /// (integration, channel.messageId) -> the first answer.
    pub answers: HashMap<(String, String), Value>,
    pub duplicates: usize,
    pub receipts: Vec<RecordedReceipt>,
    pub events: Vec<RecordedEvent>,
    /// Agent attachments served at `/downloads/{id}`.
    pub downloads: HashMap<String, Download>,
    /// Agent message id -> (integration, exact body sent).
    pub sent: HashMap<String, (String, Vec<u8>)>,
}

pub(crate) struct IssuedToken {
    pub expires_at: Instant,
    pub revoked: bool,
}

pub(crate) struct Failures {
    pub remaining: usize,
    pub status: u16,
    pub retry_after: Option<i64>,
}

#[derive(Clone)]
pub(crate) struct IntegrationRecord {
    pub integration: wire::Integration,
    pub secret: String,
    pub headers: BTreeMap<String, String>,
}

pub(crate) struct ConversationRecord {
    pub ended: bool,
}

pub(crate) struct Download {
    pub mime: String,
    pub bytes: Vec<u8>,
}

impl State {
    /// Issues a token with the current lifetime.
    pub fn issue_token(&mut self) -> (String, i64) {
        let token: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(48)
            .map(char::from)
            .collect();
        let lifetime = self.token_lifetime_seconds;
        let secs = u64::try_from(lifetime).unwrap_or(0);
        let expires_at = Instant::now()
            .checked_add(Duration::from_secs(secs))
            .unwrap_or_else(Instant::now);
        self.tokens.insert(
            token.clone(),
            IssuedToken {
                expires_at,
                revoked: false,
            },
        );
        self.tokens_issued += 1;
        (token, lifetime)
    }

    pub fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|t| !t.revoked && Instant::now() < t.expires_at)
    }

    /// Takes one planned failure, if any: `(status, retry_after)`.
    pub fn take_failure(&mut self) -> Option<(u16, Option<i64>)> {
        let f = self.failures.as_mut()?;
        f.remaining = f.remaining.saturating_sub(1);
        let planned = (f.status, f.retry_after);
        if f.remaining == 0 {
            self.failures = None;
        }
        Some(planned)
    }

    pub fn integration(&self, id: &str) -> Option<&IntegrationRecord> {
        self.integrations.iter().find(|r| r.integration.id == id)
    }

    pub fn integration_mut(&mut self, id: &str) -> Option<&mut IntegrationRecord> {
        self.integrations
            .iter_mut()
            .find(|r| r.integration.id == id)
    }

    pub fn add_integration(&mut self, record: IntegrationRecord) {
        let id = record.integration.id.clone();
        match self.integration_mut(&id) {
            Some(existing) => *existing = record,
            None => self.integrations.push(record),
        }
    }

    /// The open conversation of (integration, customer), or a new one when
    /// there is none or the latest ended.
    pub fn conversation_for(&mut self, integration: &str, customer: &str) -> String {
        let key = (integration.to_owned(), customer.to_owned());
        if let Some(id) = self.latest.get(&key)
            && self.conversations.get(id).is_some_and(|c| !c.ended)
        {
            return id.clone();
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.conversations
            .insert(id.clone(), ConversationRecord { ended: false });
        self.latest.insert(key, id.clone());
        id
    }

    /// Marks a conversation ended; `false` if unknown.
    pub fn end_conversation(&mut self, id: &str) -> bool {
        match self.conversations.get_mut(id) {
            Some(c) => {
                c.ended = true;
                true
            }
            None => false,
        }
    }
}

/// Now as Genesys writes times: `2025-06-08T21:00:10.512Z`.
pub(crate) fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

/// A Genesys error answer: `{"message","code","status","contextId"}` with
/// the same id in `inin-correlation-id`.
pub(crate) fn api_error(status: u16, code: &str, message: &str) -> Response {
    let context_id = uuid::Uuid::new_v4().to_string();
    let http = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "message": message,
        "code": code,
        "status": http.as_u16(),
        "messageParams": {},
        "contextId": context_id,
        "details": [],
        "errors": [],
    });
    let mut response = (http, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&context_id) {
        response.headers_mut().insert(CORRELATION_HEADER, v);
    }
    response
}

/// 400 `bad.request`.
pub(crate) fn bad_request(message: &str) -> Response {
    api_error(400, "bad.request", message)
}

/// 404 `not.found`.
pub(crate) fn not_found(message: &str) -> Response {
    api_error(404, "not.found", message)
}

/// Genesys' error code for a status (for planned failures).
pub(crate) fn code_for(status: u16) -> &'static str {
    match status {
        400 => "bad.request",
        401 => "bad.credentials",
        403 => "not.authorized",
        404 => "not.found",
        408 => "request.timeout",
        409 => "conflict",
        429 => "too.many.requests",
        502 => "bad.gateway",
        503 => "service.unavailable",
        504 => "gateway.timeout",
        _ => "internal.server.error",
    }
}
