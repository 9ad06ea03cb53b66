//! Pass-through to Meta with a number's own credentials. A raw relay (status,
//! JSON body, query string less `access_token`) rather than the typed
//! `whatsapp` client: clients expect every field Meta returns, including
//! ones this code base has never heard of, and Meta's own errors in Meta's
//! own envelope and status. Only ids the tenant owns ever reach here (see
//! [`super::known`]); the caller's Switchboard key never leaves.

use super::error::MetaError;
use crate::auth::TenantCtx;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;
use store::channels::Channel;

/// Uploads and downloads may take this long (Meta takes 100 MB documents).
const MEDIA_TIMEOUT: Duration = Duration::from_secs(120);

/// One client for every relayed call, built once: it pools connections to
/// Meta. (The send path's client sits inside `state.graph`, typed.)
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("switchboard-graph/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// A call to relay: `path` follows the version (`{id}` or `{id}/{edge}`).
pub struct Call<'a> {
    pub method: Method,
    pub version: &'a str,
    pub path: String,
    /// Already without `access_token` ([`super::api::forwarded_query`]).
    pub query: Option<String>,
    /// The body and its content type, as the client sent them.
    pub body: Option<(Bytes, String)>,
    /// A media upload (longer timeout).
    pub media: bool,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, version: &'a str, path: impl Into<String>) -> Self {
        Call {
            method,
            version,
            path: path.into(),
            query: None,
            body: None,
            media: false,
        }
    }

    pub fn query(mut self, q: Option<String>) -> Self {
        self.query = q;
        self
    }

    /// The client's own query and body ([`super::api::Sent`]).
    pub fn sent(mut self, sent: super::api::Sent) -> Self {
        self.query = sent.query;
        self.body = sent.body;
        self
    }
}

/// What Meta answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
    pub content_type: Option<String>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The same status with `body` (a rewritten JSON answer).
    pub fn with_json(&self, body: &Value) -> Response {
        (self.status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let ct = self
            .content_type
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
            .unwrap_or(HeaderValue::from_static("application/json"));
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() = self.status;
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
        r
    }
}

/// The number's token, opened.
pub fn token_of(state: &AppState, channel: &Channel) -> Result<String, MetaError> {
    state
        .secrets
        .open_str(&channel.access_token)
        .map_err(|e| AppError::internal(anyhow::anyhow!("opening a number's token: {e}")).into())
}

/// Relays `call` to Meta with `channel`'s credentials; a change Meta took
/// (anything but a GET) is written to the tenant's audit log.
pub async fn forward(
    state: &AppState,
    ctx: &TenantCtx,
    channel: &Channel,
    call: Call<'_>,
) -> Result<Answer, MetaError> {
    let change = (call.method != Method::GET).then(|| (call.method.clone(), call.path.clone()));
    let answer = relay(state, channel, call).await?;
    if let Some((method, path)) = change.filter(|_| answer.ok()) {
        let now = state.now();
        let mut tx = state.store.tenant(ctx.tenant_id).await?;
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            &format!("graph.{}", method.as_str().to_ascii_lowercase()),
            ("graph_object", path.clone()),
            serde_json::json!({ "path": path, "channel_id": channel.id }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(answer)
}

/// Relays `call` to Meta with `channel`'s credentials.
async fn relay(state: &AppState, channel: &Channel, call: Call<'_>) -> Result<Answer, MetaError> {
    let token = token_of(state, channel)?;
    let base = state.config.graph_base_url.trim_end_matches('/');
    let mut url = format!("{base}/{}/{}", call.version, call.path);
    if let Some(q) = &call.query {
        url.push('?');
        url.push_str(q);
    }
    let timeout = if call.media {
        MEDIA_TIMEOUT
    } else {
        Duration::from_millis(state.config.graph_timeout_ms)
    };
    let mut request = client()
        .request(call.method.clone(), &url)
        .bearer_auth(token)
        .timeout(timeout);
    if let Some((body, content_type)) = call.body {
        request = request
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
    }
    let started = std::time::Instant::now();
    let result = request.send().await;
    metrics::histogram!("switchboard_graph_proxy_seconds").record(started.elapsed().as_secs_f64());
    let response = result.map_err(|e| {
        tracing::warn!(error = %e, "relaying to Meta failed");
        MetaError::unavailable("Meta could not be reached")
    })?;
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .bytes()
        .await
        .map_err(|_| MetaError::unavailable("Meta's answer was cut short"))?;
    metrics::counter!("switchboard_graph_proxy_total", "status" => status.as_u16().to_string())
        .increment(1);
    Ok(Answer {
        status,
        body,
        content_type,
    })
}
